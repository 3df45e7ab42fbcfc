/**
 * An agent role is the role its plan describes (iam/agent-role-as-planned): each case changes one
 * property of the components' own resources for stacks/Pulumi.dev.yaml (as a transformation or a
 * hand-written resource would) and runs the whole pack. Unknown at preview is not a change.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ROLE_PLAN_ANNOTATION } from "../../components/core/compile";
import { canonicalJson, grantsBeyondPlan, grantsOf, readRolePlanRecord } from "../../components/core/role-plan";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { UNKNOWN, runPack, ruleIds, type Resource } from "../helpers/policy-args";

const RULE = "iam/agent-role-as-planned";
const ROLE = "platform-support-assistant-execution-role";
const ROLE_NAME = "acme-dev-support-assistant-execution";
const POLICY = "platform-support-assistant-execution-agent-identity-execution";
const SA = "platform-support-assistant-execution-service-account";
const AUDIT_POLICY = "platform-payout-approver-audit-agent-identity-audit";
const REGION = { StringEquals: { "aws:RequestedRegion": "us-east-1" } };
const doc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

type Props = Record<string, unknown>;
const change = (name: string, edit: (props: Props) => Props) => (resources: readonly Resource[]) =>
  resources.map((r) => (r.name === name ? { ...r, props: edit(structuredClone(r.props) as Props) } : r));
const add =
  (...extra: Resource[]) =>
  (resources: readonly Resource[]) => [...resources, ...extra];
const statements = (props: Props) => (JSON.parse(props.policy as string) as { Statement: Array<Record<string, unknown>> }).Statement;
const withStatements = (props: Props, edit: (s: Array<Record<string, unknown>>) => Array<Record<string, unknown>>) => ({
  ...props,
  policy: doc(...edit(statements(props))),
});
const without = (props: Props, key: string) => {
  delete props[key];
  return props;
};
const annotations = (props: Props) => (props.metadata as { annotations: Record<string, unknown> }).annotations;

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
});

describe("pack: an agent role is the role its plan describes", () => {
  it("reports nothing for the components' own resources", async () => {
    expect(await runPack(base)).toEqual([]);
  });

  const refused: Array<{ name: string; edit: (resources: readonly Resource[]) => Resource[] }> = [
    {
      name: "the execution RolePolicy also allows s3:PutObject and s3:DeleteObject on the agent's own prefix",
      edit: change(POLICY, (p) => ({ ...p, policy: (p.policy as string).replace('["s3:GetObject"]', '["s3:GetObject","s3:PutObject","s3:DeleteObject"]') })),
    },
    {
      name: "the execution RolePolicy also allows s3:DeleteObject on what the agent owns",
      edit: change(POLICY, (p) => ({ ...p, policy: (p.policy as string).replace('["s3:GetObject"]', '["s3:GetObject","s3:DeleteObject"]') })),
    },
    {
      name: "a planned statement's condition is widened (s3:prefix any)",
      edit: change(POLICY, (p) => ({ ...p, policy: (p.policy as string).replace('"s3:prefix":"articles/*"', '"s3:prefix":"*"') })),
    },
    {
      name: "a planned statement loses its condition",
      edit: change(POLICY, (p) => withStatements(p, (s) => s.map((statement) => without(statement, "Condition")))),
    },
    {
      name: "a hand-written RolePolicy on the role with a policy-variable bucket and a region condition",
      edit: add({
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "rp-var",
        props: {
          role: ROLE_NAME,
          policy: doc({ Sid: "X", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::${aws:PrincipalTag/b}/*", Condition: REGION }),
        },
      }),
    },
    {
      name: "a hand-written RolePolicy naming the role by ARN repeats a planned action on another resource",
      edit: add({
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "rp-arn",
        props: {
          role: `arn:aws:iam::111122223333:role/${ROLE_NAME}`,
          policy: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::acme-kb-dev/drafts/*", Condition: REGION }),
        },
      }),
    },
    {
      name: "an inline policy on the role itself",
      edit: change(ROLE, (p) => ({
        ...p,
        inlinePolicies: [
          {
            name: "extra",
            policy: doc({
              Effect: "Allow",
              Action: "sqs:SendMessage",
              Resource: "arn:aws:sqs:us-east-1:111122223333:acme-dev-support-tickets",
              Condition: REGION,
            }),
          },
        ],
      })),
    },
    {
      name: "a customer-managed policy of the stack attached to the role",
      edit: add(
        {
          type: "aws:iam/policy:Policy",
          name: "extra",
          props: {
            name: "extra",
            policy: doc({ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::acme-kb-dev/articles/*", Condition: REGION }),
          },
        },
        {
          type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
          name: "extra",
          props: { role: ROLE_NAME, policyArn: "arn:aws:iam::111122223333:policy/extra" },
        },
      ),
    },
    {
      name: "the audit role's Deny on deleting and shortening its logs is dropped",
      edit: change(AUDIT_POLICY, (p) => withStatements(p, (s) => s.filter((statement) => statement.Effect !== "Deny"))),
    },
    { name: "the permissions boundary is removed", edit: change(ROLE, (p) => without(p, "permissionsBoundary")) },
    {
      name: "the permissions boundary is another policy",
      edit: change(ROLE, (p) => ({ ...p, permissionsBoundary: "arn:aws:iam::111122223333:policy/other" })),
    },
    { name: "maxSessionDuration is raised to 12 hours", edit: change(ROLE, (p) => ({ ...p, maxSessionDuration: 43200 })) },
    { name: "maxSessionDuration is 2 hours", edit: change(ROLE, (p) => ({ ...p, maxSessionDuration: 7200 })) },
    { name: "the role gets a path", edit: change(ROLE, (p) => ({ ...p, path: "/agents/" })) },
    { name: "a planned tag changes (tier)", edit: change(ROLE, (p) => ({ ...p, tags: { ...(p.tags as object), tier: "autonomous" } })) },
    {
      name: "the trust policy accepts another audience",
      edit: change(ROLE, (p) => ({ ...p, assumeRolePolicy: (p.assumeRolePolicy as string).replace('"sts.amazonaws.com"', '"vault"') })),
    },
    {
      name: "a tag the plan does not set is added (closed world: ABAC reads aws:PrincipalTag)",
      edit: change(ROLE, (p) => ({ ...p, tags: { ...(p.tags as object), "access-project": "finance" } })),
    },
    {
      name: "its provider's defaultTags add a tag the plan does not set",
      edit: (resources: readonly Resource[]) =>
        resources.map((r) =>
          r.name === ROLE
            ? {
                ...r,
                provider: {
                  type: "pulumi:providers:aws",
                  name: "tagged",
                  props: { region: "us-east-1", defaultTags: { tags: { "access-project": "finance" } } },
                },
              }
            : r,
        ),
    },
    {
      name: "tagsAll holds a tag the plan does not set",
      edit: change(ROLE, (p) => ({ ...p, tagsAll: { ...(p.tags as object), "access-project": "finance" } })),
    },
    { name: "the role is renamed", edit: change(ROLE, (p) => ({ ...p, name: `${ROLE_NAME}-2` })) },
    {
      name: "the components' ServiceAccount has no plan record",
      edit: change(SA, (p) => {
        delete annotations(p)[ROLE_PLAN_ANNOTATION];
        return p;
      }),
    },
    { name: "the plan record is not the components'", edit: change(SA, (p) => ((annotations(p)[ROLE_PLAN_ANNOTATION] = "{}"), p)) },
  ];
  for (const testCase of refused) {
    it(`refuses: ${testCase.name}`, async () => {
      expect(ruleIds(await runPack(testCase.edit(base)))).toContain(RULE);
    });
  }

  const accepted: Array<{ name: string; edit: (resources: readonly Resource[]) => Resource[] }> = [
    {
      name: "a planned statement's actions are listed in another order and case",
      edit: change(POLICY, (p) =>
        withStatements(p, (s) => s.map((st) => ({ ...st, Action: [...(st.Action as string[])].reverse().map((a) => a.toUpperCase()) }))),
      ),
    },
    { name: "maxSessionDuration not set (AWS's default, 1 hour, is the plan's)", edit: change(ROLE, (p) => without(p, "maxSessionDuration")) },
    { name: "maxSessionDuration unknown at preview", edit: change(ROLE, (p) => ({ ...p, maxSessionDuration: UNKNOWN })) },
    { name: "the permissions boundary unknown at preview", edit: change(ROLE, (p) => ({ ...p, permissionsBoundary: UNKNOWN })) },
    { name: "the trust policy unknown at preview", edit: change(ROLE, (p) => ({ ...p, assumeRolePolicy: UNKNOWN })) },
    {
      name: "the ServiceAccount's annotations unknown at preview",
      edit: change(SA, (p) => ({ ...p, metadata: { ...(p.metadata as object), annotations: UNKNOWN } })),
    },
    { name: "the RolePolicy's document unknown at preview", edit: change(POLICY, (p) => ({ ...p, policy: UNKNOWN })) },
    {
      name: "a hand-written Deny on the role (it only narrows)",
      edit: add({
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "rp-deny",
        props: { role: ROLE_NAME, policy: doc({ Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" }) },
      }),
    },
  ];
  for (const testCase of accepted) {
    it(`does not refuse: ${testCase.name}`, async () => {
      expect(ruleIds(await runPack(testCase.edit(base)))).not.toContain(RULE);
    });
  }
});

describe("role plan record", () => {
  const planned = grantsOf([
    {
      Sid: "A",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: ["arn:aws:s3:::b/p/*"],
      Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } },
    },
    { Sid: "D", Effect: "Deny", Action: ["logs:DeleteLogGroup"], Resource: ["*"] },
  ]);

  it("accepts exactly the planned pairs, a condition written as a string or a list alike", () => {
    const effective = grantsOf([
      { Effect: "Allow", Action: "S3:GetObject", Resource: "arn:aws:s3:::b/p/*", Condition: { StringEquals: { "aws:RequestedRegion": ["us-east-1"] } } },
      { Effect: "Deny", Action: "logs:DeleteLogGroup", Resource: "*" },
    ]);
    expect(grantsBeyondPlan(planned, effective)).toEqual({ extra: [], droppedDenies: [] });
  });

  it("names a pair on another resource, by NotResource, and a dropped Deny", () => {
    const effective = grantsOf([
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/q/*", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } },
      { Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::x", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } },
    ]);
    const { extra, droppedDenies } = grantsBeyondPlan(planned, effective);
    expect(extra.map((pair) => pair.resource)).toEqual(["arn:aws:s3:::b/q/*", "!arn:aws:s3:::x"]);
    expect(droppedDenies.map((pair) => pair.action)).toEqual(["logs:DeleteLogGroup"]);
  });

  it("reads only the components' record, bounded in size", () => {
    expect(readRolePlanRecord("not json")).toBeUndefined();
    expect(readRolePlanRecord(JSON.stringify({ name: "r" }))).toBeUndefined();
    expect(readRolePlanRecord(" ".repeat(70_000))).toBeUndefined();
    const record = {
      name: "r",
      trustPolicy: { Version: "2012-10-17", Statement: [] },
      statements: [],
      maxSessionDuration: 3600,
      permissionsBoundary: null,
      tags: { agent: "a" },
    };
    expect(readRolePlanRecord(JSON.stringify(record))).toEqual(record);
    expect(readRolePlanRecord(JSON.stringify({ ...record, extra: 1 }))).toBeUndefined();
  });

  it("canonical JSON ignores key order and one-element lists", () => {
    expect(canonicalJson({ b: "x", a: ["y", "z"] })).toBe(canonicalJson({ a: ["z", "y"], b: ["x"] }));
  });
});
