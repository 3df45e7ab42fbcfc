/**
 * Applies `CLASSIFICATION_RULES` to every leaf without a dedicated comparator: walks two values of
 * the plan side by side (lists of objects paired by their `kind` or `name`), and turns each leaf
 * that differs into a change classified as its rule says. Derived leaves (labels, tags) that
 * differ are reported once per agent, as neutral.
 */
import { isDuration, parseDuration } from "../core/durations";
import { planSchema } from "../core/plan-schema";
import { ruleFor, schemaShape, type ClassificationRule } from "./classification-rules";
import { globSubsumes } from "./patterns";
import { valueText } from "./value-text";
import type { LocalChange } from "./entry-changes";
import type { Classification } from "./types";

const SHAPE = schemaShape(planSchema);

export interface PlacedChange {
  readonly identity: string | null;
  readonly change: LocalChange;
}

/** Deep equality of parsed JSON, allocation-light. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  for (const key of keysA) if (!Object.hasOwn(b, key) || !sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  return true;
}

/** Seconds from a number, a numeric string or a duration; undefined when absent or unreadable. */
function amount(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  if (typeof value === "string" && isDuration(value)) return parseDuration(value);
  return undefined;
}

const absent = (v: unknown) => v === undefined || v === null;

function direction(rule: ClassificationRule, before: unknown, after: unknown): { classification: Classification; note?: string } {
  const c = rule.compare;
  switch (c.how) {
    case "neutral":
    case "derived":
    case "dedicated":
      return { classification: "neutral" };
    case "any-change-widens":
      return { classification: "widens", note: `${c.why}: a different value cannot be proved narrower` };
    case "requirement": {
      const [was, is] = [before === true, after === true];
      return { classification: was === is ? "neutral" : was ? "widens" : "narrows", note: c.why };
    }
    case "ranked": {
      const rank = (v: unknown) => (absent(v) && c.absent ? c.order.length : c.order.indexOf(String(v)));
      const [b, a] = [rank(before), rank(after)];
      if (b < 0 || a < 0) return { classification: "widens", note: `${c.why}: unknown value, treated as widening` };
      return { classification: a > b ? "widens" : a < b ? "narrows" : "neutral", note: c.why };
    }
    case "larger-widens": {
      const size = (v: unknown) => (absent(v) && c.absent ? Infinity : amount(v));
      const [b, a] = [size(before), size(after)];
      if (b === undefined || a === undefined) return { classification: "widens", note: `${c.why}: not comparable, treated as widening` };
      return { classification: a > b ? "widens" : a < b ? "narrows" : "neutral", note: c.why };
    }
    case "gain-widens": {
      const [b, a] = [membersOf(before), membersOf(after)];
      const gained = a.some((token) => !b.some((held) => tokenCovers(held, token)));
      const lost = b.some((token) => !a.some((held) => tokenCovers(held, token)));
      return { classification: gained ? "widens" : lost ? "narrows" : "neutral", note: c.why };
    }
    case "added-narrows":
      if (absent(before) && !absent(after)) return { classification: "narrows", note: c.why };
      return { classification: "widens", note: `${c.why}: removing or replacing it cannot be proved narrower` };
    case "smaller-widens": {
      const [b, a] = [amount(before), amount(after)];
      if (b === undefined || a === undefined) return { classification: "widens", note: `${c.why}: not comparable, treated as widening` };
      return { classification: a < b ? "widens" : "neutral", note: c.why };
    }
  }
}

/** One thing a list member grants: a resource pattern (or null), who or what, and the rest of the member as a key. */
interface Token {
  readonly scope: string;
  readonly resource: string | null;
}

/** A resource pattern `wide` reaches everything `narrow` does: the glob covers it, or `narrow` lies under a concrete ARN. */
function resourceCovers(wide: string, narrow: string): boolean {
  return wide === narrow || globSubsumes(wide, narrow) || (!/[*?]/.test(wide) && narrow.startsWith(`${wide}/`));
}

