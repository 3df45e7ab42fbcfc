/**
 * `plan` over generated fleets of 100, 1,000 and 10,000 agents: the whole command path (read the
 * YAML stack file, validate, compile, run every rule, render). Each agent owns an S3 prefix, a table
 * and a queue, reads them, lists its prefix, has a database connection and a KV secret of its own,
 * and invokes one model; one in ten shares a reference prefix. Printed in milliseconds, not asserted.
 * Run: `npx tsx bench/plan.ts [sizes...]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { stringify } from "yaml";
import { runPlan } from "../cli/plan-command";
import { readStackFile } from "../cli/stack-file";
import { compileFleet } from "../components/core/compile";
import { parseDeclaration } from "../components/core/schema";
import { ALL_RULES, evaluatePlan } from "../components/rules";

const ACCOUNT = "111122223333";

function agent(index: number) {
  const name = `agent-${String(index).padStart(5, "0")}`;
  return {
    name,
    owner: `team-${index % 37}`,
    sponsor: "owner@example.com",
    tier: (["batch", "assistant"] as const)[index % 2],
    expires: "2099-12-31",
    orchestration: { models: ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"] },
    owns: [`arn:aws:s3:::acme-data/${name}/*`, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${name}`, `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`],
    tools: [
      { name: "read-data", aws: [{ actions: ["s3:GetObject", "s3:PutObject"], resources: [`arn:aws:s3:::acme-data/${name}/*`] }, { actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::acme-data"] }] },
      { name: "table", aws: [{ actions: ["dynamodb:GetItem", "dynamodb:Query"], resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${name}`] }, { actions: ["dynamodb:Query"], resources: [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${name}/index/*`] }] },
      { name: "queue", aws: [{ actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], resources: [`arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`] }] },
      ...(index % 10 === 0 ? [{ name: "rates", aws: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-reference/rates/*"] }] }] : []),
      { name: "ledger", database: { connection: `${name}-ledger`, creationStatements: ['CREATE ROLE "{{name}}";'], ttl: "10m" } },
      { name: "api-key", kv: { path: "api-key" } },
    ],
  };
}

function stackFile(size: number): string {
  const agents = Array.from({ length: size }, (_, i) => agent(i));
  const readers = agents.filter((_, i) => i % 10 === 0).map((a) => a.name);
  return stringify({
    config: {
      "agent-identity:platform": {
        environment: "bench",
        namePrefix: "acme",
        aws: { accountId: ACCOUNT, region: "us-east-1", oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/BENCH` },
        vault: { kubernetesAuthPath: "kubernetes", kvMount: "kv", databaseMount: "database", awsMount: "aws", audience: "vault" },
        shared: [{ name: "rates", resource: "arn:aws:s3:::acme-reference/rates/*", read: readers }],
      },
      "agent-identity:agents": agents,
    },
  });
}

function main(): void {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const dir = mkdtempSync(join(tmpdir(), "plan-bench-"));
  const times: Record<number, number> = {};
  try {
    for (const size of sizes.length ? sizes : [100, 1000, 10000]) {
      const file = join(dir, `Pulumi.bench-${size}.yaml`);
      writeFileSync(file, stackFile(size));
      const cpu = process.cpuUsage();
      const start = performance.now();
      const result = runPlan({ stack: "bench", config: file, date: "2026-11-28", format: "json" });
      if (result.exitCode !== 0) process.stdout.write(`${JSON.stringify((JSON.parse(result.stdout) as { violations: unknown[] }).violations.slice(0, 2))}\n`);
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      times[size] = cpuMs;
      const parsed = JSON.parse(result.stdout) as { violations?: unknown[] };
      // Where the time goes, each step again on its own (CPU ms).
      const step = <T>(fn: () => T): [T, number] => {
        const before = process.cpuUsage();
        const value = fn();
        const after = process.cpuUsage(before);
        return [value, (after.user + after.system) / 1000];
      };
      const [stack, readMs] = step(() => readStackFile(file));
      const [declaration, parseMs] = step(() => parseDeclaration(stack.declaration));
      const [plan, compileMs] = step(() => compileFleet(declaration, "bench"));
      const [, rulesMs] = step(() => evaluatePlan(plan, ALL_RULES, new Date("2026-11-28T00:00:00Z")));
      process.stdout.write(`  steps (CPU ms): read YAML ${readMs.toFixed(0)}, validate ${parseMs.toFixed(0)}, compile ${compileMs.toFixed(0)}, rules ${rulesMs.toFixed(0)}\n`);
      process.stdout.write(`plan ${size} agents: ${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU, exit ${result.exitCode}, ${parsed.violations?.length ?? 0} violation(s)\n`);
    }
    if (times[100] && times[1000]) process.stdout.write(`growth (CPU) 1,000/100: ${(times[1000] / times[100]).toFixed(1)}\n`);
    if (times[1000] && times[10000]) process.stdout.write(`growth (CPU) 10,000/1,000: ${(times[10000] / times[1000]).toFixed(1)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
