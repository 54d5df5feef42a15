import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as endpoints from '../../src/contract/endpoints.js';
import { runIdempotent, PENDING_TIMEOUT_MS } from '../../src/server/http/idempotency.js';
import { findKey } from '../../src/server/http/idempotency-repository.js';
import { DomainError } from '../../src/server/platform/errors.js';
import { rawCount } from '../helpers/engine.js';
import { INTEGRATION_ID, PREFIX_FIELD, startApi, type Api } from './support.js';

const EVENT = 'Fulfillment Updated';

let api: Api;
before(async () => {
  api = await startApi();
});
after(async () => {
  await api.server.close();
});

const count = (sql: string, ...params: unknown[]): Promise<number> => rawCount(api.server, sql, ...params);

describe('the endpoint table drives the router', () => {
  test('every endpoint of src/contract/endpoints.ts is a route, and every route an endpoint', async () => {
    const table = Object.values(endpoints as Record<string, unknown>)
      .filter((e): e is endpoints.Endpoint => typeof e === 'object' && e !== null && 'operationId' in e)
      .map((e) => `${e.method} ${e.path} ${e.operationId}`)
      .sort();
    const paths = api.server.openApi().paths as Record<string, Record<string, { operationId: string }>>;
    const documented = Object.entries(paths)
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(
          ([method, op]) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')} ${op.operationId}`,
        ),
      )
      .sort();
    assert.deepEqual(documented, table);
  });

  test('the widget routes are strict: an unknown query parameter or a bad id is a 400', async () => {
    const token = await api.token(await api.createUser('strict-widget'));
    const query = await api.call('GET', `/widget/integrations/${INTEGRATION_ID}?debug=1`, { token });
    assert.equal(query.statusCode, 400, query.body);
    const id = await api.call('GET', '/widget/integrations/not-an-id/apps', { token });
    assert.equal(id.statusCode, 400, id.body);
    const session = await api.call('GET', `/widget/oauth/sessions/${'x'.repeat(101)}`, { token });
    assert.equal(session.statusCode, 400, session.body);
  });
});

describe('idempotent endpoints', () => {
  test('two concurrent /run/event with one Idempotency-Key: one queued run, the same answer, no 500', async () => {
    const userId = await api.createUser('arch-concurrent-event');
    const send = () =>
      api.call('POST', '/run/event', {
        headers: { 'idempotency-key': 'arch-evt' },
        body: { event: EVENT, userId, data: { orderId: '1', status: 'SHIPPED' } },
      });
    const answers = await Promise.all([send(), send(), send()]);
    assert.deepEqual(
      answers.map((a) => a.statusCode),
      [200, 200, 200],
    );
    assert.equal(new Set(answers.map((a) => a.json().eventId)).size, 1);
    assert.equal(await count('SELECT COUNT(*) AS n FROM run_queue WHERE user_id = ?', userId), 1);
  });

  test('two concurrent widget installs with one key: one installation, the same answer, no 500', async () => {
    const userId = await api.createUser('arch-concurrent-install');
    const token = await api.token(userId);
    const send = (value = 'AR-') =>
      api.call('POST', '/widget/installations', {
        token,
        headers: { 'idempotency-key': 'arch-install' },
        body: { integrationId: INTEGRATION_ID, values: [{ ...PREFIX_FIELD, value }] },
      });
    const [a, b] = await Promise.all([send(), send()]);
    assert.deepEqual([a.statusCode, b.statusCode], [201, 201], `${a.body} ${b.body}`);
    assert.equal(a.json().installationId, b.json().installationId);
    assert.equal(await count('SELECT COUNT(*) AS n FROM installations WHERE user_id = ?', userId), 1);
    const later = await send();
    assert.equal(later.statusCode, 201);
    assert.equal(later.json().installationId, a.json().installationId);
    const other = await send('OT-');
    assert.equal(other.statusCode, 422);
    assert.equal(other.json().error.code, 'idempotency_conflict');
  });

  test('a failed attempt stores nothing: the retry with the same key runs again', async () => {
    const rerun = await api.call('POST', `/workflows/${'f'.repeat(24)}/rerun/${'e'.repeat(24)}`, {
      headers: { 'idempotency-key': 'arch-rerun' },
    });
    assert.equal(rerun.statusCode, 404);
    const key = await findKey(api.server.ctx.database, 'rerun:development', 'arch-rerun');
    assert.equal(key, undefined, 'a 404 leaves no key behind');
  });
});

describe('runIdempotent outside a transaction (work that awaits the network)', () => {
  const database = () => api.server.ctx.database;
  const request = (key: string, requestBody: unknown = { n: 1 }) => ({
    scope: 'arch-test',
    key,
    requestBody,
    mode: 'outside' as const,
  });

  test('a duplicate while the first runs is a 409 conflict; a later one gets the stored answer', async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = runIdempotent(database(), request('k1'), async () => {
      runs += 1;
      await gate;
      return { status: 201, body: { id: 'one' } };
    });
    await new Promise((resolve) => setImmediate(resolve));
    const duplicate = await runIdempotent(database(), request('k1'), async () => {
      runs += 1;
      return { status: 201, body: { id: 'two' } };
    }).catch((error: unknown) => error);
    assert.ok(duplicate instanceof DomainError && duplicate.code === 'conflict', String(duplicate));
    release();
    assert.deepEqual(await first, { status: 201, body: { id: 'one' } });
    const later = await runIdempotent(database(), request('k1'), async () => {
      runs += 1;
      return { status: 201, body: { id: 'three' } };
    });
    assert.deepEqual(later, { status: 201, body: { id: 'one' } });
    assert.equal(runs, 1);
    const other = await runIdempotent(database(), request('k1', { n: 2 }), async () => ({
      status: 200,
      body: {},
    })).catch((error: unknown) => error);
    assert.ok(other instanceof DomainError && other.code === 'idempotency_conflict');
  });

  test('a failed attempt releases the key; a claim left by a dead process is taken over once', async () => {
    await assert.rejects(
      runIdempotent(database(), request('k2'), async () => {
        throw new Error('app down');
      }),
      /app down/,
    );
    assert.equal(await findKey(database(), 'arch-test', 'k2'), undefined);

    // A pending claim older than the timeout, as a crashed process leaves it.
    const old = new Date(Date.now() - PENDING_TIMEOUT_MS - 1_000).toISOString();
    const requestHash = createHash('sha256')
      .update(JSON.stringify({ n: 1 }))
      .digest('hex');
    await database()
      .insertInto('idempotency_keys')
      .values({ scope: 'arch-test', key: 'k3', request_hash: requestHash, status: 0, response: '', created_at: old })
      .execute();
    let runs = 0;
    const attempt = () =>
      runIdempotent(database(), request('k3'), async () => {
        runs += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { status: 200, body: { ok: true } };
      }).then(
        (answer) => answer.status,
        (error: unknown) => (error instanceof DomainError ? error.code : 'unexpected'),
      );
    const outcomes = await Promise.all([attempt(), attempt()]);
    assert.deepEqual(outcomes.sort(), [200, 'conflict'].sort());
    assert.equal(runs, 1);
  });
});
