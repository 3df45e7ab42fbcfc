/**
 * Reads a plan for the diff: a plan compiled by this library or one written by hand. Only the
 * fields the diff compares are required; TTLs may be seconds (`3600`, `"3600"`) or durations
 * (`"1h"`), and IAM's string-or-list fields may be either. The result is normalised so that
 * statement order, action order and TTL units never show up as changes.
 */
import { z } from "zod";
import { parseDuration } from "../core/durations";
import { permissionEntries, trustEntries, vaultEntries, type Entry, type RawStatement } from "./statements";
import { compareText } from "./conditions";

export class PlanInputError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: not a valid identity plan\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PlanInputError";
  }
}

const seconds = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+([smhd])?$/, "seconds, or a duration like 10m or 1h")])
  .transform((value) => (typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : parseDuration(value)));
const stringOrList = z.union([z.string(), z.array(z.string())]);
const conditionValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))]);
const statement = z.object({
  Effect: z.enum(["Allow", "Deny"]),
  Action: stringOrList.optional(),
  NotAction: stringOrList.optional(),
  Resource: stringOrList.optional(),
  NotResource: stringOrList.optional(),
  Principal: z.union([z.string(), z.record(z.string(), stringOrList)]).optional(),
  NotPrincipal: z.union([z.string(), z.record(z.string(), stringOrList)]).optional(),
  Condition: z.record(z.string(), z.record(z.string(), conditionValue)).optional(),
});
const policyDocument = z.object({ Statement: z.union([statement, z.array(statement)]) });
const names = z.array(z.string());

const vaultRole = z.object({
  name: z.string(),
  boundServiceAccountNames: names,
  boundServiceAccountNamespaces: names,
  audience: z.string().nullable().optional(),
  tokenTtl: seconds,
  tokenMaxTtl: seconds,
  tokenPolicies: names,
});
const secretRole = z.object({
  type: z.string(),
  name: z.string(),
  tool: z.string().optional(),
  credentialsPath: z.string().optional(),
  dbName: z.string().optional(),
  creationStatements: names.optional(),
  revocationStatements: names.optional(),
  roleArns: names.optional(),
  defaultTtl: seconds.optional(),
  maxTtl: seconds.optional(),
  defaultStsTtl: seconds.optional(),
  maxStsTtl: seconds.optional(),
});
const identity = z.object({
  kind: z.string(),
  serviceAccount: z.object({ namespace: z.string(), name: z.string() }),
  iamRole: z.object({
    name: z.string(),
    arn: z.string(),
    trustPolicy: policyDocument,
    policies: z.array(z.object({ name: z.string().optional(), document: policyDocument })),
    maxSessionDuration: seconds,
    permissionsBoundary: z.string().nullable().optional(),
  }),
  vault: z.object({
    role: vaultRole.nullable(),
    policy: z.object({ name: z.string(), paths: z.array(z.object({ path: z.string(), capabilities: names })) }).nullable(),
    secretRoles: z.array(secretRole).optional(),
  }),
});
const agent = z.object({
  name: z.string().min(1),
  owner: z.string(),
  sponsor: z.string().optional(),
  tier: z.string(),
  expires: z.string().optional(),
  maxDataClass: z.string().optional(),
  approval: z.object({ ticket: z.string(), approvedBy: z.string() }).nullable().optional(),
  namespace: z.object({ name: z.string() }).optional(),
  auditLogGroup: z.object({ retentionDays: z.number() }).optional(),
  tools: z.array(z.object({ name: z.string() })).optional(),
  revoked: z.object({ at: z.string(), reason: z.string(), leaseRevokeCommands: names.optional() }).nullable().optional(),
  identities: z.array(identity),
});
const plan = z.object({ stack: z.string(), agents: z.array(agent) });

type RawPlan = z.output<typeof plan>;
type RawIdentity = z.output<typeof identity>;
type RawSecretRole = z.output<typeof secretRole>;

// ---------------------------------------------------------------- the normalised model

export interface SecretRole {
  readonly type: string;
  readonly name: string;
  readonly dbName: string | null;
  readonly creationStatements: readonly string[];
  readonly roleArns: readonly string[];
  /** `defaultTtl`/`maxTtl` or `defaultStsTtl`/`maxStsTtl`, seconds, by field name. */
  readonly ttls: Readonly<Record<string, number>>;
}

export interface VaultRole {
  readonly name: string;
  readonly boundServiceAccountNames: readonly string[];
  readonly boundServiceAccountNamespaces: readonly string[];
  readonly audience: string | null;
  readonly tokenTtl: number;
  readonly tokenMaxTtl: number;
  readonly tokenPolicies: readonly string[];
}

export interface Identity {
  readonly kind: string;
  readonly serviceAccount: string;
  readonly iamRole: { readonly name: string; readonly arn: string; readonly maxSessionDuration: number; readonly permissionsBoundary: string | null };
  readonly permissions: readonly Entry[];
  readonly trust: readonly Entry[];
  readonly vaultRole: VaultRole | null;
  readonly vaultPolicy: string | null;
  readonly vaultPaths: readonly Entry[];
  readonly secretRoles: readonly SecretRole[];
}

