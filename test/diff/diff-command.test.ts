/**
 * `agent-identity diff` end to end: plan files, stack files and git revisions in a temporary
 * repository; exit codes; byte-identical output for the same inputs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runDiff } from "../../cli/diff-command";
import { PLAN_VERSION } from "../../components/core/plan-schema";
import { runPlan } from "../../cli/plan-command";
import { agent, edited, planJson, statementsOf } from "../helpers/diff-plans";

const DEV = readFileSync("stacks/Pulumi.dev.yaml", "utf8");
/** The dev stack with one statement widened (incoming/* → bucket/*) and iam:PassRole added. */
const WIDER = DEV.replace("resources: [arn:aws:s3:::acme-invoices-dev/incoming/*]", "resources: [arn:aws:s3:::acme-invoices-dev/*]").replace(
  "        - name: zendesk-token",
  "        - name: runner\n          aws:\n            - actions: [iam:PassRole]\n              resources: [arn:aws:iam::111122223333:role/runner]\n        - name: zendesk-token",
);

let dir: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" });
const write = (path: string, text: string) => {
  mkdirSync(resolve(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), text);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "agent-identity-diff-"));
  git("init", "-q", "-b", "main");
  git("config", "user.email", "test@example.com");
  git("config", "user.name", "test");
  git("config", "commit.gpgsign", "false");
  write("README", "no stacks yet\n");
  git("add", ".");
  git("commit", "-qm", "empty");
  write("stacks/Pulumi.dev.yaml", DEV);
  git("add", ".");
  git("commit", "-qm", "dev stack");
  write("stacks/Pulumi.dev.yaml", WIDER); // uncommitted: the working tree differs from HEAD
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("diff --base <git revision>", () => {
  it("plans the stack file as it is at the revision, without checking it out", async () => {
    const result = await runDiff({ base: "HEAD", stack: "dev", cwd: dir, format: "json" });
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    const diff = JSON.parse(result.stdout);
    expect(diff.base.label).toMatch(/^HEAD \([0-9a-f]{12}\) stacks\/Pulumi\.dev\.yaml$/);
    expect(diff.head.label).toBe("working tree stacks/Pulumi.dev.yaml");
    expect(diff.changes.map((c: { agent: string; kind: string; classification: string }) => `${c.agent} ${c.kind} ${c.classification}`)).toEqual([
      "invoice-triage permission-changed widens",
      "support-assistant permission-added widens",
    ]);
    expect(diff.flagged.map((f: { action: string }) => f.action)).toEqual(["iam:PassRole"]);
    // The working tree was not touched.
    expect(readFileSync(join(dir, "stacks/Pulumi.dev.yaml"), "utf8")).toBe(WIDER);
  });

  it("compares two revisions", async () => {
    git("stash", "-q");
    write("stacks/Pulumi.dev.yaml", WIDER);
    git("commit", "-qam", "widen");
    const result = await runDiff({ base: "HEAD~1", head: "HEAD", stack: "dev", cwd: dir, failOn: "widen" });
    git("reset", "-q", "--hard", "HEAD~1");
    git("stash", "pop", "-q");
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("FLAGGED");
    expect(result.stderr).toBe("diff: 2 change(s) widen privilege (--fail-on widen)\n");
  });

  it("reads a stack file missing at the base revision as a new stack, and says so on the first line", async () => {
    const result = await runDiff({ base: "HEAD~1", stack: "dev", cwd: dir, format: "json" });
    const diff = JSON.parse(result.stdout);
    const declared = (parse(DEV) as { config: Record<string, unknown[]> }).config["agent-identity:agents"];
    expect(diff.base.newStack).toBe(true);
    expect(diff.summary.agentsAdded).toBe(declared.length);
    expect(diff.summary.agentsRemoved).toBe(0);
    const text = await runDiff({ base: "HEAD~1", stack: "dev", cwd: dir, failOn: "widen" });
    expect(text.exitCode).toBe(1);
    expect(text.stdout.split("\n")[0]).toMatch(
      /^New stack dev: no stack file at HEAD~1 \([0-9a-f]{12}\) stacks\/Pulumi\.dev\.yaml; every agent in it is added\.$/,
    );
    const markdown = await runDiff({ base: "HEAD~1", stack: "dev", cwd: dir, format: "markdown" });
    expect(markdown.stdout.split("\n")[1]).toMatch(/^\*\*New stack\*\*/);
  });

  describe("never passes silently on a stack file that is not there", () => {
    const headOnly = (stack: string, extra: Partial<Parameters<typeof runDiff>[0]> = {}) =>
      runDiff({ base: "HEAD~1", head: "HEAD", stack, cwd: dir, failOn: "widen", ...extra });

    it("exits 2 naming the revision and the path when the stack file is missing at HEAD (a mistyped --stack)", async () => {
      const result = await headOnly("prod");
      expect(result).toMatchObject({ exitCode: 2, stdout: "" });
      expect(result.stderr).toContain("stacks/Pulumi.prod.yaml does not exist at HEAD (the head of the diff)");
    });

    it("names the file that differs only in letter case", async () => {
      const result = await headOnly("Dev");
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("stacks/Pulumi.Dev.yaml does not exist at HEAD");
      expect(result.stderr).toContain("did you mean stacks/Pulumi.dev.yaml?");
    });

    it("exits 2 when the working-tree stack file is missing", async () => {
      const result = await runDiff({ base: "HEAD", stack: "prod", cwd: dir, failOn: "widen" });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("stacks/Pulumi.prod.yaml: no such stack file in the working tree");
    });

    it("resolves the default stack file from the repository root, from any directory", async () => {
      const fromRoot = await runDiff({ base: "HEAD", stack: "dev", cwd: dir, format: "json" });
      const fromStacks = await runDiff({ base: "HEAD", stack: "dev", cwd: join(dir, "stacks"), format: "json" });
      expect(fromStacks.exitCode).toBe(0);
      expect(fromStacks.stdout).toBe(fromRoot.stdout);
      expect(JSON.parse(fromStacks.stdout).summary.widening).toBe(2);
    });

    it("accepts an absolute --config inside the repository, and a --config relative to the working directory", async () => {
      const absolute = await runDiff({ base: "HEAD", stack: "dev", config: join(dir, "stacks/Pulumi.dev.yaml"), cwd: join(dir, "stacks"), format: "json" });
      const relativeToCwd = await runDiff({ base: "HEAD", stack: "dev", config: "Pulumi.dev.yaml", cwd: join(dir, "stacks"), format: "json" });
      expect(absolute.exitCode).toBe(0);
      expect(JSON.parse(absolute.stdout).base.label).toMatch(/^HEAD \([0-9a-f]{12}\) stacks\/Pulumi\.dev\.yaml$/);
      expect(relativeToCwd.stdout).toBe(absolute.stdout);
    });

    it("refuses a --config outside the repository when reading it at a revision", async () => {
      const outside = join(tmpdir(), "agent-identity-not-in-repo.yaml");
      const result = await runDiff({ base: "HEAD", stack: "dev", config: outside, cwd: dir });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("not inside this git repository");
    });
  });

  it("exits 2 with a message for a revision that does not exist", async () => {
    const result = await runDiff({ base: "no-such-branch", stack: "dev", cwd: dir });
    expect(result).toMatchObject({ exitCode: 2, stdout: "" });
    expect(result.stderr).toContain('"no-such-branch" is neither a file nor a git revision');
  });

  it("exits 2 naming the file, line and field when the stack file at the revision is invalid", async () => {
    write("stacks/Pulumi.dev.yaml", DEV.replace("tier: batch", "tier: superuser"));
    git("commit", "-qam", "bad tier");
    write("stacks/Pulumi.dev.yaml", WIDER);
    const result = await runDiff({ base: "HEAD", stack: "dev", cwd: dir });
    git("reset", "-q", "HEAD~1");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /stacks\/Pulumi\.dev\.yaml@HEAD:\d+: agent-identity:agents\[0\] \(invoice-triage\)\.tier: one of batch, assistant, high-risk/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("diff of plan files", () => {
  const base = planJson([agent("alpha"), agent("beta")]);
  const narrower = edited(base, (p) => (statementsOf(p, "alpha", "execution")[0].Resource = ["arn:aws:s3:::acme-data/alpha/in/*"]));
  const wider = edited(base, (p) => (statementsOf(p, "alpha", "execution")[0].Resource = ["arn:aws:s3:::acme-data/*"]));
  const files = (plans: Record<string, unknown>) => {
    for (const [name, plan] of Object.entries(plans)) write(name, typeof plan === "string" ? plan : JSON.stringify(plan));
  };

  it("--fail-on widen exits 1 only when something widens", async () => {
    files({ "base.json": base, "narrower.json": narrower, "wider.json": wider });
    expect((await runDiff({ base: "base.json", head: "narrower.json", stack: "dev", cwd: dir, failOn: "widen" })).exitCode).toBe(0);
    expect((await runDiff({ base: "base.json", head: "wider.json", stack: "dev", cwd: dir, failOn: "widen" })).exitCode).toBe(1);
    expect((await runDiff({ base: "base.json", head: "wider.json", stack: "dev", cwd: dir })).exitCode).toBe(0);
  });

  it.each(["text", "markdown", "json"] as const)("gives byte-identical %s output for the same inputs, whatever their order", async (format) => {
    const shuffled = edited(wider, (p) => {
      p.agents.reverse();
      for (const a of p.agents) for (const i of a.identities) for (const policy of i.iamRole.policies) policy.document.Statement.reverse();
    });
    files({ "base.json": base, "wider.json": wider });
    const first = await runDiff({ base: "base.json", head: "wider.json", stack: "dev", cwd: dir, format });
    const second = await runDiff({ base: "base.json", head: "wider.json", stack: "dev", cwd: dir, format });
    files({ "wider.json": shuffled });
    const third = await runDiff({ base: "base.json", head: "wider.json", stack: "dev", cwd: dir, format });
    expect(first.stdout.length).toBeGreaterThan(100);
    expect(second.stdout).toBe(first.stdout);
    expect(third.stdout).toBe(first.stdout);
  });

  it.each([
    ["not JSON", "{ nope", "not JSON"],
    ["a plan without agents", JSON.stringify({ version: PLAN_VERSION, stack: "dev" }), "agents:"],
    ["a plan of another version", JSON.stringify({ ...base, version: 99 }), "has version 99"],
    [
      "a statement with a bad effect",
      JSON.stringify(edited(base, (p) => (statementsOf(p, "alpha", "execution")[0].Effect = "Maybe"))),
      "agents[0].identities[1].iamRole.policies[0].document.Statement",
    ],
    ["a TTL that is not a number", JSON.stringify(edited(base, (p) => (p.agents[0].identities[0].vault.role.tokenTtl = "soon"))), "tokenTtl"],
    ["two agents with one name", JSON.stringify(edited(base, (p) => (p.agents[1].name = "alpha"))), '"alpha" appears more than once'],
  ])("exits 2 with a clear message for %s", async (_, text, message) => {
    files({ "bad.json": text });
    const result = await runDiff({ base: "base.json", head: "bad.json", stack: "dev", cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("bad.json");
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("reads the stdout of `plan --format json` and a plan written by `plan --json`", async () => {
    const planned = runPlan({ stack: "dev", format: "json", json: join(dir, "dev.plan.json"), date: "2026-11-28" });
    expect(planned.exitCode).toBe(0);
    write("dev.stdout.json", planned.stdout);
    const result = await runDiff({ base: "dev.plan.json", head: "dev.stdout.json", stack: "dev", cwd: dir, failOn: "widen" });
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    expect(result.stdout).toBe("No identity changes (stack dev: dev.plan.json -> dev.stdout.json).\n");
  });

  it("requires a base", async () => {
    expect(await runDiff({ stack: "dev", cwd: dir })).toMatchObject({ exitCode: 2 });
  });
});

describe("the installed command line", () => {
  it("exits 2 without a stack trace for a bad option, and prints the diff of two stack files", () => {
    const bin = resolve("bin/agent-identity.js");
    const bad = spawnSync("node", [bin, "diff", "--format", "html", "HEAD"], { cwd: dir, encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("argument 'html' is invalid");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    write("wider.yaml", WIDER);
    const ok = spawnSync("node", [bin, "diff", resolve("stacks/Pulumi.dev.yaml"), "wider.yaml", "--fail-on", "widen"], { cwd: dir, encoding: "utf8" });
    expect(ok.status).toBe(1);
    expect(ok.stdout).toContain("iam:PassRole (Write, privilege escalation)");
  }, 240_000); // spawns the CLI, which rebuilds dist/ when sources are newer
});
