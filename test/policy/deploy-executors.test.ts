/**
 * Resources that create other resources or run code at deployment (stack/deploy-time-executor): a
 * CloudFormation stack, a Cloud Control resource, an SSM automation ... are refused before creation,
 * whatever their template says and wherever it comes from, unless the security team declares the
 * resource in the pack's configuration (kubernetesPlatformResources). Each refused case has a twin
 * that differs in one property (the declaration, the document type, the declared name).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DEPLOY_EXECUTORS } from "../../policy/adapters/deploy-executors";
import { declaredPlatformResources } from "../../policy/platform-resources-config";
import { componentResources } from "../helpers/component-resources";
import { TODAY, stackDeclaration } from "../helpers/fixtures";
import { UNKNOWN, declaring, platformDeclaration, ruleIds, runPack, urnOf, type Resource } from "../helpers/policy-args";

const RULE = "stack/deploy-time-executor";
const CFN = "aws:cloudformation/stack:Stack";
const ADMIN_TEMPLATE = JSON.stringify({
  Resources: {
    P: {
      Type: "AWS::IAM::RolePolicy",
      Properties: {
        RoleName: "acme-dev-payout-approver-execution",
        PolicyName: "x",
        PolicyDocument: { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      },
    },
  },
});
/** Inputs that make each conditional executor run (the others run whatever their inputs). */
const RUNS: Readonly<Record<string, Record<string, unknown>>> = {
  "aws:ssm/document:Document": { documentType: "Command", content: "{}" },
  "aws:ec2/instance:Instance": { userData: "#!/bin/sh" },
  "aws:ec2/spotInstanceRequest:SpotInstanceRequest": { iamInstanceProfile: "existing-admin-profile" },
  // With the metadata service kubernetes/node-access asks of every launch template (eks-compute.test.ts).
  "aws:ec2/launchTemplate:LaunchTemplate": { userData: "IyEvYmluL3No", metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } },
  "aws:ec2/launchConfiguration:LaunchConfiguration": { iamInstanceProfile: "existing-admin-profile" },
  "aws:cloudwatch/eventTarget:EventTarget": { rule: "r", arn: "arn:aws:states:us-east-1:111122223333:stateMachine:x" },
  "aws:scheduler/schedule:Schedule": { target: { arn: "arn:aws:scheduler:::aws-sdk:iam:putRolePolicy", roleArn: "arn:aws:iam::111122223333:role/r" } },
  "aws:pipes/pipe:Pipe": { target: "arn:aws:states:us-east-1:111122223333:stateMachine:x", roleArn: "arn:aws:iam::111122223333:role/r" },
};

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);

const rules = async (extra: Resource[], config: object = {}) => ruleIds(await runPack([...base, ...extra], TODAY, config));
const alone = async (resource: Resource, config: object = {}) => ruleIds(await runPack([resource], TODAY, config));

