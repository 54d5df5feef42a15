import { Kysely, SqliteDialect, sql, type CompiledQuery, type Transaction } from 'kysely';
import type { Db } from './sqlite.js';
import type { DB } from './schema.js';

/**
 * The one storage seam. Every query goes through Kysely; a function that reads or writes takes a
 * `Conn`, which is the database itself or a transaction, so callers decide what runs together.
 */
export type Database = Kysely<DB>;
/** The database or a transaction on it: repositories accept either. */
export type Conn = Kysely<DB>;
export type { DB, Transaction };

export interface DatabaseOptions {
  /**
   * Tests turn this on: a SQLite transaction must finish within the tick that began it, because
   * every query is synchronous underneath. One still open when the event loop turns has awaited
   * something that is not the database (a fetch, a timer), which would hold every other request's
   * queries behind it; the guard throws (or hands the error to the given function) so the test
   * that did it fails.
   */
  guardTransactions?: boolean | ((error: Error) => void);
}

/** better-sqlite3 compiles every statement Kysely sends; reusing the compiled ones saves that work. */
const STATEMENT_CACHE_SIZE = 500;

function withStatementCache(sqlite: Db): Db {
  const cache = new Map<string, ReturnType<Db['prepare']>>();
  return new Proxy(sqlite, {
    get(target, property, receiver) {
      if (property !== 'prepare') return Reflect.get(target, property, receiver);
      return (text: string) => {
        let statement = cache.get(text);
        if (!statement) {
          statement = target.prepare(text);
          if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
          cache.set(text, statement);
        }
        return statement;
      };
    },
  });
}

interface TransactionState {
  savepoints: number;
  afterCommit: (() => unknown)[];
  open: boolean;
}

const transactions = new WeakMap<object, TransactionState>();
const guards = new WeakMap<object, (error: Error) => void>();
/** SQLite databases only: PostgreSQL commits each transaction on its own pooled connection. */
const batchers = new WeakMap<object, GroupCommit>();

/** What a SQLite database's group commit has done (the tests read it). */
export interface GroupCommitStats {
  /** Transactions committed: one per batch. */
  commits: number;
  /** Top-level transactions (`inTransaction` calls) those commits carried, failed ones included. */
  transactions: number;
  /** Batches whose commit (or the transaction itself) failed: every caller in them got the error. */
  failedBatches: number;
}

/** The group commit counters of `database`; undefined on PostgreSQL (it has no batches). */
export function groupCommitStats(database: Database): GroupCommitStats | undefined {
  const batcher = batchers.get(database);
  return batcher && { ...batcher.stats };
}

interface BatchItem {
  work: (trx: Conn) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The most top-level transactions one commit carries. */
const MAX_BATCH = 256;

/**
 * Group commit for SQLite. A top-level `inTransaction` does not get a transaction of its own: it
 * joins the batch of every top-level transaction asked for until the event loop's check phase
 * (all the requests the last poll read, and those that arrived while the previous commit's fsync
 * blocked the loop). The batch is ONE `BEGIN … COMMIT`, so one fsync with
 * synchronous=FULL; each caller's work runs in its own SAVEPOINT, one after the other, so a work
 * that throws rolls back its own writes only and gets its own error while its neighbours go on.
 * Every caller's promise settles only after the COMMIT returned (its afterCommit callbacks run
 * first, as before); when the COMMIT itself fails, or SQLite abandoned the transaction, every
 * caller of the batch gets the error and none of their writes remains.
 *
 * The batch begins and commits inside one macrotask (every work awaits only the database, whose
 * queries are synchronous underneath), so the transaction guard still holds, and nothing else can
 * slip a statement into the open transaction: Kysely's single connection is held throughout.
 */
class GroupCommit {
  readonly stats: GroupCommitStats = { commits: 0, transactions: 0, failedBatches: 0 };
  private pending: BatchItem[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Database,
    private readonly sqlite: Db,
    private readonly guard: ((error: Error) => void) | undefined,
  ) {}

