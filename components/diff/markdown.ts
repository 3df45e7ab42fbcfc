/**
 * Markdown escaping for untrusted values (agent names, ARNs, paths, reasons from a plan anyone can
 * edit in a pull request). The rule, tested by `test/diff/markdown-escaping.test.ts` with every
 * character class parsed back by `marked`:
 * - every value a plan supplies goes in a code span (`mdCode`): no emphasis, link, autolink,
 *   mention or HTML is recognised inside one, on GitHub or by CommonMark;
 * - the span's fence is one backtick longer than the longest run inside, padded by a space when
 *   the value starts or ends with a backtick or a space (CommonMark strips one of each);
 * - a `|` is written so that an odd number of backslashes precedes it: GFM tables split cells at
 *   pipes after an even number, and drop one backslash of `\|` afterwards;
 * - line breaks and other control characters become spaces; bidi and other invisible format
 *   characters are shown as `<U+202E>`, so no text can be reordered or hidden;
 * - plain text of our own that carries a value (`mdText`) is backslash-escaped, and `@`, `://`
 *   and `www.` get a zero-width space so neither GitHub nor GFM autolinks or mentions them.
 */

/** Longest text one cell shows: a plan can hold names of any length. */
const CELL_MAX = 2_000;

/** Unicode format characters (bidi controls, zero-width joiners, soft hyphen...): never shown raw. */
const FORMAT = /\p{Cf}/gu;
const ZWSP = "\u200b";

/** Control characters (newlines included) become spaces; format characters become visible; very long text is cut with a note. */
export function oneLine(value: string): string {
  const flat = value
    // eslint-disable-next-line no-control-regex -- control characters are the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .replace(FORMAT, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}>`);
  return flat.length > CELL_MAX ? `${flat.slice(0, CELL_MAX)}… (${flat.length - CELL_MAX} more characters)` : flat;
}

/** No mention, autolink or e-mail link: a zero-width space after `@`, inside `://` and `www.`. */
function defuse(text: string): string {
  return text
    .replace(/@/g, `@${ZWSP}`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/www\./gi, (m) => `${m.slice(0, 3)}${ZWSP}.`);
}

/** Plain text inside a table cell or heading (our words, possibly with a value in them). */
export function mdText(value: string): string {
  return defuse(oneLine(value))
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|~#!])/g, "\\$1");
}

/** A `|` preceded by an odd number of backslashes, so a table never splits there. */
function protectPipes(text: string): string {
  return text.replace(/(\\*)\|/g, (_, slashes: string) => `${slashes}${slashes.length % 2 === 0 ? "\\" : "\\\\"}|`);
}

/** A code span that survives any content (see the rule above). Empty values show as `(empty)`. Outside a table (`inTable` false) pipes stay as they are. */
export function mdCode(value: string, inTable = true): string {
  const text = oneLine(value);
  if (text === "") return "_(empty)_";
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(text) ? " " : "";
  return `${fence}${pad}${inTable ? protectPipes(text) : text}${pad}${fence}`;
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
