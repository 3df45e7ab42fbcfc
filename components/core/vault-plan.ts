/**
 * An identity's Vault resources as planned. The components build every Vault resource's inputs with
 * the functions below, and write the same inputs on the identity's ServiceAccount (annotation
 * `agent-identity.io/vault-plan`), so the policy pack can compare the resources the stack really
 * creates with them: a transformation or a stack that changes an agent's own Vault policy, auth role
 * or secret role without changing the declaration is refused. The policy is recorded as path rules
 * (not text) and compared with the pack's parse of the resource's HCL.
 */
import { z } from "zod";
import type { AwsSecretRolePlan, DatabaseSecretRolePlan, IdentityVaultPlan, VaultPathRule, VaultPolicyPlan, VaultRolePlan } from "./plan-types";
import { renderVaultPolicy } from "./vault-policy";

/** One resource's inputs as the components set them (undefined: not sent). */
export type PlannedInputs = Readonly<Record<string, InputValue | undefined>>;
type InputValue = string | number | boolean | readonly string[] | Readonly<Record<string, string>>;

/** Inputs without the keys the components leave out (undefined is "not sent"). */
function defined<T extends Record<string, unknown>>(inputs: T): T {
  return Object.fromEntries(Object.entries(inputs).filter(([, value]) => value !== undefined)) as T;
}

/** `vault.Policy`: the name and the policy text rendered from the planned path rules. */
export function vaultPolicyInputs(policy: VaultPolicyPlan): { name: string; policy: string } {
  return { name: policy.name, policy: renderVaultPolicy(policy.paths) };
}

/** `vault.kubernetes.AuthBackendRole`; the component passes its policy resource's name as `tokenPolicies`. */
export function authRoleInputs<P>(role: VaultRolePlan, tokenPolicies: P) {
  return defined({
    backend: role.backend,
    roleName: role.name,
    boundServiceAccountNames: [...role.boundServiceAccountNames],
    boundServiceAccountNamespaces: [...role.boundServiceAccountNamespaces],
    audience: role.audience,
    tokenTtl: role.tokenTtl,
    tokenMaxTtl: role.tokenMaxTtl,
    tokenPolicies,
    tokenNoDefaultPolicy: role.tokenNoDefaultPolicy,
    aliasNameSource: role.aliasNameSource,
    // Left out (not sent as {}) where the declared Vault does not store it.
    aliasMetadata: role.aliasMetadata ? { ...role.aliasMetadata } : undefined,
  });
}

/** `vault.database.SecretBackendRole`. */
export function databaseSecretRoleInputs(role: DatabaseSecretRolePlan) {
  return defined({
    backend: role.backend,
    name: role.name,
    dbName: role.dbName,
    creationStatements: [...role.creationStatements],
    revocationStatements: role.revocationStatements.length ? [...role.revocationStatements] : undefined,
    defaultTtl: role.defaultTtl,
    maxTtl: role.maxTtl,
  });
}

/** `vault.aws.SecretBackendRole`: no policyArns, policyDocument or iamGroups (the tool role's own policies decide). */
export function awsSecretRoleInputs(role: AwsSecretRolePlan) {
  return defined({
    backend: role.backend,
    name: role.name,
    credentialType: role.credentialType,
    roleArns: [...role.roleArns],
    // Left out (not sent as {}) where the plan sets none, as before tagged sessions.
    sessionTags: role.sessionTags ? { ...role.sessionTags } : undefined,
    externalId: role.externalId ?? undefined,
    defaultStsTtl: role.defaultStsTtl,
    maxStsTtl: role.maxStsTtl,
  });
}

/** What the record holds: each Vault resource the identity's component creates, as its inputs. */
export interface VaultPlanRecord {
  /** The policy's name and path rules; null when the agent is revoked. */
  readonly policy: { readonly name: string; readonly paths: readonly VaultPathRule[] } | null;
  /** One Kubernetes-auth role per cluster; `tokenPolicies` holds the policy's name. */
  readonly authRoles: readonly PlannedInputs[];
  readonly awsSecretRoles: readonly PlannedInputs[];
  readonly databaseSecretRoles: readonly PlannedInputs[];
}

/** The record of one identity's Vault plan, built by the same functions the component creates the resources with. */
export function vaultPlanRecord(vault: IdentityVaultPlan): VaultPlanRecord {
  const policy = vault.policy && vault.role ? vault.policy : null;
  return {
    policy: policy ? { name: policy.name, paths: policy.paths } : null,
    authRoles: policy && vault.role ? [vault.role, ...vault.additionalRoles].map((role) => authRoleInputs(role, [policy.name])) : [],
    awsSecretRoles: vault.secretRoles.flatMap((role) => (role.type === "aws" ? [awsSecretRoleInputs(role)] : [])),
    databaseSecretRoles: vault.secretRoles.flatMap((role) => (role.type === "database" ? [databaseSecretRoleInputs(role)] : [])),
  };
}

/** The annotation's text (JSON). */
export function vaultPlanRecordText(vault: IdentityVaultPlan): string {
  return JSON.stringify(vaultPlanRecord(vault));
}

