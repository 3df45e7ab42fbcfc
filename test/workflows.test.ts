/**
 * The example GitHub workflows: valid YAML with the structure the README promises, credentials
 * only through OIDC, and the diff step's shell actually producing one marked comment.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DIFF_COMMENT_MARKER } from "../components/diff";

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
  on: Record<string, { paths?: string[]; branches?: string[] }>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
  env?: Record<string, string>;
}

const read = (name: string) => readFileSync(`.github/workflows/${name}`, "utf8");
const load = (name: string) => parse(read(name)) as Workflow;
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);
const using = (workflow: Workflow, action: string) => steps(workflow).filter((s) => s.uses?.startsWith(`${action}@`));

describe.each(["identity-review.yml", "deploy.yml"])("%s", (name) => {
  const text = read(name);
  const workflow = load(name);

  it("holds no long-lived credentials and reads no secrets", () => {
    expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY|aws-secret-access-key|AWS_ACCESS_KEY_ID|aws-access-key-id|PULUMI_ACCESS_TOKEN/);
    expect(text).not.toContain("secrets.");
  });

  it("gets AWS credentials only by assuming a role with an OIDC token", () => {
    const aws = using(workflow, "aws-actions/configure-aws-credentials");
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

  it("runs on pull requests that touch the stacks", () => {
    expect(workflow.on.pull_request.paths).toContain("stacks/**");
  });

  it("fetches full history, installs with npm ci and diffs against the base branch as Markdown", () => {
    const job = workflow.jobs["identity-diff"];
    expect(job.steps.find((s) => s.uses?.startsWith("actions/checkout@"))?.with?.["fetch-depth"]).toBe(0);
    expect(job.steps.some((s) => s.run === "npm ci")).toBe(true);
    expect(workflow.env?.BASE_REF).toBe("origin/${{ github.base_ref }}");
    expect(job.steps.find((s) => s.run?.includes("diff --base"))?.run).toContain("--format markdown");
    expect(job.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  it("updates one comment, found by the marker the Markdown renderer writes", () => {
    const script = String(using(workflow, "actions/github-script")[0].with?.script);
    expect(script).toContain(DIFF_COMMENT_MARKER);
    expect(script).toContain("updateComment");
    expect(script).toContain("createComment");
  });

  it("gates on widening with --fail-on widen unless approved by label", () => {
    const gate = workflow.jobs["widening-gate"] as Job & { if: string };
    expect(gate.steps.some((s) => s.run?.includes("--fail-on widen"))).toBe(true);
    expect(gate.if).toContain("identity-widening-approved");
  });

  it("previews with pulumi/actions, --diff and the policy pack", () => {
    const [preview] = using(workflow, "pulumi/actions");
    expect(preview.with).toMatchObject({ command: "preview", diff: true, policyPacks: "policy" });
    expect(workflow.jobs.preview.permissions?.["id-token"]).toBe("write");
  });

  it("its diff step produces one marked Markdown comment per stack, with no npm banner", () => {
    const script = workflow.jobs["identity-diff"].steps.find((s) => s.run?.includes("diff --base"))!.run!;
    const dir = mkdtempSync(join(tmpdir(), "identity-review-"));
    try {
      const out = join(dir, "identity-diff.md");
      const result = spawnSync("bash", ["-e", "-c", script.replaceAll("identity-diff.md", out)], {
        encoding: "utf8",
        env: { ...process.env, STACKS: workflow.env!.STACKS.split("#")[0], BASE_REF: "HEAD", GITHUB_STEP_SUMMARY: join(dir, "summary.md") },
      });
      expect(result.status, result.stderr).toBe(0);
      const comment = readFileSync(out, "utf8");
      expect(comment.startsWith(DIFF_COMMENT_MARKER)).toBe(true);
      expect(comment.split(DIFF_COMMENT_MARKER)).toHaveLength(3); // dev and prod
      expect(comment).not.toContain("> pulumi-agent-identity@");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
    const [up] = using(workflow, "pulumi/actions");
    expect(up.with).toMatchObject({ command: "up", policyPacks: "policy" });
  });
});
