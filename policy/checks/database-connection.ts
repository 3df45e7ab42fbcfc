/**
 * `vault.database.SecretBackendConnection`: how Vault reaches a database as its root user, and which
 * secret roles may mint users through it. The URL must verify the server's certificate (the root
 * password and every minted password cross it) and `allowedRoles` must be exact role names; across
 * the stack, exactly the database secret roles of this stack on that connection. And the connection
 * names its own root login (username and password), as the declaration's form does
 * (`platform.bootstrap.databaseConnections[]`, `passwordConfigKey`): Vault keeps the root password it
 * stores for a connection when a write leaves it out, so a connection written without one re-points
 * the stored root password (rotated, known only to Vault) at whatever host its URL names.
 */
import { DATABASE_CONNECTION_URL } from "../../components/core/bootstrap-schema";
import type { Problem } from "../../components/rules/define";

export interface DatabaseConnectionInputs {
  readonly backend?: string;
  readonly name?: string;
  readonly allowedRoles?: readonly string[];
  /** Every input key of the connection (which engine blocks are set). */
  readonly keys: readonly string[];
  /** `postgresql.connectionUrl`, when the block is set. */
  readonly connectionUrl?: string;
  /** `postgresql.username`, when set. */
  readonly username?: unknown;
  /** `postgresql.password`: set to a non-empty string, unknown at preview (judged again at update, when known), or neither. */
  readonly password: "set" | "unknown" | "unset";
}

const ROOT_LOGIN_RULE = "database/connection-root-login";

/** The host a connection URL names, read by the WHATWG URL grammar (undefined when it does not parse). */
export function connectionHost(url: string | undefined): string | undefined {
  if (url === undefined || url.length > 2048) return undefined;
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/** Engine blocks of the connection resource other than PostgreSQL: no parser is wired for their SQL or URLs. */
const ENGINE_BLOCKS = [
  "cassandra",
  "couchbase",
  "elasticsearch",
  "hana",
  "influxdb",
  "mongodb",
  "mongodbatlas",
  "mssql",
  "mysql",
  "mysqlAurora",
  "mysqlLegacy",
  "mysqlRds",
  "oracle",
  "redis",
  "redisElasticache",
  "redshift",
  "snowflake",
];

export function checkDatabaseConnection(label: string, inputs: DatabaseConnectionInputs): Problem[] {
  const problems: Problem[] = [];
  const other = inputs.keys.filter((key) => ENGINE_BLOCKS.includes(key));
  if (other.length)
    problems.push({
      rule: "database/connection-tls",
      message: `connection ${label} sets ${other.join(", ")}: only PostgreSQL connections are read (URL, TLS and statements)`,
      fix: "use a postgresql block, declared under platform.bootstrap.databaseConnections",
    });
  const url = inputs.connectionUrl;
  if (url === undefined || !DATABASE_CONNECTION_URL.test(url)) {
    const sslmode = /[?&]sslmode=([^&]*)/.exec(url ?? "")?.[1];
    problems.push({
      rule: "database/connection-tls",
      message: `connection ${label}: ${url === undefined ? "no postgresql.connectionUrl" : sslmode && !/^verify-(full|ca)$/.test(sslmode) ? `sslmode=${sslmode} does not verify the server, so the root and minted passwords may cross in clear or to an impostor` : "the URL is not postgresql://{{username}}:{{password}}@host:port/db?sslmode=verify-full (credentials only as Vault's templates; sslmode once, and otherwise only sslrootcert, connect_timeout, application_name, target_session_attrs)"}`,
      fix: "postgresql://{{username}}:{{password}}@host:5432/db?sslmode=verify-full",
    });
  }
  const username = inputs.username;
  if (inputs.password === "unset" || typeof username !== "string" || username === "") {
    const host = connectionHost(url);
    const missing = [typeof username !== "string" || username === "" ? "username" : "", inputs.password === "unset" ? "password" : ""].filter(Boolean);
    problems.push({
      rule: ROOT_LOGIN_RULE,
      message: `connection ${label} names no root ${missing.join(" or ")}: Vault keeps the root login it stores under this name when a write leaves it out, so it would send the stored (rotated, Vault-only) root password to ${host ?? "the URL's host"}`,
      fix: "declare the connection under platform.bootstrap.databaseConnections (AgentPlatform writes its username and the password from passwordConfigKey), or write postgresql.username and postgresql.password with it",
    });
  }
  for (const role of inputs.allowedRoles ?? [])
    if (role === "" || /[*?]/.test(role))
      problems.push({
        rule: "database/connection-allowed-roles",
        message: `connection ${label} allows role "${role}": a glob lets any secret role on the mount, present or future, mint users through the root login`,
        fix: "list the exact secret role names of the tools using this connection (AgentPlatform does)",
      });
  return problems;
}

export interface PlacedConnection {
  readonly urn: string;
  readonly mount: string;
  readonly name: string;
  readonly allowedRoles: readonly string[];
}
export interface PlacedDatabaseRole {
  readonly mount: string;
  readonly name: string;
  readonly dbName: string;
}

/** allowedRoles of each connection against the stack's database roles that name it: exactly those. */
export function checkConnectionRoles(connections: readonly PlacedConnection[], roles: readonly PlacedDatabaseRole[]): Array<Problem & { urn: string }> {
  const out: Array<Problem & { urn: string }> = [];
  for (const connection of connections) {
    const using = new Set(roles.filter((r) => r.mount === connection.mount && r.dbName === connection.name).map((r) => r.name));
    const extra = connection.allowedRoles.filter((role) => !using.has(role));
    const missing = [...using].filter((role) => !connection.allowedRoles.includes(role));
    if (extra.length)
      out.push({
        rule: "database/connection-allowed-roles",
        urn: connection.urn,
        message: `connection ${connection.mount}/${connection.name} allows ${extra.join(", ")}, which no database secret role of this stack on it is: a role created later under that name mints users through the root login`,
        fix: `allow exactly the secret roles on this connection${using.size ? ` (${[...using].join(", ")})` : " (none)"}`,
      });
    if (missing.length)
      out.push({
        rule: "database/connection-allowed-roles",
        urn: connection.urn,
        message: `connection ${connection.mount}/${connection.name} does not allow ${missing.join(", ")}, secret roles of this stack on it`,
        fix: "allowedRoles lists exactly the secret roles using this connection",
      });
  }
  return out;
}
