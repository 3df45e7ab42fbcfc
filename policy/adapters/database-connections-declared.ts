/**
 * Which Vault database connections a stack with agents may write (database/connection-declared).
 *
 * The pack knows an agent's database by the connection its own secret roles name (`<mount>/<dbName>`
 * of a database secret role whose `creds` path an agent identity's policy holds: the rules of
 * vault/agent-path-reach and the lifetime rules judge every other role on such a connection). A second
 * connection to the same server and database under another name (`reporting` to
 * `ledger.db.acme.internal:5432/ledger`) is a fresh name: every role on it was judged as a platform
 * database's, so a `GRANT SELECT ON invoices` through it handed an agent's table to whoever reads the
 * role's creds, with TLS, exact allowedRoles and a parsed grant (attack round 13, section D). A policy
 * cannot tell which server a URL's host is (DNS names, aliases, replicas), so no comparison of URLs
 * can admit a connection.
 *
 * Closed world: a connection (`vault.database.SecretBackendConnection`, and each connection embedded in
 * a `vault.database.SecretsMount`, of any plugin list) is admitted when an agent's own secret role uses
 * it (the components' connections: AgentPlatform writes those of platform.bootstrap). Anything else is
 * refused unless the security team declares the resource (kubernetesPlatformResources, by URN and
 * inputs digest), even with `allowedRoles` empty: the resource may be an import twin of an existing
 * connection, and Vault keeps a stored connection's allowed_roles when a write leaves them out
 * (pathConnectionWrite in builtin/logical/database/path_config_connection.go: `allowed_roles` is read
 * only when sent, or on create), which terraform-provider-vault does for a list that is not set
 * (`GetOkExists` in resource_database_secret_backend_connection.go), so the roles already allowed
 * there would mint users on whatever database the new URL names. The message names the
 * agent connection whose host (and port and database) the URL repeats, when the stack writes that
 * agent connection too, so the declaration is made knowing it reaches an agent's database. A name,
 * mount or allowedRoles unknown at preview fails closed.
 */
import { asRecord, asString } from "../inputs";
import { heldPaths } from "../checks/vault-path-reach";
import { OTHER_ENGINE_LISTS } from "../checks/vault-mounts";
import type { StackIndex } from "../stack-index";
import type { Adapter, PackFinding, PackResource } from "../types";
import { agentNamespaces } from "./agent-namespaces";
import { declarablePlatformFinding } from "./shared";

const RULE = "database/connection-declared";
const CONNECTION = "vault:database/secretBackendConnection:SecretBackendConnection";
const SECRETS_MOUNT = "vault:database/secretsMount:SecretsMount";
const DATABASE_ROLE = "vault:database/secretBackendRole:SecretBackendRole";

/** The connection lists of `vault.database.SecretsMount` (@pulumi/vault 7.x SecretsMountArgs), each entry one connection: the other engines' and PostgreSQL's. */
const MOUNT_LISTS = [...OTHER_ENGINE_LISTS, "postgresqls"] as const;

const trim = (path: string) => path.replace(/^\/+|\/+$/g, "");

/** One connection the stack writes: its key `<mount>/<name>` (undefined when unknown at preview), allowedRoles, URL. */
interface Written {
  readonly resource: PackResource;
  readonly label: string;
  readonly key: string | undefined;
  readonly url: string | undefined;
}

const unknownUnder = (unknown: readonly string[], field: string) => unknown.some((p) => p === field || p.startsWith(`${field}.`));

function written(ix: StackIndex): Written[] {
  const out: Written[] = [];
  for (const entry of ix.inputsOfType(CONNECTION)) {
    const v = entry.value;
    const known = !unknownUnder(entry.unknown, "backend") && !unknownUnder(entry.unknown, "name");
    const mount = trim(asString(v.backend) ?? "");
    const name = asString(v.name);
    out.push({
      resource: entry.resource,
      label: `connection ${mount || "?"}/${name ?? "?"}`,
      key: known && name !== undefined ? `${mount}/${name}` : undefined,
      url: unknownUnder(entry.unknown, "postgresql") ? undefined : asString(asRecord(v.postgresql).connectionUrl),
    });
  }
  for (const entry of ix.inputsOfType(SECRETS_MOUNT)) {
    const v = entry.value;
    const mount = trim(asString(v.path) ?? "");
    const mountKnown = !unknownUnder(entry.unknown, "path");
    for (const list of MOUNT_LISTS) {
      const items = Array.isArray(v[list]) ? (v[list] as unknown[]) : [];
      if (items.length === 0 && unknownUnder(entry.unknown, list))
        out.push({
          resource: entry.resource,
          label: `connections ${mount || "?"}/${list} (unknown at preview)`,
          key: undefined,
          url: undefined,
        });
      items.forEach((item, index) => {
        const field = `${list}.${index}`;
        const c = asRecord(item);
        const name = asString(c.name);
        out.push({
          resource: entry.resource,
          label: `connection ${mount || "?"}/${name ?? "?"} (${list})`,
          key: mountKnown && !unknownUnder(entry.unknown, `${field}.name`) && name !== undefined ? `${mount}/${name}` : undefined,
          url: asString(c.connectionUrl),
        });
      });
    }
  }
  return out;
}

