/**
 * Every other route to an agent identity: managed policies attached to its role, resource policies
 * naming it, EKS access for its role, the `aws-auth` ConfigMap, token Secrets and workloads running
 * as its ServiceAccount. Each is judged with the shared checks, and anything the pack cannot read
 * (unknown at preview, unparseable, from outside the stack) fails closed.
 *
 * Roles are matched by name (IAM role names are unique in an account regardless of case); an input
 * unknown at preview is resolved through the engine's property dependencies when it comes from one
 * resource of this stack (`policyArn: policy.arn`), and refused otherwise.
 */
import { roleNameOf } from "../components/core/names";
export { roleNameOf };
import { parse as parseYaml } from "yaml";
import { asList, type PolicyDocument, type PolicyStatement } from "../components/core/iam-document";
import { LABEL_PREFIX } from "../components/core/compile";
import { globMatches } from "../components/core/patterns";
import type { IdentityKind } from "../components/core/names";
import type { Problem } from "../components/rules/define";
import { checkPermissionPolicy } from "../components/rules/iam";
import { asRecord, asString, asStrings, readInputs, readPolicyDocument } from "./inputs";
import { TYPES, type PackFinding, type PackResource } from "./resources";
import { vaultPolicyName, type StackIndex } from "./stack-index";
import { WORKLOAD_TYPES } from "./checks/workload-types";

export const ROUTE_TYPES = {
  policy: "aws:iam/policy:Policy",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  rolePolicyAttachmentsExclusive: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
  lambdaPermission: "aws:lambda/permission:Permission",
  kmsGrant: "aws:kms/grant:Grant",
  eksAccessEntry: "aws:eks/accessEntry:AccessEntry",
  eksAccessPolicyAssociation: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
  eksPodIdentityAssociation: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  configMap: "kubernetes:core/v1:ConfigMap",
  configMapPatch: "kubernetes:core/v1:ConfigMapPatch",
  secret: "kubernetes:core/v1:Secret",
  secretPatch: "kubernetes:core/v1:SecretPatch",
  serviceAccountPatch: "kubernetes:core/v1:ServiceAccountPatch",
} as const;

/** Resource types holding a resource policy, and the input it is in. */
export const RESOURCE_POLICY_TYPES: Readonly<Record<string, string>> = {
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:s3/bucket:Bucket": "policy",
  "aws:s3/bucketV2:BucketV2": "policy",
  "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
  "aws:secretsmanager/secret:Secret": "policy",
  "aws:kms/key:Key": "policy",
  "aws:kms/keyPolicy:KeyPolicy": "policy",
  "aws:sqs/queue:Queue": "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
  "aws:sns/topic:Topic": "policy",
  "aws:sns/topicPolicy:TopicPolicy": "policy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
  "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
  "aws:opensearch/domainPolicy:DomainPolicy": "accessPolicies",
  "aws:apigateway/restApiPolicy:RestApiPolicy": "policy",
  "aws:backup/vaultPolicy:VaultPolicy": "policy",
  "aws:ecr/registryPolicy:RegistryPolicy": "policy",
  "aws:ecrpublic/repositoryPolicy:RepositoryPolicy": "policy",
  "aws:glacier/vaultLock:VaultLock": "policy",
  "aws:s3control/accessPointPolicy:AccessPointPolicy": "policy",
  "aws:s3/accessPoint:AccessPoint": "policy",
  "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
  "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
  "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
  "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": "policyDocument",
  "aws:kms/replicaKey:ReplicaKey": "policy",
  "aws:kms/externalKey:ExternalKey": "policy",
  "aws:kms/replicaExternalKey:ReplicaExternalKey": "policy",
  "aws:opensearch/domain:Domain": "accessPolicies",
  "aws:elasticsearch/domain:Domain": "accessPolicies",
  "aws:elasticsearch/domainPolicy:DomainPolicy": "accessPolicies",
  "aws:apigateway/restApi:RestApi": "policy",
};

/** Inputs of any Vault resource that hand out policies to whoever logs in or holds the token. */
export const VAULT_POLICY_FIELDS = ["tokenPolicies", "policies", "allowedPolicies", "allowedPoliciesGlobs"] as const;

export { WORKLOAD_TYPES };

interface AgentRole {
  readonly agent: string;
  readonly kind: IdentityKind | null;
  readonly name: string;
  readonly urn: string;
}

interface Read {
  readonly resource: PackResource;
  readonly v: Record<string, unknown>;
  readonly unknown: readonly string[];
}

