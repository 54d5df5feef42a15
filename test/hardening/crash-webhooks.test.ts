/**
 * Webhook recovery and SSRF (issue 8). A receiver that answers 500, then refuses connections, then
 * hangs past the request timeout, then recovers: every Stream Data post and installation webhook
 * is delivered; every attempt of one delivery carries the same `webhook-id` with a timestamp and
 * signatures made for that attempt, which the exported verifiers (src/node/webhooks.ts) accept.
 *
 * Private-network targets: test/server/outbound.test.ts covers the address classes, IP-literal
 * URLs (127.0.0.1, [::1], 169.254.169.254, mapped, decimal and hex forms) and, end to end, Stream
 * Data to 127.0.0.1 and the installation webhook to `localhost`. Added here, end to end through
 * the installation webhook: 10/8, 192.168/16, 169.254.169.254 and ::1 literals, and names that
 * resolve to them (DNS answered by a mock of `dns.lookup`, the function the guard calls), including
 * a name with one public and one private address.
 */
import assert from 'node:assert/strict';
import dns from 'node:dns';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, mock, test } from 'node:test';
import { verifyAlloySignature, verifyStandardWebhook } from '../../src/node/webhooks.js';
import { LAB_INTEGRATION_ID, PING_EVENT, PING_WORKFLOW_ID, labIntegration } from '../server/lab-integration.js';
import { type Api, FAST_RUNTIME, definitionsDir, startApi, waitFor } from '../server/support.js';

type Mode = 'fail500' | 'refuse' | 'hang' | 'ok';

interface Attempt {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
  mode: Mode;
}

/** A receiver on a fixed port that can fail in each way, stop listening, and come back. */
class FlakyReceiver {
  mode: Mode = 'ok';
  readonly attempts: Attempt[] = [];
  private readonly held: http.ServerResponse[] = [];
  private server: http.Server | undefined;
  port = 0;

