/**
 * Context rules that need more than one resource: an agent role's permission policies may be
 * separate `RolePolicy` resources (joined by role name) and a namespace is shared only in
 * relation to other agents' ServiceAccounts. Same check functions as the plan rules.
 */
import type { PolicyDocument } from "../components/core/iam-document";
import { asList } from "../components/core/iam-document";
import { IDENTITY_KINDS, type IdentityKind } from "../components/core/names";
import { arnAccount, checkAccountBinding, checkOwnNamespace, checkRegionBinding } from "../components/rules/context";
import { LABEL_PREFIX } from "../components/core/compile";
import { tierOf } from "./agent-metadata-checks";
import type { PackFinding } from "./types";
import type { StackIndex } from "./stack-index";

const isKind = (value: string | undefined): value is IdentityKind => (IDENTITY_KINDS as readonly string[]).includes(value ?? "");

interface NamedDocument {
  readonly name: string;
  readonly urn: string;
  readonly document: PolicyDocument;
}

type IndexedRole = StackIndex["roles"][number];

/** Inline policies on the role itself and `RolePolicy` resources naming it. Unreadable ones are reported per resource. */
function rolePolicies(ix: StackIndex, role: IndexedRole): NamedDocument[] {
  // Inline documents are parsed once by the index; RolePolicy resources are looked up by role name.
  const inline = role.inlineDocuments().map(({ entryName, index, document }) => ({
    name: typeof entryName === "string" ? entryName : `inline policy #${index + 1}`,
    urn: role.resource.urn,
    document,
  }));
  const attached = (role.name ? (ix.by.rolePoliciesOn.get(role.name.toLowerCase()) ?? []) : [])
    .filter((p) => p.document)
    .map((p) => ({ name: typeof p.v.name === "string" ? p.v.name : p.resource.name, urn: p.resource.urn, document: p.document! }));
  return [...inline, ...attached];
}

/**
 * The role's own account. An IRSA role can only federate an OIDC provider of its own account, so
 * the trusted provider says it; otherwise the role ARN its ServiceAccount is annotated with.
 */
function roleAccount(ix: StackIndex, role: IndexedRole): string | undefined {
  const federated = (role.trust?.Statement ?? []).flatMap((s) => (s.Principal && s.Principal !== "*" ? asList(s.Principal.Federated) : []));
  const fromTrust = federated.map(arnAccount).find((account) => /^\d{12}$/.test(account));
  if (fromTrust) return fromTrust;
  const sa = ix.by.serviceAccountsOf(role.tags.agent, role.tags.identity)[0];
  const annotated = arnAccount(sa?.annotations["eks.amazonaws.com/role-arn"] ?? "");
  return /^\d{12}$/.test(annotated) ? annotated : undefined;
}

/** Every Allow of an agent role's permission policies is region-bound and in the role's own account. */
export function checkAgentRoleGrants(ix: StackIndex): PackFinding[] {
  const findings: PackFinding[] = [];
  for (const role of ix.roles.filter((r) => r.tags.agent)) {
    const owner = { agent: role.tags.agent, identity: isKind(role.tags.identity) ? role.tags.identity : null };
    const account = roleAccount(ix, role);
    for (const policy of rolePolicies(ix, role)) {
      const problems = [...checkRegionBinding(policy.document, policy.name), ...(account ? checkAccountBinding(policy.document, account) : [])];
      findings.push(...problems.map((problem) => ({ ...problem, ...owner, urn: policy.urn })));
    }
  }
  return findings;
}

/** A tier that needs its own namespace may not share it with another agent's ServiceAccounts. */
export function checkAgentNamespaces(ix: StackIndex): PackFinding[] {
  const findings: PackFinding[] = [];
  const reported = new Set<string>();
  for (const sa of ix.serviceAccounts) {
    const tierName = sa.labels[`${LABEL_PREFIX}/tier`];
    const tier = tierOf(tierName);
    if (!tier || reported.has(`${sa.agent}\u0000${sa.namespace}`)) continue;
    const others = new Set((ix.by.serviceAccountsIn.get(sa.namespace) ?? []).filter((o) => o.agent !== sa.agent).map((o) => o.agent));
    // Its own: created in this stack for this agent (as the Agent component does), and no one else's ServiceAccounts in it.
    const created = (ix.by.namespacesNamed.get(sa.namespace) ?? []).some((n) => n.labels[`${LABEL_PREFIX}/agent`] === sa.agent);
    const problems = checkOwnNamespace({ tier: tierName, namespace: sa.namespace, ownNamespace: created && others.size === 0 }, tier);
    if (problems.length) reported.add(`${sa.agent}\u0000${sa.namespace}`);
    findings.push(...problems.map((problem) => ({ ...problem, agent: sa.agent, identity: null, urn: sa.resource.urn })));
  }
  return findings;
}
