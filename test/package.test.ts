/**
 * The published package: `npm pack`, install the tarball into an empty project, and run the
 * README's `npx agent-identity plan` from it. The consumer project gets only the package's declared
 * dependencies from npm (the cache `npm ci` filled, else the registry), never tsx or the repository's
 * node_modules, so this fails if dist needs tsx, a devDependency, or a file `files` leaves out.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const repo = process.cwd();
const work = mkdtempSync(join(tmpdir(), "agent-identity-pack-"));

/** A copy of the source tree (tracked and new files, not node_modules or dist) with a fresh build. */
function stageAndPack(): string {
  const staging = join(work, "staging");
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { encoding: "utf8" }).split("\0").filter(Boolean);
  for (const file of files) {
    if (!existsSync(file)) continue; // deleted in the working tree
    mkdirSync(join(staging, dirname(file)), { recursive: true });
    cpSync(file, join(staging, file));
  }
  // Build from the repository (its node_modules has the types) into the staging copy's dist.
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", join(staging, "dist")], { stdio: "pipe" });
  const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: staging, encoding: "utf8" });
  return join(work, (JSON.parse(out) as { filename: string }[])[0].filename);
}

describe("npm package", () => {
  it("installs from the packed tarball and runs `npx agent-identity plan` without tsx", () => {
    const tarball = stageAndPack();
    const consumer = join(work, "consumer");
    mkdirSync(consumer);
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    execFileSync("npm", ["install", tarball, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: consumer, stdio: "pipe" });

    const installed = join(consumer, "node_modules", "pulumi-agent-identity");
    // The package ships compiled JavaScript and no TypeScript sources; tsx is not installed.
    expect(existsSync(join(installed, "dist", "cli", "main.js"))).toBe(true);
    expect(existsSync(join(installed, "cli"))).toBe(false);
    expect(existsSync(join(consumer, "node_modules", "tsx"))).toBe(false);

    cpSync(join(repo, "stacks", "Pulumi.dev.yaml"), join(consumer, "Pulumi.dev.yaml"));
    const plan = spawnSync("npx", ["--no-install", "agent-identity", "plan", "--config", "Pulumi.dev.yaml", "--stack", "dev", "--date", "2026-11-28"], {
      cwd: consumer,
      encoding: "utf8",
    });
    expect(plan.stderr).toBe("");
    expect(plan.status).toBe(0);
    // The dev stack has database tools: the SQL checks (libpg-query WASM) ran from the install.
    expect(plan.stdout).toMatch(/^stack dev: 4 agent\(s\), 12 identities/);
    expect(plan.stdout).toContain("secret role     database/creds/dev.invoice-triage.ledger");

    const inventory = spawnSync(
      "npx",
      ["--no-install", "agent-identity", "inventory", "--config", "Pulumi.dev.yaml", "--format", "csv", "--date", "2026-11-28"],
      { cwd: consumer, encoding: "utf8" },
    );
    expect(inventory.status).toBe(0);
    expect(inventory.stdout.split("\r\n")[0]).toMatch(/^owner,agent,identity,/);

    // The library entry point loads from the install too.
    const library = spawnSync(
      process.execPath,
      ["-e", "const m = require('pulumi-agent-identity'); process.stdout.write(typeof m.AgentFleet + ' ' + typeof m.Agent)"],
      { cwd: consumer, encoding: "utf8" },
    );
    expect(library.stderr).toBe("");
    expect(library.stdout).toBe("function function");

    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain("tsx");
    expect(readdirSync(join(installed, "schema"))).toContain("declaration.schema.json");
  }, 600_000);
});
