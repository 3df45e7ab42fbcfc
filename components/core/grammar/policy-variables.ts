/**
 * IAM policy variables (`${aws:username}`, `${aws:PrincipalTag/team, 'default'}`) in the Resource of
 * a hand-written policy. AWS substitutes them at request time, so the written text does not say
 * which resource a statement names: `arn:aws:s3:::${aws:PrincipalTag/b}/*` is every bucket whose
 * name a caller's tag can hold. A reader that judges reach therefore reads each variable as every
 * value it can take, `*` (values may hold `/` and `:`), and the escapes `${*}`, `${?}` and `${$}` as
 * the one literal character they stand for (`*` and `?` read as `?`, one character; `$` as `$`).
 * AWS substitutes only in the resource part of an ARN (after the fifth `:`); a variable before it,
 * or a `${` never closed, leaves that component and every later one unbounded (`*`). Only documents
 * of Version 2012-10-17 have variables; AWS reads older ones literally, and both readings are kept.
 *
 * Over and under: what a statement allows is widened (Allow Resource, Deny NotResource: every
 * expansion), what it takes away is narrowed (Allow NotResource, Deny Resource: an entry holding a
 * variable is dropped), so no reader credits a Deny or an exclusion it cannot bound.
 * Source: IAM User Guide, "IAM policy elements: Variables and tags" and "Version".
 * Linear: one scan of each string.
 */
import { asList, type PolicyDocument, type PolicyStatement } from "../iam-document";

/** One `${…}` of a string: where it starts and ends (exclusive), its body, and whether it is closed. */
export interface PolicyVariable {
  readonly start: number;
  readonly end: number;
  readonly body: string;
  readonly closed: boolean;
}

/** The `${…}` of a string in order, at most `limit`. A body holding `${` (nesting) counts as never closed. */
export function policyVariables(value: string, limit = Number.POSITIVE_INFINITY): PolicyVariable[] {
  const out: PolicyVariable[] = [];
  let from = 0;
  while (out.length < limit) {
    const start = value.indexOf("${", from);
    if (start < 0) break;
    const close = value.indexOf("}", start + 2);
    const body = close < 0 ? value.slice(start + 2) : value.slice(start + 2, close);
    if (close < 0 || body.includes("${")) {
      out.push({ start, end: value.length, body, closed: false });
      break;
    }
    out.push({ start, end: close + 1, body, closed: true });
    from = close + 1;
  }
  return out;
}

/** The escapes AWS defines: each one literal character, read as a pattern that matches it. */
const ESCAPES: Readonly<Record<string, string>> = { "*": "?", "?": "?", $: "$" };

const colons = (text: string) => text.split(":").length - 1;

/** An ARN cut inside its first five components: the complete components kept, the rest `*`. */
function unboundedFrom(prefix: string): string {
  if (!prefix.startsWith("arn:")) return "*";
  const complete = prefix.split(":").slice(0, -1);
  while (complete.length < 6) complete.push("*");
  return complete.join(":");
}

/**
 * A written Resource as the IAM glob every substitution of its variables matches (itself when it
 * has none): `arn:aws:s3:::acme-${aws:userid}/*` → `arn:aws:s3:::acme-*\/*`.
 */
export function resourceGlob(written: string): string {
  if (!written.includes("${")) return written;
  let out = "";
  let at = 0;
  for (const variable of policyVariables(written)) {
    out += written.slice(at, variable.start);
    if (colons(out) < 5) return unboundedFrom(out);
    if (!variable.closed) return `${out}*`;
    out += ESCAPES[variable.body] ?? "*";
    at = variable.end;
  }
  return out + written.slice(at);
}

const hasVariable = (value: string) => value.includes("${");

/**
 * A document as IAM evaluates its resources: Resource and NotResource with their variables read as
 * above (widened where the statement allows, narrowed where it takes away). Other fields, and
 * statements without a variable, are kept as they are.
 */
export function documentAsEvaluated(document: PolicyDocument): PolicyDocument {
  const substituted = document.Version === "2012-10-17";
  const widen = (list: readonly string[]) => [
    ...new Set(list.flatMap((r) => (!hasVariable(r) ? [r] : substituted ? [resourceGlob(r)] : [r, resourceGlob(r)]))),
  ];
  const narrow = (list: readonly string[]) => list.filter((r) => !hasVariable(r));
  let changed = false;
  const statements = document.Statement.map((statement): PolicyStatement => {
    // A hand-written entry that is not an object is kept for the checks that refuse it.
    if (!statement || typeof statement !== "object") return statement;
    const resources = strings(statement.Resource);
    const notResources = strings(statement.NotResource);
    if (!resources.some(hasVariable) && !notResources.some(hasVariable)) return statement;
    changed = true;
    const allow = statement.Effect === "Allow";
    return {
      ...statement,
      ...(statement.Resource !== undefined ? { Resource: allow ? widen(resources) : narrow(resources) } : {}),
      ...(statement.NotResource !== undefined ? { NotResource: allow ? narrow(notResources) : widen(notResources) } : {}),
    };
  });
  return changed ? { ...document, Statement: statements } : document;
}

/** A hand-written Resource list: only its strings (anything else names nothing AWS accepts). */
const strings = (value: unknown): string[] => asList(value as string | string[] | undefined).filter((v): v is string => typeof v === "string");
