/**
 * The review gate cannot be steered by the change it reviews: names that are both files and
 * revisions are refused unless an explicit form chooses, stack files are read from git objects at
 * each revision (never the work tree), and each revision's own Pulumi.yaml says where its stack
 * files are; a change to it widens.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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

describe("what Pulumi reads that the gate must not miss", () => {
  const onBranch = async (branch: string, files: Record<string, string>, run: () => Promise<void>) => {
    git("checkout", "-q", "-b", branch);
    for (const [path, text] of Object.entries(files)) write(path, text);
    commit(branch);
    try {
      await run();
    } finally {
      git("checkout", "-q", "main");
    }
  };

  it("reads agent-identity:config:agents as agent-identity:agents, and refuses both spellings at once", async () => {
    const oldSpelling = WIDER.replace("agent-identity:agents:", "agent-identity:config:agents:");
    await onBranch("old-spelling", { "stacks/Pulumi.dev.yaml": oldSpelling }, async () => {
      const result = await runDiff({ baseRev: "main", headRev: "old-spelling", stack: "dev", cwd: dir, failOn: "widen", format: "json" });
      expect(result.exitCode).toBe(1);
      expect(lines(result.stdout)).toContain("invoice-triage/execution permission-changed widens");
    });
    const both = `${WIDER}`.replace("config:\n", "config:\n  agent-identity:config:agents: []\n");
    await onBranch("both-spellings", { "stacks/Pulumi.dev.yaml": both }, async () => {
      const result = await runDiff({ baseRev: "main", headRev: "both-spellings", stack: "dev", cwd: dir, failOn: "widen" });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("is written twice");
    });
  });

  it("refuses a Pulumi.json, or a second project file, at a revision and in the work tree", async () => {
    await onBranch("json-project", { "Pulumi.json": '{"name":"acme-agents","runtime":"nodejs","main":"evil.js"}' }, async () => {
      const result = await runDiff({ baseRev: "main", headRev: "json-project", stack: "dev", cwd: dir, failOn: "widen" });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("Pulumi.json: Pulumi reads this project file before Pulumi.yaml");
      const tree = await runDiff({ baseRev: "main", stack: "dev", cwd: dir, failOn: "widen" });
      expect(tree.exitCode).toBe(2);
      expect(tree.stderr).toContain("reads only Pulumi.yaml or Pulumi.yml");
    });
    await onBranch("two-projects", { "Pulumi.yml": PROJECT("elsewhere") }, async () => {
      const result = await runDiff({ baseRev: "main", headRev: "two-projects", stack: "dev", cwd: dir, failOn: "widen" });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("more than one project file (Pulumi.yaml, Pulumi.yml)");
    });
  });

  it("shows any change to the project file (main, project config, runtime options) as widening, naming the keys", async () => {
    const changed = `${PROJECT("stacks")}main: evil/\nconfig:\n  aws:region: us-west-2\n`;
    await onBranch("project-main", { "Pulumi.yaml": changed }, async () => {
      const result = await runDiff({ baseRev: "main", headRev: "project-main", stack: "dev", cwd: dir, failOn: "widen", format: "json" });
      expect(result.exitCode).toBe(1);
      expect(lines(result.stdout)).toEqual(["(platform)/- project-changed widens"]);
      expect(JSON.parse(result.stdout).platform[0].detail.subject).toBe("changed keys config, main");
      const text = await runDiff({ baseRev: "main", headRev: "project-main", stack: "dev", cwd: dir });
      expect(text.stdout).toContain("project file: changed keys config, main: Pulumi.yaml: name acme-agents");
      expect(text.stdout).not.toContain("Pulumi.yaml: Pulumi.yaml");
    });
    await onBranch("project-comment", { "Pulumi.yaml": `# reviewed\n${PROJECT("stacks")}` }, async () => {
      const result = await runDiff({ baseRev: "main", headRev: "project-comment", stack: "dev", cwd: dir, failOn: "widen", format: "json" });
      expect(result.exitCode).toBe(1);
      expect(JSON.parse(result.stdout).platform[0].detail.subject).toBe("text changed (comments or layout only)");
    });
  });
});

describe("stack settings the plan does not compare", () => {
  it("refuses a head stack file that imports a Pulumi ESC environment (its config is not visible to diff)", async () => {
    git("checkout", "-q", "-b", "esc");
    write("stacks/Pulumi.dev.yaml", `environment:\n  - acme/admin-creds\n${DEV}`);
    commit("esc");
    try {
      const result = await runDiff({ baseRev: "main", headRev: "esc", stack: "dev", cwd: dir, failOn: "widen" });
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain("a Pulumi ESC environment is imported");
    } finally {
      git("checkout", "-q", "main");
    }
  });

  it("shows a change to any other stack-file key (provider config, kubeContexts, secretsprovider) as widening", async () => {
    git("checkout", "-q", "-b", "settings");
    const changed = `secretsprovider: awskms://alias/other\n${DEV.replace("aws:region: us-east-1\n", "aws:config:region: us-west-2\n  agent-identity:kubeContexts: {dev: attacker}\n")}`;
    write("stacks/Pulumi.dev.yaml", changed);
    commit("settings");
    try {
      const result = await runDiff({ baseRev: "main", headRev: "settings", stack: "dev", cwd: dir, failOn: "widen", format: "json" });
      expect(result.exitCode, result.stderr).toBe(1);
      const diff = JSON.parse(result.stdout) as { platform: (Change & { detail: { subject: string }; after: string })[] };
      const rows = diff.platform.filter((c) => c.kind === "stack-config-changed");
      expect(rows.map((c) => `${c.detail.subject} ${c.classification}`)).toEqual([
        "config agent-identity:kubeContexts widens",
        "config aws:region widens",
        "secretsprovider widens",
      ]);
      expect(rows[1].after).toBe('"us-west-2"');
      const text = await runDiff({ baseRev: "main", headRev: "settings", stack: "dev", cwd: dir });
      expect(text.stdout).toContain("stack config changed: config aws:region");
      // The same settings, respelled as Pulumi reads them, are no change.
      const same = await runDiff({ baseRev: "settings", headRev: "settings", stack: "dev", cwd: dir, failOn: "widen" });
      expect(same.exitCode).toBe(0);
    } finally {
      git("checkout", "-q", "main");
    }
  });
});

describe("only regular files are read as stack and project files", () => {
  /** The stack file as a symbolic link whose link text is the base declaration; the file it points to widens. */
  const linkBranch = (branch: string, linked: "stacks/Pulumi.dev.yaml" | "Pulumi.yaml") => {
    git("checkout", "-q", "-b", branch);
    const real = linked === "Pulumi.yaml" ? "project.real.yaml" : "stacks/real/Pulumi.dev.yaml";
    write(real, linked === "Pulumi.yaml" ? PROJECT("stacks") : WIDER);
    rmSync(join(dir, linked));
    symlinkSync(linked === "Pulumi.yaml" ? real : "real/Pulumi.dev.yaml", join(dir, linked));
    commit(branch);
  };

  it("reads the same change as a regular file (the happy path), and refuses it as a symbolic link at a revision and in the work tree", async () => {
    await (async () => {
      git("checkout", "-q", "-b", "regular-wider");
      write("stacks/Pulumi.dev.yaml", WIDER);
      commit("regular");
      try {
        expect((await runDiff({ baseRev: "main", headRev: "regular-wider", stack: "dev", cwd: dir, failOn: "widen" })).exitCode).toBe(1);
      } finally {
        git("checkout", "-q", "main");
      }
    })();
    linkBranch("linked-stack", "stacks/Pulumi.dev.yaml");
    try {
      expect(git("ls-tree", "linked-stack", "stacks/Pulumi.dev.yaml")).toMatch(/^120000 /);
      const result = await runDiff({ baseRev: "main", headRev: "linked-stack", stack: "dev", cwd: dir, failOn: "widen" });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/stacks\/Pulumi\.dev\.yaml at [0-9a-f]{12} is a symbolic link, not a regular file/);
      const tree = await runDiff({ baseRev: "main", stack: "dev", cwd: dir, failOn: "widen" });
      expect(tree.exitCode).toBe(2);
      expect(tree.stderr).toContain("stacks/Pulumi.dev.yaml is a symbolic link, not a regular file");
    } finally {
      git("checkout", "-q", "main");
    }
  });

  it("refuses a symbolic-link Pulumi.yaml at a revision", async () => {
    linkBranch("linked-project", "Pulumi.yaml");
    try {
      const result = await runDiff({ baseRev: "main", headRev: "linked-project", stack: "dev", cwd: dir, failOn: "widen" });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(/Pulumi\.yaml at [0-9a-f]{12} is a symbolic link/);
    } finally {
      git("checkout", "-q", "main");
    }
  });
});

