/**
 * Resources that create other resources or run code at deployment (stack/deploy-time-executor):
 * CloudFormation stacks and stack sets, Cloud Control resources, Service Catalog provisioned
 * products, SSM documents that run and what runs them, Lambda invocations, pipelines and image
 * builds that start when created, Control Tower landing zones. What they do lives in a template, a
 * document or a function the pack cannot read completely (a template may come from a URL, or be
 * unknown at preview), so they are refused closed-world, before creation, unless the security team
 * declares the resource in the pack's configuration (kubernetesPlatformResources,
 * platform-resources-config.ts), a channel the pull request cannot edit. Templates are never parsed.
 */
import type { Problem } from "../../components/rules/define";
import { asString, type KnownInputs } from "../inputs";
import { platformResourceKey } from "../platform-resources-config";
import type { Adapter, PackResource } from "../types";

const RULE = "stack/deploy-time-executor";

/** Each executor type and what it runs, in the words findings use. */
export const DEPLOY_EXECUTORS: Readonly<Record<string, string>> = {
  "aws:cloudformation/stack:Stack": "a CloudFormation stack creates whatever its template (body or URL) declares",
  "aws:cloudformation/stackSet:StackSet": "a CloudFormation stack set creates its template's resources in every account and region it is deployed to",
  "aws:cloudformation/stackSetInstance:StackSetInstance": "deploys a stack set's template into an account and region",
  "aws:cloudformation/stackInstances:StackInstances": "deploys a stack set's template into accounts and regions",
  "aws:cloudformation/cloudFormationType:CloudFormationType":
    "registers a resource type whose handler code runs under its execution role whenever a stack uses it",
  "aws:cloudcontrol/resource:Resource":
    "creates any CloudFormation resource type from its desiredState (an IAM policy, an EKS access entry, a bucket policy ...)",
  "aws:servicecatalog/provisionedProduct:ProvisionedProduct": "deploys a Service Catalog product's template, often under the product's launch role",
  "aws:ssm/document:Document":
    "an SSM document of a type that runs (Command, Automation, Policy, CloudFormation ...) calls AWS APIs or runs commands when started",
  "aws:ssm/association:Association": "runs an SSM document on its targets when created and on its schedule",
  "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask":
    "runs a command, an automation, a Lambda function or a Step Functions state machine under its service role",
  "aws:ssm/quicksetupConfigurationManager:QuicksetupConfigurationManager": "deploys Quick Setup's CloudFormation stack sets into accounts",
  "aws:lambda/invocation:Invocation": "invokes a Lambda function at deployment, which does whatever its code does under its role",
  "aws:codepipeline/pipeline:Pipeline": "a pipeline runs when created, and its actions deploy (CloudFormation, CodeBuild, Lambda ...) under its role",
  "aws:imagebuilder/image:Image": "builds an image when created, running its components' commands on an instance under the instance profile's role",
  "aws:controltower/landingZone:LandingZone": "sets up accounts, roles and stack sets from a manifest",
  "aws:controltower/baseline:Baseline": "deploys a baseline's stack sets and roles into an organisational unit",
  // Code at boot, under an instance profile's role (EC2 user data runs as root on first boot; the profile's credentials are on the metadata service).
  "aws:ec2/instance:Instance": "an instance runs its user data at boot and its software under its instance profile's role",
  "aws:ec2/spotInstanceRequest:SpotInstanceRequest": "a spot instance runs its user data at boot and its software under its instance profile's role",
  "aws:ec2/launchTemplate:LaunchTemplate": "every instance launched from the template runs its user data at boot under its instance profile's role",
  "aws:ec2/launchConfiguration:LaunchConfiguration":
    "every instance an Auto Scaling group launches from it runs its user data under its instance profile's role",
  "aws:ec2/spotFleetRequest:SpotFleetRequest":
    "launches instances from launch specifications or templates (user data, instance profiles) the pack may not read",
  "aws:ec2/fleet:Fleet": "launches instances from launch templates (user data, instance profiles) the pack may not read",
  "aws:autoscaling/group:Group": "launches instances from a launch template or configuration (user data, instance profiles) the pack may not read",
  "aws:emr/cluster:Cluster": "runs bootstrap actions and steps (any script) on its instances under the cluster's instance profile",
  // Code under a role when started by anything: who starts it (a webhook, an event, anyone with the start permission) is not in the stack.
  "aws:sfn/stateMachine:StateMachine": "a state machine calls any AWS API (aws-sdk integrations), runs tasks and starts jobs under its role whenever started",
  "aws:codebuild/project:Project":
    "a build project runs its buildspec's commands under its service role whenever a build starts (webhook, event, pipeline, StartBuild)",
  "aws:codebuild/webhook:Webhook": "starts a project's builds on source events (pushes, pull requests) from outside the stack",
  "aws:cloudwatch/eventTarget:EventTarget":
    "an event target with a role, or one that runs (SSM Automation or Run Command, Step Functions, CodeBuild, ECS, Batch, API destinations), acts under that role on every matching event or schedule",
  "aws:scheduler/schedule:Schedule":
    "a schedule whose target runs (a universal aws-sdk target calls any AWS API; SSM, Step Functions, CodeBuild, ECS, Batch, SageMaker pipelines) acts under its role on its schedule",
  "aws:pipes/pipe:Pipe": "a pipe whose enrichment or target runs (Step Functions, ECS, Batch, API destinations) acts under its role on every record",
  // Pulumi's own executors: code that runs on the deployer's machine or a host with the deployer's credentials.
  "command:local:Command": "runs a shell command on the machine running `pulumi up`, with the deployer's credentials",
  "command:remote:Command": "runs a shell command on a remote host over SSH when created, updated or deleted",
  "command:remote:CopyToRemote": "copies files to a remote host over SSH (a script, a key, a kubeconfig ...)",
  "command:remote:CopyFile": "copies a file to a remote host over SSH (a script, a key, a kubeconfig ...)",
  "pulumi-nodejs:dynamic:Resource": "a dynamic provider runs its serialised JavaScript in the deployment, with the deployer's credentials",
  "pulumi-python:dynamic:Resource": "a dynamic provider runs its serialised Python in the deployment, with the deployer's credentials",
};

