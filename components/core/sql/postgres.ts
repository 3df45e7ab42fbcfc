/**
 * What Vault database statements do to PostgreSQL, read with PostgreSQL's own grammar. The analysis
 * is an allowlist: a statement is described only when it is one of the shapes below; anything
 * else is a problem, never ignored.
 *
 * Creation: `CREATE ROLE|USER "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`
 * (plus `CONNECTION LIMIT n`, which only restricts) and `GRANT` of plain object privileges on
 * explicitly named objects to `"{{name}}"` alone, without grant option.
 * Revocation: `REVOKE … FROM "{{name}}"`, `DROP OWNED BY "{{name}}"`, the one session-ending
 * `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{{name}}'`, ending
 * with exactly one `DROP ROLE [IF EXISTS] "{{name}}"`, after a REVOKE of every creation grant (or
 * DROP OWNED BY): PostgreSQL refuses to drop a role that still holds privileges, and Vault then
 * rolls the whole revocation back.
 */
import { boundedCache } from "../bounded-cache";
import { parseSql } from "./parser";
import { SENTINELS, VAULT_PLACEHOLDERS, renderVaultStatement, vaultPieces, type VaultListKind } from "./vault-template";

type Node = Record<string, unknown>;

/** Problem classes; the database rule family maps each to a rule id. */
export type SqlProblemCode =
  | "unparseable" // not SQL PostgreSQL (or Vault's splitting) reads as written
  | "statement" // a statement kind outside the allowlist
  | "role-attribute" // a role attribute other than LOGIN, PASSWORD, VALID UNTIL, CONNECTION LIMIT
  | "foreign-role" // a statement on a role other than {{name}}
  | "role-membership" // GRANT role, IN ROLE, ROLE, ADMIN
  | "grant-scope" // ALL TABLES IN SCHEMA, ON DATABASE, ALL PRIVILEGES, grant option, a privilege not allowed
  | "valid-until" // creation without VALID UNTIL '{{expiration}}'
  | "revocation"; // revocation that does not end with dropping {{name}}, or leaves grants behind

export interface SqlProblem {
  readonly code: SqlProblemCode;
  /** Index of the entry in the statement list; null for a problem of the list as a whole. */
  readonly entry: number | null;
  readonly message: string;
}

export interface ParsedStatement {
  /** Index of the entry in the statement list this statement came from. */
  readonly entry: number;
  /** The SQL as Vault sends it, with placeholders (`{{name}}`…) left in. */
  readonly text: string;
  /** The statement's node type, e.g. `CreateRoleStmt`. */
  readonly kind: string;
  /** The statement's parse tree (libpg-query JSON), sentinel values in place of placeholders. */
  readonly node: Readonly<Node>;
}

export interface ParsedSql {
  readonly statements: readonly ParsedStatement[];
  readonly problems: readonly SqlProblem[];
}

export interface RoleAttribute {
  /** PostgreSQL's option name, e.g. `canlogin`, `password`, `validUntil`, `superuser`. */
  readonly name: string;
  /** The value with placeholders mapped back: `true`, `{{password}}`, `{{expiration}}`, `5`. */
  readonly value: string;
}

export interface SqlGrant {
  /** Lower-case privilege names; `["all"]` for ALL [PRIVILEGES]. Column lists as `update(col)`. */
  readonly privileges: readonly string[];
  /** `table`, `sequence`, `schema`, `function`, `database`, … (PostgreSQL's OBJECT_* lower-cased). */
  readonly objectType: string;
  /** `object` (named objects), `all-in-schema` (ALL TABLES IN SCHEMA …). */
  readonly target: "object" | "all-in-schema" | "defaults";
  /** Object names as written, schema-qualified when written so (`public.invoices`, `f(int4)`). */
  readonly objects: readonly string[];
  /** Grantees with placeholders mapped back (`{{name}}`, `PUBLIC`, `CURRENT_USER`). */
  readonly grantees: readonly string[];
  readonly withGrantOption: boolean;
}

export interface RoleMembership {
  readonly role: string;
  readonly member: string;
}

export interface CreationEffects extends ParsedSql {
  /** Roles created (normally exactly `["{{name}}"]`). */
  readonly createdRoles: readonly string[];
  readonly attributes: readonly RoleAttribute[];
  readonly grants: readonly SqlGrant[];
  readonly memberships: readonly RoleMembership[];
  /** Every role any statement names, placeholders mapped back. */
  readonly rolesTouched: readonly string[];
  readonly validUntilIsExpiration: boolean;
}

