/** The curated risk lists are data: every action must exist in the IAM reference and name a source. */
import { describe, expect, it } from "vitest";
import { actionExists } from "../../components/core/iam-catalog";
import { accessLevel, resourceTypesFor } from "../../components/core/iam-catalog";
import { ACCOUNT_LEVEL_WRITE_ALLOWLIST, RISK_ACTIONS, RISK_CATEGORIES, RISK_SOURCES } from "../../components/rules/data/risk-categories";
import { ALL_RULES } from "../../components/rules";

describe("risk categories", () => {
  it("name only actions AWS has, each once, each with a source", () => {
    const seen = new Set<string>();
    for (const entry of RISK_ACTIONS) {
      expect(actionExists(entry.action), entry.action).toBe(true);
      expect(seen.has(entry.action.toLowerCase()), `${entry.action} listed twice`).toBe(false);
      seen.add(entry.action.toLowerCase());
      expect(RISK_SOURCES[entry.source].url).toMatch(/^https:\/\//);
    }
  });

  it("map every category to a registered rule", () => {
    const ids = new Set(ALL_RULES.map((rule) => rule.id));
    for (const category of Object.values(RISK_CATEGORIES)) expect(ids.has(category.rule), category.rule).toBe(true);
  });

  it('allow on "*" only account-level writes that exist, have no resource type and name a source', () => {
    for (const entry of ACCOUNT_LEVEL_WRITE_ALLOWLIST) {
      expect(actionExists(entry.action), entry.action).toBe(true);
      expect(resourceTypesFor(entry.action), entry.action).toEqual([]);
      expect(accessLevel(entry.action), entry.action).toBe("Write");
      expect(RISK_SOURCES[entry.source].url).toMatch(/^https:\/\//);
    }
  });
});
