/**
 * PostgreSQL's own grammar, synchronously. `libpg-query` compiles PostgreSQL's parser to WASM, but
 * its WASM loads asynchronously while the rules (and Pulumi component constructors) are synchronous.
 * Once the module has loaded in this thread `parseSync` is used directly; before that, one worker
 * thread parses and this thread blocks on `Atomics.wait` until it answers (the same approach as
 * `synckit`). Both paths run the same parser, so the answer does not depend on timing.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { loadModule, parseSync, type ParseResult } from "libpg-query";

/** A parse: the tree, or PostgreSQL's error message and the byte offset it points at. */
export type RawParse = { readonly ok: true; readonly tree: ParseResult } | { readonly ok: false; readonly message: string; readonly cursor?: number };

/** A statement list is small; anything bigger is refused before it reaches the parser. */
export const MAX_SQL_CHARS = 20_000;
const WORKER_TIMEOUT_MS = 30_000;

let loaded = false;
// Start loading at import: most callers (CLI, tests, pack) cross an await before the first parse.
const loading = loadModule().then(
  () => {
    loaded = true;
  },
  () => undefined,
);

/** Resolves once the parser runs in this thread (no worker round trip per statement); never rejects. */
export function parserLoaded(): Promise<void> {
  return loading;
}

// The worker is plain CommonJS (eval), so it runs the same under tsx, vitest and compiled dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const pg = require(workerData.modulePath);
const { port, signal } = workerData;
port.on("message", async (sql) => {
  let reply;
  try {
    reply = { ok: true, tree: await pg.parse(sql) };
  } catch (error) {
    const cursor = error && error.sqlDetails ? error.sqlDetails.cursorPosition : undefined;
    reply = { ok: false, message: String((error && error.message) || error), cursor };
  }
  port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

interface Bridge {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
}
let bridge: Bridge | undefined;

function startBridge(): Bridge {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { modulePath: require.resolve("libpg-query"), port: port2, signal },
    transferList: [port2],
  });
  // Never keep the process alive for the parser.
  worker.unref();
  port1.unref();
  return { worker, port: port1, signal };
}

function parseInWorker(sql: string): RawParse {
  bridge ??= startBridge();
  Atomics.store(bridge.signal, 0, 0);
  bridge.port.postMessage(sql);
  if (Atomics.wait(bridge.signal, 0, 0, WORKER_TIMEOUT_MS) === "timed-out") {
    void bridge.worker.terminate();
    bridge = undefined;
    return { ok: false, message: `the PostgreSQL parser did not answer within ${WORKER_TIMEOUT_MS / 1000}s` };
  }
  const reply = receiveMessageOnPort(bridge.port);
  if (!reply) return { ok: false, message: "the PostgreSQL parser gave no answer" };
  return reply.message as RawParse;
}

/**
 * Fleets repeat the same statements agent after agent (the `{{name}}` template makes them
 * identical), so parses are kept by text. Trees are read, never changed, by every caller.
 */
const PARSE_CACHE_MAX = 4_096;
const parses = new Map<string, RawParse>();

/** Parse SQL with PostgreSQL's grammar (libpg-query, PostgreSQL 18). Never throws. */
export function parseSql(sql: string): RawParse {
  const cached = parses.get(sql);
  if (cached) return cached;
  const parsed = parseUncached(sql);
  if (parses.size >= PARSE_CACHE_MAX) parses.clear();
  parses.set(sql, parsed);
  return parsed;
}

function parseUncached(sql: string): RawParse {
  if (sql.length > MAX_SQL_CHARS) return { ok: false, message: `longer than ${MAX_SQL_CHARS} characters` };
  if (!loaded) return parseInWorker(sql);
  try {
    return { ok: true, tree: parseSync(sql) };
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    return { ok: false, message: error instanceof Error ? error.message : String(error), cursor: details?.cursorPosition };
  }
}

/** Resolves once the parser runs in this thread (optional: only saves the worker round trip). */
export async function loadSqlParser(): Promise<void> {
  await loadModule();
  loaded = true;
}

/** Parse with the worker even when the module is loaded here (for tests of the synchronous path). */
export function parseSqlInWorker(sql: string): RawParse {
  if (sql.length > MAX_SQL_CHARS) return { ok: false, message: `longer than ${MAX_SQL_CHARS} characters` };
  return parseInWorker(sql);
}
