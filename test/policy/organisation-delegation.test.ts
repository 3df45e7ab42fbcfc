/**
 * iam/outside-principal on organisation-wide delegation: beside the dev stack (agents), a delegated
 * administrator for any service and an attachment of an organisation policy the stack does not write
 * are refused until the security team declares them.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { declaring, ruleIds, runPack, UNKNOWN, type Resource } from "../helpers/policy-args";

const RULE = "iam/outside-principal";
const dev = devBaseline();

const admin = (servicePrincipal: string): Resource => ({
  type: "aws:organizations/delegatedAdministrator:DelegatedAdministrator",
  name: "delegate",
  props: { accountId: "999988887777", servicePrincipal },
});
const attach = (props: Record<string, unknown>, dependsOn?: Record<string, string[]>): Resource => ({
  type: "aws:organizations/policyAttachment:PolicyAttachment",
  name: "attach",
  props: { targetId: "ou-abcd-12345678", ...props },
  ...(dependsOn ? { dependsOn } : {}),
});
const scp: Resource = {
  type: "aws:organizations/policy:Policy",
  name: "guardrail",
  props: {
    name: "guardrail",
    type: "SERVICE_CONTROL_POLICY",
    content: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "ec2:DeleteVpc", Resource: "*" }] }),
  },
};

describe("organisation-wide delegation beside agents is declared", () => {
  it("refuses a delegated administrator for IAM Identity Center (it assigns permission sets everywhere) until declared", async () => {
    expect(await dev.added([admin("sso.amazonaws.com")])).toEqual([RULE]);
    expect(await dev.added([admin("sso.amazonaws.com")], declaring(admin("sso.amazonaws.com")))).toEqual([]);
  }, 120_000);
  it("refuses an existing SCP attached by id until declared, and passes the stack's own SCP attached by its output", async () => {
    const existing = attach({ policyId: "p-abc12345" });
    expect(await dev.added([existing])).toContain(RULE);
    expect(await dev.added([existing], declaring(existing))).not.toContain(RULE);
    expect(await dev.added([scp, attach({ policyId: UNKNOWN }, { policyId: ["guardrail"] })])).not.toContain(RULE);
  }, 120_000);
  it("asks nothing of a stack without agents", async () => {
    expect(ruleIds(await runPack([admin("sso.amazonaws.com"), attach({ policyId: "p-abc12345" })]))).not.toContain(RULE);
  }, 120_000);
});
