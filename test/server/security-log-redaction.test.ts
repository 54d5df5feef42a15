/**
 * Security audit, issue 13: item 12 (log redaction bypassed by encoded capability paths) and item
 * 13 (a regex in log scrubbing that backtracked quadratically).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REDACTED, redactUrl, scrubSecrets } from '../../src/server/platform/log-redaction.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { Api, INTEGRATION_ID, waitFor } from './support.js';

const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd';

test('capability paths are redacted however the router would be made to reach them', () => {
  const variants = [
    `/%6cink/${TOKEN}`,
    `/%6C%69%6E%6B/${TOKEN}`,
    `/oauth/%73tart/${TOKEN}`,
    `/%6fauth/start/${TOKEN}?x=1`,
    `/link;x/${TOKEN}`,
    `/link/${TOKEN};x`,
    `/link/;${TOKEN}`,
    `*link/${TOKEN}`,
    `http://host/link/${TOKEN}`,
    `HTTP://user:pass@host:80/%6cink/${TOKEN}?a=1`,
    `/link%2F${TOKEN}`,
    `/link/abc%2F${TOKEN}`,
    `/link\\${TOKEN}`,
    `/x/../link/${TOKEN}`,
    `/x/%2e%2e/link/${TOKEN}`,
    `/link/${TOKEN}/..`,
    `/link/./${TOKEN}`,
    `/LiNk/${TOKEN}`,
    `/link/${TOKEN}#frag`,
    `/link/${TOKEN}%E0%A4%A`,
    `/link/%ZZ${TOKEN}`,
    `/l%ZZink/${TOKEN}`,
    `/link/${TOKEN}%ff`,
  ];
  for (const url of variants) {
    const logged = redactUrl(url);
    assert.ok(!logged.includes(TOKEN), `${url} logged as ${logged}`);
    assert.ok(!logged.includes(TOKEN.slice(0, 20)), `${url} logged as ${logged}`);
    assert.ok(logged.includes(REDACTED), `${url} logged as ${logged}`);
  }
  // Readable where nothing is secret; the raw shape kept around the redaction.
  assert.equal(redactUrl(`/%6cink/${TOKEN}`), `/%6cink/${REDACTED}`);
  assert.equal(
    redactUrl(`http://u:p@h/link/${TOKEN}?code=1#f`),
    `http://${REDACTED}@h/link/${REDACTED}?code=${REDACTED}#${REDACTED}`,
  );
  assert.equal(redactUrl('/link/link.js'), '/link/link.js');
  assert.equal(redactUrl('/link/ended/used'), '/link/ended/used');
  assert.equal(redactUrl('/2024-03/users?limit=10&cursor=abc'), '/2024-03/users?limit=10&cursor=abc');
  // Undecodable: not logged, nor anything after it.
  assert.equal(redactUrl('/a/%ZZb/c'), `/a/${REDACTED}`);
  // Percent-encoded query names and credential-shaped values.
  assert.equal(redactUrl('/w?%74oken=abc&ok=1'), `/w?%74oken=${REDACTED}&ok=1`);
  assert.equal(redactUrl('/w?q=%65yJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'), `/w?q=${REDACTED}`);
  assert.equal(redactUrl('/w?q=%ZZ&ok=1'), `/w?q=${REDACTED}&ok=1`);
});

let server: TestServer;
let logFile: string;
before(async () => {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-redaction-log-'));
  logFile = path.join(logDir, 'server.log');
  server = await startTestServer({ listen: true, server: { logger: true, logLevel: 'info', logFile } });
});
after(async () => {
  await server?.dispose();
  fs.rmSync(path.dirname(logFile), { recursive: true, force: true });
});

/** One request with this exact request target (no client normalises it first). */
function rawGet(target: string): Promise<string> {
  const port = (server.app.server.address() as net.AddressInfo).port;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`),
    );
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    socket.on('end', () => resolve(response.split('\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

test('a live server serves encoded link paths and its log holds none of their tokens', async () => {
  const api = new Api(server);
  const userId = await api.createUser('redaction-user');
  const link = (await api.call('GET', `/users/${userId}/integrations/${INTEGRATION_ID}/install-url`)).json() as {
    url: string;
  };
  const token = new URL(link.url).pathname.split('/')[2]!;
  const targets = [`/%6cink/${token}`, `*link/${token}`, `http://localhost/%6Cink/${token}`, `/link/${token}`];
  for (const target of targets) {
    // 303 to /link: the router did hand each of them to the capability handler.
    assert.match(await rawGet(target), /^HTTP\/1\.1 303 /, target);
  }
  const lines = await waitFor('the request log lines', async () => {
    const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    const found = text.split('\n').filter((line) => line.includes('"req":'));
    return found.length >= targets.length ? found : undefined;
  });
  const logged = fs.readFileSync(logFile, 'utf8');
  assert.ok(!logged.includes(token), 'the link token is in the log');
  assert.ok(!logged.includes(token.slice(0, 16)), 'part of the link token is in the log');
  assert.ok(lines.some((line) => line.includes(`%6cink/${REDACTED}`)));
});

