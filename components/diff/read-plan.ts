/**
 * Reads a plan for the diff: a plan compiled by this library or one written by hand. Only the
 * fields the diff compares are required; TTLs may be seconds (`3600`, `"3600"`) or durations
 * (`"1h"`), and IAM's string-or-list fields may be either. The result is normalised so that
 * statement order, action order and TTL units never show up as changes.
 */
import { compareText } from "./conditions";
import { JsonShapeError, at, list, object, optionalSeconds, optionalString, seconds, string, stringOrStrings, strings, type Json } from "./json-reader";
import type { Agent, Identity, Plan, SecretRole, VaultRole } from "./model";
import { permissionEntries, trustEntries, vaultEntries, type Entry, type RawStatement } from "./statements";

export type { Agent, Identity, Plan, SecretRole, VaultRole } from "./model";

export class PlanInputError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: not a valid identity plan\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PlanInputError";
  }
}


const sortedCopy = (values: readonly string[]) => [...new Set(values)].sort(compareText);

const isScalar = (value: unknown) => typeof value === "string" || typeof value === "number" || typeof value === "boolean";
const STATEMENT_LISTS = ["Action", "NotAction", "Resource", "NotResource"] as const;

/** Check a statement's shape; the statement itself is used as is (entries normalise it). */
function statement(value: unknown, path: string): RawStatement {
  const s = object(value, path);
  if (s.Effect !== "Allow" && s.Effect !== "Deny") throw new JsonShapeError(at(path, "Effect"), '"Allow" or "Deny"');
  for (const field of STATEMENT_LISTS) if (s[field] !== undefined) stringOrStrings(s[field], path, field);
  for (const field of ["Principal", "NotPrincipal"]) {
    const principal = s[field];
    if (principal === undefined || typeof principal === "string") continue;
    const byType = object(principal, path, field);
    for (const type of Object.keys(byType)) stringOrStrings(byType[type], at(path, field), type);
  }
  if (s.Condition !== undefined) {
    const condition = object(s.Condition, path, "Condition");
    for (const operator of Object.keys(condition)) {
      const keys = object(condition[operator], at(path, "Condition"), operator);
      for (const key of Object.keys(keys)) {
        const v = keys[key];
        if (!(Array.isArray(v) ? v.every(isScalar) : isScalar(v))) {
          throw new JsonShapeError(at(at(at(path, "Condition"), operator), key), "a string, number, boolean or a list of them");
        }
      }
    }
  }
  return s as unknown as RawStatement;
}

/** A policy document's statements (`Statement` may be one object or a list). */
function statements(value: unknown, path: string): RawStatement[] {
  const document = object(value, path);
  const raw = document.Statement;
  if (Array.isArray(raw)) return raw.map((s, i) => statement(s, at(at(path, "Statement"), i)));
  return [statement(raw, at(path, "Statement"))];
}

function secretRole(value: unknown, path: string): SecretRole {
  const r = object(value, path);
  const ttls: Record<string, number> = {};
  for (const field of ["defaultTtl", "maxTtl", "defaultStsTtl", "maxStsTtl"]) {
    const ttl = optionalSeconds(r[field], path, field);
    if (ttl !== undefined) ttls[field] = ttl;
  }
  return {
    type: string(r.type, path, "type"),
    name: string(r.name, path, "name"),
    dbName: optionalString(r.dbName, path, "dbName"),
    creationStatements: r.creationStatements === undefined ? [] : [...strings(r.creationStatements, path, "creationStatements")],
    roleArns: r.roleArns === undefined ? [] : sortedCopy(strings(r.roleArns, path, "roleArns")),
    ttls,
  };
}

function vaultRole(value: unknown, path: string): VaultRole | null {
  if (value === null) return null;
  const r = object(value, path);
  return {
    name: string(r.name, path, "name"),
    boundServiceAccountNames: sortedCopy(strings(r.boundServiceAccountNames, path, "boundServiceAccountNames")),
    boundServiceAccountNamespaces: sortedCopy(strings(r.boundServiceAccountNamespaces, path, "boundServiceAccountNamespaces")),
    audience: optionalString(r.audience, path, "audience"),
    tokenTtl: seconds(r.tokenTtl, path, "tokenTtl"),
    tokenMaxTtl: seconds(r.tokenMaxTtl, path, "tokenMaxTtl"),
    tokenPolicies: sortedCopy(strings(r.tokenPolicies, path, "tokenPolicies")),
  };
}

