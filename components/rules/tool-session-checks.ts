/**
 * Checks of task-context binding (`toolSessions: tagged-sessions`), shared by the plan rules and the
 * policy pack: the tool role's trust admits only Vault's AWS engine role with exactly one tool's
 * session tags (trust/tool-role-vault-only), every grant on it holds only for its tool's session
 * (iam/tool-session-bound), and the Vault secret role that mints a tool's session names that one
 * role and sets exactly the five session tags (vault/tool-session-tags). Allowlists: anything the
 * check cannot read as one of these shapes fails closed.
 */
import { asList, type PolicyDocument, type PolicyStatement } from "../core/iam-document";
import { hasWildcard } from "../core/patterns";
import { SESSION_TAG, SESSION_TAG_KEYS, TOOL_ROLE_ACTIONS, TOOL_ROLE_TAG } from "../core/tool-sessions";
import { DATA_CLASSES } from "../core/tiers";
import type { Problem } from "./define";

/** A concrete IAM role ARN (any path), never a user, root, service or pattern. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** Operators a tool role's trust may use; anything else (StringLike, …IfExists, ForAnyValue, Null) could loosen it. */
const TRUST_OPERATORS = new Set(["StringEquals", "ForAllValues:StringEquals"]);

const requestTag = (key: string) => `aws:RequestTag/${key}`;
const principalTag = (key: string) => `aws:PrincipalTag/${key}`;

/** True when IAM role tags mark a role as an agent's tool role (what the components tag it with). */
export function isToolRoleTags(tags: Readonly<Record<string, string>>): boolean {
  return tags[TOOL_ROLE_TAG.key] === TOOL_ROLE_TAG.value;
}

interface Entry {
  readonly operator: string;
  readonly key: string;
  readonly values: string[];
}

function entries(statement: PolicyStatement): Entry[] {
  return Object.entries(statement.Condition ?? {}).flatMap(([operator, block]) =>
    Object.entries(block ?? {}).map(([key, value]) => ({ operator, key, values: asList(value) })),
  );
}

/** Condition keys are case-insensitive in IAM: every entry for `key`, whatever its case. */
function entriesFor(all: readonly Entry[], key: string): Entry[] {
  const wanted = key.toLowerCase();
  return all.filter((entry) => entry.key.toLowerCase() === wanted);
}

const plainValue = (value: string) => value !== "" && !hasWildcard(value) && value.length <= 256;

/**
 * The values `StringEquals` pins `key` to, when it is pinned exactly once (one entry, plain values)
 * and no other operator names the key; else null (absent, doubled or loosened).
 */
function pinned(all: readonly Entry[], key: string): string[] | null {
  const found = entriesFor(all, key);
  if (found.length !== 1 || found[0].operator !== "StringEquals" || found[0].values.length === 0 || !found[0].values.every(plainValue)) return null;
  return found[0].values;
}

const describe = (all: readonly Entry[], key: string) => {
  const found = entriesFor(all, key);
  return found.length ? found.map((e) => `${e.operator} [${e.values.join(", ")}]`).join(", ") : "not constrained";
};

export interface ToolRoleTrustExpectation {
  /** The Vault AWS engine's role, the only principal (plan: declared; pack: the stack's AWS secret backend). */
  readonly engineRoleArn?: string;
  readonly agent?: string;
  readonly environment?: string;
  /** The agent's aws tools and their data classes (plan). */
  readonly tools?: ReadonlyArray<{ readonly name: string; readonly dataClass: string }>;
  /** The account the tool role lives in, when known: the engine role must be in it. */
  readonly accountId?: string;
}

