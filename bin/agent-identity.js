#!/usr/bin/env node
// Runs the compiled CLI (dist/), which starts in a fraction of the time transpiling the sources
// would take. `npm ci` builds dist/ (the `prepare` script); an installed package ships it.
// In a source checkout, dist/ that is missing or older than any source file is rebuilt first, so a
// local edit is never silently ignored; a failed build stops here with tsc's errors (exit 2).
require(require("./ensure-dist").ensureDist()).run(process.argv);
