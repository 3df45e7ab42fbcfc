/**
 * The "done when": an agent used s3:GetObject but never s3:PutObject on its prefix. With
 * `--data-events s3` the narrowed file drops s3:PutObject, plans, and diffs as narrowing only;
 * without it both stay and the report says there is no evidence. And a tool session's calls are
 * attributed to its tool.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parserLoaded } from "../../components/core/sql/parser";
import { runDiff } from "../../cli/diff-command";
import { runNarrow } from "../../cli/narrow-command";
import { planStackFile } from "../../cli/plan-command";
import type { FleetPlan } from "../../components/core/plan-types";
import { assumeToolRole, callerIdentity, identityOf, s3Object, trailFile, trailFileGz } from "./trail-events";

const DATE = "2026-12-01";
const NOW = new Date(`${DATE}T00:00:00Z`);
/** The dev stack whose read-invoices tool may also write its prefix. */
const STACK = readFileSync("stacks/Pulumi.dev.yaml", "utf8").replace(
  "            - actions: [s3:GetObject]\n              resources: [arn:aws:s3:::acme-invoices-dev/incoming/*]",
  "            - actions: [s3:GetObject, s3:PutObject]   # PutObject: for the re-upload the tool never got to do\n              resources: [arn:aws:s3:::acme-invoices-dev/incoming/*]",
);

let dir: string;
let stackFile: string;
let plan: FleetPlan;

function planOf(file: string): FleetPlan {
  const outcome = planStackFile(file, "dev", NOW);
  if (!outcome.ok) throw new Error(outcome.lines.join("\n"));
  return outcome.result.plan;
}

