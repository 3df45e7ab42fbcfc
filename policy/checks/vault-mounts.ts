/**
 * Vault mounts and their settings that reach agents without granting a path (issue #19 part 5):
 * - an auth mount's tuned lease TTLs (`vault.AuthBackend`, `vault.jwt.AuthBackend` `tune`), bounded
 *   like the roles' token TTLs: a mount ceiling of years outlives every tier;
 * - `vault.database.SecretsMount`, whose embedded connections are held to the same checks as
 *   `vault.database.SecretBackendConnection` (TLS, exact allowedRoles, PostgreSQL only);
 * - `vault.AuditRequestHeader`: a header the audit trail records is HMAC'd (an unhashed token or
 *   authorization header in the trail is a credential for whoever reads it).
 */
import { formatDuration } from "../../components/core/durations";
import type { Problem } from "../../components/rules/define";
import { LOOSEST_TOKEN_MAX_TTL } from "../../components/rules/vault";
import { asRecord, asString, asStrings, type KnownInputs } from "../inputs";
import { checkDatabaseConnection } from "./database-connection";

export const VAULT_MOUNT_TYPES = {
  vaultAuthBackend: "vault:index/authBackend:AuthBackend",
  vaultJwtAuthBackend: "vault:jwt/authBackend:AuthBackend",
  vaultDatabaseSecretsMount: "vault:database/secretsMount:SecretsMount",
  vaultAuditRequestHeader: "vault:index/auditRequestHeader:AuditRequestHeader",
  vaultMount: "vault:index/mount:Mount",
} as const;

/** The connection lists of `vault.database.SecretsMount` other than PostgreSQL: no parser is wired for their URLs or SQL. */
export const OTHER_ENGINE_LISTS = [
  "cassandras",
  "couchbases",
  "elasticsearches",
  "hanas",
  "influxdbs",
  "mongodbatlas",
  "mongodbs",
  "mssqls",
  "mysqlAuroras",
  "mysqlLegacies",
  "mysqlRds",
  "mysqls",
  "oracles",
  "redis",
  "redisElasticaches",
  "redshifts",
  "snowflakes",
];

/**
 * A tune TTL in seconds as Vault reads it (parseutil.ParseDurationSecond): whole seconds, or a whole
 * number of s, m, h or d. Anything else (`1h30m`, a fraction) is not read: undefined.
 */
export function tuneSeconds(value: string): number | undefined {
  const match = /^(\d{1,12})(s|m|h|d)?$/.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? "s") as "s"];
}

/** `tune.maxLeaseTtl` / `tune.defaultLeaseTtl` of an auth mount within the loosest tier's token ceiling. */
export function checkAuthBackendTune(name: string, inputs: KnownInputs): Problem[] {
  const tune = asRecord(inputs.value.tune);
  const problems: Problem[] = [];
  for (const key of ["maxLeaseTtl", "defaultLeaseTtl"] as const) {
    const unknown = inputs.unknown.some((path) => path === "tune" || path === `tune.${key}`);
    const text = tune[key];
    if (text === undefined && !unknown) continue;
    const seconds = text === undefined ? undefined : tuneSeconds(text);
    if (seconds !== undefined && seconds > 0 && seconds <= LOOSEST_TOKEN_MAX_TTL) continue;
    problems.push({
      rule: "vault/token-max-ttl",
      message: `auth mount ${name} tunes ${key} to ${unknown ? "a value unknown at preview" : `"${text}"`}${seconds === undefined ? "" : seconds === 0 ? " (0: the system default of 32 days)" : ` (${formatDuration(seconds)})`}; tokens of this mount would outlive every tier's ceiling of ${formatDuration(LOOSEST_TOKEN_MAX_TTL)}`,
      fix: `leave tune.${key} unset (each role bounds its tokens), or set it to at most ${formatDuration(LOOSEST_TOKEN_MAX_TTL)} in seconds or s/m/h/d`,
    });
  }
  return problems;
}

