/** A worker thread of `check --all` (cli/check-stacks.ts): plans its share of the stack files. */
import { parentPort, workerData } from "node:worker_threads";
import { parserLoaded } from "../components/core/sql/parser";
import { planOne, type StackRef } from "./check-stacks";

const { root, stacks, now } = workerData as { root: string; stacks: StackRef[]; now: string };
void parserLoaded().then(() => {
  parentPort!.postMessage(stacks.map((ref) => planOne(root, ref, new Date(now))));
});
