/**
 * Revocation statements against a real PostgreSQL server, run the way Vault's
 * postgresql-database-plugin runs them (`customDeleteUser`: one transaction; each entry split on
 * ';' unless it contains the word END, which Vault 1.13+ runs whole, hashicorp/vault#18632).
 * - every revocation form the rule accepts: after revocation the user is gone, its session is
 *   ended when the form ends sessions, a bystander role keeps its session, attributes and grants,
 *   and no other role changed;
 * - the forms the rule refuses because of the server: the server shows the user still there.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  analyseCreation,
  analyseRevocation,
  renderVaultStatement,
  vaultExpiration,
  vaultPieces,
  vaultUsername,
  type VaultValues,
} from "../../components/core/sql";
import { openScratchDatabase, withCredentials, type ScratchDatabase, type TestPostgres } from "../helpers/postgres";

const DATABASE = `agent_identity_revoke_${process.pid}`;
const ADMIN = "vault_admin";
const ADMIN_PASSWORD = randomBytes(12).toString("hex");
const BYSTANDER = "bystander_agent";
const BYSTANDER_PASSWORD = randomBytes(12).toString("hex");

let server: TestPostgres;
let superuser: Client;
let admin: Client; // the Vault connection user: CREATEROLE, owns the objects, may end sessions (pg_signal_backend)
let scratch: ScratchDatabase | undefined;
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
      adminGrants: "pg_signal_backend",
      roles: { [BYSTANDER]: BYSTANDER_PASSWORD },
      setup: async (su) => {
        for (const table of ["invoices", "ledger"])
          await su.query(`CREATE TABLE ${table} (id int primary key, amount numeric); ALTER TABLE ${table} OWNER TO ${ADMIN}`);
        await su.query(`CREATE SEQUENCE ledger_seq; ALTER SEQUENCE ledger_seq OWNER TO ${ADMIN}; CREATE SCHEMA app AUTHORIZATION ${ADMIN}`);
      },
    });
  } catch (error) {
    unavailable = error as Error;
    return;
  }
  ({ server, superuser, admin } = scratch);
  await admin.query(`GRANT SELECT ON invoices TO ${BYSTANDER}; GRANT USAGE ON SCHEMA app TO ${BYSTANDER}`);
}, 120_000);

afterAll(async () => {
  await scratch?.close();
}, 60_000);

const CREATION = [
  `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`,
  `GRANT SELECT ON invoices TO "{{name}}"; GRANT SELECT, UPDATE (amount) ON ledger TO "{{name}}"; GRANT USAGE, SELECT ON SEQUENCE ledger_seq TO "{{name}}"; GRANT USAGE ON SCHEMA app TO "{{name}}"`,
];
const GRANTS = analyseCreation(CREATION).grants;
const REVOKE_ALL = `REVOKE ALL ON invoices FROM "{{name}}"; REVOKE ALL ON ledger FROM "{{name}}"; REVOKE ALL ON SEQUENCE ledger_seq FROM "{{name}}"; REVOKE USAGE ON SCHEMA app FROM "{{name}}"`;
const TERMINATE = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{{name}}'`;

/** Revocation lists; `accept`: the rule accepts it. `superuser`: DROP OWNED needs the role's privileges, which a CREATEROLE user lacks on PostgreSQL 15. */
const FORMS: Array<{ label: string; sql: string[]; accept?: true; superuser?: true }> = [
  { label: "REVOKE each grant, DROP ROLE IF EXISTS", sql: [`${REVOKE_ALL}; DROP ROLE IF EXISTS "{{name}}";`], accept: true },
  { label: "REVOKE each grant, DROP ROLE, one entry each", sql: [...REVOKE_ALL.split("; "), `DROP ROLE "{{name}}"`], accept: true },
  {
    label: "REVOKE naming the privileges",
    sql: [
      `REVOKE SELECT ON invoices FROM "{{name}}"; REVOKE SELECT, UPDATE (amount) ON ledger FROM "{{name}}"; REVOKE USAGE, SELECT ON SEQUENCE ledger_seq FROM "{{name}}"; REVOKE USAGE ON SCHEMA app FROM "{{name}}"; DROP ROLE "{{name}}"`,
    ],
    accept: true,
  },
  { label: "ending sessions first", sql: [TERMINATE, `${REVOKE_ALL}; DROP ROLE IF EXISTS "{{name}}"`], accept: true },
  { label: "a lower-case -- end comment (Vault splits it)", sql: [`${REVOKE_ALL} -- end of grants; DROP ROLE IF EXISTS "{{name}}"`], accept: true },
  { label: "DROP OWNED BY, DROP ROLE", sql: [TERMINATE, `DROP OWNED BY "{{name}}"; DROP ROLE "{{name}}"`], accept: true, superuser: true },
  { label: "DROP ROLE before REVOKE, dropped again", sql: [`DROP ROLE IF EXISTS "{{name}}"`, `${REVOKE_ALL}; DROP ROLE IF EXISTS "{{name}}"`] },
  { label: "a -- END comment swallowing REVOKE and DROP ROLE", sql: [`SELECT 1 -- END; ${REVOKE_ALL}; DROP ROLE IF EXISTS "{{name}}"`] },
  { label: "REVOKE GRANT OPTION FOR only", sql: [`REVOKE GRANT OPTION FOR ALL ON invoices FROM "{{name}}"; DROP ROLE "{{name}}"`] },
  { label: "the user named twice in DROP ROLE", sql: [`${REVOKE_ALL}; DROP ROLE "{{name}}", "{{name}}"`] },
  { label: "a grant left behind", sql: [`REVOKE ALL ON invoices FROM "{{name}}"; DROP ROLE IF EXISTS "{{name}}"`] },
];