export interface Agent {
  readonly name: string;
  readonly owner: string;
  readonly sponsor: string | null;
  readonly tier: string;
  readonly expires: string | null;
  readonly maxDataClass: string | null;
  readonly approval: string | null;
  readonly namespace: string | null;
  readonly auditRetentionDays: number | null;
  readonly tools: readonly string[];
  readonly revoked: { readonly at: string; readonly reason: string; readonly leaseRevokeCommands: readonly string[] } | null;
  readonly identities: readonly Identity[];
}

export interface Plan {
  readonly stack: string;
  /** Sorted by name. */
  readonly agents: readonly Agent[];
}

const statements = (document: { Statement: unknown }) => (Array.isArray(document.Statement) ? document.Statement : [document.Statement]) as RawStatement[];
const sortedCopy = (values: readonly string[]) => [...new Set(values)].sort(compareText);

function toSecretRole(raw: RawSecretRole): SecretRole {
  const ttls: Record<string, number> = {};
  for (const field of ["defaultTtl", "maxTtl", "defaultStsTtl", "maxStsTtl"] as const) if (raw[field] !== undefined) ttls[field] = raw[field];
  return {
    type: raw.type,
    name: raw.name,
    dbName: raw.dbName ?? null,
    creationStatements: [...(raw.creationStatements ?? [])],
    roleArns: sortedCopy(raw.roleArns ?? []),
    ttls,
  };
}

function toIdentity(raw: RawIdentity): Identity {
  const role = raw.vault.role;
  return {
    kind: raw.kind,
    serviceAccount: `${raw.serviceAccount.namespace}/${raw.serviceAccount.name}`,
    iamRole: {
      name: raw.iamRole.name,
      arn: raw.iamRole.arn,
      maxSessionDuration: raw.iamRole.maxSessionDuration,
      permissionsBoundary: raw.iamRole.permissionsBoundary ?? null,
    },
    permissions: raw.iamRole.policies.flatMap((policy) => permissionEntries(statements(policy.document))),
    trust: trustEntries(statements(raw.iamRole.trustPolicy)),
    vaultRole: role
      ? {
          name: role.name,
          boundServiceAccountNames: sortedCopy(role.boundServiceAccountNames),
          boundServiceAccountNamespaces: sortedCopy(role.boundServiceAccountNamespaces),
          audience: role.audience ?? null,
          tokenTtl: role.tokenTtl,
          tokenMaxTtl: role.tokenMaxTtl,
          tokenPolicies: sortedCopy(role.tokenPolicies),
        }
      : null,
    vaultPolicy: raw.vault.policy?.name ?? null,
    vaultPaths: vaultEntries(raw.vault.policy?.paths ?? []),
    secretRoles: (raw.vault.secretRoles ?? []).map(toSecretRole).sort((a, b) => compareText(a.name, b.name)),
  };
}

function duplicates(values: readonly string[]): string[] {
  return sortedCopy(values.filter((value, index) => values.indexOf(value) !== index));
}

function toPlan(raw: RawPlan, source: string): Plan {
  const problems = duplicates(raw.agents.map((a) => a.name)).map((name) => `agents: "${name}" appears more than once`);
  for (const a of raw.agents) {
    for (const kind of duplicates(a.identities.map((i) => i.kind))) problems.push(`agents "${a.name}": identity "${kind}" appears more than once`);
  }
  if (problems.length > 0) throw new PlanInputError(source, problems);
  const agents = raw.agents.map(
    (a): Agent => ({
      name: a.name,
      owner: a.owner,
      sponsor: a.sponsor ?? null,
      tier: a.tier,
      expires: a.expires ?? null,
      maxDataClass: a.maxDataClass ?? null,
      approval: a.approval ? `${a.approval.ticket} (${a.approval.approvedBy})` : null,
      namespace: a.namespace?.name ?? null,
      auditRetentionDays: a.auditLogGroup?.retentionDays ?? null,
      tools: sortedCopy((a.tools ?? []).map((t) => t.name)),
      revoked: a.revoked ? { at: a.revoked.at, reason: a.revoked.reason, leaseRevokeCommands: [...(a.revoked.leaseRevokeCommands ?? [])] } : null,
      identities: a.identities.map(toIdentity),
    }),
  );
  return { stack: raw.stack, agents: agents.sort((x, y) => compareText(x.name, y.name)) };
}

/** Validate and normalise a plan (parsed JSON or a compiled `FleetPlan`). Throws `PlanInputError`. */
export function readPlan(input: unknown, source: string): Plan {
  const result = plan.safeParse(input);
  if (!result.success) {
    throw new PlanInputError(
      source,
      result.error.issues.map((issue) => `${issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(root)"}: ${issue.message}`),
    );
  }
  return toPlan(result.data, source);
}
