import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalGlob, globMatches, globSubsumes, vaultPathSubsumes } from "../../components/diff/patterns";

describe("IAM wildcard subsumption", () => {
  it.each([
    ["arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/*"],
    ["arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt"],
    ["arn:aws:s3:::*", "arn:aws:s3:::bucket/a/*"],
    ["*", "arn:aws:s3:::bucket"],
    ["arn:aws:s3:::bucket/?/*", "arn:aws:s3:::bucket/a/*"],
    ["arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/?"],
    ["arn:aws:s3:::b*t/*", "arn:aws:s3:::bucket/x"],
    ["a*a", "a*a*a"],
    ["*?", "?*"],
  ])("%s contains %s", (wide, narrow) => {
    expect(globSubsumes(wide, narrow)).toBe(true);
  });

  it.each([
    ["arn:aws:s3:::bucket/a/*", "arn:aws:s3:::bucket/*"],
    ["arn:aws:s3:::bucket/a/*", "arn:aws:s3:::bucket/b/*"],
    ["arn:aws:s3:::bucket/?", "arn:aws:s3:::bucket/*"],
    ["arn:aws:s3:::bucket/?/*", "arn:aws:s3:::bucket/*"],
    ["arn:aws:s3:::bucket-a", "arn:aws:s3:::bucket-?"],
    ["arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x"],
  ])("%s does not contain %s", (wide, narrow) => {
    expect(globSubsumes(wide, narrow)).toBe(false);
  });

  it("compares actions case-insensitively only when asked", () => {
    expect(globSubsumes("s3:get*", "s3:GetObject", true)).toBe(true);
    expect(globSubsumes("s3:get*", "s3:GetObject")).toBe(false);
    expect(globSubsumes("iam:*", "IAM:PassRole", true)).toBe(true);
  });

  it("canonicalises wildcard runs without changing what they match", () => {
    expect(canonicalGlob("a*?*?b")).toBe("a??*b");
    expect(canonicalGlob("a??b")).toBe("a??b");
  });

  // Soundness: whenever `wide` is said to contain `narrow`, every string `narrow` matches is
  // matched by `wide`. Strings are drawn from `narrow`'s own language by filling its wildcards.
  const alphabet = fc.constantFrom("a", "b", "/", ":", "*", "?");
  const pattern = fc.array(alphabet, { maxLength: 7 }).map((chars) => chars.join(""));
  const filler = fc.array(fc.constantFrom("a", "b", "/", "c"), { maxLength: 4 }).map((chars) => chars.join(""));
  it("never claims containment that a concrete string disproves", () => {
    fc.assert(
      fc.property(pattern, pattern, fc.array(filler, { minLength: 8, maxLength: 8 }), (wide, narrow, fills) => {
        if (!globSubsumes(wide, narrow)) return true;
        let n = 0;
        const sample = narrow.replace(/[*?]/g, (w) => {
          const fill = fills[n++ % fills.length];
          return w === "*" ? fill : fill.slice(0, 1) || "a";
        });
        return globMatches(wide, sample);
      }),
      { numRuns: 3000 },
    );
  });
  it("finds containment wherever a literal pattern is matched", () => {
    fc.assert(
      fc.property(pattern, fc.array(fc.constantFrom("a", "b", "/", ":"), { maxLength: 7 }), (wide, chars) => {
        const literal = chars.join("");
        return globSubsumes(wide, literal) === globMatches(wide, literal);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("Vault path subsumption", () => {
  it.each([
    ["kv/data/agents/dev/a/*", "kv/data/agents/dev/a/x", true],
    ["kv/data/agents/dev/a/*", "kv/data/agents/dev/a/x/*", true],
    ["kv/data/agents/dev/+/x", "kv/data/agents/dev/a/x", true],
    ["kv/data/agents/dev/+/x", "kv/data/agents/dev/+/x", true],
    ["kv/data/agents/dev/a/x", "kv/data/agents/dev/a/*", false],
    ["kv/data/agents/dev/+/x", "kv/data/agents/dev/a/b/x", false],
    ["kv/data/agents/dev/a/", "kv/data/agents/dev/ab/", false],
    ["kv/data/agents/dev/a*", "kv/data/agents/dev/ab/", true],
  ])("%s contains %s: %s", (wide, narrow, expected) => {
    expect(vaultPathSubsumes(wide, narrow)).toBe(expected);
  });
});
