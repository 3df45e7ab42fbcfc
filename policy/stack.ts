/**
 * Cross-resource checks of the policy pack. Agent identities are recognised by what the components
 * put on them (ServiceAccount labels, role tags, Vault alias metadata); everything attached or bound
 * to them (inline policies, Vault policies, RBAC) is joined by name and checked with the same
 * functions the plan rules use.
 */
import { asList, type PolicyDocument } from "../components/core/iam-document";
import type { IdentityKind } from "../components/core/names";
import { OWNS_ANNOTATION, VAULT_AUTH_ANNOTATION } from "../components/core/compile";
import { globMatches } from "../components/core/patterns";
import { TOKEN_SELF_PATHS } from "../components/core/vault-policy";
import type { Problem } from "../components/rules/define";
import { checkAgentRoleTargets } from "../components/rules/iam";
import { checkRbacRules, rbacCreatesPods, type RbacRule } from "../components/rules/kubernetes";
import { checkRoleLimits } from "../components/rules/limits";
import { checkCrossAgentGrants, checkIdentitySeparation, type AgentGrantSet, type AgentOwnership } from "../components/rules/separation";
import { checkTrustPolicy, trustedSubjects } from "../components/rules/trust";
import { checkVaultRole } from "../components/rules/vault";
import { IDENTITY_KINDS } from "../components/core/names";
import { asString } from "./inputs";
import { TYPES, isAgentOrFederatedRole, type PackFinding, type PackResource } from "./resources";
import { inListOrder, indexStack, type StackIndex } from "./stack-index";
import { checkAgentNamespaces, checkAgentRoleGrants } from "./context-stack";
import { checkRoutes } from "./routes";
import { checkToolRoles, isToolSessionOf } from "./tool-roles";
import { checkPlatformStack } from "./checks/platform-stack";
import { checkToolSessionCopies, checkVaultPathReach } from "./checks/vault-path-reach";
import { checkGuardEdit } from "./checks/rbac-guard-edit";
import { isToolRoleTags } from "../components/rules/tool-session-checks";

interface Identity {
  readonly agent: string;
  readonly kind: IdentityKind;
}

