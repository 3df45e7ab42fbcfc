import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runPlan } from "../../cli/plan-command";

const tmp = mkdtempSync(join(tmpdir(), "agent-identity-plan-"));
const write = (name: string, text: string) => {
  const file = join(tmp, name);
  writeFileSync(file, text);
  return file;
};
const devText = readFileSync("stacks/Pulumi.dev.yaml", "utf8");

describe("plan command", () => {
  it("plans the dev stack: exit 0 and a readable summary", () => {
    const result = runPlan({ stack: "dev", date: "2026-11-28" });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^stack dev: \d+ agent\(s\), \d+ identities/);
    expect(result.stdout).toContain("iam role        acme-dev-invoice-triage-execution");
  });

  it("writes the plan JSON with the stable fields tools read", () => {
    const out = join(tmp, "dev.plan.json");
    expect(runPlan({ stack: "dev", json: out, date: "2026-11-28" }).exitCode).toBe(0);
    const plan = JSON.parse(readFileSync(out, "utf8"));
    expect(plan.stack).toBe("dev");
    const [first] = plan.agents;
    expect(Object.keys(first)).toEqual(expect.arrayContaining(["name", "owner", "tier", "identities"]));
    const identity = first.identities[0];
    expect(identity.kind).toBe("orchestration");
    expect(Object.keys(identity.serviceAccount)).toEqual(expect.arrayContaining(["namespace", "name"]));
    expect(Object.keys(identity.iamRole)).toEqual(
      expect.arrayContaining(["name", "arn", "trustPolicy", "policies", "maxSessionDuration", "permissionsBoundary"]),
    );
    expect(identity.iamRole.policies[0].document.Version).toBe("2012-10-17");
    expect(Object.keys(identity.vault.role)).toEqual(
      expect.arrayContaining(["name", "boundServiceAccountNames", "boundServiceAccountNamespaces", "audience", "tokenTtl", "tokenMaxTtl", "tokenPolicies"]),
    );
    expect(typeof identity.vault.role.tokenTtl).toBe("number");
    expect(Object.keys(identity.vault.policy)).toEqual(["name", "paths"]);
    expect(Array.isArray(identity.vault.secretRoles)).toBe(true);
  });

  it("produces byte-identical JSON for the same input", () => {
    const a = runPlan({ stack: "dev", format: "json", date: "2026-11-28" }).stdout;
    const b = runPlan({ stack: "dev", format: "json", date: "2026-11-28" }).stdout;
    expect(a).toBe(b);
  });

  it("exits 2 with the file, line and YAML path for a schema error", () => {
    const file = write("bad-tier.yaml", devText.replace("tier: batch", "tier: root"));
    const result = runPlan({ stack: "dev", config: file, date: "2026-11-28" });
    expect(result.exitCode).toBe(2);
    const line = devText.split("\n").findIndex((l) => l.includes("tier: batch")) + 1;
    expect(result.stderr).toContain(`${file}:${line}: agent-identity:agents[0] (invoice-triage).tier: one of batch, assistant, high-risk`);
  });

  it("exits 2 for unknown fields, naming them", () => {
    const file = write("unknown.yaml", devText.replace("tier: batch", "tier: batch\n      superpowers: true"));
    const result = runPlan({ stack: "dev", config: file });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('agent-identity:agents[0] (invoice-triage): unknown field "superpowers"');
  });

  it("exits 2 for broken YAML and for a missing file", () => {
    expect(runPlan({ stack: "dev", config: write("broken.yaml", "config:\n  a: [1, 2\n") }).exitCode).toBe(2);
    const missing = runPlan({ stack: "nope" });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("stacks/Pulumi.nope.yaml: cannot read the stack file (ENOENT)");
  });

  it("plans a stack holding an expired agent: exit 0, a warning naming the sponsor, that agent revoked and its runbook printed", () => {
    const file = write("expired.yaml", devText.replace('expires: "2027-06-30"', 'expires: "2025-01-01"'));
    const result = runPlan({ stack: "dev", config: file, date: "2026-11-28" });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      "invoice-triage/*: lifecycle/revoked-on-expiry: expired on 2025-01-01 (696 days overdue) and is revoked: its grants are Deny, its Vault roles removed — the sponsor jane.doe@example.com re-approves",
    );
    expect(result.stdout).toContain("REVOKED at 2025-01-02T00:00:00Z: expired on 2025-01-01");
    expect(result.stdout).toContain("vault lease revoke -prefix ");
    const json = JSON.parse(runPlan({ stack: "dev", config: file, date: "2026-11-28", format: "json" }).stdout);
    const agents = json.plan.agents as { name: string; revoked: { onExpiry: boolean } | null; identities: { vault: { role: unknown } }[] }[];
    const expired = agents.find((a) => a.name === "invoice-triage")!;
    expect(expired.revoked).toMatchObject({ at: "2025-01-02T00:00:00Z", onExpiry: true });
    expect(expired.identities.map((i) => i.vault.role)).toEqual([null, null, null]);
    // The other agents are planned exactly as when nothing has expired.
    const untouched = JSON.parse(runPlan({ stack: "dev", date: "2026-11-28", format: "json" }).stdout).plan.agents as { name: string }[];
    expect(agents.filter((a) => a.name !== "invoice-triage")).toEqual(untouched.filter((a) => a.name !== "invoice-triage"));
    expect(json.warnings).toEqual([expect.objectContaining({ agent: "invoice-triage", rule: "lifecycle/revoked-on-expiry", severity: "warning" })]);
  });

  it("exits 1 listing every violation on stderr, and as JSON with --format json", () => {
    const file = write(
      "unapproved.yaml",
      devText.replace("        ticket: SEC-1042\n        approvedBy: security-review@example.com\n", "").replace("      approval:\n", ""),
    );
    const result = runPlan({ stack: "dev", config: file, date: "2026-11-28" });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("payout-approver/*: lifecycle/approval-required: tier high-risk requires a recorded approval");
    const json = runPlan({ stack: "dev", config: file, date: "2026-11-28", format: "json" });
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout).violations[0]).toMatchObject({ agent: "payout-approver", rule: "lifecycle/approval-required", severity: "error" });
  });

  it("runs as a real process without a stack trace for bad input", () => {
    const file = write("bad-process.yaml", devText.replace("tier: batch", "tier: root"));
    const run = spawnSync(process.execPath, ["--import", "tsx", "cli/main.ts", "plan", "--config", file], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("tier: one of batch, assistant, high-risk");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const ok = execFileSync(process.execPath, ["--import", "tsx", "cli/main.ts", "plan", "--stack", "prod", "--date", "2026-11-28"], { encoding: "utf8" });
    expect(ok).toContain("stack prod:");
  });
});
