/**
 * What an agent may own and do to what it owns is an allowlist (components/rules/data/ownable-types.ts).
 * Each case changes one property of a happy-path declaration.
 */
import { describe, expect, it } from "vitest";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration, type AgentInput } from "../../components/core/schema";
import { resourceTypesFor } from "../../components/core/iam-catalog";
import { ALL_RULES, evaluatePlan } from "../../components/rules";
import { OWNABLE_TYPES } from "../../components/rules/data/ownable-types";
import { ownableTypeOf } from "../../components/rules/ownable";
import { PLATFORM, TODAY, agent } from "../helpers/fixtures";

const ACCOUNT = PLATFORM.aws.accountId;

function violations(agents: AgentInput[], platform = PLATFORM) {
  return evaluatePlan(compileFleet(parseDeclaration({ platform, agents }), "test"), ALL_RULES, TODAY).violations;
}
const rulesOf = (agents: AgentInput[], platform = PLATFORM) => [...new Set(violations(agents, platform).map((v) => v.rule))].sort();

/** A concrete ARN of the first resource type the action acts on. */
function resourceOf(action: string): string {
  const template = resourceTypesFor(action)[0].arn;
  let n = 0;
  return template
    .replace(/\$\{Partition\}/g, "aws")
    .replace(/\$\{Region\}/g, "us-east-1")
    .replace(/\$\{Account\}/g, ACCOUNT)
    .replace(/\$\{[^}]+\}/g, () => `x${n++}`);
}

