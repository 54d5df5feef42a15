/**
 * `npm run bench:growth`: is the API flat as data grows? The same figures on a small database and
 * on a seeded one (100,000 users, 1,000,000 executions, a 100,000-run backlog; test/bench/seed.ts):
 * p50/p99 of token issuance, GET /integrations, workflow logs (first page, a deep page by keyset
 * cursor, and the same depth by `page`, i.e. OFFSET, for comparison), GET /logs with filters; the
 * runtime's drain rate (runs/s through a backlog, each run an execution and a signed Stream Data
 * POST to a local receiver), token issuance on the server while it drains; and the server's RSS
 * under a mixed load (start, peak, end).
 *
 *   node --import tsx test/bench/growth.ts [--users 100000] [--executions 1000000] [--backlog 100000]
 *     [--seconds 5] [--rss-seconds 60] [--drain-seconds 20] [--seeded-dir D]
 *
 * The server is src/server/main.ts in its own process on SQLite (synchronous=FULL), as deployed.
 * `--seeded-dir` reuses a seeded data dir (seeding it when it has no database yet; runs an earlier
 * bench left queued are cleared first, so the API figures are not taken during a drain). Prints a
 * markdown table; writes nothing in the repository.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { load, type LoadResult, type LoadTarget } from './load.js';
import { BENCH_API_KEY, startPrinting, type RunningProcess } from './processes.js';
import { seed, type SeedResult } from './seed.js';
import { TEST_RATE_LIMIT_ENV } from '../helpers/server.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    executions: { type: 'string', default: '1000000' },
    backlog: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '5' },
    'rss-seconds': { type: 'string', default: '60' },
    'drain-seconds': { type: 'string', default: '20' },
    connections: { type: 'string', default: '8' },
    'seeded-dir': { type: 'string' },
    /** A fixed receiver port: a reused seeded dir recorded the workflow (its URL) of an earlier run. */
    'receiver-port': { type: 'string', default: '0' },
  },
});
const SECONDS = Number(values.seconds);
const RSS_SECONDS = Number(values['rss-seconds']);
const DRAIN_SECONDS = Number(values['drain-seconds']);
const CONNECTIONS = Number(values.connections);
const BACKLOG_USERS = 300;

const INTEGRATION_ID = '65a1c0de00000000000a0001';
const PING_WORKFLOW = '65a1c0de00000000000a0101';
const ORDER_WORKFLOW = '65a1c0de00000000000a0102';
const AUTH = { authorization: `Bearer ${BENCH_API_KEY}` };

