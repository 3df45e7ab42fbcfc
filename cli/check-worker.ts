/**
 * A worker thread of `check --all` (cli/check-stacks.ts): loads the planning code once, then plans
 * one stack file per message and answers with its outcome, until it is sent `null`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { parserLoaded } from "../components/core/sql/parser";
import { planOne } from "./check-plan-one";
import type { StackJob } from "./check-stacks";

const { root, now } = workerData as { root: string; now: string };
const date = new Date(now);
const ready = parserLoaded();
const port = parentPort!;

port.on("message", (job: StackJob | null) => {
  if (!job) return port.close();
  void ready.then(() => port.postMessage({ index: job.index, planned: planOne(root, job.ref, date) }));
});
