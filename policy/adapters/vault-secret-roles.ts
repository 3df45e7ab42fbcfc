/**
 * Vault secret roles (credentials Vault mints: AWS sessions, database users) and the AWS secrets
 * engine itself. Per resource: credential type, TTLs, SQL statements, agent-role ARNs by name, tool
 * session tags. Across the stack: an AWS secret role assuming an agent identity's role (by the
 * stack's tags), and tool roles and their sessions (tool-roles.ts).
 */
import { namedLikeIdentityRole, namedLikeToolRole } from "../../components/core/names";
import type { Problem } from "../../components/rules/define";
import { checkDatabaseStatements } from "../../components/rules/database";
import { checkSecretTtls } from "../../components/rules/limits";
import { LOOSEST_TOKEN_MAX_TTL, checkSecretRole } from "../../components/rules/vault";
import { asNumber, asString, asStrings } from "../inputs";
import { VAULT_AWS_BACKEND, checkToolRoles, isToolSessionOf, secretRoleToolSessionProblems, sessionTagsOf } from "../tool-roles";
import type { Adapter, PackFinding } from "../types";
import { attributeTo } from "./shared";

export const VAULT_SECRET_ROLE_TYPES = {
  vaultDatabaseRole: "vault:database/secretBackendRole:SecretBackendRole",
  vaultAwsRole: "vault:aws/secretBackendRole:SecretBackendRole",
  vaultAwsBackend: VAULT_AWS_BACKEND,
} as const;

function databaseRoleProblems(resource: { type: string; name: string }, v: Record<string, unknown>, unknownPaths: readonly string[]): Problem[] {
  const inputs = { unknown: unknownPaths };

  const name = asString(v.name) ?? resource.name;
  const plan = {
    type: "database" as const,
    tool: name,
    name,
    backend: "",
    credentialsPath: "",
    dbName: "",
    creationStatements: [],
    revocationStatements: [],
    defaultTtl: asNumber(v.defaultTtl) ?? 0,
    maxTtl: asNumber(v.maxTtl) ?? 0,
  };
  const statements = {
    creationStatements: asStrings(v.creationStatements),
    revocationStatements: asStrings(v.revocationStatements),
    rollbackStatements: asStrings(v.rollbackStatements),
    renewStatements: asStrings(v.renewStatements),
  };
  const unknownSql = inputs.unknown.filter((path) => /^(revocation|rollback|renew)Statements(\.|$)/.test(path));
  const unknown: Problem[] = unknownSql.length
    ? [
        {
          rule: "stack/unknown-input",
          message: `${resource.type} ${name}: ${unknownSql.join(", ")} unknown at preview, so it cannot be checked`,
          fix: "write the statements as literal strings",
        },
      ]
    : [];
  // The connection's plugin is not on the role: read the statements as PostgreSQL (fail closed).
  const agents = inputs.unknown.includes("name") || agentRoleNamed(name);
  return [
    ...unknown,
    ...checkSecretTtls(plan, LOOSEST_TOKEN_MAX_TTL),
    ...checkDatabaseStatements(`database role ${name}`, statements, { name: asString(v.dbName) ?? "?", plugin: undefined }).filter(
      (problem) => agents || !LIFETIME_RULES.has(problem.rule),
    ),
  ];
}

/**
 * Rules on how long an agent's database user outlives its lease. Per resource they judge roles named
 * as an agent tool's (`<env>.<agent>.<tool>`, components/core/names.ts) or whose name is unknown;
 * across the stack, any other role on a connection such a role uses. A platform role on a
 * connection no agent uses (CI's own database) keeps its own lifetime policy.
 */
const LIFETIME_RULES: ReadonlySet<string> = new Set(["database/valid-until", "database/revocation-drops-role"]);
const agentRoleNamed = (name: string): boolean => name.includes(".");

function databaseRoleStatements(v: Record<string, unknown>) {
  return {
    creationStatements: asStrings(v.creationStatements),
    revocationStatements: asStrings(v.revocationStatements),
    rollbackStatements: asStrings(v.rollbackStatements),
    renewStatements: asStrings(v.renewStatements),
  };
}

/** Lifetime findings on roles not named as an agent's that mint users on a connection an agent-named role uses. */
function lifetimeOnAgentConnections(ix: Parameters<NonNullable<Adapter["stack"]>>[0]): PackFinding[] {
  const mount = (backend: unknown) => (asString(backend) ?? "").replace(/^\/+|\/+$/g, "");
  const roles = ix.secretRoles.filter((s) => s.resource.type === VAULT_SECRET_ROLE_TYPES.vaultDatabaseRole);
  const connection = (role: (typeof roles)[number]) => `${mount(role.v.backend)}/${asString(role.v.dbName) ?? ""}`;
  const nameOf = (role: (typeof roles)[number]) => asString(role.v.name) ?? role.resource.name;
  // The agent of `<env>.<agent>.<tool>` per connection its roles use.
  const agentConnections = new Map(
    roles.filter((role) => agentRoleNamed(nameOf(role))).map((role) => [connection(role), nameOf(role).split(".")[1] ?? nameOf(role)]),
  );
  return roles
    .filter((role) => !agentRoleNamed(nameOf(role)) && agentConnections.has(connection(role)))
    .flatMap((role) =>
      attributeTo(
        { agent: agentConnections.get(connection(role))!, kind: null },
        role.resource.urn,
        checkDatabaseStatements(
          `database role ${nameOf(role)} (on connection ${connection(role)}, which an agent's tool uses)`,
          databaseRoleStatements(role.v),
          {
            name: asString(role.v.dbName) ?? "?",
            plugin: undefined,
          },
        ).filter((problem) => LIFETIME_RULES.has(problem.rule)),
      ),
    );
}

