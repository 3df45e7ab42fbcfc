/**
 * A tool's credential is granted only on schemas the platform declares on the connection (public by
 * default): extension schemas (aws_lambda, aws_s3, cron, dblink) run code or reach outside the
 * database. One property away from a happy path each.
 */
import { describe, expect, it } from "vitest";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration, type PlatformInput } from "../../components/core/schema";
import { ALL_RULES, evaluatePlan } from "../../components/rules";
import { checkDatabaseStatements } from "../../components/rules/database";
import { PLATFORM, TODAY, agent } from "../helpers/fixtures";

const CREATE = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`;
const role = (grant: string, object: string) => ({
  creationStatements: [`${CREATE}; ${grant} TO "{{name}}";`],
  revocationStatements: [`REVOKE ALL ON ${object} FROM "{{name}}"; DROP ROLE IF EXISTS "{{name}}";`],
});
const scopeRules = (grant: string, object: string, schemas: readonly string[] = ["public"]) =>
  checkDatabaseStatements("tool t", role(grant, object), { name: "main", plugin: "postgresql-database-plugin", schemas })
    .filter((p) => p.rule === "database/grant-scope")
    .map((p) => p.message);

describe("database grants by schema", () => {
  it("accepts tables of public, qualified or not", () => {
    expect(scopeRules("GRANT SELECT ON invoices", "invoices")).toEqual([]);
    expect(scopeRules("GRANT SELECT ON public.invoices", "public.invoices")).toEqual([]);
  });

  for (const [grant, object, schema] of [
    ["GRANT USAGE ON SCHEMA aws_lambda", "SCHEMA aws_lambda", "aws_lambda"],
    ["GRANT SELECT ON cron.job", "cron.job", "cron"],
    ["GRANT SELECT, INSERT ON aws_s3.staging", "aws_s3.staging", "aws_s3"],
    ["GRANT USAGE ON SCHEMA dblink", "SCHEMA dblink", "dblink"],
  ] as const) {
    it(`refuses ${grant} unless the connection declares ${schema}`, () => {
      const found = scopeRules(grant, object);
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(`reaches schema "${schema}", which connection "main" does not declare`);
      expect(scopeRules(grant, object, ["public", schema])).toEqual([]);
    });
  }

  it("reads the connection's schemas from the platform in plan", () => {
    const tool = { name: "t", database: { connection: "main", ...role("GRANT SELECT ON app.totals", "app.totals"), ttl: "5m" } };
    const rules = (platform: PlatformInput) =>
      evaluatePlan(compileFleet(parseDeclaration({ platform, agents: [agent("a", { tools: [tool] })] }), "t"), ALL_RULES, TODAY).violations.map((v) => v.rule);
    expect(rules(PLATFORM)).toContain("database/grant-scope");
    const declared = {
      ...PLATFORM,
      vault: { ...PLATFORM.vault, databaseConnections: [{ name: "main", plugin: "postgresql-database-plugin", schemas: ["public", "app"] }] },
    };
    expect(rules(declared)).not.toContain("database/grant-scope");
  });

  it("refuses declaring PostgreSQL's own schemas on a connection", () => {
    for (const schema of ["pg_catalog", "information_schema"])
      expect(() =>
        parseDeclaration({
          platform: {
            ...PLATFORM,
            vault: { ...PLATFORM.vault, databaseConnections: [{ name: "main", plugin: "postgresql-database-plugin", schemas: [schema] }] },
          },
          agents: [],
        }),
      ).toThrowError(/schemas\[0\]: "[a-z_]+" is PostgreSQL's own schema/);
  });
});
