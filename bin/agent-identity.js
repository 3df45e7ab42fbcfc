#!/usr/bin/env node
// Runs the compiled CLI when the package is built (dist/), else the TypeScript sources via tsx.
const path = require("node:path");
const fs = require("node:fs");
const compiled = path.join(__dirname, "..", "dist", "cli", "main.js");
if (fs.existsSync(compiled)) {
  require(compiled).run(process.argv);
} else {
  require("tsx/cjs");
  require(path.join(__dirname, "..", "cli", "main.ts")).run(process.argv);
}