function vaultValues(): VaultValues {
  const now = Math.floor(Date.now() / 1000);
  return {
    name: vaultUsername("kubernetes-agent", "dev-tool", randomBytes(10).toString("hex"), now),
    password: `A1a-${randomBytes(15).toString("hex")}`,
    expiration: vaultExpiration(new Date((now + 600) * 1000)),
  };
}

/** Vault's customDeleteUser: one transaction; an entry with END (1.13+) runs whole, others split on ';'. */
async function runRevocation(client: Client, entries: readonly string[], name: string): Promise<void> {
  await client.query("BEGIN");
  try {
    for (const entry of entries) {
      const split = vaultPieces(entry, "revocation");
      const pieces = split.ok ? split.pieces : /\bEND\b/.test(entry) ? [entry] : [];
      if (!split.ok && pieces.length === 0) throw new Error(split.reason);
      for (const piece of pieces) await client.query(renderVaultStatement(piece, { name }));
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}

const OTHER_ROLES = `SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolpassword, rolvaliduntil, rolconnlimit FROM pg_authid WHERE rolname <> $1 ORDER BY rolname`;
const BYSTANDER_ACL = `SELECT c.relname, a.privilege_type FROM pg_class c, aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee WHERE r.rolname = $1
  UNION ALL SELECT n.nspname, a.privilege_type FROM pg_namespace n, aclexplode(n.nspacl) a JOIN pg_roles r ON r.oid = a.grantee WHERE r.rolname = $1 ORDER BY 1, 2`;

describe("PostgreSQL: revocation as Vault runs it", () => {
  it.each(FORMS)("$label", async ({ sql, accept, superuser: asSuperuser }) => {
    needServer();
    const problems = analyseRevocation(sql, { grants: GRANTS }).problems;
    expect(problems.length === 0, problems.map((p) => p.message).join("\n")).toBe(accept === true);
    const values = vaultValues();
    await admin.query("BEGIN");
    for (const entry of CREATION) {
      const split = vaultPieces(entry, "creation");
      for (const piece of split.ok ? split.pieces : []) await admin.query(renderVaultStatement(piece, values));
    }
    await admin.query("COMMIT");
    const agent = new Client({ connectionString: withCredentials(server.url, values.name, values.password, DATABASE) });
    const bystander = new Client({ connectionString: withCredentials(server.url, BYSTANDER, BYSTANDER_PASSWORD, DATABASE) });
    agent.on("error", () => undefined); // a terminated session reports an error event
    await agent.connect();
    await bystander.connect();
    const rolesBefore = JSON.stringify((await superuser.query(OTHER_ROLES, [values.name])).rows);
    const aclBefore = JSON.stringify((await superuser.query(BYSTANDER_ACL, [BYSTANDER])).rows);
    let error: unknown;
    try {
      await runRevocation(asSuperuser ? superuser : admin, sql, values.name);
    } catch (caught) {
      error = caught;
    }
    const gone = (await superuser.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [values.name])).rowCount === 0;
    try {
      if (accept) {
        expect(error).toBeUndefined();
        expect(gone, "the user is gone").toBe(true);
        if (sql.includes(TERMINATE)) await expect(agent.query("SELECT 1")).rejects.toThrow();
        // A bystander role: its session, its attributes and its grants are untouched.
        await expect(bystander.query("SELECT count(*) FROM invoices")).resolves.toBeDefined();
        expect(JSON.stringify((await superuser.query(OTHER_ROLES, [values.name])).rows)).toBe(rolesBefore);
        expect(JSON.stringify((await superuser.query(BYSTANDER_ACL, [BYSTANDER])).rows)).toBe(aclBefore);
      } else {
        // The refused forms are refused because of what the server does: the user is still there, able to log in.
        expect(gone, `the server removed the user (${String(error ?? "no error")})`).toBe(false);
        const again = new Client({ connectionString: withCredentials(server.url, values.name, values.password, DATABASE) });
        await again.connect();
        await expect(again.query("SELECT count(*) FROM invoices")).resolves.toBeDefined();
        await again.end();
      }
    } finally {
      await agent.end().catch(() => undefined);
      await bystander.end();
      if (!gone) await superuser.query(`DROP OWNED BY "${values.name}"; DROP ROLE "${values.name}"`);
    }
  });
});
