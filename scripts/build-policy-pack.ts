/**
 * Builds the policy pack as `pulumi policy publish` needs it: publish runs `npm pack` in the pack's
 * directory and the service installs the package.json dependencies, so the directory must hold the
 * compiled pack *and* the shared rules it imports (policy/ imports ../components, which a pack
 * published from policy/ would not contain). Output: dist/policy-pack/
 *   PulumiPolicy.yaml, package.json (policy/package.json, main → policy/index.js),
 *   policy/*.js and the components/*.js it reaches.
 * Usage: npm run build:policy-pack && cd dist/policy-pack && pulumi policy publish <org>
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";

export function buildPolicyPack(outDir = "dist/policy-pack"): string {
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.policy.json", "--outDir", outDir], { stdio: "inherit" });
  const manifest = JSON.parse(readFileSync("policy/package.json", "utf8")) as Record<string, unknown>;
  writeFileSync(join(outDir, "package.json"), `${JSON.stringify({ ...manifest, main: "policy/index.js" }, null, 2)}\n`);
  // Compiled JavaScript: the runtime needs no ts-node (and no tsconfig) to load it.
  const pulumiPolicy = parse(readFileSync("policy/PulumiPolicy.yaml", "utf8")) as { runtime: { name: string; options?: Record<string, unknown> } };
  writeFileSync(
    join(outDir, "PulumiPolicy.yaml"),
    stringify({ ...pulumiPolicy, runtime: { name: pulumiPolicy.runtime.name, options: { typescript: false } } }),
  );
  return outDir;
}

if (require.main === module) console.log(`policy pack built in ${buildPolicyPack(process.argv[2])}`);
