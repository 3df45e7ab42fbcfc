import type { Tier } from "./schema";

/** Ceilings a tier imposes. Organisation limits may only lower them (see `effectiveTierPolicy`). */
export interface TierPolicy {
  /** Vault token TTL for the tier's Kubernetes-auth roles, in seconds. */
  readonly tokenTtl: number;
  /** Vault token max TTL: also the ceiling for every dynamic secret TTL of the agent. */
  readonly tokenMaxTtl: number;
  /** Ceiling for `maxStsTtl` of Vault AWS secret roles, in seconds. AWS caps assumed_role at 12h; we keep 1h. */
  readonly maxStsTtl: number;
  /** IAM role `maxSessionDuration`, in seconds (AWS accepts 3600..43200). */
  readonly maxSessionDuration: number;
  /** Tier requires a permissions boundary on every role. */
  readonly requiresPermissionsBoundary: boolean;
  /** Tier requires a namespace of its own (no shared namespace). */
  readonly requiresOwnNamespace: boolean;
  /** Tier requires a recorded approval (ticket and approver). */
  readonly requiresApproval: boolean;
  /** Tier requires `sts:RoleSessionName` to name the agent and identity (traceable sessions). */
  readonly requiresTraceableSessions: boolean;
  /** Highest data class the tier may touch. */
  readonly maxDataClass: DataClass;
}

export const DATA_CLASSES = ["public", "internal", "confidential", "restricted"] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

export function dataClassRank(value: DataClass): number {
  return DATA_CLASSES.indexOf(value);
}

/** Defaults tighten as the tier rises: batch < assistant < high-risk. */
export const TIER_POLICIES: Readonly<Record<Tier, TierPolicy>> = {
  batch: {
    tokenTtl: 15 * 60,
    tokenMaxTtl: 60 * 60,
    maxStsTtl: 60 * 60,
    maxSessionDuration: 3600,
    requiresPermissionsBoundary: false,
    requiresOwnNamespace: false,
    requiresApproval: false,
    requiresTraceableSessions: false,
    maxDataClass: "confidential",
  },
  assistant: {
    tokenTtl: 10 * 60,
    tokenMaxTtl: 30 * 60,
    maxStsTtl: 30 * 60,
    maxSessionDuration: 3600,
    requiresPermissionsBoundary: false,
    requiresOwnNamespace: false,
    requiresApproval: false,
    requiresTraceableSessions: false,
    maxDataClass: "confidential",
  },
  "high-risk": {
    tokenTtl: 5 * 60,
    tokenMaxTtl: 15 * 60,
    maxStsTtl: 15 * 60,
    maxSessionDuration: 3600,
    requiresPermissionsBoundary: true,
    requiresOwnNamespace: true,
    requiresApproval: true,
    requiresTraceableSessions: true,
    maxDataClass: "restricted",
  },
};

export interface OrganisationLimits {
  /** Lower every tier's Vault token max TTL to at most this (seconds). */
  readonly tokenMaxTtl?: number;
  /** Lower every tier's Vault token TTL to at most this (seconds). */
  readonly tokenTtl?: number;
  /** Lower every tier's `maxStsTtl` ceiling (seconds). */
  readonly maxStsTtl?: number;
  /** Lower every role's `maxSessionDuration` (seconds, at least 3600 as AWS requires). */
  readonly maxSessionDuration?: number;
  /** Require a permissions boundary for every tier, not only high-risk. */
  readonly requirePermissionsBoundary?: boolean;
  /** Require a recorded approval for every tier. */
  readonly requireApproval?: boolean;
  /** Lower the highest data class any agent may declare. */
  readonly maxDataClass?: DataClass;
}

const minDefined = (a: number, b: number | undefined) => (b === undefined ? a : Math.min(a, b));

/** The tier's policy after organisation limits: limits only ever tighten. */
export function effectiveTierPolicy(tier: Tier, limits: OrganisationLimits = {}): TierPolicy {
  const base = TIER_POLICIES[tier];
  const tokenMaxTtl = minDefined(base.tokenMaxTtl, limits.tokenMaxTtl);
  const maxDataClass = limits.maxDataClass && dataClassRank(limits.maxDataClass) < dataClassRank(base.maxDataClass) ? limits.maxDataClass : base.maxDataClass;
  return {
    tokenTtl: Math.min(minDefined(base.tokenTtl, limits.tokenTtl), tokenMaxTtl),
    tokenMaxTtl,
    maxStsTtl: Math.min(minDefined(base.maxStsTtl, limits.maxStsTtl), tokenMaxTtl),
    maxSessionDuration: minDefined(base.maxSessionDuration, limits.maxSessionDuration),
    requiresPermissionsBoundary: base.requiresPermissionsBoundary || !!limits.requirePermissionsBoundary,
    requiresOwnNamespace: base.requiresOwnNamespace,
    requiresApproval: base.requiresApproval || !!limits.requireApproval,
    requiresTraceableSessions: base.requiresTraceableSessions,
    maxDataClass,
  };
}
