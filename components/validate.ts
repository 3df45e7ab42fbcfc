/**
 * Validation as the components report it: the pure checks of `./plan`, with warnings logged against
 * the component and errors turned into a `pulumi.ResourceError` that names it.
 */
import * as pulumi from "@pulumi/pulumi";
import { DeclarationError } from "./core/schema";
import { PlanViolationError, type ValidatedPlan } from "./plan";
import { formatViolation, formatWaiver } from "./rules";

export { PlanViolationError, planAgentDeclaration, planDeclaration, type ValidatedPlan } from "./plan";

/** Validate for a component: errors become a `pulumi.ResourceError` naming the component. */
export function planForComponent(component: pulumi.Resource | undefined, plan: () => ValidatedPlan): ValidatedPlan {
  try {
    const result = plan();
    for (const warning of result.evaluation.violations) pulumi.log.warn(formatViolation(warning), component);
    for (const waiver of result.evaluation.waivers) pulumi.log.info(`exception in force: ${formatWaiver(waiver)}`, component);
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
