/**
 * Reads a Pulumi stack file (`stacks/Pulumi.<stack>.yaml`) the way `pulumi up` sees its config:
 * `agent-identity:platform` and `agent-identity:agents`, in every spelling Pulumi accepts, and
 * nothing else in that namespace (components/core/stack-config.ts). Errors name the file, the line
 * and the YAML path, never a stack trace.
 */
import { YAMLException } from "js-yaml";
import type { Document, LineCounter, Node, Scalar, YAMLMap } from "yaml";
import { KUBE_CONTEXTS_KEY } from "../components/core/kube-contexts";
import { DeclarationError, type DeclarationIssue } from "../components/core/schema";
import { readAgentIdentityKeys, shownKey, unknownStackFileKeys } from "../components/core/stack-config";
import { loadStrictYaml } from "./yaml-text";
import { NotRegularFileError, readRegularFile } from "./regular-file";

export const PLATFORM_KEY = "agent-identity:platform";
export const AGENTS_KEY = "agent-identity:agents";

/** A stack-file issue; `line` (1-based) when it is known. */
export type StackFileIssue = DeclarationIssue & { readonly line?: number };

export class StackFileError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly StackFileIssue[],
  ) {
    super(issues.map((issue) => `${file}${issue.line ? `:${issue.line}` : ""}${issue.path ? `: ${issue.path}` : ""}: ${issue.message}`).join("\n"));
    this.name = "StackFileError";
  }
}

export interface StackFile {
  readonly file: string;
  /** `{ platform, agents }`, not yet validated. */
  readonly declaration: { platform: unknown; agents: unknown };
  /** `agent-identity:kubeContexts` as written (undefined: not set), checked as stacks/index.ts checks it. */
  readonly kubeContexts: unknown;
  /** The whole stack file as parsed: `diff` shows changes to the settings the plan does not read. */
  readonly document: Readonly<Record<string, unknown>>;
  /**
   * Turns a declaration path (`agents.0.tools.1.aws`) into `file:line: config-key path`; `label`
   * (`agents[0] (triage).tools[1] (ledger).aws`) is shown instead of the bare indexes when given.
   */
  locate(path: string, label?: string): string;
}

export function stackFilePath(stack: string): string {
  return `stacks/Pulumi.${stack}.yaml`;
}

