/**
 * Task-context binding (`platform.toolSessions: tagged-sessions`): each aws tool's grants live on
 * the agent's tool role, and each statement holds only for a session tagged with that tool, its data
 * class and the environment. Only Vault's AWS secrets engine may assume the role, and only with
 * exactly these tags, which Vault sets from the tool's own secret role (never from the caller).
 * A credential minted for one tool cannot act for another, and CloudTrail names the tool.
 */
import type { PolicyDocument, PolicyStatement } from "./iam-document";
import { policyDocument, sid } from "./iam-document";
import type { DataClass } from "./tiers";

/** Session tag keys, in the order Vault's roles list them. Tag keys allow letters, digits and `_.:/=+-@`. */
export const SESSION_TAG = {
  agent: "agent-identity:agent",
  identity: "agent-identity:identity",
  tool: "agent-identity:tool",
  dataClass: "agent-identity:data-class",
  environment: "agent-identity:environment",
} as const;
export const SESSION_TAG_KEYS: readonly string[] = Object.values(SESSION_TAG);

/** The IAM role tag that marks a tool role (read by the policy pack and the diff). */
export const TOOL_ROLE_TAG = { key: "role", value: "tool-sessions" } as const;

export const TOOL_ROLE_ACTIONS = { assume: "sts:AssumeRole", tag: "sts:TagSession" } as const;

export interface ToolSessionTool {
  readonly name: string;
  readonly dataClass: DataClass;
  readonly externalId?: string;
}

export interface ToolSessionContext {
  readonly agent: string;
  readonly environment: string;
}

/** The session tags Vault sets when it mints credentials for one tool. */
export function sessionTagsFor(context: ToolSessionContext, tool: Pick<ToolSessionTool, "name" | "dataClass">): Record<string, string> {
  return {
    [SESSION_TAG.agent]: context.agent,
    [SESSION_TAG.identity]: "execution",
    [SESSION_TAG.tool]: tool.name,
    [SESSION_TAG.dataClass]: tool.dataClass,
    [SESSION_TAG.environment]: context.environment,
  };
}

/**
 * Add the session binding to one tool statement: it holds only while the session's principal tags
 * name this tool, its data class and the environment. A session missing a tag fails `StringEquals`
 * (an absent key never equals), so a session without the data-class tag gets nothing either.
 */
export function bindToToolSession(statement: PolicyStatement, context: ToolSessionContext, tool: Pick<ToolSessionTool, "name" | "dataClass">): PolicyStatement {
  const condition = statement.Condition ?? {};
  return {
    ...statement,
    Condition: {
      ...condition,
      StringEquals: {
        ...(condition.StringEquals ?? {}),
        [`aws:PrincipalTag/${SESSION_TAG.tool}`]: tool.name,
        [`aws:PrincipalTag/${SESSION_TAG.dataClass}`]: tool.dataClass,
        [`aws:PrincipalTag/${SESSION_TAG.environment}`]: context.environment,
      },
    },
  };
}

/**
 * The tool role's trust. `sts:AssumeRole` statements pair each tool tag with that tool's data class
 * (and external id): one statement per data class and external id, listing its tools, so the trust
 * grows by a tool name per tool rather than a statement. One `sts:TagSession` statement requires the
 * agent, identity and environment tags and admits no tag key but ours (`ForAllValues` over
 * `aws:TagKeys`). STS authorises both actions on every tagged AssumeRole, so a session needs both;
 * an untagged request fails the `aws:RequestTag` conditions of the first. The only principal is the
 * Vault AWS engine's role. A revoked agent keeps the statements as Deny: no new tool session starts.
 */
export function toolRoleTrust(engineRoleArn: string, context: ToolSessionContext, tools: readonly ToolSessionTool[], revoked: boolean): PolicyDocument {
  const effect = revoked ? "Deny" : "Allow";
  const principal = { AWS: engineRoleArn };
  const groups = new Map<string, { dataClass: DataClass; externalId?: string; tools: string[] }>();
  for (const tool of tools) {
    const key = `${tool.dataClass}\u0000${tool.externalId ?? ""}`;
    const group = groups.get(key) ?? { dataClass: tool.dataClass, externalId: tool.externalId, tools: [] };
    group.tools.push(tool.name);
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort((a, b) => compare(a.dataClass, b.dataClass) || compare(a.externalId ?? "", b.externalId ?? ""));
  const withId = new Map<string, number>();
  const assume: PolicyStatement[] = ordered.map((group) => {
    // The group without an external id keeps the plain Sid; the others are numbered within their class.
    const n = group.externalId ? (withId.get(group.dataClass) ?? 0) + 1 : 0;
    if (group.externalId) withId.set(group.dataClass, n);
    return {
      Sid: sid("VaultMints", group.dataClass, "Tools", ...(n ? ["ExternalId", String(n)] : [])),
      Effect: effect,
      Principal: principal,
      Action: [TOOL_ROLE_ACTIONS.assume],
      Condition: {
        StringEquals: {
          [`aws:RequestTag/${SESSION_TAG.tool}`]: group.tools.length === 1 ? group.tools[0] : group.tools,
          [`aws:RequestTag/${SESSION_TAG.dataClass}`]: group.dataClass,
          ...(group.externalId ? { "sts:ExternalId": group.externalId } : {}),
        },
      },
    };
  });
  const names = tools.map((tool) => tool.name);
  const classes = [...new Set(tools.map((tool) => tool.dataClass))];
  const tag: PolicyStatement = {
    Sid: "VaultTagsToolSessions",
    Effect: effect,
    Principal: principal,
    Action: [TOOL_ROLE_ACTIONS.tag],
    Condition: {
      StringEquals: {
        [`aws:RequestTag/${SESSION_TAG.agent}`]: context.agent,
        [`aws:RequestTag/${SESSION_TAG.identity}`]: "execution",
        [`aws:RequestTag/${SESSION_TAG.environment}`]: context.environment,
        [`aws:RequestTag/${SESSION_TAG.tool}`]: names.length === 1 ? names[0] : names,
        [`aws:RequestTag/${SESSION_TAG.dataClass}`]: classes.length === 1 ? classes[0] : classes,
      },
      "ForAllValues:StringEquals": { "aws:TagKeys": [...SESSION_TAG_KEYS] },
    },
  };
  return policyDocument([...assume, tag]);
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Vault's username template for the AWS mount (`aws/config/root` `username_template`): an
 * assumed-role session is named `<Vault role>-<random>` where the Vault role is `<env>.<agent>.<tool>`,
 * so `userIdentity.arn` in CloudTrail names the tool. Vault normalises the role name to
 * `[a-zA-Z0-9+=,.@_-]` and refuses a name over 64 characters; 43 + 1 + 20 = 64. Federation tokens
 * (`.Type` STS, 32 characters) keep Vault's default form.
 */
export const AWS_SESSION_NAME_TEMPLATE =
  '{{ if (eq .Type "STS") }}{{ printf "vault-%s-%s" (unix_time) (random 20) | truncate 32 }}{{ else }}{{ printf "%s-%s" (.PolicyName | truncate 43) (random 20) | truncate 64 }}{{ end }}';

/**
 * Vault's username template for a database connection: the PostgreSQL user starts with the tool's
 * Vault role (`<env>-<agent>-<tool>`, dots made dashes), so `pg_stat_activity` and the server log
 * name the tool. PostgreSQL identifiers are at most 63 bytes: 2 + 40 + 1 + 20 = 63.
 */
export const DATABASE_USERNAME_TEMPLATE = '{{ printf "v-%s-%s" (.RoleName | replace "." "-" | truncate 40) (random 20) | truncate 63 }}';
