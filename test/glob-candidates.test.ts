/**
 * GlobCandidates only skips glob entries that cannot intersect the query: for random ARN-shaped
 * patterns (wildcards in any component, several services, shared resource prefixes) the entries it
 * returns that intersect are exactly, and in the same order, those found by testing every entry.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GlobCandidates } from "../components/core/glob-candidates";
import { grantsIntersect } from "../components/core/patterns";
import { ResourceIndex } from "../components/core/resource-index";

const piece = fc.constantFrom("a", "b", "ab", "*", "?", "", "x/", "x:", "a/b", "role/", "log-group:", "/");
const word = fc.array(piece, { minLength: 0, maxLength: 4 }).map((parts) => parts.join(""));
const service = fc.constantFrom("iam", "logs", "s3", "*", "s?", "");
const arn = fc
  .tuple(word, service, word, word, word)
  .map(([partition, svc, region, account, resource]) => `arn:${partition}:${svc}:${region}:${account}:${resource}`);
const pattern = fc.oneof({ weight: 8, arbitrary: arn }, { weight: 1, arbitrary: word }, { weight: 1, arbitrary: fc.constantFrom("arn:aws:s3", "arn:*", "*") });

describe("GlobCandidates", () => {
  it("returns every entry that intersects the query, in insertion order", () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 0, maxLength: 60 }), fc.array(pattern, { minLength: 1, maxLength: 10 }), (entries, queries) => {
        const list = new GlobCandidates<{ pattern: string }>();
        for (const p of entries) list.push({ pattern: p });
        for (const query of queries) {
          const expected = list.all().filter((entry) => grantsIntersect(entry.pattern, query));
          expect(list.candidates(query).filter((entry) => grantsIntersect(entry.pattern, query))).toEqual(expected);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("finds heads longer than the query's and heads ending inside its tokens", () => {
    const list = new GlobCandidates<{ pattern: string }>();
    const patterns = [
      "arn:*:s3:::abc*",
      "arn:*:s3:::a*",
      "arn:*:s3:::x/ab?",
      "arn:*:s3:::x/",
      "arn:*:s3:::x/b/*",
      "arn:*:s3:::y*",
      "arn:*:iam::*:role/a",
      "arn:*:s3:::*",
    ];
    for (let i = 0; i < 3; i++) for (const p of patterns) list.push({ pattern: p });
    for (const query of ["arn:aws:s3:::ab*", "arn:aws:s3:::x/a*", "arn:aws:s3:::x/abc", "arn:aws:s3:::x*", "arn:aws:s3:::*", "arn:aws:s3:::x/b/c"]) {
      const expected = list.all().filter((entry) => grantsIntersect(entry.pattern, query));
      expect(expected.length).toBeGreaterThan(0);
      expect(list.candidates(query).filter((entry) => grantsIntersect(entry.pattern, query))).toEqual(expected);
    }
  });

  it("keeps the index's answers on the pack's ownership patterns (wildcard partition and account)", () => {
    const index = new ResourceIndex<string>();
    const agents = Array.from({ length: 40 }, (_, i) => `agent-${i}`);
    for (const agent of agents) {
      index.add(`arn:*:iam::*:role/acme-bench-${agent}-execution`, "owned", agent);
      index.add(`arn:*:logs:*:*:log-group:/acme/bench/agents/${agent}/audit`, "owned", agent);
      index.add(`arn:*:logs:*:*:log-group:/acme/bench/agents/${agent}/audit:*`, "owned", agent);
    }
    const hits = (query: string) => index.intersecting(query, () => true, 100).map((entry) => entry.value);
    expect(hits("arn:aws:logs:us-east-1:111122223333:log-group:/acme/bench/agents/agent-7/audit:log-stream:*")).toEqual(["agent-7"]);
    expect(hits("arn:aws:iam::111122223333:role/ACME-bench-agent-3-execution")).toEqual(["agent-3"]);
    expect(hits("arn:aws:logs:us-east-1:111122223333:log-group:/acme/bench/agents/agent-1*")).toEqual([
      "agent-1",
      "agent-1",
      ...agents.filter((a) => a.startsWith("agent-1") && a !== "agent-1").flatMap((a) => [a, a]),
    ]);
    expect(hits("arn:aws:s3:::acme-data/agent-3/*")).toEqual([]);
    expect(hits("arn:aws:*:*:*:*")).toHaveLength(100);
  });
});
