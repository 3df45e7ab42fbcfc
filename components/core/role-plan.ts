/**
 * An identity's IAM role as planned, written by `compile` on the identity's ServiceAccount
 * (annotation `agent-identity.io/role-plan`) and read back by the policy pack: the pack compares
 * the role the stack really creates (its properties, and the statements of every policy that
 * reaches it) with this record, so a transformation or a hand-written policy that changes an
 * agent role without changing the declaration is refused. Both sides become grants through the
 * holdings model's own `grantOf`, and pairs of (action, resource, condition) are compared exactly.
 */
import { z } from "zod";
import { grantOf, type AwsGrant } from "./holdings";
import type { PolicyDocument, PolicyStatement } from "./iam-document";
import type { IamRolePlan } from "./plan-types";
import { globMatches } from "./patterns";
import { coversEntry } from "./resource-index";

/** What the record holds: every property of the role the components set from the plan, and its grants. */
export interface RolePlanRecord {
  readonly name: string;
  readonly trustPolicy: PolicyDocument;
  /** The statements of every inline policy the plan puts on the role, in order. */
  readonly statements: readonly PolicyStatement[];
  readonly maxSessionDuration: number;
  readonly permissionsBoundary: string | null;
  readonly tags: Readonly<Record<string, string>>;
}

/** An IAM role property the components never set: `path` stays AWS's default. */
export const PLANNED_ROLE_PATH = "/";

/** AWS's default when `maxSessionDuration` is not set. */
export const DEFAULT_MAX_SESSION_DURATION = 3600;

/** The annotation's text (JSON). The components write it from the same plan they create the role from. */
export function rolePlanRecordText(role: IamRolePlan): string {
  const record: RolePlanRecord = {
    name: role.name,
    trustPolicy: role.trustPolicy,
    statements: role.policies.flatMap((policy) => policy.document.Statement),
    maxSessionDuration: role.maxSessionDuration,
    permissionsBoundary: role.permissionsBoundary,
    tags: role.tags,
  };
  return JSON.stringify(record);
}

/** Kubernetes bounds all of an object's annotations at 256 KiB; the record is far smaller (inline policies total at most 10,240 characters). */
const MAX_RECORD = 64 * 1024;
const strings = z.union([z.string().max(2048), z.array(z.string().max(2048)).max(1000)]);
const statementSchema = z.looseObject({
  Sid: z.string().max(128).optional(),
  Effect: z.enum(["Allow", "Deny"]),
  Action: strings.optional(),
  NotAction: strings.optional(),
  Resource: strings.optional(),
  NotResource: strings.optional(),
  Condition: z.record(z.string().max(128), z.record(z.string().max(256), strings)).optional(),
});
const recordSchema = z.strictObject({
  name: z.string().min(1).max(64),
  trustPolicy: z.looseObject({ Statement: z.array(z.looseObject({})).max(100) }),
  statements: z.array(statementSchema).max(1000),
  maxSessionDuration: z.number().int().min(3600).max(43200),
  permissionsBoundary: z.string().max(2048).nullable(),
  tags: z.record(z.string().max(128), z.string().max(256)),
});

/** The record an annotation holds; undefined when it is too large, not JSON or not a record. */
export function readRolePlanRecord(text: string): RolePlanRecord | undefined {
  if (text.length > MAX_RECORD) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = recordSchema.safeParse(parsed);
  return result.success ? (result.data as unknown as RolePlanRecord) : undefined;
}

/** A statement's grants, each read by the holdings model. */
export function grantsOf(statements: readonly PolicyStatement[]): AwsGrant[] {
  return statements.map((statement, index) => grantOf(statement, index, null));
}

/** JSON with object keys sorted and string-or-list values as sorted lists: two equal conditions or documents read the same. */
export function canonicalJson(value: unknown): string {
  const normal = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      const items = v.map(normal);
      return items.every((item) => typeof item === "string") ? [...(items as string[])].sort() : items;
    }
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((key) => {
            const child = (v as Record<string, unknown>)[key];
            return [key, typeof child === "string" && key !== "Effect" && key !== "Version" && key !== "Sid" ? [child] : normal(child)];
          }),
      );
    }
    return v;
  };
  return JSON.stringify(normal(value));
}

