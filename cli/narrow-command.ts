/**
 * `agent-identity narrow`: reads CloudTrail (and Vault's audit log), attributes every call through
 * the stack's identity plan, reports granted vs used per agent and tool, and with `--out` writes
 * the narrowed stack file. The narrowed file is planned and diffed against the original before it
 * is written: it must plan, and `diff --fail-on widen` must pass. Exit 0: done; 1: the narrowed
 * file would not plan or would widen (nothing written) or the stack does not plan; 2: bad input.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, join } from "node:path";
import { narrow, NarrowWriteError, renderJson, renderMarkdown, renderText, writeNarrowed } from "../components/narrow";
import { runDiff } from "./diff-command";
import { parseDate, planParsedStackFile, planStackFile, type CommandResult } from "./plan-command";
import { parseStackFile } from "./stack-file";
import { stackFileOption } from "./stack-location";

export interface NarrowOptions {
  readonly stack: string;
  readonly config?: string;
  readonly cloudtrail: readonly string[];
  readonly vaultAudit?: readonly string[];
  /** Comma-separated IAM service prefixes, e.g. `s3,dynamodb` (repeatable). */
  readonly dataEvents?: readonly string[];
  readonly since?: string;
  readonly until?: string;
  readonly out?: string;
  /** Worker threads reading the trail (default: one per core; 1: in this thread). */
  readonly threads?: string | number;
  readonly format?: "text" | "markdown" | "json";
  readonly date?: string;
  readonly cwd?: string;
}

/** YYYY-MM-DD or an ISO-8601 UTC time (`2026-11-30T12:00:00Z`), as CloudTrail writes `eventTime`. */
function parseTime(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return `${value}T00:00:00Z`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new Error(`${flag} must be YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, got "${value.slice(0, 80)}"`);
}

function parseThreads(value: string | number | undefined): number {
  if (value === undefined) return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`--threads must be a whole number from 1 to 64, got "${String(value).slice(0, 80)}"`);
  return n;
}

const SERVICE = /^[a-z0-9-]{1,64}$/;

function parseDataEvents(values: readonly string[] | undefined): string[] {
  const services = (values ?? [])
    .flatMap((v) => v.split(","))
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = services.find((s) => !SERVICE.test(s));
  if (bad !== undefined) throw new Error(`--data-events takes IAM service prefixes such as s3,dynamodb,lambda; got "${bad.slice(0, 80)}"`);
  return [...new Set(services)];
}

const fail = (exitCode: 1 | 2, lines: readonly string[]): CommandResult => ({
  exitCode,
  stdout: "",
  stderr: `${["narrow failed:", ...lines.map((l) => `  ${l}`)].join("\n")}\n`,
});

export async function runNarrow(options: NarrowOptions): Promise<CommandResult> {
  let since: string | undefined;
  let until: string | undefined;
  let dataEvents: string[];
  let now: Date;
  let threads: number;
  try {
    threads = parseThreads(options.threads);
    since = parseTime("--since", options.since);
    until = parseTime("--until", options.until);
    dataEvents = parseDataEvents(options.dataEvents);
    now = parseDate(options.date);
  } catch (error) {
    return fail(2, [(error as Error).message]);
  }
  if (!options.cloudtrail.length) return fail(2, ["--cloudtrail <file or folder> is required (CloudTrail as delivered to S3)"]);
  const located = stackFileOption(options);
  if ("error" in located) return fail(2, [located.error]);
  const outcome = planStackFile(located.file, options.stack, now);
  if (!outcome.ok) return fail(outcome.exitCode, [`${located.file} does not plan; narrow reads a stack that plans:`, ...outcome.lines]);
  const result = await narrow({
    plan: outcome.result.plan,
    agents: outcome.stackFile.declaration.agents,
    cloudtrail: options.cloudtrail,
    vaultAudit: options.vaultAudit ?? [],
    dataEvents,
    since,
    until,
    threads,
  });
  result.out = null;
  if (options.out) {
    const written = await writeOut(located.file, options, result, now);
    if (written) return written;
  }
  const render = options.format === "json" ? renderJson : options.format === "markdown" ? renderMarkdown : renderText;
  return { exitCode: 0, stdout: render(result), stderr: "" };
}

/** Writes `--out` only when the narrowed file plans and diffs as narrowing only; a result means it was refused. */
async function writeOut(file: string, options: NarrowOptions, result: Awaited<ReturnType<typeof narrow>>, now: Date): Promise<CommandResult | null> {
  const out = options.out!;
  let text: string;
  try {
    text = writeNarrowed(readFileSync(file, "utf8"), result.proposal).text;
  } catch (error) {
    if (error instanceof NarrowWriteError) return fail(2, [`${file}: ${error.message}`]);
    throw error;
  }
  const planned = planParsedStackFile(parseStackFile(text, out), options.stack, now);
  if (!planned.ok) return fail(1, ["the narrowed stack file would not plan; nothing written:", ...planned.lines]);
  // Next to the output (same file system for the rename), named .yaml so `diff` reads it as a stack file.
  const staging = join(dirname(out), `.${basename(out)}.narrow-${process.pid}.tmp.yaml`);
  writeFileSync(staging, text);
  try {
    const diff = await runDiff({
      baseFile: file,
      headFile: staging,
      stack: options.stack,
      config: options.config,
      failOn: "widen",
      date: options.date,
      cwd: options.cwd,
    });
    if (diff.exitCode !== 0)
      return fail(1, ["the narrowed stack file would not pass `diff --fail-on widen`; nothing written:", ...diff.stderr.trim().split("\n")]);
    renameSync(staging, out);
    result.out = out;
    return null;
  } finally {
    rmSync(staging, { force: true });
  }
}
