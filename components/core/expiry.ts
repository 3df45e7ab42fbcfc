/**
 * Expiry is revocation: an agent past its `expires` date is compiled exactly as a revoked one
 * (grants become Deny, Vault roles and policies removed, the lease runbook in the plan), so the
 * rest of its stack keeps deploying while the expired agent is shut off. Pure: the date is passed in.
 */
import { isIsoDate, type AgentDeclaration } from "./schema";

const DAY_MS = 86_400_000;

/** Whole days from `now` (UTC date) to `date` (YYYY-MM-DD); negative when past. */
export function daysUntil(date: string, now: Date): number {
  return Math.round((Date.parse(`${date}T00:00:00Z`) - startOfDay(now)) / DAY_MS);
}

// The rules ask this of every agent with one `now`: its day is worked out once per instant (a
// Date can be changed, so the instant is the key, not the object).
let lastDay = { instant: Number.NaN, start: Number.NaN };

/** Midnight UTC of `now`'s date, in milliseconds. */
function startOfDay(now: Date): number {
  const instant = now.getTime();
  if (instant !== lastDay.instant) lastDay = { instant, start: Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`) };
  return lastDay.start;
}

/** An agent is valid through its `expires` date and expired from the next day on (UTC). */
export function isExpired(expires: string, now: Date): boolean {
  return isIsoDate(expires) && daysUntil(expires, now) < 0;
}

/**
 * The moment the agent expired: midnight UTC after its `expires` date. Fixed by the declaration (not
 * by when the plan runs), so the revocation policy does not change on every deployment.
 */
export function expiryMoment(expires: string): string {
  return new Date(Date.parse(`${expires}T00:00:00Z`) + DAY_MS).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The agent as it is compiled on `now`: an expired agent with no declared revocation gets one at
 * the moment it expired; anything else is returned unchanged (the same object).
 */
export function revokedWhenExpired(agent: AgentDeclaration, now: Date | undefined): AgentDeclaration {
  if (!now || agent.revoked || !isExpired(agent.expires, now)) return agent;
  return {
    ...agent,
    revoked: { at: expiryMoment(agent.expires), reason: `expired on ${agent.expires}; revoked automatically until the sponsor ${agent.sponsor} renews it` },
  };
}
