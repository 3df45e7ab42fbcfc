/**
 * What a stack or project file may contain before it is parsed: only YAML that js-yaml (what the
 * CLI, the diff and the review gate read) and go-yaml v3 (what Pulumi reads, then deploys) read the
 * same way. The file is refused, with its line and column, when it holds:
 *
 * - a character outside the allowlist: tab, LF, CR, printable ASCII, and U+00A0 and above except
 *   U+2028/U+2029 (go-yaml ends lines and comments at them and at U+0085 NEL, js-yaml does not, so
 *   text after one inside a comment is a statement Pulumi deploys and the diff never sees), U+FFFD
 *   (invalid UTF-8, which go-yaml refuses) and a byte-order mark anywhere but at the start;
 * - an anchor, alias, tag or directive: Pulumi stack files never need them, an alias bomb hangs a
 *   reader, and go-yaml resolves `!!binary` and `<<` merges that js-yaml's core schema does not;
 * - a plain (unquoted) scalar the two parsers may resolve differently: YAML 1.1 booleans
 *   (`yes`/`no`/`on`/`off`/`y`/`n`), a merge key `<<`, and any number not written in plain decimal
 *   (`0731` is 731 to js-yaml and octal 473 to go-yaml; `0x1F`, `0o17`, `1_000`, `1:20`, `.inf`,
 *   `+5`, `1e3`). Quoting such a value makes it a string in both;
 * - a block scalar (`|`, `>`) that ends a file lacking its final newline.
 */
import { CORE_SCHEMA, load, type LoadOptions } from "js-yaml";

