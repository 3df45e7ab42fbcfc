/**
 * iam/platform-object-declared: beside the dev stack (agents), a customer-managed policy, an instance
 * profile, an identity provider, a user or a group the stack creates is refused until the security team
 * declares it: one named like an existing object may be that object imported, reaching its holders,
 * instances, key holders or members outside the stack.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { declaring, exclusivePolicies, ruleIds, runPack, type Resource } from "../helpers/policy-args";

const RULE = "iam/platform-object-declared";
const dev = devBaseline();

const unsealRead = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:111122223333:secret:vault/unseal-*" }],
});
const policy: Resource = { type: "aws:iam/policy:Policy", name: "dev-baseline", props: { name: "developers-baseline", policy: unsealRead } };
const profile: Resource = { type: "aws:iam/instanceProfile:InstanceProfile", name: "web", props: { name: "web-servers", role: "vault-server" } };
const saml: Resource = {
  type: "aws:iam/samlProvider:SamlProvider",
  name: "okta",
  props: { name: "okta", samlMetadataDocument: '<EntityDescriptor entityID="https://idp.example"/>' },
};

describe("customer policies and instance profiles beside agents are declared", () => {
  it("refuses a policy twin granting a platform secret (no agent resource reached) until declared", async () => {
    expect(await dev.added([policy])).toEqual([RULE]);
    expect(await dev.added([policy], declaring(policy))).toEqual([]);
  }, 120_000);
  it("refuses an instance profile twin handing a role to the instances already using it, until declared", async () => {
    expect(await dev.added([profile])).toEqual([RULE]);
    expect(await dev.added([profile], declaring(profile))).toEqual([]);
  }, 120_000);
  it("refuses a SAML provider twin (every role trusting it would accept another IdP's assertions) until declared", async () => {
    expect(await dev.added([saml])).toEqual([RULE]);
    expect(await dev.added([saml], declaring(saml))).toEqual([]);
  }, 120_000);
  it("refuses a user twin (its existing access keys would carry the grants of a stack group) and the group, until both are declared", async () => {
    const user: Resource = { type: "aws:iam/user:User", name: "deploy-bot", props: { name: "deploy-bot" } };
    const group: Resource = { type: "aws:iam/group:Group", name: "deployers", props: { name: "deployers" } };
    const grant: Resource = {
      type: "aws:iam/groupPolicy:GroupPolicy",
      name: "deployers-unseal",
      props: { group: "deployers", name: "unseal", policy: unsealRead },
    };
    const membership: Resource = {
      type: "aws:iam/userGroupMembership:UserGroupMembership",
      name: "deploy-bot-deployers",
      props: { user: "deploy-bot", groups: ["deployers"] },
    };
    const all = [user, group, grant, membership, ...exclusivePolicies(user), ...exclusivePolicies(group, ["unseal"])];
    expect(await dev.added(all)).toEqual([RULE]);
    const findings = (await dev.addedFindings(all)).map((f) => f.message);
    expect(findings).toEqual([expect.stringContaining("user deploy-bot"), expect.stringContaining("group deployers")]);
    expect(await dev.added(all, declaring(user, group))).toEqual([]);
  }, 120_000);
  it("refuses a declared policy again once its document changes (the digest pins it)", async () => {
    const changed = { ...policy, props: { ...policy.props, policy: unsealRead.replace("vault/unseal-*", "*") } };
    expect(await dev.added([changed], declaring(policy))).toContain(RULE);
  }, 120_000);
  it("asks nothing of a stack without agents", async () => {
    expect(ruleIds(await runPack([policy, profile]))).not.toContain(RULE);
  }, 120_000);
});
