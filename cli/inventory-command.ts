/**
 * `agent-identity inventory`: the list the owner and sponsor recertify each quarter, from the same
 * plan `pulumi up` deploys: a stack file's, or a plan JSON (`plan --json`, or written by a program
 * that declares its fleet in code from `fleet.plan`). Exit 0: inventory printed. Exit 1: printed,
 * but the stack has policy violations (listed on stderr: a failing stack is exactly what a review
 * must still see). Exit 2: malformed input, nothing printed.
 */
import { readFileSync } from "node:fs";
import { PlanSchemaError, parsePlan } from "../components/core/plan-schema";
import type { FleetPlan } from "../components/core/plan-types";
import { ALL_RULES, errorsOf, evaluatePlan, formatViolation, type Evaluation } from "../components/rules";
import { parseDate, planStackFile, type CommandResult } from "./plan-command";
import { stackFileOption } from "./stack-location";
import { buildInventory, parseWithinDays } from "./inventory";
import { renderInventory, type InventoryFormat } from "./inventory-format";

export interface InventoryOptions {
  readonly stack: string;
  readonly config?: string;
  /** A plan JSON file to list instead of a stack file. */
  readonly plan?: string;
  /** @default "markdown" */
  readonly format?: InventoryFormat;
  /** `30d`: only what expires within that many days (or has expired), grouped by owner. */
  readonly expiring?: string;
  /** YYYY-MM-DD: count days left from this date. @default today */
  readonly date?: string;
}

const failed = (lines: readonly string[]): CommandResult => ({
  exitCode: 2,
  stdout: "",
  stderr: ["inventory failed: invalid input", ...lines.map((l) => `  ${l}`), ""].join("\n"),
});

export function runInventory(options: InventoryOptions): CommandResult {
  const now = parseDate(options.date);
  const within = options.expiring === undefined ? undefined : parseWithinDays(options.expiring);
  const render = (plan: FleetPlan, evaluation: Evaluation): CommandResult => {
    const stdout = renderInventory(buildInventory(plan, evaluation.waivers, now), options.format ?? "markdown", within);
    const errors = errorsOf(evaluation).map(formatViolation);
    if (errors.length === 0) return { exitCode: 0, stdout, stderr: "" };
    const stderr = [`inventory: the stack has ${errors.length} policy violation(s); it cannot be deployed as declared`, ...errors.map((l) => `  ${l}`), ""];
    return { exitCode: 1, stdout, stderr: stderr.join("\n") };
  };
  if (options.plan !== undefined) {
    const plan = readPlanFile(options.plan);
    if ("error" in plan) return failed(plan.error);
    // The rules run again on the date of the review: what a program wrote months ago is judged today.
    return render(plan.plan, evaluatePlan(plan.plan, ALL_RULES, now));
  }
  const located = stackFileOption(options);
  if ("error" in located) return failed([located.error]);
  const outcome = planStackFile(located.file, options.stack, now);
  if (outcome.ok) return render(outcome.result.plan, outcome.result.evaluation);
  if (outcome.exitCode === 1 && outcome.violations?.plan) return render(outcome.violations.plan, outcome.violations.evaluation);
  return failed(outcome.lines);
}

/** A plan file: `plan --json`, `plan --format json`'s output (`{ok, plan}`), or `JSON.stringify(fleet.plan)`. */
function readPlanFile(file: string): { plan: FleetPlan } | { error: string[] } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    return { error: [`${file}: cannot read the plan file (${(error as NodeJS.ErrnoException).code ?? String(error)})`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { error: [`${file}: not JSON (${(error as Error).message}); expected a plan written by \`plan --json <file>\` or from a fleet's \`plan\``] };
  }
  const wrapped = json && typeof json === "object" && !Array.isArray(json) && "ok" in json ? (json as { ok: unknown; plan?: unknown }) : undefined;
  if (wrapped && wrapped.ok !== true) return { error: [`${file}: the output of a \`plan\` that failed (ok: false): there is no plan to list`] };
  try {
    return { plan: parsePlan(wrapped ? wrapped.plan : json, file) };
  } catch (error) {
    if (error instanceof PlanSchemaError) return { error: error.message.split("\n") };
    throw error;
  }
}
