/**
 * Agents created in one program check each other. `AgentFleet` runs the stack-wide rules (no shared
 * identity, no grant reaching another agent's resources, no agent assuming another's role) over its
 * whole fleet; agents built one by one with `new Agent(...)` register here, and each new agent is
 * checked against the ones registered before it, so composing agents without a fleet is as safe.
 *
 * To stay fast with a thousand agents, candidates come from an index, not a scan: exact identity
 * names in a map, and every grant and owned resource in a trie of literal prefixes (two patterns can
 * only overlap when one's literal prefix, up to its first wildcard, is a prefix of the other's).
 * Only the few candidates are then judged with the real rules, on a plan of them plus the new agent.
 */
import { identityRoles } from "./core/identity-roles";
import * as pulumi from "@pulumi/pulumi";
import { asList } from "./core/iam-document";
import type { AgentPlan, FleetPlan } from "./core/plan-types";
import { PLAN_VERSION } from "./core/plan-types";
import type { Platform } from "./core/schema";
import { TOKEN_SELF_PATHS } from "./core/vault-policy";
import { ALL_RULES, errorsOf, evaluatePlan, formatViolation, type PlanRule, type Violation } from "./rules";

/** Rules whose findings depend on more than one agent. */
const CROSS_AGENT_IDS = new Set(["iam/assume-agent-role", "vault/secret-role-arns"]);
export const STACK_WIDE_RULES: readonly PlanRule[] = ALL_RULES.filter(
  (rule) => rule.family === "separation" || rule.family === "stack" || CROSS_AGENT_IDS.has(rule.id),
);

interface Registered {
  readonly plan: AgentPlan;
  readonly platform: Platform;
  /** The component that created it, for the message. */
  readonly component: string;
}

// ---------------------------------------------------------------- prefix index

const WILDCARD = /[*?+$]/;
const SELF_PATHS = new Set(TOKEN_SELF_PATHS.map((rule) => rule.path));

interface TrieNode {
  readonly children: Map<string, TrieNode>;
  /** Agents with a pattern whose literal prefix ends exactly here (ending on a delimiter). */
  readonly here: Set<Registered>;
  /** Agents whose literal prefix continues into a partial segment (no delimiter), by that partial. */
  readonly partial: Map<string, Set<Registered>>;
}

const node = (): TrieNode => ({ children: new Map(), here: new Set(), partial: new Map() });

/** The literal prefix split into whole segments (each ending in '/' or ':') and the rest; `open` when a wildcard follows. */
function segments(pattern: string): { whole: string[]; rest: string; open: boolean } {
  const at = pattern.search(WILDCARD);
  const literal = at < 0 ? pattern : pattern.slice(0, at);
  const whole = literal.match(/[^/:]*[/:]/g) ?? [];
  return { whole, rest: literal.slice(whole.join("").length), open: at >= 0 };
}

const addAll = (from: Iterable<Registered> | undefined, into: Set<Registered>) => {
  for (const owner of from ?? []) into.add(owner);
};

class PrefixIndex {
  private readonly root = node();

  add(pattern: string, owner: Registered): void {
    const { whole, rest } = segments(pattern);
    let at = this.root;
    for (const segment of whole) {
      let next = at.children.get(segment);
      if (!next) at.children.set(segment, (next = node()));
      at = next;
    }
    if (!rest) {
      at.here.add(owner);
      return;
    }
    let owners = at.partial.get(rest);
    if (!owners) at.partial.set(rest, (owners = new Set()));
    owners.add(owner);
  }

  /**
   * Every agent with a pattern that may overlap this one: its literal prefix is a prefix of ours, or
   * (only when ours has a wildcard) ours is a prefix of its. Map lookups per character of our
   * pattern; a scan below a node only for a wildcard pattern, whose matches are all candidates.
   */
  candidates(pattern: string, into: Set<Registered>): void {
    const { whole, rest, open } = segments(pattern);
    let at: TrieNode | undefined = this.root;
    const prefixesIn = (text: string, map: Map<string, Set<Registered>>) => {
      for (let k = 1; k <= text.length; k++) addAll(map.get(text.slice(0, k)), into);
    };
    for (const segment of whole) {
      addAll(at.here, into);
      if (at.partial.size) prefixesIn(segment.slice(0, -1), at.partial);
      at = at.children.get(segment);
      if (!at) return;
    }
    addAll(at.here, into);
    if (at.partial.size) prefixesIn(rest, at.partial);
    if (!open) return; // an exact pattern overlaps only patterns whose literal prefix is a prefix of it
    for (const [partial, owners] of at.partial) if (partial.startsWith(rest)) addAll(owners, into);
    for (const [segment, child] of at.children) if (segment.startsWith(rest)) collect(child, into);
  }
}

function collect(at: TrieNode, into: Set<Registered>): void {
  addAll(at.here, into);
  for (const owners of at.partial.values()) addAll(owners, into);
  for (const child of at.children.values()) collect(child, into);
}

/** What an agent is granted or owns that another agent must not reach. */
function patternsOf(plan: AgentPlan): string[] {
  const patterns = [plan.auditLogGroup.arn];
  for (const identity of plan.identities) {
    patterns.push(...identityRoles(identity).map((role) => role.arn));
    // Orchestration grants are foundation models every agent may share.
    if (identity.kind !== "orchestration") {
      for (const policy of identityRoles(identity).flatMap((role) => role.policies)) {
        for (const statement of policy.document.Statement) {
          if (statement.Effect === "Allow") patterns.push(...asList(statement.Resource).filter((r) => r !== "*"));
        }
      }
    }
    for (const path of identity.vault.policy?.paths ?? []) if (!SELF_PATHS.has(path.path)) patterns.push(path.path);
    for (const secret of identity.vault.secretRoles) patterns.push(secret.credentialsPath, ...(secret.type === "aws" ? secret.roleArns : []));
  }
  return patterns;
}