/** Far above any identity's record (a few KiB); Kubernetes bounds all annotations of an object at 256 KiB. */
const MAX_RECORD = 64 * 1024;
const text = z.string().max(16 * 1024);
const value = z.union([text, z.number(), z.boolean(), z.array(text).max(1000), z.record(z.string().max(128), z.string().max(256))]);
const inputs = (keys: Record<string, z.ZodString>) => z.object(keys).catchall(value);
const recordSchema = z.strictObject({
  policy: z
    .strictObject({
      name: z.string().min(1).max(512),
      paths: z.array(z.strictObject({ path: z.string().max(1024), capabilities: z.array(z.string().max(32)).max(16) })).max(1000),
    })
    .nullable(),
  authRoles: z.array(inputs({ backend: z.string().max(512), roleName: z.string().max(512) })).max(64),
  awsSecretRoles: z.array(inputs({ backend: z.string().max(512), name: z.string().max(512) })).max(256),
  databaseSecretRoles: z.array(inputs({ backend: z.string().max(512), name: z.string().max(512) })).max(256),
});

/** The record an annotation holds; undefined when it is too large, not JSON or not a record. */
export function readVaultPlanRecord(recordText: string): VaultPlanRecord | undefined {
  if (recordText.length > MAX_RECORD) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(recordText);
  } catch {
    return undefined;
  }
  const result = recordSchema.safeParse(parsed);
  return result.success ? (result.data as VaultPlanRecord) : undefined;
}

/** Inputs whose order means nothing to Vault: compared as sets. */
const SET_INPUTS = new Set(["roleArns", "policyArns", "iamGroups", "boundServiceAccountNames", "boundServiceAccountNamespaces", "tokenPolicies"]);
/** The provider's defaults of inputs the components never set: the same as not set. */
const PROVIDER_DEFAULTS: Readonly<Record<string, unknown>> = { tokenType: "default" };

const isUnset = (field: string, value: unknown) =>
  value === undefined ||
  value === null ||
  value === "" ||
  value === 0 ||
  value === false ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) ||
  PROVIDER_DEFAULTS[field] === value;

const canonical = (field: string, value: unknown): string => {
  if (Array.isArray(value)) return JSON.stringify(SET_INPUTS.has(field) ? [...new Set(value.map(String))].sort() : value);
  if (value && typeof value === "object") return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  return JSON.stringify(value);
};

const SHOWN_CHARS = 160;
const show = (value: unknown) => {
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > SHOWN_CHARS ? `${shown.slice(0, SHOWN_CHARS)}…` : shown;
};

/** One input that is not as planned. */
export interface InputChange {
  readonly field: string;
  readonly text: string;
}

/**
 * Every input that differs from the planned ones: a planned input changed or removed, and any input
 * the components never set (closed world: policyDocument, policyArns, iamGroups, a Vault namespace…).
 * `skip` names inputs compared elsewhere (the names a resource was matched by); `unknown` inputs
 * (at preview) are not a change.
 */
export function inputChanges(
  planned: PlannedInputs,
  actual: Readonly<Record<string, unknown>>,
  skip: ReadonlySet<string>,
  unknown: (field: string) => boolean,
): InputChange[] {
  const changes: InputChange[] = [];
  for (const field of new Set([...Object.keys(planned), ...Object.keys(actual)])) {
    if (skip.has(field) || unknown(field)) continue;
    const want = planned[field];
    const have = actual[field];
    if (want === undefined) {
      if (!isUnset(field, have)) changes.push({ field, text: `${field} is ${show(have)}, planned unset` });
    } else if (have === undefined) {
      changes.push({ field, text: `${field} is unset, planned ${show(want)}` });
    } else if (canonical(field, want) !== canonical(field, have)) {
      changes.push({ field, text: `${field} is ${show(have)}, planned ${show(want)}` });
    }
  }
  return changes;
}

/** Capabilities by path, merged as Vault merges repeated blocks of one path. */
function capabilitiesByPath(rules: readonly VaultPathRule[]): Map<string, Set<string>> {
  const byPath = new Map<string, Set<string>>();
  for (const rule of rules) {
    const set = byPath.get(rule.path) ?? new Set<string>();
    for (const capability of rule.capabilities) set.add(capability);
    byPath.set(rule.path, set);
  }
  return byPath;
}

/** How parsed path rules differ from the planned ones, in words: each path added, removed or with other capabilities. */
export function pathRuleChanges(planned: readonly VaultPathRule[], actual: readonly VaultPathRule[]): string[] {
  const want = capabilitiesByPath(planned);
  const have = capabilitiesByPath(actual);
  const changes: string[] = [];
  const list = (set: ReadonlySet<string>) => [...set].sort().join(", ");
  for (const [path, capabilities] of have) {
    const planned = want.get(path);
    if (!planned) changes.push(`path "${path}" [${list(capabilities)}] is not planned`);
    else if (list(planned) !== list(capabilities)) changes.push(`path "${path}" has [${list(capabilities)}], planned [${list(planned)}]`);
  }
  for (const [path, capabilities] of want) if (!have.has(path)) changes.push(`planned path "${path}" [${list(capabilities)}] is missing`);
  return changes;
}
