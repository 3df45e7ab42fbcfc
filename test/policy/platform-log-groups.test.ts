/**
 * stack/log-group-declared: beside the dev stack (agents), a CloudWatch log group that is not an
 * agent's audit group is refused until the security team declares it: one named like an existing group
 * (the EKS control plane's audit log) may be that group imported, its retention cut to a day.
 */
import { describe, expect, it } from "vitest";
import { devBaseline } from "../helpers/dev-baseline";
import { declaring, ruleIds, runPack, type Resource } from "../helpers/policy-args";

const RULE = "stack/log-group-declared";
const dev = devBaseline();

const eksTwin: Resource = { type: "aws:cloudwatch/logGroup:LogGroup", name: "eks-cp", props: { name: "/aws/eks/main/cluster", retentionInDays: 1 } };

describe("log groups beside agents are declared", () => {
  it("passes the agents' own audit groups (the components' baseline adds nothing)", async () => {
    expect(await dev.added([])).toEqual([]);
  }, 120_000);
  it("refuses a twin of the EKS control plane's log group until declared, and again once its retention changes", async () => {
    expect(await dev.added([eksTwin])).toEqual([RULE]);
    expect(await dev.added([eksTwin], declaring(eksTwin))).toEqual([]);
    const shorter = { ...eksTwin, props: { ...eksTwin.props, retentionInDays: 3 } };
    expect(await dev.added([shorter], declaring(eksTwin))).toEqual([RULE]);
  }, 120_000);
  it("refuses a group tagged with an agent of the stack but named outside its audit group, and one tagged with an agent the stack does not have", async () => {
    const tagged = { ...eksTwin, props: { ...eksTwin.props, retentionInDays: 0, tags: { agent: "invoice-triage" } } };
    expect(await dev.added([tagged])).toContain(RULE);
    const stranger: Resource = {
      type: "aws:cloudwatch/logGroup:LogGroup",
      name: "stranger",
      props: { name: "/acme/dev/agents/stranger/audit", tags: { agent: "stranger" } },
    };
    expect(await dev.added([stranger])).toContain(RULE);
  }, 120_000);
  it("asks nothing of a stack without agents", async () => {
    expect(ruleIds(await runPack([eksTwin]))).not.toContain(RULE);
  }, 120_000);
});
