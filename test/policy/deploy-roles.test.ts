/**
 * Roles handed to AWS services, and triggers reaching Lambda functions, in a stack with agents
 * (stack/deploy-time-executor, policy/adapters/deploy-roles.ts): a service running code under a role
 * the stack does not create is refused unless declared; the same resource under a role the stack
 * creates is not. Each refused case has a twin differing in one property. The role-bearing input
 * names are checked against every input name of the installed @pulumi/aws.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { NOT_ROLE_FIELDS, ROLE_FIELD, isRoleField } from "../../policy/adapters/deploy-roles";
import { componentResources } from "../helpers/component-resources";
import { TODAY, stackDeclaration } from "../helpers/fixtures";
import { UNKNOWN, declaring, ruleIds, runPack, type Resource } from "../helpers/policy-args";

const RULE = "stack/deploy-time-executor";
const ACC = "111122223333";
const ADMIN = `arn:aws:iam::${ACC}:role/platform-admin`;
const OWN = `arn:aws:iam::${ACC}:role/ops-runner`;
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const ownRole: Resource = { type: "aws:iam/role:Role", name: "ops-runner", props: { name: "ops-runner", assumeRolePolicy: TRUST } };

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);
const rules = async (extra: Resource[], config: object = {}) => ruleIds(await runPack([...base, ...extra], TODAY, config));

/** Every input property name of the installed @pulumi/aws (`name?: pulumi.Input<…>` in its declarations). */
function awsInputNames(): Set<string> {
  const root = join(require.resolve("@pulumi/aws/package.json"), "..");
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith(".d.ts") && entry !== "output.d.ts")
        for (const match of readFileSync(path, "utf8").matchAll(/^\s+([a-z][A-Za-z0-9]*)\??: pulumi\.Input/gm)) names.add(match[1]!);
    }
  };
  walk(root);
  return names;
}

describe("role-bearing input names (sourced from the installed @pulumi/aws)", () => {
  const names = awsInputNames();
  it("finds the provider's input names (the scan itself works)", () => {
    expect(names.has("taskRoleArn")).toBe(true);
    expect(names.size).toBeGreaterThan(5_000);
  });
  it("matches every input name ending in a role or instance profile, except the listed non-IAM ones", () => {
    const ending = [...names].filter((n) => /(role|roles|rolearn|rolearns|rolename|instanceprofile|instanceprofilearn|instanceprofilename)$/i.test(n));
    expect(ending.length).toBeGreaterThan(100);
    expect(ending.filter((n) => !isRoleField(n) && NOT_ROLE_FIELDS[n] === undefined)).toEqual([]);
    for (const n of ["taskRoleArn", "executionRoleArn", "serviceRole", "iamServiceRoleArn", "instanceRoleArn", "iamInstanceProfile", "role", "roleArn"])
      expect(isRoleField(n)).toBe(true);
  });
  it("names only exceptions the provider has and ROLE_FIELD would match", () => {
    expect(Object.keys(NOT_ROLE_FIELDS).filter((n) => !names.has(n) || !ROLE_FIELD.test(n))).toEqual([]);
  });
});

