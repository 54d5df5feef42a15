import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { upgradeWorkflowVersion } from '../../src/server/installs/repository.js';
import { rawCount, rawRow } from '../helpers/engine.js';
import { INTEGRATION_ID, PREFIX_FIELD, STREAM_WORKFLOW_ID, startApi, type Api } from './support.js';

/**
 * The installs module's read-then-write sequences, each one conditional statement: many at once
 * end with the defined answer (one winner, the others a 2xx replay or a 4xx), never a 500.
 */
let api: Api;

before(async () => {
  api = await startApi();
});

after(async () => {
  await api.server.dispose();
});

const count = (sql: string, ...params: unknown[]): Promise<number> => rawCount(api.server, sql, ...params);

describe('installs under concurrency', () => {
  test('concurrent installs of one integration by one user: one installation, every answer 201', async () => {
    const userId = await api.createUser('arch-concurrent-install');
    const token = await api.token(userId);
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.call('POST', '/widget/installations', {
          token,
          body: { integrationId: INTEGRATION_ID, values: [{ ...PREFIX_FIELD, value: `C${i}-` }] },
        }),
      ),
    );
    for (const response of responses) assert.equal(response.statusCode, 201, response.body);
    const ids = new Set(responses.map((r) => r.json().installationId as string));
    assert.equal(ids.size, 1, 'every install answers with the same installation');
    assert.equal(await count('SELECT COUNT(*) AS n FROM installations WHERE user_id = ?', userId), 1);

    // The service, called directly at once (headless installs each bring their own new id).
    const results = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        api.server.ctx.integrations.install(
          userId,
          { integrationId: INTEGRATION_ID, values: [{ ...PREFIX_FIELD, value: `D${i}-` }] },
          { installationId: `ffffffffffffffffffffff0${i}` },
        ),
      ),
    );
    assert.deepEqual(new Set(results.map((r) => r.installationId)), ids, 'the existing installation is kept');
    assert.equal(await count('SELECT COUNT(*) AS n FROM installations WHERE user_id = ?', userId), 1);
  });

  test('a link redeemed twice at once: exactly one gets it, the other "used"', async () => {
    const userId = await api.createUser('arch-link-race');
    const { url } = await api.server.ctx.links.create(userId, INTEGRATION_ID, 3600);
    const token = url.split('/link/')[1]!;
    const results = await Promise.all([api.server.ctx.links.redeem(token), api.server.ctx.links.redeem(token)]);
    // Either may win (PostgreSQL runs them side by side); exactly one does.
    assert.deepEqual(results.map((r) => r.ok).sort(), [false, true]);
    assert.deepEqual(
      results.find((r) => !r.ok),
      { ok: false, reason: 'used' },
    );
  });

  test('a link page redeemed by two sessions at once: one session wins, the other is told "used"', async () => {
    const userId = await api.createUser('arch-link-page-race');
    const response = await api.call('GET', `/users/${userId}/integrations/${INTEGRATION_ID}/install-url`);
    assert.equal(response.statusCode, 200, response.body);
    const link = response.json().url as string;
    const cookies: string[] = [];
    for (let i = 0; i < 2; i++) {
      const opened = await fetch(link, { redirect: 'manual' });
      assert.equal(opened.status, 303);
      cookies.push(opened.headers.get('set-cookie')!.split(';')[0]!);
    }
    const origin = new URL(api.url('/')).origin;
    const claims = await Promise.all(
      cookies.map((cookie) => fetch(api.url('/link/session'), { method: 'POST', headers: { cookie, origin } })),
    );
    assert.deepEqual(claims.map((c) => c.status).sort(), [200, 410]);
    const winner = cookies[claims.findIndex((c) => c.status === 200)]!;
    const again = await fetch(api.url('/link/session'), { method: 'POST', headers: { cookie: winner, origin } });
    assert.equal(again.status, 200, 'the winning session may ask again');
  });

  test('a headless installation completed twice at once: one installs, the other finds nothing to complete', async () => {
    const userId = await api.createUser('arch-headless-race');
    await api.createCredential(userId);
    const start = await api.call('POST', '/headless/startInstallation', {
      body: { userId, integrationId: INTEGRATION_ID },
    });
    assert.equal(start.statusCode, 200, start.body);
    const { installationId } = start.json();
    const body = {
      installationId,
      data: [
        {
          workflowId: STREAM_WORKFLOW_ID,
          blockId: PREFIX_FIELD.blockId,
          fields: [{ name: 'referencePrefix', value: 'HR-' }],
        },
      ],
    };
    const responses = await Promise.all([
      api.call('POST', '/headless/completeInstallation', { body }),
      api.call('POST', '/headless/completeInstallation', { body }),
    ]);
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [200, 404], responses.map((r) => r.body).join());
    assert.equal(await count('SELECT COUNT(*) AS n FROM installations WHERE user_id = ?', userId), 1);
    assert.equal(await count('SELECT COUNT(*) AS n FROM pending_installations WHERE id = ?', installationId), 0);

    // With one Idempotency-Key, the second gets the first's answer instead.
    const again = await api.call('POST', '/headless/startInstallation', {
      body: { userId, integrationId: INTEGRATION_ID },
    });
    const keyed = { ...body, installationId: again.json().installationId };
    const headers = { 'idempotency-key': 'arch-headless-race-1' };
    const replayed = await Promise.all([
      api.call('POST', '/headless/completeInstallation', { body: keyed, headers }),
      api.call('POST', '/headless/completeInstallation', { body: keyed, headers }),
    ]);
    assert.deepEqual(
      replayed.map((r) => r.statusCode),
      [200, 200],
    );
    assert.deepEqual(replayed[0]!.json(), replayed[1]!.json());
  });

  test('a failed completion leaves the pending installation to complete again', async () => {
    const userId = await api.createUser('arch-headless-retry');
    await api.createCredential(userId);
    const start = await api.call('POST', '/headless/startInstallation', {
      body: { userId, integrationId: INTEGRATION_ID },
    });
    const { installationId } = start.json();
    const invalid = await api.call('POST', '/headless/completeInstallation', {
      body: { installationId, data: [] },
    });
    assert.equal(invalid.statusCode, 400, invalid.body);
    assert.equal(await count('SELECT COUNT(*) AS n FROM pending_installations WHERE id = ?', installationId), 1);
  });

  test('upgrade and remove of a workflow the user does not have: 404, not a 500', async () => {
    const userId = await api.createUser('arch-not-installed');
    const upgrade = await api.call('PUT', `/workflows/${STREAM_WORKFLOW_ID}/upgrade?userId=${userId}`, { body: {} });
    assert.equal(upgrade.statusCode, 404, upgrade.body);
    const remove = await Promise.all([
      api.call('DELETE', `/workflows/${STREAM_WORKFLOW_ID}?userId=${userId}`),
      api.call('DELETE', `/workflows/${STREAM_WORKFLOW_ID}?userId=${userId}`),
    ]);
    assert.deepEqual(
      remove.map((r) => r.statusCode),
      [404, 404],
    );
    await api.installWithWidget(userId);
    const removed = await Promise.all([
      api.call('DELETE', `/workflows/${STREAM_WORKFLOW_ID}?userId=${userId}`),
      api.call('DELETE', `/workflows/${STREAM_WORKFLOW_ID}?userId=${userId}`),
    ]);
    assert.deepEqual(removed.map((r) => r.statusCode).sort(), [200, 404]);
  });
  test('the version move is conditional on the version read: a stale upgrade moves nothing, a current one moves once', async () => {
    const userId = await api.createUser('arch-upgrade-race');
    await api.installWithWidget(userId);
    const version = (await rawRow<{ version: number }>(
      api.server,
      'SELECT version FROM user_workflows WHERE user_id = ? AND workflow_id = ?',
      userId,
      STREAM_WORKFLOW_ID,
    ))!.version;
    const move = (from: number) =>
      upgradeWorkflowVersion(api.server.ctx.database, {
        userId,
        workflowId: STREAM_WORKFLOW_ID,
        from,
        to: version + 1,
        now: new Date().toISOString(),
      });
    assert.equal(await move(version - 1), false, 'another upgrade got there first: nothing moves');
    const both = await Promise.all([move(version), move(version)]);
    assert.deepEqual(both.sort(), [false, true], 'of two moves from the same version exactly one applies');
    assert.equal(
      await count(
        'SELECT version AS n FROM user_workflows WHERE user_id = ? AND workflow_id = ?',
        userId,
        STREAM_WORKFLOW_ID,
      ),
      version + 1,
    );

    // Through the API, at once, on a workflow already at its latest version: answers, never a 500.
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        api.call('PUT', `/workflows/${STREAM_WORKFLOW_ID}/upgrade?userId=${userId}`, { body: {} }),
      ),
    );
    for (const answer of answers) assert.ok([200, 409].includes(answer.statusCode), answer.body);
  });
});
