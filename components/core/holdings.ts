/**
 * What every identity holds, in one model that every separation, IAM and stack rule reads:
 * IAM statements (actions × resources with conditions, and the tool they came from), Vault paths
 * and capabilities, database connections, roles assumed through Vault, Kubernetes bindings; and
 * what every agent owns (declared `owns` plus what the components create for it) and what the
 * platform shares. Built from a plan here (`holdingsFromPlan`); the policy pack can build the same
 * shape from stack resources. `indexHoldings` puts owners, shares and grants in one trie so each
 * "who else reaches this?" question costs the depth of a name, not the size of the fleet.
 */
import { identityRoles, isOwnToolSession } from "./identity-roles";
import type { ConditionBlock, PolicyStatement } from "./iam-document";
import { asList } from "./iam-document";
import { namedLikeIdentityRole, namedLikeToolRole, type IdentityKind } from "./names";
import type { AgentPlan, FleetPlan } from "./plan-types";
import { ResourceIndex } from "./resource-index";
import type { ConnectionShare, ResourceShare, RoleShare, Share } from "./schema";
import { TOKEN_SELF_PATHS } from "./vault-policy";

export interface AwsGrant {
  /** The tool the statement came from; null for statements the components generate (models, audit, revocation). */
  readonly tool: string | null;
  /** Sid, or `#<n>` when the statement has none. */
  readonly statement: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly condition?: ConditionBlock;
}

export interface VaultGrant {
  readonly path: string;
  readonly capabilities: readonly string[];
  readonly tool: string | null;
}

export interface DatabaseGrant {
  readonly tool: string;
  readonly connection: string;
  readonly creationStatements: readonly string[];
}

export interface AssumedRoleGrant {
  readonly tool: string;
  readonly roleArn: string;
}

/** A Kubernetes RBAC binding to the identity's ServiceAccount (the plan creates none; the pack sees them). */
export interface KubernetesBinding {
  readonly roleKind: "Role" | "ClusterRole";
  readonly roleName: string;
  readonly namespace: string | null;
  readonly rules: ReadonlyArray<{ readonly apiGroups?: readonly string[]; readonly resources?: readonly string[]; readonly verbs?: readonly string[] }>;
}

export interface IdentityHoldings {
  readonly agent: string;
  readonly identity: IdentityKind;
  readonly roleArn: string;
  readonly aws: readonly AwsGrant[];
  /** Vault paths beyond the token self paths every identity has. */
  readonly vault: readonly VaultGrant[];
  readonly databases: readonly DatabaseGrant[];
  readonly assumedRoles: readonly AssumedRoleGrant[];
  readonly kubernetes: readonly KubernetesBinding[];
}

export interface AgentOwnership {
  readonly agent: string;
  /** What the agent declared it owns (`owns`), as written. */
  readonly declared: readonly string[];
  /** What the components create for the agent: its role ARNs, audit log group, KV subtree, secret-role paths. */
  readonly implicit: readonly string[];
  readonly auditLogGroupArn: string | null;
  /** The database connections its tools use, a revoked agent's included (from its tool list); undefined where not known (the pack). */
  readonly connections?: readonly { readonly connection: string; readonly tool: string }[];
}

export interface FleetHoldings {
  readonly partition: string;
  readonly accountId: string;
  /** Pattern of every agent's audit log group, present or future (execution may reach none). */
  readonly auditNamespace: string | null;
  readonly agents: readonly AgentOwnership[];
  readonly identities: readonly IdentityHoldings[];
  readonly shares: readonly Share[];
  /** The platform's ownable roots (`platform.ownableRoots`); undefined where they are not known (the pack). */
  readonly ownableRoots?: readonly string[];
}

const SELF_PATHS = new Set(TOKEN_SELF_PATHS.map((rule) => rule.path));

export const isResourceShare = (share: Share): share is ResourceShare => "resource" in share;
export const isConnectionShare = (share: Share): share is ConnectionShare => "databaseConnection" in share;
export const isRoleShare = (share: Share): share is RoleShare => "vaultAwsRole" in share;

/**
 * Whether a role ARN is, or looks like, an agent identity role of any stack: one of this plan's, a
 * name under the platform's `<namePrefix>-<env>-` prefix, or any name ending in an identity kind
 * (`-orchestration`, `-execution`, `-audit`: other prefixes and environments) or in `-tools` (a tool
 * role: its own agent's tool sessions are exempted by the caller). Any path, any case.
 */
export function looksLikeAgentRole(
  arn: string,
  planRoleArns: readonly string[],
  platform: { readonly namePrefix: string; readonly environment: string },
): boolean {
  const lower = arn.toLowerCase();
  if (planRoleArns.some((role) => role.toLowerCase() === lower)) return true;
  const name = lower.slice(lower.lastIndexOf("/") + 1);
  return name.startsWith(`${platform.namePrefix}-${platform.environment}-`.toLowerCase()) || namedLikeIdentityRole(name) || namedLikeToolRole(name);
}

/** One policy statement as a grant; plan and pack (policy/holdings.ts) read statements the same way. */
export function grantOf(statement: PolicyStatement, index: number, tool: string | null): AwsGrant {
  return {
    tool,
    statement: statement.Sid ?? `#${index + 1}`,
    effect: statement.Effect,
    actions: asList(statement.Action),
    notActions: asList(statement.NotAction),
    resources: asList(statement.Resource),
    notResources: asList(statement.NotResource),
    condition: statement.Condition,
  };
}

