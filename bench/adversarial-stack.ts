/**
 * Issue #18's bound, end to end: a stack file of about 1 MiB whose strings are built to stress the
 * grammar and the pattern checks, planned by the compiled CLI. Run:
 *   npm run build && node dist/bench/adversarial-stack.js [--size-kib 1024] [--out /tmp/dir]
 * Three files, each planned once and timed (wall clock; the target is ≤ 2 s each):
 * - patterns: every string within its bound (ARNs of 2,048 characters), passing the grammar, so
 *   every rule runs: S3 prefixes of `*`, `?` and literal runs that share long heads across agents,
 *   and `?`-heavy tails, the inputs that made the former overlap table quadratic;
 * - hostile: the same shape, but strings carry NUL, bidirectional overrides, policy variables and
 *   over-long values, spread across the whole file (the schema must report all of them);
 * - oversized: a few 200,000-character strings (refused by their bound before any other check).
 * No assertion here: this prints figures for docs/benchmarks.md and the report.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { AgentInput } from "../components/core/schema";
import { BENCH_DATE, BENCH_PLATFORM } from "./fleet";

const MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0";

/** A prefix pattern of about `length` characters under the agent's own prefix: long shared head, then `*`/`?` runs. */
function adversarialPrefix(agent: string, index: number, length: number): string {
  const head = `arn:aws:s3:::acme-adversarial/${agent}/p${index}/`;
  let body = "";
  for (let i = 0; body.length < length - head.length - 2; i++) body += i % 5 === 4 ? "*" : i % 3 === 0 ? "?" : "a";
  return `${head}${body}/*`;
}

function agentOf(index: number, strings: number, length: number, spoil?: (value: string, at: number) => string): AgentInput {
  const name = `adv-${index}`;
  const owns = Array.from({ length: strings }, (_, i) => adversarialPrefix(name, i, length));
  const at = (value: string, k: number) => (spoil ? spoil(value, index * 100 + k) : value);
  return {
    name,
    owner: "team-adversarial",
    sponsor: "sec@example.com",
    tier: "batch",
    expires: "2027-06-30",
    orchestration: { models: [MODEL] },
    owns: owns.map((value, k) => at(value, k)),
    tools: [{ name: "read", aws: [{ actions: ["s3:GetObject", "s3:*Object*?"], resources: owns.map((value, k) => at(value, strings + k)) }] }],
  };
}

const SPOILERS = ["\u0000", "\u202e", "${aws:username}", "\u2066", "\u200b", "\n"];
const spoilEvery = (value: string, at: number) =>
  at % 7 === 0 ? value + "a".repeat(3000) : `${value.slice(0, 40)}${SPOILERS[at % SPOILERS.length]}${value.slice(40)}`;

function fleetFile(file: string, bytes: number, agentFor: (index: number) => AgentInput): void {
  const agents: AgentInput[] = [];
  // YAML is a little longer than JSON: stop at the size in JSON, then write.
  for (let i = 0, size = 0; size < bytes; i++) {
    const agent = agentFor(i);
    agents.push(agent);
    size += JSON.stringify(agent).length;
  }
  writeFileSync(file, stringify({ config: { "agent-identity:platform": BENCH_PLATFORM, "agent-identity:agents": agents } }));
}

/** Wall and CPU time of one `plan` (CPU: the child's user + system time, read by bash's `times`, so a busy machine shows). */
function plan(file: string): { ms: number; cpuMs: number; exit: number | null; first: string } {
  const start = process.hrtime.bigint();
  const script = `"$0" bin/agent-identity.js plan --config "$1" --date "$2" >"$3.out" 2>&1; code=$?; times >"$3.times"; exit $code`;
  const run = spawnSync("bash", ["-c", script, process.execPath, file, BENCH_DATE, file], { encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // `times` prints the shell's then its children's user and system time: "0m0.001s 0m0.002s\n0m1.234s 0m0.100s".
  const children = readFileSync(`${file}.times`, "utf8").trim().split("\n")[1] ?? "";
  const cpuMs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, [, m, s]) => sum + (Number(m) * 60 + Number(s)) * 1000, 0);
  const lines = readFileSync(`${file}.out`, "utf8").split("\n");
  return { ms, cpuMs, exit: run.status, first: `${lines.length} lines; ${lines.slice(0, 2).join(" | ").slice(0, 160)}` };
}

function main(): void {
  const args = process.argv.slice(2);
  const kib = Number(args[args.indexOf("--size-kib") + 1] ?? 1024) || 1024;
  const dir = args.includes("--out") ? args[args.indexOf("--out") + 1] : mkdtempSync(join(tmpdir(), "adversarial-"));
  const bytes = kib * 1024;
  const files = {
    patterns: () => fleetFile(join(dir, "patterns.yaml"), bytes, (i) => agentOf(i, 4, 2040)),
    hostile: () => fleetFile(join(dir, "hostile.yaml"), bytes, (i) => agentOf(i, 4, 2040, spoilEvery)),
    oversized: () => fleetFile(join(dir, "oversized.yaml"), bytes, (i) => ({ ...agentOf(i, 1, 200), owns: [`arn:aws:s3:::acme/${"a*?".repeat(66_000)}`] })),
  };
  for (const [name, write] of Object.entries(files)) {
    write();
    const file = join(dir, `${name}.yaml`);
    // One warm-up run (file cache, dist/ check), then the measured one.
    plan(file);
    const { ms, cpuMs, exit, first } = plan(file);
    console.log(
      `${name}: ${(statSync(file).size / 1024).toFixed(0)} KiB, plan exit ${exit}, ${(ms / 1000).toFixed(2)} s wall, ${(cpuMs / 1000).toFixed(2)} s CPU; ${first}`,
    );
  }
}

main();
