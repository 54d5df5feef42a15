import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { sql, type RawBuilder } from 'kysely';
import { changed, engineOf, type Conn, type DB } from './db/index.js';

type Awaitable<T> = T | Promise<T>;

/** A table of leased work items, as the worker sees it (sync or async: either is awaited). */
export interface LeasedSource<T extends { id: string }> {
  claim(owner: string, limit: number, leaseMs: number): Awaitable<T[]>;
  renew(id: string, owner: string, leaseMs: number): Awaitable<boolean>;
  recoverExpired(): Awaitable<number>;
  /** When the next item becomes due, in ms since the epoch; with `after`, the first due later than that. */
  nextDueAt(after?: number): Awaitable<number | undefined>;
}

/**
 * The shape of a leased table, for the shared lease SQL below: which column groups rows into
 * tenants (each tenant holds at most `tenantLimit` live leases, across every worker), which
 * column says when a waiting row is due, and the two statuses (waiting, leased). The table needs
 * `id`, `status`, `attempts`, `lease_owner`, `lease_expires_at`, `updated_at`, and an index on
 * (status, tenant, due) for the walk (run_queue_tenant_due, outbound_deliveries_target_due).
 */
export interface LeaseTable {
  table: keyof DB;
  tenant: string;
  due: string;
  waiting: string;
  leased: string;
}

