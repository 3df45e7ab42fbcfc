/**
 * EKS access for IAM principals: access entries, access policy associations, Pod Identity
 * associations and the `aws-auth` ConfigMap. An agent role gets no Kubernetes access and is used
 * only by its own ServiceAccount through IRSA. Per resource: `mapAccounts` (every role of an
 * account) and an unreadable mapping. Across the stack: which of the named roles are agents'.
 */
import { roleNameOf } from "../../components/core/names";
import { globMatches } from "../../components/core/patterns";
import { parse as parseYaml } from "yaml";
import type { Problem } from "../../components/rules/define";
import { asRecord, asString, type KnownInputs } from "../inputs";
import type { Adapter, PackContext, PackResource, ResourceProblem } from "../types";
import { platformResourceKey } from "../platform-resources-config";
import { agentRoles, declarablePlatformFinding, deps, finding, isUnknown, namedAgentRole, readOfType, type Read } from "./shared";
import { ROLE, stackRoles } from "./stack-roles";
import { agentNamespaces as agentNamespacesOf } from "./agent-namespaces";
import type { ShareFinding } from "./aws-principals";

export const EKS_TYPES = {
  eksAccessEntry: "aws:eks/accessEntry:AccessEntry",
  eksAccessPolicyAssociation: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
  eksPodIdentityAssociation: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  configMap: "kubernetes:core/v1:ConfigMap",
  configMapPatch: "kubernetes:core/v1:ConfigMapPatch",
  eksAddon: "aws:eks/addon:Addon",
} as const;

const RULE = "kubernetes/eks-access";

/** The aws-auth ConfigMap in kube-system (a missing or unknown namespace may be the provider's default, kube-system). */
const isAwsAuth = (v: Record<string, unknown>) => {
  const metadata = asRecord(v.metadata);
  return metadata.name === "aws-auth" && (metadata.namespace ?? "kube-system") === "kube-system";
};

/** mapRoles / mapUsers entries, or the problem that makes them unreadable. */
function mappings(text: string | undefined, key: string): unknown[] | Problem | undefined {
  if (text === undefined) return undefined;
  let entries: unknown;
  try {
    entries = text.length > 1024 * 1024 ? undefined : parseYaml(text, { maxAliasCount: 0 });
  } catch {
    entries = undefined;
  }
  if (!Array.isArray(entries))
    return { rule: RULE, message: `aws-auth ${key} is not a readable YAML list`, fix: "write mapRoles as a YAML list of {rolearn, username, groups}" };
  return entries;
}

/** What one aws-auth ConfigMap shows alone. */
function awsAuthProblems(inputs: KnownInputs): Problem[] {
  const v = inputs.value;
  if (!isAwsAuth(v)) return [];
  const r: Read = { resource: { type: "", name: "", urn: "", props: {} }, v, unknown: inputs.unknown };
  const problems: Problem[] = [];
  // mapAccounts maps every role of the listed accounts (agent roles too) to a Kubernetes user.
  const accounts = asRecord(v.data).mapAccounts;
  if ((accounts !== undefined && accounts.trim() !== "" && accounts.trim() !== "[]") || isUnknown(r, "data.mapAccounts"))
    problems.push({
      rule: RULE,
      message: "aws-auth mapAccounts maps every IAM role of the accounts listed (agent roles included) into the cluster",
      fix: "map exact role ARNs with mapRoles instead of whole accounts",
    });
  for (const key of ["mapRoles", "mapUsers"]) {
    if (isUnknown(r, `data.${key}`) || isUnknown(r, "data")) {
      problems.push({
        rule: RULE,
        message: `aws-auth ${key} is unknown at preview, so the roles it maps cannot be read`,
        fix: "write the mapping from known values",
      });
      continue;
    }
    const entries = mappings(asRecord(v.data)[key], key);
    if (entries === undefined) continue;
    if (!Array.isArray(entries)) {
      problems.push(entries);
      continue;
    }
    for (const entry of entries) {
      if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
        problems.push({
          rule: RULE,
          message: `aws-auth ${key} has an entry that is not a mapping`,
          fix: "write mapRoles as a YAML list of {rolearn, username, groups}",
        });
        continue;
      }
      for (const arn of mappedArns(entry))
        if (typeof arn !== "string")
          problems.push({ rule: RULE, message: `aws-auth ${key} has an ARN that is not a string`, fix: "write each rolearn as a string" });
    }
  }
  return problems;
}

