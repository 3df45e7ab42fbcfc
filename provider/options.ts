/**
 * The component provider: `AgentFleet`, `Agent` and `AgentPlatform` for Python, Go, .NET, Java and
 * YAML programs, with the same `agent-identity:index:*` tokens the TypeScript classes register.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ComponentProviderOptions } from "@pulumi/pulumi/provider/experimental";
import { Agent, AgentFleet, AgentPlatform } from "./index";

/** The package name in every resource token. */
export const PROVIDER_NAME = "agent-identity";

/** The repository root: the directory with PulumiPlugin.yaml, from sources or from dist/. */
export function packageRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "PulumiPlugin.yaml"))) return dir;
    if (dirname(dir) === dir) throw new Error(`PulumiPlugin.yaml not found above ${from}`);
  }
}

export function providerOptions(root = packageRoot()): ComponentProviderOptions & { version: string } {
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  // The analyser reads provider/: its package.json (entry point, description) and tsconfig.json.
  return { name: PROVIDER_NAME, dirname: join(root, "provider"), components: [AgentFleet, Agent, AgentPlatform], version };
}
