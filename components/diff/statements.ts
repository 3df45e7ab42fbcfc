/**
 * Policy documents flattened to single entries (effect, action, resource, conditions), and the
 * comparison of two entry sets. Comparing entries rather than statements is what makes statement
 * order, action order, Sids and the split of statements across policies irrelevant, and lets a
 * statement whose resource narrowed while it gained an action report both.
 */
import { canonicalConditions, compareText, conditionScope, conditionsKey, type CanonicalConditions, type Scope } from "./conditions";

export interface Entry {
  readonly effect: "Allow" | "Deny";
  /** Action (IAM or STS), or Vault capability, as written. */
  readonly action: string;
  /** Resource ARN pattern, trust principal (`Federated:arn…`), or Vault path. */
  readonly resource: string;
  readonly conditions: CanonicalConditions;
  /** From NotAction / NotResource: compared only as a whole, never by subsumption. */
  readonly inverted: boolean;
  /** Lower-cased action: IAM actions and Vault capabilities compare case-insensitively. */
  readonly actionKey: string;
  readonly conditionsKey: string;
  /** Identity of the entry: equal keys, equal grants. */
  readonly key: string;
}

/** Build an entry with its comparison keys computed once (diffs of large fleets compare many). */
export function entry(effect: "Allow" | "Deny", action: string, resource: string, conditions: CanonicalConditions, inverted: boolean): Entry {
  const actionKey = action.toLowerCase();
  const condKey = conditionsKey(conditions);
  return {
    effect,
    action,
    resource,
    conditions,
    inverted,
    actionKey,
    conditionsKey: condKey,
    key: `${effect}\u0003${actionKey}\u0003${resource}\u0003${condKey}`,
  };
}

export interface EntryRules {
  readonly actionSubsumes: (wide: string, narrow: string) => boolean;
  readonly resourceSubsumes: (wide: string, narrow: string) => boolean;
}

export type EntryChange =
  | { readonly type: "added" | "removed"; readonly entry: Entry }
  /** Added or removed, but an entry present on both sides already covers it: reach unchanged. */
  | { readonly type: "covered"; readonly side: "added" | "removed"; readonly entry: Entry; readonly by: Entry }
  | {
      readonly type: "changed";
      readonly field: "effect" | "resource" | "action" | "condition";
      readonly before: readonly Entry[];
      readonly after: readonly Entry[];
      /** Reach of `after` relative to `before`. */
      readonly scope: Scope;
    };

