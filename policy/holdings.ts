/**
 * The rules' own holdings model (components/core/holdings.ts) built from the stack's resources, so
 * the pack judges what each identity holds with the same types and functions `plan` uses: every
 * agent identity (a labelled ServiceAccount) gets an `IdentityHoldings` (AWS statements of its
 * roles' inline, RolePolicy, attached and resource policies; the Vault paths of the policies its
 * Kubernetes-auth role carries; the secret roles those paths reach), and every agent an
 * `AgentOwnership` (its declared `owns`, its roles, audit log group and KV subtree).
 */
import type { PolicyDocument } from "../components/core/iam-document";
import { grantOf, type AgentOwnership, type FleetHoldings, type IdentityHoldings } from "../components/core/holdings";
import { IDENTITY_KINDS } from "../components/core/names";
import { OWNS_ANNOTATION } from "../components/core/compile";
import { TOKEN_SELF_PATHS } from "../components/core/vault-policy";
import { asString } from "./inputs";
import { inListOrder, type StackIndex } from "./stack-index";
import { TYPES } from "./adapters";
import { isToolSessionOf, sessionTagsOf } from "./tool-roles";
import { SESSION_TAG } from "../components/core/tool-sessions";
import { throughAccessPoints } from "./adapters/s3-access-points";

const SELF_PATHS = new Set(TOKEN_SELF_PATHS.map((rule) => rule.path));

/** Where one identity's holdings were found in the stack, to attribute findings and size checks. */
export interface HoldingSources {
  readonly roles: readonly StackIndex["roles"][number][];
  /** The documents its AWS grants came from (inline, RolePolicy, attached, resource policies). */
  readonly documents: readonly PolicyDocument[];
  /** Secret roles its Vault paths reach (each counts, its own tool session too). */
  readonly secretRoles: number;
  /** The resource findings about the identity's holdings are reported on. */
  readonly urn: string;
}

export interface StackHoldings {
  readonly fleet: FleetHoldings;
  readonly sources: ReadonlyMap<IdentityHoldings, HoldingSources>;
}

function awsGrants(documents: readonly PolicyDocument[], grantedAs: (resource: string) => readonly string[]): IdentityHoldings["aws"] {
  // Which tool a statement serves is in the declaration, not on the resources: null here.
  return documents.flatMap((document) =>
    document.Statement.map((statement, index) => {
      const grant = grantOf(statement, index, null);
      // What an Allow reaches through S3 access points is held too (a Deny is left as written: never widened).
      return grant.effect === "Allow" ? { ...grant, resources: [...new Set(grant.resources.flatMap(grantedAs))] } : grant;
    }),
  );
}