export interface LeaseClaim {
  owner: string;
  /** The most rows this claim takes. */
  limit: number;
  leaseMs: number;
  /** ms since the epoch: pins the clock (tests travel in time with it); absent, see leaseClock. */
  now?: number;
  /** The most live leases one tenant may hold, by every worker together. */
  tenantLimit: number;
  /** The walk over tenants starts after this one and wraps round ('' for the start). */
  after?: string;
  /** How many tenants below their cap one claim looks at (its cost is about one index seek each). */
  walk?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The instant lease SQL compares against, `plusMs` later, as ISO text (the columns' format).
 * Pinned when the caller passes a time. Otherwise, on PostgreSQL, the database's clock (the
 * statement's start): every node leases by that one clock whatever its own says, so a node whose
 * clock runs ahead cannot take over a lease that has not run out, nor one that lags hold a row
 * past its lease. SQLite has one process, whose clock it is.
 */
export function leaseClock(conn: Conn, pinned?: number, plusMs = 0): RawBuilder<string> {
  if (pinned !== undefined) return sql<string>`${iso(pinned + plusMs)}`;
  if (engineOf(conn) !== 'postgres') return sql<string>`${iso(Date.now() + plusMs)}`;
  const later = sql`${sql.lit(Math.round(plusMs))} * interval '1 millisecond'`;
  return sql<string>`to_char((statement_timestamp() + ${later}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * Leases up to `limit` due rows (waiting ones whose time has come, leased ones whose lease
 * expired), fairly between tenants, in ONE statement: `UPDATE … WHERE id IN (SELECT due rows,
 * fair per tenant) AND <still due, checked on the row> RETURNING *`, so two workers (two
 * processes) claiming at once never lease the same row, and neither acts on a count the other
 * is changing. `held` is each tenant's live leases, by any worker. `onward` steps through the
 * tenants with due rows in tenant order, one index seek each, from after `after`, and `wrapped`
 * round from the start, until `walk` tenants below their cap have been seen (tenants at their
 * cap are stepped over without counting). `candidate` is up to min(tenantLimit, limit) of each
 * one's oldest due rows, plus rows whose lease expired; `ranked` gives each row its turn in its
 * tenant (its leases held counted first): round-robin over tenants, fresh rows before retries,
 * oldest first. RETURNING has no order; the rows come back oldest due first.
 */
export async function claimLeases<Row>(conn: Conn, shape: LeaseTable, claim: LeaseClaim): Promise<Row[]> {
  const table = sql.table(shape.table);
  const tenant = sql.ref(shape.tenant);
  const due = sql.ref(shape.due);
  const q = (column: string) => sql.ref(`q.${column}`);
  const now = leaseClock(conn, claim.now);
  const after = claim.after ?? '';
  // Bounded so it fits PostgreSQL's integer column type in the walk's counter.
  const walk = Math.min(claim.walk ?? 1_000_000_000, 1_000_000_000);
  const perTenant = Math.min(claim.tenantLimit, claim.limit);
  const postgres = engineOf(conn) === 'postgres';
  // Insertion order among rows due at the same instant: SQLite's rowid; PostgreSQL has none, so
  // the creation time (then the id) stands in.
  const seq = postgres ? sql.raw('created_at') : sql.raw('rowid');
  const qSeq = postgres ? sql.raw('q.created_at') : sql.raw('q.rowid');
  // A comparison counted as 0 or 1: SQLite adds booleans as integers, PostgreSQL casts them.
  const asInt = (condition: RawBuilder<unknown>) => (postgres ? sql`(${condition})::int` : sql`(${condition})`);
  // SQLite: the unary + keeps the planner on the primary key for the re-check (PostgreSQL has no + on text).
  const status = postgres ? sql.raw('status') : sql.raw('+status');
  // Each walked tenant's oldest due rows. PostgreSQL plans the IN-subquery join below as a scan
  // of the whole table per tenant; a LATERAL subquery (which SQLite lacks) is one index range each,
  // and skips rows a claim on another node is taking right now, so two claims at once take the
  // next rows instead of one of them coming back empty.
  const perTenantRows = postgres
    ? sql`SELECT q.id AS id, q.${tenant} AS tenant, q.attempts AS attempts, q.${due} AS due_at, q.created_at AS seq
    FROM walk CROSS JOIN LATERAL (
      SELECT id, ${tenant}, attempts, ${due}, created_at FROM ${table}
      WHERE status = ${shape.waiting} AND ${tenant} = walk.tenant AND ${due} <= ${now}
      ORDER BY ${due}, created_at, id LIMIT ${perTenant} FOR UPDATE SKIP LOCKED) AS q`
    : sql`SELECT ${q('id')} AS id, ${q(shape.tenant)} AS tenant, ${q('attempts')} AS attempts, ${q(shape.due)} AS due_at, ${qSeq} AS seq
    FROM walk JOIN ${table} AS q ON ${q('id')} IN (
      SELECT id FROM ${table} WHERE status = ${shape.waiting} AND ${tenant} = walk.tenant AND ${due} <= ${now}
      ORDER BY ${due}, ${seq}, id LIMIT ${perTenant})`;
  const fair = sql`
  WITH RECURSIVE
  held AS (
    SELECT ${tenant} AS tenant, COUNT(*) AS leases FROM ${table}
    WHERE status = ${shape.leased} AND lease_expires_at > ${now} GROUP BY ${tenant}
  ),
  capped AS (SELECT tenant FROM held WHERE leases >= ${claim.tenantLimit}),
  onward (tenant, n) AS (
    SELECT (SELECT ${tenant} FROM ${table} WHERE status = ${shape.waiting} AND ${tenant} > ${after} AND ${due} <= ${now}
            ORDER BY ${tenant} LIMIT 1), 0
    UNION ALL
    SELECT (SELECT ${tenant} FROM ${table} WHERE status = ${shape.waiting} AND ${tenant} > onward.tenant AND ${due} <= ${now}
            ORDER BY ${tenant} LIMIT 1), n + ${asInt(sql`onward.tenant NOT IN (SELECT tenant FROM capped)`)}
    FROM onward WHERE onward.tenant IS NOT NULL AND n < ${walk}
  ),
  wrapped (tenant, n) AS (
    SELECT (SELECT ${tenant} FROM ${table} WHERE status = ${shape.waiting} AND ${tenant} <= ${after} AND ${due} <= ${now}
            ORDER BY ${tenant} LIMIT 1),
      (SELECT COUNT(*) FROM onward WHERE tenant IS NOT NULL AND tenant NOT IN (SELECT tenant FROM capped))
    UNION ALL
    SELECT (SELECT ${tenant} FROM ${table} WHERE status = ${shape.waiting} AND ${tenant} > wrapped.tenant AND ${tenant} <= ${after}
              AND ${due} <= ${now} ORDER BY ${tenant} LIMIT 1), n + ${asInt(sql`wrapped.tenant NOT IN (SELECT tenant FROM capped)`)}
    FROM wrapped WHERE wrapped.tenant IS NOT NULL AND n < ${walk}
  ),
  walk (tenant) AS (
    SELECT tenant FROM onward WHERE tenant IS NOT NULL
    UNION SELECT tenant FROM wrapped WHERE tenant IS NOT NULL
  ),
  candidate AS (
    ${perTenantRows}
    WHERE walk.tenant NOT IN (SELECT tenant FROM capped)
    UNION ALL
    SELECT id, ${tenant}, attempts, lease_expires_at, ${seq} FROM ${table} WHERE status = ${shape.leased} AND lease_expires_at <= ${now}
  ),
  ranked AS (
    SELECT candidate.*,
      ROW_NUMBER() OVER (PARTITION BY candidate.tenant ORDER BY due_at, seq) + COALESCE(held.leases, 0) AS turn
    FROM candidate LEFT JOIN held ON held.tenant = candidate.tenant
  )
  SELECT id FROM ranked WHERE turn <= ${claim.tenantLimit}
  ORDER BY turn, attempts > 0, due_at, seq, id
  LIMIT ${claim.limit}`;
  const stillDue = sql`((${status} = ${shape.waiting} AND ${due} <= ${now}) OR (${status} = ${shape.leased} AND lease_expires_at <= ${now}))`;
  const set = sql`status = ${shape.leased}, lease_owner = ${claim.owner}, lease_expires_at = ${leaseClock(conn, claim.now, claim.leaseMs)}, updated_at = ${now}`;
  // PostgreSQL: the chosen rows are locked with SKIP LOCKED, so a claim on another node passes
  // over rows being claimed here instead of waiting for them, and a row another claim leased
  // meanwhile fails the re-check. SQLite writes one at a time: the re-check is enough.
  const result = postgres
    ? await sql<Row>`UPDATE ${table} SET ${set} WHERE id IN (
  SELECT id FROM ${table} WHERE id IN (${fair}) AND ${stillDue} FOR UPDATE SKIP LOCKED)
RETURNING *`.execute(conn)
    : await sql<Row>`UPDATE ${table} SET ${set} WHERE id IN (${fair}) AND ${stillDue} RETURNING *`.execute(conn);
  const dueOf = (row: Row) => String((row as Record<string, unknown>)[shape.due]);
  return result.rows.sort((a, b) => dueOf(a).localeCompare(dueOf(b)));
}

/**
 * Whether anything is due: a few microseconds against the claim's fraction of a millisecond,
 * and most wake-ups (a slot freed, nothing waiting) find nothing. Only a hint: a row that
 * becomes due just after is claimed at the next wake-up, as if this claim had run earlier.
 */
export async function anyLeaseDue(conn: Conn, shape: LeaseTable, now?: number): Promise<boolean> {
  const at = leaseClock(conn, now);
  const result = await sql<{ one: number }>`SELECT 1 AS one FROM ${sql.table(shape.table)}
    WHERE (status = ${shape.waiting} AND ${sql.ref(shape.due)} <= ${at}) OR (status = ${shape.leased} AND lease_expires_at <= ${at})
    LIMIT 1`.execute(conn);
  return result.rows.length > 0;
}

/** Extends a lease; false when the row is no longer this owner's. */
export async function renewLease(
  conn: Conn,
  shape: LeaseTable,
  id: string,
  owner: string,
  leaseMs: number,
): Promise<boolean> {
  const result =
    await sql`UPDATE ${sql.table(shape.table)} SET lease_expires_at = ${leaseClock(conn, undefined, leaseMs)}
    WHERE id = ${id} AND lease_owner = ${owner} AND status = ${shape.leased}`.execute(conn);
  return changed(result) === 1;
}

/** Rows left leased by a process that died, their leases over: waiting again, due as they were. */
export async function recoverExpiredLeases(conn: Conn, shape: LeaseTable, now?: number): Promise<number> {
  const at = leaseClock(conn, now);
  const result = await sql`UPDATE ${sql.table(shape.table)}
    SET status = ${shape.waiting}, lease_owner = NULL, lease_expires_at = NULL, updated_at = ${at}
    WHERE status = ${shape.leased} AND lease_expires_at <= ${at}`.execute(conn);
  return changed(result);
}

/** When the next row becomes due or its lease ends (ms since the epoch); with `after`, the first later than that. */
export async function nextLeaseDueAt(conn: Conn, shape: LeaseTable, after?: number): Promise<number | undefined> {
  const table = sql.table(shape.table);
  const from = after === undefined ? '' : iso(after);
  const result = await sql<{ t: string | null }>`SELECT MIN(t) AS t FROM (
      SELECT MIN(${sql.ref(shape.due)}) AS t FROM ${table} WHERE status = ${shape.waiting} AND ${sql.ref(shape.due)} > ${from}
      UNION ALL SELECT MIN(lease_expires_at) AS t FROM ${table} WHERE status = ${shape.leased} AND lease_expires_at > ${from}) AS due`.execute(
    conn,
  );
  const t = result.rows[0]?.t ?? null;
  return t === null ? undefined : Date.parse(t);
}

export interface LeaseWorkerOptions {
  concurrency: number;
  leaseMs: number;
  /** The longest the worker sleeps without looking at the table (another process may have written). */
  pollIntervalMs: number;
}

/**
 * Runs leased items from a durable table in process: claims up to `concurrency` due items,
 * renews their leases while they run, and sleeps until the next one is due (or `wake()`).
 * `close()` stops claiming, waits for running items up to a grace period, then aborts the rest,
 * which give their items back.
 */
export class LeaseWorker<T extends { id: string }> {
  readonly owner = `${process.pid}-${randomBytes(6).toString('hex')}`;
  private readonly running = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private timer: NodeJS.Timeout | undefined;
  private pumping = false;
  private pumpAgain = false;
  /** The look under way (or the last one). */
  private pumpDone: Promise<void> = Promise.resolve();
  private started = false;
  private closed = false;
  /**
   * The last look left work it could not take: the worker was full, or what is due belongs to
   * tenants (targets) at their cap. Waking again before a slot frees (which wakes it) or new
   * work is due would only find the same, so the next timer skips what is already due.
   */
  private waitingForSlots = false;
  /** When the last claim looked: everything due by then was seen. */
  private lookedAt = 0;

  constructor(
    private readonly name: string,
    private readonly source: LeasedSource<T>,
    private readonly handle: (item: T, signal: AbortSignal) => Promise<void>,
    private readonly options: LeaseWorkerOptions,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.pumping = true;
    this.pumpDone = (async () => {
      try {
        const recovered = await this.source.recoverExpired();
        if (recovered > 0) this.log.warn({ worker: this.name, recovered }, 'resuming work left by a stopped process');
      } catch (error) {
        this.log.error({ err: error, worker: this.name }, 'recovering expired leases failed');
      }
      await this.pumpLoop();
    })();
  }

  /** Looks for due work now (called after something was queued). */
  wake(): void {
    if (!this.started || this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.pumpDone = this.pumpLoop();
  }

  /** One look at a time: a wake-up during a claim makes the loop look again once it is done. */
  private async pumpLoop(): Promise<void> {
    try {
      do {
        this.pumpAgain = false;
        await this.pump();
      } while (this.pumpAgain && !this.closed);
    } finally {
      this.pumping = false;
    }
    await this.scheduleNext();
  }

  get inFlight(): number {
    return this.running.size;
  }

  private async pump(): Promise<void> {
    const room = this.options.concurrency - this.running.size;
    this.waitingForSlots = room <= 0;
    if (room <= 0) return;
    let items: T[];
    this.lookedAt = Date.now();
    try {
      items = await this.source.claim(this.owner, room, this.options.leaseMs);
    } catch (error) {
      this.log.error({ err: error, worker: this.name }, 'claiming work failed');
      return;
    }
    // Fewer than asked for: either nothing more is due, or what is due is held back by a cap.
    this.waitingForSlots = items.length < room;
    // Claimed even if close() began meanwhile: close() waits for this look, then for these items.
    for (const item of items) this.run(item);
  }

  private run(item: T): void {
    const abort = new AbortController();
    const heartbeat = setInterval(
      () => {
        void (async () => {
          try {
            if (!(await this.source.renew(item.id, this.owner, this.options.leaseMs))) abort.abort();
          } catch (error) {
            this.log.error({ err: error, worker: this.name, id: item.id }, 'renewing a lease failed');
          }
        })();
      },
      Math.max(10, Math.floor(this.options.leaseMs / 3)),
    );
    heartbeat.unref();
    const promise = this.handle(item, abort.signal)
      .catch((error: unknown) => {
        this.log.error({ err: error, worker: this.name, id: item.id }, 'work item failed unexpectedly');
      })
      .finally(() => {
        clearInterval(heartbeat);
        this.running.delete(item.id);
        if (!this.closed) this.wake();
      });
    this.running.set(item.id, { promise, abort });
  }

  private async scheduleNext(): Promise<void> {
    if (this.closed) return;
    let delay = this.options.pollIntervalMs;
    try {
      const now = Date.now();
      const due = await this.source.nextDueAt(this.waitingForSlots ? this.lookedAt : undefined);
      if (due !== undefined) delay = Math.min(delay, Math.max(0, due - now));
    } catch (error) {
      this.log.error({ err: error, worker: this.name }, 'reading the next due time failed');
    }
    if (this.closed) return;
    // Cleared only now: a wake-up during the read above may have set a timer already.
    if (this.timer) clearTimeout(this.timer);
    // A full (or capped) worker is woken by its own items finishing; the poll covers other processes'.
    this.timer = setTimeout(() => this.wake(), Math.max(delay, 5));
    this.timer.unref();
  }

  /** Stops claiming; running items get `graceMs` to finish, then are aborted and give their rows back. */
  async close(graceMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    // A look under way finishes first: what it claims is run (and given back) like the rest.
    await this.pumpDone;
    const all = () => Promise.all([...this.running.values()].map((r) => r.promise));
    if (this.running.size === 0) return;
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      graceTimer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([all().then(() => 'done' as const), graceOver]);
    clearTimeout(graceTimer);
    if (outcome === 'timeout') {
      for (const { abort } of this.running.values()) abort.abort();
      await all();
    }
  }
}