const started = Date.now();
const log = (message: string) => console.log(`[growth ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);

/** The Stream Data receiver: answers 200 and counts what arrived. */
let received = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    res.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(Number(values['receiver-port']), '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/stream`;

/** Two custom-event workflows streaming to the receiver; every seeded user has both. */
const definitionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-growth-defs-'));
const workflow = (workflowId: string, name: string, event: string) => ({
  workflowId,
  name,
  versions: [
    {
      version: 1,
      trigger: { type: 'customEvent', id: 'event', name: event, event, schema: { orderId: 'String', n: 'Number?' } },
      blocks: [
        {
          type: 'streamData',
          id: 'stream',
          name: 'Stream Data',
          fields: [{ name: 'url', displayName: 'URL', type: 'text', value: receiverUrl }],
        },
      ],
    },
  ],
});
fs.writeFileSync(
  path.join(definitionsDir, 'growth.integration.json'),
  JSON.stringify({
    integrationId: INTEGRATION_ID,
    name: 'Growth',
    app: 'demoStore',
    icon: '/static/icons/webhook.svg',
    workflows: [
      workflow(PING_WORKFLOW, 'Growth: ping', 'Growth Ping'),
      workflow(ORDER_WORKFLOW, 'Growth: order', 'Growth Order'),
    ],
  }),
);

interface Server extends RunningProcess {
  pid: number;
}

const serverEnv = (dataDir: string): NodeJS.ProcessEnv => ({
  PORT: '0',
  ALLOY_DATA_DIR: dataDir,
  ALLOY_API_KEY: BENCH_API_KEY,
  ALLOY_DEFINITIONS_DIR: definitionsDir,
  ALLOY_ALLOW_PRIVATE_TARGETS: 'loopback',
  ALLOY_LOG_LEVEL: process.env.GROWTH_SERVER_LOG_LEVEL ?? 'error',
  ...TEST_RATE_LIMIT_ENV,
});

async function startServer(dataDir: string): Promise<Server> {
  const running = await startPrinting(
    process.execPath,
    ['--import', 'tsx', 'src/server/main.ts'],
    serverEnv(dataDir),
    /listening on (http:\/\/\S+)/,
  );
  // The server's own output (errors only, unless GROWTH_SERVER_LOG_LEVEL says more) goes to ours.
  running.child.stdout!.on('data', (chunk: Buffer) => {
    if (process.env.GROWTH_SERVER_LOG_LEVEL) process.stdout.write(chunk);
  });
  running.child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return { ...running, pid: running.child.pid! };
}

/** VmRSS of a process, in MB (Linux). */
function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A keyset cursor as the API makes it (opaque to clients; the bench makes a deep one directly). */
const cursorAt = (at: string, page: number) =>
  Buffer.from(JSON.stringify([at, 'ffffffffffffffffffffffff', page, 'desc'])).toString('base64url');

interface Figures {
  label: string;
  rows: LoadResult[];
  drain: { runs: number; seconds: number; perSecond: number };
  /** Token issuance on the server while it drains, and the drain rate meanwhile. */
  duringDrain: { tokens: LoadResult; runsPerSecond: number } | undefined;
  rss: { startMb: number; peakMb: number; endMb: number; seconds: number } | undefined;
  startupSeconds: number;
}

function targets(url: string, seeded: SeedResult): LoadTarget[] {
  // A user in the middle of the population (not the newest, not the oldest).
  const userId = seeded.userIds[Math.floor(seeded.userIds.length / 2)]!;
  const deepAt = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000).toISOString();
  const filters = encodeURIComponent(
    JSON.stringify([
      {
        columns: { value: 'createdAt' },
        operators: { value: 'greaterthan' },
        userinput: { value: new Date(Date.now() - 7 * 24 * 60 * 60 * 1000).toISOString() },
      },
    ]),
  );
  const messageFilter = encodeURIComponent(
    JSON.stringify([
      { columns: { value: 'message' }, operators: { value: 'equals' }, userinput: { value: 'executionError' } },
    ]),
  );
  const api = `${url}/2024-03`;
  return [
    { name: 'token issuance (GET /users/:id/token)', url: `${api}/users/${userId}/token`, headers: AUTH },
    { name: 'GET /integrations?userId=', url: `${api}/integrations?userId=${userId}`, headers: AUTH },
    { name: 'workflow logs, first page', url: `${api}/workflows/${PING_WORKFLOW}/logs`, headers: AUTH },
    {
      name: 'workflow logs, deep page (cursor, 40 days back)',
      url: `${api}/workflows/${PING_WORKFLOW}/logs?cursor=${cursorAt(deepAt, 2)}`,
      headers: AUTH,
    },
    {
      name: 'workflow logs, deep page (page=, OFFSET)',
      url: `${api}/workflows/${PING_WORKFLOW}/logs?page=${Math.max(1, Math.floor((seeded.executions / 2) * 0.066))}`,
      headers: AUTH,
    },
    {
      name: 'GET /logs, user + createdAt filter',
      url: `${api}/logs?associatedUserId=${userId}&filters=${filters}`,
      headers: AUTH,
    },
    {
      name: 'GET /logs, workflowId + message filter',
      url: `${api}/logs?workflowId=${PING_WORKFLOW}&filters=${messageFilter}`,
      headers: AUTH,
    },
  ];
}

