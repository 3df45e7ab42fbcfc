/**
 * Per-resource checks of the policy pack: each resource's inputs are turned into the shapes the
 * rules module checks (policy documents, ServiceAccounts, Vault roles...) and the same check
 * functions run on them. Cross-resource rules live in `stack.ts`.
 */
import { TIER_POLICIES } from "../components/core/tiers";
import type { IdentityKind } from "../components/core/names";
import { IDENTITY_KINDS } from "../components/core/names";
import type { PolicyDocument } from "../components/core/iam-document";
import type { Problem } from "../components/rules/define";
import { checkManagedPolicyArn, checkPermissionPolicy } from "../components/rules/iam";
import { AGENT_LABEL, IDENTITY_LABEL, checkServiceAccount, checkServiceAccountReference } from "../components/rules/kubernetes";
import { checkRoleLimits, checkUniqueSids, checkSecretTtls, checkVaultTtls } from "../components/rules/limits";
import { checkTrustPolicy, trustedSubjects, trustsPodIdentity } from "../components/rules/trust";
import { checkDatabaseStatements } from "../components/rules/database";
import { LOOSEST_TOKEN_MAX_TTL, checkSecretRole, checkVaultPolicy, checkVaultRole } from "../components/rules/vault";
import { checkAgentRole, checkAgentServiceAccount, checkAgentVaultRole } from "./agent-metadata-checks";
import { readVaultPolicy } from "./vault-hcl";
import { isToolRoleTags } from "../components/rules/tool-session-checks";
import { namedLikeIdentityRole, namedLikeToolRole } from "../components/core/names";
import { secretRoleToolSessionProblems, sessionTagsOf, toolRoleProblems } from "./tool-roles";
import { platformProblems } from "./checks/platform-resource";
import { WORKLOAD_TYPES } from "./checks/workload-types";
import { asBoolean, asNumber, asRecord, asString, asStrings, readInputs, readPolicyDocument, type KnownInputs } from "./inputs";

export const TYPES = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  serviceAccount: "kubernetes:core/v1:ServiceAccount",
  namespace: "kubernetes:core/v1:Namespace",
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
  rbacRole: "kubernetes:rbac.authorization.k8s.io/v1:Role",
  clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  vaultPolicy: "vault:index/policy:Policy",
  vaultAuthRole: "vault:kubernetes/authBackendRole:AuthBackendRole",
  vaultDatabaseRole: "vault:database/secretBackendRole:SecretBackendRole",
  vaultAwsRole: "vault:aws/secretBackendRole:SecretBackendRole",
  vaultGenericEndpoint: "vault:generic/endpoint:Endpoint",
  vaultGenericSecret: "vault:generic/secret:Secret",
  roleBindingPatch: "kubernetes:rbac.authorization.k8s.io/v1:RoleBindingPatch",
  clusterRoleBindingPatch: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBindingPatch",
  rbacRolePatch: "kubernetes:rbac.authorization.k8s.io/v1:RolePatch",
  clusterRolePatch: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRolePatch",
  vaultAudit: "vault:index/audit:Audit",
  vaultAuthBackendConfig: "vault:kubernetes/authBackendConfig:AuthBackendConfig",
  vaultDatabaseConnection: "vault:database/secretBackendConnection:SecretBackendConnection",
  vaultAwsEngine: "vault:aws/secretBackend:SecretBackend",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  networkPolicyPatch: "kubernetes:networking.k8s.io/v1:NetworkPolicyPatch",
  namespacePatch: "kubernetes:core/v1:NamespacePatch",
} as const;

/** A resource as the pack sees it (from `validateResource` args or a stack's resource list). */
export interface PackResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, unknown>;
  /** Which resources each input came from (stack validation only): resolves inputs unknown at preview. */
  readonly propertyDependencies?: Readonly<Record<string, readonly PackResource[]>>;
}

/** What the checks need besides the resources: the date expiry is judged against. */
export interface PackContext {
  readonly now: Date;
}

/** A violation found by the pack, attributed to an agent identity when the resource names one. */
export interface PackFinding extends Problem {
  readonly agent: string;
  readonly identity: IdentityKind | null;
  readonly urn: string;
}

