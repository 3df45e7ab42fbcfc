/**
 * Every physical name the library creates, in one place. Names are pure functions of the
 * declaration (never of array position), so reordering agents or adding one renames nothing.
 */
import { createHash } from "node:crypto";
import type { Platform } from "./schema";

export const IDENTITY_KINDS = ["orchestration", "execution", "audit"] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** AWS limit for IAM role names. */
export const IAM_ROLE_NAME_MAX = 64;
/** Kubernetes limit for a namespace (DNS-1123 label). */
export const NAMESPACE_NAME_MAX = 63;

/**
 * Keep `name` within `max` characters. Longer names are cut and end in `-` plus 8 hex characters
 * of the full name's SHA-256, so the result is stable (same input, same name) and two long names
 * that share a prefix still differ.
 */
export function boundedName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  const head = name.slice(0, max - hash.length - 1).replace(/-+$/, "");
  return `${head}-${hash}`;
}

/** The agent's own namespace before `boundedName` cuts it (derived-names.ts names it in a collision). */
export function uncutNamespaceName(platform: Pick<Platform, "namePrefix" | "environment">, agent: string): string {
  return `${platform.namePrefix}-${platform.environment}-${agent}`;
}

export function namespaceName(platform: Platform, agent: string): string {
  if (!platform.kubernetes.namespacePerAgent) return platform.kubernetes.namespace;
  return boundedName(uncutNamespaceName(platform, agent), NAMESPACE_NAME_MAX);
}

export function serviceAccountName(agent: string, kind: IdentityKind): string {
  return `${agent}-${kind}`;
}

/** An identity's IAM role name before `boundedName` cuts it. */
export function uncutIamRoleName(platform: Pick<Platform, "namePrefix" | "environment">, agent: string, kind: IdentityKind): string {
  return `${platform.namePrefix}-${platform.environment}-${agent}-${kind}`;
}

export function iamRoleName(platform: Platform, agent: string, kind: IdentityKind): string {
  return boundedName(uncutIamRoleName(platform, agent, kind), IAM_ROLE_NAME_MAX);
}

/** tagged-sessions: the agent's tool role (belongs to the execution identity; only Vault assumes it). */
export function toolRoleName(platform: Platform, agent: string): string {
  return boundedName(`${platform.namePrefix}-${platform.environment}-${agent}-tools`, IAM_ROLE_NAME_MAX);
}

/**
 * The name of an IAM role, lower-cased (IAM role names are unique regardless of case), from
 * `arn:…:role/<path>/<name>`, an STS session of it `arn:…:sts::<account>:assumed-role/<name>/<session>`
 * (a resource policy may name one session of an agent role), or a bare name.
 */
export const roleNameOf = (arnOrName: string): string =>
  (/:assumed-role\/([^/]+)\//.exec(arnOrName)?.[1] ?? /:role\/(?:.*\/)?([^/]+)$/.exec(arnOrName)?.[1] ?? arnOrName.split("/").pop() ?? arnOrName).toLowerCase();

/** A role named like an agent identity role (`…-orchestration|execution|audit`), any path or case. */
export function namedLikeIdentityRole(arnOrName: string): boolean {
  return /-(orchestration|execution|audit)$/.test(roleNameOf(arnOrName));
}

/** A role named like an agent's tool role (`…-tools`), any path or case. */
export function namedLikeToolRole(arnOrName: string): boolean {
  return roleNameOf(arnOrName).endsWith("-tools");
}

export function iamRoleArn(platform: Platform, roleName: string): string {
  return `arn:${platform.aws.partition}:iam::${platform.aws.accountId}:role/${roleName}`;
}

export function vaultRoleName(platform: Platform, agent: string, kind: IdentityKind): string {
  return `${platform.environment}-${agent}-${kind}`;
}

export function vaultPolicyName(platform: Platform, agent: string, kind: IdentityKind): string {
  return `${platform.namePrefix}-${platform.environment}-${agent}-${kind}`;
}

/**
 * Name of a dynamic-secret role (database or AWS) inside its Vault mount: `<env>.<agent>.<tool>`.
 * Environment, agent and tool are DNS-1123 labels, which never contain `.`, so the name splits back
 * into exactly one (env, agent, tool): agent `ledger` + tool `sync-db` and agent `ledger-sync` +
 * tool `db` stay distinct (`-` as separator made both `dev-ledger-sync-db`). Vault accepts `.` in
 * these names: database roles match `framework.GenericNameRegex` and AWS roles
 * `GenericNameWithAtRegex`, `\w([\w-.]*\w)?` (hashicorp/vault sdk/framework/path.go).
 */
export function vaultSecretRoleName(platform: Platform, agent: string, tool: string): string {
  return `${platform.environment}.${agent}.${tool}`;
}

export function auditLogGroupName(platform: Platform, agent: string): string {
  return `/${platform.namePrefix}/${platform.environment}/agents/${agent}/audit`;
}

export function logGroupArn(platform: Platform, logGroup: string): string {
  return `arn:${platform.aws.partition}:logs:${platform.aws.region}:${platform.aws.accountId}:log-group:${logGroup}`;
}

/** The IAM OIDC provider ARN ends in the issuer host and path: the prefix of IRSA condition keys. */
export function oidcIssuer(oidcProviderArn: string): string {
  const marker = ":oidc-provider/";
  const at = oidcProviderArn.indexOf(marker);
  if (at < 0) throw new Error(`"${oidcProviderArn}" is not an IAM OIDC provider ARN`);
  return oidcProviderArn.slice(at + marker.length);
}

/** STS `RoleSessionName`: 2 to 64 characters of `[\w+=,.@-]` (AssumeRoleWithWebIdentity API). */
export const STS_SESSION_NAME_MAX = 64;
/** Length of a Kubernetes object UID (`metadata.uid`, an RFC 4122 UUID in its 36-character form). */
export const POD_UID_LENGTH = 36;
/** Room the static part of a session name may take so that it plus the pod UID fits STS's limit. */
export const SESSION_PREFIX_MAX = STS_SESSION_NAME_MAX - POD_UID_LENGTH;

const KIND_SHORT: Record<IdentityKind, string> = { orchestration: "orch", execution: "exec", audit: "audit" };

/**
 * Prefix every session name of an identity starts with (`sts:RoleSessionName`): `<agent>-<kind>-`
 * with the kind shortened (orch, exec, audit) and a long agent name cut to a stable hash, so the
 * prefix is at most `SESSION_PREFIX_MAX` (28) characters and the pod UID always fits after it.
 */
export function sessionNamePrefix(agent: string, kind: IdentityKind): string {
  const short = KIND_SHORT[kind];
  return `${boundedName(agent, SESSION_PREFIX_MAX - short.length - 2)}-${short}-`;
}
