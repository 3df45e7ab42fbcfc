/**
 * `check --all` hands the organisation-wide rules a digest of each stack's plan (cli/check-digest.ts),
 * not the plan. These tests fail when the rules read a field the digest leaves out, or when the
 * digest changes what they find.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { asFleetPlan, crossStackPlan } from "../../cli/check-digest";
import { planStackFile } from "../../cli/plan-command";
import { parserLoaded } from "../../components/core/sql/parser";
import type { FleetPlan } from "../../components/core/plan-types";
import { organisationViolations, type StackPlanInput } from "../../components/rules/organisation";
import { TODAY } from "../helpers/fixtures";

/** This repository's stacks: tagged sessions (prod), several clusters with both bindings and bootstrap (sandbox). */
const STACKS = ["dev", "prod", "sandbox"] as const;
const plans = new Map<string, FleetPlan>();

beforeAll(async () => {
  await parserLoaded();
  for (const stack of STACKS) {
    const outcome = planStackFile(`stacks/Pulumi.${stack}.yaml`, stack, TODAY);
    if (!outcome.ok) throw new Error(`stacks/Pulumi.${stack}.yaml does not plan: ${outcome.lines.join("\n")}`);
    plans.set(stack, outcome.result.plan);
  }
});

const input = (file: string, plan: FleetPlan): StackPlanInput => ({ file, plan, locate: (path, label) => `${file}: ${label ?? path}` });

/** A view of `value` that records the path and value of every primitive read through it. */
function recording<T extends object>(value: T, reads: Map<string, unknown>, path = ""): T {
  return new Proxy(value, {
    get(target, key, receiver) {
      const read = Reflect.get(target, key, receiver) as unknown;
      if (typeof key === "symbol" || typeof read === "function" || (!Object.prototype.hasOwnProperty.call(target, key) && key !== "length")) return read;
      const at = path ? `${path}.${key}` : key;
      if (read !== null && typeof read === "object") return recording(read, reads, at);
      reads.set(at, read);
      return read;
    },
  });
}

function valueAt(root: unknown, path: string): unknown {
  let node = root;
  for (const key of path.split(".")) node = node === null || node === undefined ? undefined : (node as Record<string, unknown>)[key];
  return node;
}

describe("check --all's digest of a plan", () => {
  it.each(STACKS)("holds every value the organisation rules read of the %s stack, also where they report a collision", (stack) => {
    const plan = plans.get(stack)!;
    const reads = new Map<string, unknown>();
    // The stack beside a copy of itself collides on every name, so every branch that reports runs too.
    const violations = organisationViolations([input("a", recording(plan, reads)), input("b", recording(plan, reads))]);
    expect(new Set(violations.map((v) => v.rule))).toEqual(
      new Set([
        "organisation/iam-name-unique",
        "organisation/log-group-unique",
        "organisation/owns-disjoint",
        "organisation/vault-name-unique",
        "organisation/namespace-unique",
      ]),
    );
    expect(reads.size).toBeGreaterThan(plan.agents.length);
    const digest = crossStackPlan(plan);
    const lost = [...reads].filter(([path, value]) => valueAt(digest, path) !== value);
    expect(lost).toEqual([]);
  });

  it("finds the same violations as the whole plans, in the same order, between and within the repository's stacks", () => {
    const pairs: [string, string][] = [
      ["dev", "dev"],
      ["prod", "prod"],
      ["sandbox", "sandbox"],
      ["dev", "prod"],
      ["dev", "sandbox"],
      ["prod", "sandbox"],
    ];
    for (const [a, b] of pairs) {
      const whole = organisationViolations([input(`${a}.yaml`, plans.get(a)!), input(`${b}.copy.yaml`, plans.get(b)!)]);
      const digests = organisationViolations([
        input(`${a}.yaml`, asFleetPlan(crossStackPlan(plans.get(a)!))),
        input(`${b}.copy.yaml`, asFleetPlan(crossStackPlan(plans.get(b)!))),
      ]);
      expect(digests).toEqual(whole);
    }
  });

  it("is much smaller than the plan it is taken from", () => {
    const plan = plans.get("prod")!;
    expect(JSON.stringify(crossStackPlan(plan)).length * 3).toBeLessThan(JSON.stringify(plan).length);
  });
});
