/**
 * Where `--stack NAME` is on disk. As the Pulumi CLI finds its project (the nearest `Pulumi.yaml`
 * at or above the working directory), the project file decides: `Pulumi.<stack>.yaml` in its
 * `stackConfigDir`, else next to it (`cli/project.ts`). Without a project file, the library's own
 * layout: `stacks/Pulumi.<stack>.yaml` under the working directory.
 */
import { dirname, join, relative, resolve, sep } from "node:path";
import { ProjectFileError, fileSystemReader, readProject, stackFileOf, type PulumiProject } from "./project";

/** The folder of the nearest Pulumi.yaml at or above `cwd`, or undefined (stops at `stopAt`, when given, and at the file-system root). */
export function projectRootOf(cwd: string, stopAt?: string): string | undefined {
  let dir = resolve(cwd);
  const last = stopAt === undefined ? undefined : resolve(stopAt);
  for (;;) {
    if (readProject(fileSystemReader(dir).read)) return dir;
    const parent = dirname(dir);
    if (parent === dir || dir === last) return undefined;
    dir = parent;
  }
}

export interface StackLocation {
  /** Absolute path of the stack file. */
  readonly path: string;
  /** The same, relative to the working directory (as messages show it), POSIX separators. */
  readonly label: string;
}

/** The library's own layout, as a project would declare it (so the stack name is checked the same way). */
const LIBRARY_LAYOUT: PulumiProject = {
  file: "Pulumi.yaml",
  name: "agent-identity",
  stackConfigDir: "stacks",
  stackConfigDirAsWritten: "stacks",
  extension: ".yaml",
  text: "",
  document: {},
};

/**
 * The stack file of `stack` for a command run in `cwd`. `stopAt` (a repository root) bounds the
 * search and is where the library layout is looked for when no project file is found (else `cwd`).
 * A bad Pulumi.yaml or stack name throws `ProjectFileError`.
 */
export function locateStack(stack: string, cwd: string = process.cwd(), stopAt?: string): StackLocation {
  const root = projectRootOf(cwd, stopAt);
  const project = root ? readProject(fileSystemReader(root).read)! : LIBRARY_LAYOUT;
  const path = join(root ?? resolve(stopAt ?? cwd), stackFileOf(project, stack));
  return { path, label: relative(resolve(cwd), path).split(sep).join("/") };
}

/** `--config FILE`, or the located stack file; a bad project file or stack name as the lines of an exit-2 error. */
export function stackFileOption(options: { readonly stack: string; readonly config?: string }): { file: string } | { error: string } {
  if (options.config !== undefined) return { file: options.config };
  try {
    return { file: locateStack(options.stack).label };
  } catch (error) {
    if (error instanceof ProjectFileError) return { error: error.message };
    throw error;
  }
}
