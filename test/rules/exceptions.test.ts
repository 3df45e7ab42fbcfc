/** Reviewed exceptions: a waived violation passes the plan but is shown, in text and JSON. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runPlan } from "../../cli/plan-command";

const DATE = "2026-11-28";
const base = parse(readFileSync("test/fixtures/bad/iam-service-wildcard-s3.yaml", "utf8"));

function withExceptions(exceptions: object[]): string {
  const doc = structuredClone(base);
  doc.config["agent-identity:platform"].exceptions = exceptions;
  const file = join(mkdtempSync(join(tmpdir(), "exceptions-")), "Pulumi.x.yaml");
  writeFileSync(file, stringify(doc));
  return file;
}

const waiver = { rule: "iam/service-wildcard", agent: "report-bot", reason: "vendor SDK needs s3:* until v2 ships", approvedBy: "security@example.com", expires: "2027-01-31" };

describe("exceptions", () => {
  it("waive the named rule for the named agent, and the plan shows them", () => {
    const file = withExceptions([waiver]);
    const text = runPlan({ stack: "x", config: file, date: DATE });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain("exceptions in force:");
    expect(text.stdout).toContain("report-bot/execution: iam/service-wildcard:");
    expect(text.stdout).toContain("[waived until 2027-01-31 by security@example.com: vendor SDK needs s3:* until v2 ships]");
    const json = JSON.parse(runPlan({ stack: "x", config: file, date: DATE, format: "json" }).stdout);
    expect(json.waived).toEqual([expect.objectContaining({ rule: "iam/service-wildcard", agent: "report-bot", identity: "execution", waiver: { reason: waiver.reason, approvedBy: waiver.approvedBy, expires: waiver.expires } })]);
  });

  it("stop applying after their expiry date", () => {
    const result = runPlan({ stack: "x", config: withExceptions([{ ...waiver, expires: "2026-11-27" }]), date: DATE });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("iam/service-wildcard");
  });

  it("apply only to the identity they name", () => {
    const result = runPlan({ stack: "x", config: withExceptions([{ ...waiver, identity: "orchestration" }]), date: DATE });
    expect(result.exitCode).toBe(1);
  });

  it("do not waive other rules, and show in the failing output", () => {
    const file = withExceptions([{ ...waiver, rule: "iam/resource-wildcard" }, waiver]);
    const doc = parse(readFileSync(file, "utf8"));
    doc.config["agent-identity:agents"][0].tools[0].aws[0].actions.push("iam:PassRole");
    writeFileSync(file, stringify(doc));
    const text = runPlan({ stack: "x", config: file, date: DATE });
    expect(text.exitCode).toBe(1);
    // iam:PassRole on a bucket ARN is a second, unwaived violation.
    expect(text.stderr).toMatch(/report-bot\/execution: iam\/resource-type: .*iam:PassRole/);
    expect(text.stderr).toContain("exceptions in force:");
    const json = JSON.parse(runPlan({ stack: "x", config: file, date: DATE, format: "json" }).stdout);
    expect(json.waived.map((w: { rule: string }) => w.rule)).toEqual(["iam/service-wildcard"]);
  });
});
