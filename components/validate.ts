/**
 * Validation shared by the components: parse the declaration, compile it, run every rule,
 * and fail with one error listing every violation before any child resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { compileFleet } from "./core/compile";
import type { FleetPlan } from "./core/plan-types";
import { DeclarationError, parseDeclaration, type DeclarationInput } from "./core/schema";
import { ALL_RULES, errorsOf, evaluatePlan, formatViolation, type Evaluation } from "./rules";

export interface ValidatedPlan {
  readonly plan: FleetPlan;
  readonly evaluation: Evaluation;
}

export class PlanViolationError extends Error {
  constructor(
    readonly subject: string,
    readonly evaluation: Evaluation,
  ) {
    const errors = errorsOf(evaluation);
    super(`${subject}: ${errors.length} least-privilege violation(s)\n${errors.map((v) => `  - ${formatViolation(v)}`).join("\n")}`);
    this.name = "PlanViolationError";
  }
}

/** Pure: declaration → validated plan, or a `DeclarationError` / `PlanViolationError`. */
export function planDeclaration(input: DeclarationInput | unknown, stack: string, now: Date, source = "declaration"): ValidatedPlan {
  const declaration = parseDeclaration(input, source);
  const plan = compileFleet(declaration, stack);
  const evaluation = evaluatePlan(plan, ALL_RULES, now);
  if (errorsOf(evaluation).length > 0) throw new PlanViolationError(source, evaluation);
  return { plan, evaluation };
}

/** The same, for a component: errors become a `pulumi.ResourceError` naming the component. */
export function planForComponent(
  input: unknown,
  stack: string,
  now: Date,
  component: pulumi.Resource | undefined,
  subject: string,
): ValidatedPlan {
  try {
    const result = planDeclaration(input, stack, now, subject);
    for (const warning of result.evaluation.violations) pulumi.log.warn(formatViolation(warning), component);
    for (const waived of result.evaluation.waived) {
      pulumi.log.info(`${formatViolation(waived)} [waived until ${waived.waiver.expires} by ${waived.waiver.approvedBy}: ${waived.waiver.reason}]`, component);
    }
    return result;
  } catch (error) {
    if (error instanceof DeclarationError || error instanceof PlanViolationError) {
      throw new pulumi.ResourceError(error.message, component, /* hideStack */ true);
    }
    throw error;
  }
}
