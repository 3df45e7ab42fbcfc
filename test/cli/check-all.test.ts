/** `agent-identity check --all`: every stack file of a project, and what collides across them. */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { runCheck } from "../../cli/check-command";
import type { AgentInput, PlatformInput } from "../../components/core/schema";
import { agent, PLATFORM, TODAY_DATE } from "../helpers/fixtures";

type Stack = { platform?: Partial<PlatformInput>; agents: AgentInput[] };

/** A project folder with Pulumi.yaml (stackConfigDir: stacks) and one stack file per entry. */
function project(stacks: Record<string, Stack>, projectFile = "name: acme\nstackConfigDir: stacks\n"): string {
  const root = mkdtempSync(join(tmpdir(), "check-all-"));
  writeFileSync(join(root, "Pulumi.yaml"), projectFile);
  mkdirSync(join(root, "stacks"));
  for (const [name, stack] of Object.entries(stacks)) {
    const platform = {
      ...PLATFORM,
      ...stack.platform,
      aws: { ...PLATFORM.aws, ...stack.platform?.aws },
      vault: { ...PLATFORM.vault, ...stack.platform?.vault },
    };
    writeFileSync(
      join(root, "stacks", `Pulumi.${name}.yaml`),
      stringify({ config: { "agent-identity:platform": platform, "agent-identity:agents": stack.agents } }),
    );
  }
  return root;
}

const OTHER_ACCOUNT: Partial<PlatformInput> = {
  aws: {
    accountId: "444455556666",
    region: "us-east-1",
    oidcProviderArn: "arn:aws:iam::444455556666:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210",
    permissionsBoundaryArn: "arn:aws:iam::444455556666:policy/agent-boundary",
  },
  ownableRoots: ["arn:aws:s3:::acme-*"],
};

const check = async (root: string, format?: "text" | "json" | "markdown") => runCheck({ all: true, project: root, date: TODAY_DATE, format });
const json = async (root: string) =>
  JSON.parse((await check(root, "json")).stdout) as { violations: Array<{ rule: string; message: string; places: string[]; also?: string[] }> };

