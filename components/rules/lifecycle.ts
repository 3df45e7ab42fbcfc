/**
 * Ownership lifecycle: every agent has an owner, a sponsor and an expiry; an expired agent
 * cannot be deployed, and high-risk agents carry a recorded approval. The checks take what one
 * artifact says about its agent (the plan's agent, or a role's tags, a ServiceAccount's
 * annotations, a Vault role's alias metadata), so the plan rules and the policy pack share them.
 */
import { tierPolicyFor } from "../core/compile";
import { daysUntil } from "../core/expiry";
import { IDENTITY_KINDS } from "../core/names";
import { DATA_CLASSES, type TierPolicy } from "../core/tiers";
import { TIERS, isIsoDate } from "../core/schema";
import { attribute, familyRules, meta, type Problem, type RuleFinding, PACK, planOnly } from "./define";
import { standards } from "./standards";
import type { AgentPlan } from "../core/plan-types";
import type { RuleMeta } from "./types";

/** Warn this many days before an agent expires. */
export const EXPIRY_WARNING_DAYS = 30;
/** How far ahead an agent's `expires` may be, counted from the plan date. */
export const EXPIRY_HORIZON_DAYS = 366;
/** The shortest audit retention per tier: an incident found late still has its trail. */
export const MIN_AUDIT_RETENTION_DAYS: Readonly<Record<string, number>> = { batch: 30, assistant: 90, "high-risk": 365 };

const OFFBOARDING = standards(["NHI1"], ["ASI03"], ["L6 Security & Compliance"], ["GOVERN 1.7", "MANAGE 2.4"]);

export const LIFECYCLE_RULES: readonly RuleMeta[] = [
  meta(
    "lifecycle/expired",
    "lifecycle",
    "error",
    "An agent past its `expires` date that is not revoked. The plan compiles an expired agent as revoked (lifecycle/revoked-on-expiry), so this fires on resources that still carry an expired date without `revoked-at`, and on plans compiled without a date.",
    OFFBOARDING,
    PACK.resource,
  ),
  meta(
    "lifecycle/revoked-on-expiry",
    "lifecycle",
    "warning",
    "Expiry is revocation: an agent past its `expires` date is compiled as revoked at the moment it expired (grants become Deny, Vault roles and policies removed, its lease runbook printed) and reported with its sponsor; the rest of the stack deploys.",
    OFFBOARDING,
    planOnly("judged against the plan date; the pack sees the revoked agent's resources (revoked-at tags) as any revoked agent's"),
  ),
  meta("lifecycle/expiring-soon", "lifecycle", "warning", `Warns when an agent expires within ${EXPIRY_WARNING_DAYS} days.`, OFFBOARDING, PACK.resource),
  meta(
    "lifecycle/bounds",
    "lifecycle",
    "error",
    `An agent expires at most ${EXPIRY_HORIZON_DAYS} days after the plan date (so its sponsor reviews it at least yearly), keeps its audit trail at least ${Object.entries(
      MIN_AUDIT_RETENTION_DAYS,
    )
      .map(([tier, days]) => `${days} days (${tier})`)
      .join(", ")}, and turns audit deletion protection off only once revoked.`,
    OFFBOARDING,
    planOnly("judged against the plan date and the declaration's tier; the pack checks expiry tags (lifecycle/expired) but not how far ahead they are"),
  ),
  meta(
    "lifecycle/approval-required",
    "lifecycle",
    "error",
    "High-risk agents (or every agent, when the organisation requires it) carry a recorded approval: ticket and approver.",
    standards(["NHI5"], ["ASI03"], ["L6 Security & Compliance"], ["GOVERN 2.1", "MAP 3.5"]),
    planOnly("approvals are not written to any resource"),
  ),
];

