/** Every rule is classified waivable or not, explicitly; the never-waivable families stay so. */
import { describe, expect, it } from "vitest";
import { ALL_RULES, NEVER_WAIVABLE_FAMILIES, RESOURCE_ONLY_RULES, WAIVABLE } from "../../components/rules";

const rules = [...ALL_RULES, ...RESOURCE_ONLY_RULES];

describe("waivable rules", () => {
  it("classifies every rule in the one table (a new rule fails here until someone decides)", () => {
    const unclassified = rules.filter((rule) => !(rule.id in WAIVABLE)).map((rule) => rule.id);
    expect(unclassified, "add these to components/rules/waivable.ts").toEqual([]);
    const stale = Object.keys(WAIVABLE).filter((id) => !rules.some((rule) => rule.id === id));
    expect(stale, "remove these from components/rules/waivable.ts").toEqual([]);
  });

  it("never waives lifecycle, trust, separation, stack or limits rules, escalation or credential exposure", () => {
    for (const rule of rules) {
      if (NEVER_WAIVABLE_FAMILIES.has(rule.family)) expect(rule.waivable, rule.id).toBe(false);
      expect(rule.waivable, rule.id).toBe(WAIVABLE[rule.id] === true && !NEVER_WAIVABLE_FAMILIES.has(rule.family));
    }
    for (const id of [
      "iam/privilege-escalation",
      "iam/passrole-wildcard",
      "iam/passrole-compute",
      "iam/assume-agent-role",
      "iam/action-wildcard",
      "iam/not-action",
      "kubernetes/rbac-secrets",
      "kubernetes/rbac-token-request",
      "vault/audience",
      "vault/token-max-ttl",
      "vault/secret-credential-type",
    ]) {
      expect(rules.find((rule) => rule.id === id)?.waivable, id).toBe(false);
    }
  });
});
