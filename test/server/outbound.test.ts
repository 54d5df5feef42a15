import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { checkTarget, classifyAddress, isAddressAllowed } from '../../src/server/platform/outbound-http.js';
import { parseRetryAfter, retryDelay } from '../../src/server/platform/retry.js';
import { LAB_INTEGRATION_ID, PING_EVENT, PING_WORKFLOW_ID, labIntegration } from './lab-integration.js';
import { TestReceiver } from './receiver.js';
import { type Api, definitionsDir, startApi, waitFor } from './support.js';

describe('which addresses outgoing requests may reach', () => {
  test('loopback, private, link-local, metadata, mapped and reserved addresses are not public', () => {
    const cases: [string, ReturnType<typeof classifyAddress>][] = [
      ['127.0.0.1', 'loopback'],
      ['127.8.9.10', 'loopback'],
      ['::1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'private'],
      ['100.64.0.1', 'private'],
      ['0.0.0.0', 'private'],
      ['224.0.0.1', 'private'],
      ['255.255.255.255', 'private'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:10.0.0.1', 'private'],
      ['fc00::1', 'private'],
      ['fd12:3456::1', 'private'],
      ['fe80::1', 'private'],
      ['::', 'private'],
      ['not-an-ip', 'private'],
      ['93.184.216.34', 'public'],
      ['172.32.0.1', 'public'],
      ['2606:4700::1111', 'public'],
    ];
    for (const [address, expected] of cases) assert.equal(classifyAddress(address), expected, address);
    assert.equal(isAddressAllowed('none', '127.0.0.1'), false);
    assert.equal(isAddressAllowed('loopback', '127.0.0.1'), true);
    assert.equal(isAddressAllowed('loopback', '10.0.0.1'), false);
    assert.equal(isAddressAllowed('all', '10.0.0.1'), true);
    assert.equal(isAddressAllowed('none', '93.184.216.34'), true);
  });

  test('IP-literal URLs are checked before any connection; odd schemes and credentials are refused', () => {
    for (const url of [
      'http://127.0.0.1:9/x',
      'http://[::1]/x',
      'http://169.254.169.254/latest/meta-data',
      'http://[::ffff:7f00:1]/x',
      'http://2130706433/x',
      'http://0x7f.1/x',
    ]) {
      assert.throws(() => checkTarget('none', url), /Refused to send/, url);
    }
    assert.throws(() => checkTarget('all', 'file:///etc/passwd'), /Only http and https/);
    assert.throws(() => checkTarget('all', 'https://user:pw@example.com/'), /credentials/);
    assert.throws(() => checkTarget('all', 'not a url'), /not a URL/);
    assert.equal(checkTarget('none', 'https://93.184.216.34/x').hostname, '93.184.216.34');
  });

  test('backoff is capped full jitter and honours Retry-After within the cap', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 10 };
    assert.equal(
      retryDelay(policy, 1, undefined, () => 0.999),
      99,
    );
    assert.equal(
      retryDelay(policy, 3, undefined, () => 0.5),
      200,
    );
    assert.equal(
      retryDelay(policy, 30, undefined, () => 0.999),
      999,
      'capped',
    );
    assert.equal(
      retryDelay(policy, 1, undefined, () => 0),
      0,
      'full jitter starts at zero',
    );
    assert.equal(
      retryDelay(policy, 1, 5_000, () => 0),
      1_000,
      'Retry-After, capped',
    );
    assert.equal(
      retryDelay(policy, 1, 300, () => 0),
      300,
    );
    assert.equal(parseRetryAfter('2'), 2_000);
    assert.ok((parseRetryAfter(new Date(Date.now() + 10_000).toUTCString()) ?? 0) > 8_000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});

describe('with private targets not allowed (the default outside npm start)', () => {
  let api: Api;
  let receiver: TestReceiver;
  let dir: string;
  before(async () => {
    receiver = await TestReceiver.start();
    dir = definitionsDir({ 'lab.integration.json': labIntegration((p) => receiver.url(p)) });
    api = await startApi({ server: { definitionsDir: dir, allowPrivateTargets: 'none' } });
  });
  after(async () => {
    await api.server.dispose();
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('Stream Data to 127.0.0.1 and the installation webhook to localhost are refused; nothing connects', async () => {
    await api.call('PUT', '/settings', {
      body: { installationWebhookUrl: `http://localhost:${receiver.port}/installations` },
    });
    const userId = await api.createUser('fenced');
    const install = await api.call('POST', '/widget/installations', {
      token: await api.token(userId),
      body: { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] },
    });
    assert.equal(install.statusCode, 201);
    const fired = await api.call('POST', '/run/event', { body: { event: PING_EVENT, userId, data: { n: 1 } } });
    await waitFor(
      'the run',
      async () => (await api.server.ctx.runtime.queue.get(fired.json().eventId))?.status === 'failed',
    );
    const errors = (await api.call('GET', `/workflows/${PING_WORKFLOW_ID}/errors?userId=${userId}`)).json().data;
    assert.match(
      errors[0].message,
      /Refused to send to 127\.0\.0\.1 \(127\.0\.0\.1\): it is a loopback network address/,
    );

    // The name is resolved and checked at connection time (localhost → 127.0.0.1 / ::1).
    const failed = await waitFor('the refused installation webhook', async () => {
      const list = (await api.call('GET', '/webhook-deliveries?status=failed')).json().data;
      return list[0];
    });
    assert.equal(failed.attempts, 1, 'a refusal is not retried');
    assert.match(failed.lastError, /Refused to send to localhost/);
    assert.equal(receiver.requests.length, 0, 'no request reached the receiver');
  });
});

describe('with loopback targets allowed', () => {
  let api: Api;
  let receiver: TestReceiver;
  let dir: string;
  before(async () => {
    receiver = await TestReceiver.start();
    dir = definitionsDir({ 'lab.integration.json': labIntegration((p) => receiver.url(p)) });
    api = await startApi({ server: { definitionsDir: dir } });
  });
  after(async () => {
    await api.server.dispose();
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a redirect is a failure and is not followed; 429 with Retry-After is retried', async () => {
    const userId = await api.createUser('redirected');
    const install = await api.call('POST', '/widget/installations', {
      token: await api.token(userId),
      body: { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] },
    });
    assert.equal(install.statusCode, 201);
    receiver.react = (request) =>
      request.path === '/stream' ? { status: 302, headers: { location: receiver.url('/followed') } } : 200;
    const fired = await api.call('POST', '/run/event', { body: { event: PING_EVENT, userId, data: { n: 3 } } });
    await waitFor(
      'the run',
      async () => (await api.server.ctx.runtime.queue.get(fired.json().eventId))?.status === 'failed',
    );
    assert.equal(receiver.at('/stream').length, 1, 'a redirect is not retried');
    assert.equal(receiver.at('/followed').length, 0, 'nor followed');
    const [error] = (await api.call('GET', `/workflows/${PING_WORKFLOW_ID}/errors?userId=${userId}`)).json().data;
    assert.match(error.message, /302 \(a redirect, not followed\)/);

    let streamed = 0;
    receiver.react = (request) =>
      request.path === '/stream' && ++streamed === 1 ? { status: 429, headers: { 'retry-after': '0' } } : 200;
    const again = await api.call('POST', '/run/event', { body: { event: PING_EVENT, userId, data: { n: 4 } } });
    await waitFor(
      'the retried run',
      async () => (await api.server.ctx.runtime.queue.get(again.json().eventId))?.status === 'done',
    );
    const [first, second] = receiver.at('/stream').slice(1);
    assert.equal(first!.headers['webhook-id'], second!.headers['webhook-id']);
  });
});
