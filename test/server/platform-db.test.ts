import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  afterCommit,
  createDatabase,
  inTransaction,
  isUniqueViolation,
  openDatabase,
  prepared,
  type Database,
  type Db,
} from '../../src/server/platform/db/index.js';

describe('the storage seam', () => {
  let dir: string;
  let sqlite: Db;
  let db: Database;
  const guardReports: Error[] = [];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-db-'));
    sqlite = openDatabase(dir);
    db = createDatabase(sqlite, { guardTransactions: (error) => guardReports.push(error) });
  });
  after(() => {
    sqlite.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const setting = async (key: string) =>
    (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;

  test('a prepared query runs with each call’s arguments, on the database and in a transaction', async () => {
    const byPrefix = prepared((conn, low: string, high: string) =>
      conn
        .selectFrom('settings')
        .select(['key', 'value'])
        .where('key', '>=', low)
        .where('key', '<', high)
        .orderBy('key'),
    );
    await db
      .insertInto('settings')
      .values([
        { key: 'p:a', value: '1' },
        { key: 'p:b', value: '2' },
        { key: 'q:a', value: '3' },
      ])
      .execute();
    assert.deepEqual(await byPrefix(db, 'p:', 'p;'), [
      { key: 'p:a', value: '1' },
      { key: 'p:b', value: '2' },
    ]);
    assert.deepEqual(await byPrefix(db, 'q:', 'q;'), [{ key: 'q:a', value: '3' }]);
    await inTransaction(db, async (trx) => {
      await trx.insertInto('settings').values({ key: 'q:b', value: '4' }).execute();
      assert.deepEqual((await byPrefix(trx, 'q:', 'q;')).length, 2, 'sees its transaction’s own writes');
    });
    const asColumn = prepared((conn, column: string) =>
      conn.selectFrom('settings').select('key').where(sql.ref(column), '=', 'x'),
    );
    await assert.rejects(asColumn(db, 'key'), /never written into the SQL/);
  });

  test('a failing nested step rolls back to its savepoint; the outer transaction commits the rest', async () => {
    await inTransaction(db, async (trx) => {
      await trx.insertInto('settings').values({ key: 'outer', value: '1' }).execute();
      await assert.rejects(
        inTransaction(trx, async (inner) => {
          await inner.insertInto('settings').values({ key: 'inner', value: '1' }).execute();
          throw new Error('inner step fails');
        }),
        /inner step fails/,
      );
    });
    assert.equal(await setting('outer'), '1');
    assert.equal(await setting('inner'), undefined);
  });

  test('afterCommit runs after the commit, never after a rollback', async () => {
    const seen: string[] = [];
    await inTransaction(db, async (trx) => {
      await trx.insertInto('settings').values({ key: 'woken', value: '1' }).execute();
      afterCommit(trx, () => seen.push('committed'));
      assert.deepEqual(seen, [], 'not before the commit');
    });
    await assert.rejects(
      inTransaction(db, async (trx) => {
        afterCommit(trx, () => seen.push('rolled back'));
        throw new Error('no');
      }),
    );
    assert.deepEqual(seen, ['committed']);
  });

  test('a unique violation is recognised as one', async () => {
    const error = await db
      .insertInto('settings')
      .values({ key: 'outer', value: '2' })
      .execute()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.equal(isUniqueViolation(error), true);
    assert.equal(isUniqueViolation(new Error('other')), false);
  });

  test('the guard fails a transaction that awaits something other than the database', async () => {
    await inTransaction(db, async (trx) => {
      await sql`select 1`.execute(trx);
    });
    assert.equal(guardReports.length, 0, 'awaiting only the database is fine');
    await inTransaction(db, async (trx) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await sql`select 1`.execute(trx);
    });
    assert.equal(guardReports.length, 1);
    assert.match(guardReports[0]!.message, /awaited something other than the database/);
  });
});
