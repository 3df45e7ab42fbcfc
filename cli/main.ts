#!/usr/bin/env node
/** The `agent-identity` command line. Each command is a function returning exit code and text. */
import { Command, Option } from "commander";
import { runPlan, type CommandResult } from "./plan-command";

function emit(result: CommandResult): void {
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

export function buildProgram(): Command {
  const program = new Command("agent-identity")
    .description("Plan, check and review the identities of AI agents declared in Pulumi stack files.")
    .showHelpAfterError();

  program
    .command("plan")
    .description("Validate a stack's agent declarations and show the identities `pulumi up` would create.")
    .option("-s, --stack <name>", "stack name; reads stacks/Pulumi.<name>.yaml", "dev")
    .option("-c, --config <file>", "stack file to read instead of stacks/Pulumi.<stack>.yaml")
    .option("--json <file>", "also write the plan as JSON to this file")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--date <YYYY-MM-DD>", "evaluate expiry and exceptions as of this date (default: today)")
    .action((options) => emit(runPlan(options)));

  return program;
}

/** Entry point: bad arguments end with exit 2 and one line, never a stack trace. */
export function run(argv: string[]): void {
  try {
    buildProgram().parse(argv);
  } catch (error) {
    process.stderr.write(`agent-identity: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}

if (require.main === module) run(process.argv);
