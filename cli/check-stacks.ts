/**
 * Plans the stack files `check --all` reads, in this thread or, for a larger project run from the
 * compiled CLI, in worker threads (one per core): each stack is planned alone by the same
 * `planStackFile` as `plan`, so where it runs changes nothing but the time.
 */
import { availableParallelism } from "node:os";
import { posix } from "node:path";
import { Worker } from "node:worker_threads";
import type { FleetPlan } from "../components/core/plan-types";
import { parserLoaded } from "../components/core/sql/parser";
import { planStackFile } from "./plan-command";

export interface StackRef {
  readonly stack: string;
  /** Relative to the project root. */
  readonly file: string;
}

export interface PlannedStack extends StackRef {
  readonly exitCode: 0 | 1 | 2;
  readonly lines: readonly string[];
  /** The compiled plan, also of a stack with violations (it still names what others may collide with). */
  readonly plan?: FleetPlan;
}

/** Below this many stacks the threads' start-up costs more than it saves. */
const WORKERS_FROM = 4;

export async function planStacks(root: string, stacks: readonly StackRef[], now: Date): Promise<PlannedStack[]> {
  const threads = Math.min(availableParallelism(), Math.ceil(stacks.length / 2));
  // Workers load the compiled module beside this one; under tsx or vitest there is none.
  if (stacks.length >= WORKERS_FROM && threads > 1 && __filename.endsWith(".js")) return planInWorkers(root, stacks, now, threads);
  await parserLoaded();
  return stacks.map((ref) => planOne(root, ref, now));
}

/** One stack, as `plan` would: file paths shown relative to the project. */
export function planOne(root: string, { stack, file }: StackRef, now: Date): PlannedStack {
  const outcome = planStackFile(posix.join(root, file), stack, now);
  const shown = (line: string) => line.split(`${root}/`).join("");
  if (outcome.ok) return { stack, file, exitCode: 0, lines: [], plan: outcome.result.plan };
  return { stack, file, exitCode: outcome.exitCode, lines: outcome.lines.map(shown), plan: outcome.violations?.plan };
}

function planInWorkers(root: string, stacks: readonly StackRef[], now: Date, threads: number): Promise<PlannedStack[]> {
  // Round-robin keeps the shares even when stack sizes grow with their names' order.
  const shares = Array.from({ length: threads }, (_, t) => stacks.filter((_, i) => i % threads === t));
  const runs = shares.map(
    (share) =>
      new Promise<PlannedStack[]>((resolveShare, reject) => {
        const worker = new Worker(posix.join(__dirname, "check-worker.js"), { workerData: { root, stacks: share, now: now.toISOString() } });
        worker.once("message", (planned: PlannedStack[]) => resolveShare(planned));
        worker.once("error", reject);
        worker.once("exit", (code) => code !== 0 && reject(new Error(`a check worker stopped with exit code ${code}`)));
      }),
  );
  return Promise.all(runs).then((results) => {
    const byFile = new Map(results.flat().map((planned) => [planned.file, planned]));
    return stacks.map((ref) => byFile.get(ref.file)!);
  });
}
