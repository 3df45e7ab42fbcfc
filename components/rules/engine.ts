/**
 * Runs rules over a plan, applies reviewed exceptions, and formats violations as
 * `<agent>/<identity>: <rule-id>: <what is wrong> — <how to fix>`.
 */
import type { FleetPlan } from "../core/plan-types";
import type { PlanRule, RuleContext, Violation, WaivedViolation } from "./types";

export interface Evaluation {
  /** Violations not covered by an exception: errors fail the plan, warnings are shown. */
  readonly violations: readonly Violation[];
  /** Violations covered by a valid, unexpired exception: shown in the plan, not failing it. */
  readonly waived: readonly WaivedViolation[];
}

function compareViolations(a: Violation, b: Violation): number {
  const key = (v: Violation) => [v.agent, v.identity ?? "", v.rule, v.message].join("\u0000");
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function evaluatePlan(plan: FleetPlan, rules: readonly PlanRule[], now: Date): Evaluation {
  const context: RuleContext = { plan, now };
  const today = now.toISOString().slice(0, 10);
  const exceptions = plan.platform.exceptions.filter((exception) => exception.expires >= today);
  const violations: Violation[] = [];
  const waived: WaivedViolation[] = [];
  for (const rule of rules) {
    for (const finding of rule.check(context)) {
      const violation: Violation = { ...finding, rule: rule.id, severity: rule.severity };
      const exception = exceptions.find(
        (e) => e.rule === rule.id && e.agent === finding.agent && (e.identity === undefined || e.identity === finding.identity),
      );
      if (exception) {
        waived.push({ ...violation, waiver: { reason: exception.reason, approvedBy: exception.approvedBy, expires: exception.expires } });
      } else {
        violations.push(violation);
      }
    }
  }
  return { violations: violations.sort(compareViolations), waived: waived.sort(compareViolations) };
}

export function errorsOf(evaluation: Evaluation): Violation[] {
  return evaluation.violations.filter((v) => v.severity === "error");
}

export function formatViolation(v: Violation): string {
  return `${v.agent}/${v.identity ?? "*"}: ${v.rule}: ${v.message} — ${v.fix}`;
}