describe("roles handed to AWS services (stack/deploy-time-executor)", () => {
  const task = (taskRoleArn: unknown): Resource => ({
    type: "aws:ecs/taskDefinition:TaskDefinition",
    name: "td",
    props: { family: "x", taskRoleArn, containerDefinitions: "[]" },
  });

  it("refuses an ECS task definition under a role the stack does not create, not under one it creates", async () => {
    expect(await rules([task(ADMIN)])).toContain(RULE);
    expect(await rules([ownRole, task(OWN)])).not.toContain(RULE);
  });

  it("matches the stack's role by name as well as by ARN", async () => {
    expect(await rules([ownRole, task("ops-runner")])).not.toContain(RULE);
    expect(await rules([ownRole, task("platform-admin")])).toContain(RULE);
  });

  it("passes the refused resource once declared by URN and inputs digest", async () => {
    expect(await rules([task(ADMIN)], declaring(task(ADMIN)))).not.toContain(RULE);
  });

  it("fails closed on a role unknown at preview", async () => {
    expect(await rules([task(UNKNOWN)])).toContain(RULE);
  });

  it("reads nested role fields (App Runner instanceConfiguration.instanceRoleArn)", async () => {
    const appRunner = (instanceRoleArn: string): Resource => ({
      type: "aws:apprunner/service:Service",
      name: "ar",
      props: { serviceName: "x", instanceConfiguration: { instanceRoleArn } },
    });
    expect(await rules([appRunner(ADMIN)])).toContain(RULE);
    expect(await rules([ownRole, appRunner(OWN)])).not.toContain(RULE);
  });

  it("reads an instance profile in an option setting (Elastic Beanstalk IamInstanceProfile)", async () => {
    const env = (value: string): Resource => ({
      type: "aws:elasticbeanstalk/environment:Environment",
      name: "eb",
      props: { application: "x", settings: [{ namespace: "aws:autoscaling:launchconfiguration", name: "IamInstanceProfile", value }] },
    });
    const profile: Resource = { type: "aws:iam/instanceProfile:InstanceProfile", name: "own-profile", props: { name: "own-profile", role: "ops-runner" } };
    expect(await rules([env("existing-admin-profile")])).toContain(RULE);
    expect(await rules([ownRole, profile, env("own-profile")])).not.toContain(RULE);
  });

  it("reads a role ARN in any field (API Gateway integration credentials), not only role-named ones", async () => {
    const integration = (credentials: string): Resource => ({
      type: "aws:apigateway/integration:Integration",
      name: "i",
      props: { restApi: "abc", resourceId: "r", httpMethod: "POST", type: "AWS", uri: "arn:aws:apigateway:us-east-1:iam:action/CreateAccessKey", credentials },
    });
    expect(await rules([integration(ADMIN)])).toContain(RULE);
    expect(await rules([ownRole, integration(OWN)])).not.toContain(RULE);
  });

  it("reads a role ARN inside a JSON document string (an OpenAPI body), escapes decoded", async () => {
    const api = (credentials: string, escape = false): Resource => {
      const body = JSON.stringify({ openapi: "3.0.1", paths: { "/": { post: { "x-amazon-apigateway-integration": { type: "aws", credentials } } } } });
      return { type: "aws:apigateway/restApi:RestApi", name: "api", props: { name: "api", body: escape ? body.replace(/arn:/g, "\\u0061rn:") : body } };
    };
    expect(await rules([api(ADMIN)])).toContain(RULE);
    expect(await rules([api(ADMIN, true)])).toContain(RULE);
    expect(await rules([ownRole, api(OWN)])).not.toContain(RULE);
  });

  it("does not count a policy statement's principal as a role handed to a service", async () => {
    const policy = (principal: string): Resource => ({
      type: "aws:s3/bucketPolicy:BucketPolicy",
      name: "bp",
      props: {
        bucket: "ci-artifacts",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: principal }, Action: "s3:GetObject", Resource: "arn:aws:s3:::ci-artifacts/*" }],
        }),
      },
    });
    expect(await rules([policy(ADMIN)])).not.toContain(RULE);
  });

  it("does not take a same-named role created through another provider for the existing one", async () => {
    const other: Resource = { type: "pulumi:providers:aws", name: "other", props: { region: "us-west-2" } };
    const twin: Resource = { type: "aws:iam/role:Role", name: "twin", props: { name: "platform-admin", assumeRolePolicy: TRUST }, provider: other };
    expect(await rules([twin, task(ADMIN)])).toContain(RULE);
    expect(await rules([twin, { ...task(ADMIN), dependsOn: { taskRoleArn: ["twin"] } }])).not.toContain(RULE);
    expect(await rules([{ ...twin, provider: undefined }, task(ADMIN)])).not.toContain(RULE);
  });

  it("reads the account of a twin's provider from its JSON-encoded assumed roles, and none from other credentials", async () => {
    const via = (props: Record<string, unknown>): Resource[] => {
      const provider: Resource = { type: "pulumi:providers:aws", name: "via", props: { region: "us-east-1", ...props } };
      return [
        { type: "aws:iam/role:Role", name: "twin", props: { name: "platform-admin", assumeRolePolicy: TRUST }, provider },
        { ...task(ADMIN), provider },
      ];
    };
    const assuming = (account: string) => JSON.stringify([{ roleArn: `arn:aws:iam::${account}:role/deployer` }]);
    expect(await rules(via({ assumeRoles: assuming(ACC) }))).not.toContain(RULE);
    expect(await rules(via({ assumeRoles: assuming("999988887777") }))).toContain(RULE);
    expect(await rules(via({ assumeRoleWithWebIdentity: JSON.stringify({ roleArn: "arn:aws:iam::999988887777:role/ci" }) }))).toContain(RULE);
    expect(await rules(via({ sharedConfigFiles: JSON.stringify(["/tmp/other-account"]) }))).toContain(RULE);
  });

  it("compares the full ARN of the stack's role: account and path", async () => {
    expect(await rules([ownRole, task(OWN.replace(ACC, "999988887777"))])).toContain(RULE);
    expect(await rules([ownRole, task(OWN.replace("role/", "role/other/"))])).toContain(RULE);
  });

  it("counts the stack's instance profile as its own only if the role it wraps is", async () => {
    const env = (profileRole: string): Resource[] => [
      { type: "aws:iam/instanceProfile:InstanceProfile", name: "own-profile", props: { name: "own-profile", role: profileRole } },
      {
        type: "aws:elasticbeanstalk/environment:Environment",
        name: "eb",
        props: { application: "x", settings: [{ namespace: "aws:autoscaling:launchconfiguration", name: "IamInstanceProfile", value: "own-profile" }] },
      },
    ];
    expect(await rules([ownRole, ...env("platform-admin")])).toContain(RULE);
    expect(await rules([ownRole, ...env("ops-runner")])).not.toContain(RULE);
  });

  it("does not judge a stack without agents", async () => {
    expect(ruleIds(await runPack([task(ADMIN)], TODAY, {}))).not.toContain(RULE);
  });
});

