/**
 * Plans the stack files `check --all` reads, in this thread or, for a larger project run from the
 * compiled CLI, in a pool of worker threads (one per core): each stack is planned alone by the same
 * `planStackFile` as `plan` (cli/check-plan-one.ts), so where it runs changes nothing but the time.
 *
 * Each worker loads the planning code once and asks for the next stack file when it is done with
 * one, in the project's order, so a thread slowed by other work on the machine takes fewer. What
 * comes back per stack is its outcome and the part of its plan the organisation-wide rules read
 * (cli/check-digest.ts): copying whole plans between threads cost more than the rules themselves.
 * Each stack is handed to `onPlanned` as it comes back: the organisation-wide rules take the stacks
 * in the project's order and run in this thread while the workers plan the later ones, which is
 * why stacks are dealt in that order (dealt largest first, the rules waited for the last stack).
 * This thread does not load the planning code at all when workers plan.
 */
import { availableParallelism } from "node:os";
import { posix } from "node:path";
import { Worker } from "node:worker_threads";
import type { CrossStackPlan } from "./check-digest";

export interface StackRef {
  readonly stack: string;
  /** Relative to the project root. */
  readonly file: string;
}

export interface PlannedStack extends StackRef {
  readonly exitCode: 0 | 1 | 2;
  readonly lines: readonly string[];
  /** Agents in the compiled plan (0 when it did not compile). */
  readonly agents: number;
  /** What the organisation rules read of the plan, also of a stack with violations (it still names what others may collide with). */
  readonly plan?: CrossStackPlan;
}

/** One message to a worker: plan `ref`, answer with `index`. */
export interface StackJob {
  readonly index: number;
  readonly ref: StackRef;
}

/** Below this many stacks the threads' start-up costs more than it saves. */
const WORKERS_FROM = 4;
/**
 * A stack's plan lives through all of its rules, so most of what a worker allocates survives a
 * scavenge or two: twice Node's default young generation for a worker (48 MB) scavenges about a
 * quarter less, for 48 MB more per worker.
 */
const YOUNG_GENERATION_MB = 96;

/** Called once per stack as soon as it is planned, in whatever order the threads finish them. */
export type OnPlanned = (index: number, planned: PlannedStack) => void;

export async function planStacks(root: string, stacks: readonly StackRef[], now: Date, onPlanned: OnPlanned = () => {}): Promise<PlannedStack[]> {
  const threads = Math.min(availableParallelism(), Math.ceil(stacks.length / 2));
  // Workers load the compiled module beside this one; under tsx or vitest there is none.
  if (stacks.length >= WORKERS_FROM && threads > 1 && __filename.endsWith(".js")) return planInWorkers(root, stacks, now, threads, onPlanned);
  const [{ parserLoaded }, { planOne }] = await Promise.all([import("../components/core/sql/parser"), import("./check-plan-one")]);
  await parserLoaded();
  return stacks.map((ref, index) => {
    const planned = planOne(root, ref, now);
    onPlanned(index, planned);
    return planned;
  });
}

function planInWorkers(root: string, stacks: readonly StackRef[], now: Date, threads: number, onPlanned: OnPlanned): Promise<PlannedStack[]> {
  const jobs: StackJob[] = stacks.map((ref, index) => ({ index, ref }));
  const planned: PlannedStack[] = new Array<PlannedStack>(stacks.length);
  let dealt = 0;
  let answered = 0;
  let exited = 0;
  return new Promise((resolvePlans, reject) => {
    let settled = false;
    const workers: Worker[] = [];
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      for (const worker of workers) void worker.terminate();
      reject(error);
    };
    const deal = (worker: Worker) => worker.postMessage(dealt < jobs.length ? jobs[dealt++] : null);
    for (let t = 0; t < threads; t++) {
      const worker = new Worker(posix.join(__dirname, "check-worker.js"), {
        workerData: { root, now: now.toISOString() },
        resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      });
      workers.push(worker);
      worker.on("message", ({ index, planned: outcome }: { index: number; planned: PlannedStack }) => {
        planned[index] = outcome;
        answered++;
        deal(worker);
        try {
          onPlanned(index, outcome);
        } catch (error) {
          fail(error as Error);
          return;
        }
        if (answered === stacks.length && !settled) {
          settled = true;
          resolvePlans(planned);
        }
      });
      worker.once("error", fail);
      worker.once("exit", (code) => {
        exited++;
        if (code !== 0) fail(new Error(`a check worker stopped with exit code ${code}`));
        else if (exited === threads && answered < stacks.length) fail(new Error("the check workers stopped before every stack was planned"));
      });
      deal(worker);
    }
  });
}
