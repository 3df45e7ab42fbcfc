/**
 * Tool data classes compared by what the tools grant, not by their names. Each grant of an agent
 * (an AWS statement's action × resource, a secret role's content) takes the highest class of the
 * tools that grant it. A grant held at a higher class in the head than in the base widens: a tool
 * renamed while its class is raised, a grant moved from an internal tool into a confidential one,
 * a new tool above every class the agent had. Lowered classes narrow. Work is per agent, over its
 * own tools' grants (tens), so a large fleet stays linear in agents.
 */
import type { AgentPlan, IdentityPlan, SecretRolePlan } from "../core/plan-types";
import { DATA_CLASSES } from "../core/tiers";
import { compareText } from "./conditions";
import type { LocalChange } from "./entry-changes";
import { globSubsumes } from "./patterns";
import { permissionEntries, type RawStatement } from "./statements";

interface Grant {
  /** `aws Allow s3:getobject`, `secret database …`, or `tool kv <name>` when nothing else is known. */
  readonly key: string;
  /** AWS resource pattern, compared by containment; null for other grants. */
  readonly resource: string | null;
  readonly tool: string;
  readonly rank: number;
}

const rankOf = (dataClass: string) => DATA_CLASSES.indexOf(dataClass as (typeof DATA_CLASSES)[number]);

function statementsBySid(identities: readonly IdentityPlan[]): Map<string, RawStatement[]> {
  const bySid = new Map<string, RawStatement[]>();
  for (const identity of identities) {
    const policies = [...identity.iamRole.policies, ...(identity.toolRole?.policies ?? [])];
    for (const policy of policies)
      for (const statement of (policy.document as { Statement?: readonly (RawStatement & { Sid?: string })[] }).Statement ?? []) {
        if (statement.Sid) bySid.set(statement.Sid, [...(bySid.get(statement.Sid) ?? []), statement]);
      }
  }
  return bySid;
}

/** A secret role's content without its names (the tool, the Vault role name follow the tool's name). */
function secretKey(role: SecretRolePlan): string {
  return role.type === "database"
    ? `secret database ${role.dbName} ${JSON.stringify([...role.creationStatements].sort(compareText))}`
    : `secret aws ${JSON.stringify([...role.roleArns].sort(compareText))}`;
}

function grantsOf(agent: AgentPlan): Grant[] {
  const bySid = statementsBySid(agent.identities);
  const secretRoles = agent.identities.flatMap((identity) => identity.vault.secretRoles);
  const grants: Grant[] = [];
  for (const tool of agent.tools) {
    const rank = rankOf(tool.dataClass);
    const before = grants.length;
    // Conditions are left out: tagged sessions bind each statement to its tool's name by a tag.
    for (const sid of tool.statementSids ?? [])
      for (const e of permissionEntries(bySid.get(sid) ?? []))
        grants.push({ key: `aws ${e.effect} ${e.actionKey}`, resource: e.resource, tool: tool.name, rank });
    for (const role of secretRoles) if (role.tool === tool.name) grants.push({ key: secretKey(role), resource: null, tool: tool.name, rank });
    if (grants.length === before) grants.push({ key: `tool ${tool.kind} ${tool.name}`, resource: null, tool: tool.name, rank });
  }
  return grants;
}

const covers = (held: Grant, grant: Grant) =>
  held.key === grant.key &&
  (held.resource === grant.resource || (held.resource !== null && grant.resource !== null && globSubsumes(held.resource, grant.resource)));

/** The highest class at which `base` already granted this, or -1 when it did not. */
function baseRank(grant: Grant, base: readonly Grant[]): { rank: number; tool: string | null } {
  let best: { rank: number; tool: string | null } = { rank: -1, tool: null };
  for (const held of base) if (held.rank > best.rank && covers(held, grant)) best = { rank: held.rank, tool: held.tool };
  return best;
}

export function toolClassChanges(base: AgentPlan, head: AgentPlan): LocalChange[] {
  const [was, is] = [grantsOf(base), grantsOf(head)];
  // A grant the agent did not hold is compared with the highest class it had: a new tool above it widens.
  const ceiling = Math.max(-1, ...base.tools.map((t) => rankOf(t.dataClass)));
  const out: LocalChange[] = [];
  for (const tool of head.tools) {
    const mine = is.filter((g) => g.tool === tool.name);
    const rank = rankOf(tool.dataClass);
    const raised = mine
      .map((g) => ({ grant: g, from: baseRank(g, was) }))
      .filter(({ from }) => (from.rank < 0 ? ceiling >= 0 && rank > ceiling : rank > from.rank));
    if (raised.length > 0) {
      const sources = [
        ...new Set(
          raised.map(({ from }) =>
            from.tool ? `${from.tool} (${DATA_CLASSES[from.rank]})` : `no tool (the agent's highest class was ${DATA_CLASSES[ceiling]})`,
          ),
        ),
      ];
      const before = raised[0].from.rank >= 0 ? DATA_CLASSES[raised[0].from.rank] : DATA_CLASSES[ceiling];
      out.push({
        kind: "tool-data-class-changed",
        classification: "widens",
        before,
        after: tool.dataClass,
        detail: {
          subject: tool.name,
          notes: [
            `${raised.length} grant(s) now held at class ${tool.dataClass}, before by ${sources.join(", ")}; compared by what the tools grant, not their names`,
          ],
        },
      });
      continue;
    }
    const old = base.tools.find((t) => t.name === tool.name);
    const lowered = old && rankOf(old.dataClass) > rank;
    if (lowered)
      out.push({
        kind: "tool-data-class-changed",
        classification: "narrows",
        before: old.dataClass,
        after: tool.dataClass,
        detail: { subject: tool.name, notes: [] },
      });
  }
  return out;
}
