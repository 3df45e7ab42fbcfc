/**
 * Reads trail files on worker threads (trail-worker.ts) and hands their events to the caller in
 * file order, exactly as the in-process reader would: the tool-session join needs each
 * `AssumeRole` before the calls made with its key, and files are named in time order. Workers take
 * the next unread file as soon as they finish one; a file's batches wait in this thread until its
 * turn, each worker stops after a few batches not yet taken (trail-worker.ts `WINDOW`), and no
 * file more than `AHEAD` files past the caller's is started, so memory stays bounded by threads ×
 * window (and `AHEAD` files' problem lists), not by the trail.
 */
import { posix } from "node:path";
import { Worker } from "node:worker_threads";
import type { ReadProblem, ReadStats, TrailEvent, TrailSource } from "./cloudtrail-reader";
import type { RecordLimits } from "./json-records";
import { decodeBatch, type EncodedBatch } from "./trail-batch-codec";
import type { FromWorker, ToWorker } from "./trail-worker";

/** Files a worker may start ahead of the one the caller is on. */
const AHEAD = 16;

interface FileState {
  readonly worker: Worker;
  readonly batches: EncodedBatch[];
  done: boolean;
  skipped: number;
  problems: readonly string[];
}

/** Worker threads exist only for the compiled module (dist/); under tsx or vitest there is none. */
export const workersAvailable = (): boolean => __filename.endsWith(".js");

export async function* readInWorkers(
  sources: readonly TrailSource[],
  threads: number,
  onProblem: (problem: ReadProblem) => void,
  stats: ReadStats,
  limits: RecordLimits,
): AsyncGenerator<TrailEvent[]> {
  const states = new Map<number, FileState>();
  let next = 0;
  let failure: Error | null = null;
  let notify: (() => void) | null = null;
  const wakeUp = () => {
    const resume = notify;
    notify = null;
    resume?.();
  };
  const send = (worker: Worker, message: ToWorker) => worker.postMessage(message);
  /** The file the caller is on: workers start no file more than `AHEAD` past it (a run of files with no events still holds their problems). */
  let current = 0;
  const idle: Worker[] = [];
  const assign = (worker: Worker) => {
    while (next < sources.length && !("file" in sources[next])) next++;
    if (next >= sources.length) return;
    if (next > current + AHEAD) return void idle.push(worker);
    const index = next++;
    states.set(index, { worker, batches: [], done: false, skipped: 0, problems: [] });
    send(worker, { type: "file", index, file: (sources[index] as { file: string }).file });
  };
  const workers: Worker[] = [];
  for (let t = 0; t < threads; t++) {
    const worker = new Worker(posix.join(__dirname, "trail-worker.js"), { workerData: { limits } });
    worker.on("message", (message: FromWorker) => {
      const state = states.get(message.index)!;
      if (message.type === "batch") state.batches.push(message);
      else {
        state.done = true;
        state.skipped = message.skipped;
        state.problems = message.problems;
        assign(worker);
      }
      wakeUp();
    });
    worker.once("error", (error) => {
      failure ??= error;
      wakeUp();
    });
    worker.once("exit", (code) => {
      if (code !== 0) failure ??= new Error(`a trail reading worker stopped with exit code ${code}`);
      wakeUp();
    });
    workers.push(worker);
  }
  try {
    for (const worker of workers) assign(worker);
    for (let index = 0; index < sources.length; index++) {
      current = index;
      for (const worker of idle.splice(0)) assign(worker);
      const source = sources[index];
      if ("problem" in source) {
        onProblem(source.problem);
        continue;
      }
      stats.files++;
      const state = states.get(index)!;
      for (;;) {
        if (failure) throw failure;
        const batch = state.batches.shift();
        if (batch) {
          send(state.worker, { type: "ack" });
          const events = decodeBatch(batch);
          stats.records += events.length;
          yield events;
        } else if (state.done) break;
        else await new Promise<void>((resolve) => (notify = resolve));
      }
      stats.skipped += state.skipped;
      for (const message of state.problems) onProblem({ file: source.file, message });
      states.delete(index);
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
