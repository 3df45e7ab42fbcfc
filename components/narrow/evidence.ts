/**
 * Accumulates what each agent's identities and tools did, in memory bounded by the size of the
 * declaration (one counter per granted action, pattern and resource) and fixed caps on lists of
 * denied and unmapped calls, never by the number of events.
 */
import type { IdentityKind } from "../core/names";
import type { FleetPlan, ToolKind } from "../core/plan-types";
import { globMatches, hasWildcard } from "../core/patterns";
import { mapEvent, prefixOfSource } from "./action-mapping";
import { attributeVault, buildIndex, roleOwner, toolSession, type AttributionIndex } from "./attribution";
import type { TrailEvent } from "./cloudtrail-reader";
import { isDataAction } from "./data-events";
import type { VaultRequest } from "./vault-audit-reader";

/** A tool as declared (statements by index, as in the stack file). */
export interface DeclaredTool {
  readonly name: string;
  readonly kind: ToolKind;
  readonly statements: ReadonlyArray<{ readonly actions: readonly string[]; readonly resources: readonly string[] }>;
}

export interface GrantUse {
  count: number;
  /** Declared resource patterns some call matched. */
  readonly resources: Set<string>;
  /** A call whose resource could not be read: every resource counts as used. */
  anyResource: boolean;
}

export interface Need {
  readonly identity: IdentityKind;
  readonly tool: string | null;
  readonly action: string;
  readonly resource: string | null;
  readonly errorCode: string;
  count: number;
}

export interface AgentEvidence {
  readonly agent: string;
  readonly tools: readonly DeclaredTool[];
  /** `tool\0statement\0action pattern` → use. */
  readonly uses: Map<string, GrantUse>;
  readonly identityCalls: Map<IdentityKind, number>;
  /** Calls allowed by no tool statement (the orchestration's model calls, the audit identity's log writes...): `identity\0action` → count. */
  readonly otherCalls: Map<string, number>;
  /** Denied calls: evidence of need, never added. */
  readonly needs: Map<string, Need>;
  /** Vault requests by tool (successful). */
  readonly vaultUses: Map<string, number>;
  /** Vault requests by path, any outcome. */
  readonly vaultPaths: Map<string, number>;
  /** Tool-role calls whose session's AssumeRole was not in the trail (attributed to every tool that could have made them). */
  untaggedToolCalls: number;
  /** Calls of APIs the mapping does not list, by the service's IAM prefix (lower case): any action of it may be what they needed. */
  readonly unmappedByPrefix: Map<string, number>;
  first: string | null;
  last: string | null;
}

export interface EvidenceOptions {
  /** Services whose data events the trail records (lower case IAM prefixes). */
  readonly dataEvents: ReadonlySet<string>;
  readonly since?: string;
  readonly until?: string;
  readonly vaultAudit: boolean;
}

export interface Evidence {
  readonly options: EvidenceOptions;
  readonly agents: Map<string, AgentEvidence>;
  /** Events no plan name claims, by principal (capped). */
  readonly unattributed: Map<string, number>;
  /** Events of ours whose API the mapping does not know: `source eventName` → count. */
  readonly unmapped: Map<string, number>;
  trailEvents: number;
  /** Events recorded for the stack's own AWS account: a trail of another account proves nothing here. */
  accountEvents: number;
  readonly account: string;
  vaultRequests: number;
  outsideWindow: number;
  first: string | null;
  last: string | null;
}

const CAP = 500;
/** CloudTrail error codes that mean "not authorised": the call is a need, not a use. */
const DENIED =
  /^(AccessDenied|AccessDeniedException|Client\.UnauthorizedOperation|UnauthorizedOperation|UnauthorizedAccess|AuthorizationError|KMS\.AccessDeniedException)$/;

export const isDenied = (errorCode: string | null): boolean => errorCode !== null && DENIED.test(errorCode);

function bump<K>(map: Map<K, number>, key: K, cap = CAP): void {
  const seen = map.get(key);
  if (seen !== undefined) map.set(key, seen + 1);
  else if (map.size < cap) map.set(key, 1);
}

