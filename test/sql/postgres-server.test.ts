/**
 * The rule's judgement against a real PostgreSQL server. Statements are rendered the way Vault's
 * postgresql-database-plugin renders them (split on ';', `{{name}}` from its username template,
 * `{{expiration}}` in its Go layout) and run in one transaction, then the server's catalogs say what
 * the role became: pg_roles attributes, pg_auth_members, and every ACL naming the role.
 * - every database tool of the repository's stacks: the rule accepts it, the server creates a
 *   login role with nothing beyond its named grants, the password works, revocation removes it;
 * - a corpus of creation statements: whenever the server shows more than the allowlist (an
 *   attribute, a membership, a privilege on an object not named, a change to another role), the
 *   rule refused it; the accepted ones run and show nothing more.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDeclaration } from "../../components/core/schema";
import { analyseCreation, renderVaultStatement, vaultExpiration, vaultPieces, vaultUsername, type VaultValues } from "../../components/core/sql";
import { checkDatabaseStatements } from "../../components/rules/database";
import { parseDuration } from "../../components/core/durations";
import { stackDeclaration } from "../helpers/fixtures";
import { openScratchDatabase, withCredentials, type ScratchDatabase, type TestPostgres } from "../helpers/postgres";

const DATABASE = `agent_identity_sql_${process.pid}`;
const ADMIN = "vault_admin";
const ADMIN_PASSWORD = randomBytes(12).toString("hex");
const TABLES = ["invoices", "payouts", "statements", "ledger"];

let server: TestPostgres;
let superuser: Client; // on DATABASE, as the cluster superuser (the worst case for a Vault connection user)
let admin: Client; // on DATABASE, as a CREATEROLE user owning the tables (a least-privilege Vault connection user)
let scratch: ScratchDatabase | undefined;

/** Why there is no server: every test then fails with it (in CI a missing server is a failure, not a skip). */
let unavailable: Error | undefined;
const needServer = () => {
  if (unavailable) throw unavailable;
};

beforeAll(async () => {
  try {
    scratch = await openScratchDatabase({
      database: DATABASE,
      admin: ADMIN,
      adminPassword: ADMIN_PASSWORD,
      setup: async (su) => {
        for (const table of TABLES) await su.query(`CREATE TABLE ${table} (id int primary key, amount numeric); ALTER TABLE ${table} OWNER TO ${ADMIN}`);
        await su.query(`CREATE SEQUENCE ledger_seq; ALTER SEQUENCE ledger_seq OWNER TO ${ADMIN}; CREATE SCHEMA app AUTHORIZATION ${ADMIN}`);
        await su.query(`CREATE FUNCTION app.total() RETURNS int LANGUAGE sql AS 'SELECT 1'; ALTER FUNCTION app.total() OWNER TO ${ADMIN}`);
      },
    });
  } catch (error) {
    unavailable = error as Error;
    return;
  }
  ({ server, superuser, admin } = scratch);
}, 120_000);

afterAll(async () => {
  await scratch?.close();
}, 60_000);

function vaultValues(ttlSeconds: number): VaultValues {
  const now = Math.floor(Date.now() / 1000);
  return {
    name: vaultUsername("kubernetes-agent", "dev-tool", randomBytes(10).toString("hex"), now),
    password: `A1a-${randomBytes(15).toString("hex")}`,
    expiration: vaultExpiration(new Date((now + ttlSeconds) * 1000)),
  };
}

/** Each piece as Vault runs it, inside the caller's transaction. */
async function runPieces(client: Client, entries: readonly string[], values: Partial<VaultValues>, kind: "creation" | "other"): Promise<void> {
  for (const entry of entries) {
    const split = vaultPieces(entry, kind);
    if (!split.ok) throw new Error(split.reason);
    for (const piece of split.pieces) await client.query(renderVaultStatement(piece, values));
  }
}

interface ServerView {
  readonly attributes: string[];
  readonly memberships: string[];
  readonly validUntil: string | null;
  /** The server reads VALID UNTIL as the same instant as Vault's rendered expiry. */
  readonly validUntilIsExpiration: boolean;
  readonly canLogin: boolean;
  /** `kind object privilege[*]` for every ACL entry naming the role (`*`: grantable). */
  readonly privileges: string[];
  readonly otherRolesChanged: boolean;
}

