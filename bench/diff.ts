/**
 * Diff of two generated 1,000-agent plans: how long normalising, diffing and rendering take.
 * A measurement printed in milliseconds, not a timed assertion (machines differ).
 */
import { performance } from "node:perf_hooks";
import { compileFleet } from "../components/core/compile";
import { parseDeclaration, type AgentInput, type PlatformInput } from "../components/core/schema";
import { parsePlan } from "../components/core/plan-schema";
import { diffPlans, loadActionCatalog, readPlanPair, renderJson, renderMarkdown, renderText } from "../components/diff";

const AGENTS = 1000;
const RUNS = 11;

const PLATFORM: PlatformInput = {
  environment: "bench",
  namePrefix: "acme",
  aws: {
    accountId: "111122223333",
    region: "us-east-1",
    oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/BENCH000000000000000000000000000",
    permissionsBoundaryArn: "arn:aws:iam::111122223333:policy/agent-boundary",
  },
  vault: { kubernetesAuthPath: "kubernetes", kvMount: "kv", databaseMount: "database", awsMount: "aws", audience: "vault" },
};

/** `changeEvery`: one agent in that many changes in the head plan, cycling through eight kinds of change. */
function agent(index: number, variant: "base" | "head", changeEvery: number): AgentInput | null {
  const name = `agent-${String(index).padStart(4, "0")}`;
  const change = variant === "head" && index % changeEvery === 0 ? (Math.floor(index / changeEvery) % 8) + 1 : -1;
  if (change === 8) return null; // removed
  const prefix = change === 1 ? `arn:aws:s3:::acme-data/` : `arn:aws:s3:::acme-data/${name}/`;
  const actions = change === 2 ? ["s3:GetObject", "s3:PutObject"] : ["s3:GetObject"];
  return {
    name,
    owner: `team-${index % 37}`,
    sponsor: "owner@example.com",
    tier: change === 3 ? "batch" : (["batch", "assistant"] as const)[index % 2],
    expires: "2099-12-31",
    ...(change === 4 ? { revoked: { at: "2026-11-28T09:30:00Z", reason: "bench" } } : {}),
    orchestration: { models: ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"] },
    tools: [
      { name: "read-data", aws: [{ actions, resources: [`${prefix}*`] }, { actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::acme-data"] }] },
      { name: "ledger", database: { connection: "ledger", creationStatements: ['CREATE ROLE "{{name}}";'], ttl: change === 5 ? "30m" : "10m" } },
      { name: "api-key", kv: { path: change === 6 ? "api-key-v2" : "api-key" } },
      ...(change === 7 ? [{ name: "runner", aws: [{ actions: ["iam:PassRole"], resources: ["arn:aws:iam::111122223333:role/runner"] }] }] : []),
    ],
  };
}

function fleet(variant: "base" | "head", changeEvery: number, extra: number): unknown {
  const agents = Array.from({ length: AGENTS }, (_, i) => agent(i, variant, changeEvery)).filter((a): a is AgentInput => a !== null);
  for (let i = 0; i < extra; i++) agents.push(agent(AGENTS + i, "base", changeEvery)!);
  return JSON.parse(JSON.stringify(compileFleet(parseDeclaration({ platform: PLATFORM, agents }), "bench")));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}

async function scenario(title: string, changeEvery: number, added: number): Promise<void> {
  const baseJson = fleet("base", 1, 0);
  const headJson = fleet("head", changeEvery, added);
  const catalogStart = performance.now();
  const catalog = loadActionCatalog(["s3", "iam", "bedrock", "logs"]);
  const catalogMs = performance.now() - catalogStart;

  const timings: Record<string, number[]> = { schema: [], normalise: [], diff: [], text: [], markdown: [], json: [], cpu: [] };
  let changes = 0;
  let widening = 0;
  for (let run = 0; run < RUNS; run++) {
    // CPU time of this process (main thread and GC helpers): on a shared machine, wall time also counts waiting.
    timings.schema.push(time(() => parsePlan(headJson, "head"))[1]);
    const cpuStart = process.cpuUsage();
    const [[base, head], normalise] = time(() => readPlanPair(baseJson, headJson, { base: "base", head: "head" }));
    const [diff, diffMs] = time(() => diffPlans(base, head, catalog));
    timings.normalise.push(normalise);
    timings.diff.push(diffMs);
    timings.text.push(time(() => renderText(diff))[1]);
    const cpu = process.cpuUsage(cpuStart);
    timings.cpu.push((cpu.user + cpu.system) / 1000);
    timings.markdown.push(time(() => renderMarkdown(diff))[1]);
    timings.json.push(time(() => renderJson(diff))[1]);
    changes = diff.summary.changes;
    widening = diff.summary.widening;
  }
  const ms = (key: string) => `${median(timings[key]).toFixed(1)} (min ${Math.min(...timings[key]).toFixed(1)})`;
  const count = (plan: unknown) => (plan as { agents: unknown[] }).agents.length;
  console.log(`${title}: ${count(baseJson)} agents vs ${count(headJson)}, ${changes} changes (${widening} widen); ms, median (min) of ${RUNS} runs`);
  console.log(`  zod planSchema, head plan only  ${ms("schema")}`);
  console.log(`  read + normalise both plans     ${ms("normalise")}   (includes the schema check of both)`);
  console.log(`  diff                            ${ms("diff")}`);
  console.log(`  render text / markdown / json   ${ms("text")} / ${ms("markdown")} / ${ms("json")}`);
  console.log(`  normalise + diff + text, CPU    ${ms("cpu")}   (IAM data load, once: ${catalogMs.toFixed(1)})`);
}

export async function benchDiff(): Promise<void> {
  // A large pull request: one agent in ten changed, 50 added.
  await scenario("diff, 1 in 10 agents changed", 10, 50);
  // Stress: every agent changed in some way (or removed), 50 added.
  await scenario("diff, every agent changed", 1, 50);
}