/** Inputs each rule-bearing type must have known (and present) for the checks to run. */
const REQUIRED: Partial<Record<string, readonly string[]>> = {
  [TYPES.role]: ["assumeRolePolicy"],
  [TYPES.rolePolicy]: ["policy", "role"],
  // policyArn: resolved across the stack (iam/attached-policy), where `policy.arn` unknown at preview is traced to its Policy.
  [TYPES.rolePolicyAttachment]: ["role"],
  [TYPES.vaultPolicy]: ["policy", "name"],
  [TYPES.vaultAuthRole]: ["boundServiceAccountNames", "boundServiceAccountNamespaces"],
  [TYPES.vaultAwsRole]: ["credentialType"],
  [TYPES.vaultDatabaseRole]: ["creationStatements"],
  [TYPES.roleBinding]: ["roleRef", "subjects"],
  [TYPES.clusterRoleBinding]: ["roleRef", "subjects"],
  [TYPES.rbacRole]: ["rules"],
  [TYPES.vaultGenericEndpoint]: ["path"],
  [TYPES.vaultGenericSecret]: ["path"],
  [TYPES.vaultAudit]: ["type"],
  [TYPES.vaultAuthBackendConfig]: ["kubernetesHost"],
};

/** Inputs read when present: unknown at preview is reported, absent is fine. */
const READ_IF_SET: Partial<Record<string, readonly string[]>> = {
  [TYPES.role]: ["inlinePolicies"],
  [TYPES.vaultAuthRole]: ["boundServiceAccountNamespaceSelector", "tokenPolicies"],
  // Which role a session assumes and with which tags decides what it may do.
  [TYPES.vaultAwsRole]: ["roleArns", "sessionTags"],
  // What a role or binding grants, or a Patch changes: unknown at preview could be anything.
  [TYPES.clusterRole]: ["aggregationRule", "rules"],
  [TYPES.rbacRolePatch]: ["rules"],
  [TYPES.clusterRolePatch]: ["aggregationRule", "rules"],
  [TYPES.roleBindingPatch]: ["roleRef", "subjects"],
  [TYPES.clusterRoleBindingPatch]: ["roleRef", "subjects"],
  [TYPES.vaultAudit]: ["options", "path"],
  [TYPES.vaultAuthBackendConfig]: ["kubernetesCaCert", "backend"],
  [TYPES.vaultDatabaseConnection]: ["allowedRoles", "postgresql", "backend", "name"],
  [TYPES.vaultAwsEngine]: ["path", "roleArn"],
  [TYPES.networkPolicy]: ["spec"],
  [TYPES.networkPolicyPatch]: ["spec"],
  [TYPES.namespace]: ["metadata.labels"],
  [TYPES.namespacePatch]: ["metadata.labels", "metadata.name"],
  // Which token a pod mounts and for how long: unknown could be a default API token.
  ...Object.fromEntries(
    Object.entries(WORKLOAD_TYPES).map(([type, path]) => [
      type,
      [[...path, "spec", "automountServiceAccountToken"].join("."), [...path, "spec", "volumes"].join(".")],
    ]),
  ),
};

const isKind = (value: string | undefined): value is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(value ?? "");

/** Who a resource belongs to: the agent and identity from its tags, labels or Vault alias metadata. */
export function ownerOf(resource: PackResource, inputs: KnownInputs): { agent: string; identity: IdentityKind | null } {
  const v = inputs.value;
  const metadata = asRecord(v.metadata);
  const labels = asRecord((v.metadata as { labels?: unknown } | undefined)?.labels);
  const candidates = [asRecord(v.tags), asRecord(v.aliasMetadata), { agent: labels[AGENT_LABEL], identity: labels[IDENTITY_LABEL] }];
  for (const source of candidates) {
    if (source.agent) return { agent: source.agent, identity: isKind(source.identity) ? source.identity : null };
  }
  // An inline policy or attachment is named after the role it is attached to.
  const role = asString(v.role)?.split("/").pop();
  return { agent: role ?? asString(v.name) ?? asString(v.roleName) ?? metadata.name ?? resource.name, identity: null };
}

/**
 * Where the agent's owner, expiry and tier live (see ownership.ts). They may be absent (not every
 * role is an agent's), but an unknown value could hide an expired or high-risk agent: reported.
 */
const AGENT_METADATA: Partial<Record<string, readonly string[]>> = {
  [TYPES.role]: ["tags"],
  [TYPES.serviceAccount]: ["metadata.labels", "metadata.annotations"],
  [TYPES.vaultAuthRole]: ["aliasMetadata"],
};

