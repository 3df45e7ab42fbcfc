/**
 * One reader of Pulumi config: `plan` (cli/stack-file.ts) and the deployable program
 * (stacks/index.ts, what `pulumi up` runs) read the same agents from every key spelling Pulumi
 * accepts, and both refuse a key of the agent-identity namespace that nothing reads.
 */
import * as pulumi from "@pulumi/pulumi";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runPlan } from "../../cli/plan-command";
import { runInventory } from "../../cli/inventory-command";
import { StackFileError, parseStackFile } from "../../cli/stack-file";
import { parseConfigKey, readAgentIdentityKeys } from "../../components/core/stack-config";
import { installMocks, resources, settle } from "../helpers/pulumi-mocks";

const DEV = readFileSync("stacks/Pulumi.dev.yaml", "utf8");
const DATE = "2026-11-28";

/** stacks/Pulumi.dev.yaml with its `agent-identity:agents` key written as `key`, plus extra lines under config. */
function devWith(key: string, extra = ""): string {
  expect(DEV).toMatch(/^ {2}agent-identity:agents:$/m);
  return DEV.replace(/^ {2}agent-identity:agents:$/m, `${extra}  ${key}:`);
}

function writeStack(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "stack-")), "Pulumi.dev.yaml");
  writeFileSync(file, text);
  return file;
}

const plannedRoles = (file: string): string[] => {
  const result = runPlan({ stack: "dev", config: file, format: "json", date: DATE });
  expect(result.exitCode, result.stdout).toBe(0);
  const plan = JSON.parse(result.stdout).plan as { agents: Array<{ identities: Array<{ iamRole: { name: string } }> }> };
  return plan.agents.flatMap((a) => a.identities.map((i) => i.iamRole.name)).sort();
};

/** Run stacks/index.ts under mocks with the stack file's config handed over as the engine does (objects as JSON). */
async function programRoles(text: string): Promise<string[]> {
  vi.resetModules();
  installMocks("dev");
  const config = parse(text).config as Record<string, unknown>;
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)])),
  );
  await import("../../stacks/index");
  await settle();
  return resources()
    .filter((r) => r.type === "aws:iam/role:Role")
    .map((r) => r.inputs.name as string)
    .sort();
}

describe("parseConfigKey (Pulumi's config.ParseKey)", () => {
  it("reads <namespace>:<name> and <namespace>:config:<name>, and nothing else", () => {
    expect(parseConfigKey("agent-identity:agents")).toEqual({ namespace: "agent-identity", name: "agents" });
    expect(parseConfigKey("agent-identity:config:agents")).toEqual({ namespace: "agent-identity", name: "agents" });
    expect(parseConfigKey("aws:region")).toEqual({ namespace: "aws", name: "region" });
    expect(parseConfigKey("agent-identity:")).toEqual({ namespace: "agent-identity", name: "" });
    for (const refused of ["agents", "agent-identity:x:agents", "agent-identity:config:agents:0", "a:b:c:d"]) expect(parseConfigKey(refused)).toBeNull();
  });
});

describe("the agent-identity keys", () => {
  const platform = () => ({ bootstrap: { databaseConnections: [{ passwordConfigKey: "ledgerRootPassword" }] } });

  it("accepts the names both readers read, and the bootstrap's password keys", () => {
    const { keys, issues } = readAgentIdentityKeys(
      ["agent-identity:platform", "agent-identity:config:agents", "agent-identity:ledgerRootPassword", "aws:region", "kubernetes:context"],
      platform,
    );
    expect(issues).toEqual([]);
    expect([...keys]).toEqual([
      ["platform", "agent-identity:platform"],
      ["agents", "agent-identity:config:agents"],
      ["ledgerRootPassword", "agent-identity:ledgerRootPassword"],
    ]);
  });

  it("refuses an unknown name, a name written twice, a key Pulumi cannot parse and a mis-cased namespace", () => {
    const { issues } = readAgentIdentityKeys(
      [
        "agent-identity:platform",
        "agent-identity:agents",
        "agent-identity:config:agents",
        "agent-identity:agent",
        "agent-identity:x:y",
        "Agent-Identity:agents",
      ],
      platform,
    );
    expect(issues.map((issue) => issue.key)).toEqual(["agent-identity:config:agents", "agent-identity:agent", "agent-identity:x:y", "Agent-Identity:agents"]);
    expect(issues[0].message).toMatch(/written twice, as agent-identity:agents and agent-identity:config:agents/);
    expect(issues[1].message).toMatch(/unknown key agent-identity:agent: .*did you mean agent-identity:agents\?/);
    expect(issues[2].message).toMatch(/not a Pulumi config key/);
    expect(issues[3].message).toMatch(/case-sensitive/);
  });
});

describe("plan and pulumi up read the same agents", () => {
  afterEach(() => vi.useRealTimers());

  it("agent-identity:config:agents: plan and the program both see every agent", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(`${DATE}T12:00:00Z`));
    const text = devWith("agent-identity:config:agents");
    const planned = plannedRoles(writeStack(text));
    expect(planned.length).toBeGreaterThan(0);
    expect(planned).toEqual(plannedRoles("stacks/Pulumi.dev.yaml"));
    expect(await programRoles(text)).toEqual(planned);
    // inventory reads through the same reader: every agent of the stack is listed.
    const inventory = runInventory({ stack: "dev", config: writeStack(text), format: "json", date: DATE });
    const listed = runInventory({ stack: "dev", format: "json", date: DATE });
    expect(inventory.stdout).toEqual(listed.stdout);
    expect(inventory.stdout.length).toBeGreaterThan(100);
  });

  it("an unknown key in the namespace: plan exits 2 at its line, and the program refuses it too", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(`${DATE}T12:00:00Z`));
    const text = devWith("agent-identity:agents", "  agent-identity:agent: []\n");
    const file = writeStack(text);
    const result = runPlan({ stack: "dev", config: file, date: DATE });
    expect(result.exitCode).toBe(2);
    const line = text.split("\n").findIndex((l) => l.startsWith("  agent-identity:agent:")) + 1;
    expect(result.stderr).toContain(`${file}:${line}: agent-identity:agent: unknown key agent-identity:agent`);
    await expect(programRoles(text)).rejects.toThrow(/unknown key agent-identity:agent/);
  });

  it("both spellings at once are refused by plan, which cannot know which one Pulumi keeps", () => {
    const text = devWith("agent-identity:agents", "  agent-identity:config:agents: []\n");
    expect(() => parseStackFile(text, "f.yaml")).toThrow(StackFileError);
    expect(() => parseStackFile(text, "f.yaml")).toThrow(/written twice/);
  });
});