describe("check --all", async () => {
  it("fails two stacks of one account with the same prefix, environment and agent, naming both files and the role", async () => {
    const root = project({ a: { agents: [agent("triage")] }, b: { agents: [agent("triage", { owns: ["arn:aws:s3:::acme-other/triage/*"], tools: [] })] } });
    const result = await check(root);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/organisation\/iam-name-unique: IAM role "acme-test-triage-orchestration"/);
    expect(result.stderr).toContain("stacks/Pulumi.a.yaml:");
    expect(result.stderr).toContain("stacks/Pulumi.b.yaml:");
    const rules = new Set((await json(root)).violations.map((v) => v.rule));
    // The same names also collide on the one Vault and the one cluster of both stacks.
    expect([...rules].sort()).toEqual(
      ["organisation/iam-name-unique", "organisation/log-group-unique", "organisation/namespace-unique", "organisation/vault-name-unique"].sort(),
    );
  });

  it("passes the same agent in two stacks of different accounts, Vaults and clusters", async () => {
    const root = project({
      a: { platform: { vault: { ...PLATFORM.vault, address: "https://vault-a.example.com:8200" } }, agents: [agent("triage")] },
      b: {
        platform: { ...OTHER_ACCOUNT, vault: { ...PLATFORM.vault, address: "https://vault-b.example.com:8200" } },
        agents: [agent("triage", { owns: ["arn:aws:s3:::acme-other/triage/*"], tools: [] })],
      },
    });
    const result = await check(root);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("no organisation-wide violations");
  });

  it("fails two stacks in one account whose agents both own one S3 prefix", async () => {
    const shared = "arn:aws:s3:::acme-data/team/*";
    const root = project({
      a: { agents: [agent("alpha", { owns: [shared], tools: [] })] },
      b: { platform: { environment: "stage" }, agents: [agent("beta", { owns: [shared], tools: [] })] },
    });
    const result = await check(root);
    expect(result.exitCode).toBe(1);
    const owns = (await json(root)).violations.filter((v) => v.rule === "organisation/owns-disjoint");
    expect(owns).toHaveLength(1);
    expect(owns[0].message).toContain(shared);
    expect(owns[0].places[0]).toMatch(/^stacks\/Pulumi\.a\.yaml:\d+: agent-identity:agents\[0\] \(alpha\)\.owns\[0\]$/);
    expect(owns[0].places[1]).toMatch(/^stacks\/Pulumi\.b\.yaml:\d+: agent-identity:agents\[0\] \(beta\)\.owns\[0\]$/);
  });

  it("fails a prefix one stack owns inside a bucket another owns whole, even across accounts (bucket names are global)", async () => {
    const root = project({
      a: { agents: [agent("alpha", { owns: ["arn:aws:s3:::acme-data"], tools: [] })] },
      b: { platform: OTHER_ACCOUNT, agents: [agent("beta", { owns: ["arn:aws:s3:::acme-data/beta/*"], tools: [] })] },
    });
    expect((await json(root)).violations.map((v) => v.rule)).toEqual(["organisation/owns-disjoint"]);
  });

  it("passes disjoint owns in one account", async () => {
    const root = project({ a: { agents: [agent("alpha")] }, b: { platform: { environment: "stage" }, agents: [agent("beta")] } });
    expect((await check(root)).exitCode).toBe(0);
  });

  it("fails one KV subtree reached from two stacks on one Vault (names differ by prefix only)", async () => {
    const kv = { name: "api-key", kv: { path: "api-key" } };
    const root = project({
      a: { agents: [agent("alpha", { tools: [kv] })] },
      b: { platform: { namePrefix: "beta" }, agents: [agent("alpha", { owns: ["arn:aws:s3:::acme-other/a/*"], tools: [kv] })] },
    });
    const vault = (await json(root)).violations.filter((v) => v.rule === "organisation/vault-name-unique");
    // Auth roles are named without the prefix, and the KV subtree is the agent's under its environment.
    expect(vault.flatMap((v) => [v.message, ...(v.also ?? [])]).join("\n")).toMatch(/Vault path "kv\/data\/agents\/test\/alpha\/api-key" of .* reaches/);
    expect(vault.map((v) => v.message).join("\n")).toMatch(/Vault auth role "auth\/kubernetes\/role\/test-alpha-orchestration"/);
  });

  it("fails a mount used as two engines on one Vault, and passes it on two Vaults", async () => {
    const one = project({
      a: { agents: [agent("alpha")] },
      b: { platform: { environment: "stage", vault: { ...PLATFORM.vault, kvMount: "database-kv", awsMount: "kv" } }, agents: [agent("beta")] },
    });
    const mounts = (await json(one)).violations.filter((v) => v.rule === "organisation/vault-mount-consistent");
    expect(mounts.map((v) => v.message).join("\n")).toMatch(/Vault mount "kv" is the AWS engine .* but the KV v2 engine/);
    const two = project({
      a: { platform: { vault: { ...PLATFORM.vault, address: "https://a.example.com" } }, agents: [agent("alpha")] },
      b: {
        platform: { environment: "stage", vault: { ...PLATFORM.vault, address: "https://b.example.com", kvMount: "database-kv", awsMount: "kv" } },
        agents: [agent("beta")],
      },
    });
    expect((await check(two)).exitCode).toBe(0);
  });

  it("fails one database connection name with two plugins on one Vault", async () => {
    const root = project({
      a: { agents: [agent("alpha")] },
      b: {
        platform: { environment: "stage", vault: { ...PLATFORM.vault, databaseConnections: [{ name: "main", plugin: "mysql-database-plugin" }] } },
        agents: [agent("beta")],
      },
    });
    expect((await json(root)).violations.map((v) => v.rule)).toContain("organisation/vault-mount-consistent");
  });

  it("reports a stack's own violations and still exits 1; a malformed stack file exits 2", async () => {
    const bad = project({ a: { agents: [agent("alpha", { tools: [{ name: "all", aws: [{ actions: ["s3:*"], resources: ["*"] }] }] })] } });
    const result = await check(bad);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("stacks/Pulumi.a.yaml (a): policy violations");
    const root = project({ a: { agents: [agent("alpha")] } });
    writeFileSync(join(root, "stacks", "Pulumi.b.yaml"), "config: [\n");
    expect((await check(root)).exitCode).toBe(2);
  });

  it("follows stackConfigDir, and exits 2 without a Pulumi.yaml or stack files", async () => {
    const root = project({ a: { agents: [agent("alpha")] } }, "name: acme\nstackConfigDir: elsewhere\n");
    expect((await check(root)).exitCode).toBe(2);
    expect((await check(root)).stderr).toMatch(/no stack files/);
    expect((await check(mkdtempSync(join(tmpdir(), "empty-")))).stderr).toMatch(/no Pulumi.yaml/);
    expect((await runCheck({ project: root })).exitCode).toBe(2);
  });

  it("checks this repository's own stacks clean", async () => {
    const result = await runCheck({ all: true, project: ".", date: TODAY_DATE });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });

  it("renders markdown with every value escaped", async () => {
    const root = project({ a: { agents: [agent("triage")] }, b: { agents: [agent("triage", { owns: ["arn:aws:s3:::acme-other/triage/*"], tools: [] })] } });
    const markdown = (await check(root, "markdown")).stdout;
    expect(markdown).toContain("| `organisation/iam-name-unique` |");
    expect(markdown).toContain("stacks/Pulumi.a.yaml");
    // The result cell names the stack and the verdict whole ("a: ok, 1 agent(s)", never "a): ok").
    expect(markdown).toMatch(/\| stacks\/Pulumi\.a\.yaml \| a: ok, \d+ agent\(s\) \|/);
    expect(markdown).not.toContain("): ok");
    expect(markdown).not.toContain("agents[0]"); // brackets are escaped: agents\[0\]
  });

  it("plans in worker threads from the compiled CLI with the same result as in one thread", async () => {
    const cli = join(process.cwd(), "dist/cli/main.js");
    expect(existsSync(cli), "npm test builds dist/ before vitest").toBe(true);
    const stacks = Object.fromEntries(
      ["a", "b", "c", "d", "e"].map((name, i) => [name, { platform: { environment: `env${i}` }, agents: [agent(`agent-${name}`)] }]),
    );
    // One collision across stacks, so the threads' plans must meet again in the organisation rules.
    stacks.e.agents.push(agent("clash", { owns: ["arn:aws:s3:::acme-data/agent-a/*"], tools: [] }));
    const root = project(stacks);
    let output = "";
    try {
      output = execFileSync(process.execPath, [cli, "check", "--all", "--project", root, "--date", TODAY_DATE, "--format", "json"], { encoding: "utf8" });
    } catch (error) {
      output = (error as { stdout: string }).stdout;
    }
    expect(JSON.parse(output)).toEqual(await json(root));
    expect((await json(root)).violations.map((v) => v.rule)).toEqual(["organisation/owns-disjoint"]);
  });

  it("deals stack files of different sizes to the workers and reports each in project order, malformed and failing ones included", async () => {
    const cli = join(process.cwd(), "dist/cli/main.js");
    const names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    // Sizes grow and shrink, so the threads finish stacks out of the project's order: the report and the organisation rules keep it.
    const stacks = Object.fromEntries(
      names.map((name, i) => [
        name,
        { platform: { environment: `env${i}` }, agents: Array.from({ length: 1 + ((i * 5) % 7) }, (_, j) => agent(`agent-${name}${j}`)) },
      ]),
    );
    stacks.c.agents.push(agent("wide", { tools: [{ name: "all", aws: [{ actions: ["s3:*"], resources: ["*"] }] }] }));
    stacks.h.agents.push(agent("clash", { owns: ["arn:aws:s3:::acme-data/agent-a0/*"], tools: [] }));
    const root = project(stacks);
    writeFileSync(join(root, "stacks", "Pulumi.e.yaml"), "config: [\n");
    const run = spawnSync(process.execPath, [cli, "check", "--all", "--project", root, "--date", TODAY_DATE, "--format", "json"], { encoding: "utf8" });
    const inThread = await check(root, "json");
    expect(run.status).toBe(2);
    expect(inThread.exitCode).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(inThread.stdout));
    const report = JSON.parse(run.stdout) as { stacks: Array<{ file: string; exitCode: number }>; violations: Array<{ rule: string; places: string[] }> };
    expect(report.stacks.map((s) => `${s.file}:${s.exitCode}`)).toEqual(names.map((n) => `stacks/Pulumi.${n}.yaml:${n === "e" ? 2 : n === "c" ? 1 : 0}`));
    expect(report.violations.map((v) => v.rule)).toEqual(["organisation/owns-disjoint"]);
    expect(report.violations[0].places[0]).toMatch(/^stacks\/Pulumi\.a\.yaml:\d+: /);
    expect(report.violations[0].places[1]).toMatch(/^stacks\/Pulumi\.h\.yaml:\d+: /);
  });
});