/** Waits until the server answers (and its start-up work has had a moment). */
async function ready(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const response = await fetch(`${url}/2024-03/users?limit=1`, { headers: AUTH }).catch(() => undefined);
    if (response?.ok) return;
    await sleep(100);
  }
  throw new Error('the server did not answer');
}

async function measure(label: string, dataDir: string, seeded: SeedResult, backlog: number): Promise<Figures> {
  log(`${label}: starting the server`);
  const t0 = Date.now();
  const server = await startServer(dataDir);
  await ready(server.url);
  const startupSeconds = (Date.now() - t0) / 1000;
  const rows: LoadResult[] = [];
  const all = targets(server.url, seeded);
  for (const target of all) {
    log(`${label}: ${target.name}`);
    // A warm-up request, then the load.
    const warm = await fetch(target.url, { headers: target.headers });
    if (!warm.ok) throw new Error(`${target.name}: ${warm.status} ${await warm.text()}`);
    rows.push(await load(target, SECONDS, CONNECTIONS));
    const r = rows[rows.length - 1]!;
    log(`${label}: ${target.name}: p50 ${r.latencyP50Ms} ms, p99 ${r.latencyP99Ms} ms, ${r.requestsPerSecond} req/s`);
  }
  let rss: Figures['rss'];
  if (RSS_SECONDS > 0) {
    log(`${label}: RSS under ${RSS_SECONDS}s of mixed load`);
    const samples: number[] = [rssMb(server.pid)];
    const timer = setInterval(() => samples.push(rssMb(server.pid)), 500);
    // Every target at once, connections shared out: tokens, integrations, logs and searches.
    const per = Math.max(1, Math.floor(CONNECTIONS / all.length));
    await Promise.all(all.map((target) => load(target, RSS_SECONDS, per)));
    clearInterval(timer);
    samples.push(rssMb(server.pid));
    rss = {
      startMb: samples[0]!,
      peakMb: Math.max(...samples),
      endMb: samples[samples.length - 1]!,
      seconds: RSS_SECONDS,
    };
  }
  await server.stop();

  if (DRAIN_SECONDS <= 0)
    return { label, rows, drain: { runs: 0, seconds: 0, perSecond: 0 }, duringDrain: undefined, rss, startupSeconds };
  // The drain: the backlog goes in while the server is down, then the server starts and drains it.
  if (backlog > 0) {
    log(`${label}: queueing a backlog of ${backlog} runs`);
    await seed({
      users: 0,
      executions: 0,
      backlog,
      backlogUsers: BACKLOG_USERS,
      existingUserIds: seeded.userIds,
      dataDir,
      definitionsDir,
    });
  }
  // The drain is timed from the server's spawn (its start competes with the drain; the rate is
  // counted after a 10 s warm-up). Then, while it still drains, token issuance on that server: does
  // the API answer during a drain? It is killed at the end (a graceful stop waits for runs in flight).
  log(`${label}: draining for ${DRAIN_SECONDS}s after a 10 s warm-up`);
  const drainerStarting = startServer(dataDir);
  const spawned = received;
  await sleep(10_000);
  const before = received;
  const drainStart = Date.now();
  await sleep(DRAIN_SECONDS * 1000);
  const runs = received - before;
  const seconds = (Date.now() - drainStart) / 1000;
  log(`${label}: ${before - spawned} runs in the warm-up, ${runs} in ${seconds.toFixed(1)} s`);
  const drainer = await drainerStarting;
  const tokenTarget = targets(drainer.url, seeded)[0]!;
  const beforeLoad = received;
  const loadStart = Date.now();
  const tokens = await load(tokenTarget, SECONDS, CONNECTIONS);
  const runsDuringLoad = received - beforeLoad;
  const loadSeconds = (Date.now() - loadStart) / 1000;
  log(
    `${label}: token issuance during the drain: p50 ${tokens.latencyP50Ms} ms, p99 ${tokens.latencyP99Ms} ms, ${tokens.requestsPerSecond} req/s; ${runsDuringLoad} runs meanwhile`,
  );
  const exited = new Promise((resolve) => drainer.child.once('exit', resolve));
  drainer.child.kill('SIGKILL');
  await exited;
  const duringDrain = { tokens, runsPerSecond: Math.round(runsDuringLoad / loadSeconds) };
  return {
    label,
    rows,
    drain: { runs, seconds, perSecond: Math.round(runs / seconds) },
    duringDrain,
    rss,
    startupSeconds,
  };
}