/** The connections an agent's own database secret roles use (`<mount>/<dbName>`), with the agents. */
export function agentConnections(ix: StackIndex): Map<string, Set<string>> {
  const held = heldPaths(ix);
  const out = new Map<string, Set<string>>();
  for (const role of ix.secretRoles) {
    if (role.resource.type !== DATABASE_ROLE) continue;
    const holders = held.get(role.path) ?? [];
    if (holders.length === 0) continue;
    const key = `${trim(asString(role.v.backend) ?? "")}/${asString(role.v.dbName) ?? ""}`;
    for (const holder of holders) out.set(key, (out.get(key) ?? new Set()).add(holder.agent));
  }
  return out;
}

/** Host, port and database of a PostgreSQL-style URL (WHATWG URL grammar, bounded), or undefined. */
function serverOf(url: string | undefined): { host: string; port: string; database: string } | undefined {
  if (url === undefined || url.length > 2048) return undefined;
  try {
    const parsed = new URL(url);
    if (!parsed.hostname) return undefined;
    return { host: parsed.hostname.toLowerCase(), port: parsed.port || "5432", database: decodeURIComponent(parsed.pathname.replace(/^\//, "")) };
  } catch {
    return undefined;
  }
}

function checkConnections(ix: StackIndex): PackFinding[] {
  if (agentNamespaces(ix).size === 0) return [];
  const agents = agentConnections(ix);
  const all = written(ix);
  // The servers of the agent connections the stack writes, to name the one a refused URL repeats.
  const agentServers = all.flatMap((c) => {
    const server = c.key !== undefined && agents.has(c.key) ? serverOf(c.url) : undefined;
    return server ? [{ key: c.key!, server }] : [];
  });
  const findings: PackFinding[] = [];
  for (const c of all) {
    if (c.key !== undefined && agents.has(c.key)) continue;
    const server = serverOf(c.url);
    const same = server === undefined ? undefined : agentServers.find((a) => a.server.host === server.host);
    const reaches =
      same === undefined
        ? ""
        : same.server.port === server!.port && same.server.database === server!.database
          ? `; its URL names ${server!.host}:${server!.port}/${server!.database}, the same database as agent connection ${same.key} (used by ${[...agents.get(same.key)!].join(", ")})`
          : `; its URL names ${server!.host}, the server of agent connection ${same.key} (used by ${[...agents.get(same.key)!].join(", ")})`;
    findings.push(
      declarablePlatformFinding(
        c.resource,
        RULE,
        `${c.label} is ${c.key === undefined ? "named or mounted by a value unknown at preview" : "used by no agent's own secret role"}${reaches}: the pack knows an agent's database only by the connection name its roles use, and a URL's host cannot tell which server it is (a DNS name, alias or replica), so a second connection to an agent's database would make every role on it look like a platform database's`,
        "write only the agents' own connections (AgentPlatform writes those of platform.bootstrap.databaseConnections)",
      ),
    );
  }
  return findings;
}

export const databaseConnectionsDeclared: Adapter = {
  family: "database-connections-declared",
  holdings: "none: which database a connection reaches decides whether the roles on it are judged as an agent's",
  types: [
    {
      type: CONNECTION,
      route: "Vault's root login to a database under a name: a second name for an agent's database makes its roles look like a platform database's",
      checkedBy: [RULE],
    },
    {
      type: SECRETS_MOUNT,
      route: "Vault's root logins to databases, embedded: each connection as a SecretBackendConnection",
      checkedBy: [RULE],
    },
  ],
  stack: (ix, pass) => {
    pass.findings.push(...checkConnections(ix));
  },
};
