/**
 * The pack and `plan` cannot drift: every bad declaration in test/fixtures/bad/ is compiled without
 * validation, its resources are registered by the real `Agent` components (under mocks, with the
 * cross-agent registry stubbed so they do not refuse it), and the generated pack runs over them.
 * Every error rule the plan reports must be reported by the pack too, under the same id, unless
 * the rule object says it is plan-only (and why).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { readStackFile } from "../../cli/stack-file";
import { Agent } from "../../components/agent";
import { FLEET_TOKEN, fleetHandoff } from "../../components/fleet-handoff";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration } from "../../components/core/schema";
import { ALL_RULES, RULES, errorsOf, evaluatePlan } from "../../components/rules";
import { PLAN_ONLY_RULES } from "../../policy/policies";
import { installMocks, resources, settle } from "../helpers/pulumi-mocks";
import { ruleIds, runPack, type Resource } from "../helpers/policy-args";

// Test-only: the registry would refuse the bad plan before a single resource is registered.
vi.mock("../../components/registry", () => ({ stackRegistry: () => ({ register: () => [] }) }));

const DIR = "test/fixtures/bad";
const DATE = new Date("2026-11-28T00:00:00Z");
const fixtures = readdirSync(DIR)
  .filter((file) => file.endsWith(".yaml"))
  .map((file) => ({ file: join(DIR, file), text: readFileSync(join(DIR, file), "utf8") }))
  .filter(({ text }) => !text.startsWith("# expect-schema: "))
  .map(({ file, text }) => ({ file, expect: /^# expect: (\S+)/.exec(text)![1] }));

const byId = new Map(RULES.map((rule) => [rule.id, rule]));

/** The plan's error rule ids, and the resources the components register for it. */
async function planAndResources(file: string): Promise<{ planIds: string[]; resources: Resource[] }> {
  const declaration = parseDeclaration(readStackFile(file).declaration, file);
  const plan = compileFleet(declaration, "fixture");
  const planIds = [...new Set(errorsOf(evaluatePlan(plan, ALL_RULES, DATE)).map((v) => v.rule))].sort();
  installMocks("fixture");
  for (const agent of declaration.agents) {
    // As AgentFleet hands its agents the plan it validated.
    const options = {};
    fleetHandoff.set(options, { token: FLEET_TOKEN, compiled: { plan: plan.agents.find((a) => a.name === agent.name)!, platform: plan.platform } });
    new Agent(`fleet-${agent.name}`, { ...agent, platform: declaration.platform, validationDate: DATE.toISOString().slice(0, 10) }, options);
  }
  await settle();
  return {
    planIds,
    resources: resources()
      .filter((r) => r.custom)
      .map((r) => ({ type: r.type, name: r.name, props: r.inputs })),
  };
}

describe("pack and plan agree on every bad declaration", () => {
  const results = new Map<string, { planIds: string[]; packIds: string[] }>();
  beforeAll(async () => {
    for (const fixture of fixtures) {
      const { planIds, resources } = await planAndResources(fixture.file);
      results.set(fixture.file, { planIds, packIds: ruleIds(await runPack(resources, DATE)) });
    }
  }, 600_000);

  for (const fixture of fixtures) {
    it(`${fixture.file}: the pack reports ${fixture.expect} too, or it is plan-only`, () => {
      const { planIds, packIds } = results.get(fixture.file)!;
      expect(planIds, "the plan reports the fixture's rule").toContain(fixture.expect);
      for (const id of planIds.filter((id) => !byId.get(id)!.pack.planOnly))
        expect(packIds, `${id} is reported by plan; the pack must report it too`).toContain(id);
      // And nothing else, unless the plan reports a plan-only rule: then the pack, blind to it, may
      // catch the same mistake under another id (an undeclared connection's SQL read as PostgreSQL,
      // an over-wide `owns` as a cross-agent grant).
      const extra = packIds.filter((id) => !planIds.includes(id));
      if (!planIds.some((id) => byId.get(id)!.pack.planOnly)) expect(extra, "the pack reports rules the plan does not").toEqual([]);
    });
  }

  it("exempts exactly the plan-only rules the fixtures reach, each with its reason", () => {
    const reached = new Set([...results.values()].flatMap((r) => r.planIds));
    const missed = new Set([...results.values()].flatMap((r) => r.planIds.filter((id) => !r.packIds.includes(id))));
    // What the pack misses is exactly the plan-only rules reached: a plan-only rule the pack does
    // report should say so in its rule object, and a pack rule it misses fails above.
    expect([...missed].sort()).toEqual([...reached].filter((id) => byId.get(id)!.pack.planOnly).sort());
    for (const rule of PLAN_ONLY_RULES) expect(rule.pack.planOnly!.length, rule.id).toBeGreaterThan(10);
  });
});