/**
 * aws-iam-authenticator reads entries with Go's JSON decoder, which matches keys regardless of case
 * (`RoleARN:` is `rolearn`): every key that is rolearn or userarn in any case counts.
 */
const mappedArns = (entry: object): unknown[] =>
  Object.entries(entry)
    .filter(([field]) => ["rolearn", "userarn"].includes(field.toLowerCase()))
    .map(([, value]) => value);

/** An aws-auth entry's groups, keys matched regardless of case like its ARNs; undefined when not a list of strings. */
function mappedGroups(entry: object): string[] | undefined {
  const values = Object.entries(entry)
    .filter(([field]) => field.toLowerCase() === "groups")
    .map(([, value]) => value);
  const groups: string[] = [];
  for (const value of values) {
    if (!Array.isArray(value) || !value.every((g): g is string => typeof g === "string")) return undefined;
    groups.push(...value);
  }
  return groups;
}

/** How a share finding names an IAM principal ARN (the ARN, and `iam:role/<name>` or `iam:user/<name>`). */
const principalNames = (arn: string) => [
  arn,
  ...(arn.includes(":role/") ? [`iam:role/${roleNameOf(arn)}`] : arn.includes(":user/") ? [`iam:user/${arn.split("/").pop()}`] : []),
];

/**
 * A principal that is not an agent's given Kubernetes access over the whole cluster (a group, a node
 * identity): one undeclared share per agent, covering every namespace the agent runs in.
 */
function clusterShares(ix: Parameters<NonNullable<Adapter["stack"]>>[0], urn: string, principal: string, what: string): ShareFinding[] {
  const byAgent = new Map<string, string[]>();
  for (const [namespace, list] of ix.by.serviceAccountsIn)
    for (const sa of list) if (!(byAgent.get(sa.agent) ?? []).includes(namespace)) byAgent.set(sa.agent, [...(byAgent.get(sa.agent) ?? []), namespace]);
  return [...byAgent].map(([agent, namespaces]) => ({
    rule: "separation/undeclared-share",
    agent,
    identity: null,
    urn,
    message: `${what} gives ${principal}, not an agent identity, Kubernetes access over the whole cluster, where agent ${agent} runs (namespace ${namespaces.join(", ")}); a group's rights or a node's (tokens of the pods on it) reach the agent`,
    fix: "give the principal no Kubernetes groups and no node type; if it must have them (a node role), the security team declares the share in the pack's `shares` configuration (resources k8s:namespace/…)",
    share: { principals: principalNames(principal), resources: namespaces.map((n) => `k8s:namespace/${n}`) },
  }));
}

/** The role fields of a Pod Identity association: the role EKS hands the pods, and the one it then assumes for them (role chaining, any account). */
const POD_IDENTITY_ROLE_FIELDS = ["roleArn", "targetRoleArn"] as const;

/**
 * Closed world, per resource (before creation, at preview and at update): a Pod Identity association
 * lends only a role this deployment registers (run-roles.ts), whatever namespace its ServiceAccount
 * is in. An existing role (the platform's, another account's through targetRoleArn) would reach every
 * pod of that ServiceAccount, which any workload of its namespace may name. A value unknown at
 * preview is left to the stack policy, which admits it only from a role of the stack; at update it
 * is known and judged here, before the association exists.
 */
function podIdentityRoleProblems(resource: PackResource, inputs: KnownInputs, context: PackContext): ResourceProblem[] {
  const run = context.run;
  if (!run) return [];
  return POD_IDENTITY_ROLE_FIELDS.flatMap((field): ResourceProblem[] => {
    const arn = asString(inputs.value[field]);
    if (arn === undefined || run.registered(arn)) return [];
    return [
      {
        rule: RULE,
        platformResource: platformResourceKey(resource.type, resource.name),
        message: `Pod Identity association ${resource.name} lends ${field} ${arn} to ServiceAccount ${asString(inputs.value.namespace) ?? "?"}/${asString(inputs.value.serviceAccount) ?? "?"}, a role this deployment has not registered (one the stack does not create, or one registered after the association): every pod that names the ServiceAccount would act as it`,
        fix: `lend only a role this stack creates, taking ${field} from its \`arn\` output, or have the security team declare the association in the pack's configuration (kubernetesPlatformResources)`,
      },
    ];
  });
}