function tokenCovers(held: Token, token: Token): boolean {
  if (held.scope !== token.scope) return false;
  if (held.resource === null || token.resource === null) return held.resource === token.resource;
  return resourceCovers(held.resource, token.resource);
}

/** Tokens of a list compared as a set (order never matters), duplicates dropped. */
function membersOf(list: unknown): Token[] {
  const seen = new Map<string, Token>();
  for (const member of (list as unknown[] | undefined | null) ?? [])
    for (const token of memberTokens(member)) seen.set(`${token.scope}\u0000${token.resource}`, token);
  return [...seen.values()];
}

/** Keys that only label a member (a share's name, shown in findings): never part of what it grants. */
const LABEL_KEYS = new Set(["name"]);

/**
 * What a list member grants, as comparable tokens: a string is itself (a resource pattern when it
 * is an ARN); an object (a platform share, a cluster binding) is one token per member of each of
 * its lists, keyed by its other fields except its label, with its `resource` compared as a pattern.
 */
function memberTokens(member: unknown): Token[] {
  if (member === null || typeof member !== "object") {
    const text = String(member);
    return [text.startsWith("arn:") ? { scope: "", resource: text } : { scope: text, resource: null }];
  }
  const entries = Object.entries(member as Record<string, unknown>).filter(([key]) => !LABEL_KEYS.has(key));
  const resource = typeof (member as Record<string, unknown>).resource === "string" ? ((member as Record<string, unknown>).resource as string) : null;
  const scalars = JSON.stringify(
    entries.filter(([key, v]) => !Array.isArray(v) && !(key === "resource" && resource !== null)).sort(([x], [y]) => (x < y ? -1 : 1)),
  );
  const lists = entries.filter(([, v]) => Array.isArray(v)) as [string, unknown[]][];
  const tokens = lists.flatMap(([key, values]) => values.map((value) => ({ scope: `${scalars}|${key}:${JSON.stringify(value)}`, resource })));
  return tokens.length ? tokens : [{ scope: scalars, resource }];
}

const ELEMENT_KEYS = ["name", "kind", "path"];

/** Lists paired by position: their elements' names are only labels (statements are compared whatever policy holds them). */
const PAIRED_BY_POSITION = new Set(["agents[].identities[].iamRole.policies"]);

/** Optional objects whose absence is itself a value every leaf compares against. */
const WALKED_WHEN_ABSENT = new Set(["platform.limits"]);

function elementKey(element: unknown, index: number): string {
  if (element && typeof element === "object") {
    for (const field of ELEMENT_KEYS) {
      const value = (element as Record<string, unknown>)[field];
      if (typeof value === "string") return value;
    }
  }
  return String(index);
}

class Walker {
  readonly out: PlacedChange[] = [];
  /** Derived leaves that differ (paths relative to the agent or identity). */
  readonly derived = new Set<string>();

  constructor(private readonly identityList: string | null) {}

