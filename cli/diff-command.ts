/**
 * `agent-identity diff [BASE] [HEAD]`: what changes for each agent's identities between two plans.
 * BASE and HEAD are plan JSON files, stack files, or git revisions (the stack file is read at that
 * revision with `git show`, never checked out). HEAD defaults to the stack file in the working tree.
 * Exit 0: done. Exit 1: `--fail-on widen` and something widens. Exit 2: bad input.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { compileFleet } from "../components/core/compile";
import { DeclarationError, parseDeclaration } from "../components/core/schema";
import { diffPlans, loadActionCatalog, PlanInputError, readPlan, readPlanPair, renderJson, renderMarkdown, renderText, type Plan } from "../components/diff";
import { serviceOf } from "../components/diff/access-level";
import type { CommandResult } from "./plan-command";
import { StackFileError, locateDeclarationError, parseStackFile } from "./stack-file";
import { ProjectFileError } from "./project";
import { locateStack } from "./stack-location";

export interface DiffOptions {
  readonly base?: string;
  readonly head?: string;
  readonly stack: string;
  /** Stack file path relative to the working directory (and to the repository at a revision). */
  readonly config?: string;
  readonly format?: "text" | "markdown" | "json";
  readonly failOn?: "widen";
  /** Where to read files and run git. @default process.cwd() */
  readonly cwd?: string;
}

/** Bad input: reported as lines on stderr with exit 2. */
class DiffInputError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join("\n"));
  }
}

interface Side {
  readonly label: string;
  /** A plan as parsed JSON or as compiled; validated and normalised by `readPlanPair`. */
  readonly plan: unknown;
  /** The stack file does not exist at this (base) revision. */
  readonly missing?: true;
}

/** Same compile functions as `pulumi up`; least-privilege rules are `plan`'s job, not the diff's. */
function planFromStackText(text: string, file: string, stack: string): unknown {
  try {
    const stackFile = parseStackFile(text, file);
    try {
      return compileFleet(parseDeclaration(stackFile.declaration, file), stack);
    } catch (error) {
      if (error instanceof DeclarationError) throw new DiffInputError(locateDeclarationError(stackFile, error));
      throw error;
    }
  } catch (error) {
    if (error instanceof StackFileError) throw new DiffInputError(error.message.split("\n"));
    throw error;
  }
}

function planFromFile(path: string, label: string, stack: string): unknown {
  const text = readFileSync(path, "utf8");
  if (/\.ya?ml$/i.test(path)) return planFromStackText(text, label, stack);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DiffInputError([
      `${label}: not JSON (${(error as Error).message}); expected a plan written by \`plan --json <file>\`, the output of \`plan --format json\`, a stack file (.yaml), or a git revision`,
    ]);
  }
}

function git(cwd: string, args: readonly string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) return { ok: false, stdout: "", stderr: `cannot run git (${result.error.message})` };
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr.trim() };
}

/** The repository's top directory, or null outside a git work tree. */
function repositoryRoot(cwd: string): string | null {
  const top = git(cwd, ["rev-parse", "--show-toplevel"]);
  return top.ok ? realpathSync(top.stdout.trim()) : null;
}

/**
 * Where the stack file is. The default is the project's (`Pulumi.yaml` at or above the working
 * directory, up to the repository root: `stackConfigDir`), else `stacks/Pulumi.<stack>.yaml` relative
 * to the repository root, whatever the working directory; `--config` is relative to the working directory (or
 * absolute), as any path on a command line. `inRepo`: the same file, relative to the root, for
 * `git show <rev>:<path>`.
 */
function stackLocation(options: DiffOptions, cwd: string): { label: string; path: string; inRepo: string | null } {
  const root = repositoryRoot(cwd);
  const here = realpathSync(cwd);
  const located = options.config === undefined ? locateOrRefuse(options.stack, here, root) : undefined;
  const path = located?.path ?? resolve(here, options.config!);
  const label = options.config ?? located!.label;
  if (!root) return { label, path, inRepo: null };
  const inRepo = relative(root, path);
  if (inRepo.startsWith("..") || isAbsolute(inRepo)) return { label, path, inRepo: null };
  return { label: inRepo.split(sep).join("/"), path, inRepo: inRepo.split(sep).join("/") };
}

function locateOrRefuse(stack: string, cwd: string, root: string | null) {
  try {
    return locateStack(stack, cwd, root ?? undefined);
  } catch (error) {
    if (error instanceof ProjectFileError) throw new DiffInputError([error.message]);
    throw error;
  }
}

/** Paths at the revision that differ from `file` only in letter case (a likely typo). */
function caseVariants(cwd: string, revision: string, file: string): string[] {
  const listed = git(cwd, ["ls-tree", "-r", "--name-only", revision]);
  if (!listed.ok) return [];
  return listed.stdout.split("\n").filter((name) => name !== file && name.toLowerCase() === file.toLowerCase());
}

