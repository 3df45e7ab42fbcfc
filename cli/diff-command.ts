/**
 * `agent-identity diff [BASE] [HEAD]`: what changes for each agent's identities between two plans.
 * BASE and HEAD are plan JSON files, stack files, or git revisions. A name that is both a file and
 * a revision is refused: `--base-rev`/`--head-rev` or `--base-file`/`--head-file` choose. At a
 * revision, `Pulumi.yaml` and the stack file it locates are read from git objects (`git cat-file`),
 * never from the work tree; git runs with argument arrays, no shell. HEAD defaults to the stack
 * file in the working tree. Exit 0: done. Exit 1: `--fail-on widen` and something widens.
 * Exit 2: bad input.
 */
import { spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { compileFleet } from "../components/core/compile";
import { DeclarationError, parseDeclaration } from "../components/core/schema";
import {
  diffPlans,
  loadActionCatalog,
  PlanInputError,
  readPlan,
  readPlanPair,
  renderJson,
  renderMarkdown,
  renderText,
  type HeadPlanResult,
  type Plan,
  type ProjectSide,
} from "../components/diff";
import { serviceOf } from "../components/diff/access-level";
import { parseDate, planParsedStackFile, type CommandResult } from "./plan-command";
import { fileSystemReader, ProjectFileError, readProject, stackFileOf, type ReadText } from "./project";
import { StackFileError, locateDeclarationError, parseStackFile, type StackFile } from "./stack-file";
import { gitModeKind, NotRegularFileError, readRegularFile, REGULAR_GIT_MODES } from "./regular-file";

export interface DiffOptions {
  /** A file or a revision; refused when it names both. */
  readonly base?: string;
  readonly head?: string;
  /** Explicit forms: the name is a git revision (never a file), or a file (never a revision). */
  readonly baseRev?: string;
  readonly headRev?: string;
  readonly baseFile?: string;
  readonly headFile?: string;
  readonly stack: string;
  /** Stack file path relative to the working directory (and to the repository at a revision); overrides Pulumi.yaml. */
  readonly config?: string;
  readonly format?: "text" | "markdown" | "json";
  readonly failOn?: "widen";
  /** YYYY-MM-DD: the date the head's `plan` result is evaluated at. @default today */
  readonly date?: string;
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
  /** The project file as read on this side (stack files only). */
  readonly project?: ProjectSide;
  /** The parsed stack file, for the head's `plan` result. */
  readonly stackFile?: StackFile;
}

type Ref = { readonly kind: "auto" | "rev" | "file"; readonly name: string };

function parseStack(text: string, file: string): StackFile {
  try {
    return parseStackFile(text, file);
  } catch (error) {
    if (error instanceof StackFileError) throw new DiffInputError(error.message.split("\n"));
    throw error;
  }
}

/** Same compile functions as `pulumi up`; least-privilege rules are `plan`'s job (shown as the head's result). */
function planOf(stackFile: StackFile, file: string, stack: string): unknown {
  try {
    return compileFleet(parseDeclaration(stackFile.declaration, file), stack);
  } catch (error) {
    if (error instanceof DeclarationError) throw new DiffInputError(locateDeclarationError(stackFile, error));
    throw error;
  }
}

function planFromFile(path: string, label: string, stack: string): Side {
  let text: string | undefined;
  try {
    text = readRegularFile(path, label);
  } catch (error) {
    if (error instanceof NotRegularFileError) throw new DiffInputError([error.message]);
    throw error;
  }
  if (text === undefined) throw new DiffInputError([`${label}: no such file`]);
  if (/\.ya?ml$/i.test(path)) {
    const stackFile = parseStack(text, label);
    return { label, plan: planOf(stackFile, label, stack), stackFile };
  }
  try {
    return { label, plan: JSON.parse(text) };
  } catch (error) {
    throw new DiffInputError([
      `${label}: not JSON (${(error as Error).message}); expected a plan written by \`plan --json <file>\`, the output of \`plan --format json\`, a stack file (.yaml), or a git revision`,
    ]);
  }
}

interface GitResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** git with an argument array (no shell); output capped so a huge object cannot exhaust memory. */
function git(cwd: string, args: readonly string[]): GitResult {
  const result = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, shell: false });
  if (result.error) return { ok: false, stdout: "", stderr: `cannot run git (${result.error.message})` };
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr.trim() };
}

