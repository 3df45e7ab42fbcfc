/**
 * Where agents may own things is closed: every `owns` entry lies inside a root the platform declares
 * (platform.ownableRoots), and no root or owned name is one AWS reserves. Each refused case changes
 * one property of a happy path.
 */
import { describe, expect, it } from "vitest";
import { compileFleet } from "../../components/core/compile";
import { DeclarationError, parseDeclaration, type AgentInput, type PlatformInput } from "../../components/core/schema";
import { ALL_RULES, evaluatePlan } from "../../components/rules";
import { RESERVED_NAMES } from "../../components/rules/data/reserved-names";
import { OwnableRoots, ownableRootProblem } from "../../components/rules/ownable-roots";
import { PLATFORM, TODAY, agent } from "../helpers/fixtures";

const ACCOUNT = PLATFORM.aws.accountId;
const REGION = PLATFORM.aws.region;
const SCOPE = { partition: "aws", accountId: ACCOUNT, regions: [REGION] };

function violations(agents: AgentInput[], platform: PlatformInput = PLATFORM) {
  return evaluatePlan(compileFleet(parseDeclaration({ platform, agents }), "test"), ALL_RULES, TODAY).violations;
}
const owning = (owned: string, platform: PlatformInput = PLATFORM) => violations([agent("a", { owns: [owned], tools: [] })], platform);
const rootFindings = (owned: string, platform: PlatformInput = PLATFORM) => owning(owned, platform).filter((v) => v.rule === "separation/owned-root");

