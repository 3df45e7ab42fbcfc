/**
 * A fleet declared in code writes its plan JSON (`JSON.stringify(fleet.plan)`, or `pulumi stack
 * output plan --json` when the program exports it); `inventory --plan` and `diff` read that file as
 * they read `plan --json`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDiff } from "../../cli/diff-command";
import { runInventory } from "../../cli/inventory-command";
import type { InventoryRow } from "../../cli/inventory";
import { AgentFleet } from "../../components";
import { PLATFORM, TODAY_DATE, agent } from "../helpers/fixtures";
import { installMocks, settle } from "../helpers/pulumi-mocks";

const dir = mkdtempSync(join(tmpdir(), "fleet-plan-"));

/** What a program does: build the fleet, write its plan. */
async function fleetPlanFile(name: string, agents: ReturnType<typeof agent>[]): Promise<string> {
  installMocks("dev");
  const fleet = new AgentFleet("fleet", { platform: PLATFORM, agents, validationDate: TODAY_DATE });
  await settle();
  const file = join(dir, name);
  writeFileSync(file, `${JSON.stringify(fleet.plan, null, 2)}\n`);
  return file;
}

describe("plan JSON written by a code-declared fleet", () => {
  it("inventory --plan lists every identity of it, with the review date's rules", async () => {
    const file = await fleetPlanFile("fleet.plan.json", [agent("alpha"), agent("beta"), agent("gamma")]);
    const result = runInventory({ stack: "ignored", plan: file, format: "json", date: TODAY_DATE });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const rows = JSON.parse(result.stdout).rows as InventoryRow[];
    expect(rows.map((r) => `${r.agent}/${r.identity}`)).toEqual(
      ["alpha", "beta", "gamma"].flatMap((name) => ["orchestration", "execution", "audit"].map((kind) => `${name}/${kind}`)),
    );
    expect(rows.find((r) => r.agent === "beta" && r.identity === "execution")!.resources).toContain("arn:aws:s3:::acme-data/beta/*");
    // Judged on the review date: a year later every agent has expired (lifecycle/expired: the plan was compiled before).
    const later = runInventory({ stack: "ignored", plan: file, format: "csv", date: "2027-12-01" });
    expect(later.exitCode).toBe(1);
    expect(later.stderr).toContain("alpha/*: lifecycle/expired: expired on 2027-06-30");
    expect(later.stdout.split("\r\n")[0]).toMatch(/^owner,agent,identity,/);
  });

  it("diff compares two such files", async () => {
    const base = await fleetPlanFile("base.plan.json", [agent("alpha"), agent("beta")]);
    const widened = agent("beta", {
      tools: [{ name: "read-data", aws: [{ actions: ["s3:GetObject", "s3:PutObject"], resources: ["arn:aws:s3:::acme-data/beta/*"] }] }],
    });
    const head = await fleetPlanFile("head.plan.json", [agent("alpha"), widened]);
    const result = await runDiff({ base, head, stack: "dev", format: "json" });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("s3:PutObject");
  });

  it("refuses what is not a plan, with exit 2 and no output", () => {
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{"version": 1}');
    const result = runInventory({ stack: "ignored", plan: broken });
    expect(result).toMatchObject({ exitCode: 2, stdout: "" });
    expect(result.stderr).toContain("has version 1");
    writeFileSync(broken, '{"ok": false, "errors": ["x"]}');
    expect(runInventory({ stack: "ignored", plan: broken }).stderr).toContain("a `plan` that failed");
    expect(runInventory({ stack: "ignored", plan: join(dir, "missing.json") }).stderr).toContain("cannot read the plan file (ENOENT)");
  });
});