const OTHER_ROLES = `SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolpassword, rolvaliduntil, rolconnlimit
  FROM pg_authid WHERE rolname <> $1 ORDER BY rolname`;

async function inspect(client: Client, role: string, before: string, expiration: string): Promise<ServerView | undefined> {
  const { rows } = await client.query(
    `SELECT *, rolvaliduntil::text AS valid_until, coalesce(rolvaliduntil = $2::timestamptz, false) AS valid_until_is_expiration FROM pg_roles WHERE rolname = $1`,
    [role, expiration],
  );
  const r = rows[0];
  if (!r) return undefined;
  const attributes = (["rolsuper", "rolcreaterole", "rolcreatedb", "rolreplication", "rolbypassrls"] as const).filter((a) => r[a] === true);
  const memberships = (
    await client.query(`SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1`, [
      role,
    ])
  ).rows.map((m) => m.rolname as string);
  const acl = await client.query(
    `WITH me AS (SELECT oid FROM pg_roles WHERE rolname = $1)
     SELECT 'relation' AS kind, c.relnamespace::regnamespace || '.' || c.relname AS object, a.privilege_type, a.is_grantable FROM pg_class c, aclexplode(c.relacl) a, me WHERE a.grantee = me.oid
     UNION ALL SELECT 'column', c.relnamespace::regnamespace || '.' || c.relname || '.' || t.attname, a.privilege_type, a.is_grantable FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid, aclexplode(t.attacl) a, me WHERE a.grantee = me.oid
     UNION ALL SELECT 'schema', n.nspname, a.privilege_type, a.is_grantable FROM pg_namespace n, aclexplode(n.nspacl) a, me WHERE a.grantee = me.oid
     UNION ALL SELECT 'function', p.pronamespace::regnamespace || '.' || p.proname, a.privilege_type, a.is_grantable FROM pg_proc p, aclexplode(p.proacl) a, me WHERE a.grantee = me.oid
     UNION ALL SELECT 'database', d.datname, a.privilege_type, a.is_grantable FROM pg_database d, aclexplode(d.datacl) a, me WHERE a.grantee = me.oid
     UNION ALL SELECT 'default', d.defaclobjtype::text, a.privilege_type, a.is_grantable FROM pg_default_acl d, aclexplode(d.defaclacl) a, me WHERE a.grantee = me.oid OR d.defaclrole = me.oid`,
    [role],
  );
  const after = JSON.stringify((await client.query(OTHER_ROLES, [role])).rows);
  return {
    attributes,
    memberships,
    validUntil: r.valid_until as string | null,
    validUntilIsExpiration: r.valid_until_is_expiration === true,
    canLogin: r.rolcanlogin === true,
    privileges: acl.rows.map((p) => `${p.kind} ${p.object} ${p.privilege_type}${p.is_grantable ? "*" : ""}`).sort(),
    otherRolesChanged: after !== before,
  };
}

const ALLOWED_SERVER_PRIVILEGES: Record<string, string[]> = {
  relation: ["SELECT", "INSERT", "UPDATE", "DELETE", "USAGE"],
  column: ["SELECT", "INSERT", "UPDATE"],
  schema: ["USAGE"],
};

/** What the server shows beyond the allowlist, given the objects the statements name. */
function beyondAllowlist(view: ServerView, named: readonly string[]): string[] {
  const out: string[] = [];
  out.push(...view.attributes, ...view.memberships.map((m) => `member of ${m}`));
  if (!view.validUntilIsExpiration) out.push(`valid until ${view.validUntil ?? "forever"}`);
  for (const privilege of view.privileges) {
    const [kind, object, type] = privilege.split(" ") as [string, string, string];
    // relation, column and function objects are `schema.name[.column]`; the server's own schemas are never allowed.
    const [schema, name] = kind === "schema" || kind === "database" || kind === "default" ? ["", object] : (object.split(".") as [string, string]);
    const system = ["pg_catalog", "information_schema", "pg_toast"].includes(schema) || (kind === "schema" && name.startsWith("pg_"));
    if (!ALLOWED_SERVER_PRIVILEGES[kind]?.includes(type.replace("*", "")) || type.endsWith("*") || !named.includes(name) || system) out.push(privilege);
  }
  if (view.otherRolesChanged) out.push("another role changed");
  return out;
}

