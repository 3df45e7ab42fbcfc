// Builds dist/ when it is missing or older than the sources, in a source checkout (see agent-identity.js).
// Shared by the CLI's bin and the benchmark, which both run the compiled code.
const path = require("node:path");
const fs = require("node:fs");
const { spawnSync } = require("node:child_process");

const root = path.join(__dirname, "..");
const compiled = path.join(root, "dist", "cli", "main.js");
const SOURCES = ["components", "cli", "policy", "bench"];

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function needsBuild() {
  // An installed package has no TypeScript sources next to dist/: nothing to compare.
  if (!fs.existsSync(path.join(root, "cli", "main.ts")) || !fs.existsSync(path.join(root, "tsconfig.build.json"))) return false;
  if (!fs.existsSync(compiled)) return true;
  const built = fs.statSync(compiled).mtimeMs;
  return SOURCES.some((dir) => fs.existsSync(path.join(root, dir)) && newestSource(path.join(root, dir)) > built);
}

function ensureDist() {
  if (!needsBuild()) return compiled;
  process.stderr.write("agent-identity: dist/ is missing or older than the sources; building it (npm run build)…\n");
  let tsc;
  try {
    tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  } catch {
    process.stderr.write("agent-identity: cannot build dist/: TypeScript is not installed (run `npm ci`, which installs it and builds dist/).\n");
    process.exit(2);
  }
  const build = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], { cwd: root, encoding: "utf8" });
  if (build.status !== 0) {
    process.stderr.write(
      `${build.stdout ?? ""}${build.stderr ?? ""}agent-identity: the build failed; fix the errors above or run the sources with \`npx tsx cli/main.ts\`.\n`,
    );
    process.exit(2);
  }
  return compiled;
}

module.exports = { ensureDist };

if (require.main === module) ensureDist();
