/**
 * Which PostgreSQL schemas a tool's credential may be granted on: the schemas the platform declares
 * on the connection (platform.vault.databaseConnections[].schemas, `public` by default), not every
 * schema but pg_*. Extension schemas (aws_lambda, aws_s3, cron, dblink…) hold functions and tables
 * that run code, schedule jobs or reach outside the database; a grant there is the platform's to
 * decide, by declaring the schema in a reviewed change.
 *
 * An unqualified name is read as `public`, the default search_path's first existing schema for a
 * role without a schema of its own (what the database's configured search_path adds is not visible
 * here; write schema-qualified names to be exact).
 */
import type { SqlGrant } from "../core/sql";
import type { Problem } from "./define";

/** Schemas PostgreSQL keeps for itself: never declarable on a connection. */
export function declaredSchemaProblem(schema: string): string | null {
  return schema.startsWith("pg_") || schema === "information_schema" ? `"${schema}" is PostgreSQL's own schema` : null;
}

/** The schema an object name as written lies in (`public.t` → public, `db.s.t` → s, `t` → public; a schema grant names the schema). */
function schemaOf(objectType: string, name: string): string {
  if (objectType === "schema") return name;
  const parts = name.split(".");
  return parts.length >= 2 ? parts[parts.length - 2]! : "public";
}

export function grantSchemaProblems(
  label: string,
  grants: readonly SqlGrant[],
  connection: { readonly name: string; readonly schemas: readonly string[] },
): Problem[] {
  const allowed = new Set(connection.schemas);
  const problems: Problem[] = [];
  for (const grant of grants)
    for (const object of grant.objects) {
      const schema = schemaOf(grant.objectType, object);
      if (allowed.has(schema)) continue;
      problems.push({
        rule: "database/grant-scope",
        message: `${label}, creation statements: GRANT on ${grant.objectType} ${object} reaches schema "${schema}", which connection "${connection.name}" does not declare (schemas: ${[...allowed].join(", ")}); extension schemas such as aws_lambda, aws_s3, cron and dblink run code or reach outside the database`,
        fix: `grant on objects of a declared schema, or ask the platform team to add "${schema}" to the connection's schemas in platform.vault.databaseConnections (a reviewed change to the stack file)`,
      });
    }
  return problems;
}
