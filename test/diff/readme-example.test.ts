/**
 * The README's example comment must be what the tool prints today for the repo's own dev stack
 * and the example pull request. When the dev stack changes, regenerate it with the command below
 * and paste it into the README.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runDiff } from "../../cli/diff-command";

const COMMAND = "npm run --silent cli -- diff stacks/Pulumi.dev.yaml docs/examples/Pulumi.dev.pull-request.yaml --format markdown";

describe("README example comment", () => {
  it("is the tool's current output", async () => {
    const result = await runDiff({ base: "stacks/Pulumi.dev.yaml", head: "docs/examples/Pulumi.dev.pull-request.yaml", stack: "dev", format: "markdown" });
    expect(result.exitCode).toBe(0);
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toContain(COMMAND);
    expect(readme.includes(result.stdout), `README example is stale: run \`${COMMAND}\` and paste the output into README.md`).toBe(true);
    // The example shows what it is meant to: something flagged, something widened, a revocation.
    expect(result.stdout).toMatch(/\| 3 agents changed \(1 revoked\) \| 0 \| [1-9]/);
    expect(result.stdout).toContain("iam:PassRole");
    expect(result.stdout).toContain("vault lease revoke -prefix");
  });
});