function vaultPolicy(value: unknown, path: string): { name: string | null; paths: { path: string; capabilities: string[] }[] } {
  if (value === null) return { name: null, paths: [] };
  const p = object(value, path);
  const rules = list(p.paths, path, "paths").map((rule, i) => {
    const r = object(rule, at(path, "paths"), i);
    return { path: string(r.path, at(at(path, "paths"), i), "path"), capabilities: strings(r.capabilities, at(at(path, "paths"), i), "capabilities") };
  });
  return { name: string(p.name, path, "name"), paths: rules };
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
    ({ kind: this.kind, serviceAccount: this.serviceAccount, iamRole: this.iamRole, vaultRole: this.vaultRole, vaultPolicy: this.vaultPolicy, secretRoles: this.secretRoles } = fields);
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

function identity(value: unknown, path: string): Identity {
  const raw = object(value, path);
  const sa = object(raw.serviceAccount, path, "serviceAccount");
  const role = object(raw.iamRole, path, "iamRole");
  const vault = object(raw.vault, path, "vault");
  const [saPath, rolePath, vaultPath] = [at(path, "serviceAccount"), at(path, "iamRole"), at(path, "vault")];
  if (!("role" in vault)) throw new JsonShapeError(at(vaultPath, "role"), "an object or null");
  if (!("policy" in vault)) throw new JsonShapeError(at(vaultPath, "policy"), "an object or null");
  const policy = vaultPolicy(vault.policy, at(vaultPath, "policy"));
  const permissionStatements = list(role.policies, rolePath, "policies").flatMap((p, i) =>
    statements(object(p, at(rolePath, "policies"), i).document, at(at(at(rolePath, "policies"), i), "document")),
  );
  return new ReadIdentity(
    {
      kind: string(raw.kind, path, "kind"),
      serviceAccount: `${string(sa.namespace, saPath, "namespace")}/${string(sa.name, saPath, "name")}`,
      iamRole: {
        name: string(role.name, rolePath, "name"),
        arn: string(role.arn, rolePath, "arn"),
        maxSessionDuration: seconds(role.maxSessionDuration, rolePath, "maxSessionDuration"),
        permissionsBoundary: optionalString(role.permissionsBoundary, rolePath, "permissionsBoundary"),
      },
      vaultRole: vaultRole(vault.role, at(vaultPath, "role")),
      vaultPolicy: policy.name,
      secretRoles: (vault.secretRoles === undefined ? [] : list(vault.secretRoles, vaultPath, "secretRoles"))
        .map((r, i) => secretRole(r, at(at(vaultPath, "secretRoles"), i)))
        .sort((a, b) => compareText(a.name, b.name)),
    },
    { permissions: permissionStatements, trust: statements(role.trustPolicy, at(rolePath, "trustPolicy")), vaultPaths: policy.paths },
  );
}

function revocation(value: unknown, path: string): Agent["revoked"] {
  if (value === undefined || value === null) return null;
  const r = object(value, path);
  return {
    at: string(r.at, path, "at"),
    reason: string(r.reason, path, "reason"),
    leaseRevokeCommands: r.leaseRevokeCommands === undefined ? [] : [...strings(r.leaseRevokeCommands, path, "leaseRevokeCommands")],
  };
}

function agent(value: unknown, path: string): Agent {
  const a = object(value, path);
  const approval = a.approval === undefined || a.approval === null ? null : object(a.approval, path, "approval");
  const optional = (field: string) => (a[field] === undefined || a[field] === null ? null : object(a[field], path, field));
  const namespace = optional("namespace");
  const auditLogGroup = optional("auditLogGroup");
  const retention = auditLogGroup?.retentionDays;
  if (retention !== undefined && typeof retention !== "number") throw new JsonShapeError(at(at(path, "auditLogGroup"), "retentionDays"), "a number");
  const fields: Omit<Agent, "identities"> = {
    name: string(a.name, path, "name"),
    owner: string(a.owner, path, "owner"),
    sponsor: optionalString(a.sponsor, path, "sponsor"),
    tier: string(a.tier, path, "tier"),
    expires: optionalString(a.expires, path, "expires"),
    maxDataClass: optionalString(a.maxDataClass, path, "maxDataClass"),
    approval: approval ? `${string(approval.ticket, at(path, "approval"), "ticket")} (${string(approval.approvedBy, at(path, "approval"), "approvedBy")})` : null,
    namespace: namespace ? string(namespace.name, at(path, "namespace"), "name") : null,
    auditRetentionDays: retention ?? null,
    tools: sortedCopy((a.tools === undefined ? [] : list(a.tools, path, "tools")).map((t, i) => string(object(t, at(path, "tools"), i).name, at(at(path, "tools"), i), "name"))),
    revoked: revocation(a.revoked, at(path, "revoked")),
  };
  if (fields.name === "") throw new JsonShapeError(at(path, "name"), "a non-empty string");
  const identities = list(a.identities, path, "identities")
    .map((i, n) => identity(i, at(at(path, "identities"), n)))
    .sort((x, y) => compareText(x.kind, y.kind));
  return { ...fields, identities };
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const value of values) (seen.has(value) ? repeated : seen).add(value);
  return [...repeated].sort(compareText);
}