function awsRoleProblems(resource: { name: string }, v: Record<string, unknown>): Problem[] {
  const name = asString(v.name) ?? resource.name;
  const role = { type: "aws" as const, credentialType: asString(v.credentialType), roleArns: asStrings(v.roleArns), maxStsTtl: asNumber(v.maxStsTtl) };
  const plan = {
    type: "aws" as const,
    tool: name,
    name,
    backend: "",
    credentialsPath: "",
    credentialType: "assumed_role" as const,
    roleArns: role.roleArns,
    sessionTags: null,
    externalId: null,
    defaultStsTtl: asNumber(v.defaultStsTtl) ?? 0,
    maxStsTtl: role.maxStsTtl ?? 0,
  };
  // Without the plan, a role is an agent role when named like one (`…-orchestration|execution|audit`,
  // or a tool role `…-tools` assumed without session tags); a tool session is judged by vault/tool-session-tags.
  const tagged = sessionTagsOf(v) !== undefined;
  const isAgentRole = (arn: string) => namedLikeIdentityRole(arn) || (!tagged && namedLikeToolRole(arn));
  return [...checkSecretRole(role, { isAgentRole }), ...checkSecretTtls(plan, LOOSEST_TOKEN_MAX_TTL), ...secretRoleToolSessionProblems(v)];
}

export const vaultSecretRoles: Adapter = {
  family: "vault-secret-roles",
  holdings:
    "a secret role whose credentials path an identity's Vault policy reads is the identity's: database roles give IdentityHoldings.databases, AWS roles .assumedRoles (its own tool session excepted)",
  types: [
    {
      type: VAULT_SECRET_ROLE_TYPES.vaultAwsRole,
      key: "vaultAwsRole",
      route: "AWS credentials Vault mints",
      required: ["credentialType"],
      // Which role a session assumes and with which tags decides what it may do.
      readIfSet: ["roleArns", "sessionTags"],
      checkedBy: ["vault/secret-role-arns", "vault/secret-credential-type", "vault/tool-session-tags", "vault/unique-path"],
    },
    {
      type: VAULT_SECRET_ROLE_TYPES.vaultDatabaseRole,
      key: "vaultDatabaseRole",
      route: "database users Vault mints",
      required: ["creationStatements"],
      checkedBy: ["database/statement-allowlist", "database/sql-parse", "vault/unique-path"],
    },
    {
      type: VAULT_SECRET_ROLE_TYPES.vaultAwsBackend,
      key: "vaultAwsBackend",
      route: "the AWS secrets engine: the role it runs as is what every tool role trusts",
      checkedBy: ["trust/tool-role-vault-only", "vault/secret-role-arns"],
    },
  ],
  check: (resource, inputs) => {
    if (resource.type === VAULT_SECRET_ROLE_TYPES.vaultDatabaseRole) return databaseRoleProblems(resource, inputs.value, inputs.unknown);
    if (resource.type === VAULT_SECRET_ROLE_TYPES.vaultAwsRole) return awsRoleProblems(resource, inputs.value);
    return [];
  },
  stack: (ix, pass) => {
    const { findings } = pass;
    // Vault AWS secret roles assuming an agent identity's role make one agent act as another.
    const agentRoleNames = new Set(ix.roles.filter((r) => r.tags.agent && r.name).map((r) => r.name!.toLowerCase()));
    // A tool session on its agent's own tool role is judged by vault/tool-session-tags instead.
    for (const secretRole of ix.secretRoles.filter((s) => s.resource.type === VAULT_SECRET_ROLE_TYPES.vaultAwsRole && !isToolSessionOf(ix, s))) {
      // IAM role names are unique regardless of case; the path before the name does not change the role.
      const hits = secretRole.roleArns.filter((arn) => agentRoleNames.has((/:role\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1] ?? "").toLowerCase()));
      const problems = hits.map((arn) => ({
        rule: "vault/secret-role-arns",
        message: `AWS secret role assumes agent identity role ${arn}`,
        fix: "an agent never acts as another agent identity; name a role of the target system",
      }));
      findings.push(...attributeTo({ agent: asString(secretRole.v.name) ?? secretRole.resource.name, kind: null }, secretRole.resource.urn, problems));
    }
    findings.push(...checkToolRoles(ix, pass.extraPolicies), ...lifetimeOnAgentConnections(ix));
  },
};
