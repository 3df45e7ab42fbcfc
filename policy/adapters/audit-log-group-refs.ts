/**
 * The closed world around an agent's audit log group: which resources name it. The components
 * create the group and grant the audit identity its writes; nothing else of the stack may name it.
 * A hand-written AWS resource whose inputs name an agent's audit log group (its name, an ARN, or a
 * `log-group:` ARN pattern that matches it) is refused unless its type is one of the few read
 * elsewhere or allowlisted below with the reason it cannot change, copy, forge or hide the trail.
 * Names are found in every string input (JSON documents included), so a new resource type that
 * names the group is refused without being listed.
 */
import { globMatches } from "../../components/core/patterns";
import type { StackIndex } from "../stack-index";
import type { PackResource, StackPass } from "../types";

const RULE = "stack/audit-log-group";

/**
 * Types that may name an agent's audit log group, each with why (the short allowlist). Everything
 * else of `aws:*` that names one is refused.
 */
export const MAY_NAME_AUDIT_GROUP: ReadonlyMap<string, string> = new Map([
  ["aws:cloudwatch/logGroup:LogGroup", "the group itself: its settings are compared with what the Agent component creates (this rule)"],
  // Identity policies are what the holdings model judges: only the audit identity may write the group, none may read or delete it.
  ...["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"].map(
    (type) => [type, "an identity policy: judged by separation/audit-write-only and the holdings model"] as const,
  ),
  // A key of the stack encrypting the group names it in its key policy's encryption context; the key policy is read (this rule).
  ...["aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", "aws:kms/externalKey:ExternalKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"].map(
    (type) => [type, "a key policy: the audit group's key is read by this rule (stack keys only, their policy the stack's account's)"] as const,
  ),
  // A KeyPolicy replaces the key's policy and a grant is one more key-policy statement: both are read with the audit key (audit-keys.ts, log-groups.ts).
  ["aws:kms/keyPolicy:KeyPolicy", "a key policy on the audit group's key: judged with the key by this rule (its context condition names the group)"],
  [
    "aws:kms/grant:Grant",
    "a grant on the audit group's key: only the logs service's is admitted by this rule (its encryption context constraint names the group)",
  ],
  [
    "aws:cloudwatch/queryDefinition:QueryDefinition",
    "a saved Logs Insights query (PutQueryDefinition): it stores text only; running it needs logs:StartQuery on the group, an identity grant the holdings model judges",
  ],
]);

/** An agent's audit log group: its agent and name; `prefix` is the agents' audit name space (`/<prefix>/<env>/agents/`). */
export interface AuditGroup {
  readonly agent: string;
  readonly name: string;
}

/** The agents' audit groups and the name spaces they are in (from groups tagged with their agent and named for it). */
export function auditGroupsOf(ix: StackIndex): { groups: AuditGroup[]; prefixes: string[] } {
  const groups: AuditGroup[] = [];
  const prefixes = new Set<string>();
  for (const g of ix.logGroups) {
    const suffix = `/agents/${g.agent}/audit`;
    if (!g.name.endsWith(suffix)) continue;
    groups.push({ agent: g.agent, name: g.name });
    prefixes.add(g.name.slice(0, -`${g.agent}/audit`.length));
  }
  return { groups, prefixes: [...prefixes] };
}