/** Built-in ClusterRoles an agent might be bound to; their rules as Kubernetes defines them (abridged to what the rules read). */
const BUILTIN_CLUSTER_ROLES: Record<string, RbacRule[]> = {
  "cluster-admin": [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
  admin: [{ apiGroups: [""], resources: ["pods", "pods/exec", "secrets", "serviceaccounts/token"], verbs: ["create", "get", "list", "delete"] }],
  edit: [{ apiGroups: [""], resources: ["pods", "pods/exec", "secrets"], verbs: ["create", "get", "list", "delete"] }],
  view: [{ apiGroups: [""], resources: ["pods", "configmaps", "services"], verbs: ["get", "list", "watch"] }],
};

const SELF_PATHS = new Set(TOKEN_SELF_PATHS.map((rule) => rule.path));
const key = (namespace: string, name: string) => `${namespace}/${name}`;
const isKind = (value: string | undefined): value is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(value ?? "");

/**
 * The agent ServiceAccounts a binding's subjects reach: a ServiceAccount by name, the User
 * `system:serviceaccount:<ns>:<name>` that is its username, and the Groups every ServiceAccount is
 * in (`system:serviceaccounts`, `system:serviceaccounts:<ns>`, `system:authenticated`).
 * Non-agent ServiceAccount subjects are kept (sa undefined) for the shared-namespace rule.
 */
function bindingSubjects(binding: StackIndex["bindings"][number], ix: StackIndex) {
  const out: Array<{ subject: Record<string, string>; namespace: string; sa: StackIndex["serviceAccounts"][number] | undefined }> = [];
  for (const subject of binding.subjects) {
    const name = subject.name ?? "";
    if (subject.kind === "ServiceAccount") {
      const namespace = subject.namespace ?? binding.namespace;
      out.push({ subject, namespace, sa: ix.by.serviceAccountAt(namespace, name) });
    } else if (subject.kind === "User" && name.startsWith("system:serviceaccount:")) {
      const [namespace, saName] = name.slice("system:serviceaccount:".length).split(":");
      out.push({ subject: { ...subject, name: saName ?? "" }, namespace, sa: ix.by.serviceAccountAt(namespace, saName) });
    } else if (
      subject.kind === "Group" &&
      (name === "system:serviceaccounts" || name === "system:authenticated" || name.startsWith("system:serviceaccounts:"))
    ) {
      const namespace = name.startsWith("system:serviceaccounts:") ? name.slice("system:serviceaccounts:".length) : undefined;
      for (const sa of namespace === undefined ? ix.serviceAccounts : (ix.by.serviceAccountsIn.get(namespace) ?? []))
        out.push({ subject: { kind: "ServiceAccount", name: sa.name }, namespace: sa.namespace, sa });
    }
  }
  return out;
}

function attributeTo(identity: Identity | { agent: string; kind: null }, urn: string, problems: readonly Problem[]): PackFinding[] {
  return problems.map((problem) => ({ ...problem, agent: identity.agent, identity: identity.kind, urn }));
}

const only = (rules: string[], problems: Problem[]) => problems.filter((problem) => rules.includes(problem.rule));

/**
 * Everything one agent identity holds in this stack, joined across resources through the index's
 * lookups (each in list order, as filtering the lists gave).
 */
function identityHoldings(ix: StackIndex, identity: Identity, extraPolicies: ReadonlyMap<string, readonly PolicyDocument[]>) {
  const roles = ix.by.rolesOf(identity.agent, identity.kind);
  const roleNames = new Set(roles.flatMap((r) => (r.name ? [r.name.toLowerCase()] : [])));
  const inline = roles.flatMap((r) => r.inlineDocuments().map((entry) => entry.document));
  const attached = [
    ...inListOrder([...roleNames].map((name) => ix.by.rolePoliciesOn.get(name))).flatMap((p) => (p.document ? [p.document] : [])),
    // Customer-managed policies attached to the role and resource policies naming it (routes.ts).
    ...roles.flatMap((r) => extraPolicies.get(r.name?.toLowerCase() ?? "") ?? []),
  ];
  const authRoles = ix.by.authRolesOf(identity.agent, identity.kind);
  const policyNames = new Set(authRoles.flatMap((r) => r.policies));
  const vaultPaths = inListOrder([...policyNames].map((name) => ix.by.vaultPoliciesNamed.get(name))).flatMap((p) => p.paths.map((path) => path.path));
  const secretRoles = inListOrder([...new Set(vaultPaths)].map((path) => ix.by.secretRolesAt.get(path)));
  return { roles, policies: [...inline, ...attached], authRoles, vaultPaths, secretRoles };
}

export function checkStack(resources: readonly PackResource[]): PackFinding[] {
  const ix = indexStack(resources);
  const routes = checkRoutes(ix);
  const findings: PackFinding[] = [...routes.findings];
  const saByKey = new Map(ix.serviceAccounts.map((sa) => [key(sa.namespace, sa.name), sa]));
  const agents = [...new Set(ix.serviceAccounts.map((sa) => sa.agent))].sort();
  const hasServiceAccount = (agent: string, kind: IdentityKind) => ix.by.serviceAccountsOf(agent, kind).length > 0;
  /** The first agent ServiceAccount of an identity (every identity in `identities` has one). */
  const serviceAccountOf = (agent: string, kind: IdentityKind | null) => ix.by.serviceAccountsOf(agent, kind)[0];
  const identities: Identity[] = agents.flatMap((agent) => IDENTITY_KINDS.filter((kind) => hasServiceAccount(agent, kind)).map((kind) => ({ agent, kind })));
  const agentRoles = ix.roles.filter((r) => r.tags.agent && r.name);
  // Also every role named under a fleet's `<prefix>-<env>-` (agents of other plans, in any path), as `plan` does.
  const fleetPrefixes = new Set(
    agentRoles.flatMap((r) =>
      r.name!.toLowerCase().endsWith(`-${r.tags.agent}-${r.tags.identity}`.toLowerCase())
        ? [r.name!.slice(0, -`-${r.tags.agent}-${r.tags.identity}`.length)]
        : [],
    ),
  );
  const agentRolePatterns = [
    ...agentRoles.map((r) => `arn:*:iam::*:role/${r.name}`),
    ...[...fleetPrefixes].flatMap((prefix) => [`arn:*:iam::*:role/${prefix}-*`, `arn:*:iam::*:role/*/${prefix}-*`]),
  ];
  const auditGroups = ix.logGroups.map((g) => g.pattern);
  const auditNamespace = auditNamespaceOf(ix);

  // Every agent has three identities; no ServiceAccount, role or Vault role is shared.
  for (const agent of agents) {
    const kinds = IDENTITY_KINDS.filter((kind) => hasServiceAccount(agent, kind));
    if (kinds.length !== IDENTITY_KINDS.length) {
      const urn = ix.by.serviceAccountsOfAgent.get(agent)![0].resource.urn;
      findings.push({
        rule: "stack/three-identities",
        agent,
        identity: null,
        urn,
        message: `has ServiceAccounts for [${kinds.join(", ")}] only`,
        fix: "create the agent with the Agent component so it gets orchestration, execution and audit",
      });
    }
  }
  const shared = (what: string, urn: string, identity: Identity, other: string) =>
    findings.push({
      rule: "stack/no-shared-identity",
      agent: identity.agent,
      identity: identity.kind,
      urn,
      message: `${what} is shared with ${other}`,
      fix: "give every identity its own ServiceAccount, IAM role and Vault role",
    });
  for (const sa of ix.serviceAccounts) {
    // The same namespace/name in several clusters (one copy per cluster provider) is one identity, not two.
    const twins = ix.by.serviceAccountsOf(sa.agent, sa.kind).filter((o) => o !== sa && key(o.namespace, o.name) !== key(sa.namespace, sa.name));
    if (twins.length) shared(`identity ${sa.agent}/${sa.kind}`, sa.resource.urn, sa, twins.map((t) => key(t.namespace, t.name)).join(", "));
  }
  for (const role of ix.roles) {
    if (!role.trust) continue;
    const own = role.tags.agent && isKind(role.tags.identity) ? { agent: role.tags.agent, kind: role.tags.identity } : undefined;
    for (const subject of trustedSubjects(role.trust)) {
      const sa = saByKey.get(subject);
      if (sa && (!own || own.agent !== sa.agent || own.kind !== sa.kind))
        shared(`ServiceAccount ${subject}`, role.resource.urn, sa, `IAM role ${role.name ?? role.resource.name}`);
    }
    // A tool role trusts Vault's AWS engine, not a ServiceAccount (trust/tool-role-vault-only).
    if (own && !isToolRoleTags(role.tags)) {
      const sa = serviceAccountOf(own.agent, own.kind);
      const expected = sa ? { namespace: sa.namespace, serviceAccount: sa.name } : undefined;
      const problems = expected
        ? only(["trust/own-service-account"], checkTrustPolicy(role.trust, expected))
        : isAgentOrFederatedRole(role.tags, role.trust)
          ? [
              {
                rule: "trust/own-service-account",
                message: `trusts ${trustedSubjects(role.trust).join(", ") || "no ServiceAccount"}, and no agent ServiceAccount is labelled ${own.agent}/${own.kind}`,
                fix: "trust only the identity's own ServiceAccount, created by the Agent component",
              },
            ]
          : [];
      findings.push(...attributeTo(own, role.resource.urn, problems));
    }
  }
  for (const authRole of ix.authRoles) {
    const own = authRole.meta.agent && isKind(authRole.meta.identity) ? { agent: authRole.meta.agent, kind: authRole.meta.identity } : undefined;
    for (const namespace of authRole.namespaces) {
      for (const name of authRole.names) {
        const sa = saByKey.get(key(namespace, name));
        if (sa && (!own || own.agent !== sa.agent || own.kind !== sa.kind))
          shared(`ServiceAccount ${key(namespace, name)}`, authRole.resource.urn, sa, `Vault role ${asString(authRole.v.roleName) ?? authRole.resource.name}`);
      }
    }
    if (own) {
      const sa = serviceAccountOf(own.agent, own.kind);
      const problems = only(
        ["vault/bound-own-service-account"],
        checkVaultRole(
          { boundServiceAccountNames: authRole.names, boundServiceAccountNamespaces: authRole.namespaces },
          { namespace: sa?.namespace ?? "(none)", serviceAccount: sa?.name ?? "(no agent ServiceAccount)" },
        ),
      );
      findings.push(...attributeTo(own, authRole.resource.urn, problems));
    }
  }

  // One Kubernetes-auth role per identity across every backend (a copy on another cluster's mount, or
  // `ops-<agent>-<kind>` bound to its ServiceAccount, is a second way in); its policies are all read.
  const definedPolicies = new Set(ix.vaultPolicies.flatMap((p) => (p.name ? [p.name] : [])));
  for (const identity of identities) {
    const own = ix.by.authRolesOf(identity.agent, identity.kind);
    const where = (r: (typeof own)[number]) => `auth/${asString(r.v.backend) ?? "kubernetes"}/role/${asString(r.v.roleName) ?? r.resource.name}`;
    // Several clusters: one role per auth mount the components list on the ServiceAccount, and no other.
    const sa = serviceAccountOf(identity.agent, identity.kind);
    const mounts = (asString(sa?.annotations[VAULT_AUTH_ANNOTATION]) ?? "").split(",").filter(Boolean);
    const backendOf = (r: (typeof own)[number]) => asString(r.v.backend) ?? "kubernetes";
    const perMount = mounts.length > 1 && own.every((r) => mounts.includes(backendOf(r))) && new Set(own.map(backendOf)).size === own.length;
    if (own.length > 1 && !perMount) {
      for (const r of own) {
        findings.push({
          rule: "stack/no-shared-identity",
          agent: identity.agent,
          identity: identity.kind,
          urn: r.resource.urn,
          message: `has ${own.length} Vault Kubernetes-auth roles (${own.map(where).join(", ")})`,
          fix: "keep exactly one Vault Kubernetes-auth role per identity, the one its Agent component creates",
        });
      }
    }
    for (const r of own) {
      if (r.policies.length !== 1) {
        findings.push({
          rule: "vault/bound-own-service-account",
          agent: identity.agent,
          identity: identity.kind,
          urn: r.resource.urn,
          message: `Vault role ${where(r)} carries policies [${r.policies.join(", ")}]`,
          fix: "an identity's Vault role carries exactly one policy, the identity's own",
        });
      }
      const undefinedPolicies = r.policies.filter((p) => !definedPolicies.has(p));
      if (undefinedPolicies.length) {
        findings.push({
          rule: "stack/unknown-input",
          agent: identity.agent,
          identity: identity.kind,
          urn: r.resource.urn,
          message: `Vault role ${where(r)} carries policies [${undefinedPolicies.join(", ")}] not defined in this stack, so what they grant cannot be checked`,
          fix: "carry only the identity's own vault.Policy, defined in the same stack",
        });
      }
    }
  }

  // What each identity holds: separation of duties, assuming agent roles, per-role size.
  const grantSets: AgentGrantSet[] = [];
  for (const identity of identities) {
    const held = identityHoldings(ix, identity, routes.extraPolicies);
    const urn = held.roles[0]?.resource.urn ?? serviceAccountOf(identity.agent, identity.kind)!.resource.urn;
    const ownGroup = ix.by.logGroupsOf.get(identity.agent)?.[0]?.pattern;
    const separation = checkIdentitySeparation({
      kind: identity.kind,
      policies: held.policies,
      vaultPaths: held.vaultPaths,
      secretRoles: held.secretRoles.length,
      ownLogGroupArn: undefined,
      auditLogGroupArns: auditGroups,
      auditNamespace,
    });
    // The audit sink's exact ARN is an output; the pattern stands in for it.
    const auditScope: Problem[] =
      identity.kind === "audit" && ownGroup
        ? held.policies
            .flatMap((doc) => doc.Statement.filter((s) => s.Effect === "Allow"))
            .flatMap((s) => asList(s.Resource))
            .filter((r) => !globMatches(`${ownGroup}:log-stream:*`, r))
            .map((r) => ({
              rule: "separation/audit-write-only",
              message: `audit may write to ${r}, outside its own log group`,
              fix: "the audit identity only writes its own log group",
            }))
        : [];
    findings.push(...attributeTo(identity, urn, [...separation, ...auditScope]));
    for (const doc of held.policies) findings.push(...attributeTo(identity, urn, checkAgentRoleTargets(doc, agentRolePatterns)));
    for (const role of held.roles) {
      const attachedHere = (role.name === undefined ? [] : (ix.by.rolePoliciesOn.get(role.name.toLowerCase()) ?? [])).flatMap((p) =>
        p.document ? [p.document] : [],
      );
      const inlineHere: PolicyDocument[] = role.inlineDocuments().map((entry) => entry.document);
      findings.push(
        ...attributeTo(identity, role.resource.urn, only(["limits/inline-policy-size"], checkRoleLimits({ inlinePolicies: [...inlineHere, ...attachedHere] }))),
      );
    }
    const iam =
      identity.kind === "orchestration"
        ? []
        : held.policies
            .flatMap((doc) => doc.Statement.filter((s) => s.Effect === "Allow"))
            .flatMap((s) => asList(s.Resource))
            .filter((r) => r !== "*");
    grantSets.push({
      agent: identity.agent,
      identity: identity.kind,
      grants: [
        ...iam,
        ...held.vaultPaths.filter((p) => !SELF_PATHS.has(p)).map((p) => ix.by.secretRolesAt.get(p)?.[0]?.path ?? p),
        ...held.secretRoles.flatMap((s) => s.roleArns),
      ],
    });
  }
  const kvRoot = kvRootOf(ix, agents);
  const ownership: AgentOwnership[] = agents.map((agent) => ({
    agent,
    owned: [
      // Every agent's KV subtree is its own, whether or not it reads from it yet.
      ...(kvRoot ? [`${kvRoot}${agent}/*`] : []),
      ...(ix.by.rolesOfAgent.get(agent) ?? []).filter((r) => r.name).map((r) => `arn:*:iam::*:role/${r.name}`),
      ...(ix.by.logGroupsOf.get(agent) ?? []).flatMap((g) => [g.pattern, `${g.pattern}:*`]),
      ...ownsOf(ix, agent),
    ],
  }));
  for (const finding of checkCrossAgentGrants(grantSets, ownership)) {
    const urn = serviceAccountOf(finding.agent, finding.identity)!.resource.urn;
    findings.push({ ...finding, urn });
  }

  findings.push(...checkDuplicateVaultPaths(ix));

  // Vault AWS secret roles assuming an agent identity's role make one agent act as another.
  const agentRoleNames = new Set(ix.roles.filter((r) => r.tags.agent && r.name).map((r) => r.name!.toLowerCase()));
  // A tool session on its agent's own tool role is judged by vault/tool-session-tags instead.
  for (const secretRole of ix.secretRoles.filter((s) => s.resource.type === TYPES.vaultAwsRole && !isToolSessionOf(ix, s))) {
    // IAM role names are unique regardless of case; the path before the name does not change the role.
    const hits = secretRole.roleArns.filter((arn) => agentRoleNames.has((/:role\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1] ?? "").toLowerCase()));
    const problems = hits.map((arn) => ({
      rule: "vault/secret-role-arns",
      message: `AWS secret role assumes agent identity role ${arn}`,
      fix: "an agent never acts as another agent identity; name a role of the target system",
    }));
    findings.push(...attributeTo({ agent: asString(secretRole.v.name) ?? secretRole.resource.name, kind: null }, secretRole.resource.urn, problems));
  }

  // Context: agent roles' grants bound to region and account; high-risk agents alone in their namespace.
  findings.push(...checkAgentRoleGrants(ix), ...checkAgentNamespaces(ix));
  findings.push(...checkToolRoles(ix, routes.extraPolicies));
  findings.push(...checkPlatformStack(ix), ...checkVaultPathReach(ix), ...checkToolSessionCopies(ix));

  // RBAC bound to agent ServiceAccounts, and pod creation in shared namespaces.
  const agentsByNamespace = new Map<string, Set<string>>();
  for (const sa of ix.serviceAccounts) agentsByNamespace.set(sa.namespace, (agentsByNamespace.get(sa.namespace) ?? new Set()).add(sa.agent));
  for (const binding of ix.bindings) {
    const cluster = binding.resource.type === TYPES.clusterRoleBinding || binding.resource.type === TYPES.clusterRoleBindingPatch;
    const refName = binding.roleRef.name ?? "";
    const toCluster = binding.roleRef.kind === "ClusterRole";
    const defined = (ix.by.rbacRolesNamed.get(refName) ?? []).filter((r) => (toCluster ? r.cluster : !r.cluster && r.namespace === binding.namespace));
    // ClusterRoles labelled aggregate-to-<name> add their rules to that ClusterRole (admin, edit, view...).
    const aggregated = toCluster ? (ix.by.clusterRolesAggregatingTo.get(refName) ?? []).flatMap((r) => r.rules) : [];
    const base = defined.length ? defined.flatMap((r) => r.rules) : toCluster ? BUILTIN_CLUSTER_ROLES[refName] : undefined;
    const rules = base ? [...base, ...aggregated] : undefined;
    if (!cluster && !binding.namespaceKnown) {
      // The binding's namespace decides where its rules apply and, for a subject without one, which
      // ServiceAccount it names: an agent ServiceAccount's name there fails closed.
      const agentNames = ix.by.serviceAccountNames;
      const named = binding.subjects.filter(
        (s) =>
          (s.kind === "ServiceAccount" && agentNames.has(s.name ?? "")) || (s.kind === "User" && s.name !== undefined && ix.by.serviceAccountUsers.has(s.name)),
      );
      if (named.length) {
        findings.push({
          rule: "stack/unknown-input",
          agent: binding.resource.name,
          identity: null,
          urn: binding.resource.urn,
          message: `${binding.resource.type} ${binding.resource.name} binds ${named.map((s) => s.name).join(", ")} (an agent ServiceAccount's name) and its metadata.namespace is missing or unknown at preview, so where it applies cannot be checked`,
          fix: "set metadata.namespace explicitly, with a known value",
        });
      }
    }
    for (const { subject, namespace, sa } of bindingSubjects(binding, ix)) {
      const target = sa ? { agent: sa.agent, kind: sa.kind } : undefined;
      if (target && !cluster && binding.namespaceKnown && binding.namespace === "kube-system") {
        // kube-system holds aws-auth and the control plane's ServiceAccounts: any grant there can escalate.
        findings.push(
          ...attributeTo(target, binding.resource.urn, [
            {
              rule: "kubernetes/rbac-escalation",
              message: `RoleBinding ${binding.resource.name} gives ServiceAccount ${key(namespace, subject.name ?? "")} rights in kube-system (${binding.roleRef.kind ?? "role"} ${refName})`,
              fix: "bind nothing to an agent in kube-system; aws-auth and the cluster's own ServiceAccounts live there",
            },
          ]),
        );
      }
      if (target && cluster) {
        findings.push(
          ...attributeTo(target, binding.resource.urn, [
            {
              rule: "kubernetes/cluster-role-binding",
              message: `ClusterRoleBinding ${binding.resource.name} binds ${refName} cluster-wide`,
              fix: "bind agents, if at all, with a RoleBinding in their own namespace",
            },
          ]),
        );
      }
      if (target && !rules) {
        findings.push(
          ...attributeTo(target, binding.resource.urn, [
            {
              rule: "stack/unknown-input",
              message: `is bound to ${binding.roleRef.kind ?? "role"} ${refName}, which is not defined in this stack, so its rules cannot be checked`,
              fix: "define the Role in the same stack, or do not bind it to an agent",
            },
          ]),
        );
      }
      if (target && rules) findings.push(...attributeTo(target, binding.resource.urn, checkRbacRules(rules)));
      if (target && rules)
        findings.push(
          ...attributeTo(
            target,
            binding.resource.urn,
            checkGuardEdit(key(namespace, subject.name ?? ""), `${binding.roleRef.kind ?? "Role"} ${refName}`, rules),
          ),
        );
      const sharedNamespace = (agentsByNamespace.get(namespace)?.size ?? 0) > 1;
      if (sharedNamespace && rules && rbacCreatesPods(rules)) {
        const who = target ?? { agent: subject.name ?? binding.resource.name, kind: null };
        findings.push(
          ...attributeTo(who, binding.resource.urn, [
            {
              rule: "kubernetes/shared-namespace-pod-create",
              message: `ServiceAccount ${key(namespace, subject.name ?? "")} can create pods in ${namespace}, shared by agents ${[...agentsByNamespace.get(namespace)!].join(", ")}`,
              fix: "give each agent its own namespace (namespacePerAgent: true), or remove pod creation",
            },
          ]),
        );
      }
    }
  }
  return findings;
}

