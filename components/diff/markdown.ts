/**
 * Markdown escaping for untrusted names (agent names, ARNs, paths from a plan anyone can edit in
 * a pull request): nothing in a name may end a table cell, open a code span or inject HTML.
 */

/** Longest text one cell shows: a plan can hold names of any length. */
const CELL_MAX = 2_000;

/** Control characters (newlines included) become spaces; very long text is cut with a note. */
function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ");
  return flat.length > CELL_MAX ? `${flat.slice(0, CELL_MAX)}… (${flat.length - CELL_MAX} more characters)` : flat;
}

/** Plain text inside a table cell or heading. */
export function mdText(value: string): string {
  return oneLine(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|~#!])/g, "\\$1");
}

/**
 * A code span that survives any content: a fence longer than the longest run of backticks
 * inside, padding when the content starts or ends with one, and `\|` so a pipe stays in its cell.
 */
export function mdCode(value: string): string {
  const text = oneLine(value);
  if (text === "") return "";
  // A backslash before a pipe cannot be escaped inside a code span: plain escaped text instead.
  if (text.includes("\\")) return mdText(text);
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text.replace(/\|/g, "\\|")}${pad}${fence}`;
}

/** A fenced code block whose fence no line of the content can close. */
export function mdCodeBlock(raw: readonly string[], language = ""): string {
  const lines = raw.map(oneLine);
  const longest = Math.max(2, ...lines.flatMap((line) => line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return [`${fence}${language}`, ...lines, fence].join("\n");
}

export function mdRow(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}
