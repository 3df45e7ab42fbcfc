/**
 * The request context an attacker would send: every policy variable solved against the target ARN
 * (a variable matches any text, so `table/${aws:UserAgent}` reaches `table/bravo-t` with
 * User-Agent `bravo-t`), and every condition key set to a value its condition names (or, under a
 * negated operator, to one it does not). Keys AWS fills from facts of the request (the resource's
 * account, organisation and tags, the region, the principal's own account and ARN) keep true values.
 */
import type { IamRolePlan } from "../../components/core/plan-types";

/** Context keys AWS sets from facts the caller cannot choose; the oracle's defaults are true for them. */
const FACTS = [
  "aws:resourceaccount",
  "s3:resourceaccount",
  "aws:requestedregion",
  "aws:resourcetag/",
  "aws:resourceorgid",
  "aws:resourceorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
];
const isFact = (key: string) => FACTS.some((fact) => key.toLowerCase().startsWith(fact));

const VARIABLE = /\$\{([^}]+)\}/g;

interface Statement {
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function statementsOf(role: IamRolePlan): Statement[] {
  return role.policies.flatMap((policy) => list(policy.document.Statement as never) as unknown as Statement[]);
}

/** Values for the variables of `pattern` that make it match `arn`, or undefined when none do. */
function solve(pattern: string, arn: string): Record<string, string> | undefined {
  const keys: string[] = [];
  let source = "";
  let last = 0;
  for (const match of pattern.matchAll(VARIABLE)) {
    source += glob(pattern.slice(last, match.index));
    const key = match[1]!;
    source += keys.includes(key) ? `\\k<v${keys.indexOf(key)}>` : `(?<v${keys.length}>.*?)`;
    if (!keys.includes(key)) keys.push(key);
    last = match.index! + match[0].length;
  }
  source += glob(pattern.slice(last));
  const found = new RegExp(`^${source}$`, "s").exec(arn);
  if (!found) return undefined;
  return Object.fromEntries(keys.map((key, i) => [key, found.groups![`v${i}`] ?? ""]));
}

const glob = (text: string) =>
  text
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");

/** Contexts to try for a request on `arn` with a session of `role`: one per way its variables can be solved, and a base one. */
export function adversarialContexts(role: IamRolePlan, arn: string): Array<Record<string, string>> {
  const base: Record<string, string> = {};
  const statements = statementsOf(role);
  for (const statement of statements) {
    for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
      for (const [key, values] of Object.entries(keys)) {
        if (isFact(key) || key in base) continue;
        const first = list(values).find((v) => !v.includes("${"));
        base[key] = /Not/.test(operator) || first === undefined ? "adversary-chosen-value" : first;
      }
    }
  }
  const contexts = [base];
  for (const statement of statements) {
    for (const pattern of [...list(statement.Resource), ...list(statement.NotResource)]) {
      if (!pattern.includes("${")) continue;
      const values = solve(pattern, arn);
      if (values && Object.keys(values).every((key) => !isFact(key))) contexts.push({ ...base, ...values });
    }
  }
  return contexts.slice(0, 6);
}
