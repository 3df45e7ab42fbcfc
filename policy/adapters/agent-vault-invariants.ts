/**
 * What an agent's Vault side can reach whatever its plan record says: a program that rewrites an
 * agent's Vault resources and its `agent-identity.io/vault-plan` record together passes
 * vault/agent-resources-as-planned, so these invariants read no record. They hold each identity's
 * Vault holdings (the paths its Kubernetes-auth roles' policies reach, policy/holdings.ts) to the
 * shapes `compile` derives (components/core/compile.ts `vaultPaths`, `secretRoles`, `kvDataPath`,
 * names.ts `vaultSecretRoleName`): only the execution identity holds more than the token self paths,
 * and only its own KV subtree and the credentials of secret roles named for its own agent. The
 * stack's one KV mount and environment are what most agents' own paths and roles say (a plan has one).
 */
import type { Holder } from "../../components/core/holdings";
import { IDENTITY_KINDS, roleNameOf } from "../../components/core/names";
import type { IndexEntry } from "../../components/core/resource-index";
import { indexOf } from "../../components/rules/holdings-cache";
import { holdingsFromStackOnce } from "../holdings";
import { asString } from "../inputs";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackFinding } from "../types";
import { VAULT_AUTH_ROLE_TYPES } from "./vault-auth-roles";
import { VAULT_POLICY_TYPES } from "./vault-policies";
import { VAULT_SECRET_ROLE_TYPES } from "./vault-secret-roles";