describe("check --all over stack files that are not regular files", () => {
  it("checks a regular stack file, and reports the same file as a symbolic link (exit 2), never skipping it", async () => {
    const root = project({ a: { agents: [agent("alpha")] } });
    expect((await check(root)).exitCode).toBe(0);
    renameSync(join(root, "stacks", "Pulumi.a.yaml"), join(root, "stacks", "a.real.yaml"));
    symlinkSync("a.real.yaml", join(root, "stacks", "Pulumi.a.yaml"));
    const result = await check(root);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("stacks/Pulumi.a.yaml (a): invalid stack file");
    expect(result.stderr).toContain("is a symbolic link, not a regular file");
  });

  it("reports a folder named like a stack file (exit 2)", async () => {
    const root = project({ a: { agents: [agent("alpha")] } });
    mkdirSync(join(root, "stacks", "Pulumi.b.yaml"));
    const result = await check(root);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("is a folder, not a regular file");
  });

  it("refuses a symbolic-link project file", async () => {
    const root = project({ a: { agents: [agent("alpha")] } });
    renameSync(join(root, "Pulumi.yaml"), join(root, "project.yaml"));
    symlinkSync("project.yaml", join(root, "Pulumi.yaml"));
    const result = await check(root);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("Pulumi.yaml: is a symbolic link, not a regular file");
  });
});

