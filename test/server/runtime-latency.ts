/**
 * Measures event → signed Stream Data delivery latency on loopback:
 *
 *   node --import tsx test/server/runtime-latency.ts [--events 1000] [--concurrency 1] [--path event|order]
 *     [--database-url postgres://... [--nodes 2]]
 *
 * `event`: POST /run/event (a custom event) until the Stream Data POST reaches a local receiver
 * with both signatures valid. `order`: a Demo Store order is created until its Stream Data POST
 * arrives (store webhook → our receiver → queue → worker → Stream Data). The server runs in this
 * process with its production runtime settings (SQLite file in a temp dir, synchronous=FULL), or on
 * the PostgreSQL database `--database-url` names (an empty one: the server creates its schema).
 * With `--nodes N` on PostgreSQL, N-1 more nodes run as their own processes (src/server/main.ts)
 * with the same keys, encryption key and definitions, and the events go to the nodes in turn, as
 * a round-robin load balancer would send them; every node's worker claims runs.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyAlloySignature, verifyStandardWebhook } from '../../src/node/webhooks.js';
import { createServer } from '../../src/server/app.js';
import { makeKeys } from '../../src/server/make-keys.js';
import { freePort, startPrinting, type RunningProcess } from '../bench/processes.js';
import { ownedStoresOverHttp, SANDBOX_SERVER_OPTIONS } from '../helpers/sandbox-owner.js';
import { TEST_API_KEY, TEST_RATE_LIMIT_ENV } from '../helpers/server.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '1' },
    path: { type: 'string', default: 'event' },
    'database-url': { type: 'string' },
    nodes: { type: 'string', default: '1' },
  },
});
const NODES = Number(values.nodes);
if (NODES > 1 && !values['database-url'])
  throw new Error('--nodes needs --database-url: several nodes share PostgreSQL');
const TOTAL = Number(values.events);
const CONCURRENCY = Number(values.concurrency);
const MODE = values.path === 'order' ? 'order' : 'event';

const INTEGRATION_ID = '65a1c0de00000000000000fe';
const EVENT_WORKFLOW = '65a1c0de00000000000fe001';
const ORDER_WORKFLOW = '65a1c0de00000000000fe002';

const pending = new Map<string, (at: number) => void>();
let badSignatures = 0;
const keys = { publicKey: '', webhookSecret: '' };

const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = performance.now();
    const body = Buffer.concat(chunks).toString('utf8');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${req.url}`;
    let valid = false;
    try {
      verifyStandardWebhook(keys.webhookSecret, req.headers, body);
      valid = verifyAlloySignature(keys.publicKey, {
        method: req.method ?? 'POST',
        url,
        body,
        signature: req.headers['x-alloy-signature'] as string,
      });
    } catch {
      valid = false;
    }
    if (!valid) badSignatures++;
    const data = (JSON.parse(body) as { data: { n?: number; note?: string } }).data;
    const key = MODE === 'event' ? String(data.n) : String(data.note);
    res.writeHead(valid ? 200 : 401).end();
    pending.get(key)?.(at);
    pending.delete(key);
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/stream`;

const definitions = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-latency-defs-'));
const stream = {
  type: 'streamData',
  id: 'stream',
  name: 'Stream Data',
  fields: [{ name: 'url', displayName: 'URL', type: 'text', value: receiverUrl }],
};
fs.writeFileSync(
  path.join(definitions, 'latency.integration.json'),
  JSON.stringify({
    integrationId: INTEGRATION_ID,
    name: 'Latency',
    app: 'demoStore',
    icon: '/static/icons/webhook.svg',
    workflows: [
      {
        workflowId: EVENT_WORKFLOW,
        name: 'Latency: event',
        versions: [
          {
            version: 1,
            trigger: { type: 'customEvent', id: 'ping', name: 'Ping', event: 'Latency Ping', schema: { n: 'Number' } },
            blocks: [stream],
          },
        ],
      },
      {
        workflowId: ORDER_WORKFLOW,
        name: 'Latency: order',
        versions: [
          {
            version: 1,
            trigger: { type: 'appEvent', id: 'order', name: 'Order', connector: 'demoStore', event: 'order.created' },
            blocks: [stream],
          },
        ],
      },
    ],
  }),
);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-latency-'));
// Shared by every node when there are several (PostgreSQL mode requires them to be).
const keysDir = path.join(dataDir, 'keys');
const encryptionKey = randomBytes(32).toString('base64');
if (NODES > 1) makeKeys(keysDir, () => {});
const server = await createServer({
  dataDir,
  databaseUrl: values['database-url'],
  ...(NODES > 1 ? { keysDir, encryptionKey } : {}),
  definitionsDir: definitions,
  pinnedDevApiKey: TEST_API_KEY,
  allowPrivateTargets: 'loopback',
  ...SANDBOX_SERVER_OPTIONS,
  validateResponses: false,
});
await server.app.listen({ port: 0, host: '127.0.0.1' });
Object.assign(keys, {
  publicKey: server.ctx.signingKeys.development.publicKeyPem,
  webhookSecret: server.ctx.signingKeys.development.webhookSecret,
});
const base = server.ctx.publicUrl;

// The other nodes: API and workers only (the Demo Store sandbox stays on the first).
const others: RunningProcess[] = [];
for (let i = 1; i < NODES; i++) {
  const port = await freePort();
  const nodeDir = path.join(dataDir, `node-${i + 1}`);
  fs.mkdirSync(nodeDir);
  const node = await startPrinting(
    process.execPath,
    ['--import', 'tsx', 'src/server/main.ts'],
    {
      PORT: String(port),
      ALLOY_DATA_DIR: nodeDir,
      ALLOY_DATABASE_URL: values['database-url']!,
      ALLOY_KEYS_DIR: keysDir,
      ALLOY_ENCRYPTION_KEY: encryptionKey,
      ALLOY_PUBLIC_URL: base,
      ALLOY_DEFINITIONS_DIR: definitions,
      ALLOY_API_KEY: TEST_API_KEY,
      ALLOY_ALLOW_PRIVATE_TARGETS: 'loopback',
      ALLOY_LOG_LEVEL: 'error',
      ...TEST_RATE_LIMIT_ENV,
    },
    /this node on (\S+:\d+)/,
  );
  others.push({ ...node, url: `http://127.0.0.1:${port}` });
}
/** Where the n-th event goes: the nodes in turn (warm-up events, numbered below 0, to the first). */
const nodeFor = (n: number): string => (n < 0 ? base : [base, ...others.map((o) => o.url)][n % NODES]!);