  run<T>(work: (trx: Conn) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    // A bounded batch: a burst larger than this is committed in several, so one macrotask never
    // holds the event loop for the whole burst.
    const items = this.pending.splice(0, MAX_BATCH);
    if (this.pending.length > 0) setImmediate(() => void this.flush());
    else this.scheduled = false;
    this.stats.transactions += items.length;
    const done: { item: BatchItem; state: TransactionState; value: unknown }[] = [];
    const batchState: TransactionState = { savepoints: 0, afterCommit: [], open: true };
    try {
      await this.db.connection().execute(async (connection) => {
        if (this.guard) watchTransaction(batchState, new Error('transaction batch began here'), this.guard);
        // Deferred, as every transaction began before: the write lock is taken by the first write.
        // (BEGIN IMMEDIATE starved a second process sharing the file: arch-runs.test.ts.)
        await sql`begin`.execute(connection);
        try {
          for (const item of items) {
            const state: TransactionState = { savepoints: 0, afterCommit: [], open: true };
            // Its own Kysely object on the shared connection: nested transactions and afterCommit
            // callbacks belong to this caller alone.
            const trx = connection.withoutPlugins();
            transactions.set(trx, state);
            await sql`savepoint batch_item`.execute(connection);
            try {
              const value = await item.work(trx);
              await sql`release batch_item`.execute(connection);
              done.push({ item, state, value });
            } catch (error) {
              // A failure to roll back (SQLite already abandoned the transaction) fails the batch.
              await sql`rollback to batch_item`.execute(connection);
              await sql`release batch_item`.execute(connection);
              // It wrote nothing, so its error needs no commit to wait for.
              item.reject(error);
            } finally {
              state.open = false;
            }
          }
          await sql`commit`.execute(connection);
        } catch (error) {
          if (this.sqlite.inTransaction) await sql`rollback`.execute(connection);
          throw error;
        } finally {
          batchState.open = false;
        }
      });
    } catch (error) {
      this.stats.failedBatches++;
      // Nothing of this batch is on disk: no caller may be told otherwise (a caller whose work
      // already failed keeps its own error: a promise settles once).
      for (const item of items) item.reject(error);
      return;
    }
    this.stats.commits++;
    for (const { item, state, value } of done) {
      // As a lone transaction did: the caller resumes once its afterCommit callbacks finished.
      try {
        Promise.all(state.afterCommit.map((callback) => callback())).then(() => item.resolve(value), item.reject);
      } catch (error) {
        item.reject(error);
      }
    }
  }
}

export function createDatabase(sqlite: Db, options: DatabaseOptions = {}): Database {
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const guard = options.guardTransactions;
  const report = guard
    ? guard === true
      ? (error: Error) => {
          throw error;
        }
      : guard
    : undefined;
  if (report) guards.set(db, report);
  batchers.set(db, new GroupCommit(db, sqlite, report));
  return db;
}

export function isTransaction(conn: Conn): boolean {
  return transactions.has(conn);
}

/**
 * Runs `work` in a transaction on `conn`. Inside another transaction it becomes a savepoint, so a
 * failing inner step rolls back alone and the outer one decides. Wake-ups registered with
 * `afterCommit` run once the outermost transaction has committed, never after a rollback.
 */
export async function inTransaction<T>(conn: Conn, work: (trx: Conn) => Promise<T>): Promise<T> {
  const outer = transactions.get(conn);
  if (outer) {
    const name = sql.raw(`sp_${++outer.savepoints}`);
    await sql`savepoint ${name}`.execute(conn);
    try {
      const result = await work(conn);
      await sql`release ${name}`.execute(conn);
      return result;
    } catch (error) {
      await sql`rollback to ${name}`.execute(conn);
      await sql`release ${name}`.execute(conn);
      throw error;
    }
  }
  const batcher = batchers.get(conn);
  if (batcher) return batcher.run(work);
  const guard = guards.get(conn);
  const state: TransactionState = { savepoints: 0, afterCommit: [], open: true };
  const result = await conn.transaction().execute(async (trx) => {
    transactions.set(trx, state);
    if (guard) watchTransaction(state, new Error('transaction began here'), guard);
    try {
      return await work(trx);
    } finally {
      state.open = false;
    }
  });
  // A callback may return a promise (a service waiting, bounded, for the work a change starts):
  // the outermost transaction's caller resumes once those have finished.
  await Promise.all(state.afterCommit.map((callback) => callback()));
  return result;
}

/**
 * For a write that needs no transaction of its own (one statement, such as a worker settling its
 * lease) but must be on disk when it returns: on SQLite it joins the group commit, so it shares
 * the batch's one fsync instead of paying its own; on PostgreSQL it runs on `conn` as it is.
 */
export function commitGrouped<T>(conn: Conn, work: (conn: Conn) => Promise<T>): Promise<T> {
  const batcher = batchers.get(conn);
  return batcher ? batcher.run(work) : work(conn);
}

function watchTransaction(state: TransactionState, began: Error, report: (error: Error) => void): void {
  setImmediate(() => {
    if (!state.open) return;
    const error = new Error(
      'A SQLite transaction stayed open across an event-loop turn: it awaited something other than the database.',
    );
    error.stack = `${error.stack}\n${began.stack}`;
    report(error);
  });
}

/**
 * Runs `callback` once `conn`'s transaction commits; outside a transaction, now. A promise it
 * returns is awaited by the outermost `inTransaction` before it returns (outside one, it is the
 * caller's to await: it is returned).
 */
export function afterCommit(conn: Conn, callback: () => unknown): unknown {
  const state = transactions.get(conn);
  if (!state) return callback();
  state.afterCommit.push(callback);
  return undefined;
}

/**
 * A query built and compiled once per database (so per engine), then run with new arguments each
 * time: Kysely otherwise rebuilds the operation tree and compiles it to SQL on every call, which
 * on a primary-key lookup costs as much as running it. `build` gets one stand-in per argument and
 * must use each as a bound value (`.where('id', '=', id)`), never as a table, column or anything
 * else that changes the SQL text (checked on the first call). Runs on the database or a transaction alike.
 */
export function prepared<Args extends unknown[], Row>(
  build: (db: Conn, ...args: Args) => { compile(): CompiledQuery<Row> },
): (conn: Conn, ...args: Args) => Promise<Row[]> {
  // Per adapter: a transaction shares its database's; two databases (tests) each compile their own.
  const compiled = new WeakMap<object, { query: CompiledQuery<Row>; slots: (number | undefined)[] }>();
  return async (conn, ...args) => {
    const adapter = conn.getExecutor().adapter;
    let entry = compiled.get(adapter);
    if (!entry) {
      const stand = args.map((_, i) => `\u0000prepared-argument-${i}-${Math.random()}`);
      const query = build(conn, ...(stand as Args)).compile();
      const slots = query.parameters.map((p) => {
        const i = stand.indexOf(p as string);
        return i === -1 ? undefined : i;
      });
      if (
        new Set(slots.filter((s) => s !== undefined)).size !== args.length ||
        stand.some((s) => query.sql.includes(s))
      ) {
        throw new Error('prepared(): every argument must be bound as a value, never written into the SQL');
      }
      entry = { query, slots };
      compiled.set(adapter, entry);
    }
    const { query, slots } = entry;
    const parameters = slots.map((slot, i) => (slot === undefined ? query.parameters[i] : args[slot]));
    const result = await conn.executeQuery<Row>({ ...query, parameters });
    return result.rows;
  };
}

/** A UNIQUE or PRIMARY KEY violation on either engine (the caller turns it into a conflict). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** SQLite and PostgreSQL both count changed rows; Kysely reports them as bigint. */
export function changed(result: {
  numAffectedRows?: bigint;
  numUpdatedRows?: bigint;
  numDeletedRows?: bigint;
}): number {
  return Number(result.numAffectedRows ?? result.numUpdatedRows ?? result.numDeletedRows ?? 0n);
}
