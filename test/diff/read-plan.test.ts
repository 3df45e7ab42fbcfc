/** Reading plans for the diff: only through the plan schema, strict and versioned; sharing. */
import { describe, expect, it } from "vitest";
import { PLAN_VERSION, PlanSchemaError, parsePlan } from "../../components/core/plan-schema";
import { PlanInputError, readPlan, readPlanPair } from "../../components/diff";
import { sameJson } from "../../components/diff/generic-changes";
import { agent, edited, planJson, statementsOf } from "../helpers/diff-plans";

const BASE = planJson([agent("alpha"), agent("beta")]);

describe("readPlan", () => {
  it("reads a compiled plan, and the stdout of `plan --format json`", () => {
    const plan = readPlan(BASE, "plan.json");
    expect(plan.agents.map((a) => a.name)).toEqual(["alpha", "beta"]);
    const stdout = { ok: true, plan: BASE, warnings: [], waived: [] };
    expect(readPlan(stdout, "stdout.json").agents.map((a) => a.name)).toEqual(["alpha", "beta"]);
  });

  it("refuses the output of a failed plan, saying why", () => {
    expect(() => readPlan({ ok: false, errors: ["stacks/Pulumi.dev.yaml:3: tier: bad"], violations: [], waived: [] }, "out.json")).toThrowError(
      /out\.json: not a valid identity plan[\s\S]*plan` that failed[\s\S]*tier: bad/,
    );
  });

  it.each([
    ["no version", edited(BASE, (p) => delete p.version), "the plan has no `version`"],
    [
      "another version",
      edited(BASE, (p) => (p.version = PLAN_VERSION + 1)),
      `has version ${PLAN_VERSION + 1}; this agent-identity reads plan version ${PLAN_VERSION} only`,
    ],
  ])("refuses a plan with %s before reading anything else", (_, input, message) => {
    expect(() => readPlan(input, "plan.json")).toThrowError(message);
  });

  it.each([
    ["root", [], "(root): expected an object"],
    ["stack", edited(BASE, (p) => delete (p as Record<string, unknown>).stack), "stack: Invalid input"],
    ["missing platform", edited(BASE, (p) => delete p.platform), "platform: Invalid input"],
    ["unknown key", edited(BASE, (p) => (p.agents[0].identities[1].iamRole.extra = true)), 'agents[0].identities[1].iamRole: Unrecognized key: "extra"'],
    ["identity kind", edited(BASE, (p) => (p.agents[1].identities[2].kind = "admin")), "agents[1].identities[2].kind"],
    [
      "TTL written as a duration",
      edited(BASE, (p) => (p.agents[0].identities[0].vault.role.tokenTtl = "15m")),
      "agents[0].identities[0].vault.role.tokenTtl: Invalid input: expected number",
    ],
    [
      "condition value",
      edited(BASE, (p) => (statementsOf(p, "alpha", "execution")[0].Condition = { StringEquals: { k: { nested: true } } })),
      "agents[0].identities[1].iamRole.policies[0].document.Statement[0].Condition.StringEquals.k",
    ],
    ["missing vault policy", edited(BASE, (p) => delete p.agents[0].identities[0].vault.policy), "agents[0].identities[0].vault.policy"],
    ["missing exceptions", edited(BASE, (p) => delete p.platform.exceptions), "platform.exceptions"],
  ])("names the path of a bad %s", (_, input, message) => {
    expect(() => readPlan(input, "plan.json")).toThrowError(PlanInputError);
    expect(() => readPlan(input, "plan.json")).toThrowError(message);
  });

  it("is the plan schema's own error, for any tool that reads plans", () => {
    expect(() => parsePlan({ version: PLAN_VERSION }, "x")).toThrowError(PlanSchemaError);
  });
});

describe("readPlanPair", () => {
  it("shares agents that are equal in both plans and reads changed ones afresh", () => {
    const head = edited(BASE, (p) => (statementsOf(p, "beta", "execution")[0].Resource = ["arn:aws:s3:::acme-data/*"]));
    const [base, next] = readPlanPair(BASE, head, { base: "base", head: "head" });
    expect(next.agents[0]).toBe(base.agents[0]);
    expect(next.agents[1]).not.toBe(base.agents[1]);
  });

  it("still validates the head plan's changed agents", () => {
    const head = edited(BASE, (p) => (p.agents[1].owner = null));
    expect(() => readPlanPair(BASE, head, { base: "base", head: "head.json" })).toThrowError("head.json: not a valid identity plan");
  });
});

describe("sameJson", () => {
  it.each([
    [{ a: [1, { b: "x" }] }, { a: [1, { b: "x" }] }, true],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, false],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [{ a: null }, { a: {} }, false],
    [[], {}, false],
    [{ constructor: 1 }, {}, false],
  ])("%j vs %j: %s", (a, b, expected) => {
    expect(sameJson(a, b)).toBe(expected);
  });
});
