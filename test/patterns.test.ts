/**
 * The glob matchers are polynomial on every input: proven by counting character comparisons (a
 * step budget), never by timing. The adversarial patterns are those that made the former
 * regular-expression matcher backtrack exponentially. Results are checked against a plain
 * reference implementation (a regular expression on small inputs, a brute-force search for
 * intersections).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { globMatches, globsIntersect, grantsIntersect, matcherSteps, resetMatcherSteps } from "../components/core/patterns";
import { arnMatchesResourceType } from "../components/core/iam-catalog";
import { ADVERSARIAL_INPUTS } from "../bench/adversarial";

function stepsOf(run: () => unknown): number {
  resetMatcherSteps();
  run();
  return matcherSteps();
}

/** The former matcher's semantics, safe only on short inputs. */
function regexMatches(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${source}$`).test(text);
}

describe("globMatches", () => {
  it("matches IAM globs", () => {
    expect(globMatches("s3:Get*", "s3:GetObject")).toBe(true);
    expect(globMatches("s3:Get*", "s3:PutObject")).toBe(false);
    expect(globMatches("s3:?etObject", "s3:GetObject")).toBe(true);
    expect(globMatches("S3:GET*", "s3:getobject", true)).toBe(true);
    expect(globMatches("S3:GET*", "s3:getobject")).toBe(false);
    expect(globMatches("a*b*c", "abc")).toBe(true);
    expect(globMatches("a*b*c", "acb")).toBe(false);
    expect(globMatches("*", "")).toBe(true);
    expect(globMatches("?", "")).toBe(false);
    expect(globMatches("ab*ba", "aba")).toBe(false);
    expect(globMatches("secret:acme/x-??????", "secret:acme/x-AbC123")).toBe(true);
  });

  it("agrees with a regular expression on short inputs", () => {
    const alphabet = fc.constantFrom("a", "b", "*", "?", ":");
    const text = fc.constantFrom("a", "b", ":");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 8 }), fc.array(text, { maxLength: 10 }), (p, t) => {
        expect(globMatches(p.join(""), t.join(""))).toBe(regexMatches(p.join(""), t.join("")));
      }),
      { numRuns: 2000 },
    );
  });

  it.each(ADVERSARIAL_INPUTS.filter((input) => input.kind === "match"))("$name: at most |pattern|·|text| steps", ({ pattern, text }) => {
    const steps = stepsOf(() => globMatches(pattern, text));
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThanOrEqual((pattern.length + 1) * (text.length + 1));
  });
});

/** Brute force: does some string over the patterns' letters, up to a length, match both? */
function bruteIntersect(a: string, b: string): boolean {
  const letters = [...new Set((a + b).replace(/[*?]/g, "").split("").concat(["z"]))];
  const limit = Math.max(a.length, b.length) + 1;
  const words: string[] = [""];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (regexMatches(a, word) && regexMatches(b, word)) return true;
    if (word.length < limit) for (const letter of letters) words.push(word + letter);
    if (words.length > 50_000) break;
  }
  return false;
}

describe("globsIntersect", () => {
  it("decides whether two patterns share a match", () => {
    expect(globsIntersect("acme-data/agent-1/*", "acme-data/agent-2/*")).toBe(false);
    expect(globsIntersect("acme-data/*", "acme-data/agent-2/*")).toBe(true);
    expect(globsIntersect("a*", "*b")).toBe(true);
    expect(globsIntersect("a?c", "?b?")).toBe(true);
    expect(globsIntersect("a?c", "ab")).toBe(false);
    expect(globsIntersect("*a*", "*b*")).toBe(true);
    expect(globsIntersect("a*", "b*")).toBe(false);
    expect(globsIntersect("*x", "*y")).toBe(false);
  });

  it("agrees with a brute-force search on short patterns", () => {
    const alphabet = fc.constantFrom("a", "b", "*", "?");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 4 }), fc.array(alphabet, { maxLength: 4 }), (a, b) => {
        expect(globsIntersect(a.join(""), b.join(""))).toBe(bruteIntersect(a.join(""), b.join("")));
      }),
      { numRuns: 400 },
    );
  });

  it.each(ADVERSARIAL_INPUTS.filter((input) => input.kind === "intersect"))("$name: at most (|a|+1)·(|b|+1) steps", ({ pattern, text }) => {
    const steps = stepsOf(() => globsIntersect(pattern, text));
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThanOrEqual((pattern.length + 2) * (text.length + 2));
  });

  it("handles long patterns without recursion", () => {
    const long = `${"a*".repeat(20_000)}b`;
    expect(globsIntersect(long, `${"?".repeat(100)}*c`)).toBe(false);
    expect(grantsIntersect(`arn:aws:s3:::${long}`, "arn:aws:s3:::*")).toBe(true);
  });
});

describe("arnMatchesResourceType", () => {
  it("reads template variables as one or more characters, across separators", () => {
    const object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    expect(arnMatchesResourceType("arn:aws:s3:::bucket/key/with/slashes", object)).toBe(true);
    expect(arnMatchesResourceType("arn:aws:s3:::bucket/*", object)).toBe(true);
    expect(arnMatchesResourceType("arn:aws:s3:::bucket", object)).toBe(false);
  });

  it("stays within its step budget on a long adversarial ARN", () => {
    const template = "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}";
    const arn = `arn:${":ec2:".repeat(2_000)}x`;
    const steps = stepsOf(() => arnMatchesResourceType(arn, template));
    expect(steps).toBeLessThanOrEqual((template.length + 1) * (arn.length + 1));
  });
});
