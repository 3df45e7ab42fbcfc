/**
 * Reads a plan for the diff through the one plan schema (`components/core/plan-schema.ts`): strict,
 * versioned, no hand-written variants. Accepts a plan written by `plan --json <file>`, the stdout
 * of `plan --format json` (`{ok, plan, …}`), or a compiled `FleetPlan`. The result is normalised
 * so that statement order and action order never show up as changes.
 */
import { PlanSchemaError, parsePlan } from "../core/plan-schema";
import type { AgentPlan, IdentityPlan } from "../core/plan-types";
import { compareText } from "./conditions";
import { sameJson } from "./generic-changes";
import type { Agent, Identity, Plan, SecretRole, VaultRole } from "./model";
import { permissionEntries, trustEntries, vaultEntries, type Entry, type RawStatement } from "./statements";

export type { Agent, Identity, Plan, SecretRole, VaultRole } from "./model";

/** A plan that cannot be read; the same error the schema raises. */
export { PlanSchemaError as PlanInputError };

type Json = Record<string, unknown>;

const sortedCopy = (values: readonly string[]) => [...new Set(values)].sort(compareText);

/** `plan --format json` wraps the plan: `{ok: true, plan, warnings, waived}` or `{ok: false, errors, …}`. */
function unwrapPlanOutput(input: unknown, source: string): unknown {
  if (!input || typeof input !== "object" || Array.isArray(input) || !("ok" in input)) return input;
  const output = input as Json;
  if (output.ok === true && output.plan !== undefined) return output.plan;
  const errors = Array.isArray(output.errors) ? output.errors.filter((e): e is string => typeof e === "string").slice(0, 10) : [];
  throw new PlanSchemaError(source, [
    "this is the output of a `plan` that failed (ok: false): there is no plan to compare; fix the stack file first",
    ...errors,
  ]);
}

function secretRole(r: IdentityPlan["vault"]["secretRoles"][number]): SecretRole {
  if (r.type === "database") {
    return {
      type: r.type,
      name: r.name,
      dbName: r.dbName,
      creationStatements: r.creationStatements,
      revocationStatements: r.revocationStatements,
      roleArns: [],
      ttls: { defaultTtl: r.defaultTtl, maxTtl: r.maxTtl },
    };
  }
  return {
    type: r.type,
    name: r.name,
    dbName: null,
    creationStatements: [],
    revocationStatements: [],
    roleArns: sortedCopy(r.roleArns),
    ttls: { defaultStsTtl: r.defaultStsTtl, maxStsTtl: r.maxStsTtl },
  };
}

function vaultRole(r: IdentityPlan["vault"]["role"]): VaultRole | null {
  if (r === null) return null;
  return {
    name: r.name,
    backend: r.backend,
    boundServiceAccountNames: sortedCopy(r.boundServiceAccountNames),
    boundServiceAccountNamespaces: sortedCopy(r.boundServiceAccountNamespaces),
    audience: r.audience,
    tokenTtl: r.tokenTtl,
    tokenMaxTtl: r.tokenMaxTtl,
    tokenPolicies: sortedCopy(r.tokenPolicies),
  };
}

/** Entries sorted by key, so equal grant sets are equal arrays whatever the statement order. */
const byKey = (entries: Entry[]) => entries.sort((a, b) => compareText(a.key, b.key));

type IdentityFields = Omit<Identity, "permissions" | "trust" | "vaultPaths">;
interface IdentitySources {
  readonly permissions: readonly RawStatement[];
  readonly trust: readonly RawStatement[];
  readonly vaultPaths: readonly { readonly path: string; readonly capabilities: readonly string[] }[];
}

/**
 * An identity whose (already validated) statements become entries only when first compared:
 * in a large fleet most identities are equal to their counterpart and are never flattened.
 */
class ReadIdentity implements Identity {
  readonly raw: IdentityPlan;
  readonly kind: string;
  readonly serviceAccount: string;
  readonly iamRole: Identity["iamRole"];
  readonly vaultRole: VaultRole | null;
  readonly vaultPolicy: string | null;
  readonly secretRoles: readonly SecretRole[];
  private entries?: { permissions: Entry[]; trust: Entry[]; vaultPaths: Entry[] };

  constructor(
    fields: IdentityFields,
    private readonly sources: IdentitySources,
  ) {
    ({
      raw: this.raw,
      kind: this.kind,
      serviceAccount: this.serviceAccount,
      iamRole: this.iamRole,
      vaultRole: this.vaultRole,
      vaultPolicy: this.vaultPolicy,
      secretRoles: this.secretRoles,
    } = fields);
  }

  private flattened() {
    return (this.entries ??= {
      permissions: byKey(permissionEntries(this.sources.permissions)),
      trust: byKey(trustEntries(this.sources.trust)),
      vaultPaths: byKey(vaultEntries(this.sources.vaultPaths)),
    });
  }

  get permissions(): readonly Entry[] {
    return this.flattened().permissions;
  }
  get trust(): readonly Entry[] {
    return this.flattened().trust;
  }
  get vaultPaths(): readonly Entry[] {
    return this.flattened().vaultPaths;
  }
}

