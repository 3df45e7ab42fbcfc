/** `--stack` in any Pulumi project: the nearest Pulumi.yaml (name, stackConfigDir) says where the stack file is. */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runInventory } from "../../cli/inventory-command";
import { runPlan } from "../../cli/plan-command";
import { locateStack, projectRootOf } from "../../cli/stack-location";

const DEV = readFileSync("stacks/Pulumi.dev.yaml", "utf8");
const start = process.cwd();
afterEach(() => process.chdir(start));

/** A Pulumi project somewhere else, laid out as `files` says. */
function project(files: Record<string, string>): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "pulumi-project-")));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("--stack in a Pulumi project", () => {
  it("reads the stack file from stackConfigDir, from the project folder and from below it", () => {
    const root = project({
      "Pulumi.yaml": "name: payments-infra\nruntime: nodejs\nstackConfigDir: config/stacks\n",
      "config/stacks/Pulumi.live.yaml": DEV,
      "src/app/.keep": "",
    });
    for (const cwd of [root, join(root, "src/app")]) {
      process.chdir(cwd);
      const result = runPlan({ stack: "live", date: "2026-11-28" });
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(/^stack live: 4 agent\(s\)/);
      expect(locateStack("live").path).toBe(join(root, "config/stacks/Pulumi.live.yaml"));
    }
    expect(runInventory({ stack: "live", format: "json", date: "2026-11-28" }).exitCode).toBe(0);
  });

  it("reads Pulumi.<stack>.yml next to a Pulumi.yml without stackConfigDir", () => {
    const root = project({ "Pulumi.yml": "name: acme\nruntime: nodejs\n", "Pulumi.dev.yml": DEV });
    process.chdir(root);
    expect(runPlan({ stack: "dev", date: "2026-11-28" }).exitCode).toBe(0);
    expect(locateStack("dev").label).toBe("Pulumi.dev.yml");
  });

  it("names the file it looked for when the stack does not exist, and refuses a bad project file with exit 2", () => {
    const root = project({ "Pulumi.yaml": "name: acme\nstackConfigDir: cfg\n" });
    process.chdir(root);
    expect(runPlan({ stack: "prod" }).stderr).toContain("cfg/Pulumi.prod.yaml: cannot read the stack file (ENOENT)");
    writeFileSync(join(root, "Pulumi.yaml"), "name: acme\nstackConfigDir: ../../etc\n");
    const refused = runPlan({ stack: "prod" });
    expect(refused).toMatchObject({ exitCode: 2, stdout: "" });
    expect(refused.stderr).toContain("Pulumi.yaml: `stackConfigDir` must stay inside the repository");
    expect(runInventory({ stack: "prod" })).toMatchObject({ exitCode: 2, stdout: "" });
  });

  it("keeps the library layout (stacks/Pulumi.<stack>.yaml) where no Pulumi.yaml is found", () => {
    const root = project({ "stacks/Pulumi.dev.yaml": DEV });
    expect(projectRootOf(root, root)).toBeUndefined();
    expect(locateStack("dev", join(root, "stacks"), root).path).toBe(join(root, "stacks/Pulumi.dev.yaml"));
    expect(locateStack("dev", root, root).label).toBe("stacks/Pulumi.dev.yaml");
  });
});