/** The plan always has owner, sponsor and expiry (the schema requires them); resources may not (policy pack). */
export const LIFECYCLE_RESOURCE_RULES: readonly RuleMeta[] = [
  meta(
    "lifecycle/ownership-tags",
    "lifecycle",
    "error",
    "Agent roles, ServiceAccounts and Vault roles carry owner, sponsor, expiry (YYYY-MM-DD) and tier (roles also data class), so leaving them out cannot dodge the expiry and tier checks.",
    standards(["NHI1"], ["ASI03"], ["L6 Security & Compliance"], ["GOVERN 1.7", "GOVERN 2.1"]),
    PACK.resource,
  ),
];

export { daysUntil };

/** What an artifact says about its agent's expiry. */
export interface ExpiryRecord {
  readonly expires: string;
  readonly sponsor: string;
  readonly revoked: boolean;
}

export function checkExpiry(record: ExpiryRecord, now: Date): Problem[] {
  // A revoked agent must still deploy: that is how it is shut off.
  if (record.revoked || !isIsoDate(record.expires)) return [];
  const days = daysUntil(record.expires, now);
  if (days < 0) {
    return [
      {
        rule: "lifecycle/expired",
        message: `expired on ${record.expires} (${-days} day${days === -1 ? "" : "s"} overdue)`,
        fix: `have the sponsor ${record.sponsor} re-approve and set a new \`expires\`, or remove the agent (or revoke it)`,
      },
    ];
  }
  // Valid through its expiry date; warn in the last days.
  if (days > EXPIRY_WARNING_DAYS) return [];
  return [
    {
      rule: "lifecycle/expiring-soon",
      message: `expires on ${record.expires} (in ${days} day${days === 1 ? "" : "s"})`,
      fix: `ask the sponsor ${record.sponsor} to review and extend \`expires\`, or plan the agent's removal`,
    },
  ];
}

/** Bounds on what a declaration may promise: review horizon, audit retention, deletion protection. */
export function checkBounds(
  agent: {
    readonly tier: string;
    readonly expires: string;
    readonly sponsor: string;
    readonly revoked: unknown;
    readonly auditLogGroup: { readonly retentionDays: number; readonly deletionProtection: boolean };
  },
  now: Date,
): Problem[] {
  const problems: Problem[] = [];
  const revoked = agent.revoked !== null && agent.revoked !== undefined;
  if (!revoked && isIsoDate(agent.expires) && daysUntil(agent.expires, now) > EXPIRY_HORIZON_DAYS) {
    problems.push({
      rule: "lifecycle/bounds",
      message: `expires on ${agent.expires}, more than ${EXPIRY_HORIZON_DAYS} days after the plan date ${now.toISOString().slice(0, 10)}`,
      fix: `set expires within ${EXPIRY_HORIZON_DAYS} days; the sponsor ${agent.sponsor} extends it after each review`,
    });
  }
  // Unknown tier: the longest minimum (fail closed).
  const minimum = MIN_AUDIT_RETENTION_DAYS[agent.tier] ?? Math.max(...Object.values(MIN_AUDIT_RETENTION_DAYS));
  if (agent.auditLogGroup.retentionDays < minimum) {
    problems.push({
      rule: "lifecycle/bounds",
      message: `audit retention is ${agent.auditLogGroup.retentionDays} days; tier ${agent.tier} keeps its trail at least ${minimum} days`,
      fix: `set audit.logRetentionDays to ${minimum} or more`,
    });
  }
  if (!agent.auditLogGroup.deletionProtection && !revoked) {
    problems.push({
      rule: "lifecycle/bounds",
      message: "audit deletion protection is off for an agent that is not revoked",
      fix: "keep audit.deletionProtection true; turn it off only to retire a revoked agent's trail (README, Retiring an agent's audit trail)",
    });
  }
  return problems;
}

export function checkApproval(agent: { readonly tier: string; readonly approval: unknown }, tier: TierPolicy): Problem[] {
  if (!tier.requiresApproval || agent.approval) return [];
  return [
    {
      rule: "lifecycle/approval-required",
      message: `tier ${agent.tier} requires a recorded approval and none is declared`,
      fix: "add `approval: { ticket: <change ticket>, approvedBy: <approver> }` after the security review",
    },
  ];
}

