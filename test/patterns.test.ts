/**
 * The glob matchers are linear on every input (times the word count of a `?`-bearing segment's
 * bit-parallel scan): proven by counting steps, never by timing. The adversarial patterns are those that made the former
 * regular-expression matcher backtrack exponentially. Results are checked against a plain
 * reference implementation (a regular expression on small inputs, a brute-force search for
 * intersections).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { globMatches, globsIntersect, grantsIntersect, matcherSteps, resetMatcherSteps } from "../components/core/patterns";
import { arnMatchesResourceType, expandAction } from "../components/core/iam-catalog";
import { planDeclaration } from "../components/plan";
import { resourceFindings } from "../policy/policies";
import { PLATFORM, TODAY, agent } from "./helpers/fixtures";
import { ADVERSARIAL_INPUTS } from "../bench/adversarial";

/** The bound patterns.ts documents: linear in both lengths, times the words of its longest `?`-bearing segment's scan. */
function linearBound(a: string, b: string): number {
  const wild = [a, b].flatMap((p) => p.split("*")).filter((segment) => segment.includes("?"));
  const words = Math.ceil(Math.max(0, ...wild.map((segment) => segment.length)) / 31);
  return 4 * (a.length + b.length + 2) * (1 + words);
}

function stepsOf(run: () => unknown): number {
  resetMatcherSteps();
  run();
  return matcherSteps();
}

/** The former matcher's semantics, safe only on short inputs. */
function regexMatches(pattern: string, text: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[\\s\\S]*")
    .replace(/\?/g, "[\\s\\S]");
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

  it("reads a `?` in the text as a literal character", () => {
    expect(globMatches("a?c", "a?c")).toBe(true);
    expect(globMatches("a*c", "a?c")).toBe(true);
    expect(globMatches("*b*", "a?c")).toBe(false);
    expect(globMatches("*?x*", "??x")).toBe(true);
    const alphabet = fc.constantFrom("a", "?", "*");
    const text = fc.constantFrom("a", "?", "b");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 7 }), fc.array(text, { maxLength: 8 }), (p, t) => {
        expect(globMatches(p.join(""), t.join(""))).toBe(regexMatches(p.join(""), t.join("")));
      }),
      { numRuns: 2000, seed: 18 },
    );
  });

  it.each(ADVERSARIAL_INPUTS.filter((input) => input.kind === "match"))("$name: within the linear bound", ({ pattern, text }) => {
    const steps = stepsOf(() => globMatches(pattern, text));
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThanOrEqual(linearBound(pattern, text));
  });
});

/** Brute force: does some string over the patterns' letters, up to a length, match both? */
function bruteIntersect(a: string, b: string): boolean {
  const letters = [...new Set((a + b).replace(/[*?]/g, "").split("").concat(["z"]))];
  // A shortest common match is never longer than both patterns together.
  const limit = a.length + b.length;
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

  it("agrees with a brute-force search on longer patterns over a small alphabet", () => {
    const alphabet = fc.constantFrom("a", "b", "*", "?", "a", "b");
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 5 }), fc.array(alphabet, { maxLength: 6 }), (a, b) => {
        expect(globsIntersect(a.join(""), b.join(""))).toBe(bruteIntersect(a.join(""), b.join("")));
      }),
      { numRuns: 120, seed: 18 },
    );
  });

  it.each(ADVERSARIAL_INPUTS.filter((input) => input.kind === "intersect"))("$name: within the linear bound", ({ pattern, text }) => {
    const steps = stepsOf(() => globsIntersect(pattern, text));
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThanOrEqual(linearBound(pattern, text));
  });

  // Issue #18 measured the former table at 11 s for two 20,000-character resources and 71 s for
  // twenty of 5,000 (every pair): quadratic. Now a pair costs a few steps per character.
  const resource = (n: number, seed: string) =>
    `arn:aws:s3:::acme-data/${Array.from({ length: n }, (_, i) => (i % 7 === 3 ? "*" : i % 11 === 5 ? "?" : seed)).join("")}`;

  it("two 20,000-character resources: at most 4 steps a character", () => {
    const [a, b] = [resource(20_000, "a"), `${resource(19_999, "a")}b`];
    const steps = stepsOf(() => grantsIntersect(a, b));
    expect(steps).toBeLessThanOrEqual(4 * (a.length + b.length));
  });

  it("twenty resources of 5,000 characters, every pair: at most 4 steps a character of each pair", () => {
    const list = Array.from({ length: 20 }, (_, i) => `${resource(5_000 - 4, String.fromCharCode(97 + i))}/end`);
    const steps = stepsOf(() => list.forEach((a) => list.forEach((b) => grantsIntersect(a, b))));
    expect(steps).toBeLessThanOrEqual(20 * 20 * 4 * 2 * 5_020);
  });

  it("grows linearly: twice the input, about twice the steps", () => {
    const pair = (n: number) => [`*${"ab?".repeat(n)}*`, `${"abc".repeat(n)}d`] as const;
    const small = stepsOf(() => globsIntersect(...pair(1_000)));
    const large = stepsOf(() => globsIntersect(...pair(2_000)));
    expect(large / small).toBeLessThanOrEqual(4.2); // the scan's words grow with the segment: (2n)·⌈2n/31⌉
    const literal = (n: number) => [`${"a*".repeat(n)}b`, `${"a".repeat(2 * n)}b`] as const;
    const literalSmall = stepsOf(() => globsIntersect(...literal(1_000)));
    const literalLarge = stepsOf(() => globsIntersect(...literal(2_000)));
    expect(literalLarge / literalSmall).toBeLessThanOrEqual(2.1);
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

describe("adversarial patterns through the plan and the pack", () => {
  const pattern = "ec2:*?*?*?*?*?*?*?*?#";
  // Each catalogue action is matched once per place a pattern is expanded: a small constant
  // number of times, each within |pattern|·|action| steps. An exponential matcher would blow
  // through this budget by orders of magnitude (the former regular expression took 86 s).
  const budget = () => expandAction("ec2:*").length * 20 * (pattern.length + 1) * 64;

  it("`plan` refuses a tool granted the pattern within a step budget", () => {
    const tools = [{ name: "adversarial", aws: [{ actions: [pattern], resources: ["arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0"] }] }];
    resetMatcherSteps();
    expect(() => planDeclaration({ platform: PLATFORM, agents: [agent("adversary", { tools })] }, "test", TODAY)).toThrow(
      /iam\/(action-pattern|unknown-action)/,
    );
    expect(matcherSteps()).toBeGreaterThan(0);
    expect(matcherSteps()).toBeLessThanOrEqual(budget());
  });

  it("the pack's checks of a role policy granting the pattern stay within the same budget", () => {
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: pattern, Resource: "*" }] });
    resetMatcherSteps();
    const findings = resourceFindings(
      {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "p",
        urn: "urn:pulumi:test::p::aws:iam/rolePolicy:RolePolicy::p",
        props: { name: "p", role: "r", policy },
      },
      { now: TODAY },
    );
    expect(findings.length).toBeGreaterThan(0);
    expect(matcherSteps()).toBeLessThanOrEqual(budget());
  });
});
