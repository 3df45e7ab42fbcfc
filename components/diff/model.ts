/**
 * The normalised plan the diff compares: only what matters for privilege, in a canonical form
 * (IAM statements flattened to sorted entries, TTLs in seconds, name lists sorted).
 */
import type { AgentPlan, IdentityPlan } from "../core/plan-types";
import type { ParsedPlan } from "../core/plan-schema";
import type { Entry } from "./statements";

export interface SecretRole {
  readonly type: string;
  readonly name: string;
  readonly dbName: string | null;
  readonly creationStatements: readonly string[];
  /** Empty for AWS roles and for database roles that declare none. */
  readonly revocationStatements: readonly string[];
  readonly roleArns: readonly string[];
  /** `defaultTtl`/`maxTtl` or `defaultStsTtl`/`maxStsTtl`, seconds, by field name. */
  readonly ttls: Readonly<Record<string, number>>;
}

export interface VaultRole {
  readonly name: string;
  /** The Kubernetes auth mount: which cluster's tokens log in. */
  readonly backend: string;
  readonly boundServiceAccountNames: readonly string[];
  readonly boundServiceAccountNamespaces: readonly string[];
  readonly audience: string | null;
  readonly tokenTtl: number;
  readonly tokenMaxTtl: number;
  readonly tokenPolicies: readonly string[];
}

export interface Identity {
  /** The identity as planned: leaves without a dedicated comparison are compared from here. */
  readonly raw: IdentityPlan;
  readonly kind: string;
  readonly serviceAccount: string;
  readonly iamRole: { readonly name: string; readonly arn: string; readonly maxSessionDuration: number; readonly permissionsBoundary: string | null };
  /** Sorted by entry key (as are `trust` and `vaultPaths`). */
  readonly permissions: readonly Entry[];
  readonly trust: readonly Entry[];
  readonly vaultRole: VaultRole | null;
  readonly vaultPolicy: string | null;
  readonly vaultPaths: readonly Entry[];
  readonly secretRoles: readonly SecretRole[];
}

export interface Agent {
  /** The agent as planned: leaves without a dedicated comparison are compared from here. */
  readonly raw: AgentPlan;
  readonly name: string;
  readonly owner: string;
  readonly sponsor: string | null;
  readonly tier: string;
  readonly expires: string | null;
  readonly maxDataClass: string | null;
  readonly approval: string | null;
  readonly namespace: string | null;
  readonly auditRetentionDays: number | null;
  readonly tools: readonly string[];
  /** `instant`: milliseconds since the epoch, so `…Z` and `…+00:00` or `.000` compare equal. */
  readonly revoked: { readonly at: string; readonly instant: number; readonly reason: string; readonly leaseRevokeCommands: readonly string[] } | null;
  readonly identities: readonly Identity[];
}

export interface Plan {
  readonly stack: string;
  readonly platform: ParsedPlan["platform"];
  /** Sorted by name. */
  readonly agents: readonly Agent[];
}