const isUnknown = (r: Read, field: string) => r.unknown.some((path) => path === field || path.startsWith(`${field}.`));
const deps = (r: Read, field: string): readonly PackResource[] => r.resource.propertyDependencies?.[field] ?? [];

function finding(owner: { agent: string; kind: IdentityKind | null }, urn: string, rule: string, message: string, fix: string): PackFinding {
  return { rule, message, fix, agent: owner.agent, identity: owner.kind, urn };
}

/** Agent roles of the stack, by lower-cased name. */
function agentRoles(ix: StackIndex): Map<string, AgentRole> {
  const roles = new Map<string, AgentRole>();
  for (const r of ix.roles) {
    if (!r.tags.agent || !r.name) continue;
    const kind = (["orchestration", "execution", "audit"] as const).find((k) => k === r.tags.identity) ?? null;
    roles.set(r.name.toLowerCase(), { agent: r.tags.agent, kind, name: r.name, urn: r.resource.urn });
  }
  return roles;
}

/** The agent role a field names: by its known value, or (unknown at preview) by the role resource it came from. */
function namedAgentRole(roles: Map<string, AgentRole>, r: Read, field: string, value: string | undefined): AgentRole | "unknown" | undefined {
  if (value !== undefined) return roles.get(roleNameOf(value));
  if (!isUnknown(r, field)) return undefined;
  const from = deps(r, field)
    .map((d) => roles.get(roleNameOf(asString(readInputs(d.props).value.name) ?? "")))
    .find(Boolean);
  return from ?? "unknown";
}

const POLICY_FIELDS = new Set<string>(VAULT_POLICY_FIELDS);
/** Inputs of Vault auth backends holding nested entries with their own policies (Okta groups and users, ...). */
const POLICY_CONTAINERS = new Set(["groups", "users", "teams"]);

/**
 * Every policy-bearing input of a Vault resource at any depth (`tokenPolicies`, or Okta's
 * `groups[].policies`, ...), with its policy names; a comma-separated string counts as a list.
 */
function policyFields(value: unknown, depth = 0): Array<{ field: string; names: string[] }> {
  if (!value || typeof value !== "object" || depth > 8) return [];
  const out: Array<{ field: string; names: string[] }> = [];
  for (const [key, child] of Object.entries(value)) {
    if (POLICY_FIELDS.has(key)) out.push({ field: key, names: typeof child === "string" ? child.split(",") : asStrings(child) });
    else out.push(...policyFields(child, depth + 1));
  }
  return out;
}

/** Every string in a generic write's JSON data (bounded: at most 64 KiB of text read). */
function dataStrings(dataJson: unknown): string[] {
  if (typeof dataJson !== "string" || dataJson.length > 64 * 1024) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(dataJson);
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string") out.push(value);
    else if (value && typeof value === "object") for (const child of Object.values(value)) walk(child);
  };
  walk(parsed);
  return out;
}

export interface RouteResult {
  readonly findings: PackFinding[];
  /** Policy documents reaching each agent role (by lower-cased name) through attachments and resource policies. */
  readonly extraPolicies: Map<string, PolicyDocument[]>;
}

