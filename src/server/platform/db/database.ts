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

export function createDatabase(sqlite: Db, options: DatabaseOptions = {}): Database {
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const guard = options.guardTransactions;
  if (guard) {
    guards.set(
      db,
      guard === true
        ? (error) => {
            throw error;
          }
        : guard,
    );
  }
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
