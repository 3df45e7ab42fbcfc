/**
 * Entry-level differences (see statements.ts) turned into reviewable changes: entries that differ
 * only by action are merged back into one line, as are additions that differ only by resource,
 * and every newly reachable AWS action is labelled with its access level.
 */
import { labelAction, type ActionCatalog } from "./access-level";
import { compareText, formatConditions, type Scope } from "./conditions";
import { diffEntries, type Entry, type EntryRules } from "./statements";
import type { ChangeDetail, ChangeKind, Classification } from "./types";

export type EntryDomain = "permission" | "trust" | "vault-path";

/** A change not yet placed under an agent and identity. */
export interface LocalChange {
  readonly kind: ChangeKind;
  readonly classification: Classification;
  readonly before: string | null;
  readonly after: string | null;
  readonly detail: ChangeDetail;
}

const INCOMPARABLE_NOTE = "neither side is provably narrower, so it is treated as widening";

/** Added reach of an Allow widens; added reach of a Deny narrows. Unknown direction: widens. */
export function classifyScope(scope: Scope, effect: "Allow" | "Deny"): Classification {
  if (scope === "same") return "neutral";
  if (scope === "incomparable") return "widens";
  return (scope === "grows") === (effect === "Allow") ? "widens" : "narrows";
}

interface Row {
  readonly type: "added" | "removed" | "changed";
  readonly field: "effect" | "resource" | "action" | "condition" | null;
  readonly effect: "Allow" | "Deny";
  readonly scope: Scope;
  actions: string[];
  targets: string[];
  readonly before: readonly string[];
  readonly after: readonly string[];
  readonly conditions: string;
  /** For a grant covered by one the identity keeps: that grant, for people. */
  readonly coveredBy?: string;
}

const join = (values: readonly string[]) => [...new Set(values)].sort(compareText).join(", ");
const conditionText = (entry: Entry) => formatConditions(entry.conditions) || "(none)";

function rowsOf(base: readonly Entry[], head: readonly Entry[], rules: EntryRules): Row[] {
  return diffEntries(base, head, rules).map((change): Row => {
    if (change.type === "covered") {
      const e = change.entry;
      const by = `${change.by.effect} ${change.by.action} on ${change.by.resource}${change.by.conditions.length ? ` if ${formatConditions(change.by.conditions)}` : ""}`;
      return {
        type: change.side,
        field: null,
        effect: e.effect,
        scope: "same",
        actions: [e.action],
        targets: [],
        before: change.side === "removed" ? [e.resource] : [],
        after: change.side === "added" ? [e.resource] : [],
        conditions: formatConditions(e.conditions),
        coveredBy: by,
      };
    }
    if (change.type !== "changed") {
      const e = change.entry;
      const resources = [e.resource];
      return {
        type: change.type,
        field: null,
        effect: e.effect,
        scope: change.type === "added" ? "grows" : "shrinks",
        actions: [e.action],
        targets: [],
        before: change.type === "removed" ? resources : [],
        after: change.type === "added" ? resources : [],
        conditions: formatConditions(e.conditions),
      };
    }
    const first = change.after[0];
    if (change.field === "effect") {
      // Classified from the Allow side's point of view: to Deny narrows, to Allow widens.
      const effect = { type: "changed" as const, field: change.field, effect: "Allow" as const, scope: change.scope };
      return {
        ...effect,
        actions: [first.action],
        targets: [first.resource],
        before: [change.before[0].effect],
        after: [first.effect],
        conditions: formatConditions(first.conditions),
      };
    }
    const common = { type: "changed" as const, field: change.field, effect: first.effect, scope: change.scope };
    if (change.field === "resource") {
      return {
        ...common,
        actions: [first.action],
        targets: [],
        before: change.before.map((e) => e.resource),
        after: change.after.map((e) => e.resource),
        conditions: formatConditions(first.conditions),
      };
    }
    if (change.field === "action") {
      return {
        ...common,
        actions: [],
        targets: [first.resource],
        before: change.before.map((e) => e.action),
        after: change.after.map((e) => e.action),
        conditions: formatConditions(first.conditions),
      };
    }
    return {
      ...common,
      actions: [first.action],
      targets: [first.resource],
      before: [conditionText(change.before[0])],
      after: [conditionText(first)],
      conditions: "",
    };
  });
}