async function seeded(label: string, dir: string, users: number, executions: number): Promise<SeedResult> {
  log(`${label}: seeding ${users} users, ${executions} executions`);
  const result = await seed({
    users,
    executions,
    backlog: 0,
    backlogUsers: BACKLOG_USERS,
    dataDir: dir,
    definitionsDir,
    log: (m) => log(`${label}: seed ${m}`),
  });
  log(`${label}: seeded in ${result.seconds.toFixed(1)} s`);
  return result;
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-growth-'));
try {
  const smallDir = path.join(scratch, 'small');
  const small = await seeded('small', smallDir, BACKLOG_USERS, 1000);
  const bigDir = values['seeded-dir'] ?? path.join(scratch, 'seeded');
  const reuse = fs.existsSync(path.join(bigDir, 'alloy.db'));
  const bigUsers = Number(values.users);
  const bigExecutions = Number(values.executions);
  const big = reuse
    ? await seed({ users: 0, executions: 0, backlog: 0, backlogUsers: 0, dataDir: bigDir, definitionsDir, reuse: true })
    : await seeded('seeded', bigDir, bigUsers, bigExecutions);
  const backlog = Number(values.backlog);
  const smallFigures = await measure('small', smallDir, small, Math.min(backlog, 10_000));
  const bigFigures = await measure('seeded', bigDir, big, backlog);
  console.log(table(smallFigures, bigFigures, small, big));
} finally {
  receiver.close();
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.rmSync(definitionsDir, { recursive: true, force: true });
}

function table(a: Figures, b: Figures, small: SeedResult, big: SeedResult): string {
  const header = `| figure | small (${small.users} users, ${small.executions} executions) p50 / p99 ms, req/s | seeded (${big.users.toLocaleString('en')} users, ${big.executions.toLocaleString('en')} executions) p50 / p99 ms, req/s |`;
  const lines = [header, '| --- | --- | --- |'];
  a.rows.forEach((row, i) => {
    const other = b.rows[i]!;
    const cell = (r: LoadResult) =>
      `${r.latencyP50Ms} / ${r.latencyP99Ms}, ${r.requestsPerSecond}${r.non2xx + r.errors > 0 ? ` (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`;
    lines.push(`| ${row.name} | ${cell(row)} | ${cell(other)} |`);
  });
  lines.push(
    `| runtime drain (runs/s over ${DRAIN_SECONDS} s, backlog ${Math.min(Number(values.backlog), 10_000)} vs ${Number(values.backlog)}) | ${a.drain.perSecond} (${a.drain.runs} runs) | ${b.drain.perSecond} (${b.drain.runs} runs) |`,
  );
  const during = (f: Figures) =>
    f.duringDrain
      ? `${f.duringDrain.tokens.latencyP50Ms} / ${f.duringDrain.tokens.latencyP99Ms}, ${f.duringDrain.tokens.requestsPerSecond} (drain meanwhile ${f.duringDrain.runsPerSecond} runs/s)`
      : 'not measured';
  lines.push(`| token issuance while the server drains its backlog | ${during(a)} | ${during(b)} |`);
  const rss = (f: Figures) => (f.rss ? `${f.rss.startMb} → peak ${f.rss.peakMb} → ${f.rss.endMb} MB` : 'not measured');
  lines.push(`| server RSS, ${RSS_SECONDS} s mixed load (start → peak → end) | ${rss(a)} | ${rss(b)} |`);
  lines.push(`| server start until it answers | ${a.startupSeconds.toFixed(1)} s | ${b.startupSeconds.toFixed(1)} s |`);
  return lines.join('\n');
}
