/**
 * Closed world over the roles a stack with agents hands AWS services (stack/deploy-time-executor):
 * an ECS task, an App Runner service, a notebook, a Glue job, an Airflow environment, a Beanstalk
 * environment, a Lambda function ... runs code under the role or instance profile one of its inputs
 * names. Listing the services that run code never ends, so every @pulumi/aws resource (IAM's own
 * types aside: the IAM rules judge them) whose role-bearing input (ROLE_FIELD, checked against the
 * installed provider's input names in test/policy/deploy-roles.test.ts) names a role or instance
 * profile the stack does not create is refused unless declared (kubernetesPlatformResources). And
 * triggers that run existing code without naming a role (an EventBridge or Scheduler target, an S3
 * notification, an SNS subscription, a Lambda permission or event source mapping) are refused when
 * the Lambda function they reach is not one the stack creates (whose own role is then judged here).
 * What the role may do is not read: an existing role is unknown to the pack, whatever its name.
 */
import type { PackFinding } from "../types";
import { asString } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter, PackResource, StackPass } from "../types";
import type { StackIndex } from "../stack-index";

const RULE = "stack/deploy-time-executor";
const ROLE = "aws:iam/role:Role";
const PROFILE = "aws:iam/instanceProfile:InstanceProfile";
const FUNCTION = "aws:lambda/function:Function";

/** An input naming a role or instance profile: `…Role`, `…RoleArn(s)`, `…RoleName`, `roles`, `…InstanceProfile(Arn|Name)`. */
export const ROLE_FIELD = /(?:^r|R)oles?(?:Arns?|Names?)?$|(?:^i|I)nstanceProfile(?:Arns?|Names?)?$/;

/** Names ROLE_FIELD matches that hold no IAM role (an enum, a database or OpenSearch role, a Kubernetes role mapping), with why. */
export const NOT_ROLE_FIELDS: Readonly<Record<string, string>> = {
  columnGeographicRole: "QuickSight column's geographic role (COUNTRY, STATE ...)",
  masterBackendRole: "OpenSearch fine-grained access control's backend role name",
  principalRole: "Lake Formation / DataZone principal role kind, not an IAM role the service assumes",
  snowflakeRole: "a Snowflake database role",
  userRole: "a Kendra / Connect user role kind",
  approvalRole: "an approval rule's role name in a workflow",
  keyRole: "Payment Cryptography key role (an enum)",
};

/** Whether an input name bears a role (ROLE_FIELD, minus NOT_ROLE_FIELDS). */
export const isRoleField = (name: string) => ROLE_FIELD.test(name) && NOT_ROLE_FIELDS[name] === undefined;

/** Beanstalk-style option settings carry the role in a `{name, value}` entry (`IamInstanceProfile`, `ServiceRole`). */
const settingBearsRole = (entry: Record<string, unknown>) => {
  const name = asString(entry.name);
  return name !== undefined && /^(?:IamInstanceProfile|ServiceRole|InstanceRole)$/.test(name);
};

/** Types whose role another rule judges: a Pod Identity association hands a pod (not a service) its role (kubernetes/eks-access). */
const OWNED_ELSEWHERE: ReadonlySet<string> = new Set(["aws:eks/podIdentityAssociation:PodIdentityAssociation"]);

const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/;
/** Trigger types and the inputs naming the code they run (a Lambda function by ARN or name). */
const TRIGGERS: Readonly<Record<string, readonly string[]>> = {
  "aws:cloudwatch/eventTarget:EventTarget": ["arn"],
  "aws:scheduler/schedule:Schedule": ["target"],
  "aws:pipes/pipe:Pipe": ["target", "enrichment"],
  "aws:s3/bucketNotification:BucketNotification": ["lambdaFunctions"],
  "aws:sns/topicSubscription:TopicSubscription": ["endpoint"],
  "aws:lambda/permission:Permission": ["function"],
  "aws:lambda/eventSourceMapping:EventSourceMapping": ["functionName"],
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": ["functionName"],
  "aws:lambda/functionUrl:FunctionUrl": ["functionName"],
};
/** Fields holding a bare function name (not only an ARN). */
const NAME_FIELDS: ReadonlySet<string> = new Set(["function", "functionName"]);

interface Use {
  readonly path: string;
  readonly value: string | undefined;
}

/** Every role-bearing string at any depth (bounded), and the role-bearing paths unknown at preview. */
function roleUses(value: unknown, unknown: readonly string[]): Use[] | "too-large" {
  const uses: Use[] = unknown.filter((path) => path.split(/[.[\]]/).some((segment) => isRoleField(segment))).map((path) => ({ path, value: undefined }));
  const stack: Array<[unknown, string, boolean]> = [[value, "", false]];
  for (let seen = 0; stack.length > 0; seen++) {
    if (seen > 5_000) return "too-large";
    const [node, path, bearing] = stack.pop()!;
    if (typeof node === "string") {
      if (bearing && node !== "") uses.push({ path, value: node });
    } else if (Array.isArray(node)) node.forEach((item, i) => stack.push([item, `${path}[${i}]`, bearing]));
    else if (node && typeof node === "object") {
      const record = node as Record<string, unknown>;
      if (settingBearsRole(record)) stack.push([record.value, `${path}.value`, true]);
      for (const [key, item] of Object.entries(record)) stack.push([item, path ? `${path}.${key}` : key, bearing || isRoleField(key)]);
    }
  }
  return uses;
}