interface GrantRef {
  readonly tool: string;
  readonly statement: number;
  readonly pattern: string;
  /** `tool\0statement\0pattern`: the key of this grant's use, made once. */
  readonly key: string;
  readonly resources: readonly string[];
  /** Per resource pattern: does it match this ARN (exact, one trailing `*` as a prefix, else the glob matcher). */
  readonly matchers: ReadonlyArray<(arn: string) => boolean>;
}

const NONE: readonly GrantRef[] = [];

function resourceMatcher(pattern: string): (arn: string) => boolean {
  const star = pattern.indexOf("*");
  if (!pattern.includes("?")) {
    if (star < 0) return (arn) => arn === pattern;
    if (star === pattern.length - 1) {
      const prefix = pattern.slice(0, -1);
      return (arn) => arn.startsWith(prefix);
    }
  }
  return (arn) => globMatches(pattern, arn);
}

/** Per agent: exact actions (lower case) → the grants naming them, and the wildcard grants to glob-check. */
interface AgentGrants {
  readonly exact: Map<string, GrantRef[]>;
  readonly wildcard: GrantRef[];
  /** Lower-case action → every grant that allows it (exact and wildcard), filled on first use (bounded by the mapping's actions). */
  readonly byAction: Map<string, readonly GrantRef[]>;
}

export class EvidenceCollector {
  readonly evidence: Evidence;
  private readonly index: AttributionIndex;
  private readonly grants = new Map<string, AgentGrants>();
  /** Minted access key → tool (bounded: oldest forgotten first). */
  private readonly sessions = new Map<string, string>();

  constructor(plan: FleetPlan, declared: ReadonlyMap<string, readonly DeclaredTool[]>, options: EvidenceOptions) {
    this.index = buildIndex(plan);
    const agents = new Map<string, AgentEvidence>();
    for (const agent of plan.agents) {
      const tools = declared.get(agent.name) ?? [];
      agents.set(agent.name, {
        agent: agent.name,
        tools,
        uses: new Map(),
        identityCalls: new Map(),
        otherCalls: new Map(),
        needs: new Map(),
        vaultUses: new Map(),
        vaultPaths: new Map(),
        untaggedToolCalls: 0,
        unmappedByPrefix: new Map(),
        first: null,
        last: null,
      });
      const exact = new Map<string, GrantRef[]>();
      const wildcard: GrantRef[] = [];
      for (const tool of tools)
        tool.statements.forEach((statement, index) => {
          for (const pattern of statement.actions) {
            const ref = {
              tool: tool.name,
              statement: index,
              pattern,
              key: `${tool.name}\0${index}\0${pattern}`,
              resources: statement.resources,
              matchers: statement.resources.map(resourceMatcher),
            };
            if (hasWildcard(pattern)) wildcard.push(ref);
            else {
              const key = pattern.toLowerCase();
              exact.set(key, [...(exact.get(key) ?? []), ref]);
            }
          }
        });
      this.grants.set(agent.name, { exact, wildcard, byAction: new Map() });
    }
    this.evidence = {
      options,
      agents,
      unattributed: new Map(),
      unmapped: new Map(),
      trailEvents: 0,
      accountEvents: 0,
      account: plan.platform.aws.accountId,
      vaultRequests: 0,
      outsideWindow: 0,
      first: null,
      last: null,
    };
  }

  private inWindow(time: string): boolean {
    const { since, until } = this.evidence.options;
    // ISO-8601 UTC times compare as strings.
    if ((since && time < since) || (until && time >= until)) {
      this.evidence.outsideWindow++;
      return false;
    }
    const e = this.evidence;
    if (!e.first || time < e.first) e.first = time;
    if (!e.last || time > e.last) e.last = time;
    return true;
  }

