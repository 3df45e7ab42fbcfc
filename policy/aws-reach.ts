/**
 * What principals that are not agent identities reach of the agents' resources. The agents' side
 * is the rules' own holdings model (policy/holdings.ts): what each agent owns (declared `owns`, its
 * roles, audit log group) and what each execution and audit identity is granted. The other side is
 * a grant as IAM evaluates it: a service (or every service) on resources; AWS managed policies are
 * read from components/rules/data/aws-managed-policies.json, judged by their documents.
 *
 * Agent resources are grouped by ARN service, so a grant is compared only with resources of the
 * services it names: linear in what the stack holds, not in agents × principals.
 */
import managedData from "../components/rules/data/aws-managed-policies.json";
import type { PolicyDocument } from "../components/core/iam-document";
import { asList } from "../components/core/iam-document";
import type { IdentityKind } from "../components/core/names";
import { arnComponents } from "../components/core/patterns";
import { coversEntry, reachesEntry } from "../components/core/resource-index";
import { resourceGlob } from "../components/core/grammar/policy-variables";
import { throughAccessPoints } from "./adapters/s3-access-points";
import { holdingsFromStackOnce } from "./holdings";
import type { StackIndex } from "./stack-index";
import type { StackPass } from "./types";

/** One Allow statement as a reach: per service the access levels (`*` every service), on resources. */
export interface Reach {
  readonly services: Readonly<Record<string, string>>;
  readonly exceptServices?: readonly string[];
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  /** The actions as written (inline and customer documents), for the message. */
  readonly actions?: readonly string[];
}

interface ManagedData {
  readonly source: { readonly repository: string; readonly commit: string };
  readonly policies: Readonly<Record<string, readonly Reach[]>>;
}
const MANAGED = managedData as unknown as ManagedData;
export const MANAGED_POLICY_SOURCE = MANAGED.source;

