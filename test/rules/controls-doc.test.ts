import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderControls } from "../../cli/controls-doc";
import { RULES } from "../../components/rules";
import { PACK_RULES, PLAN_ONLY_RULES, createPolicies, policyName } from "../../policy/policies";
import { ADAPTERS, ROUTES, TYPES } from "../../policy/adapters";

describe("docs/controls.md", () => {
  it("is up to date with the rule metadata (run `npm run docs`)", () => {
    expect(readFileSync("docs/controls.md", "utf8")).toBe(renderControls());
  });

  it("maps every rule to each standard and gives it a unique id", () => {
    const rules = RULES;
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.id).toMatch(new RegExp(`^${rule.family}/[a-z-]+$`));
      for (const list of Object.values(rule.standards)) expect(list.length, rule.id).toBeGreaterThan(0);
      expect(rule.standards.owaspNhi.every((id) => /^NHI([1-9]|10)$/.test(id))).toBe(true);
      expect(rule.standards.owaspAsi.every((id) => /^ASI(0[1-9]|10)$/.test(id))).toBe(true);
    }
  });

  it("has every rule object say where the pack runs it, or why it cannot (plan-only), never both", () => {
    for (const rule of RULES) {
      const runs = Boolean(rule.pack.resource || rule.pack.stack);
      const reason = rule.pack.planOnly;
      expect(runs !== (typeof reason === "string" && reason.length > 10), rule.id).toBe(true);
    }
    expect([...PACK_RULES, ...PLAN_ONLY_RULES].map((r) => r.id).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it("generates one policy per rule family, place and severity, and names each rule's policy", () => {
    const expected = [
      ...new Set([
        ...PACK_RULES.filter((rule) => rule.pack.resource).map((rule) => policyName(rule.id, "resource")),
        ...PACK_RULES.filter((rule) => rule.pack.stack).map((rule) => policyName(rule.id, "stack")),
      ]),
    ];
    const policies = createPolicies();
    const names = policies.map((policy) => policy.name);
    expect(names).toEqual(expected);
    expect(new Set(names).size).toBe(names.length);
    expect(policyName("iam/action-wildcard", "resource")).toBe("iam");
    expect(policyName("separation/agent-data-copy", "stack")).toBe("separation-stack");
    // A policy's description lists its rules, and the enforcement level follows their severity.
    for (const rule of PACK_RULES)
      for (const where of ["resource", "stack"] as const) {
        if (!rule.pack[where]) continue;
        const policy = policies.find((p) => p.name === policyName(rule.id, where))!;
        expect(policy.description.split(": ")[1]!.split(", "), rule.id).toContain(rule.id);
        expect(policy.enforcementLevel, rule.id).toBe(rule.severity === "error" ? "mandatory" : "advisory");
      }
    expect(() => policyName("iam/no-such-rule", "resource")).toThrow(/no rule/);
  });
});

describe("routes to an agent identity (docs/controls.md)", () => {
  it("lists every type the pack reads as checked, by rules the pack runs, and gives every other route a reason", () => {
    const byId = new Map(RULES.map((rule) => [rule.id, rule]));
    const listed = new Set(ROUTES.map((route) => route.type));
    // Every type an adapter has a check for, and every named token, is in the route table.
    const read = [...Object.values(TYPES), ...ADAPTERS.flatMap((adapter) => adapter.types.map((entry) => entry.type))];
    for (const type of read) expect(listed.has(type), type).toBe(true);
    for (const route of ROUTES) {
      expect(Boolean(route.checkedBy) !== Boolean(route.outOfScope), route.type).toBe(true);
      for (const id of route.checkedBy ?? []) expect(byId.get(id)?.pack.resource || byId.get(id)?.pack.stack, `${route.type}: ${id}`).toBe(true);
      if (route.outOfScope) expect(route.outOfScope.length, route.type).toBeGreaterThan(20);
    }
  });
});
