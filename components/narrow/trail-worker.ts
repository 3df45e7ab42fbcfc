/**
 * A worker thread of `narrow` (trail-workers.ts): reads the trail files the main thread hands it,
 * one at a time (gunzip, record scan, JSON.parse, field extraction), and posts each chunk's events
 * as an encoded batch. It stops after `WINDOW` batches the main thread has not yet taken, so
 * memory stays bounded however far ahead of the main thread it is.
 */
import { parentPort, workerData } from "node:worker_threads";
import { trailFileBatches, type ReadStats } from "./cloudtrail-reader";
import type { RecordLimits } from "./json-records";
import { encodeBatch } from "./trail-batch-codec";

/** Batches a worker may have in flight (each at most one 1 MiB chunk's events). */
export const WINDOW = 8;
/** Problems kept per file (the rest are counted as skipped only). */
const MAX_PROBLEMS = 10_000;

export type ToWorker = { readonly type: "file"; readonly index: number; readonly file: string } | { readonly type: "ack" };
export type FromWorker =
  | { readonly type: "batch"; readonly index: number; readonly strings: readonly string[]; readonly codes: Int32Array }
  | { readonly type: "done"; readonly index: number; readonly skipped: number; readonly problems: readonly string[] };

if (parentPort) {
  const port = parentPort;
  const limits = (workerData as { limits: RecordLimits }).limits;
  let credit = WINDOW;
  let wake: (() => void) | null = null;

  const read = async (index: number, file: string): Promise<void> => {
    const stats: ReadStats = { files: 1, records: 0, skipped: 0 };
    const problems: string[] = [];
    const onProblem = (message: string) => void (problems.length < MAX_PROBLEMS && problems.push(message));
    for await (const batch of trailFileBatches(file, limits, stats, onProblem)) {
      while (credit <= 0) await new Promise<void>((resolve) => (wake = resolve));
      credit--;
      const { strings, codes } = encodeBatch(batch);
      port.postMessage({ type: "batch", index, strings, codes } satisfies FromWorker, [codes.buffer as ArrayBuffer]);
    }
    port.postMessage({ type: "done", index, skipped: stats.skipped, problems } satisfies FromWorker);
  };

  port.on("message", (message: ToWorker) => {
    if (message.type === "ack") {
      credit++;
      const resume = wake;
      wake = null;
      resume?.();
    } else void read(message.index, message.file);
  });
}
