import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalGlob, globMatches, globSubsumes, matcherSteps, vaultPathSubsumes } from "../../components/diff/patterns";

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

/** Vault ACL semantics as a regular expression (reference only: `+` one segment, trailing `*` any suffix). */
function vaultRegex(pattern: string): RegExp {
  const body = [...pattern]
    .map((c, i) => (c === "+" ? "[^/]+" : c === "*" && i === pattern.length - 1 ? "[\\s\\S]*" : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

describe("Vault path subsumption is sound", () => {
  const symbol = fc.constantFrom("a", "b", "/", "+", "*");
  const path = fc.array(symbol, { maxLength: 8 }).map((chars) => chars.join(""));
  const fill = fc.array(fc.constantFrom("a", "b", "c"), { minLength: 1, maxLength: 3 }).map((chars) => chars.join(""));
  it("never claims containment that a concrete path disproves", () => {
    fc.assert(
      fc.property(path, path, fill, fc.constantFrom("", "x", "x/y"), (wide, narrow, segment, tail) => {
        if (!vaultPathSubsumes(wide, narrow)) return true;
        const sample = [...narrow].map((c, i) => (c === "+" ? segment : c === "*" && i === narrow.length - 1 ? tail : c)).join("");
        return vaultRegex(wide).test(sample);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("matching cost is bounded by |P| x |Q| steps (no backtracking)", () => {
  const measure = (run: () => boolean) => {
    matcherSteps.count = 0;
    const result = run();
    return { result, steps: matcherSteps.count };
  };

  it("holds on an IAM pattern built to make a backtracking matcher explode", () => {
    const wide = `ec2:${"*?".repeat(200)}#`;
    const narrow = `ec2:${"a".repeat(2000)}`;
    const { result, steps } = measure(() => globSubsumes(wide, narrow, true));
    expect(result).toBe(false);
    expect(steps).toBeLessThanOrEqual(wide.length * narrow.length);
    const { steps: starSteps } = measure(() => globSubsumes(`${"a*".repeat(300)}b`, `${"a".repeat(3000)}*`));
    expect(starSteps).toBeLessThanOrEqual(601 * 3001);
  });

  it("holds on a Vault mount with many `+` and long names", () => {
    const segment = "x".repeat(60);
    const wide = `${"+/".repeat(60)}+${"/+".repeat(30)}/secret`;
    const narrow = `${`${segment}/`.repeat(90)}${segment}`;
    const { result, steps } = measure(() => vaultPathSubsumes(wide, narrow));
    expect(result).toBe(false);
    expect(steps).toBeLessThanOrEqual(wide.length * narrow.length);
    const plusRun = measure(() => vaultPathSubsumes(`kv/${"+".repeat(400)}b`, `kv/${"a".repeat(4000)}`));
    expect(plusRun.result).toBe(false);
    expect(plusRun.steps).toBeLessThanOrEqual(404 * 4003);
  });
});