describe("ownable types", () => {
  it("the happy path plans clean", () => {
    expect(violations([agent("a")])).toEqual([]);
  });

  it("every entry names an iam-data type, a reference page, and only Write actions that act on the type", () => {
    for (const type of OWNABLE_TYPES) {
      expect(type.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/service-authorization\/latest\/reference\/list_[a-z0-9]+\.html$/);
      for (const action of type.write)
        expect(
          resourceTypesFor(action).some((t) => t.name.toLowerCase() === type.type),
          action,
        ).toBe(true);
    }
  });

  // The examples: each would hand an agent an identity, code, a network or the organisation.
  const examples = [
    "sso:CreatePermissionSet",
    "sso:PutInlinePolicyToPermissionSet",
    "sso:CreateAccountAssignment",
    "codedeploy:CreateDeployment",
    "bedrock-agentcore:InvokeAgentRuntimeCommand",
    "cognito-identity:UpdateIdentityPool",
    "ec2:AuthorizeSecurityGroupIngress",
    "ram:AssociateResourceShare",
    "autoscaling:CreateAutoScalingGroup",
    "lightsail:GetRelationalDatabaseMasterUserPassword",
    "grafana:CreateWorkspaceApiKey",
    "quicksight:CreateAdmin",
    "workmail:ResetPassword",
    "es:UpdateElasticsearchDomainConfig",
    "wafv2:UpdateWebACL",
    "route53resolver:DeleteResolverQueryLogConfig",
    "ds:CreateTrust",
  ];
  for (const action of examples) {
    it(`refuses owning what ${action} acts on, and the grant on it`, () => {
      const resource = resourceOf(action);
      expect(ownableTypeOf(resource)).toBeUndefined();
      const found = violations([agent("a", { owns: [resource], tools: [{ name: "t", aws: [{ actions: [action], resources: [resource] }] }] })]);
      const own = found.find((v) => v.rule === "separation/ownable-type");
      expect(own, JSON.stringify(found)).toBeDefined();
      expect(own!.agent).toBe("a");
      expect(own!.message).toContain(`owns "${resource}"`);
      expect(own!.fix).toContain("ask the platform to share it");
      expect(found.some((v) => v.rule === "iam/owned-action" && v.message.includes(action))).toBe(true);
    });
  }

  it("refuses the platform account's SSO instance as an owned resource", () => {
    const sso = "arn:aws:sso:::instance/ssoins-1234567890abcdef";
    expect(rulesOf([agent("a", { owns: [sso], tools: [] })])).toContain("separation/ownable-type");
  });

  it("lets an agent read and put objects under its own prefix, but not change their ACL, tags or retention", () => {
    const prefix = "arn:aws:s3:::acme-data/a/*";
    const use = (actions: string[]) => rulesOf([agent("a", { tools: [{ name: "t", aws: [{ actions, resources: [prefix] }] }] })]);
    expect(use(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])).toEqual([]);
    for (const action of ["s3:PutObjectAcl", "s3:PutObjectTagging", "s3:PutObjectRetention", "s3:BypassGovernanceRetention"])
      expect(use([action]), action).toContain("iam/owned-action");
  });

  it("a KMS key the agent owns is for cryptographic use only: no deletion, policy, grants or import", () => {
    const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const use = (actions: string[]) => rulesOf([agent("a", { owns: [key], tools: [{ name: "t", aws: [{ actions, resources: [key] }] }] })]);
    expect(use(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"])).toEqual([]);
    for (const action of ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:ImportKeyMaterial"])
      expect(use([action]), action).toContain("iam/owned-action");
  });

  it("a table the agent owns takes item reads and writes, not an export, a restore or a deletion", () => {
    const table = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/acme-a-items`;
    const use = (actions: string[]) => rulesOf([agent("a", { owns: [table], tools: [{ name: "t", aws: [{ actions, resources: [table] }] }] })]);
    expect(use(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"])).toEqual([]);
    for (const action of ["dynamodb:DeleteTable", "dynamodb:ExportTableToPointInTime", "dynamodb:PutResourcePolicy", "dynamodb:UpdateTable"])
      expect(use([action]), action).toContain("iam/owned-action");
  });
});

describe('"*" and service:*', () => {
  it('"*" with an action on roles reaches every agent role', () => {
    const found = rulesOf([agent("a", { tools: [{ name: "t", aws: [{ actions: ["iam:UpdateSAMLProvider", "iam:UpdateRole"], resources: ["*"] }] }] })]);
    expect(found).toContain("iam/privilege-escalation");
  });

  it('"*" with a write to S3 reaches another agent\'s prefix', () => {
    const found = violations([agent("a", { tools: [{ name: "t", aws: [{ actions: ["s3:PutObject"], resources: ["*"] }] }] }), agent("b")]);
    expect(found.some((v) => v.agent === "a" && v.rule === "separation/cross-agent-grant" && v.message.includes("agent b"))).toBe(true);
  });

  it('"*" with a log write reaches the audit log groups', () => {
    expect(rulesOf([agent("a", { tools: [{ name: "t", aws: [{ actions: ["logs:PutLogEvents"], resources: ["*"] }] }] })])).toContain(
      "separation/execution-no-audit-sink",
    );
  });

  it("service:* is expanded and each of its actions judged", () => {
    const found = rulesOf([agent("a", { tools: [{ name: "t", aws: [{ actions: ["kms:*"], resources: ["arn:aws:s3:::acme-data/a/*"] }] }] })]);
    expect(found).toContain("iam/service-wildcard");
    expect(found).toContain("iam/permissions-management");
  });

  it("an exception waives a wildcard only when all it reaches is List and Read", () => {
    const exception = (rule: string) => ({ rule, agent: "a", reason: "vendor SDK", approvedBy: "security@example.com", expires: "2027-01-31" });
    const read = agent("a", { tools: [{ name: "t", aws: [{ actions: ["s3:GetObject*"], resources: ["arn:aws:s3:::acme-data/a/*"] }] }] });
    expect(rulesOf([read], { ...PLATFORM, exceptions: [exception("iam/action-pattern")] })).toEqual([]);
    const write = agent("a", { tools: [{ name: "t", aws: [{ actions: ["s3:Put*"], resources: ["arn:aws:s3:::acme-data/a/*"] }] }] });
    expect(rulesOf([write], { ...PLATFORM, exceptions: [exception("iam/action-pattern")] })).toContain("iam/action-pattern");
  });
});
