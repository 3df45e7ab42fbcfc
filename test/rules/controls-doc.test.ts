import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderControls } from "../../cli/controls-doc";
import { ALL_RULES, RESOURCE_ONLY_RULES } from "../../components/rules";
import { PACK_COVERAGE, PLAN_ONLY } from "../../policy/policies";

describe("docs/controls.md", () => {
  it("is up to date with the rule metadata (run `npm run docs`)", () => {
    expect(readFileSync("docs/controls.md", "utf8")).toBe(renderControls());
  });

  it("maps every rule to each standard and gives it a unique id", () => {
    const rules = [...ALL_RULES, ...RESOURCE_ONLY_RULES];
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule.id).toMatch(new RegExp(`^${rule.family}/[a-z-]+$`));
      for (const list of Object.values(rule.standards)) expect(list.length, rule.id).toBeGreaterThan(0);
      expect(rule.standards.owaspNhi.every((id) => /^NHI([1-9]|10)$/.test(id))).toBe(true);
      expect(rule.standards.owaspAsi.every((id) => /^ASI(0[1-9]|10)$/.test(id))).toBe(true);
    }
  });

  it("has the pack cover every rule, except the plan-only ones it says why for, and only registered rules", () => {
    const ids = new Set([...ALL_RULES, ...RESOURCE_ONLY_RULES].map((r) => r.id));
    for (const id of [...Object.keys(PACK_COVERAGE), ...Object.keys(PLAN_ONLY)]) expect(ids.has(id), id).toBe(true);
    expect([...ids].filter((id) => !PACK_COVERAGE[id] && !PLAN_ONLY[id])).toEqual([]);
    expect(Object.keys(PLAN_ONLY).filter((id) => PACK_COVERAGE[id])).toEqual([]);
  });
});
