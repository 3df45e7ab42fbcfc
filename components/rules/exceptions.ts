/**
 * Reviewed exceptions are themselves checked: each lasts at most 90 days from the plan date, names
 * a rule that exists and may be waived, and an agent of the stack. An exception that fails any of
 * these waives nothing (the engine applies only valid ones) and is reported under its own rule.
 */
import type { PolicyException } from "../core/schema";
import { suggestField } from "../core/declaration-errors";
import { attribute, familyRules, meta, type Problem, type RuleFinding, planOnly } from "./define";
import { standards } from "./standards";
import type { RuleContext, RuleMeta } from "./types";

/** The longest an exception may run, counted from the plan's evaluation date. */
export const EXCEPTION_MAX_DAYS = 90;
const DAY_MS = 86_400_000;

const REVIEW = standards(["NHI1", "NHI5"], ["ASI03"], ["L6 Security & Compliance"], ["GOVERN 1.5", "MANAGE 2.4"]);

export const EXCEPTION_RULES: readonly RuleMeta[] = [
  meta(
    "lifecycle/exception-expiry",
    "lifecycle",
    "error",
    `An exception expires at most ${EXCEPTION_MAX_DAYS} days after the plan date, so it is reviewed again by then.`,
    REVIEW,
    planOnly(
      "exceptions are not resources: the pack reads them from its CrossGuard configuration (`exceptions`) and applies only those in force by the same test, reporting nothing about the rest",
    ),
  ),
  meta(
    "lifecycle/exception-scope",
    "lifecycle",
    "error",
    "An exception names a declared agent and an existing, waivable rule (escalation, trust, isolation, lifecycle and credential rules are never waivable).",
    REVIEW,
    planOnly(
      "exceptions are not resources: the pack reads them from its CrossGuard configuration (`exceptions`) and applies only those in force by the same test, reporting nothing about the rest",
    ),
  ),
];

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** The last date an exception may carry when planned on `now`. */
export function latestExceptionExpiry(now: Date): string {
  return isoDay(new Date(Date.parse(`${isoDay(now)}T00:00:00Z`) + EXCEPTION_MAX_DAYS * DAY_MS));
}

const describe = (e: PolicyException) => `exception for ${e.rule} (approved by ${e.approvedBy}, expires ${e.expires})`;

/** What is wrong with one exception. `agents` is null when the plan sees only part of the stack. */
export function checkException(exception: PolicyException, rules: readonly RuleMeta[], agents: ReadonlySet<string> | null, now: Date): Problem[] {
  const problems: Problem[] = [];
  const latest = latestExceptionExpiry(now);
  if (exception.expires > latest) {
    problems.push({
      rule: "lifecycle/exception-expiry",
      message: `${describe(exception)} runs past ${latest}, ${EXCEPTION_MAX_DAYS} days after the plan date ${isoDay(now)}`,
      fix: `set expires to ${latest} or earlier and review the exception again then (or fix the violation)`,
    });
  }
  const rule = rules.find((r) => r.id === exception.rule);
  if (!rule) {
    const suggestion = suggestField(
      exception.rule,
      rules.map((r) => r.id),
    );
    problems.push({
      rule: "lifecycle/exception-scope",
      message: `${describe(exception)} names no existing rule`,
      fix: suggestion ? `did you mean ${suggestion}? Rule ids are listed in docs/controls.md` : "name a rule id listed in docs/controls.md",
    });
  } else if (!rule.waivable) {
    problems.push({
      rule: "lifecycle/exception-scope",
      message: `${describe(exception)}: ${rule.id} is never waivable`,
      fix: `remove the exception and fix the violation; docs/controls.md marks which rules a reviewed exception may waive`,
    });
  }
  if (agents && !agents.has(exception.agent)) {
    problems.push({
      rule: "lifecycle/exception-scope",
      message: `${describe(exception)} names agent ${exception.agent}, which this stack does not declare`,
      fix: "correct the agent name, or remove the exception",
    });
  }
  return problems;
}

/** Whether an exception may waive anything at all on `now`: in date, and free of problems. */
export function exceptionInForce(exception: PolicyException, rules: readonly RuleMeta[], agents: ReadonlySet<string> | null, now: Date): boolean {
  return exception.expires >= isoDay(now) && checkException(exception, rules, agents, now).length === 0;
}

/** The stack's agents, or null when this plan is one standalone agent (other agents' exceptions are not its to judge). */
export function declaredAgents(context: RuleContext): ReadonlySet<string> | null {
  return context.partial ? null : new Set(context.plan.agents.map((agent) => agent.name));
}

export const exceptionRules = familyRules(EXCEPTION_RULES, (context) => {
  const findings: RuleFinding[] = [];
  const rules = context.rules ?? [];
  const agents = declaredAgents(context);
  const planned = new Set(context.plan.agents.map((agent) => agent.name));
  for (const exception of context.plan.platform.exceptions) {
    // An exception already past its date waives nothing; it is not an error to leave it for cleanup.
    if (exception.expires < isoDay(context.now)) continue;
    // One standalone agent judges only its own exceptions; the others' are judged where they are planned.
    if (!agents && !planned.has(exception.agent)) continue;
    findings.push(...attribute(exception.agent, exception.identity ?? null, checkException(exception, rules, agents, context.now)));
  }
  return findings;
});