/** An AWS managed policy ARN (`arn:<partition>:iam::aws:policy/<path>/<Name>`): its name, or undefined. */
export function awsManagedPolicyName(arn: string): string | undefined {
  return /^arn:[^:]+:iam::aws:policy\/(?:[^*?]*\/)?([^/*?]+)$/.exec(arn)?.[1];
}

/** The reach of an AWS managed policy by name, or undefined when the data file does not know it. */
export function managedPolicyReach(name: string): readonly Reach[] | undefined {
  return Object.prototype.hasOwnProperty.call(MANAGED.policies, name) ? MANAGED.policies[name] : undefined;
}

/** The Allow statements of a document as reaches: the service of each action (a wildcard service is every service). */
export function documentReach(document: PolicyDocument): Reach[] {
  return document.Statement.filter((s) => s.Effect === "Allow").map((statement) => {
    const actions = asList(statement.Action);
    const notActions = asList(statement.NotAction);
    const services: Record<string, string> = {};
    for (const action of actions) {
      const service = action.includes(":") ? action.slice(0, action.indexOf(":")).toLowerCase() : "*";
      services[/[*?]/.test(service) ? "*" : service] = "";
    }
    // NotAction: every service, less those excluded whole (`iam:*`).
    const excepted = notActions.map((a) => /^([a-z0-9-]+):\*$/i.exec(a)?.[1]?.toLowerCase());
    if (statement.NotAction !== undefined) services["*"] = "";
    const resources = asList(statement.Resource);
    const notResources = asList(statement.NotResource);
    return {
      services,
      ...(statement.NotAction !== undefined && excepted.every((s) => s !== undefined) ? { exceptServices: excepted as string[] } : {}),
      ...(statement.NotResource !== undefined ? { notResources } : { resources }),
      actions: statement.NotAction !== undefined ? notActions.map((a) => `all but ${a}`) : actions,
    };
  });
}

/** A resource an agent owns or holds. */
export interface AgentResource {
  readonly pattern: string;
  readonly agent: string;
  /** The identity whose grant holds it; null for what the agent owns. */
  readonly identity: IdentityKind | null;
  /** The patterns a grant is compared with, when wider than `pattern` (an owned table in every region). */
  readonly match?: readonly string[];
}

/**
 * An owned DynamoDB table in every region: a replica (or a table of the same name another region
 * restores or replicates into) holds the same items, so a grant on the name in any region reaches it.
 */
function tableInEveryRegion(pattern: string): string[] | undefined {
  const m = /^(arn:[^:]+:dynamodb:)[^:]*(:[^:]*:table\/[^/]+)$/.exec(pattern);
  return m ? [`${m[1]}*${m[2]}`, `${m[1]}*${m[2]}/*`] : undefined;
}

export interface AgentResources {
  /** By ARN service (lower case). */
  readonly byService: ReadonlyMap<string, readonly AgentResource[]>;
  /** Namespaces with an agent's ServiceAccount, with the agents in each. */
  readonly namespaces: ReadonlyMap<string, readonly string[]>;
  /** What a granted resource reaches besides itself (the buckets behind an S3 access point or alias). */
  readonly grantedAs?: (resource: string) => readonly string[];
}

const cache = new WeakMap<StackIndex, AgentResources>();

/** Every ARN an agent owns or an execution or audit identity is granted (orchestration's are shared models). */
export function agentResources(ix: StackIndex, pass: StackPass): AgentResources {
  const known = cache.get(ix);
  if (known) return known;
  const { fleet } = holdingsFromStackOnce(ix, pass.extraPolicies);
  const byService = new Map<string, AgentResource[]>();
  const seen = new Set<string>();
  const add = (pattern: string, agent: string, identity: IdentityKind | null) => {
    const service = arnComponents(pattern)?.[1]?.toLowerCase();
    const key = `${agent}\u0000${pattern}`;
    if (!service || seen.has(key)) return;
    seen.add(key);
    const list = byService.get(service);
    const match = identity === null ? tableInEveryRegion(pattern) : undefined;
    const entry: AgentResource = match ? { pattern, agent, identity, match } : { pattern, agent, identity };
    if (list) list.push(entry);
    else byService.set(service, [entry]);
  };
  for (const agent of fleet.agents) for (const pattern of [...agent.declared, ...agent.implicit]) add(pattern, agent.agent, null);
  for (const holdings of fleet.identities) {
    if (holdings.identity === "orchestration") continue;
    for (const grant of holdings.aws) if (grant.effect === "Allow") for (const r of grant.resources) if (r !== "*") add(r, holdings.agent, holdings.identity);
  }
  const namespaces = new Map<string, string[]>();
  for (const sa of ix.serviceAccounts) {
    const list = namespaces.get(sa.namespace) ?? [];
    if (!list.includes(sa.agent)) list.push(sa.agent);
    namespaces.set(sa.namespace, list);
  }
  const out = { byService, namespaces, grantedAs: throughAccessPoints(ix) };
  cache.set(ix, out);
  return out;
}

const LEVEL_WORDS: Record<string, string> = { L: "List", R: "Read", W: "Write", P: "Permissions management", T: "Tagging", "?": "unlisted actions" };

/**
 * The actions a reach grants on a service, as written (a wildcard or `all but …` included); a
 * managed policy's reach by its access levels (`s3 (Read, Write)`), which is no action.
 */
function actionsOn(reach: Reach, service: string): string[] {
  if (reach.actions) {
    const own = reach.actions.filter((a) => a === "*" || a.toLowerCase().startsWith(`${service}:`) || a.startsWith("all but"));
    return own.length ? own : [...reach.actions];
  }
  const levels = reach.services[service] ?? reach.services["*"] ?? "";
  return [`${service} (${[...levels].map((l) => LEVEL_WORDS[l] ?? l).join(", ")})`];
}

/** How a reach reaches a service, for the message: its actions as written, or its access levels. */
const describe = (reach: Reach, service: string): string => actionsOn(reach, service).slice(0, 4).join(", ");

/** One agent resource a reach gets to, with how, and the actions it grants there (what a declared share must give). */
export interface Reached {
  readonly resource: AgentResource;
  readonly how: string;
  readonly actions: readonly string[];
  /** On an agent's first entry: the agent's resources reached past the cap, not listed but covered by no share unless named (shares-config.ts). */
  readonly unlisted: readonly string[];
}

/** The ARN services a reach acts on: Object Lambda actions read the objects of the buckets behind it. */
function servicesOf(reach: Reach, agents: AgentResources): string[] {
  if (reach.services["*"] !== undefined) return [...agents.byService.keys()];
  const named = Object.keys(reach.services);
  if (named.includes("s3-object-lambda")) named.push("s3");
  return [...new Set(named)].filter((s) => agents.byService.has(s));
}

const S3_BUCKET = /^arn:[^:]*:s3:::[^/]+$/;

/**
 * The agent resources a set of reaches gets to, at most `perAgent` per agent: a service of the
 * reach is the resource's ARN service, and its resources (or not-resources) let the ARN through,
 * read as the plan's holdings index reads them (core/resource-index.ts): what an agent owns covers
 * what is below it (a table's streams and indexes), IAM names compare in any case. A granted
 * resource is read as IAM evaluates it (policy variables: every value) and as what it reaches
 * through S3 access points. Conditions are not read: a grant counts as if its condition held.
 */
export function reachedBy(reaches: readonly Reach[], agents: AgentResources, perAgent = 3): Reached[] {
  const out: { resource: AgentResource; how: string; actions: string[]; unlisted: string[] }[] = [];
  const count = new Map<string, number>();
  const seen = new Map<string, (typeof out)[number]>();
  const firstOf = new Map<string, (typeof out)[number]>();
  // Each granted pattern with the resource as written, for the message. A bucket's own ARN reaches its
  // objects too: its configuration (replication, inventory, notifications, ACLs, lifecycle, policy)
  // copies, lists or exposes every object, an agent's prefix included.
  const granted = (reach: Reach) =>
    (reach.resources ?? []).flatMap((written) =>
      (written === "*" ? [written] : (agents.grantedAs?.(resourceGlob(written)) ?? [resourceGlob(written)]))
        .flatMap((pattern) => (S3_BUCKET.test(pattern) ? [pattern, `${pattern}/*`] : [pattern]))
        .map((pattern) => ({ written, pattern })),
    );
  const merge = (into: { actions: string[] }, actions: readonly string[]) => {
    for (const action of actions) if (!into.actions.includes(action)) into.actions.push(action);
  };
  for (const reach of reaches) {
    const resources = reach.notResources ? [] : granted(reach);
    // A NotResource entry holding a variable excludes nothing it can be sure of.
    const excluded = (reach.notResources ?? []).filter((nr) => !nr.includes("${"));
    for (const service of servicesOf(reach, agents)) {
      if (reach.exceptServices?.includes(service)) continue;
      for (const resource of agents.byService.get(service) ?? []) {
        const n = count.get(resource.agent) ?? 0;
        const key = `${resource.agent}\u0000${resource.pattern}`;
        const known = seen.get(key);
        const owned = resource.identity === null;
        const via = reach.notResources
          ? excluded.some((nr) => coversEntry(nr, resource.pattern, owned))
            ? undefined
            : "*"
          : resources.find((r) => r.pattern === "*" || (resource.match ?? [resource.pattern]).some((p) => reachesEntry(r.pattern, p, owned)))?.written;
        if (via === undefined) continue;
        // Every action on a resource counts for a declared share, also a second statement's, and (on the
        // agent's first entry) those on resources past the cap, which the finding does not list.
        if (known || n >= perAgent) {
          const into = known ?? firstOf.get(resource.agent);
          if (into) merge(into, actionsOn(reach, service));
          const first = firstOf.get(resource.agent);
          if (!known && first && !first.unlisted.includes(resource.pattern)) first.unlisted.push(resource.pattern);
          continue;
        }
        count.set(resource.agent, n + 1);
        // Name the granted pattern when it is not the resource itself (a table's stream, a bucket behind an access point).
        const entry = {
          resource,
          how: via === "*" || via === resource.pattern ? describe(reach, service) : `${describe(reach, service)} on ${via}`,
          actions: actionsOn(reach, service),
          unlisted: [],
        };
        seen.set(key, entry);
        if (!firstOf.has(resource.agent)) firstOf.set(resource.agent, entry);
        out.push(entry);
      }
    }
  }
  return out;
}