const PATH_RULE = "vault/agent-path-derivable";
const SECRET_RULE = "vault/agent-secret-role-derivable";
/** `<mount>/data/agents/<env>/<agent>/<path>`: the components' KV layout, no glob anywhere. */
const KV_PATH = /^([^*+]+)\/data\/agents\/([^/*+]+)\/([^/*+]+)\/[^*+]+$/;
/** `<env>.<agent>.<tool>`: DNS labels joined by dots (names.ts `vaultSecretRoleName`). */
const SECRET_ROLE_NAME = /^([a-z0-9-]+)\.([a-z0-9-]+)\.([a-z0-9-]+)$/;
const IRSA_ROLE = "eks.amazonaws.com/role-arn";

/** The most frequent value, or undefined for none (ties broken by order, so the result is stable). */
function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/** The stack's KV mount and environment, and the agents' AWS accounts: what a plan has one of, read from the agents' resources. */
function platformShape(ix: StackIndex, agentsKvPaths: ReadonlyMap<string, readonly string[]>) {
  const mounts: string[] = [];
  const environments: string[] = [];
  for (const [agent, paths] of agentsKvPaths)
    for (const path of paths) {
      const match = KV_PATH.exec(path);
      if (match && match[3] === agent) {
        mounts.push(match[1]);
        environments.push(match[2]);
      }
    }
  for (const role of ix.roles) if (role.tags.agent && role.tags.environment) environments.push(role.tags.environment);
  // The agents' account: their roles' ARNs on the ServiceAccounts, and the boundary policy's account.
  const accounts = new Set<string>();
  for (const sa of ix.serviceAccounts) {
    const account = sa.annotations[IRSA_ROLE]?.split(":")[4];
    if (account) accounts.add(account);
  }
  for (const role of ix.roles) {
    const boundary = role.tags.agent ? asString(role.v.permissionsBoundary)?.split(":")[4] : undefined;
    if (boundary) accounts.add(boundary);
  }
  return { kvMount: mostCommon(mounts), environment: mostCommon(environments), accounts };
}

export const agentVaultInvariants: Adapter = {
  family: "agent-vault-invariants",
  holdings:
    "none added: each identity's Vault paths, assumed roles and database connections (policy/holdings.ts) are judged against what compile derives for its agent",
  types: [
    { type: VAULT_POLICY_TYPES.vaultPolicy, route: "an agent's Vault policy reaches only paths compile derives for its agent", checkedBy: [PATH_RULE] },
    {
      type: VAULT_AUTH_ROLE_TYPES.vaultAuthRole,
      route: "an agent's Kubernetes-auth role carries only policies reaching its agent's paths",
      checkedBy: [PATH_RULE],
    },
    {
      type: VAULT_SECRET_ROLE_TYPES.vaultAwsRole,
      route: "an agent's AWS secret role assumes no role of the stack but its own agent's, and none of the agents' account but a declared share",
      checkedBy: [PATH_RULE, SECRET_RULE],
    },
    {
      type: VAULT_SECRET_ROLE_TYPES.vaultDatabaseRole,
      route: "an agent's database secret role uses a connection no other agent's tool uses",
      checkedBy: [PATH_RULE, SECRET_RULE],
    },
  ],
  stack: (ix, pass) => {
    const { fleet } = holdingsFromStackOnce(ix, pass.extraPolicies);
    const index = indexOf(fleet);
    const kvPaths = new Map<string, string[]>();
    for (const holdings of fleet.identities)
      kvPaths.set(holdings.agent, [...(kvPaths.get(holdings.agent) ?? []), ...holdings.vault.map((grant) => grant.path)]);
    const shape = platformShape(ix, kvPaths);
    // Roles of the stack other than agents' (an agent's role assumed through Vault is vault/secret-role-arns').
    const stackRoles = new Set(ix.roles.flatMap((r) => (r.name && !r.tags.agent ? [r.name.toLowerCase()] : [])));
    // Each agent role of the stack by name, with the agent it is tagged for: an agent assumes only its own (its tool role).
    // Another agent's identity role is vault/secret-role-arns' (plan reports it too); its other roles (a tool role) are refused here.
    const agentRoles = new Map(
      ix.roles.flatMap((r) => (r.name && r.tags.agent ? [[r.name.toLowerCase(), { agent: r.tags.agent, identity: r.tags.identity }] as const] : [])),
    );
    const urnOf = (agent: string, identity: (typeof IDENTITY_KINDS)[number]) => ix.by.serviceAccountsOf(agent, identity)[0]?.resource.urn;
    const push = (finding: Omit<PackFinding, "urn">, share?: { principals: string[]; resources: string[] }) => {
      const urn = urnOf(finding.agent, finding.identity!);
      if (urn) pass.findings.push({ ...finding, urn, ...(share ? { share } : {}) } as PackFinding);
    };

    for (const holdings of fleet.identities) {
      const { agent, identity } = holdings;
      const principal = `agent:${agent}/${identity}`;
      // A path the components derive for this identity: execution only, its own KV subtree or its own secret roles' credentials.
      const others = (entry: IndexEntry<Holder>) => entry.value.agent !== null && entry.value.agent !== agent;
      const derivable = (path: string): boolean => {
        // Another agent's subtree or secret role: separation/cross-agent-grant reports it.
        if (index.intersecting(path, others, 1).length > 0) return true;
        if (identity !== "execution") return false;
        const kv = KV_PATH.exec(path);
        if (kv) return kv[1] === shape.kvMount && kv[2] === shape.environment && kv[3] === agent;
        const roles = ix.by.secretRolesAt.get(path) ?? [];
        return (
          roles.length > 0 &&
          roles.every((role) => {
            const name = SECRET_ROLE_NAME.exec(asString(role.v.name) ?? "");
            return name !== null && name[1] === shape.environment && name[2] === agent;
          })
        );
      };
      const outside = [...new Set(holdings.vault.map((grant) => grant.path).filter((path) => !derivable(path)))];
      if (outside.length)
        push(
          {
            rule: PATH_RULE,
            agent,
            identity,
            message: `agent ${agent}'s ${identity} identity reaches Vault path${outside.length > 1 ? "s" : ""} ${outside.join(", ")}, which the components never derive for it (${identity === "execution" ? `only its own KV subtree ${shape.kvMount ?? "<kvMount>"}/data/agents/${shape.environment ?? "<env>"}/${agent}/… and its own secret roles' credentials` : "only the token self paths"})`,
            fix: `declare the tool in agent ${agent}'s declaration (a reviewed plan change), or have the security team declare the share in the pack's shares configuration (principal ${principal})`,
          },
          { principals: [principal], resources: outside },
        );

      for (const assumed of holdings.assumedRoles) {
        const account = assumed.roleArn.split(":")[4] ?? "";
        const name = roleNameOf(assumed.roleArn);
        const tagged = agentRoles.get(name);
        const roleAgent = tagged?.agent;
        if (roleAgent === agent || (tagged?.identity !== undefined && (IDENTITY_KINDS as readonly string[]).includes(tagged.identity))) continue;
        const ofStack = stackRoles.has(name) || roleAgent !== undefined;
        // No account known for the agents: every account counts as theirs (fail closed).
        const agentsAccount = shape.accounts.size === 0 || shape.accounts.has(account);
        if (!ofStack && !agentsAccount) continue;
        push(
          {
            rule: SECRET_RULE,
            agent,
            identity,
            tool: assumed.tool,
            message: `agent ${agent}'s ${identity} identity holds AWS secret role ${assumed.tool}, which assumes ${assumed.roleArn}: ${roleAgent !== undefined ? `a role this stack creates for agent ${roleAgent}` : ofStack ? "a role this stack creates for the platform" : `a role in the agents' own account ${account}`}, which no plan derives without a declared role share`,
            fix: `assume only a role of another system, declared as a role share; or have the security team declare it in the pack's shares configuration (principal ${principal}, resource ${assumed.roleArn})`,
          },
          ofStack ? undefined : { principals: [principal], resources: [assumed.roleArn] },
        );
      }
    }

    // A connection is one agent's: compile gives each database tool its declared connection, and two agents' tools on one need a connection share.
    const users = new Map<string, Map<string, { identity: (typeof IDENTITY_KINDS)[number]; tool: string }>>();
    for (const holdings of fleet.identities)
      for (const db of holdings.databases) {
        const byAgent = users.get(db.connection) ?? new Map();
        if (!byAgent.has(holdings.agent)) byAgent.set(holdings.agent, { identity: holdings.identity, tool: db.tool });
        users.set(db.connection, byAgent);
      }
    for (const [connection, byAgent] of users) {
      if (byAgent.size < 2) continue;
      for (const [agent, { identity, tool }] of byAgent) {
        const others = [...byAgent.keys()].filter((other) => other !== agent);
        push(
          {
            rule: SECRET_RULE,
            agent,
            identity,
            tool,
            message: `agent ${agent}'s database secret role ${tool} uses connection "${connection}", which agent${others.length > 1 ? "s" : ""} ${others.join(", ")} also use${others.length > 1 ? "" : "s"}`,
            fix: `give each agent its own connection, or have the security team declare the connection share in the pack's shares configuration (principal agent:${agent}/${identity}, resource vault:database/${connection})`,
          },
          { principals: [`agent:${agent}/${identity}`], resources: [`vault:database/${connection}`] },
        );
      }
    }
  },
};
