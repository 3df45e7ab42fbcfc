/**
 * Stack and project files are read only when they are regular files. A symbolic link is read as
 * its target by Pulumi and by the work tree, but as its link text from a git tree (`git cat-file`):
 * a pull request could commit a link whose text is YAML equal to the base declaration while the
 * file it points to, which `plan` and `pulumi up` read, widens. So links and every other kind of
 * entry (folders, sockets, submodules) are refused, in the work tree and in git trees alike.
 */
import { lstatSync, readFileSync } from "node:fs";

export class NotRegularFileError extends Error {
  /** What is wrong and the fix, without the file name. */
  readonly reason: string;
  constructor(
    readonly file: string,
    readonly kind: string,
  ) {
    const reason = `is ${kind}, not a regular file: Pulumi and plan read what a link points to while a git tree holds only the link's text, so stack and project files must be regular files; replace it with the file itself`;
    super(`${file} ${reason}`);
    this.reason = reason;
    this.name = "NotRegularFileError";
  }
}

function kindOf(stats: ReturnType<typeof lstatSync>): string {
  if (!stats) return "missing";
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (stats.isDirectory()) return "a folder";
  return "a special file";
}

/** What is at `path` itself (a link is not followed), or undefined when nothing is. */
export function lstatIfPresent(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}

/** The file's text, or undefined when nothing is at `path`; throws `NotRegularFileError` for anything but a regular file. */
export function readRegularFile(path: string, shownAs: string = path): string | undefined {
  const stats = lstatIfPresent(path);
  if (!stats) return undefined;
  if (!stats.isFile()) throw new NotRegularFileError(shownAs, kindOf(stats));
  return readFileSync(path, "utf8");
}

/** Git tree entry modes of a regular file (100644, or 100755 executable); 120000 is a link, 160000 a submodule, 040000 a tree. */
export const REGULAR_GIT_MODES: ReadonlySet<string> = new Set(["100644", "100755"]);

export function gitModeKind(mode: string): string {
  if (mode === "120000") return "a symbolic link";
  if (mode === "160000") return "a submodule";
  if (mode === "040000") return "a folder";
  return `a git entry of mode ${mode}`;
}
