/**
 * Reads a Pulumi project file (`Pulumi.yaml`) for what the CLI needs to find stack files: the
 * project's name and `stackConfigDir`. Stack files are named as the Pulumi CLI names them
 * (pkg/workspace/paths.go `DetectProjectStackPath`): `Pulumi.<stack><ext>`, where `<ext>` is the
 * project file's own extension and `<stack>` the stack's short name, placed in `stackConfigDir`
 * when set, else next to the project file.
 *
 * Every read goes through a `ReadText` function, so the same code reads the work tree and, for
 * the review gate, the git objects of a revision: the project file of the revision under review
 * decides where that revision's stack files are.
 */
import { readdirSync } from "node:fs";
import { posix } from "node:path";
import { YAMLException } from "js-yaml";
import { loadStrictYaml } from "./yaml-text";
import { NotRegularFileError, lstatIfPresent, readRegularFile } from "./regular-file";

/** Reads a file by its project-relative POSIX path; undefined when there is no such file. */
export type ReadText = (path: string) => string | undefined;
/** Lists the file names in a project-relative folder; undefined when there is no such folder. */
export type ListFiles = (dir: string) => readonly string[] | undefined;

const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.yml"] as const;
/** Project files Pulumi also reads (pkg/workspace: every marshaller extension, found first by name order) that the gate does not. */
const UNREAD_PROJECT_FILES = ["Pulumi.json"] as const;
/** Pulumi's stack names: letters, digits, `-`, `_` and `.` (tokens.ValidateStackName), at most 100 characters. */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const MAX_PROJECT_FILE = 256 * 1024;

export class ProjectFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "ProjectFileError";
  }
}

export interface PulumiProject {
  /** The project file's path, relative to where reads start (`Pulumi.yaml`, or `infra/Pulumi.yaml`). */
  readonly file: string;
  readonly name: string;
  /** Folder of the stack files, relative to where reads start, POSIX, no trailing slash ("" for the top). */
  readonly stackConfigDir: string;
  /** `stackConfigDir` exactly as the project file writes it (undefined when absent): what a reviewer diffs. */
  readonly stackConfigDirAsWritten: string | undefined;
  /** `.yaml` or `.yml`, the project file's own: stack files take the same one. */
  readonly extension: string;
  /** The project file's text, as read: any change to it is shown by `diff`. */
  readonly text: string;
  /** The whole parsed document, to name which top-level keys changed. */
  readonly document: Readonly<Record<string, unknown>>;
}

/** The project in `dir` (project-relative, "" for the top), or undefined when it has no Pulumi.yaml. */
/**
 * More than one project file, or a `Pulumi.json`, is refused: Pulumi picks one by its own order
 * (`Pulumi.json` first), so a pull request adding one would take over the project unseen.
 */
export function readProject(read: ReadText, dir = ""): PulumiProject | undefined {
  const at = (name: string) => (dir ? posix.join(dir, name) : name);
  for (const name of UNREAD_PROJECT_FILES) {
    if (read(at(name)) !== undefined)
      throw new ProjectFileError(
        at(name),
        "Pulumi reads this project file before Pulumi.yaml, but agent-identity reads only Pulumi.yaml or Pulumi.yml: convert it to Pulumi.yaml and delete it",
      );
  }
  const found = PROJECT_FILES.map((name) => ({ file: at(name), text: read(at(name)) })).filter((f) => f.text !== undefined);
  if (found.length > 1)
    throw new ProjectFileError(found[1].file, `more than one project file (${found.map((f) => f.file).join(", ")}): Pulumi reads one of them; keep one`);
  return found.length ? parseProject(found[0].text!, found[0].file) : undefined;
}

export function parseProject(text: string, file: string): PulumiProject {
  if (text.length > MAX_PROJECT_FILE) throw new ProjectFileError(file, `larger than ${MAX_PROJECT_FILE} bytes`);
  let root: unknown;
  try {
    const read = loadStrictYaml(text, file);
    if (read.issues.length)
      throw new ProjectFileError(file, read.issues.map(({ line, column, message }) => `line ${line} column ${column}: ${message}`).join("; "));
    root = read.root;
  } catch (error) {
    if (error instanceof YAMLException) throw new ProjectFileError(file, `not valid YAML (${error.reason})`);
    throw error;
  }
  if (!root || typeof root !== "object" || Array.isArray(root)) throw new ProjectFileError(file, "not a YAML map");
  const { name, stackConfigDir: written, config } = root as Record<string, unknown>;
  // Pulumi's older spelling: `config: <dir>` (a string, not the project config map) is the stack
  // folder (pulumi/pulumi#9145, sdk/go/common/workspace/project.go); both at once Pulumi refuses.
  if (typeof config === "string" && written !== undefined)
    throw new ProjectFileError(
      file,
      "`config: <dir>` (the older spelling of the stack folder) and `stackConfigDir` are both set: Pulumi refuses that; keep `stackConfigDir`",
    );
  const stackConfigDir = typeof config === "string" ? config : written;
  if (typeof name !== "string" || !/^[A-Za-z0-9_.-]{1,100}$/.test(name)) {
    throw new ProjectFileError(file, "`name` must be a project name: letters, digits, `-`, `_` or `.`, at most 100");
  }
  if (stackConfigDir !== undefined && typeof stackConfigDir !== "string") throw new ProjectFileError(file, "`stackConfigDir` must be a string");
  const projectDir = posix.dirname(file) === "." ? "" : posix.dirname(file);
  return {
    file,
    name,
    stackConfigDir: resolveConfigDir(file, projectDir, stackConfigDir),
    stackConfigDirAsWritten: stackConfigDir,
    extension: posix.extname(file),
    text,
    document: root as Record<string, unknown>,
  };
}