/** The repository's top directory, or null outside a git work tree. */
function repositoryRoot(cwd: string): string | null {
  const top = git(cwd, ["rev-parse", "--show-toplevel"]);
  return top.ok ? realpathSync(top.stdout.trim()) : null;
}

/** `git rev-parse --verify <rev>^{commit}`: the commit a name resolves to, or null. */
function resolveCommit(cwd: string, revision: string): string | null {
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (revision.startsWith("-") || revision.length > 1024 || /[\u0000-\u001f\u007f]/.test(revision)) return null;
  const commit = git(cwd, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${revision}^{commit}`]);
  return commit.ok ? commit.stdout.trim() : null;
}

/**
 * Reads repository-relative paths from the git objects of one commit; undefined when absent. Only a
 * regular file (mode 100644 or 100755) is read: `git cat-file` of a symbolic link gives its link
 * text, while Pulumi reads the file it points to (cli/regular-file.ts).
 */
function commitReader(cwd: string, commit: string): ReadText {
  return (path) => {
    refuseDuplicateEntries(cwd, commit, path);
    const entry = git(cwd, ["ls-tree", "-z", "--full-tree", commit, "--", path]);
    if (!entry.ok) throw new DiffInputError([`cannot list ${path} at ${commit.slice(0, 12)}: ${entry.stderr.split("\n")[0]}`]);
    const line = entry.stdout.split("\0").find((row) => row.slice(row.indexOf("\t") + 1) === path);
    if (line === undefined) return undefined;
    const [mode, , oid] = line.slice(0, line.indexOf("\t")).split(" ");
    if (!REGULAR_GIT_MODES.has(mode))
      throw new DiffInputError([`${path} at ${commit.slice(0, 12)} ${new NotRegularFileError(path, gitModeKind(mode)).reason}`]);
    const shown = git(cwd, ["cat-file", "blob", oid]);
    if (!shown.ok) throw new DiffInputError([`cannot read ${path} at ${commit.slice(0, 12)}: ${shown.stderr.split("\n")[0]}`]);
    return shown.stdout;
  };
}

/**
 * Refuses a path when a tree along it lists one name twice. git fsck refuses such a tree
 * (duplicateEntries) but a repository need not run it on push: `git ls-tree` and `cat-file` then
 * read the first entry while a checkout writes the last, so the gate and Pulumi would read two files.
 */
function refuseDuplicateEntries(cwd: string, commit: string, path: string): void {
  const parts = path.split("/");
  for (let depth = 0; depth < parts.length; depth++) {
    const dir = parts.slice(0, depth).join("/");
    const listed = git(cwd, ["ls-tree", "-z", "--full-tree", commit, ...(dir ? ["--", `${dir}/`] : [])]);
    if (!listed.ok) continue; // the read itself reports what git cannot list
    const seen = new Set<string>();
    for (const row of listed.stdout.split("\0")) {
      if (!row) continue;
      const name = row.slice(row.indexOf("\t") + 1);
      if (seen.has(name))
        throw new DiffInputError([
          `${name} at ${commit.slice(0, 12)}: its tree lists this name twice (git fsck --strict refuses it as duplicateEntries); a checkout and this gate would read different files. Rewrite the commit with a well-formed tree`,
        ]);
      seen.add(name);
    }
  }
}

const posixPath = (path: string) => path.split(sep).join("/");

/** Where the command runs, relative to the repository top ("" at the top). */
function cwdInRepo(root: string, cwd: string): string {
  const rel = posixPath(relative(root, realpathSync(cwd)));
  return rel === "" || rel.startsWith("..") ? "" : rel;
}

/**
 * The stack file on one side: `--config` (relative to the working directory) when given, else
 * what that side's own Pulumi.yaml says (`stackConfigDir`), else `stacks/Pulumi.<stack>.yaml`.
 * Paths are repository-relative when a repository is found.
 */
function locate(options: DiffOptions, read: ReadText, root: string | null, cwd: string): { file: string; project: ProjectSide } {
  const dir = root ? cwdInRepo(root, cwd) : "";
  let project;
  try {
    project = readProject(read, dir);
  } catch (error) {
    if (error instanceof ProjectFileError) throw new DiffInputError([error.message]);
    throw error;
  }
  const projectSide: ProjectSide = project
    ? { file: project.file, name: project.name, stackConfigDir: project.stackConfigDirAsWritten ?? null, text: project.text, document: project.document }
    : { file: null, name: null, stackConfigDir: null, text: null, document: null };
  if (options.config !== undefined) {
    const absolute = resolve(realpathSync(cwd), options.config);
    const inRepo = root ? posixPath(relative(root, absolute)) : null;
    if (root && (inRepo === null || inRepo.startsWith("..") || isAbsolute(inRepo)))
      return { file: posixPath(relative(realpathSync(cwd), absolute)) || options.config, project: projectSide };
    return { file: inRepo ?? options.config, project: projectSide };
  }
  try {
    return { file: project ? stackFileOf(project, options.stack) : `stacks/Pulumi.${options.stack}.yaml`, project: projectSide };
  } catch (error) {
    if (error instanceof ProjectFileError) throw new DiffInputError([error.message]);
    throw error;
  }
}

/** Paths at the revision that differ from `file` only in letter case (a likely typo). */
function caseVariants(cwd: string, commit: string, file: string): string[] {
  const listed = git(cwd, ["ls-tree", "-r", "--name-only", "--full-tree", commit]);
  if (!listed.ok) return [];
  return listed.stdout.split("\n").filter((name) => name !== file && name.toLowerCase() === file.toLowerCase());
}

function sideAtRevision(revision: string, commit: string, role: "base" | "head", options: DiffOptions, cwd: string): Side {
  const root = repositoryRoot(cwd);
  if (!root) throw new DiffInputError([`${revision}: not inside a git repository, so no revision can be read`]);
  const read = commitReader(cwd, commit);
  const { file, project } = locate(options, read, root, cwd);
  if (file.startsWith("..") || isAbsolute(file)) throw new DiffInputError([`${file}: not inside this git repository, so it cannot be read at ${revision}`]);
  const label = `${revision} (${commit.slice(0, 12)}) ${file}`;
  const text = read(file);
  if (text === undefined) {
    // Only the base may lack the stack file (the pull request adds it); a missing head is a typo.
    if (role === "base") return { label, plan: null, missing: true, project };
    const variants = caseVariants(cwd, commit, file);
    throw new DiffInputError([
      `${file} does not exist at ${revision} (the head of the diff); check --stack, --config and Pulumi.yaml's stackConfigDir${variants.length ? `; did you mean ${variants.join(", ")}?` : ""}`,
    ]);
  }
  const stackFile = parseStack(text, `${file}@${revision}`);
  return { label, plan: planOf(stackFile, `${file}@${revision}`, options.stack), project, stackFile };
}