  async listen(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const mode = this.mode;
        this.attempts.push({
          path: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
          mode,
        });
        if (mode === 'hang') this.held.push(res);
        else res.writeHead(mode === 'ok' ? 200 : 500, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Stops listening: connections are refused until `listen()` again. */
  async stop(): Promise<void> {
    const server = this.server!;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  releaseHeld(): void {
    for (const res of this.held.splice(0)) if (!res.destroyed) res.destroy();
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Each failure mode lasts this long: over a second, so one delivery's attempts span several timestamps. */
const PHASE_MS = 1_300;
const REQUEST_TIMEOUT_MS = 300;

describe('a receiver failing for a while, then recovering', () => {
  let api: Api;
  let receiver: FlakyReceiver;
  let dir: string;
  before(async () => {
    receiver = new FlakyReceiver();
    await receiver.listen();
    dir = definitionsDir({ 'lab.integration.json': labIntegration((p) => receiver.url(p)) });
    const retry = { baseDelayMs: 50, maxDelayMs: 300, maxAttempts: 100 };
    api = await startApi({
      server: {
        definitionsDir: dir,
        installationWebhookUrl: receiver.url('/installed-hook'),
        runtime: { ...FAST_RUNTIME, retry, deliveryRetry: retry, requestTimeoutMs: REQUEST_TIMEOUT_MS },
      },
    });
  });
  after(async () => {
    await api.server.dispose();
    receiver.releaseHeld();
    await receiver.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('500s, refused connections and hangs past the timeout: every event delivered, same webhook-id, fresh signed timestamps', async (t) => {
    const EVENTS_PER_PHASE = 10;
    const users: string[] = [];
    for (let i = 0; i < 4; i++) users.push(await api.createUser(`flaky-${i}`));
    const fired = new Map<number, string>();
    let n = 0;
    const fireSome = async () => {
      for (let i = 0; i < EVENTS_PER_PHASE; i++, n++) {
        const response = await api.call('POST', '/run/event', {
          body: { event: PING_EVENT, userId: users[0]!, data: { n } },
        });
        assert.equal(response.statusCode, 200);
        fired.set(n, response.json().eventId);
      }
    };
    let installs = 0;
    const installOne = async () => {
      const user = users[1 + installs++]!;
      const response = await api.call('POST', '/widget/installations', {
        token: await api.token(user),
        body: { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] },
      });
      assert.equal(response.statusCode, 201, response.body);
    };
    const install = await api.call('POST', '/widget/installations', {
      token: await api.token(users[0]!),
      body: { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] },
    });
    assert.equal(install.statusCode, 201);
    await waitFor('the first installation webhook', () => receiver.attempts.some((a) => a.path === '/installed-hook'));

    receiver.mode = 'fail500';
    await fireSome();
    await installOne();
    await sleep(PHASE_MS);
    receiver.mode = 'refuse';
    await receiver.stop();
    await fireSome();
    await installOne();
    await sleep(PHASE_MS);
    receiver.mode = 'hang';
    await receiver.listen();
    await fireSome();
    await installOne();
    await sleep(PHASE_MS);
    receiver.mode = 'ok';
    const recoveredAt = Date.now();

    await waitFor(
      'every run to finish',
      async () =>
        (await Promise.all([...fired.values()].map((id) => api.server.ctx.runtime.queue.get(id)))).every(
          (row) => row?.status === 'done',
        ),
      30_000,
    );
    const delivered = () => receiver.attempts.filter((a) => a.mode === 'ok');
    await waitFor(
      'every installation webhook',
      () => delivered().filter((a) => a.path === '/installed-hook').length >= 4,
    );
    const lastDeliveredAt = Math.max(...delivered().map((a) => a.at));

    // Group the attempts by delivery (webhook-id) and check each one.
    const keys = api.server.ctx.signingKeys.development;
    const byId = new Map<string, Attempt[]>();
    for (const attempt of receiver.attempts) {
      const id = attempt.headers['webhook-id'] as string;
      assert.ok(id, 'every attempt has a webhook-id');
      byId.set(id, [...(byId.get(id) ?? []), attempt]);
    }
    const streamIdsOfEvent = new Map<number, Set<string>>();
    let verified = 0;
    let spanningTimestamps = 0;
    for (const [id, attempts] of byId) {
      const timestamps = new Set<string>();
      const signatures = new Map<string, string>();
      for (const attempt of attempts) {
        // The verifier with the endpoint secret, at the moment the attempt arrived.
        const checked = verifyStandardWebhook(keys.webhookSecret, attempt.headers, attempt.body, { now: attempt.at });
        assert.equal(checked.id, id);
        assert.ok(
          Math.abs(checked.timestamp - Math.floor(attempt.at / 1000)) <= 1,
          'the timestamp is the attempt’s own, not the first attempt’s',
        );
        assert.ok(
          verifyAlloySignature(keys.publicKeyPem, {
            method: 'POST',
            url: receiver.url(attempt.path),
            body: attempt.body,
            signature: attempt.headers['x-alloy-signature'] as string,
          }),
          'X-Alloy-Signature verifies',
        );
        verified++;
        const timestamp = attempt.headers['webhook-timestamp'] as string;
        signatures.set(timestamp, attempt.headers['webhook-signature'] as string);
        timestamps.add(timestamp);
        if (attempt.path === '/stream') {
          const event = (JSON.parse(attempt.body) as { data: { n: number } }).data.n;
          streamIdsOfEvent.set(event, (streamIdsOfEvent.get(event) ?? new Set()).add(id));
        }
      }
      assert.equal(new Set(signatures.values()).size, timestamps.size, 'each new timestamp is signed anew');
      if (timestamps.size > 1) spanningTimestamps++;
      assert.ok(
        attempts.some((a) => a.mode === 'ok'),
        `delivery ${id} (${attempts[0]!.path}) was delivered in the end`,
      );
    }
    for (const [event] of fired) {
      assert.equal(streamIdsOfEvent.get(event)?.size, 1, `event ${event}: every attempt under one webhook-id`);
    }
    assert.ok(spanningTimestamps > 0, 'some deliveries were retried across seconds, each attempt signed anew');
    const failedAttempts = receiver.attempts.filter((a) => a.mode !== 'ok').length;
    const perMode = (mode: Mode) => receiver.attempts.filter((a) => a.mode === mode).length;
    const deliveries = [...byId.values()];
    t.diagnostic(
      `FIGURE crash-webhooks recovery | ${fired.size} events + ${installs + 1} installation webhooks through ` +
        `500s (${perMode('fail500')} attempts), refused connections, hangs past ${REQUEST_TIMEOUT_MS} ms (${perMode('hang')} attempts), ` +
        `${(3 * PHASE_MS) / 1000} s in all: delivered ${deliveries.filter((d) => d.some((a) => a.mode === 'ok')).length}/${deliveries.length}, lost 0, ` +
        `attempts ${receiver.attempts.length} (${failedAttempts} failed) all verified (${verified}/${receiver.attempts.length}), ` +
        `1 webhook-id per delivery, ${spanningTimestamps} deliveries re-signed across timestamps; ` +
        `last delivery ${lastDeliveredAt - recoveredAt} ms after recovery`,
    );
  });
});

describe('private-network targets', () => {
  let api: Api;
  let dir: string;
  /** Names answered by the mocked resolver; anything else goes to the real one. */
  const FAKE_DNS: Record<string, { address: string; family: 4 | 6 }[]> = {
    'metadata.internal.test': [{ address: '169.254.169.254', family: 4 }],
    'ten.internal.test': [{ address: '10.20.30.40', family: 4 }],
    'home.internal.test': [{ address: '192.168.1.20', family: 4 }],
    'loop.internal.test': [{ address: '127.0.0.1', family: 4 }],
    'loop6.internal.test': [{ address: '::1', family: 6 }],
    // One public and one private address: refused, whichever the socket would have used.
    'mixed.internal.test': [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ],
  };
  const lookups: string[] = [];
  /** Listens where the loopback targets point, to count any connection that gets through. */
  const trap = net.createServer((socket) => {
    trapped++;
    socket.destroy();
  });
  let trapped = 0;
  before(async () => {
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    const realLookup = dns.lookup.bind(dns);
    mock.method(dns, 'lookup', (hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
      const answer = FAKE_DNS[hostname];
      if (!answer) return (realLookup as (...args: unknown[]) => void)(hostname, options, callback);
      lookups.push(hostname);
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
      if (all) callback(null, answer);
      else callback(null, answer[0]!.address, answer[0]!.family);
    });
    dir = definitionsDir({ 'lab.integration.json': labIntegration(() => 'http://127.0.0.1:9/unused') });
    api = await startApi({ server: { definitionsDir: dir, allowPrivateTargets: 'none' } });
  });
  after(async () => {
    mock.restoreAll();
    trap.close();
    await api.server.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('installation webhooks to 10/8, 192.168/16, 169.254.169.254, ::1 and names resolving to them are refused before connecting', async (t) => {
    const port = (trap.address() as net.AddressInfo).port;
    const targets = [
      'https://10.1.2.3/hook',
      'https://192.168.0.1/hook',
      'https://169.254.169.254/latest/meta-data',
      `https://[::1]:${port}/hook`,
      `https://127.0.0.1:${port}/hook`,
      ...Object.keys(FAKE_DNS).map((name) => `https://${name}:${port}/hook`),
    ];
    const outcomes: string[] = [];
    for (const [i, target] of targets.entries()) {
      const set = await api.call('PUT', '/settings', { body: { installationWebhookUrl: target } });
      assert.equal(set.statusCode, 200, set.body);
      const userId = await api.createUser(`fenced-${i}`);
      const install = await api.call('POST', '/widget/installations', {
        token: await api.token(userId),
        body: { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] },
      });
      assert.equal(install.statusCode, 201);
      const failed = await waitFor(`the refused delivery to ${target}`, async () => {
        const list = (await api.call('GET', '/webhook-deliveries?status=failed')).json().data as {
          url: string;
          attempts: number;
          lastError: string;
        }[];
        return list.find((d) => d.url === target);
      });
      assert.equal(failed.attempts, 1, `${target}: a refusal is final, not retried`);
      assert.match(failed.lastError, /^Refused to send to .*: it is a (private|loopback) network address/, target);
      outcomes.push(`${new URL(target).hostname}: ${/it is a (\w+)/.exec(failed.lastError)![1]}`);
    }
    assert.deepEqual(
      [...new Set(lookups)].sort(),
      Object.keys(FAKE_DNS).sort(),
      'every name was resolved by the guard (at send time)',
    );
    assert.equal(trapped, 0, 'no connection reached the loopback listener');
    t.diagnostic(
      `FIGURE crash-webhooks ssrf | ${targets.length} private targets (5 literals, ${Object.keys(FAKE_DNS).length} names incl. public+private mix): ` +
        `refused ${outcomes.length}/${targets.length}, retried 0, connections to the loopback trap ${trapped} [${outcomes.join(', ')}]`,
    );
  });
});
