/** Reading plans for the diff: hand-written forms accepted, bad shapes named by path, sharing. */
import { describe, expect, it } from "vitest";
import { PlanInputError, readPlan, readPlanPair } from "../../components/diff";
import { sameJson } from "../../components/diff/read-plan";
import { agent, edited, planJson, statementsOf } from "../helpers/diff-plans";

const BASE = planJson([agent("alpha"), agent("beta")]);

describe("readPlan", () => {
  it("accepts IAM's single-object and single-string forms and durations for seconds", () => {
    const handWritten = edited(BASE, (p) => {
      const execution = p.agents[0].identities[1];
      const [statement] = execution.iamRole.policies[0].document.Statement;
      execution.iamRole.policies[0].document.Statement = { ...statement, Action: statement.Action[0], Resource: statement.Resource[0] };
      execution.iamRole.maxSessionDuration = "1h";
      execution.vault.role.tokenTtl = "900";
    });
    const [a, b] = [readPlan(BASE, "a"), readPlan(handWritten, "b")];
    const [x, y] = [a.agents[0].identities[1], b.agents[0].identities[1]];
    expect(y.permissions.map((e) => e.key)).toEqual(x.permissions.map((e) => e.key));
    expect([y.iamRole.maxSessionDuration, y.vaultRole?.tokenTtl]).toEqual([3600, 900]);
  });

  it.each([
    ["root", [], "(root): expected an object"],
    ["stack", edited(BASE, (p) => delete (p as Record<string, unknown>).stack), "stack: expected a string"],
    ["identity kind", edited(BASE, (p) => (p.agents[1].identities[2].kind = 7)), "agents[1].identities[2].kind: expected a string"],
    [
      "condition value",
      edited(BASE, (p) => (statementsOf(p, "alpha", "execution")[0].Condition = { StringEquals: { k: { nested: true } } })),
      "agents[0].identities[1].iamRole.policies[0].document.Statement[0].Condition.StringEquals.k",
    ],
    ["missing vault policy", edited(BASE, (p) => delete p.agents[0].identities[0].vault.policy), "agents[0].identities[0].vault.policy: expected an object or null"],
  ])("names the path of a bad %s", (_, input, message) => {
    expect(() => readPlan(input, "plan.json")).toThrowError(PlanInputError);
    expect(() => readPlan(input, "plan.json")).toThrowError(message);
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
