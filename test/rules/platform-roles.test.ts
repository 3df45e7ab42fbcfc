/**
 * The roles the platform names outside the agents: Vault's AWS engine role (the one principal every
 * tool role trusts) and the roles a share lets agents' vaultAws tools assume. Each refused case
 * changes one property of a happy path.
 */
import { describe, expect, it } from "vitest";
import { DeclarationError, parseDeclaration, type PlatformInput } from "../../components/core/schema";
import { PLATFORM, agent } from "../helpers/fixtures";

const ACCOUNT = PLATFORM.aws.accountId;
const ENGINE = `arn:aws:iam::${ACCOUNT}:role/vault-aws-engine`;
const tagged = (awsEngineRoleArn: string): PlatformInput => ({ ...PLATFORM, toolSessions: "tagged-sessions", vault: { ...PLATFORM.vault, awsEngineRoleArn } });
const parse = (platform: PlatformInput) => parseDeclaration({ platform, agents: [agent("a")] });
const refusal = (platform: PlatformInput): string => {
  try {
    parse(platform);
  } catch (error) {
    if (error instanceof DeclarationError) return error.message;
    throw error;
  }
  return "";
};

describe("platform.vault.awsEngineRoleArn", () => {
  it("accepts the role named as Vault's AWS engine role", () => {
    expect(refusal(tagged(ENGINE))).toBe("");
  });

  const refused: Array<[string, string, RegExp]> = [
    [
      "an SSO permission-set role",
      `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef`,
      /Identity Center/,
    ],
    ["the Organizations access role", `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`, /AWS Organizations creates/],
    ["Control Tower's execution role", `arn:aws:iam::${ACCOUNT}:role/AWSControlTowerExecution`, /Control Tower/],
    ["a CDK deploy role", `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-deploy-role-${ACCOUNT}-us-east-1`, /CDK bootstrap role/],
    ["a CI role", `arn:aws:iam::${ACCOUNT}:role/github-actions-deploy`, /must contain "vault"/],
  ];
  for (const [what, arn, reason] of refused) {
    it(`refuses ${what}`, () => {
      expect(refusal(tagged(arn))).toMatch(/vault\.awsEngineRoleArn/);
      expect(refusal(tagged(arn))).toMatch(reason);
    });
  }
});

describe("role shares (platform.shared vaultAwsRole)", () => {
  const share = {
    name: "reports-reader",
    vaultAwsRole: "arn:aws:iam::444455556666:role/reports-reader",
    agents: ["a"],
    risk: "reads the reporting account's finished reports, nothing else",
  };
  const withShare = (s: object): PlatformInput => ({ ...PLATFORM, shared: [s as never] });

  it("accepts a declared role with its risk", () => {
    expect(refusal(withShare(share))).toBe("");
  });

  it("refuses a role share that does not state its risk", () => {
    expect(refusal(withShare({ ...share, risk: undefined }))).toMatch(/shared\[0\].*risk/s);
  });

  it("refuses sharing a role AWS reserves (OrganizationAccountAccessRole), whatever the risk says", () => {
    expect(refusal(withShare({ ...share, vaultAwsRole: "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole" }))).toMatch(
      /vaultAwsRole.*AWS Organizations creates.*never shared to agents/s,
    );
  });
});
