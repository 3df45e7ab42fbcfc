/**
 * The grammar every declared string passes before anything reads it: a length bound, and no
 * character that makes the text mean something other than what a reviewer sees. Refused
 * everywhere a string can reach a policy, a name, a path or a command:
 * - control characters (NUL, newline, escape…): a NUL ends a C string early, a newline ends a
 *   shell comment or a log line, and AWS refuses them in names anyway;
 * - invisible format characters, bidirectional controls above all (U+202A–202E, U+2066–2069,
 *   U+200E/F, U+061C): "Trojan Source" text that reads one way and compiles another;
 * - line and paragraph separators, lone surrogates and private-use characters.
 * Strings that reach a policy, a name, a path or a command also may not hold an IAM policy
 * variable (`${aws:username}`, `${aws:PrincipalTag/x}`, `${*}`): AWS substitutes it at request
 * time, so no check made here on the written text says which resource it will name.
 * SQL statements and PEM certificates keep their tabs and line breaks (`lines`); free text a
 * person reads (a reason, a ticket) may hold `${` (`prose`).
 */
import { z } from "zod";
import { policyVariables } from "./policy-variables";

/** Where a string goes: `token` (a policy, a name, a path, a command), `lines` (SQL, PEM), `prose` (read by people only). */
export type StringKind = "token" | "lines" | "prose";

const BIDI = new Set([0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}]/u;
const UNSAFE_GLOBAL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}]/gu;
const LINE_BREAKS = new Set([0x09, 0x0a, 0x0d]);

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;

function characterName(code: number): string {
  if (code === 0) return "NUL";
  if (BIDI.has(code)) return "a bidirectional control";
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return "a control character";
  if (code === 0x2028 || code === 0x2029) return "a line or paragraph separator";
  if (code >= 0xd800 && code <= 0xdfff) return "a lone surrogate";
  if (code >= 0xe000 && code <= 0xf8ff) return "a private-use character";
  return "an invisible format character";
}

/** Why the string holds a character no declared string may hold, or null. Linear: one regular-expression scan with no backtracking. */
export function characterProblem(value: string, kind: StringKind = "token"): string | null {
  if (!UNSAFE.test(value)) return null;
  for (const match of value.matchAll(UNSAFE_GLOBAL)) {
    const code = match[0].codePointAt(0)!;
    if (kind === "lines" && LINE_BREAKS.has(code)) continue;
    return `contains ${hex(code)} (${characterName(code)}) at character ${match.index + 1}: it makes the text differ from what a reviewer reads, and reaches policies, names and commands as written; delete it`;
  }
  return null;
}

/** Why the string holds an IAM policy variable, or null. */
export function policyVariableProblem(value: string): string | null {
  const [first] = policyVariables(value, 1);
  if (!first) return null;
  const variable = first.closed ? value.slice(first.start, Math.min(first.end, first.start + 80)) : value.slice(first.start, first.start + 40);
  return `contains the policy variable ${variable}: AWS substitutes it at request time, so what it names (another agent's resource, anyone's) cannot be checked here; write the literal value`;
}

/** Why a declared string of this kind is refused, or null (the length is the schema's `max`). */
export function stringProblem(value: string, kind: StringKind): string | null {
  return characterProblem(value, kind) ?? (kind === "prose" ? null : policyVariableProblem(value));
}

/**
 * A declared string: at most `max` characters (checked first, so the other checks never read an
 * unbounded string), then the grammar for its kind. Chain `.min`, `.regex` and refinements after it.
 */
export function declaredString(max: number, kind: StringKind = "token"): z.ZodString {
  return z
    .string()
    .max(max, `at most ${max} characters`)
    .superRefine((value, ctx) => {
      if (value.length > max) return;
      const problem = stringProblem(value, kind);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}

/** Length bounds the declaration uses, named once. */
export const MAX = {
  /** IAM's limit for an ARN in a policy. */
  arn: 2048,
  /** The longest IAM action name is under 100 characters; a pattern may be a little longer. */
  action: 256,
  name: 128,
  region: 32,
  email: 254,
  duration: 16,
  prose: 1000,
  sql: 4000,
} as const;
