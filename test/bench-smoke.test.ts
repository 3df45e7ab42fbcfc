/**
 * `npm run bench` with tiny sizes, end to end (compiled CLI, mock-monitor children, pack, diff):
 * it must run and report every section. No timing is asserted (machines differ, CI runners are loaded):
 * the checks read step counts and shapes only, and `npm run bench` judges the times. The structural
 * figures are: the components register the same custom resources as the hand-written baseline,
 * four component resources per agent, and a dependency graph whose depth does not grow.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ADVERSARIAL_INPUTS } from "../bench/adversarial";

const { ensureDist } = require("../bin/ensure-dist") as { ensureDist(): string };

describe("bench smoke run", () => {
  it("measures every section on tiny sizes and writes the report", () => {
    ensureDist();
    const out = join(mkdtempSync(join(tmpdir(), "bench-smoke-")), "benchmarks.md");
    const run = spawnSync(process.execPath, ["dist/bench/run.js", "--smoke", "--out", out], { encoding: "utf8", timeout: 280_000 });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const report = readFileSync(out, "utf8");
    expect(report).toMatch(/^Machine: \d+ cores/m);
    for (const section of [
      "CLI start-up",
      "`plan` of 4 agents",
      "`diff` of two 3-agent stack files",
      "Policy pack over the resources of 3 agents",
      "Pulumi program, 4 agents",
      "Adversarial: ec2:*?×8#",
    ]) {
      expect(report).toContain(section);
    }
    // Same custom resources per agent as hand-written (the child fails otherwise), 4 components per agent, constant depth.
    const shape = [
      ...report.matchAll(
        /resources per agent \(custom \+ component\); graph depth \| ([\d.]+) \+ ([\d.]+) \(\+1 fleet\); depth (\d+) \| depth constant \| met/g,
      ),
    ];
    expect(shape).toHaveLength(2);
    for (const [, custom, components] of shape) {
      // 24: each of the 3 identity roles also has its two policy exclusives (iam/principal-exclusive-policies).
      expect(Number(custom)).toBe(24);
      expect(Number(components)).toBe(4);
    }
    expect(shape[0][3]).toBe(shape[1][3]);
    // Every adversarial input stays within its step bound (its time is judged by `npm run bench`, not here:
    // a loaded CI runner must not fail the tests).
    const steps = [...report.matchAll(/^\| Adversarial: [^|]+\| [\d.]+ ms, ([\d,]+) steps \(bound ([\d,]+)\) \|/gm)];
    expect(steps).toHaveLength(ADVERSARIAL_INPUTS.length);
    for (const [, taken, bound] of steps) expect(Number(taken.replace(/,/g, ""))).toBeLessThanOrEqual(Number(bound.replace(/,/g, "")));
    // The adversarial declaration is refused by `plan` (exit 1), whatever the time it took.
    expect(report).toMatch(/^\| Adversarial: `plan` of an agent granted ec2:\*\?×8# \(exit 1, refused\), end to end \|/m);
  }, 300_000);
});
