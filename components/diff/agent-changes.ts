/** Changes to an agent's own fields: revocation, tier, data class, expiry, ownership; renames. */
import { DATA_CLASSES } from "../core/tiers";
import type { LocalChange } from "./entry-changes";
import type { Agent } from "./model";
import type { ChangeKind, Classification } from "./types";

/** Tiers by how much they allow: a move to the right raises the ceilings (widens). */
const TIER_LOOSENESS = ["high-risk", "assistant", "batch"];

export function local(
  kind: ChangeKind,
  classification: Classification,
  subject: string,
  before: string | null,
  after: string | null,
  notes: string[] = [],
  commands?: string[],
): LocalChange {
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

export const roles = (agent: Agent) => agent.identities.map((i) => i.iamRole.name).join(", ");
export const vaultRoles = (agent: Agent) => agent.identities.flatMap((i) => (i.vaultRole ? [i.vaultRole.name] : [])).join(", ") || "(none)";
export const describeAgent = (agent: Agent) => `tier ${agent.tier}, owner ${agent.owner}, ${agent.identities.length} identities`;

function revocationChanges(base: Agent, head: Agent): LocalChange[] {
  const [was, is] = [base.revoked, head.revoked];
  if (!was && !is) return [];
  const text = (r: NonNullable<Agent["revoked"]>) => `${r.at}: ${r.reason}`;
  if (!was && is) {
    const notes = ["every session issued before this time is denied, new sessions cannot start, Vault roles and secret roles are removed"];
    if (is.leaseRevokeCommands.length > 0)
      notes.push(
        "once applied, end the credentials already issued with the commands (vault lease revoke drops database users; Vault cannot end STS credentials, so AWS roles get the AWSRevokeOlderSessions policy)",
      );
    return [local("agent-revoked", "narrows", head.name, null, text(is), notes, [...is.leaseRevokeCommands])];
  }
  if (was && !is) return [local("agent-reinstated", "widens", head.name, text(was), null, ["the agent can obtain credentials again"])];
  // Compared as instants: `…T09:30:00Z`, `…T09:30:00.000Z` and `…T10:30:00+01:00` are one time.
  const sameInstant = was!.instant === is!.instant;
  if (sameInstant && was!.reason === is!.reason) return [];
  // A later revocation time denies more sessions (every one issued before it); an earlier one fewer.
  const classification: Classification = sameInstant ? "neutral" : is!.instant > was!.instant ? "narrows" : "widens";
  const note = sameInstant
    ? "revocation reason changed"
    : classification === "narrows"
      ? "a later revocation time denies more sessions"
      : "an earlier revocation time denies fewer sessions";
  return [local("agent-revoked", classification, head.name, text(was!), text(is!), [note], [...is!.leaseRevokeCommands])];
}

/** A shorter audit retention deletes the trail of what the agent did sooner: widens; longer is neutral. */
function retentionChange(before: number | null, after: number | null): LocalChange[] {
  if (before === after) return [];
  // null: the log group keeps events for ever.
  const shorter = after !== null && (before === null || after < before);
  const text = (days: number | null) => (days === null ? null : String(days));
  return [
    local("audit-retention-changed", shorter ? "widens" : "neutral", "audit log retention (days)", text(before), text(after), [
      shorter ? "the audit trail is deleted sooner: what the agent did can be reviewed for less time" : "the audit trail is kept longer",
    ]),
  ];
}

export function agentFieldChanges(base: Agent, head: Agent): LocalChange[] {
  const expiry: LocalChange[] =
    base.expires === head.expires
      ? []
      : [
          local(
            "expiry-changed",
            base.expires !== null && head.expires !== null && head.expires < base.expires ? "narrows" : "widens",
            "expires",
            base.expires,
            head.expires,
          ),
        ];
  return [
    ...revocationChanges(base, head),
    ...rankedChange("tier-changed", "tier", TIER_LOOSENESS, base.tier, head.tier),
    ...rankedChange("data-class-changed", "maxDataClass", DATA_CLASSES, base.maxDataClass, head.maxDataClass),
    ...expiry,
    ...neutralChange("owner-changed", "owner", base.owner, head.owner),
    ...neutralChange("sponsor-changed", "sponsor", base.sponsor, head.sponsor),
    ...neutralChange("approval-changed", "approval", base.approval, head.approval),
    ...neutralChange("namespace-changed", "namespace", base.namespace, head.namespace, ["the ServiceAccounts move: see the trust and Vault binding changes"]),
    ...retentionChange(base.auditRetentionDays, head.auditRetentionDays),
  ];
}

/**
 * A removed and an added agent with the same owner, tier and tools is probably a rename; so, less
 * surely, is one with the same owner and tier sharing a tool name (a rename that also adds a grant):
 * the new agent is then diffed against the removed one, so what it gains beyond the rename shows.
 */
export function renamePairs(removed: readonly Agent[], added: readonly Agent[]): Map<string, Agent> {
  const pairs = new Map<string, Agent>();
  const signature = (a: Agent) => JSON.stringify([a.owner, a.tier, a.tools]);
  const taken = new Set<string>();
  const pair = (r: Agent, match: Agent) => {
    pairs.set(r.name, match);
    pairs.set(match.name, r);
    taken.add(match.name);
  };
  for (const r of removed) {
    const match = added.find((a) => !taken.has(a.name) && signature(a) === signature(r));
    if (match) pair(r, match);
  }
  const toolNames = (a: Agent) => new Set(a.tools);
  for (const r of removed) {
    if (pairs.has(r.name)) continue;
    const names = toolNames(r);
    let best: Agent | undefined;
    let bestShared = 0;
    for (const a of added) {
      if (taken.has(a.name) || a.owner !== r.owner || a.tier !== r.tier) continue;
      const shared = [...toolNames(a)].filter((name) => names.has(name)).length;
      if (shared > bestShared) [best, bestShared] = [a, shared];
    }
    if (best) pair(r, best);
  }
  return pairs;
}

export function renameNote(from: Agent, to: Agent): string {
  return `looks like a rename of ${from.name} to ${to.name}; a rename is not in place: it deletes IAM roles ${roles(from)} and Vault roles ${vaultRoles(from)} and creates ${roles(to)} and ${vaultRoles(to)}; sessions, tokens and leases do not carry over`;
}
