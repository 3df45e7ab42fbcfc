/**
 * A resource policy naming an agent identity (its role, a session of it, a pattern matching it, a
 * role id the pack cannot resolve) hands that identity what the statement allows: it must be within
 * what the identity's plan holds, else separation/undeclared-share. The happy path is a DynamoDB
 * resource policy on the payouts table giving the payout approver's execution role exactly what its
 * plan grants (GetItem and Query, in its region); each case changes one property of it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { grantsNotHeld, grantsOf } from "../../components/core/role-plan";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { declaring, runPack, ruleIds, type Resource, ofRule } from "../helpers/policy-args";

const ACCOUNT = "111122223333";
const ROLE = "acme-dev-payout-approver-execution";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/acme-dev-payouts`;
const SHARE = "separation/undeclared-share";

const planned = {
  Effect: "Allow",
  Principal: { AWS: ROLE_ARN },
  Action: ["dynamodb:GetItem", "dynamodb:Query"],
  Resource: TABLE,
  Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } },
};
const tablePolicy = (change: Record<string, unknown> = {}): Resource => ({
  type: "aws:dynamodb/resourcePolicy:ResourcePolicy",
  name: "payouts-policy",
  props: { resourceArn: TABLE, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ ...planned, ...change }] }) },
});

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);
const run = (extra: Resource, config: object = {}) => runPack([...base, extra], undefined, config);

describe("a resource policy naming an agent identity", () => {
  it("is within the plan when it gives exactly what the identity's plan grants", { timeout: 120_000 }, async () => {
    // The table is not the stack's, so the policy that replaces its own is declared (iam/resource-policy).
    expect(await run(tablePolicy(), declaring(tablePolicy()))).toEqual([]);
  });

  it("is within the plan when it narrows the planned grant (one action, one more condition)", { timeout: 120_000 }, async () => {
    const narrower = tablePolicy({
      Action: "dynamodb:GetItem",
      Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1", "aws:SourceVpce": "vpce-1" } },
    });
    expect(await run(narrower, declaring(narrower))).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ["an action the plan does not grant", { Action: ["dynamodb:GetItem", "dynamodb:Scan"] }],
    ["a resource the plan does not grant", { Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/acme-dev-ledger` }],
    ["the planned condition dropped", { Condition: undefined }],
    ["the planned condition widened", { Condition: { StringEquals: { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } } }],
    ["a NotAction", { Action: undefined, NotAction: "dynamodb:DeleteTable" }],
    ["the principal as an STS session of the role", { Action: "dynamodb:Scan", Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/s1` } }],
    ["the role's name in another case", { Action: "dynamodb:Scan", Principal: { AWS: ROLE_ARN.toUpperCase().replace("ARN:AWS:IAM", "arn:aws:iam") } }],
    ["a role path before the name", { Action: "dynamodb:Scan", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ops/${ROLE}` } }],
  ])("is an undeclared share with %s", { timeout: 120_000 }, async (_name, change) => {
    const findings = await run(tablePolicy(change));
    expect(ruleIds(findings)).toContain(SHARE);
    const finding = findings.find((v) => ofRule(v, "separation/undeclared-share"))!;
    expect(finding.message).toMatch(/^payout-approver\/execution: .*payouts-policy \(statement #1\) gives agent payout-approver's execution identity/);
  });

  it("matches every agent role a principal pattern can name", { timeout: 120_000 }, async () => {
    const findings = await run(tablePolicy({ Action: "dynamodb:Scan", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/acme-dev-*-execution` } }));
    const agents = new Set(findings.filter((v) => ofRule(v, "separation/undeclared-share")).map((v) => v.message.split("/")[0]));
    expect([...agents].sort()).toEqual(["invoice-triage", "legacy-summariser", "payout-approver", "support-assistant"]);
  });

  it("refuses a role id it cannot tie to a role", { timeout: 120_000 }, async () => {
    expect(ruleIds(await run(tablePolicy({ Principal: { AWS: "AROAEXAMPLEID1234567" } })))).toContain("iam/resource-policy");
  });

  it("does not read the agent's account as an agent identity (the account is judged as a principal that is not an agent's)", { timeout: 120_000 }, async () => {
    const findings = await run(tablePolicy({ Action: "dynamodb:Scan", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }));
    expect(findings.filter((v) => v.message.includes("identity (role"))).toEqual([]);
  });

  it("lets a share the security team declared in `shares` through, and no other", { timeout: 120_000 }, async () => {
    const extra = tablePolicy({ Action: "dynamodb:Scan" });
    const share = {
      name: "payouts-scan",
      principal: `iam:role/${ROLE}`,
      resources: [TABLE],
      access: ["read-items"],
      reason: "the nightly reconciliation scans payouts",
    };
    expect(ruleIds(await run(extra, { shares: [share] }))).not.toContain(SHARE);
    expect(ruleIds(await run(extra, { shares: [{ ...share, resources: [`${TABLE}-other`] }] }))).toContain(SHARE);
    expect(ruleIds(await run(extra, { shares: [{ ...share, access: ["write-items"] }] }))).toContain(SHARE);
  });
});

describe("grantsNotHeld", () => {
  const held = grantsOf([
    { Effect: "Allow", Action: ["s3:Get*"], Resource: ["arn:aws:s3:::b/p/*"], Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } },
  ]);
  const given = (statement: Record<string, unknown>) =>
    grantsOf([
      {
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::b/p/x",
        Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } },
        ...statement,
      },
    ]);

  it("holds a grant the plan covers by action glob, resource prefix and condition", () => {
    expect(grantsNotHeld(held, given({}))).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ["a wider resource", { Resource: "arn:aws:s3:::b/*" }],
    ["another action", { Action: "s3:PutObject" }],
    ["no condition", { Condition: undefined }],
    ["a NotResource", { Resource: undefined, NotResource: "arn:aws:s3:::b/q/*" }],
  ])("does not hold %s", (_name, statement) => {
    expect(grantsNotHeld(held, given(statement))).not.toEqual([]);
  });

  it("never holds by a Deny", () => {
    const deny = grantsOf([{ Effect: "Deny", Action: "*", Resource: "*" }]);
    expect(grantsNotHeld(deny, given({}))).not.toEqual([]);
  });
});
