/**
 * Every role a resource's inputs reach (stack/deploy-time-executor, read by deploy-roles.ts), found
 * closed-world: a string under a role-bearing input name (ROLE_FIELD, sourced from the installed
 * provider's input names), and any string at any depth, whatever its field, that contains an IAM
 * role or instance-profile ARN, including inside JSON or YAML text (an OpenAPI `body`, a pipeline
 * definition, container definitions), decoded when it holds escapes. A Lambda function ARN found the
 * same way is the code a trigger runs. Bounded: MAX_NODES values, MAX_TEXT characters, MAX_DEPTH
 * nested documents; past a bound the resource is refused as too large to read.
 */
import { parse as parseYaml } from "yaml";
import { asString } from "../inputs";

/** An input naming a role or instance profile: `…Role`, `…RoleArn(s)`, `…RoleName`, `roles`, `…InstanceProfile(Arn|Name)`. */
export const ROLE_FIELD = /(?:^r|R)oles?(?:Arns?|Names?)?$|(?:^i|I)nstanceProfile(?:Arns?|Names?)?$/;

/**
 * Names ROLE_FIELD matches whose bare value is no IAM role (an enum, a database or OpenSearch role,
 * a Kubernetes role mapping), with why. A role ARN under one of them still counts (the ARN scan).
 */
export const NOT_ROLE_FIELDS: Readonly<Record<string, string>> = {
  columnGeographicRole: "QuickSight column's geographic role (COUNTRY, STATE ...)",
  masterBackendRole: "OpenSearch fine-grained access control's backend role name",
  principalRole: "Lake Formation / DataZone principal role kind, not an IAM role the service assumes",
  snowflakeRole: "a Snowflake database role",
  userRole: "a Kendra / Connect user role kind (EMR Studio's userRole is an ARN: the ARN scan reads it)",
  approvalRole: "an approval rule's role name in a workflow",
  keyRole: "Payment Cryptography key role (an enum)",
};

/** Whether an input name bears a role (ROLE_FIELD, minus NOT_ROLE_FIELDS). */
export const isRoleField = (name: string) => ROLE_FIELD.test(name) && NOT_ROLE_FIELDS[name] === undefined;