/** Launch inputs that run code at boot or hand an instance a role (any depth: launch specifications and overrides nest them). */
const BOOT_FIELDS: ReadonlySet<string> = new Set([
  "userData",
  "userDataBase64",
  "iamInstanceProfile",
  "iamInstanceProfileArn",
  "launchTemplate",
  "launchTemplateConfig",
  "launchTemplateConfigs",
  "launchSpecifications",
  "mixedInstancesPolicy",
  "launchConfiguration",
]);
/** EC2 types that run nothing and hold no role without one of BOOT_FIELDS (an instance of a plain AMI). */
const BOOT_TYPES: ReadonlySet<string> = new Set([
  "aws:ec2/instance:Instance",
  "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:ec2/launchConfiguration:LaunchConfiguration",
]);

/** Target ARNs that run something (SSM, Step Functions, CodeBuild, ECS, Batch, SageMaker, API destinations, Scheduler's universal aws-sdk targets); a Lambda function runs under its own role, judged where the stack creates it. */
const RUNNING_TARGET = /^arn:[^:]*:(ssm|states|codebuild|ecs|batch|sagemaker|scheduler|events:[^:]*:[^:]*:api-destination)(:|$)/;
const RUNNING_TARGET_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "aws:cloudwatch/eventTarget:EventTarget": ["arn"],
  "aws:scheduler/schedule:Schedule": ["target.arn"],
  "aws:pipes/pipe:Pipe": ["target", "enrichment"],
};
/** Fields whose being set alone makes the target act under a role (an event target's role; a schedule's role is required, so its target decides). */
const ROLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "aws:cloudwatch/eventTarget:EventTarget": ["roleArn", "ecsTarget", "batchTarget", "runCommandTargets", "sagemakerPipelineTarget", "httpTarget"],
};