/** The last name of a role or instance profile ARN (`arn:aws:iam::1:role/path/name` → `name`), or the name as written. */
const lastName = (value: string, kind: "role" | "instance-profile") => {
  const arn = new RegExp(`^arn:[^:]+:iam::[^:]*:${kind}/(?:.*/)?([^/]+)$`).exec(value);
  return (arn ? arn[1]! : value).toLowerCase();
};

const isFromStack = (deps: readonly PackResource[] | undefined, types: readonly string[], own: ReadonlySet<string>) =>
  deps !== undefined && deps.length > 0 && deps.every((d) => types.includes(d.type) && own.has(d.urn));

function finding(resource: PackResource, why: string): PackFinding {
  return {
    rule: RULE,
    agent: resource.name,
    identity: null,
    urn: resource.urn,
    platformResource: platformResourceKey(resource.type, resource.name),
    message: `${resource.type} ${resource.name} ${why}: the service runs code under it that the pack cannot read, and an existing role may hold anything (an agent role's policies, the platform's)`,
    fix: "create the role (or the function) in this stack, where the pack reads it, or have the security team declare the resource in the pack's configuration (kubernetesPlatformResources)",
  };
}

function deployRoles(ix: StackIndex, pass: StackPass): void {
  if (ix.serviceAccounts.length === 0) return;
  const roleNames = new Set<string>();
  const profileNames = new Set<string>();
  const functionNames = new Set<string>();
  const own = new Set<string>();
  for (const entry of ix.inputs) {
    const { type, urn } = entry.resource;
    const name = asString(entry.value.name)?.toLowerCase();
    if (type === ROLE || type === PROFILE || type === FUNCTION) own.add(urn);
    if (name === undefined) continue;
    if (type === ROLE) roleNames.add(name);
    else if (type === PROFILE) profileNames.add(name);
    else if (type === FUNCTION) functionNames.add(name);
  }
  const ownRole = (value: string) => roleNames.has(lastName(value, "role")) || profileNames.has(lastName(value, "instance-profile"));
  const deps = (resource: PackResource, path: string) => resource.propertyDependencies?.[path.split(/[.[]/)[0]!];

  for (const entry of ix.inputs) {
    const { resource } = entry;
    if (!resource.type.startsWith("aws:") || resource.type.startsWith("aws:iam/") || OWNED_ELSEWHERE.has(resource.type)) continue;
    const uses = roleUses(entry.value, entry.unknown);
    if (uses === "too-large") {
      pass.findings.push(finding(resource, "has inputs too large to read for the roles it hands a service"));
      continue;
    }
    const bad = uses.find((use) => (use.value === undefined ? !isFromStack(deps(resource, use.path), [ROLE, PROFILE], own) : !ownRole(use.value)));
    if (bad)
      pass.findings.push(
        finding(
          resource,
          bad.value === undefined
            ? `hands a service the role in ${bad.path}, unknown at preview and not an output of a role the stack creates`
            : `hands a service the role ${bad.value} (${bad.path}), which the stack does not create`,
        ),
      );

    const fields = TRIGGERS[resource.type];
    if (!fields) continue;
    for (const field of fields) {
      if (entry.unknown.some((path) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`))) {
        if (isFromStack(resource.propertyDependencies?.[field], [FUNCTION, ROLE], own)) continue;
        pass.findings.push(finding(resource, `runs code named by ${field}, unknown at preview and not an output of a function the stack creates`));
        break;
      }
      const strings: string[] = [];
      const walk = (node: unknown): void => {
        if (typeof node === "string") strings.push(node);
        else if (Array.isArray(node)) node.forEach(walk);
        else if (node && typeof node === "object") Object.values(node).forEach(walk);
      };
      walk(entry.value[field]);
      const foreign = strings.find((s) => {
        const arn = LAMBDA_ARN.exec(s);
        const name = arn ? arn[1]! : NAME_FIELDS.has(field) ? s : undefined;
        return name !== undefined && !functionNames.has(name.toLowerCase());
      });
      if (foreign !== undefined) {
        pass.findings.push(finding(resource, `runs the Lambda function ${foreign} (${field}), which the stack does not create (its code and role are unread)`));
        break;
      }
    }
  }
}

export const deployRolesAdapter: Adapter = {
  family: "deploy-roles",
  holdings: "none: a role handed to a service is judged by whether the stack creates it, not by what it holds",
  types: [],
  stack: (ix, pass) => deployRoles(ix, pass),
};