beforeAll(async () => {
  await parserLoaded();
  dir = mkdtempSync(join(tmpdir(), "agent-identity-narrow-"));
  stackFile = join(dir, "Pulumi.dev.yaml");
  writeFileSync(stackFile, STACK);
  plan = planOf(stackFile);
  const execution = identityOf(plan, "invoice-triage", "execution").iamRole.arn;
  // CloudTrail's S3 layout: AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/, gzip files.
  const day = join(dir, "trail", "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "11", "30");
  mkdirSync(day, { recursive: true });
  writeFileSync(
    join(day, "111122223333_CloudTrail_us-east-1_20261130T0805Z_a1.json.gz"),
    trailFileGz([
      callerIdentity(execution, "2026-11-30T08:01:00Z"),
      s3Object(execution, "GetObject", "acme-invoices-dev", "incoming/2026/11/inv-123.pdf", "2026-11-30T08:02:00Z"),
      s3Object(execution, "GetObject", "acme-invoices-dev", "incoming/2026/11/inv-124.pdf", "2026-11-30T08:03:00Z"),
    ]),
  );
  writeFileSync(
    join(day, "111122223333_CloudTrail_us-east-1_20261130T0810Z_b2.json"),
    trailFile([s3Object(execution, "GetObject", "acme-invoices-dev", "incoming/2026/11/inv-125.pdf", "2026-11-30T08:09:00Z")]),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function actionsOf(file: string): string[] {
  const config = parse(readFileSync(file, "utf8")).config;
  const agent = config["agent-identity:agents"].find((a: { name: string }) => a.name === "invoice-triage");
  return agent.tools.find((t: { name: string }) => t.name === "read-invoices").aws[0].actions;
}

describe("narrow: the issue's done-when scenario", () => {
  it("with --data-events s3: drops s3:PutObject, the result plans, and diff shows narrowing only", async () => {
    const out = join(dir, "Pulumi.dev.narrowed.yaml");
    const result = await runNarrow({ stack: "dev", config: stackFile, cloudtrail: [join(dir, "trail")], dataEvents: ["s3"], out, date: DATE, format: "json" });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    const tool = report.agents.find((a: { agent: string }) => a.agent === "invoice-triage").tools.find((t: { name: string }) => t.name === "read-invoices");
    expect(tool.statements[0].actions).toEqual([
      { action: "s3:GetObject", status: "used", calls: 3 },
      { action: "s3:PutObject", status: "unused", calls: 0 },
    ]);
    expect(tool.statements[0].removeActions).toEqual(["s3:PutObject"]);
    expect(report.unmapped).toEqual({});
    expect(actionsOf(out)).toEqual(["s3:GetObject"]);
    // Only the removal: the comment on the statement and the rest of the file survive.
    const written = readFileSync(out, "utf8");
    expect(written).toContain("# PutObject: for the re-upload the tool never got to do");
    expect(written).toContain("# Development stack: one agent per tier, every tool kind.");
    // Exactly the removals the evidence supports, cut from the original text: PutObject; the ticket
    // tool's management action GetQueueAttributes (management events are always recorded, none seen);
    // and kb-search, whose S3 data events are covered and absent. Data actions of SQS stay (no evidence).
    const expected = STACK.replace("[s3:GetObject, s3:PutObject]", "[s3:GetObject]")
      .replace("sqs:DeleteMessage, sqs:GetQueueAttributes]", "sqs:DeleteMessage]")
      .replace(
        "        - name: kb-search\n          dataClass: public\n          aws:\n            - actions: [s3:GetObject]\n              resources: [arn:aws:s3:::acme-kb-dev/articles/*]\n            - actions: [s3:ListBucket]\n              resources: [arn:aws:s3:::acme-kb-dev]\n",
        "",
      );
    expect(expected).not.toBe(STACK);
    expect(written).toBe(expected);
    expect(planStackFile(out, "dev", NOW).ok).toBe(true);
    const diff = await runDiff({ baseFile: stackFile, headFile: out, stack: "dev", failOn: "widen", format: "json", date: DATE });
    expect(diff.exitCode).toBe(0);
    const summary = JSON.parse(diff.stdout).summary;
    expect(summary.widening).toBe(0);
    expect(summary.narrowing).toBeGreaterThan(0);
  });

  it("without --data-events s3: both actions stay and the report says there is no evidence", async () => {
    const out = join(dir, "Pulumi.dev.kept.yaml");
    const result = await runNarrow({ stack: "dev", config: stackFile, cloudtrail: [join(dir, "trail")], out, date: DATE });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("s3:PutObject: no evidence - data event of s3: not in --data-events");
    expect(result.stdout).not.toMatch(/s3:PutObject: UNUSED/);
    expect(actionsOf(out)).toEqual(["s3:GetObject", "s3:PutObject"]);
    // The GetObject calls are still seen (data events in the files are read), PutObject is not judged.
    expect(result.stdout).toContain("s3:GetObject: used (3 calls)");
  });

  it("an unmapped call of a service keeps that service's actions: the call may have needed any of them", async () => {
    const execution = identityOf(plan, "invoice-triage", "execution").iamRole.arn;
    const extra = join(dir, "trail-unmapped");
    mkdirSync(extra, { recursive: true });
    // HeadObject is not in the mapping kept here and `s3:HeadObject` is no IAM action: unmapped, never guessed.
    writeFileSync(
      join(extra, "111122223333_CloudTrail_us-east-1_20261130T0815Z_c3.json"),
      trailFile([s3Object(execution, "HeadObject", "acme-invoices-dev", "incoming/2026/11/inv-126.pdf", "2026-11-30T08:14:00Z")]),
    );
    const out = join(dir, "Pulumi.dev.unmapped.yaml");
    const result = await runNarrow({ stack: "dev", config: stackFile, cloudtrail: [join(dir, "trail"), extra], dataEvents: ["s3"], out, date: DATE });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("No mapping to IAM actions (no evidence either way): s3.amazonaws.com HeadObject 1x");
    expect(result.stdout).toContain("s3:PutObject: no evidence - 1 call(s) of s3 APIs the mapping does not list: any of them may need it");
    expect(actionsOf(out)).toEqual(["s3:GetObject", "s3:PutObject"]);
    // The SQS management action the ticket tool never called still goes: no SQS call was unmapped.
    expect(readFileSync(out, "utf8")).not.toContain("sqs:GetQueueAttributes");
  });

  it("markdown output escapes values with the diff's rules", async () => {
    const result = await runNarrow({ stack: "dev", config: stackFile, cloudtrail: [join(dir, "trail")], dataEvents: ["s3"], date: DATE, format: "markdown" });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("| `read-invoices` | 0 | `s3:PutObject` | unused | remove |");
  });

  it("refuses bad input with exit 2 and names the flag", async () => {
    const bad = await runNarrow({ stack: "dev", config: stackFile, cloudtrail: [join(dir, "trail")], dataEvents: ["s3;rm -rf"], date: DATE });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain("--data-events");
    const since = await runNarrow({ stack: "dev", config: stackFile, cloudtrail: [join(dir, "trail")], since: "yesterday", date: DATE });
    expect(since.exitCode).toBe(2);
    expect(since.stderr).toContain("--since");
    expect((await runNarrow({ stack: "dev", config: stackFile, cloudtrail: [], date: DATE })).exitCode).toBe(2);
  });

  it("--until before every event: nothing is in the window, nothing is removed", async () => {
    const out = join(dir, "Pulumi.dev.window.yaml");
    const result = await runNarrow({
      stack: "dev",
      config: stackFile,
      cloudtrail: [join(dir, "trail")],
      dataEvents: ["s3"],
      until: "2026-11-01",
      out,
      date: DATE,
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("nothing is removed");
    expect(actionsOf(out)).toEqual(["s3:GetObject", "s3:PutObject"]);
  });
});

describe("narrow: tagged tool sessions", () => {
  const PROD = readFileSync("stacks/Pulumi.prod.yaml", "utf8");
  let prodFile: string;
  let prod: FleetPlan;
  let trail: string;

  beforeAll(() => {
    prodFile = join(dir, "Pulumi.prod.yaml");
    writeFileSync(prodFile, PROD);
    const outcome = planStackFile(prodFile, "prod", NOW);
    if (!outcome.ok) throw new Error(outcome.lines.join("\n"));
    prod = outcome.result.plan;
    const toolRole = identityOf(prod, "invoice-triage", "execution").toolRole!.arn;
    const engine = prod.platform.vault.awsEngineRoleArn!;
    const tags = (tool: string, dataClass: string) => ({
      "agent-identity:agent": "invoice-triage",
      "agent-identity:identity": "execution",
      "agent-identity:tool": tool,
      "agent-identity:data-class": dataClass,
      "agent-identity:environment": "prod",
    });
    const bucket = "acme-invoices-prod";
    trail = join(dir, "prod-trail.json");
    writeFileSync(
      trail,
      trailFile([
        assumeToolRole(engine, toolRole, tags("read-invoices", "confidential"), "ASIAEXAMPLEREAD00001", "2026-11-30T09:00:00Z"),
        s3Object(toolRole, "GetObject", bucket, "incoming/inv-1.pdf", "2026-11-30T09:00:05Z", { accessKeyId: "ASIAEXAMPLEREAD00001" }),
        // The read tool's session tried to write the archive: denied, listed as a need, never added.
        s3Object(toolRole, "PutObject", bucket, "archive/inv-1.pdf", "2026-11-30T09:00:06Z", {
          accessKeyId: "ASIAEXAMPLEREAD00001",
          errorCode: "AccessDenied",
        }),
        assumeToolRole(engine, toolRole, tags("archive-invoices", "internal"), "ASIAEXAMPLEARCHIVE01", "2026-11-30T09:01:00Z"),
        s3Object(toolRole, "PutObject", bucket, "archive/inv-1.pdf", "2026-11-30T09:01:05Z", { accessKeyId: "ASIAEXAMPLEARCHIVE01" }),
      ]),
    );
  });

  it("attributes each session's calls to the tool its AssumeRole tags name", async () => {
    const result = await runNarrow({ stack: "prod", config: prodFile, cloudtrail: [trail], dataEvents: ["s3"], date: DATE, format: "json" });
    expect(result.exitCode).toBe(0);
    const agent = JSON.parse(result.stdout).agents.find((a: { agent: string }) => a.agent === "invoice-triage");
    const tool = (name: string) => agent.tools.find((t: { name: string }) => t.name === name);
    expect(tool("read-invoices").statements[0].actions).toEqual([{ action: "s3:GetObject", status: "used", calls: 1 }]);
    // The archive tool's own session made the PutObject; the read tool's denied attempt is not a use.
    expect(tool("archive-invoices").statements[0].actions).toEqual([{ action: "s3:PutObject", status: "used", calls: 1 }]);
    expect(agent.needs).toEqual([
      {
        identity: "execution",
        tool: "read-invoices",
        action: "s3:PutObject",
        resource: "arn:aws:s3:::acme-invoices-prod/archive/inv-1.pdf",
        errorCode: "AccessDenied",
        count: 1,
      },
    ]);
    expect(agent.untaggedToolCalls).toBe(0);
  });

  it("without the AssumeRole event the call counts for every tool that grants it, and says so", async () => {
    const lone = join(dir, "prod-lone.json");
    writeFileSync(
      lone,
      JSON.stringify({ Records: JSON.parse(readFileSync(trail, "utf8")).Records.filter((r: { eventName: string }) => r.eventName !== "AssumeRole") }),
    );
    const result = await runNarrow({ stack: "prod", config: prodFile, cloudtrail: [lone], dataEvents: ["s3"], date: DATE, format: "json" });
    const agent = JSON.parse(result.stdout).agents.find((a: { agent: string }) => a.agent === "invoice-triage");
    expect(agent.untaggedToolCalls).toBe(3);
    expect(existsSync(lone)).toBe(true);
  });
});