export interface RevocationEffects extends ParsedSql {
  /** The last statement is `DROP ROLE [IF EXISTS] "{{name}}"`. */
  readonly dropsRole: boolean;
  /** `DROP OWNED BY "{{name}}"` comes before the drop (revokes every privilege in the database). */
  readonly dropsOwned: boolean;
  readonly revokes: readonly SqlGrant[];
  readonly terminatesSessions: boolean;
  readonly rolesTouched: readonly string[];
}

const NAME = SENTINELS.name;

/** Sentinel values back to the placeholders a reader wrote. */
function unsentinel(value: string): string {
  return value.split(SENTINELS.name).join("{{name}}").split(SENTINELS.password).join("{{password}}").split(SENTINELS.expiration).join("{{expiration}}");
}

function placeholderProblem(entry: string): string | undefined {
  for (const sentinel of Object.values(SENTINELS)) if (entry.includes(sentinel)) return `contains "${sentinel}", reserved for parsing`;
  // Vault replaces exactly `{{name}}` etc.: `{{ name }}` or `{{Name}}` would reach the server as written.
  const unknown = [...entry.matchAll(/\{\{(.*?)\}\}/g)].map((m) => m[1]).filter((p) => !(VAULT_PLACEHOLDERS as readonly string[]).includes(p!));
  if (unknown.length) return `uses {{${unknown[0]}}}, which Vault does not fill in (only {{name}}, {{username}}, {{password}}, {{expiration}})`;
  return undefined;
}

/**
 * Split and parse a statement list as Vault runs it. Placeholders become sentinels for parsing
 * and are mapped back in every description. Unparseable SQL is a problem carrying the parser's message.
 */
export function parsePostgres(entries: readonly string[], kind: VaultListKind = "creation"): ParsedSql {
  return parsedLists(`${kind}\u0000${entries.join("\u0000")}`, () => parseList(entries, kind));
}

const parsedLists = boundedCache<ParsedSql>(4_096);

function parseList(entries: readonly string[], kind: VaultListKind): ParsedSql {
  const statements: ParsedStatement[] = [];
  const problems: SqlProblem[] = [];
  entries.forEach((entry, index) => {
    const nonAscii = nonAsciiProblem(entry);
    if (nonAscii) return problems.push({ code: "unparseable", entry: index, message: nonAscii });
    const placeholder = placeholderProblem(entry);
    if (placeholder) return problems.push({ code: "unparseable", entry: index, message: placeholder });
    const split = vaultPieces(entry, kind);
    if (!split.ok) return problems.push({ code: "unparseable", entry: index, message: split.reason });
    for (const piece of split.pieces) {
      const parsed = parseSql(renderVaultStatement(piece, SENTINELS));
      if (!parsed.ok) {
        problems.push({
          code: "unparseable",
          entry: index,
          message: `does not parse as PostgreSQL ("${clip(piece)}": ${unsentinel(parsed.message)}); Vault runs each ';'-separated piece on its own`,
        });
        continue;
      }
      for (const raw of parsed.tree.stmts ?? []) {
        const wrapper = (raw as Node).stmt as Node | undefined;
        const stmtKind = wrapper ? Object.keys(wrapper)[0] : undefined;
        if (!wrapper || !stmtKind) continue;
        statements.push({ entry: index, text: piece, kind: stmtKind, node: wrapper[stmtKind] as Node });
      }
    }
  });
  return { statements, problems };
}

/**
 * SQL is ASCII only (closed world): a look-alike letter (Cyrillic `е`, U+0435, in `invoicеs`) would
 * name another table than the one a reviewer reads, and nothing a grant needs is outside ASCII.
 */
