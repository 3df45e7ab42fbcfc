/**
 * Ownership lifecycle: every agent has an owner, a sponsor and an expiry; an expired agent
 * cannot be deployed, and high-risk agents carry a recorded approval.
 */
import { tierPolicyFor } from "../core/compile";
import { standards } from "./standards";
import type { PlanRule } from "./types";

const DAY_MS = 86_400_000;
/** Warn this many days before an agent expires. */
export const EXPIRY_WARNING_DAYS = 30;

const OFFBOARDING = standards(["NHI1"], ["ASI03"], ["L6 Security & Compliance"], ["GOVERN 1.7", "MANAGE 2.4"]);

/** Whole days from `now` (UTC date) to `date` (YYYY-MM-DD); negative when past. */
export function daysUntil(date: string, now: Date): number {
  const today = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  return Math.round((Date.parse(`${date}T00:00:00Z`) - today) / DAY_MS);
}

export const lifecycleRules: PlanRule[] = [
  {
    id: "lifecycle/expired",
    family: "lifecycle",
    description: "An agent past its `expires` date cannot be deployed.",
    severity: "error",
    standards: OFFBOARDING,
    check({ plan, now }) {
      return plan.agents.flatMap((agent) => {
        const days = daysUntil(agent.expires, now);
        // Valid through its expiry date. A revoked agent must still deploy: that is how it is shut off.
        if (days >= 0 || agent.revoked) return [];
        return [
          {
            agent: agent.name,
            identity: null,
            message: `expired on ${agent.expires} (${-days} day${days === -1 ? "" : "s"} overdue)`,
            fix: `have the sponsor ${agent.sponsor} re-approve and set a new \`expires\`, or remove the agent (or revoke it)`,
          },
        ];
      });
    },
  },
  {
    id: "lifecycle/expiring-soon",
    family: "lifecycle",
    description: `Warns when an agent expires within ${EXPIRY_WARNING_DAYS} days.`,
    severity: "warning",
    standards: OFFBOARDING,
    check({ plan, now }) {
      return plan.agents.flatMap((agent) => {
        const days = daysUntil(agent.expires, now);
        if (days < 0 || days > EXPIRY_WARNING_DAYS || agent.revoked) return [];
        return [
          {
            agent: agent.name,
            identity: null,
            message: `expires on ${agent.expires} (in ${days} day${days === 1 ? "" : "s"})`,
            fix: `ask the sponsor ${agent.sponsor} to review and extend \`expires\`, or plan the agent's removal`,
          },
        ];
      });
    },
  },
  {
    id: "lifecycle/approval-required",
    family: "lifecycle",
    description: "High-risk agents (or every agent, when the organisation requires it) carry a recorded approval: ticket and approver.",
    severity: "error",
    standards: standards(["NHI5"], ["ASI03"], ["L6 Security & Compliance"], ["GOVERN 2.1", "MAP 3.5"]),
    check({ plan }) {
      return plan.agents
        .filter((agent) => tierPolicyFor(plan.platform, agent).requiresApproval && !agent.approval)
        .map((agent) => ({
          agent: agent.name,
          identity: null,
          message: `tier ${agent.tier} requires a recorded approval and none is declared`,
          fix: "add `approval: { ticket: <change ticket>, approvedBy: <approver> }` after the security review",
        }));
    },
  },
];