async function api(method: string, url: string, body?: unknown, to = base) {
  const response = await fetch(`${to}${url}`, {
    method,
    headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, string>;
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

const { userId } = await api('POST', '/2024-03/users', { username: 'latency' });
const store = (await ownedStoresOverHttp(base))[0]!;
await api('POST', '/2024-03/headless/credentials', {
  userId,
  credential: { type: 'demoStore', data: { apiKey: store.apiKey, storeId: store.id } },
});
const { token } = await api('GET', `/2024-03/users/${userId}/token`);
const installed = await fetch(`${base}/2024-03/widget/installations`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-alloy-user-token': token! },
  body: JSON.stringify({
    integrationId: INTEGRATION_ID,
    workflowIds: [MODE === 'event' ? EVENT_WORKFLOW : ORDER_WORKFLOW],
    values: [],
  }),
});
if (installed.status !== 201) throw new Error(`install: ${installed.status}`);

async function once(n: number): Promise<number> {
  const key = String(n);
  const arrived = new Promise<number>((resolve) => pending.set(key, resolve));
  const start = performance.now();
  if (MODE === 'event') {
    await api('POST', '/2024-03/run/event', { event: 'Latency Ping', userId, data: { n } }, nodeFor(n));
  } else {
    const response = await fetch(`${base}/sandbox/demo-store/api/v1/stores/${store.id}/orders`, {
      method: 'POST',
      headers: { 'x-store-api-key': store.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        customer: { email: 'latency@example.com', name: 'Latency' },
        items: [{ name: 'Probe', quantity: 1, unitPrice: 100 }],
        note: key,
      }),
    });
    if (response.status !== 201) throw new Error(`order: ${response.status}`);
  }
  return (await arrived) - start;
}

// Warm-up (JIT, connection pools), not counted.
for (let i = 0; i < 20; i++) await once(-1 - i);

const latencies: number[] = [];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < TOTAL) latencies.push(await once(next++));
  }),
);
const elapsed = performance.now() - started;

const sorted = [...latencies].sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
const ms = (v: number) => `${v.toFixed(1)} ms`;
console.log(
  `event → signed Stream Data delivery (${MODE} path), ${TOTAL} events, concurrency ${CONCURRENCY}, ${NODES} node${NODES === 1 ? '' : 's'}`,
);
console.log(`  median ${ms(at(0.5))}   p90 ${ms(at(0.9))}   p99 ${ms(at(0.99))}   max ${ms(sorted.at(-1)!)}`);
console.log(
  `  mean ${ms(latencies.reduce((a, b) => a + b, 0) / latencies.length)}   throughput ${(TOTAL / (elapsed / 1000)).toFixed(0)} events/s`,
);
console.log(`  signatures that failed to verify: ${badSignatures}`);
console.log(`  ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);

await Promise.all(others.map((node) => node.stop()));
await server.close();
receiver.closeAllConnections();
receiver.close();
fs.rmSync(dataDir, { recursive: true, force: true });
fs.rmSync(definitions, { recursive: true, force: true });
if (badSignatures > 0) process.exitCode = 1;
