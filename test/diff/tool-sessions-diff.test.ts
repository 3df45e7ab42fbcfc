/**
 * Switching a fleet between tool-session modes shows in the diff as what it is: the tool grants move
 * onto the tool role with their session-tag conditions added (narrower), the tool role's trust admits
 * the Vault engine (wider), the tagged Vault roles appear, and `platform.toolSessions` itself changes
 * (`role` is the wider setting). Going back reverses every direction.
 */
import { describe, expect, it } from "vitest";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration } from "../../components/core/schema";
import { diffPlans, readPlan } from "../../components/diff";
import { PLATFORM, agent } from "../helpers/fixtures";
import { TEST_CATALOG } from "../helpers/diff-plans";

const ENGINE = "arn:aws:iam::111122223333:role/vault-aws-engine";

function plan(mode: "role" | "tagged-sessions") {
  const platform = { ...PLATFORM, toolSessions: mode, vault: { ...PLATFORM.vault, ...(mode === "tagged-sessions" ? { awsEngineRoleArn: ENGINE } : {}) } };
  return JSON.parse(JSON.stringify(compileFleet(parseDeclaration({ platform, agents: [agent("alpha")] }), "test")));
}

function summary(base: unknown, head: unknown): string[] {
  const diff = diffPlans(readPlan(base, "base.json"), readPlan(head, "head.json"), TEST_CATALOG, { base: "base.json", head: "head.json" });
  return [...diff.platform, ...diff.changes].map((c) => `${c.agent}/${c.identity ?? "-"} ${c.kind} ${c.classification}`).sort();
}

describe("diff between tool-session modes", () => {
  it("role → tagged-sessions: grants narrowed onto the tool role, the engine trusted, the mode narrowed", () => {
    const changes = summary(plan("role"), plan("tagged-sessions"));
    expect(changes).toContain("(platform)/- platform-changed narrows");
    expect(changes.some((c) => /^alpha\/execution permission-\w+ narrows$/.test(c))).toBe(true);
    expect(changes.some((c) => /^alpha\/execution trust-\w+ widens$/.test(c))).toBe(true);
    expect(changes.some((c) => /^alpha\/execution secret-role-\w+ widens$/.test(c))).toBe(true);
    expect(changes.filter((c) => c.startsWith("alpha/execution permission") && c.endsWith("widens"))).toEqual([]);
  });

  it("tagged-sessions → role: grants widened (the tag conditions dropped), the mode widened", () => {
    const changes = summary(plan("tagged-sessions"), plan("role"));
    expect(changes).toContain("(platform)/- platform-changed widens");
    expect(changes.some((c) => /^alpha\/execution permission-\w+ widens$/.test(c))).toBe(true);
  });

  it("no change, no entry", () => {
    expect(summary(plan("tagged-sessions"), plan("tagged-sessions"))).toEqual([]);
  });
});