describe("check --all: one Vault however its address is written", () => {
  const mountClash = (a: string, b: string) =>
    project({
      a: { platform: { vault: { ...PLATFORM.vault, address: a } }, agents: [agent("alpha")] },
      b: { platform: { environment: "stage", vault: { ...PLATFORM.vault, address: b, kvMount: "database-kv", awsMount: "kv" } }, agents: [agent("beta")] },
    });
  const base = "https://vault.dev.acme.internal:8200";
  it("passes two different hosts (the happy path)", async () => {
    expect((await check(mountClash(base, "https://vault.prod.acme.internal:8200"))).exitCode).toBe(0);
  });
  it.each([
    ["a trailing dot", "https://vault.dev.acme.internal.:8200"],
    ["upper case", "https://VAULT.dev.Acme.internal:8200"],
    ["another scheme", "http://vault.dev.acme.internal:8200"],
  ])("finds the clash when one address differs by %s", async (_, other) => {
    const violations = (await json(mountClash(base, other))).violations;
    expect(violations.map((v) => v.rule)).toContain("organisation/vault-mount-consistent");
    expect(violations.map((v) => v.message).join("\n")).toContain("vault.dev.acme.internal:8200");
  });
  it("keys the default port by scheme", async () => {
    const violations = (await json(mountClash("https://vault.acme.internal", "https://vault.acme.internal:443"))).violations;
    expect(violations.map((v) => v.rule)).toContain("organisation/vault-mount-consistent");
  });
});