/** Whether any key of BOOT_FIELDS is set at any depth (bounded), or sits on an unknown path. */
function bootFieldSet(value: unknown, unknown: readonly string[]): boolean {
  if (unknown.some((path) => path.split(".").some((segment) => BOOT_FIELDS.has(segment)))) return true;
  const stack: unknown[] = [value];
  for (let seen = 0; stack.length > 0; seen++) {
    if (seen > 5_000) return true; // too large to read: fail closed
    const next = stack.pop();
    if (Array.isArray(next)) stack.push(...next);
    else if (next && typeof next === "object")
      for (const [key, item] of Object.entries(next)) {
        if (BOOT_FIELDS.has(key) && item !== undefined && item !== null && item !== "") return true;
        stack.push(item);
      }
  }
  return false;
}

const at = (value: Record<string, unknown>, path: string): unknown =>
  path.split(".").reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), value);
const onPath = (unknown: readonly string[], field: string) =>
  unknown.some((path) => path === field || field.startsWith(`${path}.`) || path.startsWith(`${field}.`));

/** Why a conditional executor runs here, or undefined when this one runs nothing (a target that only delivers data, a plain instance). */
function runsBecause(type: string, inputs: KnownInputs): string | undefined | false {
  if (BOOT_TYPES.has(type))
    return bootFieldSet(inputs.value, inputs.unknown) ? "it sets user data, an instance profile or a launch template (or one is unknown at preview)" : false;
  const targets = RUNNING_TARGET_FIELDS[type];
  if (!targets) return undefined;
  for (const field of ROLE_FIELDS[type] ?? []) if (at(inputs.value, field) !== undefined || onPath(inputs.unknown, field)) return `its ${field} is set`;
  for (const field of targets) {
    if (onPath(inputs.unknown, field)) return `its ${field} is unknown at preview`;
    const arn = asString(at(inputs.value, field));
    if (arn !== undefined && RUNNING_TARGET.test(arn)) return `its ${field} ${arn} runs under the role`;
  }
  return false;
}

/** SSM document types that only configure (sessions, packages, AppConfig data, calendars, analyses, approval policies): they run nothing themselves. */
const CONFIGURING_DOCUMENT_TYPES: ReadonlySet<string> = new Set([
  "Session",
  "Package",
  "ApplicationConfiguration",
  "ApplicationConfigurationSchema",
  "DeploymentStrategy",
  "ChangeCalendar",
  "ProblemAnalysis",
  "ProblemAnalysisTemplate",
  "ManualApprovalPolicy",
  "AutoApprovalPolicy",
]);

function executorProblems(resource: PackResource, inputs: KnownInputs): Problem[] {
  const what = DEPLOY_EXECUTORS[resource.type];
  if (what === undefined) return [];
  let detail = what;
  const because = runsBecause(resource.type, inputs);
  if (because === false) return [];
  if (because !== undefined) detail = `${what}; ${because}`;
  if (resource.type === "aws:ssm/document:Document") {
    const documentType = asString(inputs.value.documentType);
    const unknown = inputs.unknown.some((path) => path === "documentType");
    if (!unknown && documentType !== undefined && CONFIGURING_DOCUMENT_TYPES.has(documentType)) return [];
    detail = `${what}; its documentType is ${unknown ? "unknown at preview" : (documentType ?? "not set")}`;
  }
  const key = platformResourceKey(resource.type, resource.name);
  const problem: Problem & { platformResource: string } = {
    rule: RULE,
    platformResource: key,
    message: `${resource.type} ${resource.name} runs at deployment what the pack cannot read (${detail}); it could grant an agent role anything or open an agent's data to anyone`,
    fix: `write the resources in the stack itself, where the pack reads them, or have the security team declare it in the pack's configuration (kubernetesPlatformResources)`,
  };
  return [problem];
}

export const deployExecutors: Adapter = {
  family: "deploy-executors",
  holdings: "none: what they create or run is unread, so they are refused unless declared",
  types: Object.entries(DEPLOY_EXECUTORS).map(([type, route]) => ({ type, route, checkedBy: [RULE] })),
  check: (resource, inputs) => executorProblems(resource, inputs),
};