function workingTreeSide(options: DiffOptions, cwd: string): Side {
  const root = repositoryRoot(cwd);
  const top = root ?? realpathSync(cwd);
  const { file, project } = locate(options, fileSystemReader(top).read, root, cwd);
  const path = resolve(top, file);
  if (!existsSync(path)) throw new DiffInputError([`${file}: no such stack file in the working tree (pass --stack or --config)`]);
  const side = planFromFile(path, file, options.stack);
  return { ...side, label: `working tree ${file}`, project };
}

function loadSide(ref: Ref | undefined, role: "base" | "head", options: DiffOptions, cwd: string): Side {
  if (ref === undefined) return workingTreeSide(options, cwd);
  const path = resolve(cwd, ref.name);
  const isFile = ref.kind !== "rev" && existsSync(path);
  const commit = ref.kind !== "file" ? resolveCommit(cwd, ref.name) : null;
  const flag = `--${role}`;
  if (ref.kind === "auto" && isFile && commit) {
    throw new DiffInputError([
      `"${ref.name}" is both a file and a git revision here: pass ${flag}-rev ${ref.name} for the revision or ${flag}-file ${ref.name} for the file`,
    ]);
  }
  if (isFile) return planFromFile(path, ref.name, options.stack);
  if (commit) return sideAtRevision(ref.name, commit, role, options, cwd);
  if (ref.kind === "rev") throw new DiffInputError([`"${ref.name}" is not a git revision here (git rev-parse --verify "${ref.name}^{commit}" fails)`]);
  if (ref.kind === "file") throw new DiffInputError([`"${ref.name}": no such file`]);
  throw new DiffInputError([`"${ref.name}" is neither a file nor a git revision here`]);
}