/** trust/tool-role-vault-only over one tool role's trust policy. */
export function checkToolRoleTrust(document: PolicyDocument, expected: ToolRoleTrustExpectation = {}): Problem[] {
  const rule = "trust/tool-role-vault-only";
  const problems: Problem[] = [];
  const add = (message: string, fix: string) => problems.push({ rule, message, fix });
  const statements = Array.isArray(document.Statement) ? document.Statement : [];
  const toolNames = expected.tools ? new Map(expected.tools.map((tool) => [tool.name, tool.dataClass])) : undefined;
  for (const [index, statement] of statements.entries()) {
    const label = statement.Sid ? `statement ${statement.Sid}` : `statement #${index + 1}`;
    if (statement.Effect === "Deny") continue; // a revoked agent's trust: admits nobody
    if (statement.Effect !== "Allow") {
      add(`${label} has Effect ${String(statement.Effect)}`, 'use "Allow" (or "Deny" for a revoked agent)');
      continue;
    }
    const raw = statement as PolicyStatement & { NotPrincipal?: unknown };
    if (raw.NotPrincipal !== undefined) add(`${label} uses NotPrincipal: it admits everyone not listed`, "name the Vault AWS engine role as Principal.AWS");
    if (statement.NotAction !== undefined)
      add(`${label} uses NotAction: it admits every action not listed`, 'list "sts:AssumeRole" or "sts:TagSession" under Action');

    // Principal: exactly one concrete IAM role, nothing else.
    const principal = statement.Principal;
    const keys = principal && principal !== "*" ? Object.keys(principal) : [];
    const awsPrincipals = principal && principal !== "*" ? asList(principal.AWS) : [];
    const engine = awsPrincipals[0];
    if (principal === undefined || principal === "*" || keys.length !== 1 || keys[0] !== "AWS" || awsPrincipals.length !== 1 || !ROLE_ARN.test(engine)) {
      add(
        `${label} trusts ${principal === undefined ? "no principal" : JSON.stringify(principal)}, not exactly one IAM role`,
        "trust only the role Vault's AWS secrets engine runs as (platform.vault.awsEngineRoleArn): never *, an account root, a user, a service or a federated principal",
      );
    } else {
      if (expected.engineRoleArn && engine.toLowerCase() !== expected.engineRoleArn.toLowerCase()) {
        add(`${label} trusts ${engine}, not the Vault AWS engine role ${expected.engineRoleArn}`, `trust only ${expected.engineRoleArn}`);
      }
      const account = engine.split(":")[4];
      if (expected.accountId && account !== expected.accountId)
        add(
          `${label} trusts ${engine}, a role of account ${account}, not the tool role's account ${expected.accountId}`,
          "trust the Vault AWS engine role of the platform account",
        );
    }

    // Actions: AssumeRole and TagSession only.
    const actions = asList(statement.Action);
    const lower = actions.map((action) => action.toLowerCase());
    const assume = lower.includes(TOOL_ROLE_ACTIONS.assume.toLowerCase());
    const tag = lower.includes(TOOL_ROLE_ACTIONS.tag.toLowerCase());
    const others = actions.filter((action) => ![TOOL_ROLE_ACTIONS.assume, TOOL_ROLE_ACTIONS.tag].some((ok) => ok.toLowerCase() === action.toLowerCase()));
    if (others.length || actions.length === 0)
      add(`${label} trusts actions [${actions.join(", ")}]`, 'trust only "sts:AssumeRole" (one statement per data class) and "sts:TagSession"');

    // Conditions: only StringEquals (and ForAllValues:StringEquals on aws:TagKeys), nothing that loosens.
    const all = entries(statement);
    const loose = all.filter(
      (entry) => !TRUST_OPERATORS.has(entry.operator) || (entry.operator === "ForAllValues:StringEquals" && entry.key.toLowerCase() !== "aws:tagkeys"),
    );
    if (loose.length)
      add(
        `${label} uses ${loose.map((e) => `${e.operator} on ${e.key}`).join(", ")}`,
        "pin each session tag with StringEquals and the tag keys with ForAllValues:StringEquals aws:TagKeys; no other operator",
      );

    const single = (key: string, what: string): string | null => {
      const values = pinned(all, requestTag(key));
      if (!values || values.length !== 1) {
        add(
          `${label}: ${requestTag(key)} is ${describe(all, requestTag(key))}, not one exact ${what}`,
          `pin ${requestTag(key)} with StringEquals to one value`,
        );
        return null;
      }
      return values[0];
    };
    const list = (key: string, what: string): string[] | null => {
      const values = pinned(all, requestTag(key));
      if (!values)
        add(`${label}: ${requestTag(key)} is ${describe(all, requestTag(key))}, not a list of exact ${what}`, `pin ${requestTag(key)} with StringEquals`);
      return values;
    };
    const knownClass = (value: string) => (DATA_CLASSES as readonly string[]).includes(value);

    if (assume) {
      // Tools sharing a data class (and external id) share one statement: the tool tag may list them,
      // the data class is one value, and every listed tool must be declared with that class.
      const tools = list(SESSION_TAG.tool, "tools");
      if (tools && tools.length === 0)
        add(`${label}: ${requestTag(SESSION_TAG.tool)} lists no tool`, `pin ${requestTag(SESSION_TAG.tool)} to the tools of this data class`);
      const dataClass = single(SESSION_TAG.dataClass, "data class");
      if (dataClass !== null && !knownClass(dataClass))
        add(`${label}: data class "${dataClass}" is not one of ${DATA_CLASSES.join(", ")}`, "pin the tool's declared data class");
      if (toolNames && tools && dataClass !== null) {
        for (const tool of tools) {
          const declared = toolNames.get(tool);
          if (declared === undefined)
            add(
              `${label} admits sessions of tool "${tool}", which is not an aws tool of agent ${expected.agent ?? "?"}`,
              "let the Agent component write the tool role's trust",
            );
          else if (declared !== dataClass)
            add(
              `${label} admits tool ${tool} with data class ${dataClass}, not its declared ${declared}`,
              `pin ${requestTag(SESSION_TAG.dataClass)} to ${declared}`,
            );
        }
      }
      const externalIds = entriesFor(all, "sts:ExternalId");
      if (externalIds.length && pinned(all, "sts:ExternalId")?.length !== 1)
        add(`${label}: sts:ExternalId is ${describe(all, "sts:ExternalId")}`, "pin sts:ExternalId with StringEquals to one value, or leave it out");
    }
    if (tag) {
      const agent = single(SESSION_TAG.agent, "agent");
      const identity = single(SESSION_TAG.identity, "identity");
      const environment = single(SESSION_TAG.environment, "environment");
      const tools = list(SESSION_TAG.tool, "tools");
      const classes = list(SESSION_TAG.dataClass, "data classes");
      if (identity !== null && identity !== "execution")
        add(`${label}: ${requestTag(SESSION_TAG.identity)} is "${identity}", not "execution"`, "a tool session belongs to the execution identity");
      if (expected.agent !== undefined && agent !== null && agent !== expected.agent)
        add(`${label}: sessions are tagged for agent "${agent}", not ${expected.agent}`, `pin ${requestTag(SESSION_TAG.agent)} to ${expected.agent}`);
      if (expected.environment !== undefined && environment !== null && environment !== expected.environment)
        add(
          `${label}: sessions are tagged for environment "${environment}", not ${expected.environment}`,
          `pin ${requestTag(SESSION_TAG.environment)} to ${expected.environment}`,
        );
      if (classes)
        for (const value of classes.filter((c) => !knownClass(c)))
          add(`${label}: data class "${value}" is not one of ${DATA_CLASSES.join(", ")}`, "pin the tools' declared data classes");
      if (toolNames && tools)
        for (const name of tools.filter((t) => !toolNames.has(t)))
          add(
            `${label} admits sessions of tool "${name}", which is not an aws tool of agent ${expected.agent ?? "?"}`,
            "let the Agent component write the tool role's trust",
          );
      if (expected.tools && classes)
        for (const value of classes.filter((c) => !expected.tools!.some((tool) => tool.dataClass === c)))
          add(
            `${label} admits data class "${value}", which no aws tool of agent ${expected.agent ?? "?"} declares`,
            "let the Agent component write the tool role's trust",
          );
      const keys = entriesFor(all, "aws:TagKeys");
      const within =
        keys.length === 1 &&
        keys[0].operator === "ForAllValues:StringEquals" &&
        keys[0].values.length > 0 &&
        keys[0].values.every((key) => SESSION_TAG_KEYS.includes(key));
      if (!within)
        add(
          `${label}: aws:TagKeys is ${describe(all, "aws:TagKeys")}, not limited to the session tag keys`,
          `add ForAllValues:StringEquals aws:TagKeys [${SESSION_TAG_KEYS.join(", ")}]`,
        );
    }
  }
  return problems;
}