const DELIMITER = /["'\s,\]}[{)(]/;
const MAX_STRINGS = 5_000;
const MAX_DEPTH = 12;

/** A log group name or pattern as written, with any `:*` or `:log-stream:...` suffix cut. */
const groupPart = (token: string) => token.split(DELIMITER)[0].split(":")[0];

/**
 * The agents whose audit group a name or pattern selects: an exact name, a name in the audit name
 * space of an agent not (yet) in the stack, or a wildcard matching either. `*` is every agent.
 */
function selected(pattern: string, groups: readonly AuditGroup[], prefixes: readonly string[]): string[] {
  if (pattern === "") return [];
  const wild = /[*?]/.test(pattern);
  const hits = groups.filter((g) => (wild ? globMatches(pattern, g.name) : pattern === g.name)).map((g) => g.agent);
  for (const prefix of prefixes) {
    const future = `${prefix}agent-not-yet-declared/audit`;
    if (wild && globMatches(pattern, future)) hits.push("*");
    const owner = !wild && pattern.startsWith(prefix) ? /^([^/]+)\/audit$/.exec(pattern.slice(prefix.length))?.[1] : undefined;
    if (owner !== undefined) hits.push(owner);
  }
  return hits;
}

/** The agents whose audit group one string names: `log-group:` ARNs and patterns, names in the name space, a whole-string name pattern. */
export function auditGroupsNamedIn(text: string, groups: readonly AuditGroup[], prefixes: readonly string[]): Set<string> {
  const out = new Set<string>();
  const add = (agents: string[]) => agents.forEach((a) => out.add(a));
  for (let at = text.indexOf("log-group:"); at >= 0; at = text.indexOf("log-group:", at + 1)) add(selected(groupPart(text.slice(at + 10)), groups, prefixes));
  for (const prefix of prefixes)
    for (let at = text.indexOf(prefix); at >= 0; at = text.indexOf(prefix, at + 1)) add(selected(groupPart(text.slice(at)), groups, prefixes));
  if (text.startsWith("/") && /[*?]/.test(text) && !/\s/.test(text)) add(selected(groupPart(text), groups, prefixes));
  return out;
}

/** Every string input of a resource with its path (bounded in depth and count). */
function stringsOf(value: unknown, path: string, out: Array<[string, string]>, depth = 0): void {
  if (out.length >= MAX_STRINGS || depth > MAX_DEPTH) return;
  if (typeof value === "string") out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((item, i) => stringsOf(item, `${path}[${i}]`, out, depth + 1));
  else if (value && typeof value === "object") for (const [key, item] of Object.entries(value)) stringsOf(item, path ? `${path}.${key}` : key, out, depth + 1);
}

/** A finding for a resource that names agents' audit groups. */
function named(resource: PackResource, agent: string, field: string): StackPass["findings"][number] {
  const whose = agent === "*" ? "every agent's audit log group (a pattern over the agents' audit name space)" : `agent ${agent}'s audit log group`;
  return {
    rule: RULE,
    agent: agent === "*" ? resource.name : agent,
    identity: "audit",
    urn: resource.urn,
    message: `${resource.type} ${resource.name} names ${whose} in ${field}: only the Agent component's log group, identity and key policies, and saved queries may name it; anything else can write into, copy, reshape, index or hide the trail`,
    fix: "remove it: an agent's audit trail is written by its audit identity only and read through identity grants; ask the security team before wiring anything to it",
  };
}

/** Every `aws:*` resource outside the allowlist that names an agent's audit log group. */
export function auditGroupReferences(ix: StackIndex, pass: StackPass): void {
  const { groups, prefixes } = auditGroupsOf(ix);
  if (groups.length === 0) return;
  for (const entry of ix.inputs) {
    const type = entry.resource.type;
    if (!type.startsWith("aws:") || MAY_NAME_AUDIT_GROUP.has(type)) continue;
    const strings: Array<[string, string]> = [];
    stringsOf(entry.value, "", strings);
    const reported = new Set<string>();
    // Unknown at preview: an input that came from an agent's audit log group names it.
    for (const path of entry.unknown) {
      const top = path.split(/[.[]/)[0];
      for (const from of entry.resource.propertyDependencies?.[top] ?? []) {
        const agent =
          from.type === "aws:cloudwatch/logGroup:LogGroup"
            ? groups.find((g) => ix.logGroups.some((l) => l.urn === from.urn && l.name === g.name))?.agent
            : undefined;
        if (agent === undefined || reported.has(agent)) continue;
        reported.add(agent);
        pass.findings.push(named(entry.resource, agent, `${top} (from ${from.name})`));
      }
    }
    for (const [path, text] of strings) {
      if (!text.includes("log-group:") && !prefixes.some((p) => text.includes(p)) && !(text.startsWith("/") && /[*?]/.test(text))) continue;
      for (const agent of auditGroupsNamedIn(text, groups, prefixes)) {
        if (reported.has(agent)) continue;
        reported.add(agent);
        pass.findings.push(named(entry.resource, agent, path));
      }
    }
  }
}