function nonAsciiProblem(entry: string): string | null {
  const found = [...new Set(entry.match(/[\u0080-\u{10ffff}]/gu) ?? [])];
  if (!found.length) return null;
  const named = found.slice(0, 5).map((char) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`);
  const column = entry.search(/[\u0080-\u{10ffff}]/u) + 1;
  return `contains non-ASCII characters (${named.join(", ")}${found.length > 5 ? ", …" : ""}; first at character ${column}): SQL object names must be ASCII so a look-alike letter cannot stand for another name; write the statement in ASCII`;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

// ------------------------------------------------------------------ reading nodes

const list = (value: unknown): Node[] => (Array.isArray(value) ? (value as Node[]) : []);
const child = (node: Node, key: string): Node | undefined => (node[key] && typeof node[key] === "object" ? (node[key] as Node) : undefined);
const str = (node: Node | undefined, key: string): string | undefined => (typeof node?.[key] === "string" ? (node[key] as string) : undefined);

/** A RoleSpec as text, placeholders mapped back. */
function roleSpecName(spec: Node | undefined): string {
  const inner = spec && (child(spec, "RoleSpec") ?? spec);
  switch (str(inner, "roletype")) {
    case "ROLESPEC_CSTRING":
      return unsentinel(str(inner, "rolename") ?? "");
    case "ROLESPEC_PUBLIC":
      return "PUBLIC";
    case "ROLESPEC_CURRENT_USER":
      return "CURRENT_USER";
    case "ROLESPEC_SESSION_USER":
      return "SESSION_USER";
    case "ROLESPEC_CURRENT_ROLE":
      return "CURRENT_ROLE";
    default:
      return "(unknown role)";
  }
}

const isOwnRole = (name: string) => name === "{{name}}";

/** The String values of a name list (`["public", "invoices"]`). */
function names(items: unknown): string[] {
  return list(items).map((item) => str(child(item, "String"), "sval") ?? "?");
}

function objectName(objectType: string, item: Node): string {
  const range = child(item, "RangeVar");
  if (range) return [str(range, "catalogname"), str(range, "schemaname"), str(range, "relname")].filter(Boolean).join(".");
  const fn = child(item, "ObjectWithArgs");
  if (fn) {
    const args = child(fn, "args_unspecified")
      ? ""
      : `(${list(fn.objargs)
          .map((a) => names(child(a, "TypeName")?.names).join("."))
          .join(", ")})`;
    return `${names(fn.objname).join(".")}${args}`;
  }
  const plain = str(child(item, "String"), "sval");
  if (plain !== undefined) return plain;
  return `(${objectType} object)`;
}

function describeGrant(node: Node): SqlGrant {
  const objectType = (str(node, "objtype") ?? "OBJECT_UNKNOWN").replace(/^OBJECT_/, "").toLowerCase();
  const targtype = str(node, "targtype");
  const privileges = list(node.privileges).map((p) => {
    const priv = child(p, "AccessPriv");
    const cols = names(priv?.cols);
    return `${str(priv, "priv_name") ?? "?"}${cols.length ? `(${cols.join(", ")})` : ""}`;
  });
  return {
    privileges: privileges.length ? privileges : ["all"],
    objectType,
    target: targtype === "ACL_TARGET_ALL_IN_SCHEMA" ? "all-in-schema" : targtype === "ACL_TARGET_DEFAULTS" ? "defaults" : "object",
    objects: list(node.objects).map((item) => objectName(objectType, item)),
    grantees: list(node.grantees).map((g) => roleSpecName(g)),
    withGrantOption: node.grant_option === true,
  };
}

// ------------------------------------------------------------------ creation

/**
 * Privileges a credential may be granted, by object type. Refused on purpose: TRUNCATE (ignores
 * row security and DELETE triggers, cannot be undone), REFERENCES (lets the role block others'
 * deletes and lock rows), TRIGGER (runs the role's code in other sessions' writes), MAINTAIN
 * (locks, VACUUM, REINDEX), sequence UPDATE (setval), schema CREATE, and every other object type.
 */
export const ALLOWED_PRIVILEGES: Readonly<Record<string, readonly string[]>> = {
  table: ["select", "insert", "update", "delete"],
  sequence: ["usage", "select"],
  schema: ["usage"],
};

/** Callable objects: never granted (a function may run with its owner's rights or reach outside the database). */
const CALLABLE = new Set(["function", "procedure", "routine"]);

/** Role options PostgreSQL reports in CREATE ROLE, by what they are. */
const MEMBERSHIP_OPTIONS = new Set(["addroleto", "rolemembers", "adminmembers"]);

function creationStatement(statement: ParsedStatement, effects: MutableCreation): void {
  const { node, entry } = statement;
  const problem = (code: SqlProblemCode, message: string): void => {
    effects.problems.push({ code, entry, message });
  };
  switch (statement.kind) {
    case "CreateRoleStmt": {
      const role = unsentinel(str(node, "role") ?? "");
      effects.roles.add(role);
      effects.createdRoles.push(role);
      if (str(node, "stmt_type") === "ROLESTMT_GROUP") problem("statement", 'CREATE GROUP is not allowed; use CREATE ROLE "{{name}}"');
      if (!isOwnRole(role)) problem("foreign-role", `creates role "${role}", not "{{name}}"`);
      for (const option of list(node.options)) {
        const def = child(option, "DefElem") ?? {};
        const name = str(def, "defname") ?? "?";
        const value = optionValue(child(def, "arg"));
        effects.attributes.push({ name, value });
        if (MEMBERSHIP_OPTIONS.has(name)) {
          const roles = list(child(child(def, "arg") ?? {}, "List")?.items).map((r) => roleSpecName(r));
          for (const other of roles) {
            effects.roles.add(other);
            effects.memberships.push(name === "addroleto" ? { role: other, member: role } : { role, member: other });
          }
          problem("role-membership", `${MEMBERSHIP_LABEL[name]} ${roles.join(", ")} makes "${role}" share another role's privileges`);
          continue;
        }
        const reason = attributeProblem(name, value);
        if (reason) problem("role-attribute", reason);
        if (name === "validUntil") effects.validUntil.push(value);
      }
      return;
    }
    case "GrantStmt": {
      const grant = describeGrant(node);
      grant.grantees.forEach((g) => effects.roles.add(g));
      if (node.is_grant !== true) return problem("statement", "REVOKE in creation statements is not allowed");
      effects.grants.push(grant);
      const foreign = grant.grantees.filter((g) => !isOwnRole(g));
      if (foreign.length || grant.grantees.length === 0)
        problem("foreign-role", `grants to ${foreign.join(", ")}; creation statements grant only to "{{name}}"`);
      if (child(node, "grantor")) problem("foreign-role", `names a grantor (GRANTED BY ${roleSpecName(child(node, "grantor"))})`);
      if (grant.target !== "object")
        problem(
          "grant-scope",
          `GRANT … ON ALL ${grant.objectType.toUpperCase()}S IN SCHEMA ${grant.objects.join(", ")} reaches every present object of the schema; name each object`,
        );
      if (grant.withGrantOption) problem("grant-scope", "WITH GRANT OPTION lets the credential pass its privileges on");
      if (CALLABLE.has(grant.objectType)) {
        return problem(
          "grant-scope",
          `GRANT EXECUTE on ${grant.objectType} ${grant.objects.join(", ")} is not allowed: a function may run with its owner's rights (SECURITY DEFINER) or reach outside the database (dblink, aws_s3, aws_lambda); grant table privileges, or SELECT on a view`,
        );
      }
      const allowed = ALLOWED_PRIVILEGES[grant.objectType];
      if (!allowed)
        return problem(
          "grant-scope",
          `GRANT on ${grant.objectType} ${grant.objects.join(", ")} is not allowed; grant privileges on named tables and sequences, or USAGE on a schema`,
        );
      const refused = grant.privileges.map((p) => p.replace(/\(.*$/, "")).filter((p) => !allowed.includes(p));
      const system = systemObjects(node);
      if (system.length)
        problem(
          "grant-scope",
          `${system.join(", ")} ${system.length > 1 ? "are" : "is"} PostgreSQL's own (${grant.objectType === "function" || grant.objectType === "procedure" || grant.objectType === "routine" ? "functions must be schema-qualified, outside pg_catalog and information_schema" : "pg_catalog, information_schema and pg_* names are the server's"})`,
        );
      if (refused.length)
        problem(
          "grant-scope",
          `${refused.map((p) => (p === "all" ? "ALL PRIVILEGES" : p.toUpperCase())).join(", ")} on ${grant.objectType} ${grant.objects.join(", ")} is not allowed (allowed: ${allowed.map((p) => p.toUpperCase()).join(", ")})`,
        );
      return;
    }
    case "GrantRoleStmt": {
      const granted = list(node.granted_roles).map((r) => str(child(r, "AccessPriv"), "priv_name") ?? "?");
      const grantees = list(node.grantee_roles).map((g) => roleSpecName(g));
      grantees.forEach((g) => effects.roles.add(g));
      granted.forEach((r) => effects.roles.add(r));
      if (node.is_grant !== true) return problem("statement", "REVOKE of a role in creation statements is not allowed");
      for (const member of grantees) for (const role of granted) effects.memberships.push({ role, member });
      return problem("role-membership", `GRANT ${granted.join(", ")} TO ${grantees.join(", ")} grants role membership; grant object privileges instead`);
    }
    case "AlterRoleStmt":
    case "AlterRoleSetStmt":
    case "DropRoleStmt":
    case "RenameStmt": {
      const target = roleSpecName(child(node, "role") ?? list(node.roles)[0]);
      if (target !== "(unknown role)") effects.roles.add(target);
      if (target !== "(unknown role)" && !isOwnRole(target))
        return problem("foreign-role", `${ROLE_STATEMENT_LABEL[statement.kind]} on role "${target}"; statements may only create "{{name}}"`);
      return problem(
        "statement",
        `${ROLE_STATEMENT_LABEL[statement.kind]} is not allowed in creation statements; set LOGIN, PASSWORD and VALID UNTIL in CREATE ROLE`,
      );
    }
    default:
      return problem(
        "statement",
        `${describeKind(statement)} is not allowed in creation statements (only CREATE ROLE "{{name}}" and GRANT of object privileges)`,
      );
  }
}

