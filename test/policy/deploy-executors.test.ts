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
import { UNKNOWN, ruleIds, runPack, type Resource } from "../helpers/policy-args";

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
const declare = (...resources: string[]) => ({
  kubernetesPlatformResources: resources.map((resource) => ({ resource, reason: "reviewed landing-zone baseline", approvedBy: "security@acme.example" })),
});

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);

const rules = async (extra: Resource[], config: object = {}) => ruleIds(await runPack([...base, ...extra], TODAY, config));
const alone = async (resource: Resource, config: object = {}) => ruleIds(await runPack([resource], TODAY, config));

describe("deploy-time executors (stack/deploy-time-executor)", () => {
  const stack = (props: Record<string, unknown>): Resource => ({ type: CFN, name: "ops-tweaks", props: { name: "ops-tweaks", ...props } });

  it("refuses a CloudFormation stack beside the agents whatever its template, and passes it once declared by type and name", async () => {
    expect(await rules([stack({ templateBody: ADMIN_TEMPLATE })])).toEqual([RULE]);
    expect(await rules([stack({ templateBody: ADMIN_TEMPLATE })], declare(`${CFN}::ops-tweaks`))).toEqual([]);
  });

  it("refuses a template from a URL or unknown at preview the same way: the template is never read", async () => {
    expect(await rules([stack({ templateUrl: "https://s3.amazonaws.com/outsider-bucket/t.json" })])).toEqual([RULE]);
    expect(await rules([stack({ templateBody: UNKNOWN })])).toEqual([RULE]);
    expect(await rules([stack({ templateBody: JSON.stringify({ Resources: {} }) })])).toEqual([RULE]);
  });

  it("does not let a declaration of another resource, or of the same name under another type, cover it", async () => {
    expect(await rules([stack({ templateBody: ADMIN_TEMPLATE })], declare(`${CFN}::ops-other`))).toEqual([RULE]);
    expect(await rules([stack({ templateBody: ADMIN_TEMPLATE })], declare("aws:cloudformation/stackSet:StackSet::ops-tweaks"))).toEqual([RULE]);
  });

  it("refuses a Cloud Control resource whatever type its desiredState creates", async () => {
    const resource = (typeName: string): Resource => ({ type: "aws:cloudcontrol/resource:Resource", name: "cc", props: { typeName, desiredState: "{}" } });
    expect(await rules([resource("AWS::IAM::RolePolicy")])).toEqual([RULE]);
    expect(await rules([resource("AWS::Logs::LogGroup")])).toEqual([RULE]);
  });

  it("refuses every executor type before creation, in a stack without agents too, and passes each once declared", async () => {
    for (const type of Object.keys(DEPLOY_EXECUTORS)) {
      const resource: Resource = { type, name: "x", props: type === "aws:ssm/document:Document" ? { documentType: "Command", content: "{}" } : {} };
      expect(await alone(resource), type).toEqual([RULE]);
      expect(await alone(resource, declare(`${type}::x`)), type).toEqual([]);
    }
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

  it("reads declarations only from a configuration that parses", () => {
    expect([...declaredPlatformResources(declare(`${CFN}::ops-tweaks`))]).toEqual([`${CFN}::ops-tweaks`]);
    expect(declaredPlatformResources({ kubernetesPlatformResources: [{ resource: `${CFN}::ops-tweaks` }] }).size).toBe(0);
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
    expect(message).toContain(`kubernetesPlatformResources: [{resource: "${CFN}::ops-tweaks"`);
    expect(message).toContain("write the resources in the stack itself");
  });
});
