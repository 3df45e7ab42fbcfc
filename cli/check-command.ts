/**
 * `agent-identity check --all`: plans every stack file of a Pulumi project with the same rules as
 * `plan`, then the organisation-wide rules no single stack can see (components/rules/organisation.ts).
 * Exit 0: every stack plans and nothing collides. Exit 1: violations. Exit 2: a malformed file.
 */
import { posix, resolve } from "node:path";
import { OrganisationIndex, type OrganisationViolation, type StackPlanInput } from "../components/rules/organisation";
import type { CommandResult } from "./plan-command";
import { parseDate } from "./date-option";
import { planStacks, type PlannedStack } from "./check-stacks";
import { asFleetPlan } from "./check-digest";
import type { StackFile } from "./stack-file";
import { readFileSync } from "node:fs";
import { fileSystemReader, ProjectFileError, readProject, stackFilesOf } from "./project";
import { mdText as escapeMarkdownCell } from "../components/diff/markdown";

export interface CheckOptions {
  readonly all?: boolean;
  /** Folder holding Pulumi.yaml. @default the working directory */
  readonly project?: string;
  readonly format?: "text" | "json" | "markdown";
  readonly date?: string;
}

interface StackOutcome {
  readonly stack: string;
  readonly file: string;
  readonly exitCode: 0 | 1 | 2;
  readonly agents: number;
  readonly lines: readonly string[];
}

export async function runCheck(options: CheckOptions): Promise<CommandResult> {
  if (!options.all) return { exitCode: 2, stdout: "", stderr: "check: give --all (every stack file of the project)\n" };
  const root = resolve(options.project ?? ".");
  const files = fileSystemReader(root);
  let project;
  try {
    project = readProject(files.read);
  } catch (error) {
    if (error instanceof ProjectFileError) return { exitCode: 2, stdout: "", stderr: `check: ${error.message}\n` };
    throw error;
  }
  if (!project) return { exitCode: 2, stdout: "", stderr: `check: no Pulumi.yaml in ${root}\n` };
  const stackFiles = stackFilesOf(project, files.list);
  if (!stackFiles.length) {
    return { exitCode: 2, stdout: "", stderr: `check: no stack files (Pulumi.<stack>${project.extension}) in ${project.stackConfigDir || "."}\n` };
  }

  const organisation = inProjectOrder(root, new OrganisationIndex());
  const planning = planStacks(root, stackFiles, parseDate(options.date), organisation.planned);
  // Awaited below; handled now so a failure while the reader loads is not an unhandled rejection.
  planning.catch(() => undefined);
  // The stack file reader (for the lines a violation names) brings the declaration schema (zod)
  // with it: 60 ms of start-up, loaded once the worker threads are started rather than before.
  organisation.locateWith((await import("./stack-file")).parseStackFile);
  const planned = await planning;
  const outcomes: StackOutcome[] = planned.map(({ stack, file, exitCode, lines, agents }) => ({ stack, file, exitCode, lines, agents }));
  const violations = organisation.index.violations();
  const malformed = outcomes.some((o) => o.exitCode === 2);
  const exitCode: 0 | 1 | 2 = malformed ? 2 : violations.length || outcomes.some((o) => o.exitCode === 1) ? 1 : 0;
  const report = { ok: exitCode === 0, project: project.name, stacks: outcomes, violations };
  switch (options.format) {
    case "json":
      return { exitCode, stdout: `${JSON.stringify(report, null, 2)}\n`, stderr: "" };
    case "markdown":
      return { exitCode, stdout: renderMarkdown(outcomes, violations), stderr: "" };
    default:
      return exitCode === 0
        ? { exitCode, stdout: renderText(outcomes, violations), stderr: "" }
        : { exitCode, stdout: "", stderr: renderText(outcomes, violations) };
  }
}

/**
 * Adds each planned stack to the organisation-wide rules as soon as it and every stack before it
 * are planned: the rules read the stacks in the project's order (which of two colliding places is
 * named first), whatever order the worker threads finish them in. Stacks also wait for the stack
 * file reader (`locateWith`), which a violation needs to name its lines.
 */
function inProjectOrder(
  root: string,
  index: OrganisationIndex,
): { index: OrganisationIndex; planned: (at: number, stack: PlannedStack) => void; locateWith: (parse: ParseStackFile) => void } {
  const waiting = new Map<number, PlannedStack>();
  let next = 0;
  let parse: ParseStackFile | undefined;
  const addReady = () => {
    if (!parse) return;
    for (let ready = waiting.get(next); ready; ready = waiting.get(next)) {
      waiting.delete(next++);
      // A stack that did not compile has no plan; the others still meet each other.
      if (ready.plan) index.add({ file: ready.file, plan: asFleetPlan(ready.plan), locate: locator(root, ready.file, parse) });
    }
  };
  return {
    index,
    planned: (at, stack) => {
      waiting.set(at, stack);
      addReady();
    },
    locateWith: (reader) => {
      parse = reader;
      addReady();
    },
  };
}

type ParseStackFile = typeof import("./stack-file").parseStackFile;

/** Lines are looked up only for a violation: the file is read again, with positions, then. */
function locator(root: string, file: string, parse: ParseStackFile): StackPlanInput["locate"] {
  let stackFile: StackFile | undefined;
  return (path, label) => {
    stackFile ??= parse(readFileSync(posix.join(root, file), "utf8"), file);
    return stackFile.locate(path, label);
  };
}

const verdict = (o: StackOutcome) => (o.exitCode === 0 ? `ok, ${o.agents} agent(s)` : o.exitCode === 1 ? "policy violations" : "invalid stack file");
const summary = (o: StackOutcome) => `${o.file} (${o.stack}): ${verdict(o)}`;

function renderText(outcomes: readonly StackOutcome[], violations: readonly OrganisationViolation[]): string {
  const out = [`check --all: ${outcomes.length} stack file(s)`];
  for (const outcome of outcomes) out.push(`  ${summary(outcome)}`, ...outcome.lines.map((line) => `    ${line}`));
  out.push(violations.length ? `${violations.length} organisation-wide violation(s):` : "no organisation-wide violations");
  for (const v of violations) out.push(`  ${v.rule}: ${v.message} — ${v.fix}`, `    ${v.places[0]}`, `    ${v.places[1]}`);
  return `${out.join("\n")}\n`;
}

function renderMarkdown(outcomes: readonly StackOutcome[], violations: readonly OrganisationViolation[]): string {
  const out = ["### agent-identity check --all", "", "| Stack file | Result |", "|---|---|"];
  for (const o of outcomes) out.push(`| ${escapeMarkdownCell(o.file)} | ${escapeMarkdownCell(`${o.stack}: ${verdict(o)}`)} |`);
  out.push("");
  if (!violations.length) out.push("No organisation-wide violations.");
  else {
    out.push("| Rule | What collides | Where | Fix |", "|---|---|---|---|");
    for (const v of violations)
      out.push(`| \`${v.rule}\` | ${escapeMarkdownCell(v.message)} | ${escapeMarkdownCell(v.places.join(" and "))} | ${escapeMarkdownCell(v.fix)} |`);
  }
  const failing = outcomes.filter((o) => o.lines.length);
  for (const o of failing)
    out.push("", `<details><summary>${escapeMarkdownCell(o.file)}</summary>`, "", ...o.lines.map((l) => `- ${escapeMarkdownCell(l)}`), "", "</details>");
  return `${out.join("\n")}\n`;
}