const ROLE_STATEMENT_LABEL: Record<string, string> = {
  AlterRoleStmt: "ALTER ROLE",
  AlterRoleSetStmt: "ALTER ROLE … SET",
  DropRoleStmt: "DROP ROLE",
  RenameStmt: "ALTER … RENAME",
};

const SYSTEM_SCHEMAS = new Set(["pg_catalog", "information_schema", "pg_toast"]);

/**
 * Objects of the server itself: pg_catalog is searched before every other schema, so an
 * unqualified `pg_authid` or `pg_read_file(text)` is the catalog's. Functions must name their
 * schema (any unqualified function name may resolve to a catalog function such as lo_export).
 */
function systemObjects(node: Node): string[] {
  const objectType = (str(node, "objtype") ?? "").replace(/^OBJECT_/, "").toLowerCase();
  return list(node.objects).flatMap((item) => {
    const range = child(item, "RangeVar");
    if (range) {
      const schema = str(range, "schemaname");
      const relname = str(range, "relname") ?? "";
      return (schema ? SYSTEM_SCHEMAS.has(schema) || schema.startsWith("pg_") : relname.startsWith("pg_")) ? [objectName(objectType, item)] : [];
    }
    const fn = child(item, "ObjectWithArgs");
    if (fn) {
      const parts = names(fn.objname);
      return parts.length < 2 || SYSTEM_SCHEMAS.has(parts[0]!) || parts[0]!.startsWith("pg_") ? [objectName(objectType, item)] : [];
    }
    const plain = str(child(item, "String"), "sval") ?? "";
    return SYSTEM_SCHEMAS.has(plain) || plain.startsWith("pg_") ? [plain] : [];
  });
}

