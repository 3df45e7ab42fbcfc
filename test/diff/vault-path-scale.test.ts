/**
 * Vault path comparison is linear: one very long changed path, and hundreds of paths changed at
 * once, cost steps in proportion to their length, never every added path against every removed
 * one at length squared. Counted in matcher steps (no wall clock in `npm test`).
 */
import { describe, expect, it } from "vitest";
import { matcherSteps, vaultPathSubsumes } from "../../components/diff/patterns";
import { diffEntries, vaultEntries } from "../../components/diff/statements";

const RULES = { actionSubsumes: (a: string, b: string) => a === b, resourceSubsumes: vaultPathSubsumes };
const steps = <T>(run: () => T) => {
  matcherSteps.count = 0;
  const result = run();
  return { result, steps: matcherSteps.count };
};

describe("Vault path comparison at scale", () => {
  it("one changed 24,000-character KV path: steps linear in its length", () => {
    const long = `kv/data/agents/dev/alpha/${"segment-".repeat(3_000)}`;
    const base = vaultEntries([{ path: `${long}a`, capabilities: ["read"] }]);
    const head = vaultEntries([{ path: `${long}b`, capabilities: ["read"] }]);
    const { result, steps: count } = steps(() => diffEntries(base, head, RULES));
    expect(result.map((c) => c.type).sort()).toEqual(["added", "removed"]);
    expect(count).toBeLessThanOrEqual(4 * long.length);
  });

  it("a wildcard over a long path: steps linear in the two lengths", () => {
    const long = `kv/data/${"+/".repeat(2_000)}x`;
    const { result, steps: count } = steps(() => vaultPathSubsumes(`kv/data/${"+/".repeat(2_000)}*`, long));
    expect(result).toBe(true);
    expect(count).toBeLessThanOrEqual(2 * (long.length + long.length));
  });

  it("400 KV paths each gaining /v2: no pairwise comparison of literal paths", () => {
    const paths = Array.from({ length: 400 }, (_, i) => `kv/data/agents/dev/alpha/${"x".repeat(40)}${i}`);
    const base = vaultEntries(paths.map((path) => ({ path, capabilities: ["read", "list"] })));
    const head = vaultEntries(paths.map((path) => ({ path: `${path}/v2`, capabilities: ["read", "list"] })));
    const { result, steps: count } = steps(() => diffEntries(base, head, RULES));
    expect(result.filter((c) => c.type === "added")).toHaveLength(800);
    expect(result.filter((c) => c.type === "removed")).toHaveLength(800);
    // Linear: at most a few steps per path character, far below 800 × 800 pairs.
    expect(count).toBeLessThanOrEqual(paths.reduce((n, p) => n + p.length, 0) * 4);
  });

  it("still pairs a literal path narrowed from a wildcard (so the linear pass loses nothing)", () => {
    const base = vaultEntries([{ path: "kv/data/agents/dev/alpha/*", capabilities: ["read"] }]);
    const head = vaultEntries([{ path: "kv/data/agents/dev/alpha/reports", capabilities: ["read"] }]);
    const [change] = diffEntries(base, head, RULES);
    expect(change).toMatchObject({ type: "changed", field: "resource", scope: "shrinks" });
  });
});
