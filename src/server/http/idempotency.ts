import { createHash } from 'node:crypto';
import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import { DomainError } from '../platform/errors.js';
import { inTransaction, type Database, type Conn } from '../platform/db/index.js';

export interface StoredResponse<T> {
  status: number;
  body: T;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

function requestHash(key: string, requestBody: unknown): string {
  if (!KEY_PATTERN.test(key)) {
    throw new DomainError('bad_request', 'Idempotency-Key must be 1-255 visible ASCII characters.');
  }
  return createHash('sha256')
    .update(JSON.stringify(requestBody ?? null))
    .digest('hex');
}

/**
 * Runs `work` once per (scope, key). A repeat with the same body gets the stored answer; a
 * repeat with another body is a 422. better-sqlite3 is synchronous, so the check, the work and
 * the record happen in one transaction and parallel duplicates cannot both run.
 */
export function runIdempotent<T>(
  db: Db,
  scope: string,
  key: string | undefined,
  requestBody: unknown,
  work: () => StoredResponse<T>,
): StoredResponse<T> {
  if (key === undefined) return work();
  const hash = requestHash(key, requestBody);
  return db.transaction(() => {
    const previous = db
      .prepare('SELECT request_hash, status, response FROM idempotency_keys WHERE scope = ? AND key = ?')
      .get(scope, key) as { request_hash: string; status: number; response: string } | undefined;
    if (previous) {
      if (previous.request_hash !== hash) {
        throw new DomainError('idempotency_conflict', 'This Idempotency-Key was already used with a different body.');
      }
      return { status: previous.status, body: JSON.parse(previous.response) as T };
    }
    const result = work();
    db.prepare(
      'INSERT INTO idempotency_keys (scope, key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(scope, key, hash, result.status, JSON.stringify(result.body), nowIso());
    return result;
  })();
}

/**
 * `runIdempotent` for async work on the storage seam: the lookup, `work` (given the transaction,
 * which it must use for every query) and the record run in one transaction, so parallel duplicates
 * cannot both run. Wake-ups `work` registers with `afterCommit` run, and are waited for, once it
 * commits.
 * TODO(i15): the http helper's idempotency rework (insert the key first) replaces both versions.
 */
export async function runIdempotentAsync<T>(
  database: Database,
  scope: string,
  key: string | undefined,
  requestBody: unknown,
  work: (trx: Conn) => Promise<StoredResponse<T>>,
): Promise<StoredResponse<T>> {
  if (key === undefined) return work(database);
  const hash = requestHash(key, requestBody);
  return inTransaction(database, async (trx) => {
    const previous = await trx
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'status', 'response'])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    if (previous) {
      if (previous.request_hash !== hash) {
        throw new DomainError('idempotency_conflict', 'This Idempotency-Key was already used with a different body.');
      }
      return { status: previous.status, body: JSON.parse(previous.response) as T };
    }
    const result = await work(trx);
    await trx
      .insertInto('idempotency_keys')
      .values({
        scope,
        key,
        request_hash: hash,
        status: result.status,
        response: JSON.stringify(result.body),
        created_at: nowIso(),
      })
      .execute();
    return result;
  });
}
