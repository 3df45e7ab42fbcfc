/**
 * Runs rules over a plan, applies reviewed exceptions, and formats violations as
 * `<agent>/<identity>: <rule-id>: <what is wrong> — <how to fix>`.
 */
import type { FleetPlan } from "../core/plan-types";
import type { PolicyException } from "../core/schema";
import { declaredAgents, exceptionInForce } from "./exceptions";
import type { PlanRule, RuleContext, RuleMeta, Violation, WaivedViolation } from "./types";

/** An exception that applies on the evaluation date, and how many violations it waived. */
export interface WaiverInForce {
  readonly rule: string;
  readonly agent: string;
  /** null: every identity of the agent. */
  readonly identity: string | null;
  readonly approvedBy: string;
  readonly expires: string;
  readonly reason: string;
  /** Violations it waived in this plan; 0 means it waives nothing and can be removed. */
  readonly waived: number;
}

export interface Evaluation {
  /** Violations not covered by an exception: errors fail the plan, warnings are shown. */
  readonly violations: readonly Violation[];
  /** Violations covered by a valid, unexpired exception: shown in the plan, not failing it. */
  readonly waived: readonly WaivedViolation[];
  /** Every exception in force (valid and unexpired), in declaration order, with what it waived. */
  readonly waivers: readonly WaiverInForce[];
}

export interface EvaluationOptions {
  /** The plan holds one standalone agent, not the whole stack. @default false */
  readonly partial?: boolean;
}

function compareViolations(a: Violation, b: Violation): number {
  const key = (v: Violation) => [v.agent, v.identity ?? "", v.rule, v.message].join("\u0000");
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

const covers = (exception: PolicyException, violation: Pick<Violation, "rule" | "agent" | "identity">) =>
  exception.rule === violation.rule && exception.agent === violation.agent && (exception.identity === undefined || exception.identity === violation.identity);

/**
 * The exception in force that waives a violation of `rule`, if any: the one test `plan` and the
 * policy pack both apply (the pack with exceptions from its CrossGuard configuration).
 */
export function waivingException(
  inForce: readonly PolicyException[],
  rule: Pick<RuleMeta, "waivable">,
  violation: Pick<Violation, "rule" | "agent" | "identity"> & { readonly waivable?: boolean },
): PolicyException | undefined {
  // A wildcard finding that reaches more than Read and List is never waived, though its rule may be.
  return rule.waivable && violation.waivable !== false ? inForce.find((e) => covers(e, violation)) : undefined;
}

export function evaluatePlan(plan: FleetPlan, rules: readonly PlanRule[], now: Date, options: EvaluationOptions = {}): Evaluation {
  const context: RuleContext = { plan, now, rules, partial: options.partial ?? false };
  const agents = declaredAgents(context);
  // Only a valid exception waives: in date, at most 90 days out, a waivable rule, a declared agent.
  const inForce = plan.platform.exceptions.filter((exception) => exceptionInForce(exception, rules, agents, now));
  const counts = new Map<PolicyException, number>();
  const violations: Violation[] = [];
  const waived: WaivedViolation[] = [];
  for (const rule of rules) {
    for (const finding of rule.check(context)) {
      const violation: Violation = { ...finding, rule: rule.id, severity: rule.severity };
      const exception = waivingException(inForce, rule, { ...violation, waivable: finding.waivable });
      if (exception) {
        counts.set(exception, (counts.get(exception) ?? 0) + 1);
        waived.push({ ...violation, waiver: { reason: exception.reason, approvedBy: exception.approvedBy, expires: exception.expires } });
      } else {
        violations.push(violation);
      }
    }
  }
  const planned = new Set(plan.agents.map((agent) => agent.name));
  const waivers = inForce
    .filter((e) => planned.has(e.agent))
    .map((e) => ({
      rule: e.rule,
      agent: e.agent,
      identity: e.identity ?? null,
      approvedBy: e.approvedBy,
      expires: e.expires,
      reason: e.reason,
      waived: counts.get(e) ?? 0,
    }));
  return { violations: violations.sort(compareViolations), waived: waived.sort(compareViolations), waivers };
}

export function errorsOf(evaluation: Evaluation): Violation[] {
  return evaluation.violations.filter((v) => v.severity === "error");
}

export function formatViolation(v: Violation): string {
  return `${v.agent}/${v.identity ?? "*"}: ${v.rule}: ${v.message} — ${v.fix}`;
}

/** One exception in force, for people: what it waives, for whom, who approved it, until when, why. */
export function formatWaiver(w: WaiverInForce): string {
  const count = w.waived === 0 ? "waives nothing in this plan (remove it?)" : `waives ${w.waived} violation${w.waived === 1 ? "" : "s"}`;
  return `${w.agent}/${w.identity ?? "*"}: ${w.rule}: ${count}; approved by ${w.approvedBy}, until ${w.expires}: ${w.reason}`;
}
