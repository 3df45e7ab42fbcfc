/**
 * The plugin process Pulumi starts for `pulumi package add` (provider/main.ts; PulumiPlugin.yaml runs
 * its compiled dist/provider/main.js, here the source through tsx): it starts a gRPC provider server,
 * prints its port like every Pulumi plugin, and answers GetSchema with the checked-in schema.
 */
import * as grpc from "@grpc/grpc-js";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as providerRpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { PROVIDER_SCHEMA_FILE } from "../scripts/generate-provider-schema";

describe("component provider plugin", () => {
  it("PulumiPlugin.yaml declares a Node.js plugin whose entry is the compiled provider", () => {
    const manifest = parse(readFileSync("PulumiPlugin.yaml", "utf8"));
    expect(manifest).toEqual({ runtime: { name: "nodejs", options: { typescript: false } }, main: "dist/provider/main.js" });
    expect(JSON.parse(readFileSync("tsconfig.build.json", "utf8").replace(/^\s*\/\/.*$/gm, "")).include).toContain("provider/**/*.ts");
  });

  it("serves GetSchema over gRPC with the checked-in schema", async () => {
    const child = spawn(process.execPath, ["--require", "tsx/cjs", "provider/main.ts", "127.0.0.1:1"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /^(\d+)\s*$/m.exec(out);
          if (match) resolve(Number(match[1]));
        });
        child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
        child.on("exit", (code) => reject(new Error(`plugin exited (${code}) before printing its port: ${err}`)));
      });
      const client = new providerRpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      const schema = await new Promise<string>((resolve, reject) =>
        client.getSchema(new providerPb.GetSchemaRequest(), (error, response) => (error ? reject(error) : resolve(response!.getSchema()))),
      );
      client.close();
      expect(JSON.parse(schema)).toEqual(JSON.parse(readFileSync(PROVIDER_SCHEMA_FILE, "utf8")));
    } finally {
      child.kill();
    }
  }, 120_000);
});
