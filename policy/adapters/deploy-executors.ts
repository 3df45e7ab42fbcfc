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
};

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
    fix: `write the resources in the stack itself, where the pack reads them, or have the security team declare it in the pack's configuration (kubernetesPlatformResources: [{resource: "${key}", reason, approvedBy}])`,
  };
  return [problem];
}

export const deployExecutors: Adapter = {
  family: "deploy-executors",
  holdings: "none: what they create or run is unread, so they are refused unless declared",
  types: Object.entries(DEPLOY_EXECUTORS).map(([type, route]) => ({ type, route, checkedBy: [RULE] })),
  check: (resource, inputs) => executorProblems(resource, inputs),
};
