/**
 * The code-span rule of `components/diff/markdown.ts`, proven against a real GFM parser: any
 * string, however hostile, rendered into a table cell (as a value or as our text) keeps its cell,
 * and parses to no link, image, HTML, mention, autolink or bidi control.
 */
import fc from "fast-check";
import { marked, type Token, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import { mdCode, mdRow, mdText } from "../../components/diff/markdown";

const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** Pieces a hostile value is built from: markup, escapes, table, link, mention and HTML syntax, bidi and control characters. */
const PIECES = [
  "`",
  "``",
  "\\",
  "\\\\",
  "|",
  "\\|",
  "@",
  "@team",
  "@acme/security",
  "<",
  ">",
  "<script>",
  "<img src=x onerror=alert(1)>",
  "&",
  "&lt;",
  "&#64;",
  "[",
  "]",
  "(",
  ")",
  "[x](https://evil.example)",
  "![i](https://evil.example/i.png)",
  "<https://evil.example>",
  "https://evil.example",
  "http://x.y",
  "www.evil.example",
  "a@b.example",
  "*",
  "_",
  "~",
  "#",
  "!",
  ":",
  "/",
  "-",
  "+",
  "=",
  "{",
  "}",
  "'",
  '"',
  " ",
  "  ",
  "\t",
  "\n",
  "\r\n",
  "\u0000",
  "\u0007",
  "\u001b[31m",
  "\u007f",
  "\u0085",
  "\u2028",
  "\u202e",
  "\u2066",
  "\u2069",
  "\u200b",
  "\u200d",
  "\ufeff",
  "\u00ad",
  "é",
  "😀",
  "\ud800",
  "x",
  "arn:aws:s3:::b/*",
];
const hostile = fc.oneof(
  fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.constantFrom("`", "\\", "|", " ", "@", "a", ":", "/", "<", "w", "."), maxLength: 30 }),
);

/** Every token of a parse, depth first. */
function* walk(tokens: readonly Token[]): Generator<Token> {
  for (const token of tokens) {
    yield token;
    const t = token as Tokens.Generic;
    if (t.tokens) yield* walk(t.tokens);
    if (token.type === "table") {
      const table = token as Tokens.Table;
      for (const cell of table.header) yield* walk(cell.tokens);
      for (const row of table.rows) for (const cell of row) yield* walk(cell.tokens);
    }
    if (token.type === "list") for (const item of (token as Tokens.List).items) yield* walk(item.tokens);
  }
}

function problems(markdown: string, columns: number): string[] {
  const tokens = marked.lexer(markdown, { gfm: true });
  const out: string[] = [];
  const tables = tokens.filter((t) => t.type === "table") as Tokens.Table[];
  if (tables.length !== 1) out.push(`expected one table, got ${tables.length}`);
  for (const table of tables) {
    if (table.header.length !== columns) out.push(`header has ${table.header.length} cells`);
    if (table.rows.length !== 1) out.push(`${table.rows.length} rows`);
    for (const row of table.rows) if (row.length !== columns) out.push(`row has ${row.length} cells`);
  }
  for (const token of walk(tokens)) {
    if (["link", "image", "html"].includes(token.type)) out.push(`${token.type}: ${token.raw}`);
    if (token.type === "text" || token.type === "escape") {
      const text = (token as Tokens.Text).text;
      if (/(^|[^\w`])@[A-Za-z0-9]/.test(text)) out.push(`mention in text: ${JSON.stringify(text)}`);
      if (/https?:\/\/|www\./i.test(text)) out.push(`autolink in text: ${JSON.stringify(text)}`);
    }
    if ("text" in token && typeof token.text === "string" && BIDI.test(token.text)) out.push(`bidi control in ${token.type}`);
    if (BIDI.test(token.raw)) out.push(`bidi control in raw ${token.type}`);
  }
  return out;
}

function table(value: string): string {
  return [
    mdRow(["a", "b", "c", "d"]),
    mdRow(["---", "---", "---", "---"]),
    mdRow([mdCode(value), mdText(value), `x ${mdCode(value)} y`, `_${mdText(value)}_`]),
    "",
  ].join("\n");
}

describe("markdown escaping", () => {
  it("keeps every cell and lets no link, image, HTML, mention, autolink or bidi control through (fast-check, fixed seed)", () => {
    fc.assert(
      fc.property(hostile, (value) => {
        expect(problems(table(value), 4), JSON.stringify(value)).toEqual([]);
      }),
      { seed: 20261206, numRuns: 2_000 },
    );
  });

  it("shows a code span's content exactly, backslashes and pipes included", () => {
    for (const value of ["a\\|b", "a|b", "a\\\\|b", "` x `", "``", "\\", "x\\"]) {
      const [cell] = (marked.lexer(table(value), { gfm: true }).find((t) => t.type === "table") as Tokens.Table).rows[0];
      const code = cell.tokens.find((t) => t.type === "codespan") as Tokens.Codespan;
      // A pipe after an odd run of backslashes shows one backslash more (GFM drops only one of `\\\|`); nothing else changes.
      const oddBeforePipe = /(^|[^\\])(\\\\)*\\\|/.test(value);
      expect(code.text).toBe(oddBeforePipe ? value.replace(/(\\+)\|/g, "$1\\|") : value);
    }
  });

  it("fails when the rule is broken: a raw value in a cell is caught", () => {
    const raw = [mdRow(["a", "b"]), mdRow(["---", "---"]), mdRow(["[x](https://evil.example) @team", "<b>\u202e</b>"]), ""].join("\n");
    expect(problems(raw, 2).length).toBeGreaterThanOrEqual(3);
  });
});
