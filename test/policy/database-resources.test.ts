/**
 * The pack reads hand-written `vault.database.SecretBackendRole` resources with the same check as
 * the plan: creation, revocation, rollback and renewal statements, each class under its rule id.
 */
import { describe, expect, it } from "vitest";
import { runPack, ruleIds, UNKNOWN, type Resource } from "../helpers/policy-args";

const TYPE = "vault:database/secretBackendRole:SecretBackendRole";
const CREATE = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`;
const GRANT = `GRANT SELECT ON invoices TO "{{name}}"`;
const REVOKE = `REVOKE ALL ON invoices FROM "{{name}}"; DROP ROLE IF EXISTS "{{name}}"`;

function role(props: Record<string, unknown>): Resource {
  return {
    type: TYPE,
    name: "hand-written",
    props: {
      name: "dev.invoice-triage.ledger",
      backend: "database",
      dbName: "ledger",
      defaultTtl: 300,
      maxTtl: 900,
      creationStatements: [CREATE, GRANT],
      revocationStatements: [REVOKE],
      ...props,
    },
  };
}

async function databaseRules(resource: Resource): Promise<string[]> {
  const reported = await runPack([resource]);
  return ruleIds(reported).filter((id) => id.startsWith("database/") || id === "stack/unknown-input");
}

describe("pack: vault.database.SecretBackendRole statements", () => {
  it("passes the allowed shape", async () => {
    expect(
      await databaseRules(
        role({ renewStatements: [`ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}'`], rollbackStatements: [`DROP ROLE IF EXISTS "{{name}}"`] }),
      ),
    ).toEqual([]);
  });

  it.each([
    ["SUPERUSER", { creationStatements: [`${CREATE} SUPERUSER`, GRANT] }, "database/role-attributes"],
    ["GRANT rds_superuser", { creationStatements: [CREATE, GRANT, `GRANT rds_superuser TO "{{name}}"`] }, "database/role-membership"],
    ["ALL TABLES IN SCHEMA", { creationStatements: [CREATE, `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}"`] }, "database/grant-scope"],
    ["another role's password", { creationStatements: [CREATE, GRANT, `ALTER ROLE postgres PASSWORD 'x'`] }, "database/own-role"],
    ["COPY … PROGRAM", { creationStatements: [CREATE, GRANT, `COPY invoices TO PROGRAM 'sh'`] }, "database/statement-allowlist"],
    ["no VALID UNTIL", { creationStatements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}'`, GRANT] }, "database/valid-until"],
    ["no revocation statements", { revocationStatements: undefined }, "database/revocation-drops-role"],
    ["revocation that never drops", { revocationStatements: [`REVOKE ALL ON invoices FROM "{{name}}"`] }, "database/revocation-drops-role"],
    ["MySQL statements", { creationStatements: ["CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'"] }, "database/sql-parse"],
    ["a rollback that alters the system", { rollbackStatements: ["ALTER SYSTEM RESET ALL"] }, "database/statement-allowlist"],
    ["a renewal that extends another role", { renewStatements: [`ALTER ROLE postgres VALID UNTIL 'infinity'`] }, "database/own-role"],
    ["statements unknown at preview", { revocationStatements: [UNKNOWN] }, "stack/unknown-input"],
  ])("refuses %s", async (_label, props, rule) => {
    expect(await databaseRules(role(props))).toContain(rule);
  });
});

describe("pack: lifetime rules judge agents' database users, not a platform connection's", () => {
  const NO_VALID_UNTIL = { creationStatements: [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}'`, GRANT], revocationStatements: undefined };
  const platform = (dbName: string) => {
    const r = role({ ...NO_VALID_UNTIL, name: "ci-reader", dbName });
    return { ...r, name: "ci-reader", props: r.props };
  };
  const lifetime = async (resources: Resource[]) =>
    ruleIds(await runPack(resources)).filter((id) => id === "database/valid-until" || id === "database/revocation-drops-role");

  it("lets a platform role on a connection no agent's role uses keep its own lifetime policy", async () => {
    expect(await lifetime([platform("ci"), role({})])).toEqual([]);
  });

  it("refuses the same role on a connection an agent's role uses", async () => {
    expect(await lifetime([platform("ledger"), role({})])).toEqual(expect.arrayContaining(["database/valid-until", "database/revocation-drops-role"]));
  });

  it("judges a role whose name is unknown at preview as an agent's", async () => {
    const r = role({ ...NO_VALID_UNTIL, name: UNKNOWN, dbName: "ci" });
    expect(await lifetime([r])).toContain("database/valid-until");
  });
});
