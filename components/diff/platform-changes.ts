/**
 * The platform section of the diff: mounts, audience, accounts and limits (by their
 * classification rules) and the reviewed exceptions, which waive rules and so widen when one is
 * added, expires later, or applies to more (every identity instead of one).
 */
import type { PolicyException } from "../core/schema";
import { compareText } from "./conditions";
import type { LocalChange } from "./entry-changes";
import { genericChanges } from "./generic-changes";
import type { Plan } from "./model";

const describe = (e: PolicyException) =>
  `${e.rule} for ${e.agent}${e.identity ? `/${e.identity}` : " (every identity)"} until ${e.expires}, approved by ${e.approvedBy}: ${e.reason}`;
const subject = (e: PolicyException) => `${e.rule} for ${e.agent}${e.identity ? `/${e.identity}` : ""}`;
const exact = (e: PolicyException) => [e.rule, e.agent, e.identity ?? "*"].join("\u0000");
const ruleAndAgent = (e: PolicyException) => [e.rule, e.agent].join("\u0000");

function exceptionChange(
  kind: LocalChange["kind"],
  classification: LocalChange["classification"],
  e: PolicyException,
  before: string | null,
  after: string | null,
  notes: string[],
): LocalChange {
  return { kind, classification, before, after, detail: { subject: subject(e), notes } };
}

/** Pair exceptions by rule, agent and identity; then an identity-scoped one broadened to every identity. */
export function exceptionChanges(base: readonly PolicyException[], head: readonly PolicyException[]): LocalChange[] {
  const out: LocalChange[] = [];
  const removed = new Map(base.map((e) => [exact(e), e]));
  const unmatched: PolicyException[] = [];
  for (const e of head) {
    const was = removed.get(exact(e));
    if (!was) {
      unmatched.push(e);
      continue;
    }
    removed.delete(exact(e));
    if (e.expires !== was.expires) {
      const later = e.expires > was.expires;
      out.push(
        exceptionChange("exception-changed", later ? "widens" : "narrows", e, `until ${was.expires}`, `until ${e.expires}`, [
          later ? "the waiver lasts longer" : "the waiver ends sooner",
        ]),
      );
    }
    if (e.reason !== was.reason || e.approvedBy !== was.approvedBy) {
      out.push(exceptionChange("exception-changed", "neutral", e, `${was.approvedBy}: ${was.reason}`, `${e.approvedBy}: ${e.reason}`, []));
    }
  }
  for (const e of unmatched) {
    // One identity's waiver now covering every identity of the agent, or the reverse.
    const partner = [...removed.values()].find((r) => ruleAndAgent(r) === ruleAndAgent(e) && (r.identity === undefined) !== (e.identity === undefined));
    if (partner) {
      removed.delete(exact(partner));
      const broadened = e.identity === undefined;
      const later = e.expires > partner.expires;
      out.push(
        exceptionChange("exception-changed", broadened || later ? "widens" : "narrows", e, describe(partner), describe(e), [
          broadened ? "broadened from one identity to every identity of the agent" : "narrowed from every identity of the agent to one",
          ...(later ? ["the waiver lasts longer"] : []),
        ]),
      );
      continue;
    }
    out.push(exceptionChange("exception-added", "widens", e, null, describe(e), ["a rule is waived: what it refuses is allowed until the exception expires"]));
  }
  for (const e of removed.values()) out.push(exceptionChange("exception-removed", "narrows", e, describe(e), null, ["the rule applies again"]));
  return out.sort((a, b) => compareText(a.detail.subject, b.detail.subject));
}

type Connection = Plan["platform"]["vault"]["databaseConnections"][number];

/** Connections tools may use: one added (or given another plugin) lets tools reach another database. */
export function connectionChanges(base: readonly Connection[], head: readonly Connection[]): LocalChange[] {
  const out: LocalChange[] = [];
  const was = new Map(base.map((c) => [c.name, c]));
  const is = new Map(head.map((c) => [c.name, c]));
  const change = (classification: LocalChange["classification"], name: string, before: string | null, after: string | null, note: string): LocalChange => ({
    kind: "platform-changed",
    classification,
    before,
    after,
    detail: { subject: `vault.databaseConnections[${name}]`, notes: [note] },
  });
  for (const c of head) {
    const old = was.get(c.name);
    if (!old) out.push(change("widens", c.name, null, c.plugin, "tools may now use this database connection"));
    else if (old.plugin !== c.plugin)
      out.push(change("widens", c.name, old.plugin, c.plugin, "another database plugin: statements are read for another engine"));
    else {
      // Schemas tools may be granted on: one added widens, one removed narrows.
      const before = new Set(old.schemas ?? []);
      const after = new Set(c.schemas ?? []);
      const gained = [...after].filter((s) => !before.has(s));
      const lost = [...before].filter((s) => !after.has(s));
      if (gained.length)
        out.push(change("widens", c.name, [...before].join(", "), [...after].join(", "), `tools may now be granted on schema(s) ${gained.join(", ")}`));
      else if (lost.length)
        out.push(change("narrows", c.name, [...before].join(", "), [...after].join(", "), `tools may no longer be granted on schema(s) ${lost.join(", ")}`));
    }
  }
  for (const c of base) if (!is.has(c.name)) out.push(change("narrows", c.name, c.plugin, null, "tools may no longer use this connection"));
  return out.sort((a, b) => compareText(a.detail.subject, b.detail.subject));
}

export function platformChanges(base: Plan["platform"], head: Plan["platform"]): LocalChange[] {
  return [
    ...genericChanges("platform", base, head).map((placed) => placed.change),
    ...connectionChanges(base.vault.databaseConnections, head.vault.databaseConnections),
    ...exceptionChanges(base.exceptions, head.exceptions),
  ];
}