function planAtRevision(revision: string, role: "base" | "head", options: DiffOptions, cwd: string): Side {
  if (revision.startsWith("-")) throw new DiffInputError([`"${revision}" is not a plan file or a git revision`]);
  const commit = git(cwd, ["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]);
  if (!commit.ok) {
    throw new DiffInputError([`"${revision}" is neither a file nor a git revision here${commit.stderr ? ` (${commit.stderr.split("\n")[0]})` : ""}`]);
  }
  const location = stackLocation(options, cwd);
  if (location.inRepo === null) throw new DiffInputError([`${location.label}: not inside this git repository, so it cannot be read at ${revision}`]);
  const file = location.inRepo;
  const label = `${revision} ${file}`;
  if (!git(cwd, ["cat-file", "-e", `${commit.stdout.trim()}:${file}`]).ok) {
    // Only the base may lack the stack file (the pull request adds it); a missing head is a typo.
    if (role === "base") return { label, plan: null, missing: true };
    const variants = caseVariants(cwd, commit.stdout.trim(), file);
    throw new DiffInputError([
      `${file} does not exist at ${revision} (the head of the diff); check --stack and --config${variants.length ? `; did you mean ${variants.join(", ")}?` : ""}`,
    ]);
  }
  const shown = git(cwd, ["show", `${commit.stdout.trim()}:${file}`]);
  if (!shown.ok) throw new DiffInputError([`cannot read ${file} at ${revision}: ${shown.stderr.split("\n")[0]}`]);
  return { label, plan: planFromStackText(shown.stdout, `${file}@${revision}`, options.stack) };
}

function loadSide(ref: string | undefined, role: "base" | "head", options: DiffOptions, cwd: string): Side {
  if (ref === undefined) {
    const location = stackLocation(options, cwd);
    if (!existsSync(location.path)) throw new DiffInputError([`${location.label}: no such stack file in the working tree (pass --stack or --config)`]);
    return { label: `working tree ${location.label}`, plan: planFromFile(location.path, location.label, options.stack) };
  }
  const path = resolve(cwd, ref);
  if (existsSync(path) && statSync(path).isFile()) return { label: ref, plan: planFromFile(path, ref, options.stack) };
  return planAtRevision(ref, role, options, cwd);
}

function servicesOf(plans: readonly Plan[]): string[] {
  const services = new Set<string>();
  for (const plan of plans)
    for (const agent of plan.agents)
      for (const identity of agent.identities)
        for (const entry of identity.permissions) {
          const service = serviceOf(entry.action);
          if (service) services.add(service);
        }
  return [...services];
}

const RENDERERS = { text: renderText, markdown: renderMarkdown, json: renderJson } as const;

export async function runDiff(options: DiffOptions): Promise<CommandResult> {
  const cwd = options.cwd ?? process.cwd();
  let base: Side;
  let head: Side;
  let plans: [Plan, Plan];
  try {
    if (options.base === undefined) throw new DiffInputError(["a base is required: `diff BASE [HEAD]` or `diff --base <revision|file>`"]);
    base = loadSide(options.base, "base", options, cwd);
    head = loadSide(options.head, "head", options, cwd);
    if (base.missing) {
      const headPlan = readPlan(head.plan, head.label);
      plans = [{ stack: headPlan.stack, platform: headPlan.platform, agents: [] }, headPlan];
    } else plans = readPlanPair(base.plan, head.plan, { base: base.label, head: head.label });
  } catch (error) {
    if (error instanceof DiffInputError)
      return { exitCode: 2, stdout: "", stderr: ["diff failed: invalid input", ...error.lines.map((l) => `  ${l}`), ""].join("\n") };
    if (error instanceof PlanInputError) return { exitCode: 2, stdout: "", stderr: `diff failed: ${error.message}\n` };
    throw error;
  }
  const catalog = loadActionCatalog(servicesOf(plans));
  const diff = diffPlans(plans[0], plans[1], catalog, { base: base.label, head: head.label, newStack: base.missing === true });
  const rerun = [
    "agent-identity diff",
    options.base,
    options.head,
    `--stack ${options.stack}`,
    options.config ? `--config ${options.config}` : "",
    "--format text",
  ]
    .filter(Boolean)
    .join(" ");
  const stdout = options.format === "markdown" ? renderMarkdown(diff, { rerun }) : RENDERERS[options.format ?? "text"](diff);
  const failed = options.failOn === "widen" && diff.summary.widening > 0;
  return { exitCode: failed ? 1 : 0, stdout, stderr: failed ? `diff: ${diff.summary.widening} change(s) widen privilege (--fail-on widen)\n` : "" };
}
