import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrationsFor } from './migrations.js';
import type { DB } from './schema.js';

/** Every node takes this advisory lock to migrate, so nodes that start together migrate once. */
const MIGRATION_LOCK = 'alloy:migrations';

export interface PostgresOptions {
  /** `postgres://user:password@host:port/database` (libpq's URL form; `?sslmode=` and friends work). */
  url: string;
  /** Connections this node keeps (default 10). A pool of one makes a query that escapes its transaction wait forever: the tests use it to find them. */
  poolSize?: number;
  /** The schema to use (tests give each server a fresh one); created when missing. */
  schema?: string;
}

/**
 * pg hands int8 (COUNT, SUM) and numeric back as strings so no precision is lost; every such
 * value here is a row count far below 2^53, so it is read as a number, like SQLite gives it.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return Number;
    return pg.types.getTypeParser(oid, format);
  },
};

/** A schema name as an identifier: letters, digits and underscores only (it is interpolated). */
function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`Invalid PostgreSQL schema name: ${schema}`);
  return schema;
}

export interface OpenedPostgres {
  pool: pg.Pool;
  database: Kysely<DB>;
}

/** Opens the pool, creates the schema when asked, and brings it up to date (under the migration lock). */
export async function openPostgres(options: PostgresOptions): Promise<OpenedPostgres> {
  const schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    types,
    // Every connection works in UTC and in the given schema only.
    options: `-c TimeZone=UTC${schema ? ` -c search_path=${schema}` : ''}`,
    application_name: 'alloy-embedded',
  });
  // An idle connection the server drops (a restart, a failover) must not crash the process.
  pool.on('error', () => undefined);
  try {
    await migrate(pool, schema);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return { pool, database: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }) };
}

/**
 * Applies the migrations this database lacks, all in one transaction under a transaction-scoped
 * advisory lock: a second node starting at the same moment waits, then finds nothing to do.
 * PostgreSQL's DDL is transactional, so a failed migration leaves the schema as it was.
 */
async function migrate(pool: pg.Pool, schema: string | undefined): Promise<void> {
  const migrations = migrationsFor('postgres');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK]);
    // Under the lock: two nodes creating one schema at once would collide.
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
    const current = rows[0]?.version ?? 0;
    for (let i = current; i < migrations.length; i++) await client.query(migrations[i]!);
    if (rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES ($1)', [migrations.length]);
    else if (current < migrations.length)
      await client.query('UPDATE schema_version SET version = $1', [migrations.length]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Drops a schema a test made (the tests' fresh schema per server). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${checkSchemaName(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}
