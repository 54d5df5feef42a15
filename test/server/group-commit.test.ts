import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import {
  afterCommit,
  groupCommitStats,
  inTransaction,
  type GroupCommitStats,
} from '../../src/server/platform/db/index.js';
import { rawRow, rawRows, rawRun, TEST_ENGINE } from '../helpers/engine.js';
import { type Api, startOpsApi, type OpsApi } from './support.js';

/**
 * Group commit (issue 17): on SQLite the top-level transactions asked for together share one
 * BEGIN … COMMIT (one fsync), each in its own savepoint, and every caller is answered only after
 * that commit. PostgreSQL commits each transaction on its own pooled connection (its WAL flush
 * already serves every commit waiting for it): the same requests must behave the same there.
 */
let served: OpsApi;
let api: Api;
before(async () => {
  served = await startOpsApi();
  api = served.api;
});
after(() => served.dispose());

const EVENT = 'Fulfillment Updated';
const sqlite = TEST_ENGINE === 'sqlite';

function stats(): GroupCommitStats | undefined {
  return groupCommitStats(api.server.storage.database);
}

/** Rows committed, read through a second connection (SQLite: a read-only handle on the file). */
async function committed<T>(text: string, ...params: unknown[]): Promise<T[]> {
  if (!sqlite) return rawRows<T>(api.server, text, ...params);
  const reader = new Database(path.join(api.server.dataDir, 'alloy.db'), { readonly: true });
  try {
    return reader.prepare(text).all(...params) as T[];
  } finally {
    reader.close();
  }
}

function fire(userId: string, key: string, data: unknown) {
  return api.call('POST', '/run/event', { body: { event: EVENT, userId, data }, headers: { 'idempotency-key': key } });
}

async function keyRow(key: string) {
  return rawRow<{ status: number }>(api.server, 'SELECT status FROM idempotency_keys WHERE key = ?', key);
}

describe('group commit of POST /run/event', () => {
  test('requests arriving together share commits, and each 2xx is already on disk', async () => {
    const userId = await api.createUser('batched');
    const before = stats();
    const count = 24;
    const answers = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const response = await fire(userId, `batched-${i}`, { orderId: String(i), status: 'PAID' });
        // Checked the moment this answer arrives, through another connection: committed already.
        const onDisk = await committed<{ id: string }>(
          'SELECT id FROM run_queue WHERE id = ?',
          response.json().eventId,
        );
        return { status: response.statusCode, body: response.body, onDisk: onDisk.length };
      }),
    );
    for (const answer of answers) {
      assert.equal(answer.status, 200, answer.body);
      assert.equal(answer.onDisk, 1);
    }
    if (sqlite) {
      const now = stats()!;
      assert.ok(now.transactions - before!.transactions >= count);
      // Fewer commits than requests: they shared transactions (and their fsyncs).
      assert.ok(now.commits - before!.commits < count, JSON.stringify({ before, now }));
    } else {
      assert.equal(stats(), undefined);
    }
  });

  test('a neighbour that fails rolls back alone: the others get their 2xx and their rows', async () => {
    const userId = await api.createUser('neighbours');
    const before = stats();
    const good = Array.from({ length: 8 }, (_, i) => fire(userId, `good-${i}`, { orderId: String(i), status: 'PAID' }));
    // Both fail after their Idempotency-Key was claimed (written) in the shared transaction.
    const invalid = fire(userId, 'bad-data', { orderId: 7 });
    const unknownUser = fire('000000000000000000000000', 'bad-user', { orderId: '1', status: 'PAID' });
    const [answers, bad, missing] = await Promise.all([Promise.all(good), invalid, unknownUser]);
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(missing.statusCode, 404, missing.body);
    for (const answer of answers) assert.equal(answer.statusCode, 200, answer.body);
    const ids = answers.map((answer) => answer.json().eventId as string);
    const rows = await committed<{ id: string }>('SELECT id FROM run_queue WHERE user_id = ?', userId);
    assert.deepEqual(rows.map((row) => row.id).sort(), [...ids].sort());
    for (let i = 0; i < 8; i++) assert.equal((await keyRow(`good-${i}`))?.status, 200);
    // The failed requests' claims were rolled back with their savepoints: a retry may run.
    assert.equal(await keyRow('bad-data'), undefined);
    assert.equal(await keyRow('bad-user'), undefined);
    if (sqlite) {
      const now = stats()!;
      assert.ok(now.commits - before!.commits < 10, JSON.stringify({ before, now }));
      assert.equal(now.failedBatches, before!.failedBatches);
    }
    // The retry with valid data is a first attempt, not a replay of the failure.
    const retried = await fire(userId, 'bad-data', { orderId: '7', status: 'PAID' });
    assert.equal(retried.statusCode, 200, retried.body);
  });

  test('a replay in the same batch gets the identical answer; another body under the key is a 422', async () => {
    const userId = await api.createUser('replayed');
    const body = { orderId: '42', status: 'PAID' };
    const [first, second, other] = await Promise.all([
      fire(userId, 'twice', body),
      fire(userId, 'twice', body),
      fire(userId, 'twice', { orderId: '43', status: 'PAID' }),
    ]);
    // SQLite's batch runs them in arrival order; on PostgreSQL they race, and either body may take
    // the key first: its requests get one identical 200, the other body a 422.
    const sameBodyWon = first.statusCode === 200;
    if (sqlite) assert.ok(sameBodyWon, first.body);
    const [winners, losers] = sameBodyWon ? [[first, second], [other]] : [[other], [first, second]];
    for (const winner of winners) assert.equal(winner.statusCode, 200, winner.body);
    assert.equal(winners.at(-1)!.body, winners[0]!.body);
    for (const loser of losers) {
      assert.equal(loser.statusCode, 422, loser.body);
      assert.equal(loser.json().error.code, 'idempotency_conflict');
    }
    const rows = await committed<{ id: string }>('SELECT id FROM run_queue WHERE user_id = ?', userId);
    assert.deepEqual(
      rows.map((row) => row.id),
      [winners[0]!.json().eventId],
    );
  });

  test('a commit that fails fails every request of its batch: none is answered 2xx', async () => {
    const userId = await api.createUser('doomed');
    // A deferred foreign key is checked at COMMIT: the poisoned event's row makes the commit fail.
    await rawRun(api.server, 'CREATE TABLE gc_parent (id TEXT PRIMARY KEY)');
    await rawRun(
      api.server,
      'CREATE TABLE gc_child (id TEXT PRIMARY KEY, parent TEXT REFERENCES gc_parent (id) DEFERRABLE INITIALLY DEFERRED)',
    );
    if (sqlite) {
      await rawRun(
        api.server,
        `CREATE TRIGGER gc_poison AFTER INSERT ON run_queue WHEN NEW.payload LIKE '%poison%'
         BEGIN INSERT INTO gc_child VALUES (NEW.id, 'missing'); END`,
      );
    } else {
      await rawRun(
        api.server,
        `CREATE FUNCTION gc_poison() RETURNS trigger AS $$ BEGIN
           IF NEW.payload LIKE '%poison%' THEN INSERT INTO gc_child VALUES (NEW.id, 'missing'); END IF;
           RETURN NEW; END $$ LANGUAGE plpgsql`,
      );
      await rawRun(
        api.server,
        'CREATE TRIGGER gc_poison AFTER INSERT ON run_queue FOR EACH ROW EXECUTE FUNCTION gc_poison()',
      );
    }
    try {
      const before = stats();
      const [poisoned, ...others] = await Promise.all([
        fire(userId, 'poison', { orderId: 'poison', status: 'PAID' }),
        ...Array.from({ length: 6 }, (_, i) => fire(userId, `bystander-${i}`, { orderId: String(i), status: 'PAID' })),
      ]);
      assert.equal(poisoned.statusCode, 500, poisoned.body);
      assert.equal(await keyRow('poison'), undefined);
      const rows = await committed<{ id: string }>('SELECT id FROM run_queue WHERE user_id = ?', userId);
      if (sqlite) {
        // One batch, one failed commit: nobody in it was told its event was accepted.
        for (const other of others) assert.equal(other.statusCode, 500, other.body);
        assert.deepEqual(rows, []);
        for (let i = 0; i < 6; i++) assert.equal(await keyRow(`bystander-${i}`), undefined);
        assert.equal(stats()!.failedBatches, before!.failedBatches + 1);
      } else {
        // PostgreSQL: every request its own transaction, so the failed commit is the poisoned one's.
        for (const other of others) assert.equal(other.statusCode, 200, other.body);
        assert.equal(rows.length, 6);
      }
    } finally {
      if (sqlite) await rawRun(api.server, 'DROP TRIGGER gc_poison');
      else {
        await rawRun(api.server, 'DROP TRIGGER gc_poison ON run_queue');
        await rawRun(api.server, 'DROP FUNCTION gc_poison()');
      }
      await rawRun(api.server, 'DROP TABLE gc_child');
      await rawRun(api.server, 'DROP TABLE gc_parent');
    }
    // The next batch commits as usual.
    const later = await fire(userId, 'after-the-failure', { orderId: '1', status: 'PAID' });
    assert.equal(later.statusCode, 200, later.body);
  });
});