/** Each embedded connection of a `vault.database.SecretsMount`, judged as a SecretBackendConnection. */
export function checkSecretsMountConnections(name: string, inputs: KnownInputs): Problem[] {
  const v = inputs.value;
  const mount = (asString(v.path) ?? "?").replace(/^\/+|\/+$/g, "");
  const problems: Problem[] = [];
  const other = OTHER_ENGINE_LISTS.filter(
    (key) => (Array.isArray(v[key]) && (v[key] as unknown[]).length > 0) || inputs.unknown.some((p) => p.split(".")[0] === key),
  );
  if (other.length)
    problems.push({
      rule: "database/connection-tls",
      message: `database mount ${name} (${mount}) embeds ${other.join(", ")} connections: only PostgreSQL connections are read (URL, TLS and statements)`,
      fix: "use postgresqls, or a SecretBackendConnection declared under platform.bootstrap.databaseConnections",
    });
  const list = Array.isArray(v.postgresqls) ? v.postgresqls : [];
  for (const [index, entry] of list.entries()) {
    const connection = asRecord(entry);
    const unknownPassword = inputs.unknown.some((p) => p === "postgresqls" || p === `postgresqls.${index}` || p.startsWith(`postgresqls.${index}.`));
    problems.push(
      ...checkDatabaseConnection(`${mount}/${connection.name ?? "?"}`, {
        backend: mount,
        name: connection.name,
        allowedRoles: asStrings((entry as { allowedRoles?: unknown }).allowedRoles),
        keys: [],
        connectionUrl: connection.connectionUrl,
        username: connection.username,
        password: typeof connection.password === "string" && connection.password !== "" ? "set" : unknownPassword ? "unknown" : "unset",
      }),
    );
  }
  return problems;
}

/** The embedded PostgreSQL connections of a SecretsMount, for the stack's allowedRoles check. */
export function secretsMountConnections(v: Record<string, unknown>): Array<{ mount: string; name: string; allowedRoles: string[] }> {
  const mount = (asString(v.path) ?? "").replace(/^\/+|\/+$/g, "");
  return (Array.isArray(v.postgresqls) ? v.postgresqls : []).map((entry) => ({
    mount,
    name: asRecord(entry).name ?? "",
    allowedRoles: asStrings((entry as { allowedRoles?: unknown }).allowedRoles),
  }));
}

/** An audited request header is recorded as an HMAC, never in clear. */
export function checkAuditRequestHeader(name: string, inputs: KnownInputs): Problem[] {
  if (inputs.value.hmac === true) return [];
  const header = asString(inputs.value.name) ?? name;
  return [
    {
      rule: "vault/audit-device",
      message: `audited request header ${header} is recorded ${inputs.unknown.includes("hmac") ? "with hmac unknown at preview" : "in clear (hmac not true)"}: a token or authorization header in the trail is a credential for whoever reads the trail`,
      fix: "set hmac: true (the trail then holds an HMAC, comparable with sys/audit-hash)",
    },
  ];
}

/** The mount settings that put request or response fields in the audit trail in clear, or pass headers through Vault. */
export const CLEAR_LIST_KEYS = ["auditNonHmacRequestKeys", "auditNonHmacResponseKeys", "passthroughRequestHeaders", "allowedResponseHeaders"] as const;

/**
 * Closed world: every such list of a mount or auth method (`vault.Mount`, `vault.database.SecretsMount`
 * top level; `vault.AuthBackend` / `vault.jwt.AuthBackend` `tune`) is empty. A non-HMAC key writes an
 * agent's password, secret key, KV data or client token in clear into the trail; a passed-through
 * header carries a caller's credential to a plugin.
 */
export function checkMountClearLists(kind: string, name: string, inputs: KnownInputs, under?: "tune"): Problem[] {
  const nested = under ? inputs.value[under] : inputs.value;
  const holder = (nested && typeof nested === "object" ? nested : {}) as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const key of CLEAR_LIST_KEYS) {
    const field = under ? `${under}.${key}` : key;
    const unknown = inputs.unknown.some((path) => path === field || path.startsWith(`${field}.`) || (under !== undefined && path === under));
    const raw = holder[key];
    if (!unknown && (raw === undefined || raw === null || (Array.isArray(raw) && raw.length === 0))) continue;
    problems.push({
      rule: "vault/audit-device",
      message: `${kind} ${name} sets ${field} to ${unknown ? "a value unknown at preview" : JSON.stringify(raw)}: ${key.startsWith("audit") ? "the audit trail would record these fields in clear (an agent's password, secret key, KV data or client token is then a credential for whoever reads the trail)" : "headers would pass between callers and the engine, outside the identities' policies"}`,
      fix: `leave ${field} unset or empty on every mount and auth method of a stack with agents`,
    });
  }
  return problems;
}
