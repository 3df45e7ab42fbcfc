/** `agent-identity --version` prints package.json's version (the one CHANGELOG.md's newest release names). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../cli/main";

const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };

async function versionOutput(flag: string): Promise<string> {
  let out = "";
  const program = buildProgram().configureOutput({ writeOut: (text) => (out += text) });
  await program.parseAsync(["node", "agent-identity", flag]).catch((error: { code?: string }) => {
    if (error.code !== "commander.version") throw error;
  });
  return out;
}

describe("agent-identity --version", () => {
  it("prints package.json's version, with -V and --version", async () => {
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(await versionOutput("--version")).toBe(`${manifest.version}\n`);
    expect(await versionOutput("-V")).toBe(`${manifest.version}\n`);
  });

  it("CHANGELOG.md has a section for that version (Keep a Changelog)", () => {
    const changelog = readFileSync("CHANGELOG.md", "utf8");
    expect(changelog).toContain("The format is based on [Keep a Changelog]");
    expect(changelog).toMatch(new RegExp(`^## \\[${manifest.version.replace(/\./g, "\\.")}\\] - \\d{4}-\\d{2}-\\d{2}$`, "m"));
  });
});