export type OwnershipField = "identity" | "owner" | "sponsor" | "expires" | "tier" | "dataClass";

/**
 * Ownership fields as one resource carries them: `keys` says under which tag, label or metadata
 * key each field lives there (e.g. dataClass → "data-class"), `values` what the resource has.
 */
export interface OwnershipRecord {
  /** What carries them, for the message: "IAM tags", "ServiceAccount labels and annotations"... */
  readonly where: string;
  readonly keys: Readonly<Partial<Record<OwnershipField, string>>>;
  readonly values: Readonly<Partial<Record<OwnershipField, string>>>;
}

const VALID: Partial<Record<OwnershipField, { readonly test: (value: string) => boolean; readonly expected: string }>> = {
  expires: { test: isIsoDate, expected: "a date (YYYY-MM-DD)" },
  tier: { test: (value) => (TIERS as readonly string[]).includes(value), expected: `one of ${TIERS.join(", ")}` },
  dataClass: { test: (value) => (DATA_CLASSES as readonly string[]).includes(value), expected: `one of ${DATA_CLASSES.join(", ")}` },
  identity: { test: (value) => (IDENTITY_KINDS as readonly string[]).includes(value), expected: `one of ${IDENTITY_KINDS.join(", ")}` },
};

/** Pack only: the resource must say who owns the agent, until when, and at what tier. */
export function checkOwnershipRecord(record: OwnershipRecord): Problem[] {
  const fields = Object.keys(record.keys) as OwnershipField[];
  const missing = fields.filter((field) => !record.values[field]);
  const invalid = fields.filter((field) => record.values[field] && VALID[field] && !VALID[field]!.test(record.values[field]!));
  const fix = "create it with the Agent component, or set the same tags, labels and annotations the components write";
  const problems: Problem[] = [];
  if (missing.length) {
    problems.push({ rule: "lifecycle/ownership-tags", message: `${record.where} lack ${missing.map((field) => record.keys[field]).join(", ")}`, fix });
  }
  for (const field of invalid) {
    problems.push({
      rule: "lifecycle/ownership-tags",
      message: `${record.where}: ${record.keys[field]} is "${record.values[field]}", not ${VALID[field]!.expected}`,
      fix,
    });
  }
  return problems;
}

/** The warning for an agent the plan revoked because it expired: who renews it, and what to run. */
export function checkRevokedOnExpiry(agent: Pick<AgentPlan, "expires" | "sponsor" | "revoked">, now: Date): Problem[] {
  if (!agent.revoked?.onExpiry) return [];
  const days = -daysUntil(agent.expires, now);
  const runbook = agent.revoked.leaseRevokeCommands.length > 0 ? "; run its lease runbook (`agent-identity plan` prints it)" : "";
  return [
    {
      rule: "lifecycle/revoked-on-expiry",
      message: `expired on ${agent.expires} (${days} day${days === 1 ? "" : "s"} overdue) and is revoked: its grants are Deny, its Vault roles removed`,
      fix: `the sponsor ${agent.sponsor} re-approves and sets a new \`expires\` to restore it, or removes the agent${runbook}`,
    },
  ];
}

export const lifecycleRules = familyRules(LIFECYCLE_RULES, ({ plan, now }) => {
  const findings: RuleFinding[] = [];
  for (const agent of plan.agents) {
    findings.push(...attribute(agent.name, null, checkRevokedOnExpiry(agent, now)));
    findings.push(...attribute(agent.name, null, checkExpiry({ expires: agent.expires, sponsor: agent.sponsor, revoked: agent.revoked !== null }, now)));
    findings.push(...attribute(agent.name, null, checkApproval(agent, tierPolicyFor(plan.platform, agent))));
    findings.push(...attribute(agent.name, null, checkBounds(agent, now)));
  }
  return findings;
});
