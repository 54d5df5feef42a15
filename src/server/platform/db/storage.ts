import { PostgresAdapter, sql } from 'kysely';
import pg from 'pg';
import { afterCommit, createDatabase, type Conn, type Database } from './database.js';
import type { Engine } from './migrations.js';
import { openPostgres } from './postgres.js';
import { openDatabase, type Db } from './sqlite.js';

export type { Engine };

export interface StorageOptions {
  /** SQLite: the data dir that holds `alloy.db`. */
  dataDir: string;
  /** `postgres://…` selects PostgreSQL; absent, SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PostgreSQL: connections in this node's pool. */
  poolSize?: number | undefined;
  /** PostgreSQL: the schema (tests give every server a fresh one). */
  schema?: string | undefined;
  /** SQLite: fail a transaction that stays open across an event-loop turn (the tests). */
  guardTransactions?: boolean;
}

/**
 * The database behind the seam and what only the engine can do: erase traces after a deletion,
 * a lock that one node at a time holds, and wake-ups that reach every node.
 */
export interface Storage {
  readonly engine: Engine;
  readonly database: Database;
  /** SQLite's raw handle (the server's own opening and the tests); undefined on PostgreSQL. */
  readonly sqlite: Db | undefined;
  /**
   * After secrets or personal data were deleted. SQLite: the WAL is folded back and truncated
   * (`secure_delete` already overwrote the freed pages). PostgreSQL: nothing can be done from here;
   * dead tuples go at the next vacuum, and WAL archives, replicas and backups are the operator's
   * (docs/operations.md says what they keep).
   */
  eraseTraces(): Promise<void>;
  /**
   * Runs `work` only when this node gets the lock named `name`, and says whether it ran. At most
   * one node (and one caller in it) holds a name at a time; the others skip, not wait: the work is
   * one that any node may do (a retention pass, a start-up sync).
   */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  /**
   * Runs `work` holding the lock `name` on every node: a caller elsewhere waits its turn (up to
   * `timeoutMs`, then this throws). For work that must never run twice at once, such as spending a
   * rotating OAuth refresh token.
   */
  withLock<T>(name: string, work: () => Promise<T>, timeoutMs?: number): Promise<T>;
  /**
   * Wakes the listeners of `channel` on every node once `conn`'s transaction commits (never after a
   * rollback). SQLite has one process: the listeners in it are called after the commit.
   */
  notify(conn: Conn, channel: string, payload?: string): Promise<void>;
  /** Calls `listener` for each notification on `channel`, from any node (this one included). */
  listen(channel: string, listener: (payload: string) => void): Promise<void>;
  close(): Promise<void>;
}

export function engineOf(conn: Conn): Engine {
  return conn.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

export async function openStorage(options: StorageOptions): Promise<Storage> {
  if (options.databaseUrl) {
    const opened = await openPostgres({
      url: options.databaseUrl,
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    });
    return new PostgresStorage(opened.database, options.databaseUrl, options.schema);
  }
  const sqlite = openDatabase(options.dataDir);
  return new SqliteStorage(sqlite, createDatabase(sqlite, { guardTransactions: options.guardTransactions ?? false }));
}

type Listener = (payload: string) => void;

/** Channel names are identifiers in LISTEN: kept to a safe alphabet. */
function checkChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`Invalid notification channel: ${channel}`);
  return channel;
}

/** Callers of one lock name in this process, one after another. */
class LocalQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(name) ?? Promise.resolve();
    const mine = before.then(work, work);
    const tail = mine.catch(() => undefined);
    this.tails.set(name, tail);
    try {
      return await mine;
    } finally {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    }
  }
}

const LOCK_POLL_MS = 20;
const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

class SqliteStorage implements Storage {
  readonly engine = 'sqlite' as const;
  private readonly queue = new LocalQueue();
  private readonly held = new Set<string>();
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Notifications committed and about to be delivered (channel and payload). */
  private readonly due = new Set<string>();

  constructor(
    readonly sqlite: Db,
    readonly database: Database,
  ) {}

  async eraseTraces(): Promise<void> {
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(this.database);
  }

  async exclusive<T>(name: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    // One process owns the file: an in-process flag is the whole lock.
    if (this.held.has(name)) return { ran: false };
    this.held.add(name);
    try {
      return { ran: true, value: await work() };
    } finally {
      this.held.delete(name);
    }
  }

  withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.queue.run(name, work);
  }

  async notify(conn: Conn, channel: string, payload = ''): Promise<void> {
    checkChannel(channel);
    afterCommit(conn, () => {
      // Like PostgreSQL within one transaction, the same notification raised by every caller of
      // one group commit reaches the listeners once (they run after the batch's callbacks).
      const key = `${channel}\n${payload}`;
      if (this.due.has(key)) return;
      this.due.add(key);
      queueMicrotask(() => {
        this.due.delete(key);
        for (const listener of this.listeners.get(channel) ?? []) listener(payload);
      });
    });
  }

  async listen(channel: string, listener: Listener): Promise<void> {
    const set = this.listeners.get(checkChannel(channel)) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
  }

  async close(): Promise<void> {
    // The handle itself, not through Kysely's driver: its statement cache wraps the handle.
    this.sqlite.close();
  }
}

/**
 * PostgreSQL: the pool serves queries; one more connection per node, outside the pool, holds
 * session advisory locks and LISTENs, so a pool of one never waits on its own lock holder.
 */
class PostgresStorage implements Storage {
  readonly engine = 'postgres' as const;
  readonly sqlite = undefined;
  private readonly queue = new LocalQueue();
  private readonly held = new Set<string>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private control: Promise<pg.Client> | undefined;
  private closed = false;

  constructor(
    readonly database: Database,
    private readonly url: string,
    private readonly schema: string | undefined,
  ) {}

  async eraseTraces(): Promise<void> {
    // See the interface: nothing this node can do reaches WAL archives, replicas or backups.
  }

  async exclusive<T>(name: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    // Session locks are re-entrant within a session: the in-process set keeps two callers apart.
    if (this.held.has(name)) return { ran: false };
    this.held.add(name);
    try {
      const client = await this.controlClient();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        this.lockName(name),
      ]);
      if (!rows[0]?.locked) return { ran: false };
      try {
        return { ran: true, value: await work() };
      } finally {
        // A dropped control connection already released the lock with its session.
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [this.lockName(name)]).catch(() => undefined);
      }
    } finally {
      this.held.delete(name);
    }
  }

  withLock<T>(name: string, work: () => Promise<T>, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): Promise<T> {
    // In this process callers queue; across nodes the advisory lock decides. It is taken with
    // try-and-wait on the control connection, never a blocking pg_advisory_lock that would hold
    // that shared connection (and every other lock and notification on it) while waiting.
    return this.queue.run(`lock:${name}`, async () => {
      const key = this.lockName(`lock:${name}`);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const client = await this.controlClient();
        const { rows } = await client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
          [key],
        );
        if (rows[0]?.locked) {
          try {
            return await work();
          } finally {
            await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
          }
        }
        if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for the lock ${name}`);
        await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      }
    });
  }

  async notify(conn: Conn, channel: string, payload = ''): Promise<void> {
    // Inside the enqueuing transaction: delivered at its commit (every node hears it) and dropped
    // on rollback. A transaction that ran NOTIFY holds a database-wide lock while it commits, so
    // such commits queue behind each other; sent after the commit instead, the bench's intake rate
    // did not change measurably (group-commit branch, WAL syncs per commit 0.8 → 0.45), so the
    // wake-up stays transactional.
    await sql`SELECT pg_notify(${this.channelName(channel)}, ${payload})`.execute(conn);
  }

  async listen(channel: string, listener: Listener): Promise<void> {
    const set = this.listeners.get(checkChannel(channel)) ?? new Set();
    const first = set.size === 0;
    set.add(listener);
    this.listeners.set(channel, set);
    if (first) {
      const client = await this.controlClient();
      await client.query(`LISTEN ${this.channelName(channel)}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const control = await this.control?.catch(() => undefined);
    await control?.end().catch(() => undefined);
    await this.database.destroy();
  }

  /** Locks and channels are per schema, so servers on separate schemas of one database (the tests) stay apart. */
  private lockName(name: string): string {
    return `${this.schema ?? 'public'}:${name}`;
  }

  private channelName(channel: string): string {
    return checkChannel(this.schema ? `${this.schema}_${channel}` : channel);
  }

  /** The control connection, made on first use and again after it drops (channels re-listened). */
  private controlClient(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('The storage is closed.'));
    this.control ??= (async () => {
      const client = new pg.Client({ connectionString: this.url, application_name: 'alloy-embedded-control' });
      const drop = () => {
        if (this.control === current) this.control = undefined;
      };
      client.on('error', drop);
      client.on('end', drop);
      client.on('notification', (message) => {
        const channel = this.schema ? message.channel.slice(this.schema.length + 1) : message.channel;
        for (const listener of this.listeners.get(channel) ?? []) listener(message.payload ?? '');
      });
      await client.connect();
      for (const channel of this.listeners.keys()) await client.query(`LISTEN ${this.channelName(channel)}`);
      return client;
    })();
    const current = this.control;
    // A failed connect is forgotten, so the next call tries again.
    current.catch(() => {
      if (this.control === current) this.control = undefined;
    });
    return current;
  }
}