/**
 * `stackConfigDir` joined to the project's folder. It must stay inside the repository: absolute
 * paths, `..` that climbs out, and control characters are refused, so a project file cannot
 * point the CLI at files outside what a reviewer sees.
 */
function resolveConfigDir(file: string, projectDir: string, written: string | undefined): string {
  if (written === undefined || written === "" || written === ".") return projectDir;
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (written.length > 1024 || /[\u0000-\u001f\u007f\\]/.test(written)) {
    throw new ProjectFileError(file, "`stackConfigDir` must be a plain relative path (no control characters or backslashes, at most 1,024 characters)");
  }
  if (posix.isAbsolute(written)) throw new ProjectFileError(file, "`stackConfigDir` must be relative to the project");
  const joined = posix.normalize(posix.join(projectDir, written)).replace(/\/+$/, "");
  if (joined === ".." || joined.startsWith("../")) throw new ProjectFileError(file, "`stackConfigDir` must stay inside the repository");
  return joined === "." ? "" : joined;
}

/** The stack file of `stack` (`dev`, or `org/project/dev`: Pulumi files stacks by their short name). */
export function stackFileOf(project: PulumiProject, stack: string): string {
  const parts = stack.split("/");
  const short = parts[parts.length - 1];
  if (parts.length > 3 || !parts.every((part) => STACK_NAME.test(part) && !/^\.+$/.test(part)))
    throw new ProjectFileError(project.file, `"${stack}" is not a stack name (letters, digits, \`-\`, \`_\`, \`.\`)`);
  const name = `Pulumi.${short}${project.extension}`;
  return project.stackConfigDir ? posix.join(project.stackConfigDir, name) : name;
}

/** Every stack file of the project, sorted: `Pulumi.<stack><ext>` in its stack folder, the project file itself excluded. */
export function stackFilesOf(project: PulumiProject, list: ListFiles): { stack: string; file: string }[] {
  const names = list(project.stackConfigDir || ".") ?? [];
  const prefix = "Pulumi.";
  const found: { stack: string; file: string }[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(project.extension)) continue;
    const stack = name.slice(prefix.length, name.length - project.extension.length);
    if (!STACK_NAME.test(stack) || /^\.+$/.test(stack)) continue;
    found.push({ stack, file: project.stackConfigDir ? posix.join(project.stackConfigDir, name) : name });
  }
  return found.sort((a, b) => (a.stack < b.stack ? -1 : a.stack > b.stack ? 1 : 0));
}

/**
 * Reads under `root` on disk: the work-tree reader. A file is read only when it and every folder
 * between `root` and it are not symbolic links (cli/regular-file.ts); `list` names every entry, so a
 * linked or otherwise non-regular stack file is reported when it is read, never skipped.
 */
export function fileSystemReader(root: string): { read: ReadText; list: ListFiles } {
  const at = (path: string) => posix.join(root.split("\\").join("/"), path);
  return {
    read: (path) => {
      try {
        const parts = posix.normalize(path).split("/");
        for (let depth = 1; depth < parts.length; depth++) {
          const folder = parts.slice(0, depth).join("/");
          if (folder === "." || folder === "") continue;
          if (readRegularFolder(at(folder), folder) === undefined) return undefined;
        }
        return readRegularFile(at(path), path);
      } catch (error) {
        if (error instanceof NotRegularFileError) throw new ProjectFileError(error.file, error.reason);
        throw error;
      }
    },
    list: (dir) => {
      try {
        return readdirSync(at(dir), { withFileTypes: true }).map((entry) => entry.name);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
        throw error;
      }
    },
  };
}

/** true for a real folder, undefined when absent; a link or a file in its place is refused. */
function readRegularFolder(path: string, shownAs: string): true | undefined {
  const stats = lstatIfPresent(path);
  if (!stats) return undefined;
  if (stats.isSymbolicLink()) throw new NotRegularFileError(shownAs, "a symbolic link to a folder");
  return stats.isDirectory() ? true : undefined;
}

/**
 * The stack file the CLI reads for `--stack NAME` in `root`: the project's when `root` has a
 * Pulumi.yaml, else the library's own layout (`stacks/Pulumi.<stack>.yaml`).
 */
export function locateStackFile(root: string, stack: string): string {
  const project = readProject(fileSystemReader(root).read);
  return project ? stackFileOf(project, stack) : `stacks/Pulumi.${stack}.yaml`;
}
