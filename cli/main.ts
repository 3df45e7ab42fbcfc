#!/usr/bin/env node
/** The `agent-identity` command line. Each command is a function returning exit code and text. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { setFlagsFromString } from "node:v8";
import type { CommandResult } from "./plan-command";

// PostgreSQL's parser is a 1.7 MB WASM module. V8 tiers it up to optimised code in the background,
// and the main thread stalls about 150 ms on that after the first parse. A CLI run parses a few
// hundred short statements, for which the baseline compiler's code is fast enough. Set before the
// module is compiled (in `run`'s commands); it affects this process only, never a program that
// imports the library.
setFlagsFromString("--liftoff-only");
// V8 optimises a function with TurboFan once it has run a budget of bytecode (67,584 by default).
// A run of the CLI is short: with the default, a third of `check --all`'s CPU went to TurboFan
// compiling (and after deoptimisations recompiling) large functions such as compileIdentity, once
// in every worker thread, since isolates share no code. Four and a half times the budget optimises
// only what stays hot: 16% fewer instructions planning 12 stacks of 200 agents in one thread (twice
// that budget saves less). Read when a function's budget is next set, so it
// holds for the code loaded after this line and for every worker thread started later.
setFlagsFromString("--interrupt-budget=300000");

/** The package's version: package.json sits two levels up from cli/main.ts and from dist/cli/main.js. */
export function packageVersion(): string {
  for (const up of ["..", "../.."]) {
    try {
      const manifest = JSON.parse(readFileSync(join(__dirname, up, "package.json"), "utf8")) as { name?: string; version?: string };
      if (manifest.name === "pulumi-agent-identity" && manifest.version) return manifest.version;
    } catch {
      // not this level
    }
  }
  throw new Error("package.json of pulumi-agent-identity not found next to the CLI");
}

/**
 * PostgreSQL's parser loads as WASM asynchronously; commands that plan wait for it so each SQL
 * statement is parsed in this thread, not through the parser's worker (0.4 s at 1,000 agents).
 * The command's own modules load while the WASM compiles, so start-up pays for the longer of the two.
 */
async function withSqlParser<T>(loadCommand: () => Promise<T>): Promise<T> {
  const parser = await import("../components/core/sql/parser");
  const command = await loadCommand();
  await parser.parserLoaded();
  return command;
}

function emit(result: CommandResult): void {
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}