function identityHoldings(agent: AgentPlan, identity: AgentPlan["identities"][number]): IdentityHoldings {
  const toolBySid = new Map<string, string>();
  for (const tool of agent.tools) for (const sidValue of tool.statementSids ?? []) if (!toolBySid.has(sidValue)) toolBySid.set(sidValue, tool.name);
  const aws: AwsGrant[] = identityRoles(identity)
    .flatMap((role) => role.policies)
    .flatMap((policy) =>
      policy.document.Statement.map((statement, index) =>
        grantOf(statement, index, identity.kind === "execution" && statement.Sid ? (toolBySid.get(statement.Sid) ?? null) : null),
      ),
    );
  const secretRoles = identity.vault.secretRoles;
  const toolByPath = new Map(secretRoles.map((role) => [role.credentialsPath, role.tool]));
  const kvTools = new Map(agent.tools.filter((tool) => tool.kind === "kv").map((tool) => [tool.name, tool.name]));
  const vault: VaultGrant[] = (identity.vault.policy?.paths ?? [])
    .filter((rule) => !SELF_PATHS.has(rule.path))
    .map((rule) => ({
      path: rule.path,
      capabilities: rule.capabilities,
      tool: toolByPath.get(rule.path) ?? (kvTools.size === 1 ? [...kvTools.keys()][0] : null),
    }));
  return {
    agent: agent.name,
    identity: identity.kind,
    roleArn: identity.iamRole.arn,
    aws,
    vault,
    databases: secretRoles.flatMap((role) =>
      role.type === "database" ? [{ tool: role.tool, connection: role.dbName, creationStatements: role.creationStatements }] : [],
    ),
    // A tool session on the identity's own tool role is not a role assumed elsewhere: its grants are in `aws`.
    assumedRoles: secretRoles.flatMap((role) =>
      role.type === "aws" && !isOwnToolSession(identity, role) ? role.roleArns.map((roleArn) => ({ tool: role.tool, roleArn })) : [],
    ),
    kubernetes: [],
  };
}

/** Where the KV subtree of an agent starts, from the KV paths its plan reads (`<mount>/data/agents/<env>/<agent>/`). */
function kvSubtree(plan: FleetPlan, agent: AgentPlan): string {
  return `${plan.platform.vault.kvMount}/data/agents/${plan.platform.environment}/${agent.name}/*`;
}

export function holdingsFromPlan(plan: FleetPlan): FleetHoldings {
  const { partition, accountId } = plan.platform.aws;
  const agents: AgentOwnership[] = plan.agents.map((agent) => {
    // Secret roles, including a revoked agent's (from its tool list), so a name stays its own.
    const secretPaths = agent.identities.flatMap((identity) => identity.vault.secretRoles.map((role) => role.credentialsPath));
    return {
      agent: agent.name,
      declared: agent.owns ?? [],
      implicit: [
        ...agent.identities.flatMap((identity) => identityRoles(identity).map((role) => role.arn)),
        agent.auditLogGroup.arn,
        kvSubtree(plan, agent),
        ...secretPaths,
      ],
      auditLogGroupArn: agent.auditLogGroup.arn,
      connections: agent.tools.flatMap((tool) => (tool.connection === undefined ? [] : [{ connection: tool.connection, tool: tool.name }])),
    };
  });
  const first = plan.agents[0]?.auditLogGroup.arn;
  // Any region: a log group of that name created elsewhere is still the agent's future audit sink by name.
  const auditNamespace = first ? `arn:${partition}:logs:*:${accountId}:log-group:/${plan.platform.namePrefix}/${plan.platform.environment}/agents/*` : null;
  return {
    partition,
    accountId,
    auditNamespace,
    agents,
    identities: plan.agents.flatMap((agent) => agent.identities.map((identity) => identityHoldings(agent, identity))),
    shares: plan.platform.shared ?? [],
    ownableRoots: plan.platform.ownableRoots ?? [],
  };
}

/** Who an index entry belongs to. */
export interface Holder {
  /** null for a share. */
  readonly agent: string | null;
  readonly identity?: IdentityKind;
  readonly tool?: string | null;
  readonly share?: ResourceShare;
  /** True for what the components create (role, log group, KV subtree), false for declared `owns`. */
  readonly implicit?: boolean;
  /** The pattern as written. */
  readonly written: string;
}

/**
 * A holder with every field present, in one order: the rules read holders of all three kinds at
 * the same sites, which V8 optimises for one object shape and deoptimises on a second.
 */
function holder(
  agent: string | null,
  identity: IdentityKind | undefined,
  tool: string | null | undefined,
  share: ResourceShare | undefined,
  implicit: boolean | undefined,
  written: string,
): Holder {
  return { agent, identity, tool, share, implicit, written };
}

/**
 * One trie over every owned resource, share and grant of the fleet. Grants are the resources of
 * Allow statements (not `*`, which the IAM rules judge), Vault paths and roles assumed through Vault.
 */
export function indexHoldings(fleet: FleetHoldings): ResourceIndex<Holder> {
  const index = new ResourceIndex<Holder>();
  for (const agent of fleet.agents) {
    for (const written of agent.declared) index.add(written, "owned", holder(agent.agent, undefined, undefined, undefined, false, written));
    for (const written of agent.implicit) index.add(written, "owned", holder(agent.agent, undefined, undefined, undefined, true, written));
  }
  for (const share of fleet.shares)
    if (isResourceShare(share)) index.add(share.resource, "share", holder(null, undefined, undefined, share, undefined, share.resource));
  for (const holdings of fleet.identities) {
    const add = (written: string, tool: string | null) =>
      index.add(written, "grant", holder(holdings.agent, holdings.identity, tool, undefined, undefined, written));
    if (holdings.identity !== "orchestration") {
      for (const grant of holdings.aws) if (grant.effect === "Allow") for (const resource of grant.resources) if (resource !== "*") add(resource, grant.tool);
    }
    for (const grant of holdings.vault) add(grant.path, grant.tool);
    for (const role of holdings.assumedRoles) add(role.roleArn, role.tool);
  }
  return index;
}
