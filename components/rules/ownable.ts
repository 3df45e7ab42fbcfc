/**
 * What an agent may own and do to what it owns, read from the allowlist in data/ownable-types.ts.
 * Lookups are built once at module load (a map from ARN template to ownable type, a set of allowed
 * Write actions per type), so judging a grant costs one template match per resource.
 */
import { accessLevel, arnAcceptedByAction, expandAction, isReadOnly, lookupAction, resourceTypeArn, resourceTypeTemplate } from "../core/iam-catalog";
import { OWNABLE_TYPES, type OwnableType } from "./data/ownable-types";
import { RISK_ACTIONS } from "./data/risk-categories";
import { SHARE_ACCESS, type ShareAccessName } from "./data/share-access";
import type { ResourceShare } from "../core/schema";

interface OwnableEntry extends OwnableType {
  readonly template: string;
  readonly writeSet: ReadonlySet<string>;
}

function build(): Map<string, OwnableEntry> {
  const byTemplate = new Map<string, OwnableEntry>();
  for (const type of OWNABLE_TYPES) {
    const template = resourceTypeArn(type.service, type.type);
    // A type the reference no longer knows is a stale data file: fail loudly, not open.
    if (!template) throw new Error(`ownable-types: iam-data has no resource type ${type.service}/${type.type}`);
    for (const action of type.write) {
      if (lookupAction(action)?.accessLevel !== "Write") throw new Error(`ownable-types: ${action} is not a Write action in iam-data`);
    }
    byTemplate.set(template, { ...type, template, writeSet: new Set(type.write.map((action) => action.toLowerCase())) });
  }
  return byTemplate;
}

const BY_TEMPLATE = build();

/** Actions a risk list names (other than bulk reads, which are the agent's own data here): never on what it owns. */
const RISKY = new Set(RISK_ACTIONS.filter((entry) => entry.category !== "data-exfiltration").map((entry) => entry.action.toLowerCase()));

const typeCache = new Map<string, OwnableEntry | null>();

/** The ownable type an ARN (or prefix pattern) names, or undefined when agents cannot own its type. */
export function ownableTypeOf(arn: string): OwnableType | undefined {
  let entry = typeCache.get(arn);
  if (entry === undefined) {
    const template = resourceTypeTemplate(arn);
    entry = (template && BY_TEMPLATE.get(template)) || null;
    if (typeCache.size > 50_000) typeCache.clear();
    typeCache.set(arn, entry);
  }
  return entry ?? undefined;
}

/** Every ownable type, for docs and messages. */
export const OWNABLE_TYPE_NAMES: readonly string[] = OWNABLE_TYPES.map((type) => `${type.service} ${type.type}`);

/**
 * Why `action` may not be used on `resource`, which the agent owns, or undefined when it may:
 * the resource is of an ownable type, the action acts on that type, and it is a List or Read action
 * or one of the type's named Write actions, and on no risk list.
 */
export function ownedActionProblem(action: string, resource: string): string | undefined {
  const type = ownableTypeOf(resource) as OwnableEntry | undefined;
  if (!type) return "is not of a type an agent may own";
  const level = accessLevel(action);
  if (!level) return undefined; // unknown actions are iam/unknown-action's
  if (!arnAcceptedByAction(action, resource)) return `does not act on a ${type.what}`;
  if (RISKY.has(action.toLowerCase())) return "is on a risk list";
  if (isReadOnly(level)) return undefined;
  if (level === "Write" && type.writeSet.has(action.toLowerCase())) return undefined;
  const writes = type.write.length ? `, and of Write only ${type.write.join(", ")}` : "";
  return `is rated ${level}; on an owned ${type.what} an agent uses List and Read${writes}`;
}

// ---------------------------------------------------------------- shares: named access

interface AccessEntry {
  readonly template: string;
  readonly actions: ReadonlySet<string>;
}

function buildAccess(): Map<string, AccessEntry> {
  const byName = new Map<string, AccessEntry>();
  for (const [name, access] of Object.entries(SHARE_ACCESS)) {
    const template = resourceTypeArn(access.service, access.type);
    if (!template) throw new Error(`share-access: iam-data has no resource type ${access.service}/${access.type}`);
    for (const action of access.actions) if (!lookupAction(action)) throw new Error(`share-access: ${name} names ${action}, which iam-data does not know`);
    byName.set(name, { template, actions: new Set(access.actions.map((action) => action.toLowerCase())) });
  }
  return byName;
}

const ACCESS = buildAccess();

/** Why a share's named accesses do not fit its resource, one line each (empty when they all do). */
export function shareAccessProblems(share: ResourceShare): string[] {
  const template = resourceTypeTemplate(share.resource);
  const problems: string[] = [];
  for (const access of share.access) {
    const entry = ACCESS.get(access.name);
    if (!entry || entry.template !== template) {
      const { service, type } = SHARE_ACCESS[access.name as ShareAccessName];
      problems.push(`gives ${access.name}, which is for a ${service} ${type}, not this resource`);
    }
  }
  if (!ownableTypeOf(share.resource) && !share.risk) problems.push("is of a type no agent may own, and the share does not state its risk (risk:)");
  return problems;
}

/** Whether a share gives `agent` the action by one of its named accesses. */
export function shareAllows(share: ResourceShare, agent: string, action: string): boolean {
  const lower = action.toLowerCase();
  return share.access.some((access) => access.agents.includes(agent) && (ACCESS.get(access.name)?.actions.has(lower) ?? false));
}

/** Whether every action a share gives is List or Read. */
export function shareIsReadOnly(share: ResourceShare): boolean {
  return share.access.every((access) => SHARE_ACCESS[access.name as ShareAccessName].actions.every((action) => isReadOnly(accessLevel(action))));
}

/** Every agent a share names. */
export const shareAgents = (share: ResourceShare): string[] => [...new Set(share.access.flatMap((access) => access.agents))];

/**
 * Whether named accesses give an action as a grant writes it: an exact action must be one of theirs,
 * a pattern (`s3:Get*`) only when every action it matches is (`*` never is). Used by the pack's
 * declared shares (policy/shares-config.ts), the same data as platform.shared[].access.
 */
export function accessesGive(names: readonly string[], written: string): boolean {
  const given = (action: string) => names.some((name) => ACCESS.get(name)?.actions.has(action.toLowerCase()) ?? false);
  if (!/[*?]/.test(written)) return given(written);
  const matched = expandAction(written);
  return matched.length > 0 && matched.every(given);
}

/** The named accesses that give an exact action, to tell the security team what to declare. */
export function accessesGiving(action: string): string[] {
  const lower = action.toLowerCase();
  return [...ACCESS].filter(([, entry]) => entry.actions.has(lower)).map(([name]) => name);
}