const MEMBERSHIP_LABEL: Record<string, string> = { addroleto: "IN ROLE", rolemembers: "ROLE", adminmembers: "ADMIN" };

function optionValue(arg: Node | undefined): string {
  if (!arg) return "null";
  const boolean = child(arg, "Boolean");
  if (boolean) return String(boolean.boolval === true);
  const integer = child(arg, "Integer");
  if (integer) return String(integer.ival ?? 0);
  const text = str(child(arg, "String"), "sval");
  if (text !== undefined) return unsentinel(text);
  return JSON.stringify(arg).slice(0, 60);
}

function attributeProblem(name: string, value: string): string | undefined {
  switch (name) {
    case "canlogin":
      return value === "true" ? undefined : "NOLOGIN makes the credential useless; write LOGIN";
    case "password":
      return value === "{{password}}"
        ? undefined
        : `PASSWORD ${value === "null" ? "NULL" : `'${value}'`} is not Vault's generated password; write PASSWORD '{{password}}'`;
    case "validUntil":
      return value === "{{expiration}}" ? undefined : `VALID UNTIL '${value}' is not the lease expiry; write VALID UNTIL '{{expiration}}'`;
    case "connectionlimit":
      return Number(value) >= 1 ? undefined : `CONNECTION LIMIT ${value} does not limit; give a positive limit or leave it out`;
    default:
      return `role attribute ${ATTRIBUTE_LABEL[name] ?? name} is not allowed (only LOGIN, PASSWORD '{{password}}', VALID UNTIL '{{expiration}}', CONNECTION LIMIT n)`;
  }
}

