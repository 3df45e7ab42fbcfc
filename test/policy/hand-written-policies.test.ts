/**
 * How the pack reads the resources of hand-written IAM and resource policies: a policy variable is
 * every value it can take, a DynamoDB table's streams, indexes, backups and exports are the table,
 * an S3 access point (ARN or alias) is the bucket behind it, IAM names compare in any case, and a
 * NotResource excludes only what it surely covers. Each case changes one property of a happy-path
 * resource next to the dev stack's components: a CI role's policy that reaches no agent resource,
 * and an agent's own extra RolePolicy on its own prefix (refused as unplanned, but not as a reach).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { componentResources } from "../helpers/component-resources";
import { stackDeclaration } from "../helpers/fixtures";
import { runPack, ruleIds, type Resource, ofRule } from "../helpers/policy-args";

const ACCOUNT = "111122223333";
const TABLE = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/acme-dev-payouts`;
const doc = (statement: Record<string, unknown>, version = "2012-10-17") =>
  JSON.stringify({ Version: version, Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::ci-artifacts/*", ...statement }] });
const r = (type: string, name: string, props: Record<string, unknown>): Resource => ({ type, name, props });
/** A policy on the CI runner role: by default it reads its own artifacts bucket only. */
const ciPolicy = (statement: Record<string, unknown> = {}, version?: string) =>
  r("aws:iam/rolePolicy:RolePolicy", "ci", { role: "ci-runner", policy: doc(statement, version) });
/** A second policy on the support assistant's execution role: by default its own articles, in its region. */
const agentPolicy = (statement: Record<string, unknown> = {}) =>
  r("aws:iam/rolePolicy:RolePolicy", "agent-extra", {
    role: "acme-dev-support-assistant-execution",
    policy: doc({
      Resource: "arn:aws:s3:::acme-kb-dev/articles/*",
      Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } },
      ...statement,
    }),
  });
const accessPoint = (name: string, bucket: string) => r("aws:s3/accessPoint:AccessPoint", `ap-${name}`, { name, bucket });

let base: Resource[];
beforeAll(async () => {
  base = await componentResources(stackDeclaration("dev"));
}, 120_000);
const run = (...extra: Resource[]) => runPack([...base, ...extra]);
/** The agents a separation/undeclared-share finding names. */
const sharedAgents = async (...extra: Resource[]) =>
  [...new Set((await run(...extra)).filter((v) => ofRule(v, "separation/undeclared-share")).map((v) => v.message.split("/")[0]))].sort();

