/** The registry of derived names: compared after truncation, one finding per holder naming the other. */
import { describe, expect, it } from "vitest";
import { compileFleet } from "../../components/core/compile";
import { derivedNames, nameCollisions } from "../../components/core/derived-names";
import { boundedName, NAMESPACE_NAME_MAX } from "../../components/core/names";
import { parseDeclaration } from "../../components/core/schema";
import { ALL_RULES, errorsOf, evaluatePlan } from "../../components/rules";
import { PLATFORM, TODAY, agent } from "../helpers/fixtures";

const platform = { ...PLATFORM, environment: "production", namePrefix: "acmeplatform", kubernetes: { namespacePerAgent: true } };
const long = "batch-nightly-report-aggregator-job-0001";
// The cut namespace of `long`, minus `<prefix>-<env>-`: a valid agent name of its own.
const twin = boundedName(`acmeplatform-production-${long}`, NAMESPACE_NAME_MAX).slice("acmeplatform-production-".length);

const plan = (names: string[]) => compileFleet(parseDeclaration({ platform, agents: names.map((name) => agent(name)) }), "test");

describe("derived names", () => {
  it("sees a long agent's cut namespace equal to another agent's, and both are refused naming each other", () => {
    const collisions = nameCollisions(derivedNames(plan([long, twin])));
    expect(collisions.map((c) => [c.kind, c.holders.map((h) => h.agent).sort()])).toEqual([["namespace", [twin, long].sort()]]);
    expect(collisions[0]!.holders.find((h) => h.agent === long)!.cutFrom).toBe(`acmeplatform-production-${long}`);
    const errors = errorsOf(evaluatePlan(plan([long, twin]), ALL_RULES, TODAY)).filter((e) => e.rule === "stack/unique-names");
    expect(errors.map((e) => e.agent).sort()).toEqual([twin, long].sort());
    expect(errors.find((e) => e.agent === long)!.message).toContain(`is also the namespace of ${twin}`);
  });

  it("finds nothing for agents whose names share a prefix but whose derived names differ", () => {
    expect(nameCollisions(derivedNames(plan([long, `${long.slice(0, 39)}2`, "a", "a-b"])))).toEqual([]);
  });

  it("does not count the namespace the platform shares on purpose", () => {
    const shared = compileFleet(
      parseDeclaration({ platform: { ...platform, kubernetes: { namespacePerAgent: false } }, agents: [agent("a"), agent("b")] }),
      "test",
    );
    expect(nameCollisions(derivedNames(shared))).toEqual([]);
  });
});