describe('group commit at the storage seam', () => {
  test('each caller resumes after the commit, with its own afterCommit callbacks; a thrower rolls back alone', async () => {
    const database = api.server.storage.database;
    await rawRun(api.server, 'CREATE TABLE gc_seam (id INTEGER PRIMARY KEY)');
    try {
      const before = stats();
      const seen: string[] = [];
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          inTransaction(database, async (trx) => {
            await trx
              .insertInto('gc_seam' as never)
              .values({ id: i } as never)
              .execute();
            // A nested transaction is a savepoint inside this caller's own one.
            await inTransaction(trx, async (inner) => {
              await inner
                .insertInto('gc_seam' as never)
                .values({ id: 100 + i } as never)
                .execute();
            });
            afterCommit(trx, () => seen.push(`committed ${i}`));
            if (i === 3) throw new Error('caller 3 fails');
            return i;
          }).then((value) => {
            // SQLite: when a caller resumes, its batch's transaction is over and was committed.
            if (sqlite) {
              assert.equal(api.server.storage.sqlite!.inTransaction, false);
              assert.ok(stats()!.commits > before!.commits);
            }
            seen.push(`resumed ${value}`);
            return value;
          }),
        ),
      );
      assert.deepEqual(
        outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)),
        [0, 1, 2, 'caller 3 fails', 4, 5],
      );
      for (const i of [0, 1, 2, 4, 5]) assert.ok(seen.indexOf(`committed ${i}`) < seen.indexOf(`resumed ${i}`));
      assert.ok(!seen.includes('committed 3'));
      const ids = (await committed<{ id: number }>('SELECT id FROM gc_seam ORDER BY id')).map((row) => row.id);
      assert.deepEqual(ids, [0, 1, 2, 4, 5, 100, 101, 102, 104, 105]);
      if (sqlite) {
        const now = stats()!;
        assert.ok(now.commits - before!.commits < 6, JSON.stringify({ before, now }));
      }
    } finally {
      await rawRun(api.server, 'DROP TABLE gc_seam');
    }
  });
});
