/**
 * What to remove, from the evidence: only exact actions (never a wildcard pattern), resources and
 * whole tools, and only where the trail covers them and shows no use and no denied call. It never
 * adds or widens anything; a denied call is listed as a need for a person to decide on.
 */
import { globMatches } from "../core/patterns";
import { MAPPED_PREFIXES } from "./action-mapping";
import { actionCovered, type AgentEvidence, type DeclaredTool, type Evidence, type Need } from "./evidence";

/**
 * Why the trail cannot show an action unused, though it covers its events: the mapping reads no API
 * of its service, or this agent called APIs of that service the mapping does not list (any of which
 * may be what needs the action). Null when a missing use is evidence.
 */
function mappingGap(action: string, agent: AgentEvidence): string | null {
  const prefix = action.slice(0, action.indexOf(":")).toLowerCase();
  if (!MAPPED_PREFIXES.has(prefix)) return `the CloudTrail-to-IAM mapping here reads no API of ${prefix}`;
  const unmapped = agent.unmappedByPrefix.get(prefix);
  return unmapped ? `${unmapped} call(s) of ${prefix} APIs the mapping does not list: any of them may need it` : null;
}

export type ActionStatus = "used" | "unused" | "no evidence" | "pattern";

export interface ActionFinding {
  readonly action: string;
  readonly status: ActionStatus;
  readonly calls: number;
  /** Why "no evidence" or "pattern". */
  readonly reason?: string;
}

export interface StatementFinding {
  readonly index: number;
  readonly actions: readonly ActionFinding[];
  readonly resources: ReadonlyArray<{ readonly resource: string; readonly used: boolean | null }>;
  /** Actions to remove (exact strings as declared). */
  readonly removeActions: readonly string[];
  /** Resources to remove (exact strings as declared). */
  readonly removeResources: readonly string[];
  /** Every action goes: the whole statement is removed. */
  readonly removeStatement: boolean;
}

export interface ToolFinding {
  readonly name: string;
  readonly kind: DeclaredTool["kind"];
  readonly statements: readonly StatementFinding[];
  /** Vault requests on the tool's path (kv, database, vaultAws, and tagged aws tools' sessions). */
  readonly vaultRequests: number | null;
  readonly status: "used" | "unused" | "no evidence";
  readonly remove: boolean;
}

export interface AgentFinding {
  readonly agent: string;
  readonly revoked: boolean;
  readonly window: { readonly first: string | null; readonly last: string | null };
  readonly identityCalls: Readonly<Record<string, number>>;
  readonly tools: readonly ToolFinding[];
  readonly otherCalls: ReadonlyArray<{ readonly identity: string; readonly action: string; readonly calls: number }>;
  readonly needs: readonly Need[];
  readonly vaultPaths: ReadonlyArray<{ readonly path: string; readonly requests: number }>;
  readonly untaggedToolCalls: number;
}

export interface Proposal {
  readonly agents: readonly AgentFinding[];
  readonly removals: number;
}

export function propose(evidence: Evidence, revoked: ReadonlySet<string>): Proposal {
  const agents: AgentFinding[] = [];
  let removals = 0;
  // An empty trail, or one of another account, proves nothing: then nothing is removed.
  const anyEvidence = evidence.accountEvents > 0;
  for (const agent of evidence.agents.values()) {
    const finding = agentFinding(agent, evidence, anyEvidence && !revoked.has(agent.agent));
    removals += finding.tools.reduce(
      (n, t) => n + (t.remove ? 1 : t.statements.reduce((m, s) => m + (s.removeStatement ? 1 : s.removeActions.length + s.removeResources.length), 0)),
      0,
    );
    agents.push({ ...finding, revoked: revoked.has(agent.agent) });
  }
  return { agents, removals };
}