/** Merge rows equal in everything but `part` (keeps one line per original statement, roughly). */
function mergeRows(rows: readonly Row[], part: "actions" | "targets" | "resources"): Row[] {
  const merged = new Map<string, Row>();
  for (const row of rows) {
    const key = [
      row.type,
      row.field,
      row.effect,
      row.scope,
      part === "actions" ? "" : join(row.actions),
      part === "targets" ? "" : join(row.targets),
      part === "resources" ? "" : join(row.before),
      part === "resources" ? "" : join(row.after),
      row.conditions,
      row.coveredBy ?? "",
    ].join("\u0001");
    const existing = merged.get(key);
    if (!existing) {
      merged.set(key, { ...row, actions: [...row.actions], targets: [...row.targets], before: [...row.before], after: [...row.after] });
    } else if (part === "actions") existing.actions.push(...row.actions);
    else if (part === "targets") existing.targets.push(...row.targets);
    else merged.set(key, { ...existing, before: [...existing.before, ...row.before], after: [...existing.after, ...row.after] });
  }
  return [...merged.values()];
}

const KIND: Record<EntryDomain, Record<Row["type"], ChangeKind>> = {
  permission: { added: "permission-added", removed: "permission-removed", changed: "permission-changed" },
  trust: { added: "trust-added", removed: "trust-removed", changed: "trust-changed" },
  "vault-path": { added: "vault-path-added", removed: "vault-path-removed", changed: "vault-path-changed" },
};

function toChange(row: Row, domain: EntryDomain, catalog: ActionCatalog): LocalChange {
  const classification = classifyScope(row.scope, row.effect);
  const notes =
    row.scope === "incomparable"
      ? [INCOMPARABLE_NOTE]
      : row.coveredBy
        ? [`already covered by a grant the identity keeps (${row.coveredBy}): no change in reach`]
        : row.scope === "same"
          ? ["equivalent patterns: no change in reach"]
          : [];
  // Which actions now reach something new (or differently): those get an access level.
  const reaching = row.type === "removed" ? [] : row.field === "action" ? row.after : row.actions;
  const actions =
    domain === "permission" && row.effect === "Allow" && reaching.length > 0
      ? [...new Set(reaching)].sort(compareText).map((action) => labelAction(action, catalog))
      : undefined;
  // Vault rules read naturally as "path: capabilities"; IAM ones as "actions: resources".
  const vault = domain === "vault-path" && row.field === null;
  const subject = vault ? join([...row.before, ...row.after]) : join(row.field === "action" ? row.targets : row.actions);
  const value = (values: readonly string[]) => (values.length === 0 ? null : vault ? join(row.actions) : join(values));
  return {
    kind: KIND[domain][row.type],
    classification,
    before: value(row.before),
    after: value(row.after),
    detail: {
      subject,
      ...(row.field === "effect" ? {} : { effect: row.effect }),
      ...(row.field ? { field: row.field } : {}),
      ...(row.field === "condition" ? {} : row.conditions ? { conditions: row.conditions } : {}),
      ...(row.field === "condition" || row.field === "effect" ? { target: join(row.targets) } : {}),
      ...(actions ? { actions } : {}),
      notes,
    },
  };
}

export function entryChanges(domain: EntryDomain, base: readonly Entry[], head: readonly Entry[], rules: EntryRules, catalog: ActionCatalog): LocalChange[] {
  const rows = rowsOf(base, head, rules);
  const byAction = mergeRows(rows, "actions");
  // Additions and removals that grant the same actions on several resources read as one statement.
  const additions = byAction.filter((r) => r.type !== "changed");
  const simple = domain === "vault-path" ? additions : mergeRows(additions, "resources");
  const byTarget = mergeRows(
    byAction.filter((r) => r.type === "changed"),
    "targets",
  );
  return [...simple, ...byTarget].map((row) => toChange(row, domain, catalog));
}
