/**
 * One reading of "does this grant reach that holding": `reachesEntry`, which the pack asks for
 * principals that are not agents, answers exactly as the plan's holdings index (`ResourceIndex`)
 * does for one owned or granted entry, on random ARN-shaped names and patterns (an owned concrete
 * name covers what is below it: a table's streams and indexes; IAM names compare in any case).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ResourceIndex, coversEntry, reachesEntry, type EntryKind } from "../components/core/resource-index";
import { globMatches } from "../components/core/patterns";

const segment = fc.constantFrom("t", "tb", "T", "stream", "index", "x");
const name = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/"));
const service = fc.constantFrom("dynamodb", "iam", "s3");
const entry = fc.tuple(service, name, fc.boolean()).map(([svc, n, prefix]) => `arn:aws:${svc}:r:1:table/${n}${prefix ? "/*" : ""}`);
const queryPart = fc.constantFrom("t", "T", "tb", "*", "?", "t*", "stream", "/", ":", "x");
const query = fc
  .tuple(fc.constantFrom("dynamodb", "iam", "s3", "*"), fc.array(queryPart, { minLength: 1, maxLength: 5 }))
  .map(([svc, parts]) => `arn:aws:${svc}:r:1:table/${parts.join("")}`);

describe("reachesEntry", () => {
  it("answers as the holdings index does for one owned or granted entry", () => {
    fc.assert(
      fc.property(entry, query, fc.constantFrom<EntryKind>("owned", "grant"), (held, asked, kind) => {
        const index = new ResourceIndex<string>();
        index.add(held, kind, held);
        expect(reachesEntry(asked, held, kind === "owned")).toBe(index.intersecting(asked).length > 0);
      }),
      { seed: 20261207, numRuns: 2000 },
    );
  });

  it("reads a table's sub-resources as below the table it owns, and nothing beside it", () => {
    const table = "arn:aws:dynamodb:us-east-1:111122223333:table/payouts";
    expect(reachesEntry(`${table}/stream/2024-01-01T00:00:00.000`, table, true)).toBe(true);
    expect(reachesEntry(`${table}/index/by-date`, table, true)).toBe(true);
    expect(reachesEntry(`${table}/index/by-date`, table, false)).toBe(false);
    expect(reachesEntry(`${table}-archive`, table, true)).toBe(false);
  });
});

describe("coversEntry", () => {
  it("never says a pattern excludes a name of the entry that it does not match", () => {
    fc.assert(
      fc.property(entry, query, fc.boolean(), fc.constantFrom("", "a", "stream/1", "x:y"), (held, excluding, owned, tail) => {
        if (!coversEntry(excluding, held, owned)) return;
        // Some names the entry covers: itself (its star as a tail) and, owned, below it.
        const names = [held.endsWith("*") ? held.slice(0, -1) + tail : held, ...(owned && !held.endsWith("*") ? [`${held}/${tail}`, `${held}:${tail}`] : [])];
        for (const covered of names) expect(globMatches(excluding.toLowerCase(), covered.toLowerCase()) || globMatches(excluding, covered)).toBe(true);
      }),
      { seed: 20261207, numRuns: 2000 },
    );
  });
});
