/**
 * Names of ownable resources as AWS reads them: each refused name differs from an accepted one by
 * one character, and the rule that refuses it is named.
 */
import { describe, expect, it } from "vitest";
import { resourceNameProblem } from "../../components/core/grammar/resource-names";
import { ownableRootProblem, ownedRootProblem } from "../../components/rules/ownable-roots";

const SCOPE = { partition: "aws", accountId: "111122223333", regions: ["us-east-1"] };

describe("resource names of ownable types", () => {
  it("accepts the names the stacks use", () => {
    for (const [service, name] of [
      ["s3", "acme-kb-dev"],
      ["s3", "acme-kb-dev/articles/2026"],
      ["dynamodb", "acme-dev-payouts"],
      ["dynamodb", "acme-dev-payouts/index/by-date"],
      ["sqs", "acme-dev-support-tickets.fifo"],
      ["secretsmanager", "acme/dev/zendesk-AbCdEf"],
      ["ssm", "acme/agents/dev/x"],
    ])
      expect(resourceNameProblem(service, name), `${service} ${name}`).toBeUndefined();
  });

  it.each([
    ["s3", "acme-kb-d\u0435v", /printable ASCII/],
    ["s3", "ACME-kb-dev", /lower-case/],
    ["s3", "acme-kb-dev.", /end with a letter or digit/],
    ["s3", "acme..kb", /'\.\.'/],
    ["s3", "192.168.1.1", /IP address/],
    ["s3", "acme-kb-dev%2Fx", /lower-case/],
    ["s3", "acme-kb-dev/", /ends in '\/'/],
    ["s3", "acme-kb-dev/a//b", /empty, \. or \.\. path segment/],
    ["s3", "acme-kb-dev/a/%2e%2e/b", /unencoded/],
    ["ssm", "acme/../aws/x", /\.\. path segment/],
    ["sqs", "acme dev", /printable ASCII/],
    ["dynamodb", "acme:payouts", /dynamodb name may not hold/],
  ])("refuses %s %j", (service, name, why) => {
    expect(resourceNameProblem(service, name)).toMatch(why);
  });

  it("reads a prefix root's name up to its *", () => {
    expect(resourceNameProblem("s3", "acme-agents-", true)).toBeUndefined();
    expect(resourceNameProblem("s3", "acme-kb-dev/incoming/ab", true)).toBeUndefined();
    expect(resourceNameProblem("s3", "Acme-agents-", true)).toMatch(/lower-case/);
  });

  it("applies to ownable roots and to owned entries", () => {
    expect(ownableRootProblem("arn:aws:s3:::acme-kb-dev", SCOPE)).toBeNull();
    expect(ownableRootProblem("arn:aws:s3:::acme-kb-d\u0435v", SCOPE)).toMatch(/printable ASCII/);
    expect(ownableRootProblem("arn:aws:ssm:us-east-1:111122223333:parameter/acme/../aws/x", SCOPE)).toMatch(/\.\. path segment/);
    const roots = ["arn:aws:s3:::acme-kb-dev"];
    expect(ownedRootProblem("arn:aws:s3:::acme-kb-dev/articles/*", roots)).toBeUndefined();
    expect(ownedRootProblem("arn:aws:s3:::acme-kb-d\u0435v/articles/*", roots)).toMatch(/printable ASCII/);
  });
});
