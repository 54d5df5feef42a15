import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { CreateServerOptions, EmbeddedServer } from '../../src/server/app.js';
import { dropSchema } from '../../src/server/platform/db/index.js';

/**
 * Which engine the server tests run on: `ALLOY_TEST_DB=postgres` (with ALLOY_TEST_DATABASE_URL,
 * which `scripts/with-postgres.sh` sets) or SQLite, the default. `ALLOY_TEST_DB_POOL_SIZE=1` runs
 * PostgreSQL with one connection, so a query that escapes its transaction waits forever (the test
 * times out) instead of passing by luck.
 */
export const TEST_ENGINE: 'sqlite' | 'postgres' = process.env.ALLOY_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

function testDatabaseUrl(): string {
  const url = process.env.ALLOY_TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'ALLOY_TEST_DB=postgres needs ALLOY_TEST_DATABASE_URL; run the suite through scripts/with-postgres.sh',
    );
  }
  return url;
}

/** One schema per data dir: a fresh one per server, the same one when a test restarts on its data. */
export const schemaOf = (dataDir: string): string =>
  `t_${createHash('sha256').update(dataDir).digest('hex').slice(0, 24)}`;

/** The server options that put a test server on the engine under test. */
export function engineServerOptions(dataDir: string): Partial<CreateServerOptions> {
  if (TEST_ENGINE === 'sqlite') return {};
  const pool = process.env.ALLOY_TEST_DB_POOL_SIZE;
  return {
    databaseUrl: testDatabaseUrl(),
    databaseSchema: schemaOf(dataDir),
    ...(pool ? { databasePoolSize: Number(pool) } : {}),
  };
}

/** Drops the test server's schema (PostgreSQL); SQLite's file goes with the data dir. */
export async function dropEngineData(dataDir: string): Promise<void> {
  if (TEST_ENGINE === 'postgres') await dropSchema(testDatabaseUrl(), schemaOf(dataDir));
}

/** `?` placeholders bound in order (Kysely's `sql` tag turns them into `$1…` on PostgreSQL). */
function bound(text: string, params: unknown[]) {
  const parts = text.split('?');
  if (parts.length - 1 !== params.length) throw new Error(`${params.length} parameters for ${parts.length - 1} ?s`);
  return sql.join(
    parts.map((part, i) => (i === 0 ? sql.raw(part) : sql`${params[i - 1]}${sql.raw(part)}`)),
    sql``,
  );
}

/**
 * Raw SQL for tests that inspect or age rows, on either engine, with `?` placeholders. Counts
 * come back as numbers on both.
 */
export async function rawRows<T = Record<string, unknown>>(
  server: Pick<EmbeddedServer, 'storage'>,
  text: string,
  ...params: unknown[]
): Promise<T[]> {
  const result = await bound(text, params).execute(server.storage.database);
  return result.rows as T[];
}

export async function rawRow<T = Record<string, unknown>>(
  server: Pick<EmbeddedServer, 'storage'>,
  text: string,
  ...params: unknown[]
): Promise<T | undefined> {
  return (await rawRows<T>(server, text, ...params))[0];
}

/** The number a `SELECT COUNT(*) AS n …` answers (a string on PostgreSQL, a number on SQLite). */
export async function rawCount(
  server: Pick<EmbeddedServer, 'storage'>,
  text: string,
  ...params: unknown[]
): Promise<number> {
  return Number((await rawRow<{ n: number | string }>(server, text, ...params))!.n);
}

/** Runs a statement; the number of rows it changed. */
export async function rawRun(
  server: Pick<EmbeddedServer, 'storage'>,
  text: string,
  ...params: unknown[]
): Promise<number> {
  const result = await bound(text, params).execute(server.storage.database);
  return Number(result.numAffectedRows ?? 0n);
}

/** The server's tables (on SQLite, indexes too) whose names start with `prefix`, in its own schema. */
export async function tableNames(server: Pick<EmbeddedServer, 'storage'>, prefix: string): Promise<string[]> {
  const rows = await rawRows<{ name: string }>(
    server,
    server.storage.engine === 'postgres'
      ? 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE ?'
      : 'SELECT name FROM sqlite_master WHERE name LIKE ?',
    `${prefix}%`,
  );
  return rows.map((row) => row.name);
}