/** An IAM role or instance-profile ARN inside any text (IAM name and path characters, wildcards included). */
const ROLE_ARN = /arn:([^:\s"'`]*):iam::([^:\s"'`]*):(role|instance-profile)(\/[\w+=,.@/*?-]*)/gi;
/** A Lambda function ARN inside any text (an API Gateway invocation URI wraps one). */
const FUNCTION_ARN = /arn:[^:\s"'`]*:lambda:[^:\s"'`]*:[^:\s"'`]*:function:([\w.*?-]+)/gi;

const MAX_NODES = 50_000;
const MAX_TEXT = 4 * 1024 * 1024;
const MAX_DEPTH = 4;

/** One role reference: where, and the string (undefined when the input is unknown at preview). */
export interface RoleUse {
  readonly path: string;
  readonly value: string | undefined;
}

/** A role or instance-profile ARN read by its parts. */
export interface RoleArn {
  readonly partition: string;
  readonly account: string;
  readonly kind: "role" | "instance-profile";
  /** `/` or `/a/b/`, as IAM writes paths. */
  readonly path: string;
  readonly name: string;
}

/** The parts of a role or instance-profile ARN, or undefined when the value is not exactly one. */
export function parseRoleArn(value: string): RoleArn | undefined {
  const match = new RegExp(`^${ROLE_ARN.source}$`, "i").exec(value);
  if (!match) return undefined;
  const rest = match[4]!;
  const cut = rest.lastIndexOf("/");
  return {
    partition: match[1]!,
    account: match[2]!,
    kind: match[3]!.toLowerCase() as RoleArn["kind"],
    path: rest.slice(0, cut + 1),
    name: rest.slice(cut + 1),
  };
}

/** Beanstalk option settings and Data Pipeline fields carry a role in a `{name|key, value|stringValue}` entry (`IamInstanceProfile`, `ServiceRole`, `resourceRole`). */
function settingValue(entry: Record<string, unknown>): [string, unknown] | undefined {
  const name = asString(entry.name) ?? asString(entry.key);
  if (name === undefined || !(/^(?:IamInstanceProfile|ServiceRole|InstanceRole)$/.test(name) || isRoleField(name))) return undefined;
  return "value" in entry ? ["value", entry.value] : "stringValue" in entry ? ["stringValue", entry.stringValue] : undefined;
}

/** A policy statement's principal and condition name who may act, not a role handed to a service (the IAM and resource-policy rules judge them). */
const isStatement = (record: Record<string, unknown>) => typeof record.Effect === "string";
const STATEMENT_SUBJECT: ReadonlySet<string> = new Set(["Principal", "NotPrincipal", "Condition"]);

/**
 * Text that is a JSON document (walked as its values, so a policy statement's principal is seen as
 * one), or YAML hiding an ARN behind escapes: parsed, bounded; undefined when neither.
 */
function decoded(text: string): unknown {
  const json = /^\s*[[{]/.test(text);
  if (!json && !text.includes("\\")) return undefined; // plain text without escapes shows every ARN a parser would
  try {
    if (json) return JSON.parse(text);
  } catch {
    // not JSON: YAML below
  }
  try {
    return text.includes("\\") ? parseYaml(text, { maxAliasCount: 0 }) : undefined;
  } catch {
    return undefined;
  }
}

/** What a resource's inputs reach: role references and Lambda function ARNs, or "too-large". */
export interface References {
  readonly roles: RoleUse[];
  readonly functions: Array<{ readonly path: string; readonly value: string; readonly name: string }>;
}

/** Every role-bearing string at any depth (bounded), the role-bearing paths unknown at preview, and the Lambda function ARNs. */
export function references(value: unknown, unknown: readonly string[]): References | "too-large" {
  const roles: RoleUse[] = unknown.filter((path) => path.split(/[.[\]]/).some((segment) => isRoleField(segment))).map((path) => ({ path, value: undefined }));
  const functions: References["functions"] = [];
  const stack: Array<[unknown, string, boolean, number]> = [[value, "", false, 0]];
  let text = 0;
  for (let seen = 0; stack.length > 0; seen++) {
    if (seen > MAX_NODES) return "too-large";
    const [node, path, bearing, depth] = stack.pop()!;
    if (typeof node === "string") {
      if ((text += node.length) > MAX_TEXT) return "too-large";
      if (bearing && node !== "") roles.push({ path, value: node });
      const document = bearing ? undefined : decoded(node);
      if (document !== undefined && document !== null && typeof document === "object") {
        // A document is read through its values, whose own ARNs the walk finds.
        if (depth >= MAX_DEPTH) return "too-large";
        stack.push([document, `${path}<decoded>`, false, depth + 1]);
        continue;
      }
      if (!bearing) for (const match of node.matchAll(ROLE_ARN)) roles.push({ path, value: match[0] });
      for (const match of node.matchAll(FUNCTION_ARN)) functions.push({ path, value: match[0], name: match[1]! });
      if (typeof document === "string" && document !== node) {
        if (depth >= MAX_DEPTH) return "too-large";
        stack.push([document, `${path}<decoded>`, false, depth + 1]);
      }
    } else if (Array.isArray(node)) node.forEach((item, i) => stack.push([item, `${path}[${i}]`, bearing, depth]));
    else if (node && typeof node === "object") {
      const record = node as Record<string, unknown>;
      const setting = settingValue(record);
      if (setting) stack.push([setting[1], `${path}.${setting[0]}`, true, depth]);
      const statement = isStatement(record);
      for (const [key, item] of Object.entries(record)) {
        if (statement && STATEMENT_SUBJECT.has(key)) continue;
        if (setting && key === setting[0]) continue;
        stack.push([item, path ? `${path}.${key}` : key, bearing || isRoleField(key), depth]);
      }
    }
  }
  return { roles, functions };
}