function refOf(role: "base" | "head", options: DiffOptions): Ref | undefined {
  const given = [
    options[role] !== undefined ? ({ kind: "auto", name: options[role] } as const) : null,
    options[`${role}Rev`] !== undefined ? ({ kind: "rev", name: options[`${role}Rev`]! } as const) : null,
    options[`${role}File`] !== undefined ? ({ kind: "file", name: options[`${role}File`]! } as const) : null,
  ].filter((ref) => ref !== null);
  if (given.length > 1) throw new DiffInputError([`give the ${role} once: as an argument, --${role}, --${role}-rev or --${role}-file`]);
  return given[0];
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

/** Would `plan` accept the head? The same rules `plan` and the policy pack run. */
function headPlanResult(head: Side, options: DiffOptions): HeadPlanResult {
  if (!head.stackFile) return { checked: false, passed: null, findings: [] };
  const outcome = planParsedStackFile(head.stackFile, options.stack, parseDate(options.date));
  return outcome.ok ? { checked: true, passed: true, findings: [] } : { checked: true, passed: false, findings: outcome.lines.slice(0, 20) };
}

const RENDERERS = { text: renderText, markdown: renderMarkdown, json: renderJson } as const;

export async function runDiff(options: DiffOptions): Promise<CommandResult> {
  const cwd = options.cwd ?? process.cwd();
  let base: Side;
  let head: Side;
  let plans: [Plan, Plan];
  let planResult: HeadPlanResult;
  try {
    const [baseRef, headRef] = [refOf("base", options), refOf("head", options)];
    if (baseRef === undefined) throw new DiffInputError(["a base is required: `diff BASE [HEAD]`, `diff --base-rev <revision>` or `diff --base-file <file>`"]);
    base = loadSide(baseRef, "base", options, cwd);
    head = loadSide(headRef, "head", options, cwd);
    if (base.missing) {
      const headPlan = readPlan(head.plan, head.label);
      plans = [{ stack: headPlan.stack, platform: headPlan.platform, agents: [] }, headPlan];
    } else plans = readPlanPair(base.plan, head.plan, { base: base.label, head: head.label });
    planResult = headPlanResult(head, options);
  } catch (error) {
    if (error instanceof DiffInputError)
      return { exitCode: 2, stdout: "", stderr: ["diff failed: invalid input", ...error.lines.map((l) => `  ${l}`), ""].join("\n") };
    if (error instanceof PlanInputError) return { exitCode: 2, stdout: "", stderr: `diff failed: ${error.message}\n` };
    if (error instanceof Error && /^--date/.test(error.message)) return { exitCode: 2, stdout: "", stderr: `diff failed: ${error.message}\n` };
    throw error;
  }
  const catalog = loadActionCatalog(servicesOf(plans));
  const diff = diffPlans(plans[0], plans[1], catalog, {
    base: base.label,
    head: head.label,
    newStack: base.missing === true,
    project: base.project && head.project ? { base: base.project, head: head.project } : undefined,
    headPlan: planResult,
    stackSettings: head.stackFile && (base.stackFile || base.missing) ? { base: base.stackFile?.document ?? null, head: head.stackFile.document } : undefined,
  });
  const rerun = ["agent-identity diff", ...rerunArgs(options), "--format text"].join(" ");
  const stdout = options.format === "markdown" ? renderMarkdown(diff, { rerun }) : RENDERERS[options.format ?? "text"](diff);
  const failed = options.failOn === "widen" && diff.summary.widening > 0;
  return { exitCode: failed ? 1 : 0, stdout, stderr: failed ? `diff: ${diff.summary.widening} change(s) widen privilege (--fail-on widen)\n` : "" };
}

function rerunArgs(options: DiffOptions): string[] {
  const pairs: [string, string | undefined][] = [
    ["--base", options.base],
    ["--base-rev", options.baseRev],
    ["--base-file", options.baseFile],
    ["--head", options.head],
    ["--head-rev", options.headRev],
    ["--head-file", options.headFile],
    ["--stack", options.stack],
    ["--config", options.config],
  ];
  return pairs.filter(([, value]) => value !== undefined).map(([flag, value]) => `${flag} ${value}`);
}
