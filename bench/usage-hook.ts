/**
 * Preloaded into a measured child process (`node -r dist/bench/usage-hook.js`): at exit, writes the
 * process's peak resident memory and CPU time to the file named by $BENCH_USAGE.
 */
import { writeFileSync } from "node:fs";

const target = process.env.BENCH_USAGE;
if (target) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(target, JSON.stringify({ maxRssKiB: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
  });
}
