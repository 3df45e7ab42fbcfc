/**
 * Markdown escaping for untrusted names (agent names, ARNs, paths from a plan anyone can edit in
 * a pull request): nothing in a name may end a table cell, open a code span or inject HTML.
 */

/** Plain text inside a table cell or heading. */
export function mdText(value: string): string {
  return value
    .replace(/[\r\n]+/g, " ")
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
  const text = value.replace(/[\r\n]+/g, " ");
  if (text === "") return "";
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text.replace(/\|/g, "\\|")}${pad}${fence}`;
}

/** A fenced code block whose fence no line of the content can close. */
export function mdCodeBlock(lines: readonly string[], language = ""): string {
  const longest = Math.max(2, ...lines.flatMap((line) => line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return [`${fence}${language}`, ...lines, fence].join("\n");
}

export function mdRow(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}
