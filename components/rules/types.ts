/**
 * What every rule is and says. Rules are pure functions over the plan; their metadata feeds
 * `docs/controls.md` and the policy pack.
 */
import type { FleetPlan } from "../core/plan-types";
import type { IdentityKind } from "../core/names";

export type Severity = "error" | "warning";

export type RuleFamily = "iam" | "separation" | "trust" | "kubernetes" | "vault" | "limits" | "stack" | "lifecycle" | "context" | "database" | "organisation";

/** The standards a rule gives evidence for. */
export interface StandardsMapping {
  /** OWASP Non-Human Identities Top 10 (2025), e.g. "NHI5". */
  readonly owaspNhi: readonly string[];
  /** OWASP Top 10 for Agentic Applications, e.g. "ASI03". */
  readonly owaspAsi: readonly string[];
  /** CSA MAESTRO layer, e.g. "L4 Deployment & Infrastructure". */
  readonly maestro: readonly string[];
  /** NIST AI RMF subcategory, e.g. "MANAGE 2.4". */
  readonly nistAiRmf: readonly string[];
}

export interface RuleMeta {
  /** Stable id `<family>/<name>`: used in messages, exceptions and docs. Never reuse or rename. */
  readonly id: string;
  readonly family: RuleFamily;
  readonly description: string;
  readonly severity: Severity;
  readonly standards: StandardsMapping;
  /** Whether a reviewed exception may waive it; set from the one table in waivable.ts. */
  readonly waivable: boolean;
  /**
   * Where the CrossGuard pack runs it: on each resource's inputs, across the stack's resources, or
   * not at all, with the reason (printed in docs/controls.md). The pack is generated from this.
   */
  readonly pack: PackCoverage;
}

/** A rule the pack runs per resource and/or across the stack, or a plan-only rule and why. */
export type PackCoverage =
  | { readonly resource?: true; readonly stack?: true; readonly planOnly?: never }
  | { readonly planOnly: string; readonly resource?: never; readonly stack?: never };

export interface Finding {
  readonly agent: string;
  /** null for findings about the agent as a whole. */
  readonly identity: IdentityKind | null;
  readonly message: string;
  readonly fix: string;
}

export interface Violation extends Finding {
  readonly rule: string;
  readonly severity: Severity;
}

export interface WaivedViolation extends Violation {
  readonly waiver: { readonly reason: string; readonly approvedBy: string; readonly expires: string };
}

export interface RuleContext {
  readonly plan: FleetPlan;
  /** The evaluation date (for expiry checks); injected so results are reproducible. */
  readonly now: Date;
  /** The rules being evaluated (exceptions must name one of them, and a waivable one). @default none */
  readonly rules?: readonly RuleMeta[];
  /** True when the plan holds one standalone agent, not the whole stack (exceptions may name agents it cannot see). */
  readonly partial?: boolean;
}

export interface PlanRule extends RuleMeta {
  check(context: RuleContext): Finding[];
}