export function readStackFile(file: string): StackFile {
  let text: string | undefined;
  try {
    text = readRegularFile(file);
  } catch (error) {
    if (error instanceof NotRegularFileError) throw new StackFileError(file, [{ path: "", message: error.reason }]);
    throw new StackFileError(file, [{ path: "", message: `cannot read the stack file (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  if (text === undefined) throw new StackFileError(file, [{ path: "", message: "cannot read the stack file (ENOENT)" }]);
  return parseStackFile(text, file);
}

// The `yaml` package maps positions only when there is something to report: loaded then, not at start-up.
const yamlPackage = (): typeof import("yaml") => require("yaml");
const isMap = (node: unknown): node is YAMLMap => yamlPackage().isMap(node);
const isScalar = (node: unknown): node is Scalar => yamlPackage().isScalar(node);

/** The document with its line map: built only when an error must be reported against a line. */
function documentWithLines(text: string): { document: Document.Parsed; lineCounter: LineCounter } {
  const { LineCounter, parseDocument } = yamlPackage();
  const lineCounter = new LineCounter();
  return { document: parseDocument(text, { lineCounter, prettyErrors: false }), lineCounter };
}

/** The line of each top-level key, looked up only when an error must name one. */
function topLevelLines(text: string): (key: string) => number | undefined {
  const { document, lineCounter } = documentWithLines(text);
  const contents = document.contents;
  return (key) => {
    const pair = isMap(contents) ? contents.items.find((item) => isScalar(item.key) && item.key.value === key) : undefined;
    const range = (pair?.key as Node | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
}

/**
 * A valid file (the common case, and the cost that grows with the fleet) is read with one plain
 * parse by js-yaml, about 15 times faster than building the `yaml` package's document. Its core
 * schema reads values as YAML 1.2 does (no timestamps: `2027-06-30` stays a string; no `<<` merge
 * keys), the same as `yaml`'s default. Positions are mapped with `yaml` only when there is
 * something to report.
 */
export function parseStackFile(text: string, file: string): StackFile {
  let root: { config?: Record<string, unknown> } | null;
  try {
    const read = loadStrictYaml(text, file);
    if (read.issues.length)
      throw new StackFileError(
        file,
        read.issues.map(({ line, column, message }) => ({ path: `column ${column}`, message, line })),
      );
    root = read.root as typeof root;
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    const { document, lineCounter } = documentWithLines(text);
    const issues = document.errors.map((e) => ({ path: `line ${lineCounter.linePos(e.pos[0]).line}`, message: e.message.split("\n")[0] }));
    // The two parsers disagree on a few edge cases: then js-yaml's own message and line.
    const line = error.mark ? `line ${error.mark.line + 1}` : "";
    throw new StackFileError(file, issues.length ? issues : [{ path: line, message: error.reason || error.message.split("\n")[0] }]);
  }
  if (!root || typeof root !== "object" || Array.isArray(root)) {
    throw new StackFileError(file, [{ path: "config", message: "the stack file has no `config:` map" }]);
  }
  const unknown = unknownStackFileKeys(Object.keys(root));
  if (unknown.length) {
    const lineOf = topLevelLines(text);
    throw new StackFileError(
      file,
      unknown.map((key) => ({
        path: shownKey(key),
        line: lineOf(key),
        message:
          "not a key Pulumi reads at the top of a stack file (only secretsprovider, encryptedkey, encryptionsalt, config, environment and mainEnvironment; Pulumi ignores any other): a config setting belongs under `config:`; delete it",
      })),
    );
  }
  const config = root.config;
  if (!config || typeof config !== "object" || Array.isArray(config)) {
    throw new StackFileError(file, [{ path: "config", message: "the stack file has no `config:` map" }]);
  }
  const configMap = config as Record<string, unknown>;
  const { keys, issues } = readAgentIdentityKeys(Object.keys(configMap), (key) => configMap[key]);
  if (issues.length) {
    const { document, lineCounter } = documentWithLines(text);
    const config = document.get("config", true);
    const lineOf = (key: string) => {
      const pair = isMap(config) ? config.items.find((item) => isScalar(item.key) && item.key.value === key) : undefined;
      const range = (pair?.key as Node | undefined)?.range;
      return range ? lineCounter.linePos(range[0]).line : undefined;
    };
    throw new StackFileError(
      file,
      issues.map((issue) => {
        const twinLine = issue.twin === undefined ? undefined : lineOf(issue.twin);
        return {
          path: shownKey(issue.key),
          message: `${issue.message}${twinLine ? ` (${shownKey(issue.twin!)} is on line ${twinLine})` : ""}`,
          line: lineOf(issue.key),
        };
      }),
    );
  }
  const platformKey = keys.get("platform") ?? PLATFORM_KEY;
  const agentsKey = keys.get("agents") ?? AGENTS_KEY;
  const contextsKey = keys.get("kubeContexts") ?? KUBE_CONTEXTS_KEY;
  if (!keys.has("platform")) {
    throw new StackFileError(file, [{ path: `config.${PLATFORM_KEY}`, message: "missing: the platform declaration is required" }]);
  }

  // Pulumi ESC: `environment:` imports config `pulumi up` merges in (pulumiConfig may set
  // agent-identity:agents) and `plan` cannot resolve without ESC. A stack file that declares agents
  // holds them all here, so what `plan` judges is what `pulumi up` deploys.
  const esc = ["environment", "mainEnvironment"].find((key) => key in root);
  if (esc) {
    throw new StackFileError(file, [
      {
        path: esc,
        message:
          "a Pulumi ESC environment is imported, whose pulumiConfig may add or change agent-identity config that plan, diff and inventory cannot see: keep the agent-identity declaration whole in this file and import ESC environments only in stacks without it",
        line: topLevelLines(text)(esc),
      },
    ]);
  }

  let lines: ReturnType<typeof documentWithLines> | undefined;
  const locate = (path: string, label?: string): string => {
    lines ??= documentWithLines(text);
    const { document, lineCounter } = lines;
    const [head, ...rest] = path.split(".").filter(Boolean);
    const key = head === "platform" ? platformKey : head === "agents" ? agentsKey : head === KUBE_CONTEXTS_KEY ? contextsKey : head;
    const yamlPath = ["config", key, ...rest.map((p) => (/^\d+$/.test(p) ? Number(p) : p))];
    let node = document.getIn(yamlPath, true) as Node | undefined;
    // Fall back to the nearest existing parent (a missing field is reported at its parent).
    for (let depth = yamlPath.length - 1; !node && depth > 1; depth--) node = document.getIn(yamlPath.slice(0, depth), true) as Node | undefined;
    const line = node?.range ? `:${lineCounter.linePos(node.range[0]).line}` : "";
    const pretty = [key, ...rest].reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
    const named = label && head && label.startsWith(head) ? `${key}${label.slice(head.length)}` : pretty;
    return `${file}${line}: ${named}`;
  };
  return {
    file,
    declaration: { platform: configMap[platformKey], agents: configMap[agentsKey] ?? [] },
    kubeContexts: configMap[contextsKey],
    document: root as Record<string, unknown>,
    locate,
  };
}

/** Re-express a `DeclarationError` against the stack file's lines and config keys. */
export function locateDeclarationError(stackFile: StackFile, error: DeclarationError): string[] {
  return error.issues.map((issue) => `${stackFile.locate(issue.path, issue.label)}: ${issue.message}`);
}