function agentFinding(agent: AgentEvidence, evidence: Evidence, mayRemove: boolean): Omit<AgentFinding, "revoked"> {
  const { dataEvents } = evidence.options;
  const needs = [...agent.needs.values()];
  const tools: ToolFinding[] = agent.tools.map((tool) => {
    const statements: StatementFinding[] = tool.statements.map((statement, index) => {
      const actions: ActionFinding[] = statement.actions.map((action) => {
        const use = agent.uses.get(`${tool.name}\0${index}\0${action}`);
        if (use) return { action, status: "used", calls: use.count };
        if (action.includes("*") || action.includes("?")) return { action, status: "pattern", calls: 0, reason: "a wildcard is never narrowed automatically" };
        if (!actionCovered(action, dataEvents))
          return { action, status: "no evidence", calls: 0, reason: `data event of ${action.split(":")[0]}: not in --data-events` };
        const gap = mappingGap(action, agent);
        if (gap) return { action, status: "no evidence", calls: 0, reason: gap };
        return { action, status: "unused", calls: 0 };
      });
      // A denied call of this action by this tool (or an unknown one), on one of this statement's resources
      // or on a resource not read, is evidence the grant is wanted: it is kept.
      const isNeeded = (action: string) =>
        needs.some(
          (n) =>
            n.action.toLowerCase() === action.toLowerCase() &&
            (n.tool === null || n.tool === tool.name) &&
            (n.resource === null || statement.resources.some((pattern) => globMatches(pattern, n.resource!))),
        );
      const removeActions = mayRemove ? actions.filter((a) => a.status === "unused" && !isNeeded(a.action)).map((a) => a.action) : [];
      const kept = statement.actions.filter((a) => !removeActions.includes(a));
      // Resources: judged only when every kept action is covered and each use read its resource.
      const keptUses = kept.map((a) => agent.uses.get(`${tool.name}\0${index}\0${a}`));
      const judgeable = kept.every((a) => actionCovered(a, dataEvents) && mappingGap(a, agent) === null) && keptUses.every((u) => !u?.anyResource);
      const usedResources = new Set(keptUses.flatMap((u) => (u ? [...u.resources] : [])));
      const resources = statement.resources.map((resource) => ({ resource, used: judgeable ? usedResources.has(resource) : null }));
      const unusedResources = resources.filter((r) => r.used === false).map((r) => r.resource);
      // Keep at least one resource: a statement with none is invalid; removing it whole is the action rule's job.
      const removeResources = mayRemove && kept.length && unusedResources.length < statement.resources.length ? unusedResources : [];
      return { index, actions, resources, removeActions, removeResources, removeStatement: kept.length === 0 };
    });
    // An audit log with no entry in the window proves nothing either.
    const vaultRequests = evidence.options.vaultAudit && evidence.vaultRequests > 0 ? (agent.vaultUses.get(tool.name) ?? 0) : null;
    let status: ToolFinding["status"];
    let remove: boolean;
    if (tool.kind === "aws") {
      const all = statements.flatMap((s) => s.actions);
      status = all.some((a) => a.status === "used") ? "used" : all.every((a) => a.status === "unused") ? "unused" : "no evidence";
      remove = mayRemove && statements.length > 0 && statements.every((s) => s.removeStatement);
    } else {
      status = vaultRequests === null ? "no evidence" : vaultRequests > 0 ? "used" : "unused";
      const toolNeeded = [...agent.needs.values()].some((n) => n.tool === tool.name);
      remove = mayRemove && status === "unused" && !toolNeeded;
    }
    return { name: tool.name, kind: tool.kind, statements, vaultRequests, status, remove };
  });
  return {
    agent: agent.agent,
    window: { first: agent.first, last: agent.last },
    identityCalls: Object.fromEntries(agent.identityCalls),
    tools,
    otherCalls: [...agent.otherCalls].map(([key, calls]) => {
      const [identity, action] = key.split("\0");
      return { identity, action, calls };
    }),
    needs: [...agent.needs.values()],
    vaultPaths: [...agent.vaultPaths].map(([path, requests]) => ({ path, requests })),
    untaggedToolCalls: agent.untaggedToolCalls,
  };
}