export interface RawStatement {
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

const list = (value: string | readonly string[] | undefined): string[] => (value === undefined ? [] : typeof value === "string" ? [value] : [...value]);
const inverse = (label: string, values: readonly string[]) => `${label}[${[...values].sort(compareText).join(", ")}]`;

/** `{Federated: arn}` → `Federated:arn`; `"*"` → `*`. */
export function principals(principal: unknown): string[] {
  if (principal === undefined) return [];
  if (typeof principal === "string") return [principal];
  if (!principal || typeof principal !== "object") return [String(principal)];
  return Object.entries(principal as Record<string, string | string[]>).flatMap(([type, values]) => list(values).map((value) => `${type}:${value}`));
}

/** Permission statements: one entry per (action, resource). */
export function permissionEntries(statements: readonly RawStatement[]): Entry[] {
  return statements.flatMap((statement) => {
    const conditions = canonicalConditions(statement.Condition);
    const actions = statement.NotAction !== undefined ? [inverse("NotAction", list(statement.NotAction))] : list(statement.Action);
    const resources = statement.NotResource !== undefined ? [inverse("NotResource", list(statement.NotResource))] : list(statement.Resource);
    const inverted = statement.NotAction !== undefined || statement.NotResource !== undefined;
    return actions.flatMap((action) => resources.map((resource) => entry(statement.Effect, action, resource, conditions, inverted)));
  });
}

/** Trust statements: one entry per (action, principal). */
export function trustEntries(statements: readonly RawStatement[]): Entry[] {
  return statements.flatMap((statement) => {
    const conditions = canonicalConditions(statement.Condition);
    const inverted = statement.NotAction !== undefined || (statement as { NotPrincipal?: unknown }).NotPrincipal !== undefined;
    const actions = statement.NotAction !== undefined ? [inverse("NotAction", list(statement.NotAction))] : list(statement.Action);
    const who = principals(statement.Principal ?? (statement as { NotPrincipal?: unknown }).NotPrincipal);
    return actions.flatMap((action) => who.map((resource) => entry(statement.Effect, action, resource, conditions, inverted)));
  });
}

/** Vault path rules: one entry per (capability, path); the `deny` capability is a Deny. */
export function vaultEntries(paths: readonly { readonly path: string; readonly capabilities: readonly string[] }[]): Entry[] {
  return paths.flatMap((rule) => rule.capabilities.map((capability) => entry(capability === "deny" ? "Deny" : "Allow", capability, rule.path, [], false)));
}

function uniqueByKey(entries: readonly Entry[]): Map<string, Entry> {
  const map = new Map<string, Entry>();
  for (const e of entries) map.set(e.key, e);
  return map;
}

/** A value with no wildcard character can only contain (or be contained by) an equal value. */
const mayBeWildcard = (value: string) => /[*?+]/.test(value);

/** Entries grouped by a key, in their order. */
function groupBy(entries: Iterable<[string, Entry]>, key: (e: Entry) => string): Map<string, [string, Entry][]> {
  const groups = new Map<string, [string, Entry][]>();
  for (const pair of entries) {
    const k = key(pair[1]);
    const group = groups.get(k);
    if (group) group.push(pair);
    else groups.set(k, [pair]);
  }
  return groups;
}

/**
 * Pair entries that differ in exactly one field, where one side's pattern contains the other's.
 * Only a pattern with a wildcard can contain another value, so a literal is compared with the
 * other side's wildcards only: hundreds of literal paths changed at once cost a linear pass, not
 * every added one against every removed one.
 */
function pairBySubsumption(added: Map<string, Entry>, removed: Map<string, Entry>, field: "resource" | "action", rules: EntryRules, out: EntryChange[]): void {
  const subsumes = field === "resource" ? rules.resourceSubsumes : rules.actionSubsumes;
  const value = (e: Entry) => (field === "resource" ? e.resource : e.action);
  // Entries can pair only when everything but `field` is equal.
  const rest = (e: Entry) => [e.effect, field === "resource" ? e.actionKey : e.resource, e.conditionsKey].join("\u0003");
  const eligible = (e: Entry) => !e.inverted;
  const candidates = (groups: Map<string, [string, Entry][]>, wild: Map<string, [string, Entry][]>, e: Entry) =>
    (mayBeWildcard(value(e)) ? groups.get(rest(e)) : wild.get(rest(e))) ?? [];

  let removedGroups = groupBy(
    [...removed].filter(([, r]) => eligible(r)),
    rest,
  );
  let removedWild = groupBy(
    [...removed].filter(([, r]) => eligible(r) && mayBeWildcard(value(r))),
    rest,
  );
  for (const [aKey, a] of [...added]) {
    if (!eligible(a)) continue;
    const wider = candidates(removedGroups, removedWild, a).filter(([rKey, r]) => removed.has(rKey) && subsumes(value(a), value(r)));
    if (wider.length === 0) continue;
    const mutual = wider.every(([, r]) => subsumes(value(r), value(a)));
    out.push({ type: "changed", field, before: wider.map(([, r]) => r), after: [a], scope: mutual ? "same" : "grows" });
    added.delete(aKey);
    for (const [rKey] of wider) removed.delete(rKey);
  }
  removedGroups = new Map();
  removedWild = new Map();
  const addedGroups = groupBy(
    [...added].filter(([, e]) => eligible(e)),
    rest,
  );
  const addedWild = groupBy(
    [...added].filter(([, e]) => eligible(e) && mayBeWildcard(value(e))),
    rest,
  );
  for (const [rKey, r] of [...removed]) {
    if (!eligible(r)) continue;
    const narrower = candidates(addedGroups, addedWild, r).filter(([aKey, a]) => added.has(aKey) && subsumes(value(r), value(a)));
    if (narrower.length === 0) continue;
    out.push({ type: "changed", field, before: [r], after: narrower.map(([, a]) => a), scope: "shrinks" });
    removed.delete(rKey);
    for (const [aKey] of narrower) added.delete(aKey);
  }
}

/**
 * Compare two entry sets. Exact matches are no change; the rest pair up, in this order, as an
 * effect change (Allow ↔ Deny of the same grant), a condition change (same action and resource), a resource change (one pattern contains the
 * other), an action change (likewise); whatever is left is added or removed.
 */
export function diffEntries(base: readonly Entry[], head: readonly Entry[], rules: EntryRules): EntryChange[] {
  const baseMap = uniqueByKey(base);
  const headMap = uniqueByKey(head);
  const byKey = (map: Map<string, Entry>, other: Map<string, Entry>) =>
    new Map([...map].filter(([key]) => !other.has(key)).sort((x, y) => compareText(x[0], y[0])));
  const added = byKey(headMap, baseMap);
  const removed = byKey(baseMap, headMap);
  const out: EntryChange[] = [];
  if (added.size === 0 && removed.size === 0) return out;

  // A grant covered by one the identity keeps (same effect, an action and resource pattern that
  // contain it, conditions no stricter) changes nothing, whether it is added or removed.
  const kept = [...baseMap.values()].filter((e) => !e.inverted && headMap.has(e.key));
  // Only a kept grant with a wildcard, or one with the same action and resource, can cover.
  const grant = (e: Entry) => `${e.effect}\u0003${e.actionKey}\u0003${e.resource}`;
  const keptWild = kept.filter((k) => mayBeWildcard(k.action) || mayBeWildcard(k.resource));
  const keptExact = groupBy(
    kept.map((k) => [k.key, k] as [string, Entry]),
    grant,
  );
  const coverOf = (e: Entry) =>
    e.inverted
      ? undefined
      : [...keptWild, ...(keptExact.get(grant(e)) ?? []).map(([, k]) => k)].find((k) => {
          if (k.effect !== e.effect || !rules.actionSubsumes(k.action, e.action) || !rules.resourceSubsumes(k.resource, e.resource)) return false;
          const scope = conditionScope(k.conditions, e.conditions);
          return scope === "same" || scope === "shrinks";
        });
  for (const [side, map] of [
    ["added", added],
    ["removed", removed],
  ] as const) {
    for (const [key, e] of [...map]) {
      const by = coverOf(e);
      if (!by) continue;
      out.push({ type: "covered", side, entry: e, by });
      map.delete(key);
    }
  }

  // Allow flipped to Deny (revoked trust) or back: one change, not an add and a remove.
  const sameGrant = (e: Entry) => [e.actionKey, e.resource, e.conditionsKey].join("\u0003");
  const removedByGrant = groupBy(removed, sameGrant);
  for (const [aKey, a] of [...added]) {
    const match = (removedByGrant.get(sameGrant(a)) ?? []).find(([rKey, r]) => removed.has(rKey) && r.effect !== a.effect);
    if (!match) continue;
    out.push({ type: "changed", field: "effect", before: [match[1]], after: [a], scope: a.effect === "Deny" ? "shrinks" : "grows" });
    added.delete(aKey);
    removed.delete(match[0]);
  }
  const sameTarget = (e: Entry) => [e.effect, e.actionKey, e.resource].join("\u0003");
  const removedByTarget = groupBy(removed, sameTarget);
  for (const [aKey, a] of [...added]) {
    if (a.inverted) continue;
    const match = (removedByTarget.get(sameTarget(a)) ?? []).find(([rKey, r]) => removed.has(rKey) && !r.inverted);
    if (!match) continue;
    out.push({ type: "changed", field: "condition", before: [match[1]], after: [a], scope: conditionScope(match[1].conditions, a.conditions) });
    added.delete(aKey);
    removed.delete(match[0]);
  }
  pairBySubsumption(added, removed, "resource", rules, out);
  pairBySubsumption(added, removed, "action", rules, out);
  for (const entry of added.values()) out.push({ type: "added", entry });
  for (const entry of removed.values()) out.push({ type: "removed", entry });
  return out;
}