describe("a tree that lists a name twice", () => {
  /** A commit whose `stacks` tree lists Pulumi.dev.yaml twice: the base text first, a wider one last (what a checkout writes). */
  const duplicated = (entry: "stacks" | "Pulumi.dev.yaml") => {
    const wider = execFileSync("git", ["hash-object", "-w", "--stdin"], { cwd: dir, input: WIDER, encoding: "utf8" }).trim();
    const stacks = git("ls-tree", "main:stacks");
    const stacksTree = (rows: string) => execFileSync("git", ["mktree"], { cwd: dir, input: rows, encoding: "utf8" }).trim();
    const goodStacks = stacksTree(stacks);
    const root = git("ls-tree", "main");
    const rows =
      entry === "Pulumi.dev.yaml"
        ? root.replace(/[0-9a-f]{40}\tstacks\n/, `${stacksTree(`${stacks}100644 blob ${wider}\tPulumi.dev.yaml\n`)}\tstacks\n`)
        : `${root}040000 tree ${stacksTree(stacks.replace(/[0-9a-f]{40}(?=\tPulumi\.dev\.yaml)/, wider))}\tstacks\n`;
    expect(rows).not.toBe(root.replace(/[0-9a-f]{40}\tstacks\n/, `${goodStacks}\tstacks\n`));
    const tree = execFileSync("git", ["mktree"], { cwd: dir, input: rows, encoding: "utf8" }).trim();
    return git("commit-tree", tree, "-p", "main", "-m", `duplicate ${entry}`).trim();
  };

  it.each(["Pulumi.dev.yaml", "stacks"] as const)(
    "is refused at a revision when the duplicated entry is %s (a checkout and the gate would read different files)",
    async (entry) => {
      const head = duplicated(entry);
      const result = await runDiff({ baseRev: "main", headRev: head, stack: "dev", cwd: dir, failOn: "widen" });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("its tree lists this name twice");
    },
  );
});
