/**
 * Validation shared by the components: parse the declaration, compile it, run every rule,
 * and fail with one error listing every violation before any child resource exists.
 */
import { agentClusterIssues } from "./core/clusters";
import * as pulumi from "@pulumi/pulumi";
import { compileFleet } from "./core/compile";
import type { FleetPlan } from "./core/plan-types";
import { crossFieldIssues } from "./core/consistency";
import { DeclarationError, issuesOf, parseAgent, parseDeclaration, parsePlatform, type Declaration, type DeclarationInput } from "./core/schema";
import { ALL_RULES, errorsOf, evaluatePlan, formatViolation, formatWaiver, type Evaluation } from "./rules";

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
    super(`${subject}: ${errors.length} policy violation(s)\n${errors.map((v) => `  - ${formatViolation(v)}`).join("\n")}`);
    this.name = "PlanViolationError";
  }
}

/** Pure: declaration → validated plan, or a `DeclarationError` / `PlanViolationError`. */
export function planDeclaration(input: DeclarationInput | unknown, stack: string, now: Date, source = "declaration"): ValidatedPlan {
  return evaluateDeclaration(parseDeclaration(input, source), stack, now, source);
}

/** One agent on a platform: errors point at `platform.…` or `agent.…` rather than `agents.0.…`. */
export function planAgentDeclaration(platform: unknown, agent: unknown, stack: string, now: Date, source = "agent"): ValidatedPlan {
  const issues: DeclarationError["issues"][number][] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof DeclarationError)) throw error;
      issues.push(...error.issues);
      return undefined;
    }
  };
  const parsedPlatform = attempt(() => parsePlatform(platform, source));
  const parsedAgent = attempt(() => parseAgent(agent, source));
  if (!parsedPlatform || !parsedAgent) throw new DeclarationError(source, issues);
  const crossField = [...crossFieldIssues(parsedPlatform, parsedAgent), ...agentClusterIssues(parsedPlatform, parsedAgent)];
  if (crossField.length) throw new DeclarationError(source, issuesOf(crossField, "agent", agent));
  return evaluateDeclaration({ platform: parsedPlatform, agents: [parsedAgent] }, stack, now, source, true);
}

function evaluateDeclaration(declaration: Declaration, stack: string, now: Date, source: string, partial = false): ValidatedPlan {
  const plan = compileFleet(declaration, stack);
  const evaluation = evaluatePlan(plan, ALL_RULES, now, { partial });
  if (errorsOf(evaluation).length > 0) throw new PlanViolationError(source, evaluation);
  return { plan, evaluation };
}

/** The same, for a component: errors become a `pulumi.ResourceError` naming the component. */
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