export interface YamlTextIssue {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Anything but tab, LF, CR, printable ASCII and U+00A0 and above less U+2028, U+2029, U+FEFF, U+FFFD and the non-characters U+FFFE/U+FFFF. */
const DISALLOWED = /[^\t\n\r\u0020-\u007e\u00a0-\u2027\u202a-\ufefe\uff00-\ufffc\u{10000}-\u{10ffff}]/gu;

/** YAML 1.1 booleans go-yaml v3 still reads into a bool (and js-yaml reads as strings). */
const YAML11_BOOLEANS = new Set(["y", "yes", "n", "no", "on", "off"]);
/** Plain decimal, as both parsers read it. */
const CANONICAL_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
/** Any plain scalar either parser may read as a number: begins with a digit, a sign or a dot followed by a digit or `inf`/`nan`. */
const NUMBER_LIKE = /^[-+]?(\.?[0-9]|\.(inf|nan)$)/i;
/** Forms that read as a number in go-yaml v3 (strconv base 0, underscores dropped, YAML float) or js-yaml core, or YAML 1.1 sexagesimal. */
const NUMERIC_FORMS = [
  /^[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$/,
  /^[-+]?(\.[0-9_]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/,
  /^[-+]?\.(inf|nan)$/i,
];

export function codePointName(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

function characterReason(char: string): string {
  const code = char.codePointAt(0)!;
  if (code === 0x85 || code === 0x2028 || code === 0x2029)
    return `${codePointName(char)} is a line break to go-yaml (what Pulumi reads) but not to js-yaml (what plan and diff read): text after it would be read differently; delete it`;
  if (code === 0xfeff) return "a byte-order mark (U+FEFF) is allowed only as the file's first character; delete it";
  if (code === 0xfffd) return "U+FFFD: the file is not valid UTF-8 (or holds a replacement character); save it as UTF-8";
  if (code >= 0x80 && code <= 0x9f) return `${codePointName(char)} is a C1 control character; delete it`;
  return `${codePointName(char)} is a control character; delete it`;
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** Characters a plain scalar that is a YAML 1.1 boolean, a merge key or number-like can start with. */
const AMBIGUOUS_START = /^[-+.0-9<]/;

function plainScalarReason(value: string): string | undefined {
  // Most scalars (names, ARNs, e-mail addresses) are none of these: every case below is at most
  // three characters long (y, yes, no, on, off, <<) or starts with a sign, digit or dot.
  if (value.length > 3 && !AMBIGUOUS_START.test(value)) return undefined;
  if (YAML11_BOOLEANS.has(value.toLowerCase()))
    return `\`${value}\` is a boolean to go-yaml (YAML 1.1, what Pulumi reads) and a string to js-yaml: write "${value}" (quoted) for a string, or true/false`;
  if (value === "<<") return "`<<` is a merge key to go-yaml and a plain key to js-yaml: write the keys out";
  // go-yaml drops every underscore before reading a number that starts with a sign, digit or dot (`-_1` is -1).
  const bare = /^[-+0-9.]/.test(value) ? value.replace(/_/g, "") : value;
  if (NUMBER_LIKE.test(bare) && !CANONICAL_NUMBER.test(value) && NUMERIC_FORMS.some((form) => form.test(bare)))
    return `\`${value}\` is read as a different number (or as a string) by go-yaml (what Pulumi reads) and js-yaml (what plan and diff read): write plain decimal (e.g. 731, 1000, 0.5) or quote it ("${value}")`;
  // Pulumi keeps a config value's text ("1.0" is another Vault namespace or AWS profile than "1"),
  // while plan and diff read a number: only the one spelling a number reads back as is unambiguous.
  if (CANONICAL_NUMBER.test(value) && String(Number(value)) !== value)
    return `\`${value}\` is the number ${String(Number(value))} to plan and diff but the text "${value}" to Pulumi (trailing zeros, -0, or beyond 2^53): write ${String(Number(value))}, or quote it ("${value}") for the text`;
  return undefined;
}

/** The text's own characters: every one outside the allowlist, at most 20, in file order. */
export function characterIssues(text: string): YamlTextIssue[] {
  const issues: YamlTextIssue[] = [];
  for (const match of text.matchAll(DISALLOWED)) {
    if (match[0] === "\ufeff" && match.index === 0) continue;
    issues.push({ ...position(text, match.index), message: characterReason(match[0]) });
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues;
}

const MAX_ISSUES = 20;
const IMPLICIT_TAGS = new Set(["tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"]);

/** What `String.prototype.trimStart` skips (ECMAScript WhiteSpace and LineTerminator), one UTF-16 unit. */
function isWhitespace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 160) return false;
  return (
    code === 160 ||
    code === 5760 ||
    (code >= 8192 && code <= 8202) ||
    code === 8232 ||
    code === 8233 ||
    code === 8239 ||
    code === 8287 ||
    code === 12288 ||
    code === 65279
  );
}

/** js-yaml's parser state as its `listener` sees it (js-yaml 4 passes the state object itself). */
interface ListenerState {
  readonly input: string;
  readonly position: number;
  readonly kind: string | null;
  readonly tag: string | null;
  readonly anchor: string | null;
  readonly result: unknown;
}

/**
 * Parses `text` with js-yaml's core schema in one pass and returns the document with every issue
 * found: characters first (then the text is not parsed), then, from the parser's own events,
 * anchors, aliases, tags and ambiguous plain scalars. Throws js-yaml's `YAMLException` on a syntax
 * error, as `load` does.
 */
export function loadStrictYaml(text: string, filename: string): { root: unknown; issues: YamlTextIssue[] } {
  const characters = characterIssues(text);
  if (characters.length) return { root: undefined, issues: characters };
  const directive = /^%/m.exec(text);
  if (directive)
    return {
      root: undefined,
      issues: [
        { ...position(text, directive.index), message: "a YAML directive (a line starting with %) is not allowed in a stack or project file; delete it" },
      ],
    };
  const issues: YamlTextIssue[] = [];
  const seen = new Set<number>();
  const opens: number[] = [];
  const report = (at: number, message: string) => {
    if (seen.has(at) || issues.length >= MAX_ISSUES) return;
    seen.add(at);
    issues.push({ ...position(text, at), message });
  };
  const listener = (event: "open" | "close", state: ListenerState) => {
    if (event === "open") {
      opens.push(state.position);
      return;
    }
    const start = opens.pop() ?? 0;
    const { input, position: end } = state;
    // Where the node's text starts once the whitespace before it is skipped (what trimStart skips),
    // found without copying the text: this runs for every node of the file, a report seldom.
    let at = start;
    while (at < end && isWhitespace(input.charCodeAt(at))) at++;
    const first = at < end ? input.charAt(at) : "";
    const nodeText = () => input.slice(at, end);
    if (first === "&" || state.anchor !== null)
      report(
        at,
        `a YAML anchor (${nodeText().split(/\s/)[0].slice(0, 40)}) is not allowed in a stack or project file: Pulumi stack files never need one and an alias can expand without bound; write the value out`,
      );
    else if (first === "*")
      report(at, `a YAML alias (${nodeText().split(/\s/)[0].slice(0, 40)}) is not allowed in a stack or project file: write the value out`);
    else if (first === "!")
      report(
        at,
        `a YAML tag (${nodeText().split(/\s/)[0].slice(0, 40)}) is not allowed in a stack or project file: go-yaml and js-yaml resolve tags differently; delete it (quote the value for a string)`,
      );
    else if ((first === "|" || first === ">") && state.position >= text.length && !text.endsWith("\n"))
      // js-yaml appends the missing final newline before parsing; go-yaml v3 does not, so a block
      // scalar that ends the file is one newline shorter in what Pulumi deploys than in the diff.
      report(
        at,
        "a block scalar (| or >) ends the file without a final newline: go-yaml (what Pulumi reads) and js-yaml (what plan and diff read) then read different text; end the file with a newline",
      );
    else if (state.kind === "scalar" && state.tag === "?" && typeof state.result === "string") {
      const reason = plainScalarReason(state.result);
      if (reason) report(at, reason);
    } else if (state.kind === "scalar" && state.tag !== null && IMPLICIT_TAGS.has(state.tag)) {
      const reason = plainScalarReason(nodeText().trimEnd());
      if (reason) report(at, reason);
    }
  };
  const root = load(text, { schema: CORE_SCHEMA, filename, listener: listener as unknown as LoadOptions["listener"] });
  return { root, issues };
}
