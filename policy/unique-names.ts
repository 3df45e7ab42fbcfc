/**
 * stack/unique-names on resource inputs: a namespace or audit log group of one name that the stack
 * labels (tags) as two agents' is one object both agents' components manage. `plan` judges the same
 * names before they are created (components/core/derived-names.ts); here they are read as registered.
 */
import { LABEL_PREFIX } from "../components/core/compile";
import type { PackFinding } from "./types";
import type { StackIndex } from "./stack-index";

function byName<T>(items: readonly T[], name: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = name(item);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

export function checkUniqueNames(ix: StackIndex): PackFinding[] {
  const findings: PackFinding[] = [];
  const report = (what: string, name: string, holders: ReadonlyArray<{ agent: string; urn: string }>) => {
    const agents = [...new Set(holders.map((h) => h.agent))];
    if (agents.length < 2) return;
    for (const holder of holders) {
      findings.push({
        rule: "stack/unique-names",
        agent: holder.agent,
        identity: null,
        urn: holder.urn,
        message: `${what} "${name}" is also the ${what} of ${agents.filter((a) => a !== holder.agent).join(", ")}`,
        fix: `rename one of ${agents.join(", ")} (or shorten the long one so its derived name is not cut): derived names must be unique across the stack`,
      });
    }
  };
  const namespaces = ix.namespaces.flatMap((n) => {
    const agent = n.labels[`${LABEL_PREFIX}/agent`];
    return n.name && typeof agent === "string" ? [{ name: n.name, agent, urn: n.resource.urn }] : [];
  });
  for (const [name, holders] of byName(namespaces, (n) => n.name)) report("namespace", name, holders);
  for (const [name, holders] of byName(ix.logGroups, (g) => g.name)) report("audit log group", name, holders);
  return findings;
}
