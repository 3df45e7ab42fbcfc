/**
 * Schema errors in plain words, at paths a reviewer can find: `agents[3] (claims-intake).expires:
 * required` rather than zod's `agents.3.expires: Invalid input: expected string, received undefined`.
 * The error map is passed per parse, so the library never changes zod's global configuration.
 */
import type { z } from "zod";

type RawIssue = z.core.$ZodRawIssue;

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a map of fields",
  date: "a date",
};

function describeInput(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "a map";
  return `a ${typeof input}`;
}

/** Levenshtein distance, bounded: keys are short, and anything over 64 characters gets no suggestion. */
function distance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** The closest known field name, if it is close enough to be a typo. */
export function suggestField(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; score: number } | undefined;
  for (const name of known) {
    const score = key.toLowerCase() === name.toLowerCase() ? 0 : distance(key, name);
    if (score <= Math.max(2, Math.floor(name.length / 3)) && (!best || score < best.score)) best = { name, score };
  }
  return best?.name;
}

const quote = (value: unknown) => JSON.stringify(typeof value === "string" && value.length > 60 ? `${value.slice(0, 57)}...` : value);

function knownKeys(issue: RawIssue): string[] {
  const def = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  return def?.shape ? Object.keys(def.shape) : [];
}

/** The per-parse zod error map: plain words for zod's built-in issues (schema-level messages take precedence). */
export function plainMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "required";
      return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}, not ${describeInput(issue.input)}`;
    case "unrecognized_keys": {
      const known = knownKeys(issue);
      return issue.keys
        .map((key) => {
          const suggestion = suggestField(key, known);
          return `unknown field ${quote(key)}${suggestion ? ` (did you mean "${suggestion}"?)` : known.length ? ` (fields here: ${known.join(", ")})` : ""}`;
        })
        .join("; ");
    }
    case "invalid_value":
      return issue.values.length === 1 ? `must be ${quote(issue.values[0])}` : `one of ${issue.values.map(String).join(", ")}`;
    case "too_small": {
      const n = Number(issue.minimum);
      if (issue.origin === "string") return n <= 1 ? "must not be empty" : `at least ${n} characters`;
      if (issue.origin === "array" || issue.origin === "set") return n <= 1 ? "must list at least one item" : `must list at least ${n} items`;
      return `at least ${n}`;
    }
    case "too_big": {
      const n = Number(issue.maximum);
      if (issue.origin === "string") return `at most ${n} characters`;
      if (issue.origin === "array" || issue.origin === "set") return `at most ${n} items`;
      return `at most ${n}`;
    }
    case "invalid_format":
      return `not a valid ${issue.format}`;
    case "invalid_union":
      return "does not match any of the accepted forms";
    default:
      return undefined;
  }
}

/** A short display name for a list element: its `name`, when it is a plain short name. */
function elementName(element: unknown): string | undefined {
  if (element === null || typeof element !== "object" || Array.isArray(element)) return undefined;
  const name = (element as { name?: unknown }).name;
  return typeof name === "string" && /^[A-Za-z0-9._-]{1,63}$/.test(name) ? name : undefined;
}

/**
 * A path for people: list indexes carry the element's name, `agents[3] (claims-intake).tools[1]
 * (ledger).database.ttl`. `input` is the raw value the path points into.
 */
export function labelPath(prefix: string, path: readonly PropertyKey[], input: unknown): string {
  let label = prefix;
  let node: unknown = input;
  for (const part of path) {
    const key = typeof part === "symbol" ? part.toString() : part;
    const child = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[key] : undefined;
    if (typeof key === "number" || /^\d+$/.test(String(key))) {
      const name = elementName(child);
      label = `${label}[${String(key)}]${name ? ` (${name})` : ""}`;
    } else {
      label = label ? `${label}.${String(key)}` : String(key);
    }
    node = child;
  }
  return label;
}