/** Every agent identity's holdings and every agent's ownership, from the stack's resources. */
export function holdingsFromStack(ix: StackIndex, extraPolicies: ReadonlyMap<string, readonly PolicyDocument[]>): StackHoldings {
  const agents = [...ix.by.serviceAccountsOfAgent.keys()].sort();
  const grantedAs = throughAccessPoints(ix);
  const sources = new Map<IdentityHoldings, HoldingSources>();
  const identities: IdentityHoldings[] = [];
  for (const agent of agents) {
    for (const kind of IDENTITY_KINDS) {
      const sa = ix.by.serviceAccountsOf(agent, kind)[0];
      if (!sa) continue;
      const roles = ix.by.rolesOf(agent, kind);
      const roleNames = new Set(roles.flatMap((r) => (r.name ? [r.name.toLowerCase()] : [])));
      const documents = [
        ...roles.flatMap((r) => r.inlineDocuments().map((entry) => entry.document)),
        ...inListOrder([...roleNames].map((name) => ix.by.rolePoliciesOn.get(name))).flatMap((p) => (p.document ? [p.document] : [])),
        // Customer-managed policies attached to the role and resource policies naming it (iam-attachments, resource-policies).
        ...roles.flatMap((r) => extraPolicies.get(r.name?.toLowerCase() ?? "") ?? []),
      ];
      const policyNames = new Set(ix.by.authRolesOf(agent, kind).flatMap((r) => r.policies));
      const rules = inListOrder([...policyNames].map((name) => ix.by.vaultPoliciesNamed.get(name))).flatMap((p) => p.paths);
      const secretRoles = inListOrder([...new Set(rules.map((rule) => rule.path))].map((path) => ix.by.secretRolesAt.get(path)));
      const holdings: IdentityHoldings = {
        agent,
        identity: kind,
        roleArn: roles[0]?.name ? `arn:*:iam::*:role/${roles[0].name}` : "",
        aws: awsGrants(documents, grantedAs),
        // A path that issues a secret role's credentials is named by the role's canonical path (AWS: sts/, databases: creds/).
        vault: rules
          .filter((rule) => !SELF_PATHS.has(rule.path))
          // Vault's `+` matches one segment: read as `*` (wider, so safe) by the holdings index.
          .map((rule) => ({
            path: (ix.by.secretRolesAt.get(rule.path)?.[0]?.path ?? rule.path).replace(/\+/g, "*"),
            capabilities: rule.capabilities,
            tool: null,
          })),
        databases: secretRoles.flatMap((role) =>
          role.resource.type === TYPES.vaultDatabaseRole
            ? [{ tool: asString(role.v.name) ?? role.resource.name, connection: asString(role.v.dbName) ?? "", creationStatements: [] }]
            : [],
        ),
        // A session on the agent's own tool role is not a role assumed elsewhere (its grants are the tool role's); another agent's is.
        assumedRoles: secretRoles.flatMap((role) =>
          role.resource.type === TYPES.vaultAwsRole && !(isToolSessionOf(ix, role) && sessionTagsOf(role.v)?.[SESSION_TAG.agent] === agent)
            ? role.roleArns.map((roleArn) => ({ tool: asString(role.v.name) ?? role.resource.name, roleArn }))
            : [],
        ),
        kubernetes: [],
      };
      identities.push(holdings);
      sources.set(holdings, { roles, documents, secretRoles: secretRoles.length, urn: roles[0]?.resource.urn ?? sa.resource.urn });
    }
  }
  const kvRoot = kvRootOf(ix, agents);
  const ownership: AgentOwnership[] = agents.map((agent) => {
    const group = ix.by.logGroupsOf.get(agent)?.[0];
    return {
      agent,
      declared: ownsOf(ix, agent),
      implicit: [
        // Every agent's KV subtree is its own, whether or not it reads from it yet.
        ...(kvRoot ? [`${kvRoot}${agent}/*`] : []),
        ...(ix.by.rolesOfAgent.get(agent) ?? []).filter((r) => r.name).map((r) => `arn:*:iam::*:role/${r.name}`),
        ...(ix.by.logGroupsOf.get(agent) ?? []).flatMap((g) => [g.pattern, `${g.pattern}:*`]),
      ],
      auditLogGroupArn: group?.pattern ?? null,
    };
  });
  return {
    fleet: { partition: "*", accountId: "*", auditNamespace: auditNamespaceOf(ix) ?? null, agents: ownership, identities, shares: [] },
    sources,
  };
}

/**
 * `holdingsFromStack` once per stack index: the stack pass reads it in an adapter (what principals
 * that are not agents reach, policy/aws-reach.ts) and again to judge the identities. Documents the
 * adapters add to `extraPolicies` after the first call would not be seen: only adapters ordered
 * before the reading one add any (policy/adapters/index.ts).
 */
const built = new WeakMap<StackIndex, { readonly extra: ReadonlyMap<string, readonly PolicyDocument[]>; readonly holdings: StackHoldings }>();
export function holdingsFromStackOnce(ix: StackIndex, extraPolicies: ReadonlyMap<string, readonly PolicyDocument[]>): StackHoldings {
  const known = built.get(ix);
  if (known && known.extra === extraPolicies) return known.holdings;
  const holdings = holdingsFromStack(ix, extraPolicies);
  built.set(ix, { extra: extraPolicies, holdings });
  return holdings;
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
