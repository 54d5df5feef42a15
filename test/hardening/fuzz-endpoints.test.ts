import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { definitionsDir, opsIntegration, startApi, type Api } from '../server/support.js';
import { FUZZ_RUNS, FUZZ_SEED, prototypeSnapshot, seedFor, type TargetStats } from './fuzz-support.js';
import {
  buildFixture,
  documentedTargets,
  ordered,
  refreshForSurfaces,
  refreshStoreKey,
  undocumentedTargets,
  type Fixture,
  type Target,
} from './fuzz-targets.js';
import type { WorkerJob } from './fuzz-worker.js';

/**
 * Every operation of /openapi.json and every undocumented HTTP surface gets FUZZ_RUNS generated
 * requests over real HTTP (keep-alive, 8 in flight) against a real server on SQLite, with a real
 * user, token, installation, connection, execution, delivery, link and store behind them.
 * Reproduce one target: FUZZ_SEED=<seed> FUZZ_ONLY='<target name part>' node --import tsx --test <this file>.
 */

let api: Api;
let fixture: Fixture;
let worker: Worker;
const prototypesBefore = prototypeSnapshot();

before(async () => {
  // tmpfs when there is one: every acknowledged write still commits, without a disk flush per request.
  const dataDir = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'alloy-fuzz-'));
  // The seed plus the test suite's second integration (a webhook-trigger workflow with a data schema).
  api = await startApi({
    dataDir,
    server: { definitionsDir: definitionsDir({ 'ops.integration.json': opsIntegration() }) },
  });
  fixture = await buildFixture(api);
  // The worker registers tsx itself: loader hooks of the test process do not reach worker threads.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./fuzz-worker.ts', import.meta.url).href);
  worker = new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${entry}); });`, {
    eval: true,
  });
});
after(async () => {
  worker?.postMessage('close');
  await worker?.terminate();
  await api?.server.dispose();
});

/** Runs one target's campaign in the worker. */
function runInWorker(job: WorkerJob): Promise<TargetStats> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      reject(error);
    };
    const onExit = (code: number) => onError(new Error(`the fuzz worker exited (${code})`));
    const onMessage = (message: { ok: true; stats: TargetStats } | { ok: false; error: string }) => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (message.ok) resolve(message.stats);
      else reject(new Error(message.error));
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.postMessage(job);
  });
}

const only = process.env.FUZZ_ONLY;

async function fuzz(targets: Target[]): Promise<{ stats: Map<string, TargetStats>; failures: string[] }> {
  const stats = new Map<string, TargetStats>();
  const failures: string[] = [];
  for (const target of ordered(targets)) {
    if (only && !target.name.includes(only)) continue;
    await refreshStoreKey(api, fixture);
    const seed = seedFor(target.name);
    const started = performance.now();
    const result = await runInWorker({ target, fixture, seed, runs: FUZZ_RUNS });
    if (process.env.FUZZ_TIMING) console.error(`${target.name}: ${Math.round(performance.now() - started)} ms`);
    stats.set(target.name, result);
    for (const failure of result.failures.slice(0, 5)) failures.push(`${target.name} (seed ${seed}) ${failure}`);
  }
  return { stats, failures };
}

function figure(name: string, stats: Map<string, TargetStats>): string {
  const all = [...stats.values()];
  const total = all.reduce((n, s) => n + s.requests, 0);
  const sum = (key: 'fiveHundreds' | 'stacks' | 'hangs') => all.reduce((n, s) => n + s[key], 0);
  const maxMs = Math.round(Math.max(0, ...all.map((s) => s.maxMs)));
  const perOp = Math.min(...all.map((s) => s.requests));
  return `FIGURE ${name} | ${stats.size} operations x ${perOp} payloads = ${total} requests: ${sum('fiveHundreds')} >=500, ${sum('stacks')} stacks, ${sum('hangs')} hangs (max ${maxMs} ms)`;
}

/** Targets none of whose payloads got a 2xx/3xx: reached only validation and lookups (said, not hidden). */
function neverSucceeded(stats: Map<string, TargetStats>): string[] {
  return [...stats.entries()]
    .filter(([, s]) => ![...s.statuses.keys()].some((status) => status < 400))
    .map(([name]) => name);
}

function statusSpread(stats: Map<string, TargetStats>): string {
  const spread = new Map<number, number>();
  for (const s of stats.values())
    for (const [status, n] of s.statuses) spread.set(status, (spread.get(status) ?? 0) + n);
  return [...spread.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}:${n}`)
    .join(' ');
}

test(
  'fuzz: every OpenAPI operation answers generated payloads without 5xx, stacks or hangs',
  { timeout: 300_000 },
  async (t) => {
    const doc = api.server.openApi();
    const targets = documentedTargets(doc, fixture);
    const operations = Object.values((doc as unknown as { paths: Record<string, object> }).paths).reduce(
      (n, item) => n + Object.keys(item).length,
      0,
    );
    assert.equal(targets.length, operations, 'one target per documented operation');
    t.diagnostic(`seed ${FUZZ_SEED}, ${FUZZ_RUNS} payloads per operation`);
    const { stats, failures } = await fuzz(targets);
    t.diagnostic(`statuses ${statusSpread(stats)}; no 2xx/3xx: ${neverSucceeded(stats).join(', ') || 'none'}`);
    t.diagnostic(figure('fuzz', stats));
    assert.deepEqual(failures, [], `counterexamples (seed ${FUZZ_SEED}):\n${failures.join('\n')}`);
    if (!only)
      assert.ok(
        [...stats.values()].every((s) => s.requests >= 1000),
        'at least 1000 payloads per operation',
      );
  },
);

test(
  'fuzz: undocumented surfaces (OAuth popup, Embedded Link, receiver, sandbox app) hold the same bar',
  { timeout: 300_000 },
  async (t) => {
    await refreshForSurfaces(api, fixture);
    const targets = undocumentedTargets(fixture);
    const { stats, failures } = await fuzz(targets);
    t.diagnostic(`statuses ${statusSpread(stats)}; no 2xx/3xx: ${neverSucceeded(stats).join(', ') || 'none'}`);
    t.diagnostic(figure('fuzz undocumented surfaces', stats));
    assert.deepEqual(failures, [], `counterexamples (seed ${FUZZ_SEED}):\n${failures.join('\n')}`);
  },
);

test('fuzz: no generated payload touched a built-in prototype', () => {
  assert.equal(prototypeSnapshot(), prototypesBefore);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
});
