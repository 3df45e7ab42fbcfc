/**
 * Every leaf of the plan schema has a classification rule, every rule names a real leaf, and the
 * README's table is generated from the rules (run `npm run docs` after changing them).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planSchema } from "../../components/core/plan-schema";
import { CLASSIFICATION_RULES, renderClassificationTable, ruleFor, schemaLeaves } from "../../components/diff/classification-rules";
import { README_END, README_START } from "../../cli/diff-rules-doc";

const leaves = [...schemaLeaves(planSchema)].sort();

describe("classification rules", () => {
  it("walks the schema's leaves, through lists, maps, unions and nullable objects", () => {
    expect(leaves).toContain("agents[].identities[].vault.role.backend");
    expect(leaves).toContain("agents[].identities[].vault.secretRoles[].revocationStatements[]");
    expect(leaves).toContain("agents[].identities[].vault.secretRoles[].roleArns[]");
    expect(leaves).toContain("agents[].namespace.labels{}");
    expect(leaves).toContain("platform.limits.requireApproval");
    expect(leaves).toContain("platform.exceptions[].expires");
    expect(leaves.length).toBeGreaterThan(100);
  });

  it("has a rule for every leaf of the plan schema (add one line to CLASSIFICATION_RULES for a new field)", () => {
    expect(leaves.filter((leaf) => ruleFor(leaf) === undefined)).toEqual([]);
  });

  it("has no rule for a field the plan does not have", () => {
    const covered = (path: string) =>
      leaves.some(
        (leaf) =>
          leaf === path || (CLASSIFICATION_RULES[path].subtree && (leaf.startsWith(`${path}.`) || leaf.startsWith(`${path}[`) || leaf.startsWith(`${path}{`))),
      );
    const keyed = (path: string) => /\{[^}]+\}$/.test(path) && leaves.includes(path.replace(/\{[^}]+\}$/, "{}"));
    expect(Object.keys(CLASSIFICATION_RULES).filter((path) => !covered(path) && !keyed(path))).toEqual([]);
  });

  it("is listed in the README, generated from the rules", () => {
    const readme = readFileSync("README.md", "utf8");
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    expect(start, "README markers").toBeGreaterThan(0);
    expect(readme.slice(start + README_START.length, end).trim(), "README table is stale: run `npx tsx cli/diff-rules-doc.ts`").toBe(
      renderClassificationTable(),
    );
  });
});
