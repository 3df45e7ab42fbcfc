/** Reviewed exceptions: a waived violation passes the plan but is shown, in text and JSON. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runPlan } from "../../cli/plan-command";

const DATE = "2026-11-28";
const wildcard = parse(readFileSync("test/fixtures/bad/iam-service-wildcard-s3.yaml", "utf8"));
/** The same agent with a read-only pattern (`s3:GetObject*`): a wildcard an exception may waive. */
const base = structuredClone(wildcard);
base.config["agent-identity:agents"][0].tools[0].aws[0].actions = ["s3:GetObject*"];

function withExceptions(exceptions: object[], from = base): string {
  const doc = structuredClone(from);
  doc.config["agent-identity:platform"].exceptions = exceptions;
  const file = join(mkdtempSync(join(tmpdir(), "exceptions-")), "Pulumi.x.yaml");
  writeFileSync(file, stringify(doc));
  return file;
}

const waiver = {
  rule: "iam/action-pattern",
  agent: "report-bot",
  reason: "vendor SDK needs s3:GetObject* until v2 ships",
  approvedBy: "security@example.com",
  expires: "2027-01-31",
};

describe("exceptions", () => {
  it("never waive a wildcard that reaches more than List and Read (s3:* includes writes and policy changes)", () => {
    const result = runPlan({ stack: "x", config: withExceptions([{ ...waiver, rule: "iam/service-wildcard" }], wildcard), date: DATE });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/report-bot\/execution: iam\/service-wildcard: .*beyond List and Read, so no exception waives it/);
  });

  it("waive the named rule for the named agent, and the plan shows them", () => {
    const file = withExceptions([waiver]);
    const text = runPlan({ stack: "x", config: file, date: DATE });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain("exceptions in force:");
    expect(text.stdout).toContain("report-bot/execution: iam/action-pattern:");
    expect(text.stdout).toContain("[waived until 2027-01-31 by security@example.com: vendor SDK needs s3:GetObject* until v2 ships]");
    const json = JSON.parse(runPlan({ stack: "x", config: file, date: DATE, format: "json" }).stdout);
    expect(json.waived).toEqual([
      expect.objectContaining({
        rule: "iam/action-pattern",
        agent: "report-bot",
        identity: "execution",
        waiver: { reason: waiver.reason, approvedBy: waiver.approvedBy, expires: waiver.expires },
      }),
    ]);
  });

  it("stop applying after their expiry date", () => {
    const result = runPlan({ stack: "x", config: withExceptions([{ ...waiver, expires: "2026-11-27" }]), date: DATE });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("iam/action-pattern");
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
    expect(json.waived.map((w: { rule: string }) => w.rule)).toEqual(["iam/action-pattern"]);
  });
});

describe("exceptions are bounded", () => {
  it("last at most 90 days from the plan date: day 90 waives, day 91 is an error and waives nothing", () => {
    const day90 = runPlan({ stack: "x", config: withExceptions([{ ...waiver, expires: "2027-02-26" }]), date: DATE });
    expect(day90.exitCode, day90.stderr).toBe(0);
    const day91 = runPlan({ stack: "x", config: withExceptions([{ ...waiver, expires: "2027-02-27" }]), date: DATE });
    expect(day91.exitCode).toBe(1);
    expect(day91.stderr).toContain("report-bot/*: lifecycle/exception-expiry: exception for iam/action-pattern");
    expect(day91.stderr).toContain("set expires to 2027-02-26 or earlier");
    // The invalid exception waives nothing: the violation it names still fails the plan.
    expect(day91.stderr).toMatch(/report-bot\/execution: iam\/action-pattern: /);
  });

  it("cannot waive rules marked not waivable, and say which", () => {
    for (const rule of [
      "lifecycle/expired",
      "iam/privilege-escalation",
      "separation/cross-agent-grant",
      "trust/own-service-account",
      "stack/no-shared-identity",
      "lifecycle/exception-expiry",
    ]) {
      const result = runPlan({ stack: "x", config: withExceptions([{ ...waiver, rule }]), date: DATE });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        `lifecycle/exception-scope: exception for ${rule} (approved by security@example.com, expires 2027-01-31): ${rule} is never waivable`,
      );
    }
  });

  it("are listed in text and in the JSON `waivers` with what each waived", () => {
    const stale = { ...waiver, rule: "iam/resource-wildcard", reason: "left over from last quarter's review" };
    const file = withExceptions([waiver, stale]);
    const text = runPlan({ stack: "x", config: file, date: DATE });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain("exceptions in force: 2 (waiving 1 violation)");
    expect(text.stdout).toContain(
      "  report-bot/*: iam/action-pattern: waives 1 violation; approved by security@example.com, until 2027-01-31: vendor SDK needs s3:GetObject* until v2 ships",
    );
    expect(text.stdout).toContain("  report-bot/*: iam/resource-wildcard: waives nothing in this plan (remove it?)");
    const json = JSON.parse(runPlan({ stack: "x", config: file, date: DATE, format: "json" }).stdout);
    expect(json.waivers).toEqual([
      {
        rule: "iam/action-pattern",
        agent: "report-bot",
        identity: null,
        approvedBy: waiver.approvedBy,
        expires: waiver.expires,
        reason: waiver.reason,
        waived: 1,
      },
      {
        rule: "iam/resource-wildcard",
        agent: "report-bot",
        identity: null,
        approvedBy: waiver.approvedBy,
        expires: waiver.expires,
        reason: stale.reason,
        waived: 0,
      },
    ]);
  });
});