/** One (action, resource) pair of a grant under its condition; `!` marks NotAction / NotResource. */
export interface GrantPair {
  readonly statement: string;
  readonly effect: "Allow" | "Deny";
  readonly action: string;
  readonly resource: string;
  readonly condition: string;
}

function pairsOf(grant: AwsGrant): GrantPair[] {
  const actions = [...grant.actions, ...grant.notActions.map((a) => `!${a}`)];
  const resources = [...grant.resources, ...grant.notResources.map((r) => `!${r}`)];
  const condition = grant.condition === undefined ? "" : canonicalJson(grant.condition);
  // A statement without Action or without Resource grants nothing AWS accepts; it still differs from the plan.
  return (actions.length ? actions : ["(none)"]).flatMap((action) =>
    (resources.length ? resources : ["(none)"]).map((resource) => ({
      statement: grant.statement,
      effect: grant.effect,
      action,
      resource,
      condition,
    })),
  );
}

// IAM action names are case-insensitive.
const keyOf = (pair: GrantPair) => `${pair.effect}\u0000${pair.action.toLowerCase()}\u0000${pair.resource}\u0000${pair.condition}`;

/**
 * What the effective grants add to or take from the plan: every Allow pair the plan does not grant
 * under the same condition, and every planned Deny pair no longer in force. Linear in both sides.
 */
export function grantsBeyondPlan(planned: readonly AwsGrant[], effective: readonly AwsGrant[]): { extra: GrantPair[]; droppedDenies: GrantPair[] } {
  const plannedKeys = new Set(planned.flatMap(pairsOf).map(keyOf));
  const effectivePairs = effective.flatMap(pairsOf);
  const effectiveKeys = new Set(effectivePairs.map(keyOf));
  const seen = new Set<string>();
  const extra = effectivePairs.filter((pair) => {
    const key = keyOf(pair);
    if (pair.effect !== "Allow" || plannedKeys.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const droppedDenies = planned.flatMap(pairsOf).filter((pair) => pair.effect === "Deny" && !effectiveKeys.has(keyOf(pair)));
  return { extra, droppedDenies };
}

/** Every entry of the held condition is in the granted one with the same values: the grant applies in fewer cases, never more. */
function conditionWithin(held: AwsGrant["condition"], granted: AwsGrant["condition"]): boolean {
  if (held === undefined) return true;
  const lowerKeys = (block: Readonly<Record<string, unknown>> | undefined) =>
    new Map(Object.entries(block ?? {}).map(([key, value]) => [key.toLowerCase(), canonicalJson(value)]));
  return Object.entries(held).every(([operator, entries]: [string, Readonly<Record<string, unknown>>]) => {
    const given = lowerKeys((granted as Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined)?.[operator]);
    return Object.entries(entries).every(([key, value]) => given.get(key.toLowerCase()) === canonicalJson(value));
  });
}

/**
 * What a grant made elsewhere (a resource policy naming the identity) gives beyond what the identity
 * holds: every Allow pair no held Allow covers. A held pair covers when its action matches (IAM's
 * glob, any case), its resource covers the granted one (the holdings index's own `coversEntry`) and
 * every condition it carries is also on the grant. NotAction and NotResource are held only as written.
 */
export function grantsNotHeld(held: readonly AwsGrant[], granted: readonly AwsGrant[]): GrantPair[] {
  const allows = held.filter((grant) => grant.effect === "Allow");
  const exact = new Set(allows.flatMap(pairsOf).map(keyOf));
  const seen = new Set<string>();
  return granted.flatMap((grant) => {
    if (grant.effect !== "Allow") return [];
    return pairsOf(grant).filter((pair) => {
      const key = keyOf(pair);
      if (seen.has(key) || exact.has(key)) return false;
      seen.add(key);
      if (pair.action.startsWith("!") || pair.resource.startsWith("!") || pair.action === "(none)" || pair.resource === "(none)") return true;
      return !allows.some(
        (h) =>
          h.actions.some((action) => globMatches(action, pair.action, true)) &&
          h.resources.some((resource) => coversEntry(resource, pair.resource, false)) &&
          conditionWithin(h.condition, grant.condition),
      );
    });
  });
}
