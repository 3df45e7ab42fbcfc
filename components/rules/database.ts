/**
 * Database rules: the SQL Vault runs to create, revoke and renew a database credential, read with
 * PostgreSQL's own parser (`core/sql`) and held to an allowlist. A connection must be declared with
 * its plugin; plugins without a wired parser are refused, because unread SQL cannot be judged.
 */
import { grantSchemaProblems } from "./database-schemas";
import { analyseCreation, analyseRenewal, analyseRevocation, type SqlProblem, type SqlProblemCode } from "../core/sql";
import type { IdentityKind } from "../core/names";
import { attribute, familyRules, meta, type Problem, type RuleFinding, PACK, planOnly } from "./define";
import { standards } from "./standards";
import type { RuleMeta } from "./types";

const PRIVILEGE = standards(["NHI5"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7"]);
const LIFETIME = standards(["NHI7"], ["ASI03"], ["L4 Deployment & Infrastructure"], ["MEASURE 2.7", "MANAGE 2.4"]);

export const DATABASE_RULES: readonly RuleMeta[] = [
  meta(
    "database/connection-plugin",
    "database",
    "error",
    "A database tool names a connection declared in `platform.vault.databaseConnections` whose plugin has a SQL parser wired (PostgreSQL).",
    PRIVILEGE,
    planOnly(
      "a connection's plugin is configured outside the stack; the pack reads every database role's statements as PostgreSQL, so another plugin's SQL fails database/sql-parse",
    ),
  ),
  meta(
    "database/sql-parse",
    "database",
    "error",
    "Statements parse with PostgreSQL's own grammar exactly as Vault splits and fills them (fail closed).",
    PRIVILEGE,
    PACK.resource,
  ),
  meta(
    "database/statement-allowlist",
    "database",
    "error",
    'Creation has one `CREATE ROLE "{{name}}"` and GRANTs only; revocation only REVOKE, DROP OWNED, ending the role\'s sessions and DROP ROLE (no ALTER SYSTEM, COPY, DO, functions, SET ROLE).',
    PRIVILEGE,
    PACK.resource,
  ),
  meta(
    "database/role-attributes",
    "database",
    "error",
    "The role has only LOGIN, PASSWORD '{{password}}', VALID UNTIL '{{expiration}}' (and an optional CONNECTION LIMIT): no SUPERUSER, CREATEROLE, CREATEDB, REPLICATION, BYPASSRLS.",
    PRIVILEGE,
    PACK.resource,
  ),
  meta(
    "database/own-role",
    "database",
    "error",
    "Every statement acts on `{{name}}` only: no other role created, altered, dropped or granted to (nor PUBLIC).",
    PRIVILEGE,
    PACK.resource,
  ),
  meta(
    "database/role-membership",
    "database",
    "error",
    "No role membership (GRANT role, IN ROLE, ROLE, ADMIN): e.g. rds_superuser, pg_read_all_data, pg_execute_server_program.",
    PRIVILEGE,
    PACK.resource,
  ),
  meta(
    "database/grant-scope",
    "database",
    "error",
    "GRANTs name objects explicitly with plain privileges (table SELECT/INSERT/UPDATE/DELETE, sequence USAGE/SELECT, schema USAGE, function EXECUTE), no ALL TABLES IN SCHEMA, ON DATABASE, ALL PRIVILEGES or WITH GRANT OPTION.",
    PRIVILEGE,
    PACK.resource,
  ),
  meta(
    "database/valid-until",
    "database",
    "error",
    "The role is created with VALID UNTIL '{{expiration}}', so its password dies with the lease even if revocation fails.",
    LIFETIME,
    PACK.both,
  ),
  meta(
    "database/revocation-drops-role",
    "database",
    "error",
    'Revocation statements are explicit and end with DROP ROLE "{{name}}", after revoking every granted privilege (or DROP OWNED BY), so the drop cannot fail.',
    LIFETIME,
    PACK.both,
  ),
];

/** The Vault plugin whose statements `core/sql` can read. */
export const POSTGRES_PLUGIN = "postgresql-database-plugin";

const RULE_BY_CODE: Record<SqlProblemCode, string> = {
  unparseable: "database/sql-parse",
  statement: "database/statement-allowlist",
  "role-attribute": "database/role-attributes",
  "foreign-role": "database/own-role",
  "role-membership": "database/role-membership",
  "grant-scope": "database/grant-scope",
  "valid-until": "database/valid-until",
  revocation: "database/revocation-drops-role",
};

const FIX_BY_CODE: Record<SqlProblemCode, string> = {
  unparseable: "write plain PostgreSQL with \"{{name}}\" in double quotes and no ';' inside quotes or comments (Vault splits on every ';')",
  statement:
    'create with CREATE ROLE "{{name}}" WITH LOGIN PASSWORD \'{{password}}\' VALID UNTIL \'{{expiration}}\' plus GRANTs on named objects; revoke with REVOKE … FROM "{{name}}" and DROP ROLE IF EXISTS "{{name}}"',
  "role-attribute": "create the role WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}' and nothing more",
  "foreign-role": 'act only on "{{name}}"; change other roles outside the agent\'s statements',
  "role-membership": "grant the object privileges the tool needs on named tables instead of a role",
  "grant-scope": 'GRANT SELECT (or INSERT/UPDATE/DELETE) ON each named table TO "{{name}}", without GRANT OPTION',
  "valid-until": "add VALID UNTIL '{{expiration}}' to CREATE ROLE",
  revocation: 'end revocationStatements with REVOKE ALL ON <each granted object> FROM "{{name}}"; DROP ROLE IF EXISTS "{{name}}"',
};

/** The statement lists of one Vault database role (plan or `vault.database.SecretBackendRole`). */
export interface DatabaseRoleStatements {
  readonly creationStatements?: readonly string[];
  readonly revocationStatements?: readonly string[];
  readonly rollbackStatements?: readonly string[];
  readonly renewStatements?: readonly string[];
}

function toProblems(label: string, list: string, problems: readonly SqlProblem[]): Problem[] {
  return problems.map((p) => ({
    rule: RULE_BY_CODE[p.code],
    message: `${label}, ${list} ${p.entry === null ? "statements" : `statement ${p.entry + 1}`}: ${p.message}`,
    fix: FIX_BY_CODE[p.code],
  }));
}

/**
 * Every statement list of one role, read as PostgreSQL. `plugin` is the connection's plugin:
 * `undefined` when the caller cannot know it (the pack reads the role alone), `null` when the
 * connection is not declared.
 */
export function checkDatabaseStatements(
  label: string,
  role: DatabaseRoleStatements,
  connection: { readonly name: string; readonly plugin: string | null | undefined; readonly schemas?: readonly string[] },
): Problem[] {
  if (connection.plugin === null) {
    return [
      {
        rule: "database/connection-plugin",
        message: `${label}: connection "${connection.name}" is not declared in platform.vault.databaseConnections`,
        fix: `declare it: databaseConnections: [{ name: ${connection.name}, plugin: ${POSTGRES_PLUGIN} }]`,
      },
    ];
  }
  if (connection.plugin !== undefined && connection.plugin !== POSTGRES_PLUGIN) {
    return [
      {
        rule: "database/connection-plugin",
        message: `${label}: connection "${connection.name}" uses ${connection.plugin}, and no SQL parser is wired for it, so its statements cannot be checked`,
        fix: `use a ${POSTGRES_PLUGIN} connection; other plugins are refused until a parser for their SQL is wired`,
      },
    ];
  }
  const creation = analyseCreation(role.creationStatements ?? []);
  const revocation = analyseRevocation(role.revocationStatements ?? [], { grants: creation.grants });
  const rollback = role.rollbackStatements?.length ? analyseRevocation(role.rollbackStatements, { requireDrop: false }) : undefined;
  const renewal = role.renewStatements?.length ? analyseRenewal(role.renewStatements) : undefined;
  return [
    ...toProblems(label, "creation", creation.problems),
    // The declared schemas are known where the connection is declared (plan); the pack reads the role alone.
    ...(connection.schemas ? grantSchemaProblems(label, creation.grants, { name: connection.name, schemas: connection.schemas }) : []),
    ...toProblems(label, "revocation", revocation.problems),
    ...(rollback ? toProblems(label, "rollback", rollback.problems) : []),
    ...(renewal ? toProblems(label, "renewal", renewal.problems) : []),
  ];
}

export const databaseRules = familyRules(DATABASE_RULES, ({ plan }) => {
  const connections = new Map(plan.platform.vault.databaseConnections.map((c) => [c.name, c]));
  const findings: RuleFinding[] = [];
  for (const agent of plan.agents) {
    for (const identity of agent.identities) {
      for (const secret of identity.vault.secretRoles) {
        if (secret.type !== "database") continue;
        const connection = connections.get(secret.dbName);
        const problems = checkDatabaseStatements(`tool ${secret.tool}`, secret, {
          name: secret.dbName,
          plugin: connection?.plugin ?? null,
          schemas: connection?.schemas ?? ["public"],
        });
        findings.push(...attribute(agent.name, identity.kind as IdentityKind, problems));
      }
    }
  }
  return findings;
});