/**
 * Where agents' KV subtrees live: the components write `<kvMount>/data/agents/<env>/<agent>/<path>`,
 * so one agent's own KV path in a Vault policy bound to it gives the root of every agent's subtree.
 */
function kvRootOf(ix: StackIndex, agents: readonly string[]): string | undefined {
  const names = new Set(agents);
  for (const authRole of ix.authRoles) {
    const agent = authRole.meta.agent;
    if (!agent || !names.has(agent)) continue;
    for (const policy of inListOrder([...new Set(authRole.policies)].map((name) => ix.by.vaultPoliciesNamed.get(name)))) {
      for (const { path } of policy.paths) {
        const at = path.indexOf(`/${agent}/`);
        const root = at < 0 ? "" : path.slice(0, at + 1);
        if (/^[^*?]+\/data\/agents\/[^/*?]+\/$/.test(root)) return root;
      }
    }
  }
  return undefined;
}

/** What each agent declared it owns, from the annotation the components write on its ServiceAccounts. */
function ownsOf(ix: StackIndex, agent: string): string[] {
  const owned = new Set<string>();
  for (const sa of ix.by.serviceAccountsOfAgent.get(agent) ?? []) {
    const text = sa.annotations[OWNS_ANNOTATION];
    if (text === undefined) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed)) for (const entry of parsed) if (typeof entry === "string") owned.add(entry);
  }
  return [...owned];
}

/**
 * Every audit log group, present or future: the components name them `/<prefix>/<env>/agents/<agent>/audit`,
 * so one agent's group tagged with its agent gives the namespace every other agent's will be in.
 */
function auditNamespaceOf(ix: StackIndex): string | undefined {
  for (const group of ix.logGroups) {
    const suffix = `/agents/${group.agent}/audit`;
    if (group.name.endsWith(suffix)) return `arn:*:logs:*:*:log-group:${group.name.slice(0, -suffix.length)}/agents/*`;
  }
  return undefined;
}

/** Two Vault resources on one path would overwrite each other: `vault/unique-path`, on each of them. */
function checkDuplicateVaultPaths(ix: StackIndex): PackFinding[] {
  const trim = (path: string | undefined) => (path ?? "").replace(/^\/+|\/+$/g, "");
  const objects = [
    ...ix.vaultPolicies.map((r) => ({ r, path: `sys/policy/${r.name ?? ""}`, agent: r.resource.name })),
    ...ix.authRoles.map((r) => ({
      r,
      path: `auth/${trim(asString(r.v.backend))}/role/${asString(r.v.roleName) ?? ""}`,
      agent: r.meta.agent ?? r.resource.name,
    })),
    ...ix.secretRoles.map((r) => ({ r, path: `${trim(asString(r.v.backend))}/roles/${asString(r.v.name) ?? ""}`, agent: r.resource.name })),
  ];
  // Grouped by type and path once (not every object against every other).
  const groups = new Map<string, Map<string, typeof objects>>();
  for (const object of objects) {
    const byPath = groups.get(object.r.resource.type) ?? groups.set(object.r.resource.type, new Map()).get(object.r.resource.type)!;
    const group = byPath.get(object.path);
    if (group) group.push(object);
    else byPath.set(object.path, [object]);
  }
  const findings: PackFinding[] = [];
  for (const object of objects) {
    const twins = groups
      .get(object.r.resource.type)!
      .get(object.path)!
      .filter((o) => o !== object);
    if (twins.length === 0) continue;
    findings.push({
      rule: "vault/unique-path",
      agent: object.agent,
      identity: null,
      urn: object.r.resource.urn,
      message: `writes Vault path "${object.path}", as ${twins.map((t) => t.r.resource.name).join(", ")} does`,
      fix: "give every Vault role, policy and secret role a name of its own (the components' names never coincide)",
    });
  }
  return findings;
}