/** `system:masters` bypasses RBAC altogether: no declaration covers it in a stack with agents. */
const MASTERS = "system:masters";

export const eksAccess: Adapter = {
  family: "eks-access",
  holdings: "none: an agent role holds no Kubernetes access (any that names one is refused)",
  types: [
    {
      type: EKS_TYPES.eksAccessEntry,
      key: "eksAccessEntry",
      route: "maps an IAM principal into the cluster (a node type or groups reach every namespace)",
      checkedBy: [RULE, "separation/undeclared-share"],
    },
    {
      type: EKS_TYPES.eksAccessPolicyAssociation,
      key: "eksAccessPolicyAssociation",
      route: "gives an IAM principal an EKS access policy",
      checkedBy: [RULE, "separation/undeclared-share"],
    },
    {
      type: EKS_TYPES.eksPodIdentityAssociation,
      key: "eksPodIdentityAssociation",
      route: "lets a ServiceAccount use an IAM role through Pod Identity",
      checkedBy: [RULE],
    },
    {
      type: EKS_TYPES.eksAddon,
      key: "eksAddon",
      route: "runs an add-on's pods under an IAM role (serviceAccountRoleArn, podIdentityAssociations)",
      checkedBy: [RULE],
    },
    {
      type: EKS_TYPES.configMap,
      key: "configMap",
      route: "maps IAM roles to Kubernetes users and groups (aws-auth in kube-system)",
      checkedBy: [RULE, "separation/undeclared-share"],
    },
    { type: EKS_TYPES.configMapPatch, key: "configMapPatch", route: "changes aws-auth in kube-system", checkedBy: [RULE, "separation/undeclared-share"] },
  ],
  check: (resource, inputs, context) =>
    resource.type === EKS_TYPES.configMap || resource.type === EKS_TYPES.configMapPatch
      ? awsAuthProblems(inputs)
      : resource.type === EKS_TYPES.eksPodIdentityAssociation
        ? podIdentityRoleProblems(resource, inputs, context)
        : [],
  stack: (ix, pass) => {
    const { findings } = pass;
    const roles = agentRoles(ix);
    const ofType = (...types: string[]) => readOfType(ix, ...types);
    const eksRule = RULE;
    for (const r of ofType(EKS_TYPES.eksAccessEntry, EKS_TYPES.eksAccessPolicyAssociation)) {
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
    const ownRoles = stackRoles(ix);
    for (const r of ofType(EKS_TYPES.eksPodIdentityAssociation)) {
      for (const field of POD_IDENTITY_ROLE_FIELDS) {
        const role = namedAgentRole(roles, r, field, asString(r.v[field]));
        // Unknown at preview and an output of roles the stack creates (none an agent's), for a
        // ServiceAccount outside agents' namespaces: admitted here, because at update the value is
        // known and podIdentityRoleProblems judges it before creation. In an agent namespace (or one
        // unknown) the role must be known to be the identity's own: refused below.
        const lentIn = isUnknown(r, "namespace") ? undefined : asString(r.v.namespace);
        const fromStackRoles = deps(r, field).length > 0 && deps(r, field).every((d) => d.type === ROLE && ownRoles.ownUrns.has(d.urn));
        if (role === "unknown" && fromStackRoles && lentIn !== undefined && !agentNamespacesOf(ix).has(lentIn)) continue;
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
        if (!role) {
          const arn = asString(r.v[field]);
          // Closed world in a stack with agents: the role is one the stack creates (same provider or an
          // output this input depends on, full ARN: stack-roles.ts), else declared.
          if (arn !== undefined && ix.serviceAccounts.length > 0 && !ownRoles.owns(r.resource, field, arn))
            findings.push(
              declarablePlatformFinding(
                r.resource,
                eksRule,
                `Pod Identity association ${r.resource.name} lends ${field} ${arn} to ServiceAccount ${asString(r.v.namespace) ?? "?"}/${asString(r.v.serviceAccount) ?? "?"}, a role this stack does not create: what it may do is unread, and every pod that names the ServiceAccount acts as it`,
                `lend only a role this stack creates (take ${field} from its \`arn\` output)`,
              ),
            );
          // An agent's ServiceAccount given a role that is not its identity's: grants nobody judged with the identity.
          const sa = field === "roleArn" ? ix.by.serviceAccountAt(asString(r.v.namespace), asString(r.v.serviceAccount)) : undefined;
          if (sa)
            findings.push(
              finding(
                sa,
                r.resource.urn,
                eksRule,
                `Pod Identity association ${r.resource.name} lets agent ServiceAccount ${sa.namespace}/${sa.name} (${sa.agent}/${sa.kind}) use ${asString(r.v.roleArn) ?? "a role"}, which is not its identity's role`,
                "an agent identity uses only its own role, through the binding its Agent component sets up",
              ),
            );
          continue;
        }
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
    // An add-on's pods are not the agent's: its roles are never an agent role.
    for (const r of ofType(EKS_TYPES.eksAddon)) {
      const associations = Array.isArray(r.v.podIdentityAssociations) ? r.v.podIdentityAssociations : [];
      const named: Array<[string, string | undefined]> = [
        ["serviceAccountRoleArn", asString(r.v.serviceAccountRoleArn)],
        ...associations.map((a, i): [string, string | undefined] => [`podIdentityAssociations.${i}.roleArn`, asString(asRecord(a).roleArn)]),
      ];
      // An add-on's association runs the add-on's pods as a ServiceAccount of that name: never an agent's.
      for (const [i, a] of associations.entries()) {
        const name = asString(asRecord(a).serviceAccount);
        if (name !== undefined && ix.by.serviceAccountNames.has(name))
          findings.push(
            finding(
              { agent: ix.serviceAccounts.find((sa) => sa.name === name)!.agent, kind: ix.serviceAccounts.find((sa) => sa.name === name)!.kind },
              r.resource.urn,
              RULE,
              `EKS add-on ${r.resource.name} associates ServiceAccount ${name}, an agent's, with ${asString(asRecord(a).roleArn) ?? `podIdentityAssociations.${i}.roleArn`}`,
              "an agent identity uses only its own role; give the add-on a ServiceAccount of its own",
            ),
          );
      }
      for (const [field, arn] of named) {
        const role = namedAgentRole(roles, r, field, arn);
        if (!role) continue;
        findings.push(
          finding(
            role === "unknown" ? { agent: r.resource.name, kind: null } : role,
            r.resource.urn,
            RULE,
            `EKS add-on ${r.resource.name} runs its pods as ${role === "unknown" ? `a role unknown at preview (${field})` : `agent role ${role.name}`}`,
            "an agent role is used only by its own ServiceAccount, through IRSA; give the add-on a role of its own",
          ),
        );
      }
    }
    // An access entry for a principal that is not an agent's: only STANDARD with no groups is closed (its
    // rights come from access policy associations, judged below); a node type or a group reaches every namespace.
    if (ix.by.serviceAccountsIn.size > 0)
      for (const r of ofType(EKS_TYPES.eksAccessEntry)) {
        const arn = asString(r.v.principalArn);
        if (arn === undefined || namedAgentRole(roles, r, "principalArn", arn)) continue; // reported above
        const type = asString(r.v.type) ?? "STANDARD";
        const raw = r.v.kubernetesGroups;
        const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === "string") : [];
        const unread = isUnknown(r, "type") || isUnknown(r, "kubernetesGroups") || (raw !== undefined && (!Array.isArray(raw) || groups.length !== raw.length));
        if (groups.includes(MASTERS))
          for (const agent of new Set(ix.serviceAccounts.map((sa) => sa.agent)))
            findings.push({
              rule: RULE,
              agent,
              identity: null,
              urn: r.resource.urn,
              message: `EKS access entry ${r.resource.name} maps ${arn}, not an agent identity, to system:masters: it bypasses RBAC and holds everything of agent ${agent}`,
              fix: "map no principal to system:masters in a cluster running agents; grant access policies scoped to namespaces no agent runs in",
            });
        else if (unread || type !== "STANDARD" || groups.length > 0)
          findings.push(
            ...clusterShares(
              ix,
              r.resource.urn,
              arn,
              `EKS access entry ${r.resource.name} (${unread ? "type or kubernetesGroups unknown at preview" : [type !== "STANDARD" ? `type ${type}` : "", groups.length ? `groups ${groups.join(", ")}` : ""].filter(Boolean).join(", ")})`,
            ),
          );
      }
    // A principal that is not an agent's given Kubernetes access reaching an agent's namespace.
    const agentNamespaces = ix.by.serviceAccountsIn;
    for (const r of ofType(EKS_TYPES.eksAccessPolicyAssociation)) {
      const role = namedAgentRole(roles, r, "principalArn", asString(r.v.principalArn));
      if (role) continue; // reported above
      const scope = asRecord(r.v.accessScope);
      const namespaces = Array.isArray((r.v.accessScope as { namespaces?: unknown } | undefined)?.namespaces)
        ? ((r.v.accessScope as { namespaces: unknown[] }).namespaces.filter((n) => typeof n === "string") as string[])
        : [];
      const unknownScope = isUnknown(r, "accessScope");
      // EKS reads a scope's namespace names as patterns ("You can use wildcard characters for a namespace
      // name", e.g. `dev-*`: https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html).
      const reached =
        unknownScope || scope.type !== "namespace"
          ? [...agentNamespaces.keys()]
          : [...agentNamespaces.keys()].filter((namespace) => namespaces.some((pattern) => globMatches(pattern, namespace)));
      const byAgent = new Map<string, string[]>();
      for (const namespace of reached)
        for (const sa of agentNamespaces.get(namespace) ?? [])
          if (!(byAgent.get(sa.agent) ?? []).includes(namespace)) byAgent.set(sa.agent, [...(byAgent.get(sa.agent) ?? []), namespace]);
      const principal = asString(r.v.principalArn) ?? "(principal unknown at preview)";
      for (const [agent, list] of byAgent) {
        const share: ShareFinding = {
          rule: "separation/undeclared-share",
          agent,
          identity: null,
          urn: r.resource.urn,
          message: `EKS access policy association ${r.resource.name} gives ${principal}, not an agent identity, ${asString(r.v.policyArn)?.split("/").pop() ?? "an access policy"} on ${unknownScope ? "a scope unknown at preview" : scope.type === "namespace" ? `namespace ${list.join(", ")}` : "the whole cluster"}, where agent ${agent} runs`,
          fix: "scope the access to namespaces no agent runs in; if it must reach an agent's namespace, the security team declares the share in the pack's `shares` configuration",
          share: {
            principals: [principal, ...(principal.includes(":role/") ? [`iam:role/${roleNameOf(principal)}`] : [])],
            resources: list.map((n) => `k8s:namespace/${n}`),
          },
        };
        findings.push(share);
      }
    }
    for (const r of ofType(EKS_TYPES.configMap, EKS_TYPES.configMapPatch)) {
      if (!isAwsAuth(r.v)) continue;
      for (const key of ["mapRoles", "mapUsers"]) {
        if (isUnknown(r, `data.${key}`) || isUnknown(r, "data")) continue; // per resource
        const entries = mappings(asRecord(r.v.data)[key], key);
        if (!Array.isArray(entries)) continue; // per resource
        for (const entry of entries) {
          if (!entry || typeof entry !== "object" || Array.isArray(entry)) continue;
          for (const arn of mappedArns(entry)) {
            const role = typeof arn === "string" ? roles.get(roleNameOf(arn)) : undefined;
            if (!role && typeof arn === "string" && ix.by.serviceAccountsIn.size > 0) {
              // Closed world for everyone else: no group (node groups included) unless declared as a share; never system:masters.
              const groups = mappedGroups(entry);
              if (groups?.includes(MASTERS))
                for (const agent of new Set(ix.serviceAccounts.map((sa) => sa.agent)))
                  findings.push({
                    rule: RULE,
                    agent,
                    identity: null,
                    urn: r.resource.urn,
                    message: `aws-auth maps ${arn}, not an agent identity, to system:masters: it bypasses RBAC and holds everything of agent ${agent} (its ServiceAccounts' tokens, its namespace's Secrets)`,
                    fix: "map no principal to system:masters in a cluster running agents; give it a group bound by RBAC outside agents' namespaces",
                  });
              else if (groups === undefined || groups.length > 0)
                findings.push(
                  ...clusterShares(
                    ix,
                    r.resource.urn,
                    arn,
                    `aws-auth ${key} entry mapping to ${groups === undefined ? "groups the pack cannot read" : groups.join(", ")}`,
                  ),
                );
            }
            if (role)
              findings.push(
                finding(
                  role,
                  r.resource.urn,
                  RULE,
                  `aws-auth maps agent role ${role.name} into the cluster`,
                  "agent roles get no Kubernetes access; remove the mapping",
                ),
              );
          }
        }
      }
    }
  },
};