  addTrailEvent(event: TrailEvent): void {
    if (!this.inWindow(event.time)) return;
    this.evidence.trailEvents++;
    if (event.account === this.evidence.account) this.evidence.accountEvents++;
    const session = toolSession(this.index, event);
    if (session) {
      if (this.sessions.size >= 500_000) this.sessions.delete(this.sessions.keys().next().value!);
      this.sessions.set(session.accessKeyId, session.tool);
    }
    const owner = roleOwner(this.index, event);
    if (!owner) {
      // The Vault engine's own AssumeRole of a tool role is not a call by the agent.
      if (!session) bump(this.evidence.unattributed, event.issuerArn ?? event.principalArn ?? "(no principal)");
      return;
    }
    const agent = this.evidence.agents.get(owner.agent)!;
    if (!agent.first || event.time < agent.first) agent.first = event.time;
    if (!agent.last || event.time > agent.last) agent.last = event.time;
    agent.identityCalls.set(owner.identity, (agent.identityCalls.get(owner.identity) ?? 0) + 1);
    const mapped = mapEvent(event.source, event.name);
    if (!mapped) {
      bump(this.evidence.unmapped, `${event.source} ${event.name}`);
      const prefix = prefixOfSource(event.source);
      if (prefix) bump(agent.unmappedByPrefix, prefix);
      return;
    }
    let tool: string | null = null;
    if (owner.toolRole) {
      tool = (event.accessKeyId && this.sessions.get(event.accessKeyId)) || null;
      if (!tool) agent.untaggedToolCalls++;
    }
    const resources = event.resources;
    const denied = isDenied(event.errorCode);
    const grants = this.grants.get(owner.agent)!;
    for (let a = 0; a < mapped.actions.length; a++) {
      const action = mapped.actions[a];
      const lower = mapped.lower[a];
      let refs = grants.byAction.get(lower);
      if (!refs) {
        const exact = grants.exact.get(lower) ?? NONE;
        refs = grants.wildcard.length ? [...exact, ...grants.wildcard.filter((ref) => globMatches(ref.pattern, lower, true))] : exact;
        grants.byAction.set(lower, refs);
      }
      // Tool sessions: only the session's own tool; the execution role: every tool granting it.
      if (tool) refs = refs.filter((ref) => ref.tool === tool);
      if (denied) {
        const resource = resources[0] ?? null;
        const key = `${owner.identity}\0${tool ?? ""}\0${lower}\0${resource ?? ""}`;
        const need = agent.needs.get(key);
        if (need) need.count++;
        else if (agent.needs.size < CAP) agent.needs.set(key, { identity: owner.identity, tool, action, resource, errorCode: event.errorCode!, count: 1 });
        continue;
      }
      if (!refs.length) {
        bump(agent.otherCalls, `${owner.identity}\0${action}`);
        continue;
      }
      for (const ref of refs) {
        let matched: string[] | null = null;
        if (resources.length) {
          for (let k = 0; k < ref.resources.length; k++) {
            const matcher = ref.matchers[k];
            if (resources.some((r) => matcher(r))) (matched ??= []).push(ref.resources[k]);
          }
          // Allowed by this grant yet outside its resources: another grant allowed it; not this one's use.
          if (!matched && ref.resources.length) continue;
        }
        let use = agent.uses.get(ref.key);
        if (!use) agent.uses.set(ref.key, (use = { count: 0, resources: new Set(), anyResource: false }));
        use.count++;
        // No resource read: the grant was used, resource unknown.
        if (!resources.length) use.anyResource = true;
        if (matched) for (const pattern of matched) use.resources.add(pattern);
      }
    }
  }

  addVaultRequest(request: VaultRequest): void {
    if (!this.inWindow(request.time)) return;
    this.evidence.vaultRequests++;
    const who = attributeVault(this.index, request);
    if (!who.agent) return;
    const agent = this.evidence.agents.get(who.agent)!;
    bump(agent.vaultPaths, request.path);
    if (who.tool && !request.error) bump(agent.vaultUses, who.tool);
    if (request.error && /permission denied/i.test(request.error)) {
      const key = `vault\0${who.tool ?? ""}\0${request.path}`;
      const need = agent.needs.get(key);
      if (need) need.count++;
      else if (agent.needs.size < CAP)
        agent.needs.set(key, {
          identity: who.identity ?? "execution",
          tool: who.tool,
          action: `vault:${request.operation || "request"}`,
          resource: request.path,
          errorCode: "permission denied",
          count: 1,
        });
    }
  }
}

/** Is the absence of this granted action from the trail evidence that it is unused? */
export function actionCovered(pattern: string, dataEvents: ReadonlySet<string>): boolean {
  if (hasWildcard(pattern)) return false;
  if (!isDataAction(pattern)) return true;
  return dataEvents.has(pattern.split(":")[0].toLowerCase());
}