function unknownInputs(resource: PackResource, inputs: KnownInputs): Problem[] {
  const required = REQUIRED[resource.type] ?? [];
  const read = [...required, ...(AGENT_METADATA[resource.type] ?? []), ...(READ_IF_SET[resource.type] ?? [])];
  const unknown = inputs.unknown.filter((path) => read.some((field) => path === field || path.startsWith(`${field}.`)));
  const missing = required.filter((field) => inputs.value[field] === undefined && !unknown.some((path) => path.split(".")[0] === field));
  const problems: Problem[] = [];
  if (unknown.length)
    problems.push({
      rule: "stack/unknown-input",
      message: `${resource.type} ${resource.name}: ${unknown.join(", ")} unknown at preview, so it cannot be checked`,
      fix: "build the value from known inputs (the components build policy documents in code), or run the check again at update",
    });
  if (missing.length)
    problems.push({
      rule: "stack/unknown-input",
      message: `${resource.type} ${resource.name}: ${missing.join(", ")} missing`,
      fix: "set the input explicitly so the rules can read it",
    });
  return problems;
}

function unreadablePolicy(resource: PackResource, field: string): Problem {
  return {
    rule: "stack/unknown-input",
    message: `${resource.type} ${resource.name}: ${field} is not a readable IAM policy document`,
    fix: "pass a JSON policy document with a Statement list",
  };
}

/** A role is an agent role when tagged as one, when anything but AWS services may assume it, or when EKS Pod Identity may (pods are workloads, not a service). */
export function isAgentOrFederatedRole(tags: Record<string, string>, trust: PolicyDocument): boolean {
  if (tags.agent && tags.identity) return true;
  if (trustsPodIdentity(trust)) return true;
  return trust.Statement.some(
    (s) => s.Principal === "*" || (typeof s.Principal === "object" && (s.Principal.AWS !== undefined || s.Principal.Federated !== undefined)),
  );
}

function roleProblems(resource: PackResource, inputs: KnownInputs, context: PackContext): Problem[] {
  const v = inputs.value;
  const problems: Problem[] = [];
  const trust = readPolicyDocument(v.assumeRolePolicy);
  if (v.assumeRolePolicy !== undefined && !trust) problems.push(unreadablePolicy(resource, "assumeRolePolicy"));
  const inline: PolicyDocument[] = [];
  for (const [index, entry] of (Array.isArray(v.inlinePolicies) ? v.inlinePolicies : []).entries()) {
    const policy = (entry as { policy?: unknown }).policy;
    if (policy === undefined) continue;
    const document = readPolicyDocument(policy);
    if (!document) problems.push(unreadablePolicy(resource, `inlinePolicies[${index}].policy`));
    else inline.push(document);
  }
  const tags = asRecord(v.tags);
  const federated = trust !== undefined && isAgentOrFederatedRole(tags, trust);
  // A tool role (tagged-sessions) is assumed by Vault's AWS engine only: judged by its own rules.
  const toolRole = isToolRoleTags(tags);
  if (toolRole) problems.push(...toolRoleProblems(asString(v.name) ?? resource.name, tags, trust, inline));
  if (trust && federated && !toolRole) {
    problems.push(...checkTrustPolicy(trust));
    for (const subject of trustedSubjects(trust)) {
      const [namespace, name] = subject.split("/");
      problems.push(...checkServiceAccountReference(namespace, name ?? ""));
    }
  }
  for (const document of inline) problems.push(...checkPermissionPolicy(document));
  for (const arn of asStrings(v.managedPolicyArns)) problems.push(...checkManagedPolicyArn(arn));
  problems.push(...checkRoleLimits({ name: asString(v.name), trustPolicy: trust, inlinePolicies: inline, maxSessionDuration: asNumber(v.maxSessionDuration) }));
  const boundarySet = v.permissionsBoundary !== undefined || inputs.unknown.includes("permissionsBoundary");
  // A tool role's sessions are named by Vault (username template) and traced by their tags, not by a pod's session name.
  problems.push(
    ...checkAgentRole(
      {
        name: asString(v.name) ?? resource.name,
        tags,
        trust: toolRole ? undefined : trust,
        boundarySet,
        permissionsBoundary: asString(v.permissionsBoundary),
        federated,
      },
      context.now,
    ),
  );
  return problems;
}

/**
 * Vault paths a generic write must not touch (allowlist: only plain secret data passes). Anything
 * under `sys/`, `auth/` or `identity/` hands out policies, tokens, logins or mounts: token creation
 * (`auth/token/create…`), cert and GitHub/LDAP maps, policies, entities... Vault Enterprise
 * namespaces prefix any path (`acme/team/sys/policies/acl/x`), so such a root at any depth counts.
 * A secrets engine's roles and config (what credentials it mints) are refused at any depth too,
 * except inside KV v2 secret data (`<mount>/data/…`), which holds only values.
 */
