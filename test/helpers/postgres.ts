/**
 * A real PostgreSQL server for the SQL tests. CI (`.ci/run`) starts one and exports
 * AGENT_IDENTITY_TEST_PG_URL; in CI a missing URL is a failure, never a skip. Locally, without the
 * variable, the tests start a throwaway cluster with the same script (Debian's `postgresql`).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";

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

/** A database of its own on the test server, with a Vault-like connection user (CREATEROLE, owner of the objects). */
export interface ScratchDatabase {
  readonly server: TestPostgres;
  /** On the database, as the cluster superuser. */
  readonly superuser: Client;
  /** On the database, as the connection user. */
  readonly admin: Client;
  /** Drops the database and the roles, and stops the server handle. */
  close(): Promise<void>;
}

/**
 * Creates `database` and the connection user `admin` (LOGIN CREATEROLE, plus `adminGrants`), plus
 * `roles` (name → password, LOGIN), then runs `setup` as the superuser on the new database.
 */
export async function openScratchDatabase(options: {
  readonly database: string;
  readonly admin: string;
  readonly adminPassword: string;
  readonly adminGrants?: string;
  readonly roles?: Readonly<Record<string, string>>;
  readonly setup: (superuser: Client) => Promise<void>;
}): Promise<ScratchDatabase> {
  const server = startTestPostgres();
  const roles = Object.keys(options.roles ?? {});
  const bootstrap = new Client({ connectionString: server.url });
  await bootstrap.connect();
  await bootstrap.query(`CREATE DATABASE ${options.database}`);
  await bootstrap.query(`CREATE ROLE ${options.admin} LOGIN CREATEROLE PASSWORD '${options.adminPassword}'`);
  if (options.adminGrants) await bootstrap.query(`GRANT ${options.adminGrants} TO ${options.admin}`);
  for (const role of roles) await bootstrap.query(`CREATE ROLE ${role} LOGIN PASSWORD '${options.roles![role]}'`);
  await bootstrap.end();
  const url = new URL(server.url);
  const superuser = new Client({ connectionString: withCredentials(server.url, url.username, decodeURIComponent(url.password), options.database) });
  await superuser.connect();
  await options.setup(superuser);
  const admin = new Client({ connectionString: withCredentials(server.url, options.admin, options.adminPassword, options.database) });
  await admin.connect();
  return {
    server,
    superuser,
    admin,
    async close() {
      await admin.end();
      await superuser.end();
      const cleanup = new Client({ connectionString: server.url });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${options.database} WITH (FORCE)`);
      for (const role of [...roles, options.admin]) await cleanup.query(`DROP ROLE IF EXISTS ${role}`);
      await cleanup.end();
      server.stop();
    },
  };
}