/** Deep equality of parsed JSON, allocation-light: finds the agents a change did not touch. */
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
  for (const key of keysA) if (!(key in b) || !sameJson((a as Json)[key], (b as Json)[key])) return false;
  return true;
}

/**
 * Validate and normalise a plan (parsed JSON or a compiled `FleetPlan`). Throws `PlanInputError`.
 * `known` maps an agent's raw JSON to an already normalised agent: an agent byte-for-byte equal to
 * one in the other plan is read once (in a typical pull request, most agents are unchanged).
 */
export function readPlan(input: unknown, source: string, known?: (raw: unknown) => Agent | undefined): Plan {
  let stack: string;
  let agents: Agent[];
  try {
    const root: Json = object(input, "");
    stack = string(root.stack, "stack");
    agents = list(root.agents, "agents").map((a, i) => known?.(a) ?? agent(a, `agents[${i}]`));
  } catch (error) {
    if (error instanceof JsonShapeError) throw new PlanInputError(source, [error.message]);
    throw error;
  }
  const problems = duplicates(agents.map((a) => a.name)).map((name) => `agents: "${name}" appears more than once`);
  for (const a of agents) {
    for (const kind of duplicates(a.identities.map((i) => i.kind))) problems.push(`agents "${a.name}": identity "${kind}" appears more than once`);
  }
  if (problems.length > 0) throw new PlanInputError(source, problems);
  return { stack, agents: agents.sort((x, y) => compareText(x.name, y.name)) };
}

/** Read both sides of a diff; agents equal in both are read once and shared (so compare as identical). */
export function readPlanPair(base: unknown, head: unknown, sources: { base: string; head: string }): [Plan, Plan] {
  const baseRaw = new Map<string, unknown>();
  const basePlan = readPlan(base, sources.base);
  const rawAgents = (input: unknown) => (input && typeof input === "object" && Array.isArray((input as Json).agents) ? ((input as Json).agents as unknown[]) : []);
  for (const raw of rawAgents(base)) {
    const name = (raw as Json).name;
    if (typeof name === "string") baseRaw.set(name, raw);
  }
  const byName = new Map(basePlan.agents.map((a) => [a.name, a]));
  const known = (raw: unknown): Agent | undefined => {
    const name = raw && typeof raw === "object" ? (raw as Json).name : undefined;
    if (typeof name !== "string" || !sameJson(baseRaw.get(name), raw)) return undefined;
    return byName.get(name);
  };
  return [basePlan, readPlan(head, sources.head, known)];
}
