/**
 * The review gate cannot be steered by the change it reviews: names that are both files and
 * revisions are refused unless an explicit form chooses, stack files are read from git objects at
 * each revision (never the work tree), and each revision's own Pulumi.yaml says where its stack
 * files are; a change to it widens.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDiff } from "../../cli/diff-command";
import { compileFleet } from "../../components/core/compile";
import { parseDeclaration } from "../../components/core/schema";
import { parseStackFile } from "../../cli/stack-file";

const DEV = readFileSync("stacks/Pulumi.dev.yaml", "utf8");
const WIDER = DEV.replace("resources: [arn:aws:s3:::acme-invoices-dev/incoming/*]", "resources: [arn:aws:s3:::acme-invoices-dev/*]");
const PROJECT = (dir?: string) => `name: acme-agents\nruntime: nodejs\n${dir ? `stackConfigDir: ${dir}\n` : ""}`;

let dir: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8" });
const write = (path: string, text: string) => {
  mkdirSync(resolve(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), text);
};
const commit = (message: string) => {
  git("add", "-A");
  git("commit", "-qm", message);
};
type Change = { agent: string; identity: string | null; kind: string; classification: string };
const lines = (stdout: string) => {
  const diff = JSON.parse(stdout) as { platform: Change[]; changes: Change[] };
  return [...diff.platform, ...diff.changes].map((c) => `${c.agent}/${c.identity ?? "-"} ${c.kind} ${c.classification}`);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "agent-identity-git-mode-"));
  git("init", "-q", "-b", "main");
  git("config", "user.email", "test@example.com");
  git("config", "user.name", "test");
  git("config", "commit.gpgsign", "false");
  write("Pulumi.yaml", PROJECT("stacks"));
  write("stacks/Pulumi.dev.yaml", DEV);
  commit("base");
  git("branch", "reviewed"); // the base revision, and below a file of the same name
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a name that is both a file and a revision", () => {
  it("is refused (exit 2) unless --base-rev or --base-file chooses", async () => {
    // The pull request's own "plan" at a path named like the base revision: no change at all.
    const plan = compileFleet(parseDeclaration(parseStackFile(WIDER, "x.yaml").declaration), "dev");
    write("reviewed", JSON.stringify(plan));
    write("stacks/Pulumi.dev.yaml", WIDER);
    try {
      const ambiguous = await runDiff({ base: "reviewed", stack: "dev", cwd: dir, failOn: "widen" });
      expect(ambiguous.exitCode).toBe(2);
      expect(ambiguous.stderr).toContain(
        '"reviewed" is both a file and a git revision here: pass --base-rev reviewed for the revision or --base-file reviewed',
      );
      const revision = await runDiff({ baseRev: "reviewed", stack: "dev", cwd: dir, failOn: "widen", format: "json" });
      expect(revision.exitCode).toBe(1);
      expect(JSON.parse(revision.stdout).base.label).toMatch(/^reviewed \([0-9a-f]{12}\) stacks\/Pulumi\.dev\.yaml$/);
      expect(lines(revision.stdout)).toContain("invoice-triage/execution permission-changed widens");
      const file = await runDiff({ baseFile: "reviewed", stack: "dev", cwd: dir, failOn: "widen", format: "json" });
      expect(file.exitCode).toBe(0);
      expect(JSON.parse(file.stdout).base.label).toBe("reviewed");
    } finally {
      rmSync(join(dir, "reviewed"));
      git("checkout", "-q", "--", "stacks/Pulumi.dev.yaml");
    }
  });

  it("refuses --base-rev that is not a revision and --base-file that is not a file, and a revision shaped like an option", async () => {
    expect((await runDiff({ baseRev: "no-such-branch", stack: "dev", cwd: dir })).stderr).toContain('"no-such-branch" is not a git revision here');
    expect((await runDiff({ baseFile: "no-such-file.json", stack: "dev", cwd: dir })).stderr).toContain('"no-such-file.json": no such file');
    const option = await runDiff({ baseRev: "--output=/tmp/x", stack: "dev", cwd: dir });
    expect(option.exitCode).toBe(2);
    expect(option.stderr).toContain("is not a git revision");
    expect((await runDiff({ base: "main", baseRev: "main", stack: "dev", cwd: dir })).stderr).toContain("give the base once");
  });
});

describe("stack files at a revision", () => {
  it("are read from git objects: the work tree is never read when both revisions are given", async () => {
    write("stacks/Pulumi.dev.yaml", WIDER); // uncommitted, and would widen
    try {
      const result = await runDiff({ baseRev: "main", headRev: "main", stack: "dev", cwd: dir, failOn: "widen", format: "json" });
      expect(result.exitCode).toBe(0);
      expect(lines(result.stdout)).toEqual([]);
    } finally {
      git("checkout", "-q", "--", "stacks/Pulumi.dev.yaml");
    }
  });

  it("follow each revision's Pulumi.yaml: a moved stackConfigDir is shown, counts as widening, and its stack file is the head's", async () => {
    git("checkout", "-q", "-b", "moved");
    write("Pulumi.yaml", PROJECT("stacks/live"));
    write("stacks/live/Pulumi.dev.yaml", WIDER); // the old stacks/Pulumi.dev.yaml stays as it was
    commit("move the stack folder and widen there");
    try {
      const result = await runDiff({ baseRev: "main", headRev: "moved", stack: "dev", cwd: dir, failOn: "widen", format: "json" });
      expect(result.exitCode).toBe(1);
      const diff = JSON.parse(result.stdout);
      expect(diff.head.label).toMatch(/^moved \([0-9a-f]{12}\) stacks\/live\/Pulumi\.dev\.yaml$/);
      expect(lines(result.stdout)).toEqual(["(platform)/- project-changed widens", "invoice-triage/execution permission-changed widens"]);
      expect(diff.platform[0].before).toBe("Pulumi.yaml: name acme-agents, stackConfigDir stacks");
      expect(diff.platform[0].after).toBe("Pulumi.yaml: name acme-agents, stackConfigDir stacks/live");
      const markdown = await runDiff({ baseRev: "main", headRev: "moved", stack: "dev", cwd: dir, format: "markdown" });
      expect(markdown.stdout).toContain("Pulumi.yaml");
      expect(markdown.stdout).toMatch(/`plan` on the head: (✅ passes|❌ fails)/);
      expect(markdown.stdout).toContain("owner `team-payments`");
      expect(markdown.stdout).toContain("stacks/live");
    } finally {
      git("checkout", "-q", "main");
    }
  });

  it("a project file whose stackConfigDir climbs out of the repository is refused", async () => {
    git("checkout", "-q", "-b", "escape");
    write("Pulumi.yaml", PROJECT("../elsewhere"));
    commit("escape");
    try {
      const result = await runDiff({ baseRev: "main", headRev: "escape", stack: "dev", cwd: dir });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("stackConfigDir");
    } finally {
      git("checkout", "-q", "main");
    }
  });
});
