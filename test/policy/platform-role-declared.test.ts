/**
 * iam/platform-role-declared: beside the dev stack (agents), a hand-written role is refused until the
 * security team declares it, even when it holds only the stack's policies: an imported existing role
 * keeps what other resources grant its ARN. The agents' own roles need no declaration.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { declaring, exclusivePolicies, ruleIds, runPack, type Resource } from "../helpers/policy-args";

const RULE = "iam/platform-role-declared";
const dev = devBaseline();

const podTrust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const role: Resource = { type: "aws:iam/role:Role", name: "shop-fn", props: { name: "vault-server", assumeRolePolicy: podTrust } };
const fn: Resource = {
  type: "aws:lambda/function:Function",
  name: "shop",
  props: { role: "arn:aws:iam::111122223333:role/vault-server", runtime: "python3.12", handler: "h", code: {} },
  dependsOn: { role: ["shop-fn"] },
};

describe("a role that is not an agent's, beside agents, is declared", () => {
  it("refuses a role twin (vault-server) lent to the stack's Lambda although it holds only the stack's (no) policies", async () => {
    expect(await dev.added([role, ...exclusivePolicies(role), fn])).toEqual([RULE]);
  }, 120_000);
  it("passes it once the security team declares the role", async () => {
    expect(await dev.added([role, ...exclusivePolicies(role), fn], declaring(role))).toEqual([]);
  }, 120_000);
  it("refuses it again when the declared role's inputs change (the digest pins the name)", async () => {
    const renamed = { ...role, props: { ...role.props, name: "eks-admin" } };
    expect(await dev.added([renamed, ...exclusivePolicies(renamed), fn], declaring(role))).toContain(RULE);
  }, 120_000);
  it("is not waived by an agent tag naming no identity of this stack's agents", async () => {
    const agent = (dev.base().find((r) => r.type === "aws:iam/role:Role")!.props.tags as { agent: string }).agent;
    for (const tags of [{ agent: "ghost", identity: "execution" }, { agent }]) {
      const tagged = { ...role, props: { ...role.props, tags } };
      expect(await dev.added([tagged, ...exclusivePolicies(tagged), fn])).toContain(RULE);
    }
  }, 120_000);
  it("asks nothing of the agents' own roles", async () => {
    expect(dev.base().filter((r) => r.type === "aws:iam/role:Role").length).toBeGreaterThan(0);
    expect(ruleIds(await runPack(dev.base()))).not.toContain(RULE);
  }, 120_000);
});