describe("deploy-time executors (stack/deploy-time-executor)", () => {
  const stack = (props: Record<string, unknown>): Resource => ({ type: CFN, name: "ops-tweaks", props: { name: "ops-tweaks", ...props } });

  it("refuses a CloudFormation stack beside the agents whatever its template, and passes it once declared by URN and inputs digest", async () => {
    expect(await rules([stack({ templateBody: ADMIN_TEMPLATE })])).toEqual([RULE]);
    expect(await rules([stack({ templateBody: ADMIN_TEMPLATE })], declaring(stack({ templateBody: ADMIN_TEMPLATE })))).toEqual([]);
  });

  it("does not cover the declared stack once its template changes (the digest pins the inputs)", async () => {
    const reviewed = stack({ templateBody: JSON.stringify({ Resources: {} }) });
    expect(await rules([reviewed], declaring(reviewed))).toEqual([]);
    expect(await rules([stack({ templateBody: ADMIN_TEMPLATE })], declaring(reviewed))).toEqual([RULE]);
  });

  it("does not cover a resource of the same type and name under another parent (the URN pins the parent chain)", async () => {
    const reviewed = stack({ templateBody: ADMIN_TEMPLATE });
    const entry = platformDeclaration(reviewed) as { urn: string };
    const elsewhere = { ...entry, urn: entry.urn.replace(`::${CFN}::`, `::acme:index:Network$${CFN}::`) };
    expect(await rules([reviewed], { kubernetesPlatformResources: [elsewhere] })).toEqual([RULE]);
  });

  it("never declares a resource whose inputs are unknown at preview: there is no digest to match", async () => {
    const unknown = stack({ templateBody: UNKNOWN });
    expect(await rules([unknown], declaring(unknown))).toEqual([RULE]);
  });

  it("refuses a template from a URL or unknown at preview the same way: the template is never read", async () => {
    expect(await rules([stack({ templateUrl: "https://s3.amazonaws.com/outsider-bucket/t.json" })])).toEqual([RULE]);
    expect(await rules([stack({ templateBody: UNKNOWN })])).toEqual([RULE]);
    expect(await rules([stack({ templateBody: JSON.stringify({ Resources: {} }) })])).toEqual([RULE]);
  });

  it("does not let a declaration of another resource, or of the same name under another type, cover it", async () => {
    const refused = stack({ templateBody: ADMIN_TEMPLATE });
    expect(await rules([refused], declaring({ ...refused, name: "ops-other" }))).toEqual([RULE]);
    expect(await rules([refused], declaring({ ...refused, type: "aws:cloudformation/stackSet:StackSet" }))).toEqual([RULE]);
  });

  it("refuses a Cloud Control resource whatever type its desiredState creates", async () => {
    const resource = (typeName: string): Resource => ({ type: "aws:cloudcontrol/resource:Resource", name: "cc", props: { typeName, desiredState: "{}" } });
    expect(await rules([resource("AWS::IAM::RolePolicy")])).toEqual([RULE]);
    expect(await rules([resource("AWS::Logs::LogGroup")])).toEqual([RULE]);
  });

  it("refuses every executor type before creation, in a stack without agents too, and passes each once declared", async () => {
    for (const type of Object.keys(DEPLOY_EXECUTORS)) {
      const resource: Resource = { type, name: "x", props: RUNS[type] ?? { any: "input" } };
      expect(await alone(resource), type).toEqual([RULE]);
      expect(await alone(resource, declaring(resource)), type).toEqual([]);
    }
  });

  it("refuses an EC2 instance with user data or an instance profile, not a plain one", async () => {
    const instance = (props: Record<string, unknown>): Resource => ({
      type: "aws:ec2/instance:Instance",
      name: "vm",
      props: { ami: "ami-1", instanceType: "t3.micro", ...props },
    });
    expect(await rules([instance({})])).toEqual([]);
    expect(await rules([instance({ userData: "#!/bin/sh\naws iam put-role-policy ..." })])).toEqual([RULE]);
    expect(await rules([instance({ iamInstanceProfile: "existing-admin-profile" })])).toEqual([RULE]);
    expect(await rules([instance({ userDataBase64: UNKNOWN })])).toEqual([RULE]);
  });

  it("refuses a launch template handing instances a role (nested instance profile), not a plain one", async () => {
    const template = (props: Record<string, unknown>): Resource => ({
      type: "aws:ec2/launchTemplate:LaunchTemplate",
      name: "lt",
      props: { name: "lt", metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }, ...props },
    });
    expect(await rules([template({ instanceType: "t3.micro" })])).toEqual([]);
    expect(await rules([template({ iamInstanceProfile: { name: "existing-admin-profile" } })])).toEqual([RULE]);
  });

  it("refuses an event target with a role or a running target, not one delivering to a queue", async () => {
    const target = (props: Record<string, unknown>): Resource => ({
      type: "aws:cloudwatch/eventTarget:EventTarget",
      name: "et",
      props: { rule: "r", ...props },
    });
    const queue = "arn:aws:sqs:us-east-1:111122223333:platform-jobs";
    expect(await rules([target({ arn: queue })])).toEqual([]);
    expect(await rules([target({ arn: queue, roleArn: "arn:aws:iam::111122223333:role/existing-ops-role" })])).toEqual([RULE]);
    expect(await rules([target({ arn: "arn:aws:ssm:us-east-1:111122223333:automation-definition/AWS-RunShellScript" })])).toEqual([RULE]);
    expect(await rules([target({ arn: UNKNOWN })])).toContain(RULE);
  });

  it("refuses a schedule whose target is a universal aws-sdk target, not one sending to a queue (under a role the stack creates)", async () => {
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    const schedulerRole: Resource = { type: "aws:iam/role:Role", name: "r", props: { name: "r", assumeRolePolicy: trust } };
    const schedule = (arn: string): Resource[] => [
      schedulerRole,
      {
        type: "aws:scheduler/schedule:Schedule",
        name: "s",
        props: { scheduleExpression: "rate(1 hour)", flexibleTimeWindow: { mode: "OFF" }, target: { arn, roleArn: "arn:aws:iam::111122223333:role/r" } },
      },
    ];
    expect(await rules(schedule("arn:aws:sqs:us-east-1:111122223333:platform-jobs"))).not.toContain(RULE);
    expect(await rules(schedule("arn:aws:scheduler:::aws-sdk:iam:putRolePolicy"))).toContain(RULE);
  });

  it("refuses a state machine, a CodeBuild project and its webhook whatever they run", async () => {
    const sfn: Resource = { type: "aws:sfn/stateMachine:StateMachine", name: "sm", props: { roleArn: "arn:aws:iam::111122223333:role/r", definition: "{}" } };
    const project: Resource = { type: "aws:codebuild/project:Project", name: "cb", props: { name: "cb", serviceRole: "arn:aws:iam::111122223333:role/r" } };
    const webhook: Resource = { type: "aws:codebuild/webhook:Webhook", name: "wh", props: { projectName: "cb" } };
    for (const resource of [sfn, project, webhook]) expect(await alone(resource), resource.type).toEqual([RULE]);
  });

  it("refuses an SSM document that runs (Automation, Command) or whose type is unknown, not one that only configures (Session)", async () => {
    const document = (documentType: unknown): Resource => ({
      type: "aws:ssm/document:Document",
      name: "doc",
      props: { name: "doc", documentType, content: "{}" },
    });
    expect(await rules([document("Automation")])).toEqual([RULE]);
    expect(await rules([document("Command")])).toEqual([RULE]);
    expect(await rules([document(UNKNOWN)])).toEqual([RULE]);
    expect(await rules([document("Session")])).toEqual([]);
  });

  it("reads declarations only from a configuration that parses: a URN and a digest, never a type and name", () => {
    const resource = stack({ templateBody: ADMIN_TEMPLATE });
    expect([...declaredPlatformResources(declaring(resource)).keys()]).toEqual([urnOf(resource)]);
    const legacy = { resource: `${CFN}::ops-tweaks`, reason: "reviewed landing-zone baseline", approvedBy: "security@acme.example" };
    expect(declaredPlatformResources({ kubernetesPlatformResources: [legacy] }).size).toBe(0);
    const noDigest = { ...(platformDeclaration(resource) as object), inputsDigest: undefined };
    expect(declaredPlatformResources({ kubernetesPlatformResources: [noDigest] }).size).toBe(0);
    // A NUL or bidi control in the URN declares nothing.
    for (const urn of [`${urnOf(resource)}\u0000`, urnOf(resource).replace("::ops", "::\u202eops")]) {
      const odd = { ...(platformDeclaration(resource) as object), urn };
      expect(declaredPlatformResources({ kubernetesPlatformResources: [odd] }).size, JSON.stringify(urn)).toBe(0);
    }
  });

  it("judges the Cloud Control API behind them as code execution on a role: CreateResource, not GetResource", async () => {
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    const role = (action: string): Resource[] => [
      { type: "aws:iam/role:Role", name: "ops", props: { name: "ops", assumeRolePolicy: trust } },
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "ops-p",
        props: { role: "ops", name: "p", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: [action], Resource: "*" }] }) },
      },
    ];
    expect(await rules(role("cloudformation:CreateResource"))).toContain("iam/code-execution");
    expect(await rules(role("cloudformation:GetResource"))).not.toContain("iam/code-execution");
  });

  it("names the resource, its type, the rule and both fixes in the message", async () => {
    const reported = await runPack([stack({ templateBody: ADMIN_TEMPLATE })], TODAY);
    const message = reported.map((r) => r.message).join("\n");
    expect(message).toContain(`${CFN} ops-tweaks`);
    expect(message).toContain(RULE);
    const digest = (platformDeclaration(stack({ templateBody: ADMIN_TEMPLATE })) as { inputsDigest: string }).inputsDigest;
    expect(message).toContain(`kubernetesPlatformResources: [{urn: "${urnOf(stack({}))}", inputsDigest: "${digest}"`);
    expect(message).toContain("write the resources in the stack itself");
  });
});
