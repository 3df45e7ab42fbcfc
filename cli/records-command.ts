/**
 * `agent-identity records`: the CrossGuard policy configuration that pins every identity's plan
 * records (components/core/record-pins.ts), computed from the stack's declaration alone. The review
 * gate runs it from the base branch before `pulumi preview` and passes its output with
 * `--policy-pack-config`, so the program under review never runs before the pins are fixed.
 * Exit 0: printed. Exit 1: the plan has least-privilege violations (it would not deploy). Exit 2: malformed input.
 */
import { RECORDS_PINNED_RULE } from "../components/rules/pinned-records";
import { recordPinsOf } from "../components/core/record-pins";
import { policyName } from "../policy/policy-names";
import { PINNED_RECORDS_PROPERTY } from "../policy/pinned-records-property";
import { planStackFile, type CommandResult } from "./plan-command";
import { stackFileOption } from "./stack-location";
import { parseDate } from "./date-option";

export interface RecordsOptions {
  readonly stack: string;
  readonly config?: string;
  /** YYYY-MM-DD: compile as of this date (expiry is revocation). @default today */
  readonly date?: string;
}

export function runRecords(options: RecordsOptions): CommandResult {
  const located = stackFileOption(options);
  if ("error" in located) return { exitCode: 2, stdout: "", stderr: `records failed: ${located.error}\n` };
  const outcome = planStackFile(located.file, options.stack, parseDate(options.date));
  if (!outcome.ok) {
    const what = outcome.exitCode === 1 ? `${outcome.lines.length} policy violation(s); run \`agent-identity plan\`` : "invalid stack file";
    return { exitCode: outcome.exitCode, stdout: "", stderr: [`records failed: ${what}`, ...outcome.lines.map((l) => `  ${l}`), ""].join("\n") };
  }
  const config = { [policyName(RECORDS_PINNED_RULE, "stack")]: { [PINNED_RECORDS_PROPERTY]: recordPinsOf(outcome.result.plan) } };
  // Compact: ~200 bytes an identity, 1,000 agents in ~600 KB.
  return { exitCode: 0, stdout: `${JSON.stringify(config)}\n`, stderr: "" };
}
