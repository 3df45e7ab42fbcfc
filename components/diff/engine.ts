/**
 * Plan × plan → identity diff. Pure and deterministic: the same two plans always give the same
 * changes in the same order, whatever order the plans list agents, statements or actions in.
 */
import { DATA_CLASSES } from "../core/tiers";
import type { ActionCatalog } from "./access-level";
import { compareText } from "./conditions";
import type { LocalChange } from "./entry-changes";
import { identityChanges } from "./identity-changes";
import type { Agent, Plan } from "./read-plan";
import { sameAgent, sameIdentity } from "./same";
import { CHANGE_KINDS, type Change, type ChangeKind, type Classification, type DiffSide, type FlaggedItem, type IdentityDiff } from "./types";

/** Tiers by how much they allow: a move to the right raises the ceilings (widens). */
const TIER_LOOSENESS = ["high-risk", "assistant", "batch"];
const IDENTITY_ORDER = ["orchestration", "execution", "audit"];

function local(kind: ChangeKind, classification: Classification, subject: string, before: string | null, after: string | null, notes: string[] = [], commands?: string[]): LocalChange {
  return { kind, classification, before, after, detail: { subject, notes, ...(commands ? { commands } : {}) } };
}

/** Ordered values: moving up the order widens, down narrows; unknown values: neutral. */
function rankedChange(kind: ChangeKind, subject: string, order: readonly string[], before: string | null, after: string | null): LocalChange[] {
  if (before === after) return [];
  const [b, a] = [order.indexOf(before ?? ""), order.indexOf(after ?? "")];
  const classification: Classification = b < 0 || a < 0 ? "neutral" : a > b ? "widens" : "narrows";
  return [local(kind, classification, subject, before, after)];
}

function neutralChange(kind: ChangeKind, subject: string, before: string | number | null, after: string | number | null, notes: string[] = []): LocalChange[] {
  return before === after ? [] : [local(kind, "neutral", subject, before === null ? null : String(before), after === null ? null : String(after), notes)];
}

const roles = (agent: Agent) => agent.identities.map((i) => i.iamRole.name).join(", ");
const vaultRoles = (agent: Agent) => agent.identities.flatMap((i) => (i.vaultRole ? [i.vaultRole.name] : [])).join(", ") || "(none)";
const describeAgent = (agent: Agent) => `tier ${agent.tier}, owner ${agent.owner}, ${agent.identities.length} identities`;

function revocationChanges(base: Agent, head: Agent): LocalChange[] {
  const [was, is] = [base.revoked, head.revoked];
  if (!was && !is) return [];
  const text = (r: NonNullable<Agent["revoked"]>) => `${r.at}: ${r.reason}`;
  if (!was && is) {
    const notes = ["every session issued before this time is denied, new sessions cannot start, Vault roles and secret roles are removed"];
    if (is.leaseRevokeCommands.length > 0) notes.push("once applied, end the leases already issued with the lease revoke commands");
    return [local("agent-revoked", "narrows", head.name, null, text(is), notes, [...is.leaseRevokeCommands])];
  }
  if (was && !is) return [local("agent-reinstated", "widens", head.name, text(was), null, ["the agent can obtain credentials again"])];
  if (was!.at === is!.at && was!.reason === is!.reason) return [];
  // A later revocation time denies more sessions; an earlier one fewer.
  const classification: Classification = is!.at === was!.at ? "neutral" : Date.parse(is!.at) > Date.parse(was!.at) ? "narrows" : "widens";
  return [local("agent-revoked", classification, head.name, text(was!), text(is!), ["revocation time or reason changed"], [...is!.leaseRevokeCommands])];
}

function agentFieldChanges(base: Agent, head: Agent): LocalChange[] {
  const expiry: LocalChange[] =
    base.expires === head.expires
      ? []
      : [local("expiry-changed", base.expires !== null && head.expires !== null && head.expires < base.expires ? "narrows" : "widens", "expires", base.expires, head.expires)];
  return [
    ...revocationChanges(base, head),
    ...rankedChange("tier-changed", "tier", TIER_LOOSENESS, base.tier, head.tier),
    ...rankedChange("data-class-changed", "maxDataClass", DATA_CLASSES, base.maxDataClass, head.maxDataClass),
    ...expiry,
    ...neutralChange("owner-changed", "owner", base.owner, head.owner),
    ...neutralChange("sponsor-changed", "sponsor", base.sponsor, head.sponsor),
    ...neutralChange("approval-changed", "approval", base.approval, head.approval),
    ...neutralChange("namespace-changed", "namespace", base.namespace, head.namespace, ["the ServiceAccounts move: see the trust and Vault binding changes"]),
    ...neutralChange("audit-retention-changed", "audit log retention (days)", base.auditRetentionDays, head.auditRetentionDays),
  ];
}

/** A removed and an added agent with the same owner, tier and tools is probably a rename. */
function renamePairs(removed: readonly Agent[], added: readonly Agent[]): Map<string, Agent> {
  const pairs = new Map<string, Agent>();
  const signature = (a: Agent) => JSON.stringify([a.owner, a.tier, a.tools]);
  const taken = new Set<string>();
  for (const r of removed) {
    const match = added.find((a) => !taken.has(a.name) && signature(a) === signature(r));
    if (match) {
      pairs.set(r.name, match);
      pairs.set(match.name, r);
      taken.add(match.name);
    }
  }
  return pairs;
}

