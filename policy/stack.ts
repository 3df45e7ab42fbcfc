/**
 * The stack pass: the stack's resources are read once into an index (stack-index.ts), every
 * adapter's stack check runs in order (policy/adapters), and then what each agent identity holds
 * is judged with the plan's separation rules.
 */
import { asList, type PolicyDocument } from "../components/core/iam-document";
import type { IdentityKind } from "../components/core/names";
import { IDENTITY_KINDS } from "../components/core/names";
import { OWNS_ANNOTATION } from "../components/core/compile";
import { globMatches } from "../components/core/patterns";
import { TOKEN_SELF_PATHS } from "../components/core/vault-policy";
import type { Problem } from "../components/rules/define";
import { checkAgentRoleTargets } from "../components/rules/iam";
import { checkRoleLimits } from "../components/rules/limits";
import { checkCrossAgentGrants, checkIdentitySeparation, type AgentGrantSet, type AgentOwnership } from "../components/rules/separation";
import { ADAPTERS } from "./adapters";
import { attributeTo, only } from "./adapters/shared";
import { inListOrder, indexStack, type StackIndex } from "./stack-index";
import type { PackFinding, PackResource, StackPass } from "./types";

interface Identity {
  readonly agent: string;
  readonly kind: IdentityKind;
}

const SELF_PATHS = new Set(TOKEN_SELF_PATHS.map((rule) => rule.path));

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
  const pass: StackPass = { findings: [], extraPolicies: new Map() };
  for (const adapter of ADAPTERS) adapter.stack?.(ix, pass);
  return [...pass.findings, ...checkHoldings(ix, pass.extraPolicies)];
}

/** What each identity holds: separation of duties, assuming agent roles, per-role size, and no grant reaching another agent. */
function checkHoldings(ix: StackIndex, extraPolicies: ReadonlyMap<string, readonly PolicyDocument[]>): PackFinding[] {
  const findings: PackFinding[] = [];
  const agents = [...ix.by.serviceAccountsOfAgent.keys()].sort();
  const serviceAccountOf = (agent: string, kind: IdentityKind | null) => ix.by.serviceAccountsOf(agent, kind)[0];
  const identities: Identity[] = agents.flatMap((agent) => IDENTITY_KINDS.filter((kind) => serviceAccountOf(agent, kind)).map((kind) => ({ agent, kind })));
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
  // What each identity holds: separation of duties, assuming agent roles, per-role size.
  const grantSets: AgentGrantSet[] = [];
  for (const identity of identities) {
    const held = identityHoldings(ix, identity, extraPolicies);
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
