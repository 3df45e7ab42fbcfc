/**
 * Reading the trail on worker threads: the compiled CLI with several threads gives exactly the
 * report of one thread (same events, same order, so a tool session's AssumeRole in one file still
 * names the tool of its calls in the next), and the batches that cross threads decode to the
 * events that were encoded.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNarrow } from "../../cli/narrow-command";
import { planStackFile } from "../../cli/plan-command";
import { readCloudTrail, type TrailEvent } from "../../components/narrow/cloudtrail-reader";
import { decodeBatch, encodeBatch } from "../../components/narrow/trail-batch-codec";
import { assumeToolRole, callerIdentity, identityOf, s3Object, trailFile, trailFileGz } from "./trail-events";

const DATE = "2026-12-01";
const NOW = new Date(`${DATE}T00:00:00Z`);
let dir: string;
let prodFile: string;
let trail: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "agent-identity-workers-"));
  prodFile = join(dir, "Pulumi.prod.yaml");
  writeFileSync(prodFile, readFileSync("stacks/Pulumi.prod.yaml", "utf8"));
  const outcome = planStackFile(prodFile, "prod", NOW);
  if (!outcome.ok) throw new Error(outcome.lines.join("\n"));
  const plan = outcome.result.plan;
  const execution = identityOf(plan, "invoice-triage", "execution");
  const toolRole = execution.toolRole!.arn;
  const engine = plan.platform.vault.awsEngineRoleArn!;
  const tags = (tool: string, dataClass: string) => ({
    "agent-identity:agent": "invoice-triage",
    "agent-identity:identity": "execution",
    "agent-identity:tool": tool,
    "agent-identity:data-class": dataClass,
    "agent-identity:environment": "prod",
  });
  const bucket = "acme-invoices-prod";
  trail = join(dir, "trail");
  const day = join(trail, "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "11", "30");
  mkdirSync(day, { recursive: true });
  const file = (n: number, gz: boolean) =>
    join(day, `111122223333_CloudTrail_us-east-1_20261130T09${String(n).padStart(2, "0")}Z_f${n}.json${gz ? ".gz" : ""}`);
  // The session is minted in file 0 and used in files 1 to 7: only reading in file order attributes those calls to read-invoices.
  writeFileSync(
    file(0, true),
    trailFileGz([assumeToolRole(engine, toolRole, tags("read-invoices", "confidential"), "ASIAEXAMPLEREAD00001", "2026-11-30T09:00:00Z")]),
  );
  for (let n = 1; n < 8; n++) {
    const records = Array.from({ length: 40 }, (_, k) =>
      s3Object(toolRole, "GetObject", bucket, `incoming/inv-${n}-${k}.pdf`, `2026-11-30T09:${String(n).padStart(2, "0")}:${String(k).padStart(2, "0")}Z`, {
        accessKeyId: "ASIAEXAMPLEREAD00001",
      }),
    );
    records.push(callerIdentity(execution.iamRole.arn, `2026-11-30T09:${String(n).padStart(2, "0")}:59Z`));
    writeFileSync(file(n, n % 2 === 0), n === 5 ? trailFile(records).replace("]}", ',{"eventSource": oops}]}') : trailFile(records));
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("narrow on worker threads", () => {
  it("the compiled CLI gives the same report on 1 and 3 threads, and it is the in-process report", async () => {
    const cli = join(process.cwd(), "dist/cli/main.js");
    expect(existsSync(cli), "npm test builds dist/ before vitest").toBe(true);
    const args = (threads: number) => [
      cli,
      "narrow",
      "--stack",
      "prod",
      "--config",
      prodFile,
      "--cloudtrail",
      trail,
      join(dir, "missing"),
      "--data-events",
      "s3",
      "--date",
      DATE,
      "--format",
      "json",
      "--threads",
      String(threads),
    ];
    const one = JSON.parse(execFileSync(process.execPath, args(1), { encoding: "utf8" }));
    const three = JSON.parse(execFileSync(process.execPath, args(3), { encoding: "utf8" }));
    expect(three).toEqual(one);
    const inProcess = await runNarrow({
      stack: "prod",
      config: prodFile,
      cloudtrail: [trail, join(dir, "missing")],
      dataEvents: ["s3"],
      date: DATE,
      format: "json",
    });
    expect(three).toEqual(JSON.parse(inProcess.stdout));
    // What the equality covers: every event read, the malformed record and the missing input reported, the session's calls on its tool.
    expect(three.trailEvents).toBe(8 * 41 - 40);
    expect(JSON.stringify(three.problems)).toContain("not valid JSON");
    expect(JSON.stringify(three.problems)).toContain("missing");
    const tool = three.agents.find((a: { agent: string }) => a.agent === "invoice-triage").tools.find((t: { name: string }) => t.name === "read-invoices");
    expect(tool.statements[0].actions).toContainEqual({ action: "s3:GetObject", status: "used", calls: 7 * 40 });
  });

  it("keeps file order over many inputs that are missing or hold only malformed records (workers never run far ahead)", () => {
    const cli = join(process.cwd(), "dist/cli/main.js");
    const junk = join(dir, "junk");
    mkdirSync(junk, { recursive: true });
    const inputs: string[] = [];
    for (let n = 0; n < 60; n++) {
      const file = join(junk, `f${String(n).padStart(3, "0")}.json`);
      // Each file: a record that is not JSON and one that is no event; every tenth input is followed by the real trail.
      writeFileSync(file, `{"Records":[{"eventSource": nope},{"eventTime": 1}]}`);
      inputs.push(join(dir, `missing-${n}`), file);
      if (n % 10 === 9) inputs.push(trail);
    }
    const run = (threads: number) =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            cli,
            "narrow",
            "--stack",
            "prod",
            "--config",
            prodFile,
            "--cloudtrail",
            ...inputs,
            "--data-events",
            "s3",
            "--date",
            DATE,
            "--format",
            "json",
            "--threads",
            String(threads),
          ],
          { encoding: "utf8" },
        ),
      );
    const one = run(1);
    expect(run(2)).toEqual(one);
    expect(one.trailEvents).toBe(6 * 288);
    expect(one.problems.length).toBeGreaterThan(120);
  });

  it("refuses a thread count that is not a whole number from 1 to 64", async () => {
    for (const threads of ["0", "1.5", "lots", "65"]) {
      const result = await runNarrow({ stack: "prod", config: prodFile, cloudtrail: [trail], threads, date: DATE });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("--threads");
    }
  });
});

describe("trail batch codec", () => {
  it("decodes to the events encoded: nulls, session tags, resources, repeated strings", async () => {
    const events: TrailEvent[] = [];
    for await (const event of readCloudTrail(["test/fixtures/cloudtrail/invictus-aws-dataset", trail], () => undefined)) events.push(event);
    expect(events.some((e) => e.sessionTags !== null && e.sessionTags.size > 0)).toBe(true);
    expect(events.some((e) => e.errorCode !== null)).toBe(true);
    expect(events.some((e) => e.resources.length > 0)).toBe(true);
    const encoded = encodeBatch(events);
    expect(encoded.strings.length).toBeLessThan(events.length * 5);
    expect(decodeBatch(encoded)).toEqual(events);
    expect(decodeBatch(encodeBatch([]))).toEqual([]);
  });
});