/** The scrubbing regex before the audit, kept as the reference the linear scanner must agree with. */
const REFERENCE_PATTERN =
  /eyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*|\b(?:ak_(?:dev|prod)|dsk|dscs|dsat|dsrt|dsac|dsown|dsos|dswhsec|csrf|brw|whsec)_[\w-]{4,}/g;

test('scrubSecrets finds exactly what the reference regex finds (random inputs)', () => {
  const pieces = [
    'eyJ',
    'ak_dev_',
    'ak_prod_',
    'dsk_',
    'dsown_',
    'dsos_',
    'whsec_',
    'csrf_',
    'a',
    'b9',
    '_',
    '-',
    '.',
    ' ',
    '/',
    '=',
    'x',
    'é',
  ];
  let seed = 12345;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 5000; i++) {
    let text = '';
    const length = 1 + random(30);
    for (let k = 0; k < length; k++) text += pieces[random(pieces.length)];
    assert.equal(scrubSecrets(text), text.replace(REFERENCE_PATTERN, REDACTED), JSON.stringify(text));
  }
  assert.equal(
    scrubSecrets('key ak_dev_test_key_0123 and x-dsat_abcdefgh, Bearer%20eyJhbGci.eyJzdWIi.c2ln.more'),
    `key ${REDACTED} and x-${REDACTED}, Bearer%20${REDACTED}.more`,
  );
});

/** Median wall time of `run` in milliseconds. */
function medianMs(run: () => void, rounds = 15): number {
  run();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

test('a crafted 16 KB URL is scrubbed in time linear in its size (ratio to a benign one)', (t) => {
  const size = 16 * 1024;
  const fill = (unit: string, prefix = ''): string =>
    (prefix + unit.repeat(Math.ceil(size / unit.length))).slice(0, size);
  const benign = fill('/segment?name=value&other=thing', '/2024-03/users');
  assert.equal(benign.length, size);
  const crafted: Record<string, string> = {
    'eyJ run': fill('eyJ', '/x?q='),
    'eyJ after a short JWT part': fill('eyJ', '/x?q=eyJaa.'),
    'prefix run': fill('dsk_ab-', '/x?q='),
    slashes: fill('/'),
    'link slashes': fill('/', '/link'),
    'oauth slashes': fill('/', '/oauth'),
    'dot segments': fill('/..', '/link'),
    escapes: fill('%6c'),
    'bad escapes': fill('%', '/x'),
    'absolute form': fill('a', 'http'),
    'query pairs': fill('&token=', '/x?'),
  };
  const benignMs = medianMs(() => redactUrl(benign));
  const ratios: string[] = [];
  let worst = 0;
  for (const [name, url] of Object.entries(crafted)) {
    assert.equal(url.length, size, name);
    const ms = medianMs(() => redactUrl(url));
    const ratio = ms / benignMs;
    worst = Math.max(worst, ratio);
    ratios.push(`${name} ${ms.toFixed(3)} ms (${ratio.toFixed(1)}x)`);
    assert.ok(ratio < 10, `${name}: ${ms.toFixed(3)} ms vs benign ${benignMs.toFixed(3)} ms`);
  }
  t.diagnostic(
    `FIGURE log-scrub-linear | 16 KB URLs through redactUrl: benign ${benignMs.toFixed(3)} ms; worst crafted ${worst.toFixed(1)}x benign; ${ratios.join('; ')}`,
  );
});