/** Bare object names the rule read in the GRANTs (`public.invoices` → `invoices`, `app.total()` → `total`, schema `app`). */
function namedObjects(entries: readonly string[]): string[] {
  return analyseCreation(entries).grants.flatMap((g) => g.objects.map((o) => o.replace(/\(.*$/, "").split(".").pop()!));
}

const stackTools = ["dev", "prod"].flatMap((stack) => {
  const declaration = parseDeclaration(stackDeclaration(stack));
  const plugins = new Map(declaration.platform.vault.databaseConnections.map((c) => [c.name, c.plugin]));
  return declaration.agents.flatMap((agent) =>
    agent.tools
      .filter((tool) => tool.database)
      .map((tool) => ({ label: `${stack}/${agent.name}/${tool.name}`, database: tool.database!, plugin: plugins.get(tool.database!.connection) ?? null })),
  );
});

describe("PostgreSQL: the stacks' database tools, as Vault runs them", () => {
  it("has database tools to run", () => expect(stackTools.length).toBeGreaterThanOrEqual(3));

  it.each(stackTools)("$label: accepted, created with only its grants, usable, and removed by revocation", async ({ label, database, plugin }) => {
    needServer();
    expect(checkDatabaseStatements(label, database, { name: database.connection, plugin })).toEqual([]);
    const values = vaultValues(parseDuration(database.ttl));
    const before = JSON.stringify((await admin.query(OTHER_ROLES.replace("pg_authid", "pg_roles").replace(", rolpassword", ""), [values.name])).rows);
    await admin.query("BEGIN");
    await runPieces(admin, database.creationStatements, values, "creation");
    await admin.query("COMMIT");
    const view = await inspect(superuser, values.name, JSON.stringify((await superuser.query(OTHER_ROLES, [values.name])).rows), values.expiration);
    expect(view).toBeDefined();
    expect(view!.canLogin).toBe(true);
    expect(beyondAllowlist(view!, namedObjects(database.creationStatements))).toEqual([]);
    expect(JSON.stringify((await admin.query(OTHER_ROLES.replace("pg_authid", "pg_roles").replace(", rolpassword", ""), [values.name])).rows)).toBe(before);

    // The credential works: log in with the generated password and read the granted table.
    const table = namedObjects(database.creationStatements)[0]!;
    const agent = new Client({ connectionString: withCredentials(server.url, values.name, values.password, DATABASE) });
    await agent.connect();
    await expect(agent.query(`SELECT count(*) FROM ${table}`)).resolves.toBeDefined();
    await expect(agent.query(`INSERT INTO ${table} VALUES (1, 1)`)).rejects.toThrow(/permission denied/);
    await agent.end();

    await admin.query("BEGIN");
    await runPieces(admin, database.revocationStatements ?? [], { name: values.name }, "other");
    await admin.query("COMMIT");
    expect((await superuser.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [values.name])).rowCount).toBe(0);
  });
});

