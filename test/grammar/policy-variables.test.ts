/**
 * IAM policy variables in a hand-written Resource are read as every value they can take: the glob
 * must match each substitution (checked against sample values), the escapes stand for one literal
 * character, a variable before the resource part or never closed leaves the rest unbounded, and a
 * document narrows what it takes away (Allow NotResource, Deny Resource) instead of widening it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { documentAsEvaluated, policyVariables, resourceGlob } from "../../components/core/grammar/policy-variables";
import { policyDocument, type PolicyDocument } from "../../components/core/iam-document";
import { globMatches } from "../../components/core/patterns";

describe("resourceGlob", () => {
  it.each([
    ["arn:aws:s3:::acme-invoices-dev/incoming/*", "arn:aws:s3:::acme-invoices-dev/incoming/*"],
    ["arn:aws:s3:::acme-${aws:PrincipalTag/b}/*", "arn:aws:s3:::acme-*/*"],
    ["arn:aws:s3:::${aws:PrincipalTag/b}/*", "arn:aws:s3:::*/*"],
    ["arn:aws:sqs:us-east-1:111122223333:${aws:PrincipalTag/q}", "arn:aws:sqs:us-east-1:111122223333:*"],
    ["arn:aws:dynamodb:us-east-1:111122223333:table/acme-dev-${aws:PrincipalTag/t}", "arn:aws:dynamodb:us-east-1:111122223333:table/acme-dev-*"],
    ["arn:aws:s3:::b/${aws:PrincipalTag/team, 'company-wide'}/*", "arn:aws:s3:::b/*/*"],
    ["arn:aws:s3:::b/${*}${?}${$}x", "arn:aws:s3:::b/??$x"],
    // Before the resource part: that component and every later one.
    ["arn:aws:sqs:${aws:RequestedRegion}:111122223333:q", "arn:aws:sqs:*:*:*"],
    ["arn:aws:${x}:::b", "arn:aws:*:*:*:*"],
    ["${aws:username}", "*"],
    // Never closed, or nested: the rest is unbounded.
    ["arn:aws:s3:::acme-${aws:username", "arn:aws:s3:::acme-*"],
    ["arn:aws:s3:::acme-${a${b}}/x", "arn:aws:s3:::acme-*"],
  ])("%s → %s", (written, glob) => {
    expect(resourceGlob(written)).toBe(glob);
  });

  it("matches every substitution of the variables (values with '/', ':', '*' and '$' too)", () => {
    const value = fc.stringMatching(/^[a-zA-Z0-9/:=+@._*$-]{0,12}$/);
    fc.assert(
      fc.property(fc.constantFrom("acme-", "", "x/"), value, fc.constantFrom("", "/*", "/in/"), value, (head, v1, mid, v2) => {
        const written = `arn:aws:s3:::${head}\${aws:PrincipalTag/a}${mid}\${aws:username}`;
        const concrete = `arn:aws:s3:::${head}${v1}${mid}${v2}`;
        // The glob matches the literal name the substitution produces ('*' and '$' in values are literal).
        expect(globMatches(resourceGlob(written), concrete)).toBe(true);
      }),
      { seed: 20261207, numRuns: 200 },
    );
  });

  it("reads an escape as the one literal character it stands for", () => {
    expect(globMatches(resourceGlob("arn:aws:s3:::b/${*}"), "arn:aws:s3:::b/*")).toBe(true);
    expect(globMatches(resourceGlob("arn:aws:s3:::b/${*}"), "arn:aws:s3:::b/incoming/x")).toBe(false);
  });
});

describe("policyVariables", () => {
  it("finds each variable, the unclosed one last", () => {
    expect(policyVariables("a${x}b${y").map((v) => [v.body, v.closed])).toEqual([
      ["x", true],
      ["y", false],
    ]);
    expect(policyVariables("a$x{y}")).toEqual([]);
  });
});

describe("documentAsEvaluated", () => {
  const doc = (statement: Record<string, unknown>, version = "2012-10-17"): PolicyDocument =>
    ({ Version: version, Statement: [{ Effect: "Allow", Action: "s3:GetObject", ...statement }] }) as PolicyDocument;

  it("widens what an Allow grants", () => {
    expect(documentAsEvaluated(doc({ Resource: "arn:aws:s3:::${aws:PrincipalTag/b}/*" })).Statement[0].Resource).toEqual(["arn:aws:s3:::*/*"]);
  });

  it("narrows what an Allow excludes: a NotResource holding a variable excludes nothing", () => {
    const read = documentAsEvaluated(doc({ NotResource: ["arn:aws:s3:::${aws:PrincipalTag/b}/*", "arn:aws:s3:::logs/*"] }));
    expect(read.Statement[0].NotResource).toEqual(["arn:aws:s3:::logs/*"]);
  });

  it("narrows what a Deny takes away, and widens what its NotResource spares", () => {
    const read = documentAsEvaluated(doc({ Effect: "Deny", Resource: "${aws:username}" }));
    expect(read.Statement[0].Resource).toEqual([]);
    const spared = documentAsEvaluated(doc({ Effect: "Deny", NotResource: "arn:aws:s3:::${aws:username}" }));
    expect(spared.Statement[0].NotResource).toEqual(["arn:aws:s3:::*"]);
  });

  it("keeps both readings of a document AWS reads literally (no Version 2012-10-17)", () => {
    const read = documentAsEvaluated(doc({ Resource: "arn:aws:s3:::${x}" }, "2008-10-17"));
    expect(read.Statement[0].Resource).toEqual(["arn:aws:s3:::${x}", "arn:aws:s3:::*"]);
  });

  it("returns a document without variables as it is", () => {
    const plain = policyDocument([{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }]);
    expect(documentAsEvaluated(plain)).toBe(plain);
  });
});
