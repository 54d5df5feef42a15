import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { dropSchema, openDatabase, openStorage, type Db, type Storage } from '../../src/server/platform/db/index.js';

/**
 * The one migration list makes the same schema on both engines: tables, columns (type family,
 * nullability), primary keys and the indexes the migrations create (name, table, columns, unique,
 * partial). Needs a PostgreSQL (ALLOY_TEST_DATABASE_URL, as scripts/with-postgres.sh sets).
 */
const url = process.env.ALLOY_TEST_DATABASE_URL;
const SCHEMA = `parity_${process.pid}`;

interface Column {
  type: 'text' | 'integer' | 'bytes';
  notNull: boolean;
  primaryKey: boolean;
}
type Shape = {
  tables: Record<string, Record<string, Column>>;
  indexes: Record<string, { table: string; columns: string[]; unique: boolean; partial: boolean }>;
};

const family = (declared: string): Column['type'] => {
  const t = declared.toLowerCase();
  if (t === 'text') return 'text';
  if (t === 'integer') return 'integer';
  if (t === 'blob' || t === 'bytea') return 'bytes';
  throw new Error(`unexpected column type ${declared}`);
};

function sqliteShape(db: Db): Shape {
  const shape: Shape = { tables: {}, indexes: {} };
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as { name: string }[];
  for (const { name } of tables) {
    const columns = db.pragma(`table_info(${name})`) as { name: string; type: string; notnull: number; pk: number }[];
    shape.tables[name] = Object.fromEntries(
      columns.map((c) => [
        c.name,
        { type: family(c.type), notNull: c.notnull === 1 || c.pk > 0, primaryKey: c.pk > 0 },
      ]),
    );
  }
  const indexes = db
    .prepare("SELECT name, tbl_name AS tbl, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    .all() as { name: string; tbl: string; sql: string }[];
  for (const index of indexes) {
    const columns = (db.pragma(`index_info(${index.name})`) as { seqno: number; name: string | null }[])
      .sort((a, b) => a.seqno - b.seqno)
      // An expression column has no name on either engine.
      .map((c) => c.name ?? '(expression)');
    shape.indexes[index.name] = {
      table: index.tbl,
      columns,
      unique: /^CREATE UNIQUE/i.test(index.sql),
      partial: /\bWHERE\b/i.test(index.sql),
    };
  }
  return shape;
}

async function postgresShape(client: pg.Client): Promise<Shape> {
  const shape: Shape = { tables: {}, indexes: {} };
  const columns = await client.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
  }>(
    `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
     WHERE table_schema = $1 AND table_name <> 'schema_version'`,
    [SCHEMA],
  );
  const keys = await client.query<{ table_name: string; column_name: string }>(
    `SELECT k.table_name, k.column_name FROM information_schema.table_constraints c
     JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema
     WHERE c.table_schema = $1 AND c.constraint_type = 'PRIMARY KEY'`,
    [SCHEMA],
  );
  const primary = new Set(keys.rows.map((k) => `${k.table_name}.${k.column_name}`));
  for (const c of columns.rows) {
    shape.tables[c.table_name] ??= {};
    shape.tables[c.table_name]![c.column_name] = {
      type: family(c.data_type),
      notNull: c.is_nullable === 'NO',
      primaryKey: primary.has(`${c.table_name}.${c.column_name}`),
    };
  }
  // The indexes the migrations create by name (not the ones behind PRIMARY KEY and UNIQUE constraints).
  const indexes = await client.query<{
    name: string;
    tbl: string;
    columns: string[];
    unique: boolean;
    partial: boolean;
  }>(
    `SELECT i.relname AS name, t.relname AS tbl, x.indisunique AS unique, x.indpred IS NOT NULL AS partial,
       ARRAY(SELECT COALESCE(a.attname, '(expression)') FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
             LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
    [SCHEMA],
  );
  for (const index of indexes.rows) {
    shape.indexes[index.name] = {
      table: index.tbl,
      columns: index.columns,
      unique: index.unique,
      partial: index.partial,
    };
  }
  return shape;
}

describe(
  'one schema on both engines',
  { skip: !url && 'needs ALLOY_TEST_DATABASE_URL (scripts/with-postgres.sh)' },
  () => {
    let dataDir: string;
    let sqlite: Db;
    let postgres: Storage;
    let client: pg.Client;

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-parity-'));
      sqlite = openDatabase(dataDir);
      postgres = await openStorage({ dataDir, databaseUrl: url!, schema: SCHEMA, poolSize: 1 });
      client = new pg.Client({ connectionString: url });
      await client.connect();
    });

    after(async () => {
      sqlite?.close();
      await postgres?.close();
      await client?.end();
      await dropSchema(url!, SCHEMA);
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    test('tables, columns, primary keys and indexes match', async () => {
      const fromSqlite = sqliteShape(sqlite);
      const fromPostgres = await postgresShape(client);
      assert.ok(Object.keys(fromSqlite.tables).length >= 15, 'the schema has its tables');
      assert.ok(Object.keys(fromSqlite.indexes).length >= 15, 'the schema has its indexes');
      assert.deepEqual(Object.keys(fromPostgres.tables).sort(), Object.keys(fromSqlite.tables).sort());
      for (const table of Object.keys(fromSqlite.tables)) {
        assert.deepEqual(fromPostgres.tables[table], fromSqlite.tables[table], `columns of ${table}`);
      }
      assert.deepEqual(fromPostgres.indexes, fromSqlite.indexes);
    });

    test('a second node migrating at the same time waits for the first and finds nothing to do', async () => {
      const schema = `${SCHEMA}_race`;
      const nodes = await Promise.all(
        [1, 2, 3].map(() => openStorage({ dataDir, databaseUrl: url!, schema, poolSize: 1 })),
      );
      try {
        const version = await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_version`);
        assert.equal(version.rows.length, 1, 'one version row');
        const tables = await client.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1`, [schema]);
        assert.equal(tables.rows.length, Object.keys(sqliteShape(sqlite).tables).length + 1);
      } finally {
        await Promise.all(nodes.map((node) => node.close()));
        await dropSchema(url!, schema);
      }
    });
  },
);
