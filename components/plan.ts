/**
 * Validation shared by the components and the CLI: parse the declaration, compile it, run every
 * rule, and fail with one error listing every violation before any child resource exists. Pure: it
 * does not load @pulumi/pulumi (most of the CLI's start-up time), so `plan` and `diff` start fast.
 */
import { compileFleet } from "./core/compile";
import type { FleetPlan } from "./core/plan-types";
import { agentClusterIssues } from "./core/clusters";
import { toolSessionAgentIssues } from "./core/tool-session-schema";
import { crossFieldIssues } from "./core/consistency";
import { DeclarationError, issuesOf, parseAgent, parseDeclaration, parsePlatform, type Declaration, type DeclarationInput } from "./core/schema";
import { ALL_RULES, errorsOf, evaluatePlan, formatViolation, type Evaluation } from "./rules";

export interface ValidatedPlan {
  readonly plan: FleetPlan;
  readonly evaluation: Evaluation;
}

export class PlanViolationError extends Error {
  constructor(
    readonly subject: string,
    readonly evaluation: Evaluation,
    /** The compiled plan the violations are about (the inventory still lists a failing stack). */
    readonly plan?: FleetPlan,
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
  const crossField = [
    ...crossFieldIssues(parsedPlatform, parsedAgent),
    ...agentClusterIssues(parsedPlatform, parsedAgent),
    ...toolSessionAgentIssues(parsedPlatform, parsedAgent),
  ];
  if (crossField.length) throw new DeclarationError(source, issuesOf(crossField, "agent", agent));
  return evaluateDeclaration({ platform: parsedPlatform, agents: [parsedAgent] }, stack, now, source, true);
}

function evaluateDeclaration(declaration: Declaration, stack: string, now: Date, source: string, partial = false): ValidatedPlan {
  const plan = compileFleet(declaration, stack, now);
  const evaluation = evaluatePlan(plan, ALL_RULES, now, { partial });
  if (errorsOf(evaluation).length > 0) throw new PlanViolationError(source, evaluation, plan);
  return { plan, evaluation };
}
