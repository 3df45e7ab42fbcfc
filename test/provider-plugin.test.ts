/**
 * The plugin process Pulumi starts for `pulumi package add` (provider/main.ts; PulumiPlugin.yaml runs
 * its compiled dist/provider/main.js, here the source through tsx): it starts a gRPC provider server,
 * prints its port like every Pulumi plugin, and answers GetSchema with the checked-in schema.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { PROVIDER_SCHEMA_FILE } from "../scripts/generate-provider-schema";
import { pluginSchema } from "./helpers/plugin-process";

describe("component provider plugin", () => {
  it("PulumiPlugin.yaml declares a Node.js plugin whose entry is the compiled provider", () => {
    const manifest = parse(readFileSync("PulumiPlugin.yaml", "utf8"));
    expect(manifest).toEqual({ runtime: { name: "nodejs", options: { typescript: false } }, main: "dist/provider/main.js" });
    expect(JSON.parse(readFileSync("tsconfig.build.json", "utf8").replace(/^\s*\/\/.*$/gm, "")).include).toContain("provider/**/*.ts");
  });

  it("serves GetSchema over gRPC with the checked-in schema", async () => {
    const child = spawn(process.execPath, ["--require", "tsx/cjs", "provider/main.ts", "127.0.0.1:1"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const schema = await pluginSchema(child);
      expect(JSON.parse(schema)).toEqual(JSON.parse(readFileSync(PROVIDER_SCHEMA_FILE, "utf8")));
    } finally {
      child.kill();
    }
  }, 120_000);
});