describe("the happy paths", () => {
  it("a CI role reading its own bucket adds no finding", async () => {
    expect(await run(ciPolicy())).toEqual([]);
  });

  it("an agent's extra policy on its own prefix is refused only as unplanned (iam/agent-role-as-planned), never as reaching another agent", async () => {
    expect(ruleIds(await run(agentPolicy()))).not.toContain("separation/cross-agent-grant");
  });

  it("a variable, an access point and a table sub-resource that reach no agent resource add none either", async () => {
    const quiet = [
      ciPolicy({ Resource: "arn:aws:s3:::ci-artifacts/${aws:username}/*" }),
      { ...ciPolicy({ Resource: `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/ci-ap/object/*` }), name: "ci-ap" },
      accessPoint("ci-ap", "ci-artifacts"),
      { ...ciPolicy({ Action: ["dynamodb:GetRecords"], Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/ci-builds/stream/*` }), name: "ci-ddb" },
    ];
    expect(await run(...quiet)).toEqual([]);
  });
});

describe("policy variables are every value they can take", () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ["a tag as the whole bucket name", { Resource: "arn:aws:s3:::${aws:PrincipalTag/b}/*" }, ["invoice-triage", "legacy-summariser", "support-assistant"]],
    ["a variable in a bucket name's tail", { Resource: "arn:aws:s3:::acme-${aws:userid}/*" }, ["invoice-triage", "legacy-summariser", "support-assistant"]],
    ["a tag as the queue name", { Action: ["sqs:ReceiveMessage"], Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:\${aws:PrincipalTag/q}` }, ["support-assistant"]],
    [
      "a tag in the table name",
      { Action: ["dynamodb:GetItem"], Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/acme-dev-\${aws:PrincipalTag/t}` },
      ["payout-approver"],
    ],
    [
      "a variable with a default value",
      { Resource: "arn:aws:s3:::acme-${aws:PrincipalTag/b, 'ci'}/*" },
      ["invoice-triage", "legacy-summariser", "support-assistant"],
    ],
    [
      "a variable before the resource part",
      { Action: ["sqs:ReceiveMessage"], Resource: `arn:aws:sqs:\${aws:RequestedRegion}:${ACCOUNT}:ci` },
      ["support-assistant"],
    ],
    ["a variable never closed", { Resource: "arn:aws:s3:::acme-${aws:username" }, ["invoice-triage", "legacy-summariser", "support-assistant"]],
    [
      "a NotResource holding a variable (it excludes nothing)",
      { Resource: undefined, NotResource: "arn:aws:s3:::${aws:username}/*" },
      ["invoice-triage", "legacy-summariser", "support-assistant"],
    ],
  ])("a CI role with %s reaches the agents' resources", async (_name, statement, agents) => {
    expect(await sharedAgents(ciPolicy(statement))).toEqual(agents);
  });

  it("an old-version document keeps both readings (AWS reads it literally)", async () => {
    expect(await sharedAgents(ciPolicy({ Resource: "arn:aws:s3:::${aws:PrincipalTag/b}/*" }, "2008-10-17"))).toEqual([
      "invoice-triage",
      "legacy-summariser",
      "support-assistant",
    ]);
  });

  it("in a managed policy attached to a CI role", async () => {
    const policy = r("aws:iam/policy:Policy", "mp", { name: "ci-var", policy: doc({ Resource: "arn:aws:s3:::${aws:PrincipalTag/b}/*" }) });
    const attach = r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "rpa", { role: "ci-runner", policyArn: `arn:aws:iam::${ACCOUNT}:policy/ci-var` });
    expect(await sharedAgents(policy, attach)).toContain("invoice-triage");
  });

  it("in a bucket policy's Resource", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci` }, Action: "s3:GetObject", Resource: "arn:aws:s3:::${aws:PrincipalTag/b}/*" },
      ],
    });
    expect(await sharedAgents(r("aws:s3/bucketPolicy:BucketPolicy", "bp", { bucket: "acme-invoices-dev", policy }))).toContain("invoice-triage");
  });

  it("in an agent's own extra policy: it reaches the other agents' buckets", async () => {
    const findings = await run(agentPolicy({ Resource: "arn:aws:s3:::${aws:PrincipalTag/b}/*" }));
    expect(ruleIds(findings)).toContain("separation/cross-agent-grant");
    expect(findings.filter((v) => ofRule(v, "separation/cross-agent-grant")).map((v) => v.message)).toContainEqual(
      expect.stringMatching(/acme-invoices-dev\/incoming/),
    );
  });
});

describe("a DynamoDB table's sub-resources are the table", () => {
  it.each<[string, string, string[]]>([
    ["its streams", `${TABLE}/stream/*`, ["dynamodb:GetRecords", "dynamodb:GetShardIterator"]],
    ["one stream by label", `${TABLE}/stream/2024-01-01T00:00:00.000`, ["dynamodb:GetRecords"]],
    ["its indexes", `${TABLE}/index/*`, ["dynamodb:Query"]],
    ["one index by name", `${TABLE}/index/by-date`, ["dynamodb:Query"]],
    ["its backups", `${TABLE}/backup/*`, ["dynamodb:RestoreTableFromBackup"]],
    ["its exports", `${TABLE}/export/*`, ["dynamodb:DescribeExport"]],
    ["its imports", `${TABLE}/import/*`, ["dynamodb:DescribeImport"]],
  ])("a CI role on %s reaches the table payout-approver owns", async (_name, resource, actions) => {
    const [finding] = (await run(ciPolicy({ Action: actions, Resource: resource }))).filter((v) => ofRule(v, "separation/undeclared-share"));
    expect(finding?.message).toMatch(
      /^payout-approver\/\*: .*reaches arn:aws:dynamodb:us-east-1:111122223333:table\/acme-dev-payouts, which agent payout-approver owns/,
    );
    expect(finding?.message).toContain(`on ${resource}`);
  });
});

describe("an S3 access point is the bucket behind it", () => {
  it("a CI role on every access point's objects reaches every agent's prefix", async () => {
    const finding = ciPolicy({ Resource: `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/*/object/incoming/*` });
    expect(await sharedAgents(finding)).toEqual(["invoice-triage", "legacy-summariser", "support-assistant"]);
  });

  it("an access point of the stack reaches its own bucket only", async () => {
    const extra = [ciPolicy({ Resource: `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/invoices/object/*` }), accessPoint("invoices", "acme-invoices-dev")];
    expect(await sharedAgents(...extra)).toEqual(["invoice-triage"]);
  });

  it("an access point of the stack's name in any account stands for every bucket", async () => {
    const extra = [ciPolicy({ Resource: "arn:aws:s3:us-east-1:*:accesspoint/ci-ap/object/*" }), accessPoint("ci-ap", "ci-artifacts")];
    expect(await sharedAgents(...extra)).toEqual(["invoice-triage", "legacy-summariser", "support-assistant"]);
  });

  it.each([
    ["an access point the stack does not create", `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/elsewhere/object/*`],
    ["an access point alias written as a bucket", "arn:aws:s3:::invoices-hrzrlukc5m36ft7okagglf3gmwluquse1b-s3alias/*"],
    ["an Object Lambda access point alias", "arn:aws:s3:::invoices-ol-hrzrlukc5m36ft7okagglf3gm--ol-s3/*"],
    ["a pattern that matches access points", `arn:aws:s3:us-east-1:${ACCOUNT}:*`],
  ])("%s stands for every bucket", async (_name, resource) => {
    expect(await sharedAgents(ciPolicy({ Resource: resource }))).toEqual(["invoice-triage", "legacy-summariser", "support-assistant"]);
  });

  it("an Object Lambda access point's actions read the bucket behind it", async () => {
    const statement = { Action: ["s3-object-lambda:GetObject"], Resource: `arn:aws:s3-object-lambda:us-east-1:${ACCOUNT}:accesspoint/elsewhere` };
    expect(await sharedAgents(ciPolicy(statement))).toContain("invoice-triage");
  });

  it("an agent's own extra policy on an access point reaches the other agents' buckets", async () => {
    const findings = await run(agentPolicy({ Resource: `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/*/object/*` }));
    expect(ruleIds(findings)).toContain("separation/cross-agent-grant");
  });
});

describe("names and exclusions read as the plan's holdings index reads them", () => {
  it("an agent role named in another case is the agent's role", async () => {
    const statement = { Action: ["iam:PassRole"], Resource: `arn:aws:iam::${ACCOUNT}:role/ACME-DEV-SUPPORT-ASSISTANT-EXECUTION` };
    expect(await sharedAgents(ciPolicy(statement))).toEqual(["support-assistant"]);
  });

  it("a NotResource '?' does not exclude a prefix it cannot cover", async () => {
    const statement = { Resource: undefined, NotResource: ["arn:aws:s3:::acme-invoices-dev/incoming/?"] };
    expect(await sharedAgents(ciPolicy(statement))).toContain("invoice-triage");
  });

  it("a NotResource covering an agent's prefix excludes it", async () => {
    const statement = { Resource: undefined, NotResource: ["arn:aws:s3:::acme-invoices-dev/*"] };
    expect(await sharedAgents(ciPolicy(statement))).not.toContain("invoice-triage");
  });
});
