/**
 * `npm run bench`: sizes, install latency in-page vs iframe, API throughput against a bare ceiling,
 * and memory after open/close cycles. Writes test/bench/results.json and the tables in
 * docs/benchmarks.md (between its bench:start / bench:end markers; the README links there).
 * Timings are for comparison inside one run on this machine, not absolute promises.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { launchChromium } from '../helpers/chromium.js';
import {
  measureColdInstall,
  measureIframe,
  measureInPage,
  measureMemory,
  type ColdInstall,
  type MemoryResult,
  type Timing,
} from './browser.js';
import { load, type LoadResult } from './load.js';
import { apiTargets, type EngineRow, measurePostgres, withFreshDatabase } from './postgres.js';
import { BENCH_API_KEY, startBareFastifyServer, startBareServer, startServerProcess } from './processes.js';
import { ourSizes, peerSizes, type SizeRow } from './sizes.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
const CONNECTIONS = 16;
const CYCLES = 100;

interface Results {
  date: string;
  machine: string;
  sizes: SizeRow[];
  install: { inPage: Timing; iframe: Timing; ratio: number };
  /** Click → first input on a cold page (fresh context each run), in-page vs iframe. */
  installCold: ColdInstall;
  /** `framework`: a bare Fastify route, the framework's own ceiling, measured right after node:http's. */
  api: {
    rows: LoadResult[];
    ceiling: LoadResult;
    framework: LoadResult;
    engines: EngineRow[];
    postgresSkipped?: string;
  };
  memory: MemoryResult;
  delivery: Delivery;
  /** The same on PostgreSQL, or why it was not measured. */
  /** On PostgreSQL with 1 and with 2 nodes. */
  deliveryPostgres: (Delivery & { nodes: number })[] | { skipped: string };
}

type Delivery = { events: number; medianMs: number; p99Ms: number };

/**
 * Runs the runtime's latency script (1000 events, receiver verifying both signatures) and reads its
 * figures; on the PostgreSQL database `databaseUrl` names when given, with `nodes` nodes.
 */
function measureDelivery(databaseUrl?: string, nodes = 1): Delivery {
  const args = ['--import', 'tsx', 'test/server/runtime-latency.ts', '--events', '1000'];
  if (databaseUrl) args.push('--database-url', databaseUrl, '--nodes', String(nodes));
  const output = execFileSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const match = /median ([\d.]+) ms\s+p90 [\d.]+ ms\s+p99 ([\d.]+) ms/.exec(output);
  if (!match) throw new Error(`unexpected latency output:\n${output}`);
  if (!/signatures that failed to verify: 0\b/.test(output)) throw new Error(`signatures failed:\n${output}`);
  return { events: 1000, medianMs: Number(match[1]), p99Ms: Number(match[2]) };
}