/** What a tool role statement must be bound to, when known (plan). */
export interface ToolStatementBinding {
  readonly tool: string;
  readonly dataClass: string;
  readonly environment: string;
}

/**
 * iam/tool-session-bound over one permission policy on a tool role: every Allow holds only for one
 * tool's session (`StringEquals` `aws:PrincipalTag/…` tool, data class, environment, one value each).
 * `bindingOf` returns what a statement must be bound to (plan), or undefined: then any single value.
 */
export function checkToolRoleStatements(
  document: PolicyDocument,
  label: string,
  bindingOf?: (statement: PolicyStatement) => ToolStatementBinding | null,
): Problem[] {
  const rule = "iam/tool-session-bound";
  const problems: Problem[] = [];
  const statements = Array.isArray(document.Statement) ? document.Statement : [];
  for (const [index, statement] of statements.entries()) {
    if (statement.Effect !== "Allow") continue;
    const where = `${label} ${statement.Sid ? `statement ${statement.Sid}` : `statement #${index + 1}`}`;
    const all = entries(statement);
    const expected = bindingOf?.(statement);
    if (bindingOf && !expected) {
      problems.push({
        rule,
        message: `${where} belongs to no aws tool of the agent`,
        fix: "a tool role holds only its aws tools' statements, each bound to its tool's session",
      });
      continue;
    }
    const wanted: Array<[string, string | undefined]> = [
      [SESSION_TAG.tool, expected?.tool],
      [SESSION_TAG.dataClass, expected?.dataClass],
      [SESSION_TAG.environment, expected?.environment],
    ];
    for (const [key, value] of wanted) {
      const values = pinned(all, principalTag(key));
      if (!values || values.length !== 1) {
        problems.push({
          rule,
          message: `${where}: ${principalTag(key)} is ${describe(all, principalTag(key))}, not one exact value: the grant would hold for another tool's session`,
          fix: `bind the statement with StringEquals ${principalTag(key)}${value ? ` = ${value}` : ""} (the components do)`,
        });
      } else if (value !== undefined && values[0] !== value) {
        problems.push({
          rule,
          message: `${where}: ${principalTag(key)} is "${values[0]}", not "${value}"`,
          fix: `bind the statement to ${principalTag(key)} = ${value}`,
        });
      }
    }
  }
  return problems;
}

