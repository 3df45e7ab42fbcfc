/**
 * `agent-identity records`: the CrossGuard configuration pinning every identity's plan records,
 * from the stack file alone. Its output is the configuration of the policy that reports
 * stack/records-pinned and validates against that policy's configSchema (ajv, standing in for the
 * engine's own validation, which is not run here).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { runRecords } from "../../cli/records-command";
import { recordPinsOf } from "../../components/core/record-pins";
import { planDeclaration } from "../../components/plan";
import { createPolicies } from "../../policy/policies";
import { TODAY, stackDeclaration } from "../helpers/fixtures";

const tmp = mkdtempSync(join(tmpdir(), "agent-identity-records-"));
const devText = readFileSync("stacks/Pulumi.dev.yaml", "utf8");

describe("records command", () => {
  it("prints the pins of every identity of the dev stack as the stack-stack policy's configuration (exit 0)", () => {
    const result = runRecords({ stack: "dev", date: "2026-11-28" });
    expect(result.exitCode).toBe(0);
    const config = JSON.parse(result.stdout) as Record<string, { pinnedRecords: Record<string, unknown> }>;
    expect(Object.keys(config)).toEqual(["stack-stack"]);
    const plan = planDeclaration(stackDeclaration("dev"), "dev", TODAY).plan;
    expect(config["stack-stack"].pinnedRecords).toEqual(recordPinsOf(plan));
    expect(Object.keys(config["stack-stack"].pinnedRecords)).toHaveLength(plan.agents.length * 3);
  });

  it("prints what the policy's configSchema accepts", () => {
    const policy = createPolicies().find((p) => p.name === "stack-stack")!;
    const schema = { type: "object", properties: policy.configSchema!.properties };
    const validate = new Ajv2020({ strict: false }).compile(schema);
    const config = JSON.parse(runRecords({ stack: "dev", date: "2026-11-28" }).stdout)["stack-stack"];
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    const key = Object.keys(config.pinnedRecords)[0];
    expect(validate({ pinnedRecords: { [key]: { ...config.pinnedRecords[key], rolePlan: "abc" } } })).toBe(false);
  });

  it("changes exactly the changed identity's pin when the declaration changes what it holds", () => {
    const file = join(tmp, "narrower.yaml");
    writeFileSync(file, devText.replace("            ttl: 10m\n", "            ttl: 5m\n"));
    const before = JSON.parse(runRecords({ stack: "dev", date: "2026-11-28" }).stdout)["stack-stack"].pinnedRecords;
    const after = runRecords({ stack: "dev", config: file, date: "2026-11-28" });
    expect(after.exitCode, after.stderr).toBe(0);
    const pins = JSON.parse(after.stdout)["stack-stack"].pinnedRecords;
    const changed = Object.keys(pins).filter((key) => JSON.stringify(pins[key]) !== JSON.stringify(before[key]));
    expect(changed).toEqual(["acme-dev-invoice-triage/invoice-triage-execution"]);
    expect(pins[changed[0]].rolePlan).toBe(before[changed[0]].rolePlan);
    expect(pins[changed[0]].vaultPlan).not.toBe(before[changed[0]].vaultPlan);
  });

  it("exits 1 when the plan has violations and 2 for a malformed stack file, printing no configuration", () => {
    const unapproved = join(tmp, "unapproved.yaml");
    writeFileSync(
      unapproved,
      devText.replace("        ticket: SEC-1042\n        approvedBy: security-review@example.com\n", "").replace("      approval:\n", ""),
    );
    const refused = runRecords({ stack: "dev", config: unapproved, date: "2026-11-28" });
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toContain("lifecycle/approval-required");
    const broken = join(tmp, "broken.yaml");
    writeFileSync(broken, "config:\n  agent-identity:platform: [\n");
    const malformed = runRecords({ stack: "dev", config: broken, date: "2026-11-28" });
    expect(malformed.exitCode).toBe(2);
    expect(malformed.stdout).toBe("");
  });
});
