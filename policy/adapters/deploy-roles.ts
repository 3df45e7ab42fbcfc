/**
 * Closed world over the roles a stack with agents hands AWS services (stack/deploy-time-executor):
 * an ECS task, an App Runner service, a notebook, a Glue job, an API Gateway integration, a Beanstalk
 * environment, a Lambda function ... runs code under the role or instance profile one of its inputs
 * names. Listing the services that run code never ends, so every @pulumi/aws resource (IAM's own
 * types aside: the IAM rules judge them) is read by role-references.ts: a role-bearing input
 * (ROLE_FIELD, checked against the installed provider's input names in
 * test/policy/deploy-roles.test.ts) or any string holding a role or instance-profile ARN (JSON and
 * YAML text decoded). Each reference must name a role the stack creates (stack-roles.ts: same
 * provider or a dependency, full ARN, and a profile only if its role is), else the resource is
 * refused unless declared (kubernetesPlatformResources). Triggers that run existing code without
 * naming a role (a Lambda function ARN in any string, or a bare function name in TRIGGERS' fields)
 * are refused when the function is not one the stack creates (whose own role is then judged here).
 * What the role may do is not read: an existing role is unknown to the pack, whatever its name.
 */
import type { PackFinding } from "../types";
import { asString } from "../inputs";
import { references } from "./role-references";
import { stackRoles, PROFILE, ROLE } from "./stack-roles";
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter, PackResource, StackPass } from "../types";
import type { StackIndex } from "../stack-index";

const RULE = "stack/deploy-time-executor";
const FUNCTION = "aws:lambda/function:Function";

export { NOT_ROLE_FIELDS, ROLE_FIELD, isRoleField } from "./role-references";

/**
 * Types whose role another rule judges (kubernetes/eks-access): a Pod Identity association hands a pod
 * (not a service) its role; an access entry or access policy association lets a role into the
 * cluster, a grant to the role, not a role handed to a service.
 */
const OWNED_ELSEWHERE: ReadonlySet<string> = new Set([
  "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  "aws:eks/accessEntry:AccessEntry",
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
]);

/** Trigger types and the inputs naming the code they run by bare name or unknown at preview (a function ARN anywhere is read by the ARN scan). */
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
  "aws:lb/targetGroupAttachment:TargetGroupAttachment": ["targetId"],
  "aws:secretsmanager/secretRotation:SecretRotation": ["rotationLambdaArn"],
  "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": ["destinationArn"],
  "aws:cfg/rule:Rule": ["source"],
  "aws:cognito/userPool:UserPool": ["lambdaConfig"],
  "aws:iot/topicRule:TopicRule": ["lambdas"],
  "aws:apigateway/authorizer:Authorizer": ["authorizerUri"],
  "aws:apigatewayv2/authorizer:Authorizer": ["authorizerUri"],
};
/** Fields holding a bare function name (not only an ARN). */
const NAME_FIELDS: ReadonlySet<string> = new Set(["function", "functionName"]);

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
  const functionNames = new Set<string>();
  const functions = new Set<string>();
  for (const entry of ix.inputs) {
    if (entry.resource.type !== FUNCTION) continue;
    functions.add(entry.resource.urn);
    const name = asString(entry.value.name)?.toLowerCase();
    if (name !== undefined) functionNames.add(name);
  }
  const roles = stackRoles(ix);
  const fieldOf = (path: string) => path.split(/[.[<]/)[0]!;
  const deps = (resource: PackResource, path: string) => resource.propertyDependencies?.[fieldOf(path)];

  for (const entry of ix.inputs) {
    const { resource } = entry;
    if (!resource.type.startsWith("aws:") || resource.type.startsWith("aws:iam/") || OWNED_ELSEWHERE.has(resource.type)) continue;
    const found = references(entry.value, entry.unknown);
    if (found === "too-large") {
      pass.findings.push(finding(resource, "has inputs too large to read for the roles it hands a service"));
      continue;
    }
    const bad = found.roles.find((use) =>
      use.value === undefined ? !isFromStack(deps(resource, use.path), [ROLE, PROFILE], roles.ownUrns) : !roles.owns(resource, fieldOf(use.path), use.value),
    );
    if (bad)
      pass.findings.push(
        finding(
          resource,
          bad.value === undefined
            ? `hands a service the role in ${bad.path}, unknown at preview and not an output of a role the stack creates`
            : `hands a service the role ${bad.value} (${bad.path}), which the stack does not create (through this resource's provider, or as an output this input depends on), or an instance profile wrapping such a role`,
        ),
      );

    if (resource.type !== FUNCTION) {
      const foreignArn = found.functions.find((fn) => !functionNames.has(fn.name.toLowerCase()));
      if (foreignArn !== undefined) {
        pass.findings.push(
          finding(
            resource,
            `runs the Lambda function ${foreignArn.value} (${foreignArn.path}), which the stack does not create (its code and role are unread)`,
          ),
        );
        continue;
      }
    }
    const fields = TRIGGERS[resource.type];
    if (!fields) continue;
    for (const field of fields) {
      if (entry.unknown.some((path) => path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`))) {
        if (isFromStack(resource.propertyDependencies?.[field], [FUNCTION, ROLE], new Set([...functions, ...roles.ownUrns]))) continue;
        pass.findings.push(finding(resource, `runs code named by ${field}, unknown at preview and not an output of a function the stack creates`));
        break;
      }
      const name = NAME_FIELDS.has(field) ? asString(entry.value[field]) : undefined;
      if (name !== undefined && !name.startsWith("arn:") && !functionNames.has(name.toLowerCase())) {
        pass.findings.push(finding(resource, `runs the Lambda function ${name} (${field}), which the stack does not create (its code and role are unread)`));
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