const ATTRIBUTE_LABEL: Record<string, string> = {
  superuser: "SUPERUSER/NOSUPERUSER",
  createdb: "CREATEDB/NOCREATEDB",
  createrole: "CREATEROLE/NOCREATEROLE",
  isreplication: "REPLICATION/NOREPLICATION",
  bypassrls: "BYPASSRLS/NOBYPASSRLS",
  inherit: "INHERIT/NOINHERIT",
  sysid: "SYSID",
};

function describeKind(statement: ParsedStatement): string {
  const { kind, node } = statement;
  if (kind === "CopyStmt") return node.is_program === true ? "COPY … PROGRAM (runs a shell command on the database server)" : "COPY";
  if (kind === "AlterSystemStmt") return "ALTER SYSTEM";
  if (kind in ROLE_STATEMENT_LABEL) return ROLE_STATEMENT_LABEL[kind]!;
  if (kind === "DoStmt") return "a DO block";
  if (kind === "CreateFunctionStmt") return "CREATE FUNCTION/PROCEDURE";
  if (kind === "VariableSetStmt") return `SET ${str(node, "name") ?? ""}`.trim();
  if (kind === "AlterDefaultPrivilegesStmt") return "ALTER DEFAULT PRIVILEGES (reaches objects created later)";
  // SelectStmt → SELECT, AlterTableStmt → ALTER TABLE
  return kind
    .replace(/Stmt$/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toUpperCase();
}

interface MutableCreation {
  createdRoles: string[];
  attributes: RoleAttribute[];
  grants: SqlGrant[];
  memberships: RoleMembership[];
  roles: Set<string>;
  validUntil: string[];
  problems: SqlProblem[];
}

/** Creation statements: what the role becomes, and every way it leaves the allowlist. */
export function analyseCreation(entries: readonly string[]): CreationEffects {
  return creations(entries.join("\u0000"), () => creationEffects(entries));
}

const creations = boundedCache<CreationEffects>(4_096);

function creationEffects(entries: readonly string[]): CreationEffects {
  const parsed = parsePostgres(entries, "creation");
  const effects: MutableCreation = {
    createdRoles: [],
    attributes: [],
    grants: [],
    memberships: [],
    roles: new Set(),
    validUntil: [],
    problems: [...parsed.problems],
  };
  if (entries.length === 0) effects.problems.push({ code: "statement", entry: null, message: "no creation statements: Vault refuses an empty list" });
  for (const statement of parsed.statements) creationStatement(statement, effects);
  const created = effects.createdRoles.filter(isOwnRole).length;
  if (parsed.problems.length === 0 && created !== 1) {
    effects.problems.push({
      code: "statement",
      entry: null,
      message: created === 0 ? 'no CREATE ROLE "{{name}}" statement' : `CREATE ROLE "{{name}}" appears ${created} times`,
    });
  }
  const validUntilIsExpiration = effects.validUntil.length === 1 && effects.validUntil[0] === "{{expiration}}";
  if (created >= 1 && effects.validUntil.length === 0) {
    effects.problems.push({ code: "valid-until", entry: null, message: "CREATE ROLE has no VALID UNTIL: the password outlives the lease if revocation fails" });
  }
  if (created >= 1) {
    const first = parsed.statements.find((s) => s.kind === "CreateRoleStmt");
    const grantBefore =
      parsed.statements.findIndex((s) => s.kind === "GrantStmt") < parsed.statements.indexOf(first!) && parsed.statements.some((s) => s.kind === "GrantStmt");
    if (grantBefore) effects.problems.push({ code: "statement", entry: null, message: 'a GRANT comes before CREATE ROLE "{{name}}"' });
  }
  return {
    statements: parsed.statements,
    problems: effects.problems,
    createdRoles: effects.createdRoles,
    attributes: effects.attributes,
    grants: effects.grants,
    memberships: effects.memberships,
    rolesTouched: [...effects.roles].sort(),
    validUntilIsExpiration,
  };
}

// ------------------------------------------------------------------ revocation

/** Location-free tree of the one allowed session-ending SELECT, compared structurally. */
const TERMINATE_SESSIONS = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${NAME}'`;
let terminateShape: string | undefined;

function shape(node: unknown): string {
  return JSON.stringify(node, (key, value: unknown) => (key === "location" || key === "stmt_location" || key === "stmt_len" ? undefined : value));
}

function isTerminateSessions(statement: ParsedStatement): boolean {
  if (statement.kind !== "SelectStmt") return false;
  if (terminateShape === undefined) {
    const parsed = parseSql(TERMINATE_SESSIONS);
    terminateShape = parsed.ok ? shape((parsed.tree.stmts?.[0] as Node | undefined)?.stmt) : "";
  }
  return terminateShape !== "" && shape({ SelectStmt: statement.node }) === terminateShape;
}

export interface RevocationOptions {
  /** Require the list to end with DROP ROLE "{{name}}" (revocation: yes; rollback: no). @default true */
  readonly requireDrop?: boolean;
  /** The creation statements' grants: each must be revoked (or DROP OWNED) before the drop, or DROP ROLE fails. */
  readonly grants?: readonly SqlGrant[];
}

/** Revocation (and rollback) statements: they may only take from `{{name}}` and must drop it. */
export function analyseRevocation(entries: readonly string[], options: RevocationOptions = {}): RevocationEffects {
  const key = `${options.requireDrop ?? true}\u0000${JSON.stringify(options.grants ?? null)}\u0000${entries.join("\u0000")}`;
  return revocations(key, () => revocationEffects(entries, options));
}

const revocations = boundedCache<RevocationEffects>(4_096);

function revocationEffects(entries: readonly string[], options: RevocationOptions): RevocationEffects {
  const requireDrop = options.requireDrop ?? true;
  const parsed = parsePostgres(entries, "revocation");
  const problems: SqlProblem[] = [...parsed.problems];
  const roles = new Set<string>();
  let drops = 0;
  const revokes: SqlGrant[] = [];
  let dropsOwned = false;
  let terminatesSessions = false;
  let dropIndex = -1;
  parsed.statements.forEach((statement, index) => {
    const { node, entry } = statement;
    const problem = (code: SqlProblemCode, message: string): void => {
      problems.push({ code, entry, message });
    };
    const onlyOwn = (targets: string[], what: string) => {
      targets.forEach((t) => roles.add(t));
      const foreign = targets.filter((t) => !isOwnRole(t));
      if (foreign.length || targets.length === 0)
        problem("foreign-role", `${what} names ${foreign.join(", ") || "no role"}; revocation may only act on "{{name}}"`);
      return foreign.length === 0 && targets.length > 0;
    };
    switch (statement.kind) {
      case "DropRoleStmt": {
        const named = list(node.roles).map((r) => roleSpecName(r));
        if (!onlyOwn(named, "DROP ROLE")) return;
        // `DROP ROLE "{{name}}", "{{name}}"` fails on the second name and Vault rolls the revocation back.
        if (named.length > 1) return problem("revocation", `DROP ROLE names ${named.length} roles; PostgreSQL fails on a repeated name: drop "{{name}}" once`);
        dropIndex = index;
        drops += 1;
        return;
      }
      case "DropOwnedStmt":
        if (
          onlyOwn(
            list(node.roles).map((r) => roleSpecName(r)),
            "DROP OWNED BY",
          )
        )
          dropsOwned = true;
        return;
      case "GrantStmt": {
        if (node.is_grant === true) return problem("statement", "GRANT in revocation statements is not allowed");
        const grant = describeGrant(node);
        // REVOKE GRANT OPTION FOR leaves the privilege; GRANTED BY another role revokes nothing this user granted.
        if (grant.withGrantOption)
          return problem("revocation", "REVOKE GRANT OPTION FOR takes away only the grant option; the privilege stays and DROP ROLE fails");
        if (child(node, "grantor"))
          return problem("foreign-role", `names a grantor (GRANTED BY ${roleSpecName(child(node, "grantor"))}); revoke what Vault's user granted`);
        if (onlyOwn([...grant.grantees], "REVOKE")) revokes.push(grant);
        return;
      }
      case "GrantRoleStmt":
        if (node.is_grant === true) return problem("role-membership", "GRANT of a role in revocation statements is not allowed");
        onlyOwn(
          list(node.grantee_roles).map((g) => roleSpecName(g)),
          "REVOKE",
        );
        return;
      case "ReassignOwnedStmt":
        return problem(
          "statement",
          `REASSIGN OWNED hands what "{{name}}" created to ${roleSpecName(child(node, "newrole"))} (a SECURITY DEFINER function would then run with its rights); use DROP OWNED BY "{{name}}"`,
        );
      case "SelectStmt":
        if (isTerminateSessions(statement)) {
          terminatesSessions = true;
          return;
        }
        return problem("statement", `the only SELECT allowed is SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{{name}}'`);
      default:
        return problem(
          "statement",
          `${describeKind(statement)} is not allowed in revocation statements (only REVOKE … FROM, DROP OWNED BY, ending sessions, and DROP ROLE "{{name}}")`,
        );
    }
  });
  const dropsRole = dropIndex >= 0 && dropIndex === parsed.statements.length - 1;
  if (requireDrop && parsed.problems.length === 0) {
    if (entries.length === 0)
      problems.push({
        code: "revocation",
        entry: null,
        message: 'no revocation statements: write them explicitly, ending with DROP ROLE IF EXISTS "{{name}}"',
      });
    else if (dropIndex < 0)
      problems.push({ code: "revocation", entry: null, message: 'revocation does not drop "{{name}}": the credential keeps working until VALID UNTIL' });
    else if (drops > 1)
      problems.push({
        code: "revocation",
        entry: null,
        message: `DROP ROLE "{{name}}" appears ${drops} times: PostgreSQL refuses the first drop while "{{name}}" still holds privileges, and Vault rolls the whole revocation back (the user keeps LOGIN and its grants); REVOKE first, then one DROP ROLE at the end`,
      });
    else if (!dropsRole)
      problems.push({
        code: "revocation",
        entry: null,
        message: 'DROP ROLE "{{name}}" is not the last statement: a later statement fails once the role is gone and Vault rolls the whole revocation back',
      });
    else if (!dropsOwned) {
      const left = (options.grants ?? []).filter((grant) => !revokes.some((revoke) => covers(revoke, grant)));
      if (left.length) {
        problems.push({
          code: "revocation",
          entry: null,
          message: `privileges on ${left.map((g) => `${g.objectType} ${g.objects.join(", ")}`).join("; ")} are not revoked before DROP ROLE, so PostgreSQL refuses the drop ("role cannot be dropped because some objects depend on it"); add REVOKE ALL ON … FROM "{{name}}" before it (or DROP OWNED BY "{{name}}", which needs the Vault user to hold the role's privileges)`,
        });
      }
    }
  }
  return { statements: parsed.statements, problems, dropsRole, dropsOwned, revokes, terminatesSessions, rolesTouched: [...roles].sort() };
}

/** A REVOKE takes away every privilege of a GRANT when it names the same objects with ALL or a superset. */
function covers(revoke: SqlGrant, grant: SqlGrant): boolean {
  if (revoke.objectType !== grant.objectType || revoke.target !== "object") return false;
  const privileges = revoke.privileges.includes("all") || grant.privileges.every((p) => revoke.privileges.includes(p));
  return privileges && grant.objects.every((o) => revoke.objects.includes(o));
}

/** Renewal statements (Vault's default: ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}'): only that, or nothing. */
export function analyseRenewal(entries: readonly string[]): ParsedSql {
  const parsed = parsePostgres(entries, "other");
  const problems: SqlProblem[] = [...parsed.problems];
  for (const statement of parsed.statements) {
    const options = list(statement.node.options).map((o) => child(o, "DefElem") ?? {});
    const role = roleSpecName(child(statement.node, "role"));
    const ok =
      statement.kind === "AlterRoleStmt" &&
      isOwnRole(role) &&
      options.length === 1 &&
      str(options[0], "defname") === "validUntil" &&
      optionValue(child(options[0], "arg")) === "{{expiration}}";
    if (!ok)
      problems.push({
        code: statement.kind === "AlterRoleStmt" && !isOwnRole(role) ? "foreign-role" : "statement",
        entry: statement.entry,
        message: `renewal may only be ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}'`,
      });
  }
  return { statements: parsed.statements, problems };
}