/** Every route check over the stack. */
export function checkRoutes(ix: StackIndex): RouteResult {
  const read: Read[] = ix.inputs.map(({ resource, value, unknown }) => ({ resource, v: value, unknown }));
  const ofType = (...types: string[]) => read.filter((r) => types.includes(r.resource.type));
  const roles = agentRoles(ix);
  const findings: PackFinding[] = [];
  const extraPolicies = new Map<string, PolicyDocument[]>();
  const hold = (role: AgentRole, document: PolicyDocument) =>
    extraPolicies.set(role.name.toLowerCase(), [...(extraPolicies.get(role.name.toLowerCase()) ?? []), document]);
  const permissionChecks = (role: AgentRole, urn: string, document: PolicyDocument) => {
    hold(role, document);
    findings.push(...checkPermissionPolicy(document).map((p: Problem) => ({ ...p, agent: role.agent, identity: role.kind, urn })));
  };

  // ------------------------------------------------------------- managed policies on agent roles
  const customerPolicies = ofType(ROUTE_TYPES.policy);
  // The first customer policy with a URN or a name (what `find` over the list gave), looked up once each.
  const firstBy = (keyOf: (r: Read) => string | undefined) => {
    const first = new Map<string, Read>();
    for (const p of customerPolicies) {
      const key = keyOf(p);
      if (key !== undefined && !first.has(key)) first.set(key, p);
    }
    return first;
  };
  const policyByUrn = firstBy((p) => p.resource.urn);
  const policyByName = firstBy((p) => asString(p.v.name));
  const attach = (role: AgentRole, r: Read, field: string, arn: string | undefined) => {
    const rule = "iam/attached-policy";
    const fix = "grant the agent what its tools need in its declaration; attach nothing else to agent roles";
    let source: Read | undefined;
    if (arn === undefined) {
      // Unknown at preview: traced to the one Policy it came from. A known ARN is judged as written,
      // never by its dependencies (`policy.arn.apply(() => adminArn)` depends on the Policy too).
      const from = deps(r, field).filter((d) => d.type === ROUTE_TYPES.policy);
      source = from.length === 1 && deps(r, field).length === 1 ? policyByUrn.get(from[0].urn) : undefined;
      if (!source)
        return findings.push(
          finding(
            role,
            r.resource.urn,
            rule,
            `${r.resource.type} ${r.resource.name} attaches a policy to agent role ${role.name} whose ARN is unknown at preview and not from one aws.iam.Policy of this stack`,
            fix,
          ),
        );
    } else if (/^arn:[^:]+:iam::aws:policy\//.test(arn)) {
      return findings.push(
        finding(role, r.resource.urn, rule, `${r.resource.type} ${r.resource.name} attaches AWS managed policy ${arn} to agent role ${role.name}`, fix),
      );
    } else {
      const name = /:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
      source = name === undefined ? undefined : policyByName.get(name);
      if (!source)
        return findings.push(
          finding(
            role,
            r.resource.urn,
            rule,
            `${r.resource.type} ${r.resource.name} attaches ${arn} to agent role ${role.name}, which is not an aws.iam.Policy of this stack (by name), so its document cannot be read`,
            "attach only policies of this stack, named explicitly (`name:`), or better none: grant the agent what its tools need in its declaration",
          ),
        );
    }
    const document = readPolicyDocument(source.v.policy);
    if (!document) {
      const why = isUnknown(source, "policy") ? "unknown at preview" : "not a readable IAM policy document";
      return findings.push(
        finding(
          role,
          r.resource.urn,
          rule,
          `policy ${source.resource.name} attached to agent role ${role.name} has a document ${why}`,
          "write the policy document from known values",
        ),
      );
    }
    permissionChecks(role, source.resource.urn, document);
    return undefined;
  };
  const attachments: Array<{ r: Read; roleField: string; roleValues: Array<string | undefined>; arnField: string; arns: Array<string | undefined> }> = [];
  for (const r of ofType(TYPES.rolePolicyAttachment))
    attachments.push({ r, roleField: "role", roleValues: [asString(r.v.role)], arnField: "policyArn", arns: [asString(r.v.policyArn)] });
  for (const r of ofType(ROUTE_TYPES.policyAttachment))
    attachments.push({
      r,
      roleField: "roles",
      roleValues: isUnknown(r, "roles") ? [undefined] : asStrings(r.v.roles),
      arnField: "policyArn",
      arns: [asString(r.v.policyArn)],
    });
  for (const r of ofType(ROUTE_TYPES.rolePolicyAttachmentsExclusive)) {
    attachments.push({
      r,
      roleField: "roleName",
      roleValues: [asString(r.v.roleName)],
      arnField: "policyArns",
      arns: isUnknown(r, "policyArns") ? [...asStrings(r.v.policyArns), undefined] : asStrings(r.v.policyArns),
    });
  }
  for (const r of ofType(TYPES.role)) {
    const name = asString(r.v.name);
    const role = name ? roles.get(name.toLowerCase()) : undefined;
    if (role)
      attachments.push({
        r,
        roleField: "name",
        roleValues: [name],
        arnField: "managedPolicyArns",
        arns: isUnknown(r, "managedPolicyArns") ? [...asStrings(r.v.managedPolicyArns), undefined] : asStrings(r.v.managedPolicyArns),
      });
  }
  for (const a of attachments) {
    for (const value of a.roleValues) {
      const role = namedAgentRole(roles, a.r, a.roleField, value);
      if (role === "unknown") {
        findings.push(
          finding(
            { agent: a.r.resource.name, kind: null },
            a.r.resource.urn,
            "iam/attached-policy",
            `${a.r.resource.type} ${a.r.resource.name}: the role is unknown at preview and not traced to an agent role, so the pack cannot tell whether it names one`,
            "name the role with a known value",
          ),
        );
      } else if (role) {
        for (const arn of a.arns) attach(role, a.r, a.arnField, arn);
      } else if (a.arns.includes(undefined) && !deps(a.r, a.arnField).some((d) => d.type === ROUTE_TYPES.policy)) {
        // Not an agent role, but an ARN nobody can read could be an admin policy (iam/managed-admin-policy).
        findings.push(
          finding(
            { agent: a.r.resource.name, kind: null },
            a.r.resource.urn,
            "stack/unknown-input",
            `${a.r.resource.type} ${a.r.resource.name}: ${a.arnField} is unknown at preview and not from an aws.iam.Policy of this stack`,
            "attach a policy of this stack, or name the ARN with a known value",
          ),
        );
      }
    }
  }

  // ------------------------------------------------------------- resource policies
  const principalsOf = (statement: PolicyStatement): string[] | "*" => {
    const principal = (statement as { Principal?: unknown }).Principal;
    if (principal === "*") return "*";
    if (!principal || typeof principal !== "object") return [];
    const aws = asList((principal as { AWS?: string | string[] }).AWS);
    return aws.includes("*") ? "*" : aws;
  };
  for (const r of read.filter((x) => RESOURCE_POLICY_TYPES[x.resource.type])) {
    const field = RESOURCE_POLICY_TYPES[r.resource.type];
    const rule = "iam/resource-policy";
    const who = { agent: r.resource.name, kind: null };
    if (isUnknown(r, field)) {
      findings.push(
        finding(
          who,
          r.resource.urn,
          rule,
          `${r.resource.type} ${r.resource.name}: ${field} is unknown at preview, so the principals it allows cannot be read`,
          "build the policy from known values (an ARN from a known name) so the pack can read it",
        ),
      );
      continue;
    }
    if (r.v[field] === undefined || r.v[field] === "") continue;
    const document = readPolicyDocument(r.v[field]);
    if (!document) {
      findings.push(
        finding(
          who,
          r.resource.urn,
          rule,
          `${r.resource.type} ${r.resource.name}: ${field} is not a readable policy document`,
          "pass a JSON policy document with a Statement list",
        ),
      );
      continue;
    }
    for (const statement of document.Statement.filter((s) => s.Effect === "Allow")) {
      const principals = principalsOf(statement);
      if (principals === "*") {
        findings.push(
          finding(
            who,
            r.resource.urn,
            rule,
            `${r.resource.type} ${r.resource.name} allows ${asList(statement.Action).join(", ") || "(NotAction)"} to every principal ("*")`,
            "name the principals; every agent role is a principal",
          ),
        );
        continue;
      }
      if ((statement as { NotPrincipal?: unknown }).NotPrincipal !== undefined) {
        findings.push(
          finding(who, r.resource.urn, rule, `${r.resource.type} ${r.resource.name} allows with NotPrincipal (everyone not listed)`, "name the principals"),
        );
        continue;
      }
      for (const principal of principals) {
        const role = roles.get(roleNameOf(principal));
        if (!role) continue;
        // The statement as the role's own grant: same actions, resources and conditions, no principal.
        const grant = Object.fromEntries(Object.entries(statement).filter(([field]) => field !== "Principal")) as unknown as PolicyStatement;
        permissionChecks(role, r.resource.urn, { Version: "2012-10-17", Statement: [grant] });
      }
    }
  }
  for (const r of ofType(ROUTE_TYPES.lambdaPermission)) {
    const principal = asString(r.v.principal);
    const role = namedAgentRole(roles, r, "principal", principal);
    const who = role && role !== "unknown" ? role : { agent: r.resource.name, kind: null };
    if (principal === "*" || role === "unknown" || role) {
      findings.push(
        finding(
          who,
          r.resource.urn,
          "iam/resource-policy",
          `Lambda permission ${r.resource.name} lets ${principal ?? "(unknown at preview)"} ${asString(r.v.action) ?? "act"} on ${asString(r.v.function) ?? "a function"}`,
          "grant an agent what its tools need in its declaration; never grant to *",
        ),
      );
    }
  }

  for (const r of ofType(ROUTE_TYPES.kmsGrant)) {
    const role = namedAgentRole(roles, r, "granteePrincipal", asString(r.v.granteePrincipal));
    if (role) {
      const who = role === "unknown" ? { agent: r.resource.name, kind: null } : role;
      findings.push(
        finding(
          who,
          r.resource.urn,
          "iam/resource-policy",
          `KMS grant ${r.resource.name} gives ${role === "unknown" ? "a principal unknown at preview" : `agent role ${role.name}`} ${asStrings(r.v.operations).join(", ") || "key operations"}`,
          "grant an agent what its tools need in its declaration; no KMS grants to agent roles",
        ),
      );
    }
  }

  // ------------------------------------------------------------- Vault policies of agents used elsewhere
  const agentPolicies = new Map<string, { agent: string; kind: IdentityKind | null; urn: string }>();
  for (const authRole of ix.authRoles) {
    const kind = (["orchestration", "execution", "audit"] as const).find((k) => k === authRole.meta.identity) ?? null;
    if (authRole.meta.agent) for (const name of authRole.policies) agentPolicies.set(name, { agent: authRole.meta.agent, kind, urn: authRole.resource.urn });
  }
  if (agentPolicies.size) {
    const authRoleByUrn = new Map(ix.authRoles.map((a) => [a.resource.urn, a]));
    const policyOrder = new Map([...agentPolicies.keys()].map((name, at) => [name, at]));
    for (const r of read.filter((x) => x.resource.type.startsWith("vault:"))) {
      const ownRole = authRoleByUrn.get(r.resource.urn);
      // Raw writes whose data names an agent's policy (the path is also judged: vault/generic-write).
      if (r.resource.type === TYPES.vaultGenericEndpoint || r.resource.type === TYPES.vaultGenericSecret) {
        // Every name the data could mean (a value, or a part of a comma-separated one), looked up,
        // then reported in agentPolicies' order as scanning every agent policy against the data did.
        const named = new Set<string>();
        for (const value of dataStrings(r.v.dataJson)) for (const name of [value, ...value.split(",")]) named.add(vaultPolicyName(name)!);
        const hits = [...named].filter((name) => agentPolicies.has(name)).sort((a, b) => policyOrder.get(a)! - policyOrder.get(b)!);
        for (const policy of hits) {
          const owner = agentPolicies.get(policy)!;
          findings.push(
            finding(
              owner,
              r.resource.urn,
              "vault/agent-policy-use",
              `${r.resource.type} ${r.resource.name} writes data naming ${owner.agent}/${owner.kind ?? "*"}'s Vault policy ${policy}`,
              "only the identity's own Kubernetes-auth role carries its policy",
            ),
          );
        }
      }
      const unknownPolicies = r.unknown.filter((path) =>
        path.split(".").some((segment, i) => POLICY_FIELDS.has(segment) || (i === 0 && POLICY_CONTAINERS.has(segment))),
      );
      if (unknownPolicies.length) {
        findings.push(
          finding(
            { agent: r.resource.name, kind: null },
            r.resource.urn,
            "vault/agent-policy-use",
            `${r.resource.type} ${r.resource.name}: ${unknownPolicies.join(", ")} unknown at preview, so it may hand out an agent's policy`,
            "name the policies with known values",
          ),
        );
      }
      for (const { field, names } of policyFields(r.v)) {
        for (const name of names) {
          // Vault trims and lower-cases policy names before it stores or compares them.
          const wanted = vaultPolicyName(name)!;
          const exact = agentPolicies.get(wanted);
          const hits: Array<[string, { agent: string; kind: IdentityKind | null; urn: string }]> =
            field === "allowedPoliciesGlobs" || wanted === "*"
              ? [...agentPolicies.entries()].filter(([policy]) => globMatches(wanted, policy))
              : exact
                ? [[wanted, exact]]
                : [];
          for (const [policy, owner] of hits) {
            if (ownRole && ownRole.meta.agent === owner.agent && ownRole.meta.identity === (owner.kind ?? undefined)) continue;
            findings.push(
              finding(
                owner,
                r.resource.urn,
                "vault/agent-policy-use",
                `${r.resource.type} ${r.resource.name} hands out ${owner.agent}/${owner.kind ?? "*"}'s Vault policy ${policy} (${field})`,
                "only the identity's own Kubernetes-auth role carries its policy",
              ),
            );
          }
        }
      }
    }
  }

  // ------------------------------------------------------------- EKS access for agent roles
  const eksRule = "kubernetes/eks-access";
  for (const r of ofType(ROUTE_TYPES.eksAccessEntry, ROUTE_TYPES.eksAccessPolicyAssociation)) {
    const role = namedAgentRole(roles, r, "principalArn", asString(r.v.principalArn));
    if (role === "unknown")
      findings.push(
        finding(
          { agent: r.resource.name, kind: null },
          r.resource.urn,
          eksRule,
          `${r.resource.type} ${r.resource.name}: principalArn is unknown at preview and not traced to an agent role, so the pack cannot tell whether it names one`,
          "name the principal with a known ARN",
        ),
      );
    else if (role)
      findings.push(
        finding(
          role,
          r.resource.urn,
          eksRule,
          `${r.resource.type} ${r.resource.name} gives agent role ${role.name} access to the cluster`,
          "agent roles get no Kubernetes access; the agent acts in the cluster only as its own ServiceAccount",
        ),
      );
  }
  for (const r of ofType(ROUTE_TYPES.eksPodIdentityAssociation)) {
    for (const field of ["roleArn", "targetRoleArn"]) {
      const role = namedAgentRole(roles, r, field, asString(r.v[field]));
      if (role === "unknown") {
        findings.push(
          finding(
            { agent: r.resource.name, kind: null },
            r.resource.urn,
            eksRule,
            `Pod Identity association ${r.resource.name}: ${field} is unknown at preview and not traced to an agent role, so the pack cannot tell whether it names one`,
            "name the role with a known ARN",
          ),
        );
        continue;
      }
      if (!role) continue;
      const own = ix.by.serviceAccountsOf(role.agent, role.kind)[0];
      const namespace = asString(r.v.namespace);
      const serviceAccount = asString(r.v.serviceAccount);
      if (field === "targetRoleArn" || !own || own.namespace !== namespace || own.name !== serviceAccount) {
        findings.push(
          finding(
            role,
            r.resource.urn,
            eksRule,
            `Pod Identity association ${r.resource.name} lets ServiceAccount ${namespace ?? "?"}/${serviceAccount ?? "?"} use agent role ${role.name}`,
            "an agent role is used only by its own ServiceAccount, through IRSA",
          ),
        );
      }
    }
  }
  for (const r of ofType(ROUTE_TYPES.configMap, ROUTE_TYPES.configMapPatch)) {
    const metadata = asRecord(r.v.metadata);
    // A missing or unknown namespace may be the provider's default, kube-system: read it as kube-system.
    if (metadata.name !== "aws-auth" || (metadata.namespace ?? "kube-system") !== "kube-system") continue;
    const who = { agent: r.resource.name, kind: null };
    // mapAccounts maps every role of the listed accounts (agent roles too) to a Kubernetes user.
    const accounts = asRecord(r.v.data).mapAccounts;
    if ((accounts !== undefined && accounts.trim() !== "" && accounts.trim() !== "[]") || isUnknown(r, "data.mapAccounts")) {
      findings.push(
        finding(
          who,
          r.resource.urn,
          eksRule,
          `aws-auth mapAccounts maps every IAM role of the accounts listed (agent roles included) into the cluster`,
          "map exact role ARNs with mapRoles instead of whole accounts",
        ),
      );
    }
    for (const key of ["mapRoles", "mapUsers"]) {
      if (isUnknown(r, `data.${key}`) || isUnknown(r, "data")) {
        findings.push(
          finding(
            who,
            r.resource.urn,
            eksRule,
            `aws-auth ${key} is unknown at preview, so the roles it maps cannot be read`,
            "write the mapping from known values",
          ),
        );
        continue;
      }
      const text = asRecord(r.v.data)[key];
      if (text === undefined) continue;
      let entries: unknown;
      try {
        entries = text.length > 1024 * 1024 ? undefined : parseYaml(text, { maxAliasCount: 0 });
      } catch {
        entries = undefined;
      }
      if (!Array.isArray(entries)) {
        findings.push(
          finding(who, r.resource.urn, eksRule, `aws-auth ${key} is not a readable YAML list`, "write mapRoles as a YAML list of {rolearn, username, groups}"),
        );
        continue;
      }
      for (const entry of entries) {
        // aws-iam-authenticator reads entries with Go's JSON decoder, which matches keys regardless of
        // case (`RoleARN:` is `rolearn`): every key that is rolearn or userarn in any case counts.
        if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
          findings.push(
            finding(
              who,
              r.resource.urn,
              eksRule,
              `aws-auth ${key} has an entry that is not a mapping`,
              "write mapRoles as a YAML list of {rolearn, username, groups}",
            ),
          );
          continue;
        }
        const arns = Object.entries(entry)
          .filter(([field]) => ["rolearn", "userarn"].includes(field.toLowerCase()))
          .map(([, value]) => value);
        for (const arn of arns) {
          if (typeof arn !== "string") {
            findings.push(finding(who, r.resource.urn, eksRule, `aws-auth ${key} has an ARN that is not a string`, "write each rolearn as a string"));
            continue;
          }
          const role = roles.get(roleNameOf(arn));
          if (role)
            findings.push(
              finding(
                role,
                r.resource.urn,
                eksRule,
                `aws-auth maps agent role ${role.name} into the cluster`,
                "agent roles get no Kubernetes access; remove the mapping",
              ),
            );
        }
      }
    }
  }

  // ------------------------------------------------------------- acting as an agent ServiceAccount
  const saRule = "kubernetes/service-account-use";
  const saAt = (namespace: string, name: string | undefined) => ix.by.serviceAccountAt(namespace, name);
  const agentSaNames = new Set(ix.serviceAccounts.map((sa) => sa.name));
  const agentNamespaces = new Set(ix.serviceAccounts.map((sa) => sa.namespace));
  /** A resource naming an agent ServiceAccount's name without a known namespace: the provider picks one (maybe the agent's). */
  const noNamespace = (r: Read, saName: string | undefined, what: string) => {
    if (asString(asRecord(r.v.metadata).namespace) !== undefined || saName === undefined || !agentSaNames.has(saName)) return false;
    findings.push(
      finding(
        { agent: r.resource.name, kind: null },
        r.resource.urn,
        saRule,
        `${r.resource.type} ${r.resource.name} ${what} ServiceAccount ${saName} (an agent ServiceAccount's name) and its metadata.namespace is missing or unknown at preview, so which ServiceAccount it is cannot be checked`,
        "set metadata.namespace explicitly, with a known value",
      ),
    );
    return true;
  };
  for (const r of ofType(ROUTE_TYPES.secret, ROUTE_TYPES.secretPatch)) {
    const metadata = (r.v.metadata ?? {}) as Record<string, unknown>;
    const annotations = asRecord(metadata.annotations);
    if (noNamespace(r, annotations["kubernetes.io/service-account.name"], "holds a token for")) continue;
    const sa = saAt(asString(metadata.namespace) ?? "default", annotations["kubernetes.io/service-account.name"]);
    if (sa && (asString(r.v.type) === "kubernetes.io/service-account-token" || isUnknown(r, "type"))) {
      findings.push(
        finding(
          { agent: sa.agent, kind: sa.kind },
          r.resource.urn,
          saRule,
          `Secret ${r.resource.name} holds a long-lived token for ServiceAccount ${sa.namespace}/${sa.name}`,
          "each identity uses only its own short-lived projected token",
        ),
      );
    }
  }
  for (const r of ofType(ROUTE_TYPES.serviceAccountPatch)) {
    const metadata = asRecord(r.v.metadata);
    const sa = saAt(metadata.namespace ?? "default", metadata.name);
    const unknownTarget = isUnknown(r, "metadata.name") || isUnknown(r, "metadata.namespace") || isUnknown(r, "metadata");
    if (sa || unknownTarget) {
      const who = sa ? { agent: sa.agent, kind: sa.kind } : { agent: r.resource.name, kind: null };
      findings.push(
        finding(
          who,
          r.resource.urn,
          saRule,
          `ServiceAccountPatch ${r.resource.name} changes ${sa ? `agent ServiceAccount ${sa.namespace}/${sa.name}` : "a ServiceAccount unknown at preview"}`,
          "change an agent's ServiceAccount through its declaration only",
        ),
      );
    }
  }
  for (const r of read.filter((x) => WORKLOAD_TYPES[x.resource.type])) {
    const path = WORKLOAD_TYPES[r.resource.type];
    let template: unknown = r.v;
    for (const key of path) template = (template as Record<string, unknown> | undefined)?.[key];
    const t = (template ?? {}) as { metadata?: { labels?: unknown }; spec?: { serviceAccountName?: unknown; serviceAccount?: unknown } };
    if (noNamespace(r, asString(t.spec?.serviceAccountName) ?? asString(t.spec?.serviceAccount), "runs as")) continue;
    const namespace = asString(asRecord(r.v.metadata).namespace) ?? "default";
    const specPath = [...path, "spec"].join(".");
    if (isUnknown(r, `${specPath}.serviceAccountName`) || isUnknown(r, `${specPath}.serviceAccount`)) {
      if (ix.by.serviceAccountsIn.has(namespace))
        findings.push(
          finding(
            { agent: r.resource.name, kind: null },
            r.resource.urn,
            saRule,
            `${r.resource.type} ${r.resource.name}: its ServiceAccount is unknown at preview, in namespace ${namespace} where agents run`,
            "name the ServiceAccount with a known value",
          ),
        );
      continue;
    }
    const sa = saAt(namespace, asString(t.spec?.serviceAccountName) ?? asString(t.spec?.serviceAccount));
    if (!sa) continue;
    const labels = asRecord(t.metadata?.labels);
    if (labels[`${LABEL_PREFIX}/agent`] !== sa.agent || labels[`${LABEL_PREFIX}/identity`] !== sa.kind) {
      findings.push(
        finding(
          { agent: sa.agent, kind: sa.kind },
          r.resource.urn,
          saRule,
          `${r.resource.type} ${r.resource.name} runs as ServiceAccount ${sa.namespace}/${sa.name} without the labels ${LABEL_PREFIX}/agent=${sa.agent}, ${LABEL_PREFIX}/identity=${sa.kind} on its pod template`,
          "build the pod spec with agent.workload(kind) and spread its labels into the pod template",
        ),
      );
    }
  }

  // Kinds whose pods the pack cannot see: a Helm release renders its chart inside the provider, and
  // custom resources (Argo Rollouts, Workflows...) start pods through their operator.
  const seen = new Set<string>([
    ...Object.keys(WORKLOAD_TYPES),
    TYPES.serviceAccount,
    ROUTE_TYPES.serviceAccountPatch,
    ROUTE_TYPES.secret,
    ROUTE_TYPES.secretPatch,
  ]);
  for (const r of read.filter((x) => x.resource.type.startsWith("kubernetes:") && !seen.has(x.resource.type))) {
    const helm = r.resource.type.startsWith("kubernetes:helm.sh/");
    const namespaceField = helm ? "namespace" : "metadata.namespace";
    const namespace = helm ? asString(r.v.namespace) : asString(asRecord(r.v.metadata).namespace);
    const namespaceUnknown = isUnknown(r, namespaceField) || (!helm && isUnknown(r, "metadata"));
    const inAgentNamespace = namespaceUnknown || (namespace !== undefined && agentNamespaces.has(namespace));
    const who = { agent: r.resource.name, kind: null };
    if (helm) {
      const named = stringsIn(r.v.values).filter((value) => agentSaNames.has(value));
      if (inAgentNamespace || named.length) {
        findings.push(
          finding(
            who,
            r.resource.urn,
            saRule,
            `${r.resource.type} ${r.resource.name} ${inAgentNamespace ? `installs into ${namespaceUnknown ? "a namespace unknown at preview" : `agent namespace ${namespace}`}` : `has values naming agent ServiceAccount ${named.join(", ")}`}; the chart's pods are not visible to the pack`,
            "install charts outside agents' namespaces and never name an agent ServiceAccount in their values; run agent pods with agent.workload(kind)",
          ),
        );
      }
      continue;
    }
    const accounts = serviceAccountNames(r.v);
    const unknownAccount = r.unknown.some((p) => /(^|\.)serviceAccount(Name)?$/.test(p));
    const named = accounts.filter((name) => agentSaNames.has(name) && (namespace === undefined || ix.by.serviceAccountAt(namespace, name) !== undefined));
    if (named.length || (unknownAccount && inAgentNamespace)) {
      findings.push(
        finding(
          who,
          r.resource.urn,
          saRule,
          `${r.resource.type} ${r.resource.name} is a kind the pack cannot read pods from, and it runs as ${named.length ? `agent ServiceAccount ${named.join(", ")}` : "a ServiceAccount unknown at preview in an agent namespace"}`,
          "run agent pods only through the workload kinds the pack reads (Deployment, Job ...), built with agent.workload(kind)",
        ),
      );
    }
  }
  return { findings, extraPolicies };
}

/** Every string at any depth (bounded), e.g. in a Helm release's values. */
function stringsIn(value: unknown, depth = 0): string[] {
  if (typeof value === "string") return [value];
  if (!value || typeof value !== "object" || depth > 16) return [];
  return Object.values(value).flatMap((child) => stringsIn(child, depth + 1));
}

/** Values of `serviceAccountName` / `serviceAccount` keys at any depth (bounded): where a pod template names its ServiceAccount. */
function serviceAccountNames(value: unknown, depth = 0): string[] {
  if (!value || typeof value !== "object" || depth > 16) return [];
  return Object.entries(value).flatMap(([key, child]) => [
    ...((key === "serviceAccountName" || key === "serviceAccount") && typeof child === "string" ? [child] : []),
    ...serviceAccountNames(child, depth + 1),
  ]);
}