describe("owns inside the platform's ownable roots", () => {
  it("the happy path plans clean: an S3 prefix, a table, a queue, a parameter, a secret and a listed KMS key inside roots", () => {
    for (const owned of [
      "arn:aws:s3:::acme-data/a/*",
      `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/acme-a`,
      `arn:aws:sqs:${REGION}:${ACCOUNT}:acme-a`,
      `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/acme/a`,
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:acme/a-AbCdEf`,
      `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    ])
      expect(owning(owned), owned).toEqual([]);
  });

  // The attack round's claims: each an ownable type, each outside every root, each refused by name.
  const claims: Array<[string, string]> = [
    ["the platform's CloudTrail bucket", `arn:aws:s3:::aws-cloudtrail-logs-${ACCOUNT}-1a2b3c4d`],
    ["Vault's storage bucket", "arn:aws:s3:::vault-storage-prod"],
    ["an RDS-managed master secret", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e-AbCdEf`],
    ["another KMS key", `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`],
    ["the /acme SSM root", `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/acme`],
    ["a Control Tower topic", `arn:aws:sns:${REGION}:${ACCOUNT}:aws-controltower-SecurityNotifications`],
    ["the CDK staging bucket", `arn:aws:s3:::cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`],
  ];
  for (const [what, owned] of claims) {
    it(`refuses owning ${what}, naming agent, field, entry and fix`, () => {
      const found = rootFindings(owned);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ agent: "a", identity: null });
      expect(found[0].message).toContain(`owns "${owned}"`);
      expect(found[0].fix).toMatch(/platform\.ownableRoots|name space/);
    });
  }

  it("refuses a reserved name even inside a declared root (a root does not make rds! secrets the platform's)", () => {
    const platform = { ...PLATFORM, ownableRoots: [`arn:aws:s3:::acme-data`] };
    expect(rootFindings("arn:aws:s3:::acme-data/a/*", platform)).toEqual([]);
    expect(rootFindings("arn:aws:s3:::acme-data-s3alias", { ...PLATFORM, ownableRoots: ["arn:aws:s3:::acme-data-*"] })[0]?.message).toMatch(
      /access point alias/,
    );
  });

  it("refuses every owns entry when the platform declares no roots (closed world)", () => {
    const found = rootFindings("arn:aws:s3:::acme-data/a/*", { ...PLATFORM, ownableRoots: [] });
    expect(found[0]?.message).toMatch(/declares none/);
  });

  it("an exact root covers itself and what is under it, not a longer name", () => {
    const roots = new OwnableRoots(["arn:aws:s3:::acme-data", "arn:aws:dynamodb:us-east-1:1:table/t1", "arn:aws:ssm:us-east-1:1:parameter/acme/agents/*"]);
    expect(roots.covering("arn:aws:s3:::acme-data")).toBe("arn:aws:s3:::acme-data");
    expect(roots.covering("arn:aws:s3:::acme-data/x/*")).toBe("arn:aws:s3:::acme-data");
    expect(roots.covering("arn:aws:s3:::acme-database")).toBeUndefined();
    expect(roots.covering("arn:aws:dynamodb:us-east-1:1:table/t1/index/i")).toBeDefined();
    expect(roots.covering("arn:aws:dynamodb:us-east-1:1:table/t1x")).toBeUndefined();
    expect(roots.covering("arn:aws:ssm:us-east-1:1:parameter/acme/agents/a")).toBeDefined();
    expect(roots.covering("arn:aws:ssm:us-east-1:1:parameter/acme/agents/")).toBeUndefined();
    expect(roots.covering("arn:aws:ssm:us-east-1:1:parameter/acme/agent")).toBeUndefined();
  });

  it("looks up a long entry in time linear in its length (no scan over roots)", () => {
    const roots = new OwnableRoots(Array.from({ length: 500 }, (_, i) => `arn:aws:s3:::acme-${i}-*`));
    expect(roots.covering(`arn:aws:s3:::acme-499-${"x".repeat(2000)}`)).toBe("arn:aws:s3:::acme-499-*");
    expect(roots.covering(`arn:aws:s3:::acme-500-${"x".repeat(2000)}`)).toBeUndefined();
  });
});

describe("platform.ownableRoots", () => {
  it("accepts roots of ownable types in the stack's partition, account and region", () => {
    for (const root of [
      "arn:aws:s3:::acme-agents-*",
      "arn:aws:s3:::acme-data",
      `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/acme/agents/*`,
      `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/acme-dev-*`,
      `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    ])
      expect(ownableRootProblem(root, SCOPE), root).toBeNull();
  });

  const refused: Array<[string, string, RegExp]> = [
    ["another account", `arn:aws:dynamodb:${REGION}:444455556666:table/acme-*`, /account 444455556666/],
    ["another region", `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/acme-*`, /region eu-west-1/],
    ["another partition", `arn:aws-cn:dynamodb:${REGION}:${ACCOUNT}:table/acme-*`, /partition aws-cn/],
    ["a type no agent may own", `arn:aws:iam::${ACCOUNT}:role/acme-*`, /not of a type an agent may own/],
    ["a KMS key prefix", `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234*`, /exact ARN/],
    ["a wildcard inside", "arn:aws:s3:::acme-*-data", /other than one trailing/],
    ["too short a prefix", "arn:aws:s3:::acm*", /at least 4/],
    ["every bucket", "arn:aws:s3:::*", /names no resource|at least 4/],
    ["a prefix that continues into a reserved one", "arn:aws:s3:::cf-te*", /reserves/],
    ["the aws- bucket name space", "arn:aws:s3:::aws-glue-assets-*", /reserves/],
    ["an rds! secret", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-*`, /managed by another AWS service/],
    ["a reserved parameter path", `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/aws/service/*`, /Parameter Store/],
    ["a policy variable", `arn:aws:s3:::acme-\${aws:username}`, /policy variable/],
  ];
  for (const [what, root, reason] of refused) {
    it(`refuses ${what}`, () => {
      expect(ownableRootProblem(root, SCOPE)).toMatch(reason);
      expect(() => parseDeclaration({ platform: { ...PLATFORM, ownableRoots: [root] }, agents: [] })).toThrowError(DeclarationError);
    });
  }

  it("names the field and the reviewed change in the schema error", () => {
    expect(() => parseDeclaration({ platform: { ...PLATFORM, ownableRoots: ["arn:aws:s3:::aws-cloudtrail-logs-*"] }, agents: [] })).toThrowError(
      /ownableRoots\[0\].*reviewed change to the stack file/s,
    );
  });

  it("every reserved name cites an AWS documentation page", () => {
    for (const entry of RESERVED_NAMES) expect(entry.source, entry.value).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
  });
});