function renameNote(from: Agent, to: Agent): string {
  return `looks like a rename of ${from.name} to ${to.name}; a rename is not in place: it deletes IAM roles ${roles(from)} and Vault roles ${vaultRoles(from)} and creates ${roles(to)} and ${vaultRoles(to)}; sessions, tokens and leases do not carry over`;
}

type Placed = { identity: string | null; change: LocalChange };

function agentChanges(base: Agent | undefined, head: Agent | undefined, catalog: ActionCatalog, renames: Map<string, Agent>): Placed[] {
  const atAgent = (changes: LocalChange[]): Placed[] => changes.map((change) => ({ identity: null, change }));
  if (!head) {
    const partner = renames.get(base!.name);
    const notes = [
      `deletes IAM roles ${roles(base!)} and Vault roles ${vaultRoles(base!)}`,
      "Vault leases already issued are not revoked by deleting the declaration: declare `revoked:` first to get the lease revoke commands",
      ...(partner ? [renameNote(base!, partner)] : []),
    ];
    return atAgent([local("agent-removed", "narrows", base!.name, describeAgent(base!), null, notes)]);
  }
  if (base && sameAgent(base, head)) return [];
  const out = base ? atAgent(agentFieldChanges(base, head)) : [];
  if (!base) {
    const partner = renames.get(head.name);
    out.push(...atAgent([local("agent-added", "widens", head.name, null, describeAgent(head), partner ? [renameNote(partner, head)] : [])]));
  }
  const kinds = new Set([...(base?.identities ?? []), ...head.identities].map((i) => i.kind));
  for (const kind of kinds) {
    const before = base?.identities.find((i) => i.kind === kind) ?? null;
    const after = head.identities.find((i) => i.kind === kind) ?? null;
    if (before && after && sameIdentity(before, after)) continue;
    for (const change of identityChanges(before, after, catalog, head.revoked !== null)) out.push({ identity: kind, change });
  }
  return out;
}

const KIND_ORDER = new Map<string, number>(CHANGE_KINDS.map((kind, index) => [kind, index]));

/** Agent-level changes first, then the three identities in their usual order, then any other. */
function identityRank(identity: string | null): string {
  if (identity === null) return "0";
  const index = IDENTITY_ORDER.indexOf(identity);
  return index >= 0 ? `1${index}` : `2${identity}`;
}

/** One sort key per change (computed once: a large diff sorts thousands of changes). */
function sortKey(c: Change): string {
  const kind = String(KIND_ORDER.get(c.kind)!).padStart(3, "0");
  const d = c.detail;
  return [c.agent, identityRank(c.identity), kind, d.subject, d.field ?? "", c.before ?? "", c.after ?? "", d.effect ?? "", d.conditions ?? ""].join("\u0000");
}

function sortChanges(changes: Change[]): Change[] {
  return changes
    .map((change) => ({ change, key: sortKey(change) }))
    .sort((a, b) => compareText(a.key, b.key))
    .map(({ change }) => change);
}

/** The resources a permission change applies to, wherever the change keeps them. */
function whereApplies(change: Change): string {
  if (change.detail.field === "action") return change.detail.subject;
  if (change.detail.field === "condition" || change.detail.field === "effect") return change.detail.target ?? "";
  return change.after ?? "";
}

function flaggedOf(changes: readonly Change[]): FlaggedItem[] {
  return changes.flatMap((change) =>
    change.classification !== "widens"
      ? []
      : (change.detail.actions ?? []).flatMap((label) =>
          label.flag === null
            ? []
            : [{ agent: change.agent, identity: change.identity, action: label.action, accessLevel: label.accessLevel, flag: label.flag, resource: whereApplies(change) }],
        ),
  );
}

export function diffPlans(base: Plan, head: Plan, catalog: ActionCatalog, labels: { base: string; head: string } = { base: "base", head: "head" }): IdentityDiff {
  const baseAgents = new Map(base.agents.map((a) => [a.name, a]));
  const headAgents = new Map(head.agents.map((a) => [a.name, a]));
  const names = [...new Set([...baseAgents.keys(), ...headAgents.keys()])].sort(compareText);
  const removed = base.agents.filter((a) => !headAgents.has(a.name));
  const added = head.agents.filter((a) => !baseAgents.has(a.name));
  const renames = renamePairs(removed, added);

  const changes = sortChanges(
    names.flatMap((name) => agentChanges(baseAgents.get(name), headAgents.get(name), catalog, renames).map(({ identity, change }) => ({ agent: name, identity, ...change }))),
  );
  const count = (c: Classification) => changes.filter((x) => x.classification === c).length;
  const flagged = flaggedOf(changes);
  const side = (plan: Plan, label: string): DiffSide => ({ label, stack: plan.stack });
  return {
    base: side(base, labels.base),
    head: side(head, labels.head),
    summary: {
      agentsChanged: new Set(changes.map((c) => c.agent)).size,
      agentsAdded: added.length,
      agentsRemoved: removed.length,
      agentsRevoked: changes.filter((c) => c.kind === "agent-revoked" && c.before === null).length,
      changes: changes.length,
      widening: count("widens"),
      narrowing: count("narrows"),
      neutral: count("neutral"),
      flagged: flagged.length,
    },
    flagged,
    changes,
  };
}
