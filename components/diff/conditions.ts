/**
 * IAM condition blocks in a canonical form, and how one block relates to another.
 * Condition operators and keys are compared case-insensitively for keys (as IAM does), values
 * as sets (order never matters; a single string equals a one-element list).
 */
import { globSubsumes } from "./patterns";

/** `[operator, key, sorted values]`, sorted by operator then key. */
export type CanonicalConditions = readonly (readonly [string, string, readonly string[]])[];

/** How the head side's reach compares with the base side's: more, less, the same, or neither. */
export type Scope = "same" | "grows" | "shrinks" | "incomparable";

const sorted = (values: Iterable<string>) => [...new Set(values)].sort(compareText);

/** Code-unit order: locale-independent, so output never depends on the machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function canonicalConditions(block: unknown): CanonicalConditions {
  if (!block || typeof block !== "object") return [];
  // [operator, key, values, lower-case key for ordering]
  const entries: [string, string, string[], string][] = [];
  for (const operator of Object.keys(block)) {
    const keys = (block as Record<string, unknown>)[operator];
    if (!keys || typeof keys !== "object") continue;
    for (const key of Object.keys(keys)) {
      const value = (keys as Record<string, unknown>)[key];
      const values = Array.isArray(value) ? (value.length === 1 ? [String(value[0])] : sorted(value.map(String))) : [String(value)];
      entries.push([operator, key, values, key.toLowerCase()]);
    }
  }
  if (entries.length > 1) entries.sort((a, b) => compareText(a[0], b[0]) || compareText(a[3], b[3]));
  return entries.map(([operator, key, values]) => [operator, key, values] as const);
}

export function conditionsKey(conditions: CanonicalConditions): string {
  return conditions.map(([op, key, values]) => `${op}\u0001${key.toLowerCase()}\u0001${values.join("\u0002")}`).join("\u0000");
}

/** `StringEquals aws:RequestedRegion=us-east-1; ...`, for people. */
export function formatConditions(conditions: CanonicalConditions): string {
  return conditions.map(([op, key, values]) => `${op} ${key}=${values.join("|")}`).join("; ");
}

/** Positive operators: more values admit more requests. `Not` operators: more values admit fewer. */
function valueDirection(operator: string): "positive" | "negative" | "opaque" {
  const base = operator.replace(/^(ForAnyValue|ForAllValues):/, "").replace(/IfExists$/, "");
  if (/^(String|Arn)Not(Equals|Like)(IgnoreCase)?$/.test(base) || base === "NotIpAddress") return "negative";
  if (/^(String|Arn)(Equals|Like)(IgnoreCase)?$/.test(base) || base === "IpAddress") return "positive";
  return "opaque";
}

/** Every value of `inner` is admitted by some value of `outer` (patterns for the Like operators). */
function valuesCovered(operator: string, outer: readonly string[], inner: readonly string[]): boolean {
  const like = /Like/.test(operator);
  const ignoreCase = /IgnoreCase/.test(operator);
  return inner.every((v) => outer.some((o) => (like ? globSubsumes(o, v, ignoreCase) : ignoreCase ? o.toLowerCase() === v.toLowerCase() : o === v)));
}

/**
 * Date operators compare instants (`…Z` and `…+01:00` may be the same time): a later bound admits
 * more requests under `DateLessThan`, fewer under `DateGreaterThan`. Null when not a single date each.
 */
function dateScope(operator: string, base: readonly string[], head: readonly string[]): Scope | null {
  const match = /^Date(LessThan|GreaterThan|Equals|NotEquals)(Equals)?(IfExists)?$/.exec(operator);
  if (!match || base.length !== 1 || head.length !== 1) return null;
  const [b, h] = [Date.parse(base[0]), Date.parse(head[0])];
  if (Number.isNaN(b) || Number.isNaN(h)) return null;
  if (b === h) return "same";
  if (match[1] === "LessThan") return h > b ? "grows" : "shrinks";
  if (match[1] === "GreaterThan") return h > b ? "shrinks" : "grows";
  return "incomparable";
}

function combine(scopes: Iterable<Scope>): Scope {
  let result: Scope = "same";
  for (const scope of scopes) {
    if (scope === "same") continue;
    if (scope === "incomparable" || (result !== "same" && result !== scope)) return "incomparable";
    result = scope;
  }
  return result;
}

/**
 * Reach of a statement under `head` conditions relative to `base` conditions. Conditions are
 * ANDed, so removing one grows the reach and adding one shrinks it.
 */
export function conditionScope(base: CanonicalConditions, head: CanonicalConditions): Scope {
  const id = (op: string, key: string) => `${op}\u0001${key.toLowerCase()}`;
  const baseMap = new Map(base.map(([op, key, values]) => [id(op, key), { op, values }]));
  const headMap = new Map(head.map(([op, key, values]) => [id(op, key), { op, values }]));
  const scopes: Scope[] = [];
  for (const [k, b] of baseMap) {
    const h = headMap.get(k);
    if (!h) {
      scopes.push("grows");
      continue;
    }
    const dates = dateScope(b.op, b.values, h.values);
    if (dates) {
      scopes.push(dates);
      continue;
    }
    const direction = valueDirection(b.op);
    const headInBase = valuesCovered(b.op, b.values, h.values);
    const baseInHead = valuesCovered(b.op, h.values, b.values);
    if (headInBase && baseInHead) scopes.push("same");
    else if (direction === "opaque" || (!headInBase && !baseInHead)) scopes.push("incomparable");
    else scopes.push(headInBase === (direction === "positive") ? "shrinks" : "grows");
  }
  for (const k of headMap.keys()) if (!baseMap.has(k)) scopes.push("shrinks");
  return combine(scopes);
}

export { combine as combineScopes };
