/**
 * The API on PostgreSQL, one node and two nodes sharing one database (src/server/main.ts, as
 * deployed), loaded like the SQLite rows. Each node count gets a fresh database, dropped after.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { load, type LoadResult, type LoadTarget } from './load.js';
import { BENCH_API_KEY, startPostgresNodes } from './processes.js';

export interface EngineRow {
  engine: string;
  nodes: number;
  token: LoadResult;
  integrations: LoadResult;
  runEvent: LoadResult;
}

const AUTH = { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' };

/** The three API targets of the bench for `userId`, on the node at `url`. */
export function apiTargets(
  url: string,
  userId: string,
): { token: LoadTarget; integrations: LoadTarget; runEvent: LoadTarget } {
  const keyPrefix = `bench-${randomUUID()}`;
  return {
    token: {
      name: 'GET /users/:id/token (token issuance)',
      url: `${url}/2024-03/users/${userId}/token`,
      headers: AUTH,
    },
    integrations: {
      name: 'GET /integrations?userId=',
      url: `${url}/2024-03/integrations?userId=${userId}`,
      headers: AUTH,
    },
    runEvent: {
      name: 'POST /run/event (accepted durably)',
      url: `${url}/2024-03/run/event`,
      method: 'POST',
      headers: AUTH,
      body: JSON.stringify({ event: 'Fulfillment Updated', userId, data: { orderId: '1', status: 'paid' } }),
      // The keyed path (issue 17): each request its own Idempotency-Key, so none is a replay.
      requestHeaders: (i) => ({ 'idempotency-key': `${keyPrefix}-${i}` }),
    },
  };
}

/** Creates the bench user through `url` and returns its id. */
export async function createBenchUser(url: string): Promise<string> {
  const created = await fetch(`${url}/2024-03/users`, {
    method: 'POST',
    headers: AUTH,
    body: JSON.stringify({ username: 'bench' }),
  });
  if (!created.ok) throw new Error(`POST /users: ${created.status} ${await created.text()}`);
  return ((await created.json()) as { userId: string }).userId;
}

/** Loads every node at once, `connections` split between them: summed req/s, the worse latencies. */
async function loadAll(targets: LoadTarget[], seconds: number, connections: number): Promise<LoadResult> {
  const per = Math.max(1, Math.round(connections / targets.length));
  const results = await Promise.all(targets.map((target) => load(target, seconds, per)));
  return {
    name: targets[0]!.name,
    requestsPerSecond: results.reduce((sum, r) => sum + r.requestsPerSecond, 0),
    latencyP50Ms: Math.max(...results.map((r) => r.latencyP50Ms)),
    latencyP99Ms: Math.max(...results.map((r) => r.latencyP99Ms)),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** `base` with its database name replaced by `name`. */
function withDatabase(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(base: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database for one measurement, dropped (with its connections) afterwards. */
export async function withFreshDatabase<T>(base: string, name: string, work: (url: string) => Promise<T>): Promise<T> {
  await admin(base, (c) => c.query(`DROP DATABASE IF EXISTS ${name}`));
  await admin(base, (c) => c.query(`CREATE DATABASE ${name}`));
  try {
    return await work(withDatabase(base, name));
  } finally {
    await admin(base, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

/** The three API rows on PostgreSQL with `nodes` nodes, on a fresh database. */
export async function measurePostgres(
  databaseUrl: string,
  nodes: number,
  seconds: number,
  connections: number,
): Promise<EngineRow> {
  return withFreshDatabase(databaseUrl, `alloy_bench_${process.pid}_${nodes}n`, async (url) => {
    const cluster = await startPostgresNodes(url, nodes);
    try {
      const userId = await createBenchUser(cluster.urls[0]!);
      const targets = cluster.urls.map((node) => apiTargets(node, userId));
      return {
        engine: 'PostgreSQL',
        nodes,
        token: await loadAll(
          targets.map((t) => t.token),
          seconds,
          connections,
        ),
        integrations: await loadAll(
          targets.map((t) => t.integrations),
          seconds,
          connections,
        ),
        runEvent: await loadAll(
          targets.map((t) => t.runEvent),
          seconds,
          connections,
        ),
      };
    } finally {
      await cluster.stop();
    }
  });
}