/** The delivery figures on PostgreSQL with `nodes` nodes, each measured on a fresh database. */
function measureDeliveryOnPostgres(databaseUrl: string, nodes: number): Promise<Delivery> {
  return withFreshDatabase(databaseUrl, `alloy_bench_${process.pid}_delivery_${nodes}`, async (url) =>
    measureDelivery(url, nodes),
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const log = (message: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${message}`);

  log('sizes');
  const sizes = [...ourSizes(path.join(root, 'dist/cdn')), ...peerSizes()];

  log('starting the server');
  const server = await startServerProcess();
  const auth = { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' };
  const created = await fetch(`${server.url}/2024-03/users`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ username: 'bench' }),
  });
  const { userId } = (await created.json()) as { userId: string };
  const tokenResponse = await fetch(`${server.url}/2024-03/users/${userId}/token`, { headers: auth });
  const { token } = (await tokenResponse.json()) as { token: string };

  let install: Results['install'];
  let installCold: ColdInstall;
  let memory: MemoryResult;
  const browser = await launchChromium();
  try {
    log(`install() → first input focusable, ${RUNS} runs each`);
    const inPage = await measureInPage(browser, server.url, token, RUNS);
    const iframe = await measureIframe(browser, server.url, token, RUNS);
    install = { inPage, iframe, ratio: Math.round((iframe.median / inPage.median) * 10) / 10 };
    log(`cold page: click → first input focusable, ${RUNS} fresh contexts each`);
    installCold = await measureColdInstall(browser, server.url, token, RUNS);
    log(`memory over ${CYCLES} open/close cycles`);
    memory = await measureMemory(browser, server.url, token, CYCLES);
  } finally {
    await browser.close();
  }

  log(`API load, ${LOAD_SECONDS}s per endpoint, ${CONNECTIONS} connections`);
  const targets = apiTargets(server.url, userId);
  const rows = [
    await load(targets.token, LOAD_SECONDS, CONNECTIONS),
    await load(targets.integrations, LOAD_SECONDS, CONNECTIONS),
    await load(targets.runEvent, LOAD_SECONDS, CONNECTIONS),
  ];
  await server.stop();
  const bare = await startBareServer();
  const ceiling = await load({ name: 'bare node:http (ceiling)', url: bare.url }, LOAD_SECONDS, CONNECTIONS);
  await bare.stop();
  const bareFastify = await startBareFastifyServer();
  const framework = await load(
    { name: 'bare Fastify route (framework ceiling)', url: bareFastify.url },
    LOAD_SECONDS,
    CONNECTIONS,
  );
  await bareFastify.stop();

  const [tokenRow, integrationsRow, runEventRow] = rows as [LoadResult, LoadResult, LoadResult];
  const engines: EngineRow[] = [
    { engine: 'SQLite', nodes: 1, token: tokenRow, integrations: integrationsRow, runEvent: runEventRow },
  ];
  let postgresSkipped: string | undefined;
  const databaseUrl = process.env.ALLOY_TEST_DATABASE_URL;
  if (databaseUrl) {
    for (const nodes of [1, 2]) {
      log(`API load on PostgreSQL, ${nodes} node(s), ${CONNECTIONS} connections in all`);
      engines.push(await measurePostgres(databaseUrl, nodes, LOAD_SECONDS, CONNECTIONS));
    }
  } else {
    postgresSkipped = 'ALLOY_TEST_DATABASE_URL is not set';
    log(`PostgreSQL rows skipped: ${postgresSkipped} (run \`bash scripts/with-postgres.sh npm run bench\`)`);
  }

  log('event → signed Stream Data delivery, 1000 events');
  const delivery = measureDelivery();
  let deliveryPostgres: Results['deliveryPostgres'] = { skipped: postgresSkipped! };
  if (databaseUrl) {
    const measured: (Delivery & { nodes: number })[] = [];
    for (const nodes of [1, 2]) {
      log(`event → signed Stream Data delivery on PostgreSQL, ${nodes} node(s), 1000 events`);
      measured.push({ nodes, ...(await measureDeliveryOnPostgres(databaseUrl, nodes)) });
    }
    deliveryPostgres = measured;
  }

  const results: Results = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    sizes,
    install,
    installCold,
    api: { rows, ceiling, framework, engines, ...(postgresSkipped === undefined ? {} : { postgresSkipped }) },
    memory,
    delivery,
    deliveryPostgres,
  };
  fs.writeFileSync(path.join(root, 'test/bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeBenchmarksDoc(results);
  log('done: docs/benchmarks.md and test/bench/results.json updated');
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;

function table(results: Results): string {
  const lines: string[] = [];
  lines.push(`Measured ${results.date.slice(0, 10)} on ${results.machine} (\`npm run bench\`).`, '');
  lines.push('| Browser file | Raw | Gzip | Loaded |', '| --- | ---: | ---: | --- |');
  for (const row of results.sizes)
    lines.push(`| ${row.name} (\`${row.file}\`) | ${kb(row.bytes)} | ${kb(row.gzipBytes)} | ${row.note} |`);
  const { inPage, iframe, ratio } = results.install;
  lines.push(
    '',
    `| \`install()\` → first input focusable | Runs | Cold | Median | p95 |`,
    '| --- | ---: | ---: | ---: | ---: |',
  );
  lines.push(`| In-page modal (ours) | ${inPage.runs} | ${inPage.cold} ms | ${inPage.median} ms | ${inPage.p95} ms |`);
  lines.push(
    `| Same UI as a page in an iframe (peers' architecture) | ${iframe.runs} | ${iframe.cold} ms | ${iframe.median} ms | ${iframe.p95} ms |`,
  );
  lines.push('', `The iframe takes ${ratio}× as long as the in-page modal (median).`);
  const cold = results.installCold;
  lines.push(
    '',
    `Cold page (a fresh browser context per run: empty cache, nothing preloaded; the click comes at DOMContentLoaded, ` +
      `before the loader's idle warm-up), click → first input focusable, median of ${cold.inPage.runs} runs: ` +
      `in-page ${cold.inPage.median} ms (p95 ${cold.inPage.p95} ms), iframe ${cold.iframe.median} ms (p95 ${cold.iframe.p95} ms): ` +
      `the iframe takes ${cold.ratio}× as long.`,
  );
  const { rows, ceiling, framework } = results.api;
  lines.push(
    '',
    '| API on loopback | Requests/s | p50 | p99 | Non-2xx | Share of ceiling |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of [...rows, framework, ceiling]) {
    const share = `${Math.round((row.requestsPerSecond / ceiling.requestsPerSecond) * 100)} %`;
    lines.push(
      `| ${row.name} | ${row.requestsPerSecond} | ${row.latencyP50Ms} ms | ${row.latencyP99Ms} ms | ${row.non2xx + row.errors} | ${share} |`,
    );
  }
  lines.push(
    '',
    `API by engine, ${CONNECTIONS} connections in all (split evenly between nodes; req/s summed, the worse node's p99). ` +
      `Bare node:http ceiling: ${ceiling.requestsPerSecond} req/s. SQLite is the demo server above; PostgreSQL is \`src/server/main.ts\` ` +
      `with the database on this machine, a fresh database per node count.`,
    '',
    '| Engine / nodes | Token req/s | p99 | Integrations req/s | p99 | Run/event req/s | p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const cell = (r: LoadResult) =>
    `${r.requestsPerSecond}${r.non2xx + r.errors > 0 ? ` (${r.non2xx + r.errors} failed)` : ''} | ${r.latencyP99Ms} ms`;
  for (const e of results.api.engines)
    lines.push(
      `| ${e.engine}, ${e.nodes} node${e.nodes === 1 ? '' : 's'} | ${cell(e.token)} | ${cell(e.integrations)} | ${cell(e.runEvent)} |`,
    );
  if (results.api.postgresSkipped)
    lines.push(
      `| PostgreSQL, 1 and 2 nodes | not measured: run \`bash scripts/with-postgres.sh npm run bench\` | | | | | |`,
    );
  const d = results.delivery;
  lines.push(
    '',
    `Event → signed Stream Data POST received (both signatures verified), ${d.events} events on loopback: median ${d.medianMs} ms, p99 ${d.p99Ms} ms on SQLite; ` +
      ('skipped' in results.deliveryPostgres
        ? `on PostgreSQL not measured (${results.deliveryPostgres.skipped}).`
        : results.deliveryPostgres
            .map(
              (d) =>
                `median ${d.medianMs} ms, p99 ${d.p99Ms} ms on PostgreSQL with ${d.nodes} node${d.nodes === 1 ? '' : 's'}`,
            )
            .join('; ') + '.'),
  );
  const m = results.memory;
  lines.push(
    '',
    `After ${m.cycles} open/close cycles (after GC): JS heap ${m.heapBeforeKb} KB → ${m.heapAfterKb} KB (${m.heapGrowthKb >= 0 ? '+' : ''}${m.heapGrowthKb} KB), ` +
      `DOM nodes ${m.domNodesBefore} → ${m.domNodesAfter}, listeners ${m.listenersBefore} → ${m.listenersAfter}, modal elements left: ${m.modalElementsLeft}.`,
  );
  return lines.join('\n');
}

async function writeBenchmarksDoc(results: Results): Promise<void> {
  const docPath = path.join(root, 'docs/benchmarks.md');
  const doc = fs.readFileSync(docPath, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const block = `${start}\n${table(results)}\n${end}`;
  const next = doc.includes(start)
    ? doc.replace(new RegExp(`${start}[\\s\\S]*?${end}`), block)
    : `${doc.trimEnd()}\n\n## Benchmarks\n\n${block}\n`;
  // Formatted as `npm run lint` expects, so a bench run never breaks the prettier check.
  const options = (await prettier.resolveConfig(docPath)) ?? {};
  fs.writeFileSync(docPath, await prettier.format(next, { ...options, filepath: docPath }));
}

await main();