const CREATE = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`;
/** Creation statement lists; `visible`: the server must show the effect beyond the allowlist (so the test can fail). */
const CORPUS: Array<{ label: string; sql: string[]; accept?: true; visible?: true }> = [
  { label: "the canonical read grant", sql: [CREATE, `GRANT SELECT ON invoices TO "{{name}}"`], accept: true },
  {
    label: "writes, a column, a sequence and a schema",
    sql: [
      `${CREATE} CONNECTION LIMIT 2`,
      `GRANT SELECT, INSERT, UPDATE (amount), DELETE ON public.ledger TO "{{name}}"; GRANT USAGE, SELECT ON SEQUENCE ledger_seq TO "{{name}}"; GRANT USAGE ON SCHEMA app TO "{{name}}"`,
    ],
    accept: true,
  },
  { label: "EXECUTE on a schema function", sql: [CREATE, `GRANT EXECUTE ON FUNCTION app.total() TO "{{name}}"`], visible: true },
  {
    label: "CREATE USER form",
    sql: [`CREATE USER "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON payouts TO "{{name}}"`],
    accept: true,
  },
  { label: "SUPERUSER", sql: [`${CREATE} SUPERUSER`], visible: true },
  { label: "CREATEROLE", sql: [`${CREATE} CREATEROLE`], visible: true },
  { label: "CREATEDB", sql: [`${CREATE} CREATEDB`], visible: true },
  { label: "REPLICATION", sql: [`${CREATE} REPLICATION`], visible: true },
  { label: "BYPASSRLS", sql: [`${CREATE} BYPASSRLS`], visible: true },
  { label: "IN ROLE pg_read_all_data", sql: [`${CREATE} IN ROLE pg_read_all_data`], visible: true },
  { label: "GRANT pg_write_server_files", sql: [CREATE, `GRANT pg_write_server_files TO "{{name}}"`], visible: true },
  { label: "GRANT pg_execute_server_program", sql: [CREATE, `GRANT pg_execute_server_program TO "{{name}}"`], visible: true },
  { label: "no VALID UNTIL", sql: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}'`], visible: true },
  { label: "VALID UNTIL infinity", sql: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL 'infinity'`], visible: true },
  { label: "ALL TABLES IN SCHEMA", sql: [CREATE, `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}"`], visible: true },
  { label: "ALL PRIVILEGES", sql: [CREATE, `GRANT ALL PRIVILEGES ON invoices TO "{{name}}"`], visible: true },
  { label: "TRUNCATE", sql: [CREATE, `GRANT TRUNCATE ON invoices TO "{{name}}"`], visible: true },
  { label: "TRIGGER", sql: [CREATE, `GRANT TRIGGER ON invoices TO "{{name}}"`], visible: true },
  { label: "WITH GRANT OPTION", sql: [CREATE, `GRANT SELECT ON invoices TO "{{name}}" WITH GRANT OPTION`], visible: true },
  { label: "CREATE ON DATABASE", sql: [CREATE, `GRANT CREATE ON DATABASE ${DATABASE} TO "{{name}}"`], visible: true },
  { label: "CREATE ON SCHEMA", sql: [CREATE, `GRANT CREATE ON SCHEMA app TO "{{name}}"`], visible: true },
  { label: "ALTER DEFAULT PRIVILEGES", sql: [CREATE, `ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO "{{name}}"`], visible: true },
  { label: "another role's password", sql: [CREATE, `ALTER ROLE ${ADMIN} PASSWORD 'changed'`], visible: true },
  { label: "a second role", sql: [CREATE, `CREATE ROLE backdoor LOGIN PASSWORD 'x'`], visible: true },
  { label: "a ';' in a comment hiding a second statement", sql: [`${CREATE} -- note; GRANT TRUNCATE ON invoices TO "{{name}}"`], visible: true },
  { label: "SELECT on pg_authid (password hashes)", sql: [CREATE, `GRANT SELECT ON pg_authid TO "{{name}}"`], visible: true },
  { label: "EXECUTE on pg_read_file", sql: [CREATE, `GRANT EXECUTE ON FUNCTION pg_read_file(text) TO "{{name}}"`], visible: true },
  { label: "a grant to PUBLIC", sql: [CREATE, `GRANT SELECT ON payouts TO PUBLIC`] },
];

describe("PostgreSQL: the rule refuses whatever the server shows beyond the allowlist", () => {
  it.each(CORPUS)("$label", async ({ sql, accept, visible }) => {
    needServer();
    const refused = analyseCreation(sql).problems.length > 0;
    const values = vaultValues(600);
    const before = JSON.stringify((await superuser.query(OTHER_ROLES, [values.name])).rows);
    await superuser.query("BEGIN");
    let view: ServerView | undefined;
    let error: unknown;
    try {
      await runPieces(superuser, sql, values, "creation");
      view = await inspect(superuser, values.name, before, values.expiration);
    } catch (caught) {
      error = caught;
    } finally {
      await superuser.query("ROLLBACK");
    }
    const beyond = view ? beyondAllowlist(view, namedObjects(sql)) : [];
    // PUBLIC is not the role: the server's view of the role shows nothing, the rule still refuses.
    if (beyond.length) expect(refused, `server shows ${beyond.join(", ")}`).toBe(true);
    if (accept) {
      expect(error).toBeUndefined();
      expect(refused).toBe(false);
      expect(beyond).toEqual([]);
    } else {
      expect(refused).toBe(true);
    }
    if (visible) expect(beyond.length, `the server should show the effect (${String(error ?? "")})`).toBeGreaterThan(0);
  });
});
