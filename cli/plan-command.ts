/**
 * `agent-identity plan`: the same validate-and-compile path `pulumi up` takes, with no cloud.
 * Exit 0: valid. Exit 1: least-privilege violations (listed on stderr). Exit 2: malformed input.
 */
import { writeFileSync } from "node:fs";
import { KubeContextsError, kubeContextsPath, resolveKubeContexts, writtenClusterNames } from "../components/core/kube-contexts";
import { DeclarationError } from "../components/core/schema";
import { PlanViolationError, planDeclaration, type ValidatedPlan } from "../components/plan";
import { formatViolation } from "../components/rules";
import { exceptionLines, renderPlan } from "./render-plan";
import { StackFileError, locateDeclarationError, readStackFile, type StackFile } from "./stack-file";
import { stackFileOption } from "./stack-location";
import { parseDate } from "./date-option";

// Shared with commands that do not load the planning code (check --all plans in worker threads).
export { parseDate };

export interface PlanOptions {
  readonly stack: string;
  readonly config?: string;
  readonly json?: string;
  readonly format?: "text" | "json";
  /** YYYY-MM-DD: evaluate expiry as of this date. @default today */
  readonly date?: string;
}

export interface CommandResult {
  readonly exitCode: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

export type PlanOutcome =
  | { readonly ok: true; readonly result: ValidatedPlan; readonly stackFile: StackFile }
  | { readonly ok: false; readonly exitCode: 1 | 2; readonly lines: string[]; readonly violations?: PlanViolationError; readonly stackFile?: StackFile };

/** Plan one stack file; never throws for bad input. */
export function planStackFile(file: string, stack: string, now: Date): PlanOutcome {
  let stackFile: StackFile;
  try {
    stackFile = readStackFile(file);
  } catch (error) {
    if (error instanceof StackFileError) return { ok: false, exitCode: 2, lines: error.message.split("\n") };
    throw error;
  }
  return planParsedStackFile(stackFile, stack, now);
}

export function planParsedStackFile(stackFile: StackFile, stack: string, now: Date): PlanOutcome {
  const contextLines = kubeContextLines(stackFile);
  try {
    const result = planDeclaration(stackFile.declaration, stack, now, stackFile.file);
    if (contextLines.length) return { ok: false, exitCode: 2, lines: contextLines };
    return { ok: true, result, stackFile };
  } catch (error) {
    if (error instanceof DeclarationError) return { ok: false, exitCode: 2, lines: [...locateDeclarationError(stackFile, error), ...contextLines] };
    if (contextLines.length) return { ok: false, exitCode: 2, lines: contextLines };
    if (error instanceof PlanViolationError) {
      return {
        ok: false,
        exitCode: 1,
        lines: error.evaluation.violations.filter((v) => v.severity === "error").map(formatViolation),
        violations: error,
        stackFile,
      };
    }
    throw error;
  }
}

/** `agent-identity:kubeContexts`, refused as `pulumi preview` (stacks/index.ts) refuses it. */
function kubeContextLines(stackFile: StackFile): string[] {
  const clusters = writtenClusterNames(stackFile.declaration.platform);
  if (clusters === null) return [];
  try {
    resolveKubeContexts(stackFile.kubeContexts, clusters);
    return [];
  } catch (error) {
    if (!(error instanceof KubeContextsError)) throw error;
    return error.problems.map((problem) => `${stackFile.locate(kubeContextsPath(problem))}: ${problem.message}`);
  }
}

export function runPlan(options: PlanOptions): CommandResult {
  const located = stackFileOption(options);
  if ("error" in located) return { exitCode: 2, stdout: "", stderr: `plan failed: ${located.error}\n` };
  const outcome = planStackFile(located.file, options.stack, parseDate(options.date));
  if (!outcome.ok) {
    if (options.format === "json") {
      const violations = outcome.violations?.evaluation.violations ?? [];
      // Exceptions in force are part of the record even when the plan fails for another reason.
      const waived = outcome.violations?.evaluation.waived ?? [];
      const waivers = outcome.violations?.evaluation.waivers ?? [];
      return {
        exitCode: outcome.exitCode,
        stdout: `${JSON.stringify({ ok: false, errors: outcome.lines, violations, waived, waivers }, null, 2)}\n`,
        stderr: "",
      };
    }
    const what = outcome.exitCode === 1 ? `${outcome.lines.length} policy violation(s)` : "invalid stack file";
    const exceptions = outcome.violations ? exceptionLines(outcome.violations.evaluation) : [];
    return { exitCode: outcome.exitCode, stdout: "", stderr: [`plan failed: ${what}`, ...outcome.lines.map((l) => `  ${l}`), ...exceptions, ""].join("\n") };
  }
  const { plan, evaluation } = outcome.result;
  if (options.json) writeFileSync(options.json, `${JSON.stringify(plan, null, 2)}\n`);
  if (options.format === "json") {
    const output = { ok: true, plan, warnings: evaluation.violations, waived: evaluation.waived, waivers: evaluation.waivers };
    return { exitCode: 0, stdout: `${JSON.stringify(output, null, 2)}\n`, stderr: "" };
  }
  return { exitCode: 0, stdout: `${renderPlan(plan, evaluation)}${options.json ? `plan written to ${options.json}\n` : ""}`, stderr: "" };
}
