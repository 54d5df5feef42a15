import { createHash } from 'node:crypto';
import { inTransaction, nowIso, type Conn, type Database } from '../platform/db/index.js';
import { DomainError } from '../platform/errors.js';
import {
  claimKey,
  completeKey,
  deleteKeysBefore,
  findKey,
  PENDING_STATUS,
  releaseKey,
  takeOverKey,
} from './idempotency-repository.js';

export interface StoredResponse<T> {
  status: number;
  body: T;
}

/**
 * Where the work of an idempotent route runs:
 * - `transaction`: the key is inserted first, the work runs and the answer is stored, all in ONE
 *   transaction: a crash leaves neither the work nor the key, so the client's retry runs it once.
 *   The work must use the `conn` it is given and await nothing but the database.
 * - `outside`: for work that must await the network while it runs (no route needs it today:
 *   network work after the writes goes in the route's `after`). The key is inserted (committed)
 *   as pending first, the work runs, then the answer is stored; a repeat meanwhile is a 409; a
 *   failed attempt releases the key. A pending key whose process died is taken over after
 *   PENDING_TIMEOUT_MS, so such work must be safe to repeat.
 */
export type IdempotencyMode = 'transaction' | 'outside';

/** How long a pending key holds off repeats before another request may take it over. */
export const PENDING_TIMEOUT_MS = 120_000;

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentRequest {
  scope: string;
  /** The `Idempotency-Key` header; without one the work simply runs. */
  key: string | undefined;
  /** What a repeat must send again to get the stored answer (another body is a 422). */
  requestBody: unknown;
  mode: IdempotencyMode;
}

/**
 * Runs `work` once per (scope, key). A repeat with the same body gets the stored answer; a repeat
 * with another body is a 422 `idempotency_conflict`; a repeat while the first is still running
 * is a 409 `conflict` (retry later). The key is inserted first (INSERT … ON CONFLICT DO NOTHING),
 * so two requests never both run the work, on SQLite or on an engine with parallel writers.
 */
export async function runIdempotent<T>(
  database: Database,
  request: IdempotentRequest,
  work: (conn: Conn) => Promise<StoredResponse<T>>,
): Promise<StoredResponse<T>> {
  const { scope, key } = request;
  if (key === undefined) return work(database);
  if (!KEY_PATTERN.test(key)) {
    throw new DomainError('bad_request', 'Idempotency-Key must be 1-255 visible ASCII characters.');
  }
  const requestHash = createHash('sha256')
    .update(JSON.stringify(request.requestBody ?? null))
    .digest('hex');
  const claim = { scope, key, requestHash, now: nowIso() };

  if (request.mode === 'transaction') {
    return inTransaction(database, async (trx) => {
      if (!(await claimKey(trx, claim))) return replay<T>(trx, claim, false);
      const result = await work(trx);
      await completeKey(trx, scope, key, { status: result.status, response: JSON.stringify(result.body) });
      return result;
    });
  }

  if (!(await claimKey(database, claim))) {
    const answer = await replay<T>(database, claim, true);
    if (answer) return answer;
  }
  let result: StoredResponse<T>;
  try {
    result = await work(database);
  } catch (error) {
    await releaseKey(database, scope, key);
    throw error;
  }
  await completeKey(database, scope, key, { status: result.status, response: JSON.stringify(result.body) });
  return result;
}

/**
 * The stored answer for a key that already has a row. A pending row is a 409, unless `takeOver`
 * allows claiming one left by a dead process (then undefined: the caller runs the work).
 */
async function replay<T>(
  conn: Conn,
  claim: { scope: string; key: string; requestHash: string; now: string },
  takeOver: true,
): Promise<StoredResponse<T> | undefined>;
async function replay<T>(
  conn: Conn,
  claim: { scope: string; key: string; requestHash: string; now: string },
  takeOver: false,
): Promise<StoredResponse<T>>;
async function replay<T>(
  conn: Conn,
  claim: { scope: string; key: string; requestHash: string; now: string },
  takeOver: boolean,
): Promise<StoredResponse<T> | undefined> {
  const previous = await findKey(conn, claim.scope, claim.key);
  if (!previous) {
    // Released between our insert and this read: the other attempt failed; the client retries.
    throw new DomainError('conflict', 'A request with this Idempotency-Key was running; retry it.');
  }
  if (previous.requestHash !== claim.requestHash) {
    throw new DomainError('idempotency_conflict', 'This Idempotency-Key was already used with a different body.');
  }
  if (previous.status !== PENDING_STATUS) {
    return { status: previous.status, body: JSON.parse(previous.response) as T };
  }
  const stale = Date.parse(previous.createdAt) < Date.parse(claim.now) - PENDING_TIMEOUT_MS;
  if (takeOver && stale && (await takeOverKey(conn, claim.scope, claim.key, previous.createdAt, claim.now))) {
    return undefined;
  }
  throw new DomainError('conflict', 'A request with this Idempotency-Key is still running; retry it later.');
}

/** Retention: forgets at most `limit` keys claimed before `cutoff`, in one statement; how many. */
export function pruneIdempotencyKeys(conn: Conn, cutoff: string, limit: number): Promise<number> {
  return deleteKeysBefore(conn, cutoff, limit);
}
