/**
 * The builder's test run, `POST /console/api/test-run`: a draft's trigger and blocks are checked
 * as a definition file's are (400 validation_failed, like every refused input), then the blocks run once, in order, in memory, as a user of
 * the environment (`x-alloy-env`) with that user's connections: the real Stream Data, HTTP and
 * app-action code, data mapping and secret masking. Nothing is queued or logged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestRunResponse } from '../../src/contract/index.js';
import { rawCount } from '../helpers/engine.js';
import { TestReceiver } from './receiver.js';
import { type Api, startApi } from './support.js';
import { signInToConsole } from '../helpers/server.js';

const PASSWORD = 'correct horse battery staple';
const CHEAP = { consoleScryptCost: { N: 2 ** 10, r: 8, p: 1 } };
const SECRET = 'sk_test_run_very_secret_value';

describe('console: POST /console/api/test-run', () => {
  let api: Api;
  let receiver: TestReceiver;
  let session: { cookie: string; csrf: string };
  let userId: string;

  const testRun = (body: unknown, options: { env?: string; csrf?: boolean; signedIn?: boolean } = {}) =>
    api.server.app.inject({
      method: 'POST',
      url: '/console/api/test-run',
      headers: {
        ...(options.signedIn === false ? {} : { cookie: `alloy_console_session=${session.cookie}` }),
        ...(options.csrf === false || options.signedIn === false ? {} : { 'x-alloy-csrf': session.csrf }),
        ...(options.env ? { 'x-alloy-env': options.env } : {}),
      },
      payload: body as Record<string, unknown>,
    });

  const ran = async (body: unknown, options: { env?: string } = {}): Promise<TestRunResponse> => {
    const response = await testRun(body, options);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    return response.json<TestRunResponse>();
  };

  const orderTrigger = {
    type: 'customEvent',
    id: 'reviewed',
    name: 'Order Reviewed',
    event: 'order.reviewed',
    schema: { orderId: 'String', total: 'Number', note: 'String?' },
  };
  const streamBlock = (id: string, path: string, fields: unknown[] = []) => ({
    type: 'streamData',
    id,
    name: `Stream ${id}`,
    fields: [{ name: 'url', displayName: 'URL', type: 'text', value: receiver.url(path) }, ...fields],
  });

  const setStatus = (id: string, status: Record<string, unknown>, orderId = '{{trigger.orderId}}') => ({
    type: 'connectorAction',
    id,
    name: 'Demo Store: Update Order Status',
    connector: 'demoStore',
    action: 'updateOrderStatus',
    fields: [
      { name: 'orderId', displayName: 'Order', type: 'text', value: orderId },
      { name: 'status', displayName: 'Status', type: 'text', ...status },
    ],
  });

  /** Rows a run would write, all tables together. */
  const writtenRows = async (): Promise<number> => {
    let rows = 0;
    for (const table of ['run_queue', 'executions', 'execution_blocks', 'outbound_deliveries']) {
      rows += await rawCount(api.server, `SELECT COUNT(*) AS n FROM ${table}`);
    }
    return rows;
  };

  const storeCall = async (method: string, path: string, body?: unknown) => {
    const { apiKey } = await api.storeCredential();
    const response = await fetch(api.url(`/sandbox/demo-store/api/v1/stores/acme-shop${path}`), {
      method,
      headers: { 'x-store-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  before(async () => {
    receiver = await TestReceiver.start();
    receiver.react = (request) => (request.path.startsWith('/fail') ? 400 : 200);
    api = await startApi({ server: { consolePassword: PASSWORD, ...CHEAP } });
    session = await signInToConsole(api.server, PASSWORD);
    userId = await api.createUser('tester@acme.test');
  });
  after(async () => {
    await api.server.dispose();
    await receiver.close();
  });

  test('Stream Data posts the mapped payload; the answer shows each block’s input and output, secrets masked', async () => {
    const before = await writtenRows();
    const answer = await ran({
      userId,
      trigger: orderTrigger,
      blocks: [
        streamBlock('first', '/stream/first', [
          { name: 'reference', displayName: 'Reference', type: 'text', value: 'REF-{{trigger.orderId}}' },
          { name: 'apiToken', displayName: 'API token', type: 'secret', userConfigurable: true },
          { name: 'region', displayName: 'Region', type: 'text', userConfigurable: true, value: 'eu' },
        ]),
        streamBlock('second', '/stream/second', [
          { name: 'previous', displayName: 'Previous status', type: 'text', value: '{{blocks.first.status}}' },
          { name: 'body', displayName: 'Body', type: 'text', value: { total: '{{trigger.total}}' } },
        ]),
      ],
      data: { orderId: 'ord_42', total: 1250 },
      config: { apiToken: SECRET },
    });
    assert.equal(answer.ok, true);
    assert.deepEqual(
      answer.blocks.map((b) => [b.blockId, b.name, b.type, b.status]),
      [
        ['first', 'Stream first', 'streamData', 'success'],
        ['second', 'Stream second', 'streamData', 'success'],
      ],
    );
    const [first, second] = answer.blocks;
    assert.deepEqual(first!.input, {
      url: receiver.url('/stream/first'),
      reference: 'REF-ord_42',
      apiToken: '[secret]',
      region: 'eu',
    });
    assert.deepEqual(first!.output, { status: 200, body: { ok: true } });
    assert.ok(first!.durationMs >= 0 && Number.isInteger(first!.durationMs));
    assert.equal(first!.error, undefined);
    assert.deepEqual(second!.input, { url: receiver.url('/stream/second'), previous: 200, body: { total: 1250 } });
    assert.ok(!JSON.stringify(answer).includes(SECRET), 'the secret answer is masked everywhere');

    // The receiver got the real, mapped payload (the secret too: the test calls the real target).
    const [got] = await receiver.waitFor('/stream/first');
    const payload = JSON.parse(got!.body) as Record<string, unknown>;
    assert.deepEqual(payload.data, { orderId: 'ord_42', total: 1250 });
    assert.deepEqual(payload.fields, { reference: 'REF-ord_42', apiToken: SECRET, region: 'eu' });
    assert.equal(payload.userId, userId);
    assert.equal(payload.environment, 'development');
    assert.deepEqual(payload.trigger, { type: 'customEvent', event: 'order.reviewed' });
    assert.equal(payload.workflowId, 'test-run');
    assert.match(String(payload.executionId), /^test_/);
    assert.match(String(got!.headers['webhook-id']), /^msg_/);
    const [next] = await receiver.waitFor('/stream/second');
    assert.deepEqual(JSON.parse(next!.body).data, { total: 1250 });

    assert.equal(await writtenRows(), before, 'no run, execution, block or delivery row');
  });

  test('an app action runs with the user’s connection: updateOrderStatus changes the Demo Store order', async () => {
    const connected = await api.createUser('connected@acme.test');
    await api.createCredential(connected);
    const created = await storeCall('POST', '/orders', {
      customer: { email: 'jane@example.com', name: 'Jane Doe' },
      items: [{ name: 'Blue mug', quantity: 2, unitPrice: 1250 }],
    });
    assert.equal(created.status, 201);
    const orderId = String(created.json.id);
    assert.equal(created.json.status, 'pending');
    const before = await writtenRows();

    // Without `config`, the field's own value is the answer.
    const byDefault = await ran({
      userId: connected,
      trigger: orderTrigger,
      blocks: [setStatus('set-status', { userConfigurable: true, value: 'paid' })],
      data: { orderId, total: 2500 },
    });
    assert.equal(byDefault.ok, true, JSON.stringify(byDefault));
    assert.deepEqual(byDefault.blocks[0]!.input, { orderId, status: 'paid' });
    assert.equal((await storeCall('GET', `/orders/${orderId}`)).json.status, 'paid');

    // An answer in `config` wins; the user named by username (the users module resolves it).
    const answer = await ran({
      userId: 'connected@acme.test',
      trigger: orderTrigger,
      blocks: [setStatus('set-status', { userConfigurable: true, value: 'paid' })],
      data: { orderId, total: 2500 },
      config: { status: 'Shipped' },
    });
    assert.equal(answer.ok, true, JSON.stringify(answer));
    const [block] = answer.blocks;
    assert.equal(block!.status, 'success');
    assert.deepEqual(block!.input, { orderId, status: 'Shipped' });
    assert.equal((block!.output as { id: string; status: string }).id, orderId);
    assert.equal((block!.output as { status: string }).status, 'shipped');
    assert.equal((await storeCall('GET', `/orders/${orderId}`)).json.status, 'shipped');
    assert.equal(await writtenRows(), before, 'no run, execution, block or delivery row');
  });

  test('a failing block reports its error and the blocks after it are skipped', async () => {
    const before = await writtenRows();
    const answer = await ran({
      userId,
      trigger: orderTrigger,
      blocks: [
        streamBlock('refused', '/fail/first'),
        streamBlock('after', '/stream/after'),
        setStatus('app', { value: 'paid' }),
      ],
      data: { orderId: 'ord_1', total: 1 },
    });
    assert.equal(answer.ok, false);
    assert.deepEqual(
      answer.blocks.map((b) => [b.blockId, b.status]),
      [
        ['refused', 'error'],
        ['after', 'skipped'],
        ['app', 'skipped'],
      ],
    );
    const [refused, skipped] = answer.blocks;
    assert.match(refused!.error!, /400/);
    assert.deepEqual(refused!.input, { url: receiver.url('/fail/first') });
    assert.equal(refused!.output, undefined);
    assert.deepEqual(skipped, {
      blockId: 'after',
      name: 'Stream after',
      type: 'streamData',
      status: 'skipped',
      durationMs: 0,
    });
    assert.equal(receiver.at('/stream/after').length, 0);
    assert.equal(await writtenRows(), before, 'a failure posts nothing to the error stream either');

    // A user without a Demo Store connection: the app block fails with the run's message.
    const missing = await ran({
      userId,
      trigger: orderTrigger,
      blocks: [setStatus('app', { value: 'paid' }, 'ord_1')],
      data: {},
    });
    assert.equal(missing.ok, false);
    assert.match(missing.blocks[0]!.error!, /has no Demo Store connection/);
  });

  test('a draft that fails the definition checks is a 400 validation_failed with the check’s message', async () => {
    const noUrl = await testRun({
      userId,
      trigger: orderTrigger,
      blocks: [{ type: 'streamData', id: 's', name: 'Stream', fields: [] }],
      data: {},
    });
    assert.equal(noUrl.statusCode, 400, noUrl.body);
    const error = noUrl.json<{
      error: { code: string; message: string; issues: { path: unknown[]; message: string }[] };
    }>().error;
    assert.equal(error.code, 'validation_failed');
    assert.match(error.issues[0]!.message, /needs a "url" field/);
    assert.deepEqual(error.issues[0]!.path, []);

    const badTemplate = await testRun({
      userId,
      trigger: orderTrigger,
      blocks: [streamBlock('s', '/x', [{ name: 'n', displayName: 'N', type: 'text', value: '{{trigger.nope}}' }])],
      data: {},
    });
    assert.equal(badTemplate.statusCode, 400);
    assert.match(badTemplate.json().error.issues[0].message, /the trigger's schema has no nope/);

    const badShape = await testRun({
      userId,
      trigger: { type: 'customEvent', id: 't', name: 'T' },
      blocks: [streamBlock('s', '/x')],
      data: {},
    });
    assert.equal(badShape.statusCode, 400);
    assert.match(badShape.json().error.issues[0].message, /^draft: trigger\.(event|schema)/);

    // The body's own outline (at least one block) is checked first, as every body is: 400.
    const noBlocks = await testRun({ userId, trigger: orderTrigger, blocks: [], data: {} });
    assert.equal(noBlocks.statusCode, 400);
    assert.equal(noBlocks.json().error.code, 'validation_failed');
    assert.equal(receiver.at('/x').length, 0);
  });

  test('a session and its CSRF token are required; the user must be one of the environment', async () => {
    const body = { userId, trigger: orderTrigger, blocks: [streamBlock('s', '/guarded')], data: {} };
    assert.equal((await testRun(body, { signedIn: false })).statusCode, 401);
    const noCsrf = await testRun(body, { csrf: false });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal(noCsrf.json().error.code, 'forbidden');

    const unknown = await testRun({ ...body, userId: 'nobody@acme.test' });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, 'not_found');
    // A development user is unknown in production.
    assert.equal((await testRun(body, { env: 'production' })).statusCode, 404);
    assert.equal((await testRun(body, { env: 'staging' })).statusCode, 400);
    assert.equal(receiver.at('/guarded').length, 0);

    const production = await api.createUser('prod-tester@acme.test', 'prod');
    const answer = await ran({ ...body, userId: production }, { env: 'production' });
    assert.equal(answer.ok, true);
    const [got] = await receiver.waitFor('/guarded');
    assert.equal(JSON.parse(got!.body).environment, 'production');
  });
});