const CONTROL_ROOTS = new Set(["sys", "auth", "identity"]);
// creds/, sts/, static-creds/: a write there mints credentials (an AWS tool session, a database
// user) into the deployment's state for whoever runs it.
const ENGINE_CONTROL = new Set(["role", "roles", "static-role", "static-roles", "roleset", "rolesets", "config", "creds", "sts", "static-creds"]);
const KV_CONTROL = new Set(["metadata", "delete", "undelete", "destroy"]);
function genericWriteRefused(path: string): boolean {
  if (path.length > 1024) return true;
  // Vault matches paths case-sensitively, but lower-casing here only refuses more.
  const segments = path
    .toLowerCase()
    .split("/")
    .filter((segment) => segment !== "");
  if (segments.length === 0) return true;
  if (segments.some((segment) => CONTROL_ROOTS.has(segment))) return true;
  const data = segments.indexOf("data");
  const controlled = segments.slice(1, data > 0 ? data : undefined);
  // KV v2 control paths (a secret's metadata, soft and hard deletes) before any data/ segment: only secret data passes.
  return controlled.some((segment) => ENGINE_CONTROL.has(segment) || KV_CONTROL.has(segment));
}

function tierCeilings(aliasMetadata: Record<string, string>): { tokenMaxTtl: number; maxStsTtl?: number } {
  const tier = TIER_POLICIES[aliasMetadata.tier as keyof typeof TIER_POLICIES];
  return tier ? { tokenMaxTtl: tier.tokenMaxTtl, maxStsTtl: tier.maxStsTtl } : { tokenMaxTtl: LOOSEST_TOKEN_MAX_TTL };
}