/** Names two identities may never share (stack/no-shared-identity), as exact keys. */
function namesOf(plan: AgentPlan): string[] {
  return plan.identities.flatMap((identity) => [
    `sa:${identity.serviceAccount.namespace}/${identity.serviceAccount.name}`,
    ...identityRoles(identity).map((role) => `iam:${role.name}`),
    ...[...(identity.vault.role ? [identity.vault.role] : []), ...identity.vault.additionalRoles].map((role) => `vault-role:${role.backend}/${role.name}`),
    ...(identity.vault.policy ? [`vault-policy:${identity.vault.policy.name}`] : []),
  ]);
}

/**
 * `canonical` of a platform object, kept per object: a fleet passes one compiled platform to all
 * its agents, and serialising it again for each cost ~0.3 ms per agent (issue #11). Plans are
 * never changed after compilation, so the text of an object stays valid.
 */
const canonicalPlatforms = new WeakMap<object, string>();
function canonicalPlatform(platform: Platform): string {
  let text = canonicalPlatforms.get(platform);
  if (text === undefined) canonicalPlatforms.set(platform, (text = canonical(platform)));
  return text;
}

/** JSON with sorted keys: two platform objects are the same declaration when this is equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

// ---------------------------------------------------------------- the registry

export class StackAgentRegistry {
  private readonly names = new Map<string, Registered>();
  /** Agents by platform and name: a second agent of the same name is one conflict, not one per identity name. */
  private readonly agents = new Map<string, Registered>();
  private readonly prefixes = new PrefixIndex();
  private readonly platforms = new Map<string, { readonly canonical: string; readonly by: Registered }>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Why this agent cannot join the agents registered so far (empty: it can). Registers it when it can. */
  register(plan: AgentPlan, platform: Platform, component: string, now: Date): string[] {
    const entry: Registered = { plan, platform, component };
    const platformKey = `${platform.namePrefix}-${platform.environment}`;
    const known = this.platforms.get(platformKey);
    const platformJson = canonicalPlatform(platform);
    if (known && known.canonical !== platformJson) {
      return [
        `${plan.name}/*: stack/no-shared-identity: platform "${platformKey}" is declared differently here than for agent ${known.by.plan.name} (${known.by.component}) — pass every agent of one environment the same platform declaration (or use AgentFleet)`,
      ];
    }

    // One cause, one message: every identity name of a same-named agent clashes, say it once.
    const agentKey = `${platformKey}/${plan.name}`;
    const twin = this.agents.get(agentKey);
    if (twin) {
      return [
        `${plan.name}/*: stack/no-shared-identity: agent "${plan.name}" is declared twice in this program (${twin.component} and ${component}) — give each agent a unique name; names of roles, ServiceAccounts and Vault roles derive from it`,
      ];
    }

    // Computed once for the lookup and the registration below.
    const names = namesOf(plan);
    const patterns = patternsOf(plan);
    const candidates = new Set<Registered>();
    for (const name of names) {
      const other = this.names.get(name);
      if (other) candidates.add(other);
    }
    for (const pattern of patterns) this.prefixes.candidates(pattern, candidates);

    if (candidates.size > 0) {
      const conflicts = this.judge(entry, [...candidates], now);
      if (conflicts.length > 0) {
        const earlier = [...candidates].map((c) => `${c.plan.name} (${c.component})`).join(", ");
        // A rule may find a clash from both sides of a pair: the same text once.
        return [
          ...new Set(
            conflicts.map((v) => `${formatViolation(v)} [between ${plan.name} (${component}) and agents created earlier in this program: ${earlier}]`),
          ),
        ];
      }
    }

    if (!known) this.platforms.set(platformKey, { canonical: platformJson, by: entry });
    this.agents.set(agentKey, entry);
    for (const name of names) this.names.set(name, entry);
    for (const pattern of patterns) this.prefixes.add(pattern, entry);
    this.count++;
    return [];
  }

  /** The stack-wide rules over the candidates and the new agent: any error is a conflict between them. */
  private judge(entry: Registered, candidates: readonly Registered[], now: Date): Violation[] {
    const plan: FleetPlan = {
      version: PLAN_VERSION,
      stack: pulumi.getStack(),
      platform: entry.platform,
      bootstrap: null,
      agents: [...candidates.map((c) => c.plan), entry.plan],
    };
    return errorsOf(evaluatePlan(plan, STACK_WIDE_RULES, now, { partial: true }));
  }
}

/** One registry per program run: keyed by the engine connection, so each (mocked) run starts empty. */
const registries = new WeakMap<object, Map<string, StackAgentRegistry>>();
const NO_MONITOR = {};

export function stackRegistry(): StackAgentRegistry {
  const run = (pulumi.runtime.getMonitor() as object | undefined) ?? NO_MONITOR;
  let byStack = registries.get(run);
  if (!byStack) registries.set(run, (byStack = new Map()));
  const key = `${pulumi.getProject()}/${pulumi.getStack()}`;
  let registry = byStack.get(key);
  if (!registry) byStack.set(key, (registry = new StackAgentRegistry()));
  return registry;
}