/** A Vault AWS secret role as the check reads it. */
export interface ToolSessionSecretRole {
  readonly roleArns: readonly string[];
  /** Session tags Vault sets; undefined or null: none. */
  readonly sessionTags?: Readonly<Record<string, unknown>> | null;
}

/**
 * vault/tool-session-tags over one secret role that mints a tool session: it names exactly the tool
 * role and sets exactly the five session tags (`expectedTags`: their values, in the plan).
 */
export function checkToolSessionSecretRole(
  role: ToolSessionSecretRole,
  expected: { readonly toolRoleArn?: string; readonly tags?: Readonly<Record<string, string>> } = {},
): Problem[] {
  const rule = "vault/tool-session-tags";
  const problems: Problem[] = [];
  const arns = role.roleArns;
  if (arns.length !== 1 || hasWildcard(arns[0]) || (expected.toolRoleArn !== undefined && arns[0].toLowerCase() !== expected.toolRoleArn.toLowerCase())) {
    problems.push({
      rule,
      message: `the tool session's secret role assumes [${arns.join(", ")}], not exactly ${expected.toolRoleArn ?? "one tool role"}`,
      fix: "a tool's secret role names only its agent's tool role",
    });
  }
  const tags = role.sessionTags ?? undefined;
  if (tags === undefined) {
    problems.push({
      rule,
      message: `the secret role assumes tool role ${arns.join(", ")} without session tags: the session would carry no tool, and every grant would deny (or, on a role not bound to tags, hold for every tool)`,
      fix: `set sessionTags ${SESSION_TAG_KEYS.join(", ")} (Vault ${"1.17.2"}+; the components do)`,
    });
    return problems;
  }
  const keys = Object.keys(tags);
  const missing = SESSION_TAG_KEYS.filter((key) => !keys.includes(key));
  const extra = keys.filter((key) => !SESSION_TAG_KEYS.includes(key));
  if (missing.length || extra.length) {
    problems.push({
      rule,
      message: `session tags are [${keys.join(", ")}]${missing.length ? `; missing ${missing.join(", ")}` : ""}${extra.length ? `; unexpected ${extra.join(", ")}` : ""}`,
      fix: `set exactly the session tags ${SESSION_TAG_KEYS.join(", ")}`,
    });
  }
  for (const key of keys.filter((k) => SESSION_TAG_KEYS.includes(k))) {
    const value = tags[key];
    if (typeof value !== "string" || !plainValue(value))
      problems.push({ rule, message: `session tag ${key} is ${JSON.stringify(value)}, not one plain value`, fix: `set ${key} to its one value` });
    else if (expected.tags && expected.tags[key] !== value)
      problems.push({ rule, message: `session tag ${key} is "${value}", not "${expected.tags[key]}"`, fix: `set ${key} to ${expected.tags[key]}` });
  }
  if (tags[SESSION_TAG.identity] !== undefined && tags[SESSION_TAG.identity] !== "execution")
    problems.push({
      rule,
      message: `session tag ${SESSION_TAG.identity} is ${JSON.stringify(tags[SESSION_TAG.identity])}, not "execution"`,
      fix: "a tool session belongs to the execution identity",
    });
  const dataClass = tags[SESSION_TAG.dataClass];
  if (typeof dataClass === "string" && !(DATA_CLASSES as readonly string[]).includes(dataClass))
    problems.push({
      rule,
      message: `session tag ${SESSION_TAG.dataClass} is "${dataClass}", not one of ${DATA_CLASSES.join(", ")}`,
      fix: "set the tool's declared data class",
    });
  return problems;
}