function typeProblems(resource: PackResource, inputs: KnownInputs, context: PackContext): Problem[] {
  const v = inputs.value;
  switch (resource.type) {
    case TYPES.role:
      return roleProblems(resource, inputs, context);
    case TYPES.rolePolicy: {
      if (v.policy === undefined) return [];
      const document = readPolicyDocument(v.policy);
      return document
        ? [...checkPermissionPolicy(document), ...checkUniqueSids(document, `inline policy ${resource.name}`)]
        : [unreadablePolicy(resource, "policy")];
    }
    case TYPES.rolePolicyAttachment:
      return typeof v.policyArn === "string" ? checkManagedPolicyArn(v.policyArn) : [];
    case TYPES.serviceAccount: {
      const metadata = (v.metadata ?? {}) as Record<string, unknown>;
      const labels = asRecord(metadata.labels);
      if (!labels[AGENT_LABEL]) return [];
      return [
        ...checkServiceAccount({
          namespace: asString(metadata.namespace) ?? "default",
          name: asString(metadata.name) ?? "",
          automountServiceAccountToken: asBoolean(v.automountServiceAccountToken),
        }),
        ...checkAgentServiceAccount(labels, asRecord(metadata.annotations), context.now),
      ];
    }
    case TYPES.vaultPolicy: {
      if (typeof v.policy !== "string") return [];
      const parsed = readVaultPolicy(v.policy);
      const unreadable: Problem[] = parsed.unreadable
        ? [
            {
              rule: "vault/policy-unreadable",
              message: `policy ${asString(v.name) ?? resource.name} has text the pack cannot read as path rules: "${parsed.unreadable}"`,
              fix: 'write the policy as path "..." { capabilities = [...] } blocks',
            },
          ]
        : [];
      return [...unreadable, ...checkVaultPolicy(parsed.paths)];
    }
    case TYPES.vaultGenericEndpoint:
    case TYPES.vaultGenericSecret: {
      const path = asString(v.path);
      return path !== undefined && genericWriteRefused(path)
        ? [
            {
              rule: "vault/generic-write",
              message: `${resource.type} ${resource.name} writes Vault path "${path}", which is under sys/, auth/ or identity/ (at any namespace depth) or a secrets engine's roles, config or credentials: it may define policies, tokens, logins, identities or mounts, or mint credentials`,
              fix: "use vault.Policy, vault.kubernetes.AuthBackendRole and the other typed resources, which the pack checks; write only secret data with vault.generic.Secret",
            },
          ]
        : [];
    }
    case TYPES.vaultAuthRole: {
      const names = asStrings(v.boundServiceAccountNames);
      const namespaces = asStrings(v.boundServiceAccountNamespaces);
      const aliasMetadata = asRecord(v.aliasMetadata);
      const ceilings = tierCeilings(aliasMetadata);
      return [
        ...checkVaultRole(
          {
            boundServiceAccountNames: names,
            boundServiceAccountNamespaces: namespaces,
            audience: asString(v.audience),
            tokenNoDefaultPolicy: asBoolean(v.tokenNoDefaultPolicy),
            tokenPolicies: asStrings(v.tokenPolicies),
            tokenPeriod: asNumber(v.tokenPeriod),
            tokenMaxTtl: asNumber(v.tokenMaxTtl),
          },
          { tokenMaxTtlCeiling: ceilings.tokenMaxTtl },
        ),
        ...checkVaultTtls(asNumber(v.tokenTtl), asNumber(v.tokenMaxTtl)),
        ...namespaces.flatMap((namespace) => names.flatMap((name) => checkServiceAccountReference(namespace, name))),
        // A selector binds every namespace whose labels match, present or future.
        ...(asString(v.boundServiceAccountNamespaceSelector)
          ? [
              {
                rule: "vault/bound-exact",
                message: `binds namespaces by selector ${asString(v.boundServiceAccountNamespaceSelector)}`,
                fix: "bind exactly one namespace by name; remove boundServiceAccountNamespaceSelector",
              },
            ]
          : []),
        // Vault roles the components create carry the agent in their alias metadata.
        ...(aliasMetadata.agent ? checkAgentVaultRole(aliasMetadata, context.now) : []),
      ];
    }
    case TYPES.vaultDatabaseRole: {
      const name = asString(v.name) ?? resource.name;
      const plan = {
        type: "database" as const,
        tool: name,
        name,
        backend: "",
        credentialsPath: "",
        dbName: "",
        creationStatements: [],
        revocationStatements: [],
        defaultTtl: asNumber(v.defaultTtl) ?? 0,
        maxTtl: asNumber(v.maxTtl) ?? 0,
      };
      const statements = {
        creationStatements: asStrings(v.creationStatements),
        revocationStatements: asStrings(v.revocationStatements),
        rollbackStatements: asStrings(v.rollbackStatements),
        renewStatements: asStrings(v.renewStatements),
      };
      const unknownSql = inputs.unknown.filter((path) => /^(revocation|rollback|renew)Statements(\.|$)/.test(path));
      const unknown: Problem[] = unknownSql.length
        ? [
            {
              rule: "stack/unknown-input",
              message: `${resource.type} ${name}: ${unknownSql.join(", ")} unknown at preview, so it cannot be checked`,
              fix: "write the statements as literal strings",
            },
          ]
        : [];
      // The connection's plugin is not on the role: read the statements as PostgreSQL (fail closed).
      return [
        ...unknown,
        ...checkSecretTtls(plan, LOOSEST_TOKEN_MAX_TTL),
        ...checkDatabaseStatements(`database role ${name}`, statements, { name: asString(v.dbName) ?? "?", plugin: undefined }),
      ];
    }
    case TYPES.vaultAwsRole: {
      const name = asString(v.name) ?? resource.name;
      const role = { type: "aws" as const, credentialType: asString(v.credentialType), roleArns: asStrings(v.roleArns), maxStsTtl: asNumber(v.maxStsTtl) };
      const plan = {
        type: "aws" as const,
        tool: name,
        name,
        backend: "",
        credentialsPath: "",
        credentialType: "assumed_role" as const,
        roleArns: role.roleArns,
        sessionTags: null,
        externalId: null,
        defaultStsTtl: asNumber(v.defaultStsTtl) ?? 0,
        maxStsTtl: role.maxStsTtl ?? 0,
      };
      // Without the plan, a role is an agent role when named like one (`…-orchestration|execution|audit`,
      // or a tool role `…-tools` assumed without session tags); a tool session is judged by vault/tool-session-tags.
      const tagged = sessionTagsOf(v) !== undefined;
      const isAgentRole = (arn: string) => namedLikeIdentityRole(arn) || (!tagged && namedLikeToolRole(arn));
      return [...checkSecretRole(role, { isAgentRole }), ...checkSecretTtls(plan, LOOSEST_TOKEN_MAX_TTL), ...secretRoleToolSessionProblems(v)];
    }
    default:
      return platformProblems(resource, inputs);
  }
}

/** Every problem of one resource, attributed. */
export function checkResource(resource: PackResource, context: PackContext): PackFinding[] {
  const inputs = readInputs(resource.props);
  const owner = ownerOf(resource, inputs);
  const problems = [...unknownInputs(resource, inputs), ...typeProblems(resource, inputs, context)];
  return problems.map((problem) => ({ ...problem, ...owner, urn: resource.urn }));
}
