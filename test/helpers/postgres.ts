/**
 * A real PostgreSQL server for the SQL tests. CI (`.ci/run`) starts one and exports
 * AGENT_IDENTITY_TEST_PG_URL; in CI a missing URL is a failure, never a skip. Locally, without the
 * variable, the tests start a throwaway cluster with the same script (Debian's `postgresql`).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PG_URL_VARIABLE = "AGENT_IDENTITY_TEST_PG_URL";

export interface TestPostgres {
  /** Superuser connection URL. */
  readonly url: string;
  stop(): void;
}

export function startTestPostgres(): TestPostgres {
  const given = process.env[PG_URL_VARIABLE];
  if (given) return { url: given, stop: () => undefined };
  if (process.env.CI && process.env.CI !== "false") {
    throw new Error(`${PG_URL_VARIABLE} is not set: in CI, .ci/run starts PostgreSQL and exports it; these tests must run there`);
  }
  const dir = mkdtempSync(join(tmpdir(), "agent-identity-pg-"));
  const port = 56000 + (process.pid % 1000);
  const started = spawnSync("bash", ["scripts/test-postgres.sh", "start", dir, String(port)], { encoding: "utf8", timeout: 120_000 });
  if (started.status !== 0) throw new Error(`could not start a test PostgreSQL (scripts/test-postgres.sh): ${started.stderr}`);
  return { url: started.stdout.trim(), stop: () => void spawnSync("bash", ["scripts/test-postgres.sh", "stop", dir], { timeout: 60_000 }) };
}

/** The same server, another user and database. */
export function withCredentials(url: string, user: string, password: string, database?: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  if (database) parsed.pathname = `/${database}`;
  return parsed.toString();
}
