/**
 * `agent-identity inventory`: the list the owner and sponsor recertify each quarter, from the same
 * plan `pulumi up` deploys. Exit 0: inventory printed. Exit 1: printed, but the stack has policy
 * violations (listed on stderr; an expired agent is exactly what a review must still see).
 * Exit 2: malformed input, nothing printed.
 */
import { formatViolation } from "../components/rules";
import { parseDate, planStackFile, type CommandResult } from "./plan-command";
import { stackFilePath } from "./stack-file";
import { buildInventory, parseWithinDays } from "./inventory";
import { renderInventory, type InventoryFormat } from "./inventory-format";

export interface InventoryOptions {
  readonly stack: string;
  readonly config?: string;
  /** @default "markdown" */
  readonly format?: InventoryFormat;
  /** `30d`: only what expires within that many days (or has expired), grouped by owner. */
  readonly expiring?: string;
  /** YYYY-MM-DD: count days left from this date. @default today */
  readonly date?: string;
}

export function runInventory(options: InventoryOptions): CommandResult {
  const now = parseDate(options.date);
  const within = options.expiring === undefined ? undefined : parseWithinDays(options.expiring);
  const file = options.config ?? stackFilePath(options.stack);
  const outcome = planStackFile(file, options.stack, now);
  if (outcome.ok) {
    const inventory = buildInventory(outcome.result.plan, outcome.result.evaluation.waivers, now);
    return { exitCode: 0, stdout: renderInventory(inventory, options.format ?? "markdown", within), stderr: "" };
  }
  const plan = outcome.violations?.plan;
  if (outcome.exitCode === 1 && plan && outcome.violations) {
    const inventory = buildInventory(plan, outcome.violations.evaluation.waivers, now);
    const errors = outcome.violations.evaluation.violations.filter((v) => v.severity === "error").map(formatViolation);
    return {
      exitCode: 1,
      stdout: renderInventory(inventory, options.format ?? "markdown", within),
      stderr: [`inventory: the stack has ${errors.length} policy violation(s); it cannot be deployed as declared`, ...errors.map((l) => `  ${l}`), ""].join(
        "\n",
      ),
    };
  }
  return { exitCode: outcome.exitCode, stdout: "", stderr: ["inventory failed: invalid stack file", ...outcome.lines.map((l) => `  ${l}`), ""].join("\n") };
}