function identity(raw: IdentityPlan): Identity {
  const role = raw.iamRole;
  const policy = raw.vault.policy;
  return new ReadIdentity(
    {
      raw,
      kind: raw.kind,
      serviceAccount: `${raw.serviceAccount.namespace}/${raw.serviceAccount.name}`,
      iamRole: { name: role.name, arn: role.arn, maxSessionDuration: role.maxSessionDuration, permissionsBoundary: role.permissionsBoundary },
      vaultRole: vaultRole(raw.vault.role),
      vaultPolicy: policy?.name ?? null,
      secretRoles: raw.vault.secretRoles.map(secretRole).sort((a, b) => compareText(a.name, b.name)),
    },
    {
      // The tool role (tagged sessions) holds the identity's tool grants: compared with its own, so a
      // grant moving between the two is compared by its conditions, not as removed and added.
      permissions: [...role.policies, ...(raw.toolRole?.policies ?? [])].flatMap((p) => p.document.Statement as RawStatement[]),
      trust: [...role.trustPolicy.Statement, ...(raw.toolRole?.trustPolicy.Statement ?? [])] as RawStatement[],
      vaultPaths: policy?.paths ?? [],
    },
  );
}

/**
 * The agent as it would read under another name: every occurrence of its name as a whole
 * name-segment (between `-`, `/`, `.`, `:`, `_` or the ends of a string) in its plan replaced. For
 * comparing a likely rename with the new agent, so only what the rename adds shows.
 */
export function renamedAgent(from: Agent, to: string): Agent {
  const escaped = from.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const segment = new RegExp(`(?<=^|[-/.:_])${escaped}(?=$|[-/.:_])`, "g");
  const rename = (value: unknown): unknown =>
    typeof value === "string"
      ? value.replace(segment, to)
      : Array.isArray(value)
        ? value.map(rename)
        : value && typeof value === "object"
          ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, rename(inner)]))
          : value;
  return agent(rename(from.raw) as AgentPlan);
}

function agent(a: AgentPlan): Agent {
  return {
    raw: a,
    name: a.name,
    owner: a.owner,
    sponsor: a.sponsor,
    tier: a.tier,
    expires: a.expires,
    maxDataClass: a.maxDataClass,
    approval: a.approval ? `${a.approval.ticket} (${a.approval.approvedBy})` : null,
    namespace: a.namespace.name,
    auditRetentionDays: a.auditLogGroup.retentionDays,
    tools: sortedCopy(a.tools.map((t) => t.name)),
    revoked: a.revoked
      ? { at: a.revoked.at, instant: Date.parse(a.revoked.at), reason: a.revoked.reason, leaseRevokeCommands: a.revoked.leaseRevokeCommands }
      : null,
    identities: a.identities.map(identity).sort((x, y) => compareText(x.kind, y.kind)),
  };
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const value of values) (seen.has(value) ? repeated : seen).add(value);
  return [...repeated].sort(compareText);
}

/**
 * Validate and normalise a plan. Throws `PlanInputError` naming the source and the path.
 * `known` maps an agent's raw JSON to an already normalised agent: an agent byte-for-byte equal to
 * one in the other plan is normalised once (in a typical pull request, most agents are unchanged).
 */
export function readPlan(input: unknown, source: string, known?: (raw: unknown) => Agent | undefined): Plan {
  const unwrapped = unwrapPlanOutput(input, source);
  // An agent already normalised from the other plan was checked there: not checked again.
  const normalised = new Map<unknown, Agent>();
  const reuse = known
    ? (raw: unknown) => {
        const agent = known(raw);
        if (agent) normalised.set(agent.raw, agent);
        return agent?.raw;
      }
    : undefined;
  const plan = parsePlan(unwrapped, source, reuse);
  const agents = plan.agents.map((a) => normalised.get(a) ?? agent(a));
  const problems = duplicates(agents.map((a) => a.name)).map((name) => `agents: "${name}" appears more than once`);
  for (const a of agents) {
    for (const kind of duplicates(a.identities.map((i) => i.kind))) problems.push(`agents "${a.name}": identity "${kind}" appears more than once`);
  }
  if (problems.length > 0) throw new PlanSchemaError(source, problems);
  return { stack: plan.stack, platform: plan.platform, agents: agents.sort((x, y) => compareText(x.name, y.name)) };
}

/** Read both sides of a diff; agents equal in both are checked and normalised once, and shared. */
export function readPlanPair(base: unknown, head: unknown, sources: { base: string; head: string }): [Plan, Plan] {
  const basePlan = readPlan(base, sources.base);
  const byName = new Map(basePlan.agents.map((a) => [a.name, a]));
  const known = (raw: unknown): Agent | undefined => {
    if (!raw || typeof raw !== "object") return undefined;
    const name = (raw as Json).name;
    const candidate = typeof name === "string" ? byName.get(name) : undefined;
    return candidate && sameJson(candidate.raw, raw) ? candidate : undefined;
  };
  return [basePlan, readPlan(head, sources.head, known)];
}