export function buildProgram(): Command {
  const program = new Command("agent-identity")
    .description("Plan, check and review the identities of AI agents declared in Pulumi stack files.")
    .version(packageVersion(), "-V, --version", "print the version of pulumi-agent-identity")
    .showHelpAfterError()
    // Throw instead of exiting, so usage errors end with exit 2 like any other bad input.
    .exitOverride();

  program
    .command("plan")
    .description("Validate a stack's agent declarations and show the identities `pulumi up` would create.")
    .option(
      "-s, --stack <name>",
      "stack name; reads Pulumi.<name>.yaml where the nearest Pulumi.yaml puts it (stackConfigDir), else stacks/Pulumi.<name>.yaml",
      "dev",
    )
    .option("-c, --config <file>", "stack file to read instead of the --stack one")
    .option("--json <file>", "also write the plan as JSON to this file")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--date <YYYY-MM-DD>", "evaluate expiry and exceptions as of this date (default: today)")
    // Each command loads its modules when it runs: `plan` never pays for the diff engine, nor `--help` for either.
    .action(async (options) => {
      emit((await withSqlParser(() => import("./plan-command"))).runPlan(options));
    });

  program
    .command("diff")
    .description("Show what changes for each agent's identities between two plans, and which changes widen privilege.")
    .argument("[base]", "plan JSON file, stack file, or git revision to compare from")
    .argument("[head]", "plan JSON file, stack file, or git revision to compare to (default: the stack file in the working tree)")
    .option("--base <revision|file>", "the same as the BASE argument, e.g. origin/main")
    .option("--head <revision|file>", "the same as the HEAD argument")
    .option("--base-rev <revision>", "the base is this git revision (never a file of that name)")
    .option("--head-rev <revision>", "the head is this git revision (never a file of that name)")
    .option("--base-file <file>", "the base is this file (never a revision of that name)")
    .option("--head-file <file>", "the head is this file (never a revision of that name)")
    .option("--date <YYYY-MM-DD>", "evaluate the head's `plan` result as of this date (default: today)")
    .option("-s, --stack <name>", "stack name; reads Pulumi.<name>.yaml in Pulumi.yaml's stackConfigDir (read at each revision)", "dev")
    .option("-c, --config <file>", "stack file path to read instead of the one Pulumi.yaml locates (also at revisions)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "markdown", "json"]).default("text"))
    .addOption(new Option("--fail-on <what>", "exit 1 when any change widens privilege").choices(["widen"]))
    .action(async (baseArg: string | undefined, headArg: string | undefined, options) => {
      if ((baseArg && options.base) || (headArg && options.head)) {
        emit({ exitCode: 2, stdout: "", stderr: "diff: give BASE and HEAD either as arguments or as --base/--head, not both\n" });
        return;
      }
      // `diff --base REV HEAD` (or --base-rev/--base-file): a lone argument is the head.
      const baseGiven = options.base !== undefined || options.baseRev !== undefined || options.baseFile !== undefined;
      const [base, head] = baseGiven ? [options.base, options.head ?? baseArg] : [baseArg, options.head ?? headArg];
      emit(await (await import("./diff-command")).runDiff({ ...options, base, head }));
    });

  program
    .command("records")
    .description(
      "Print the policy pack configuration pinning every identity's plan records (SHA-256), computed from the stack's declaration: pass it with --policy-pack-config.",
    )
    .option(
      "-s, --stack <name>",
      "stack name; reads Pulumi.<name>.yaml where the nearest Pulumi.yaml puts it (stackConfigDir), else stacks/Pulumi.<name>.yaml",
      "dev",
    )
    .option("-c, --config <file>", "stack file to read instead of the --stack one")
    .option("--date <YYYY-MM-DD>", "compile as of this date (expiry is revocation; default: today)")
    .action(async (options) => {
      emit((await withSqlParser(() => import("./records-command"))).runRecords(options));
    });

  program
    .command("inventory")
    .description("List every identity for access review: owner, sponsor, expiry, what it reaches, Vault paths and TTLs, exceptions, revocation.")
    .option(
      "-s, --stack <name>",
      "stack name; reads Pulumi.<name>.yaml where the nearest Pulumi.yaml puts it (stackConfigDir), else stacks/Pulumi.<name>.yaml",
      "dev",
    )
    .option("-c, --config <file>", "stack file to read instead of the --stack one")
    .option("--plan <file>", "plan JSON to list instead of a stack file (`plan --json`, or a code-declared fleet's `fleet.plan`)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["csv", "markdown", "json"]).default("markdown"))
    .option("--expiring <days>", "only identities expiring within this many days (e.g. 30d) or already expired, grouped by owner")
    .option("--date <YYYY-MM-DD>", "count days left from this date (default: today)")
    .action(async (options) => {
      emit((await withSqlParser(() => import("./inventory-command"))).runInventory(options));
    });

  program
    .command("check")
    .description("Plan every stack file of the project and check what no single stack can see: names unique per account, Vault and cluster, owns disjoint.")
    .option("--all", "every stack file of the project (Pulumi.yaml's stackConfigDir)")
    .option("-p, --project <folder>", "folder holding Pulumi.yaml", ".")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json", "markdown"]).default("text"))
    .option("--date <YYYY-MM-DD>", "evaluate expiry and exceptions as of this date (default: today)")
    .action(async (options) => emit(await (await import("./check-command")).runCheck(options)));

  program
    .command("narrow")
    .description("Read CloudTrail (and Vault's audit log), show what each agent and tool used of what it was granted, and propose the narrowed stack file.")
    .option(
      "-s, --stack <name>",
      "stack name; reads Pulumi.<name>.yaml where the nearest Pulumi.yaml puts it (stackConfigDir), else stacks/Pulumi.<name>.yaml",
      "dev",
    )
    .option("-c, --config <file>", "stack file to read instead of the --stack one")
    .option("--cloudtrail <file or folder...>", "CloudTrail log files as delivered to S3 (.json or .json.gz), or folders of them")
    .option("--vault-audit <file...>", "Vault audit log files (the file device's JSON lines)")
    .option(
      "--data-events <service,...>",
      "IAM services whose data events the trail records, e.g. s3,dynamodb (others' data actions have no evidence)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("--since <date>", "only events at or after this time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")
    .option("--until <date>", "only events before this time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")
    .option("--out <file>", "write the narrowed stack file here (only removals; written only if it plans and diffs as narrowing)")
    .option("--threads <n>", "worker threads reading the trail files (default: one per core; 1 reads in the main thread)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "markdown", "json"]).default("text"))
    .option("--date <YYYY-MM-DD>", "evaluate expiry and exceptions as of this date (default: today)")
    .action(async (options) => {
      emit(await (await withSqlParser(() => import("./narrow-command"))).runNarrow({ ...options, cloudtrail: options.cloudtrail ?? [] }));
    });

  program
    .command("inputs-digest")
    .description(
      "Print the inputs digest a kubernetesPlatformResources declaration names, from a resource's inputs as JSON (or `pulumi preview --json` output with --urn).",
    )
    .argument("<file>", "JSON file of the resource's inputs, or of `pulumi preview --json` output; - for standard input")
    .option("--urn <urn>", "the resource's URN, to pick its step's newState.inputs from preview output")
    .action(async (file: string, options: { urn?: string }) => emit((await import("./inputs-digest-command")).runInputsDigest(file, options)));

  return program;
}

/**
 * Entry point (also for bin/): usage errors and bad input end with exit 2 and a message, never a
 * stack trace. Async because `diff` loads IAM data asynchronously.
 */
export async function run(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    // Commander has already printed usage errors (unknown option, bad choice).
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`agent-identity: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}

if (require.main === module) void run(process.argv);