describe("triggers reaching a Lambda function (stack/deploy-time-executor)", () => {
  const fn = (name: string): Resource => ({
    type: "aws:lambda/function:Function",
    name,
    props: { name, role: OWN, runtime: "python3.12", handler: "index.h", code: "fileb://x.zip" },
  });
  const target = (name: string): Resource => ({
    type: "aws:cloudwatch/eventTarget:EventTarget",
    name: "et",
    props: { rule: "r", arn: `arn:aws:lambda:us-east-1:${ACC}:function:${name}` },
  });

  it("refuses an EventBridge target at a function the stack does not create, not at one it creates", async () => {
    expect(await rules([ownRole, target("existing-admin-fn")])).toContain(RULE);
    expect(await rules([ownRole, fn("own-fn"), target("own-fn")])).not.toContain(RULE);
  });

  it("refuses an S3 notification to a function the stack does not create", async () => {
    const notification = (name: string): Resource => ({
      type: "aws:s3/bucketNotification:BucketNotification",
      name: "bn",
      props: {
        bucket: "ci-artifacts",
        lambdaFunctions: [{ lambdaFunctionArn: `arn:aws:lambda:us-east-1:${ACC}:function:${name}`, events: ["s3:ObjectCreated:*"] }],
      },
    });
    expect(await rules([ownRole, notification("existing-admin-fn")])).toContain(RULE);
    expect(await rules([ownRole, fn("own-fn"), notification("own-fn")])).not.toContain(RULE);
  });

  it("refuses a Lambda permission naming a function the stack does not create", async () => {
    const permission = (fnName: string): Resource => ({
      type: "aws:lambda/permission:Permission",
      name: "lp",
      props: { function: fnName, action: "lambda:InvokeFunction", principal: "events.amazonaws.com" },
    });
    expect(await rules([ownRole, permission("existing-admin-fn")])).toContain(RULE);
    expect(await rules([ownRole, fn("own-fn"), permission("own-fn")])).not.toContain(RULE);
  });

  it("refuses a load balancer target at a function the stack does not create (a function ARN in any field)", async () => {
    const attachment = (name: string): Resource => ({
      type: "aws:lb/targetGroupAttachment:TargetGroupAttachment",
      name: "tga",
      props: { targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:${ACC}:targetgroup/x/1`, targetId: `arn:aws:lambda:us-east-1:${ACC}:function:${name}` },
    });
    expect(await rules([ownRole, attachment("existing-admin-fn")])).toContain(RULE);
    expect(await rules([ownRole, fn("own-fn"), attachment("own-fn")])).not.toContain(RULE);
  });

  it("refuses a Lambda function under a role the stack does not create", async () => {
    expect(await rules([{ ...fn("own-fn"), props: { ...fn("own-fn").props, role: ADMIN } }])).toContain(RULE);
  });
});