  walk(path: string, where: string, identity: string | null, before: unknown, after: unknown): void {
    if (sameJson(before, after)) return;
    const shape = SHAPE.get(path);
    const rule = ruleFor(path);
    if (rule && (rule.subtree || !shape)) return this.leaf(rule, where, identity, before, after);
    const at = (key: string) => (where ? `${where}.${key}` : key);
    if (shape === "object") {
      // An object on one side only (a Vault role, an approval, a revocation) is an addition or
      // removal its dedicated comparator reports; only `limits` reads absence as "no limit".
      if ((before === null || before === undefined || after === null || after === undefined) && !WALKED_WHEN_ABSENT.has(path)) return;
      const keys = new Set([...Object.keys((before as object | null) ?? {}), ...Object.keys((after as object | null) ?? {})]);
      for (const key of keys)
        this.walk(
          path ? `${path}.${key}` : key,
          at(key),
          identity,
          (before as Record<string, unknown> | null)?.[key],
          (after as Record<string, unknown> | null)?.[key],
        );
      return;
    }
    if (shape === "record") {
      const keys = new Set([...Object.keys((before as object | null) ?? {}), ...Object.keys((after as object | null) ?? {})]);
      for (const key of keys) {
        const specific = ruleFor(`${path}{${key}}`);
        const general = ruleFor(`${path}{}`);
        const chosen = specific ?? general;
        const [b, a] = [(before as Record<string, string> | null)?.[key], (after as Record<string, string> | null)?.[key]];
        if (chosen && b !== a) this.leaf(chosen, `${where}{${key}}`, identity, b, a);
        else if (!chosen && b !== a) this.unclassified(`${path}{}`, `${where}{${key}}`, identity, b, a);
      }
      return;
    }
    if (shape === "array") {
      const elementPath = `${path}[]`;
      if (!SHAPE.has(elementPath)) {
        const rule = ruleFor(elementPath);
        return rule ? this.leaf(rule, where, identity, before, after) : this.unclassified(elementPath, where, identity, before, after);
      }
      // Lists of objects: pair by key; an element on one side only is an addition or removal the
      // dedicated comparators report (an agent, identity, tool or secret role added or removed).
      const byPosition = PAIRED_BY_POSITION.has(path);
      const index = (list: unknown) => new Map(((list as unknown[] | null) ?? []).map((e, i) => [byPosition ? String(i) : elementKey(e, i), e]));
      const [b, a] = [index(before), index(after)];
      for (const [key, element] of a) {
        if (!b.has(key)) continue;
        const nextIdentity = path === this.identityList ? key : identity;
        const nextWhere = path === this.identityList ? "" : `${where}[${key}]`;
        this.walk(elementPath, nextWhere, nextIdentity, b.get(key), element);
      }
      return;
    }
    this.unclassified(path, where, identity, before, after);
  }

  private leaf(rule: ClassificationRule, where: string, identity: string | null, before: unknown, after: unknown): void {
    if (rule.compare.how === "dedicated" || sameJson(before, after)) return;
    if (rule.compare.how === "derived") {
      this.derived.add(where.replace(/\{[^}]*\}$/, "").replace(/\[[^\]]*\]/g, "[]"));
      return;
    }
    const { classification, note } = direction(rule, before, after);
    const notes = note ? [note] : [];
    this.out.push({
      identity,
      change: { kind: rule.kind ?? "attribute-changed", classification, before: valueText(before), after: valueText(after), detail: { subject: where, notes } },
    });
  }

  /** Fail closed: a leaf the rules do not know (cannot happen while the rules test passes). */
  private unclassified(path: string, where: string, identity: string | null, before: unknown, after: unknown): void {
    this.out.push({
      identity,
      change: {
        kind: "attribute-changed",
        classification: "widens",
        before: valueText(before),
        after: valueText(after),
        detail: { subject: where, notes: [`no classification rule for ${path}: treated as widening`] },
      },
    });
  }
}

/**
 * Generic changes between two values at schema path `root` (`platform`, or `agents[]` for an
 * agent). Identities (`agents[].identities`) are paired by kind and their changes placed under it.
 */
export function genericChanges(root: string, before: unknown, after: unknown): PlacedChange[] {
  const walker = new Walker(root === "agents[]" ? "agents[].identities" : null);
  walker.walk(root, "", null, before, after);
  // One line for all of them: they follow fields compared elsewhere, and are not privilege.
  const paths = [...walker.derived].sort();
  const derived: PlacedChange[] =
    paths.length === 0
      ? []
      : [
          {
            identity: null,
            change: {
              kind: "derived-changed",
              classification: "neutral",
              before: null,
              after: null,
              detail: {
                subject: paths.join(", "),
                notes: ["labels, tags and other fields that follow compared fields differ; nothing they grant is compared here"],
              },
            },
          },
        ];
  return [...walker.out, ...derived];
}
