import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { rawRow } from '../helpers/engine.js';
import { type Api, EVENT_WORKFLOW_ID, INTEGRATION_ID, STREAM_WORKFLOW_ID, UNKNOWN_ID, startApi } from './support.js';

let api: Api;
before(async () => {
  api = await startApi();
});
after(async () => {
  await api.server.dispose();
});

describe('POST /users/batch', () => {
  // Found by the endpoint fuzzer: an entry nested 100 000 deep was echoed into invalidUsers and the
  // reply overflowed the stack (500). JSON bodies nested deeper than 512 levels are now a 400.
  test('a body nested deeper than 512 levels is a 400, even in a field that takes anything', async () => {
    const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
    for (const levels of [513, 100_000]) {
      const response = await api.server.app.inject({
        method: 'POST',
        url: '/2024-03/users/batch',
        headers: { ...api.headersFor('dev'), 'content-type': 'application/json' },
        payload: `{"users":[${deep(levels - 2)}]}`,
      });
      assert.equal(response.statusCode, 400, String(levels));
      assert.equal(response.json().error.code, 'bad_request');
      assert.match(response.json().error.message, /nested more than 512 levels/);
    }
    // Brackets inside strings are text, not nesting.
    const text = await api.call('POST', '/users/batch', {
      body: { users: [{ username: '['.repeat(600).slice(0, 100) }] },
    });
    assert.equal(text.statusCode, 200, text.body);
    const fits = await api.server.app.inject({
      method: 'POST',
      url: '/2024-03/users/batch',
      headers: { ...api.headersFor('dev'), 'content-type': 'application/json' },
      payload: `{"users":[${deep(510)}]}`,
    });
    assert.equal(fits.statusCode, 200, fits.body);
  });

  test('creates the valid users and reports each invalid one with its reason', async () => {
    await api.createUser('batch-existing');
    const response = await api.call('POST', '/users/batch', {
      body: {
        users: [
          { username: 'batch-1', fullName: 'Batch One' },
          { fullName: 'No Username' },
          { username: 'batch-1' },
          { username: 'batch-existing' },
          'just-a-string',
          { username: 'batch-2', extra: true },
          { username: 42 },
          { username: 'batch-3' },
        ],
      },
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.message, 'success');
    assert.deepEqual(
      body.users.map((u: { username: string }) => u.username),
      ['batch-1', 'batch-3'],
    );
    assert.deepEqual(
      body.invalidUsers.map((u: { index: number }) => u.index),
      [1, 2, 3, 4, 5, 6],
    );
    const [missing, duplicate, taken, notObject, extra, wrongType] = body.invalidUsers;
    assert.equal(missing.fullName, 'No Username', 'the offending input is echoed');
    assert.match(missing.reason, /username/);
    assert.match(duplicate.reason, /more than once/);
    assert.match(taken.reason, /already exists/);
    assert.equal(notObject.value, 'just-a-string');
    assert.match(extra.reason, /extra/);
    assert.match(wrongType.reason, /username/);
    const list = await api.call('GET', '/users');
    const names = list.json().data.map((u: { username: string }) => u.username);
    assert.ok(names.includes('batch-1') && names.includes('batch-3') && !names.includes('batch-2'));
  });

  test('at most 1000 users per call, at least one, and the body shape is strict', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ username: `many-${i}` }));
    for (const body of [{ users: many }, { users: [] }, {}, { users: 'x' }, { users: [{ username: 'x' }], more: 1 }]) {
      const response = await api.call('POST', '/users/batch', { body });
      assert.equal(response.statusCode, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(response.json().error.code, 'validation_failed');
    }
    const thousand = Array.from({ length: 1000 }, (_, i) => ({ username: `thousand-${i}` }));
    const ok = await api.call('POST', '/users/batch', { body: { users: thousand } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().users.length, 1000);
    assert.equal(ok.json().invalidUsers.length, 0);
  });

  test('a wrong key is a 401', async () => {
    const response = await api.call('POST', '/users/batch', { key: 'wrong', body: { users: [{ username: 'z' }] } });
    assert.equal(response.statusCode, 401);
  });
});

describe('GET /users', () => {
  test('lists the environment’s users; parentWorkflowId keeps those who installed it', async () => {
    const installer = await api.createUser('list-installer');
    await api.createUser('list-bystander');
    await api.installWithWidget(installer);
    // The batch tests above made more than one page (1000) of users: the new ones are on the last.
    const first = await api.call('GET', '/users');
    assert.equal(first.statusCode, 200);
    const all = first.json().nextCursor ? await api.call('GET', `/users?cursor=${first.json().nextCursor}`) : first;
    assert.equal(all.statusCode, 200);
    const user = all.json().data.find((u: { username: string }) => u.username === 'list-bystander');
    assert.deepEqual(Object.keys(user).sort(), ['fullName', 'userId', 'username']);

    const filtered = await api.call('GET', `/users?parentWorkflowId=${STREAM_WORKFLOW_ID}`);
    assert.deepEqual(
      filtered.json().data.map((u: { userId: string }) => u.userId),
      [installer],
    );
    assert.equal((await api.call('GET', `/users?parentWorkflowId=${UNKNOWN_ID}`)).statusCode, 404);
    assert.equal((await api.call('GET', '/users?parentWorkflowId=nope')).statusCode, 400);
    assert.equal((await api.call('GET', '/users?unknownFilter=1')).statusCode, 400);
  });

  test('production sees none of the development users', async () => {
    await api.createUser('dev-listed');
    const prod = await api.call('GET', '/users', { key: 'prod' });
    assert.equal(prod.statusCode, 200);
    assert.ok(!prod.json().data.some((u: { username: string }) => u.username === 'dev-listed'));
  });
});

describe('GET, PUT and DELETE /users/:userId', () => {
  test('get by userId and by username', async () => {
    const userId = await api.createUser('getter');
    for (const ref of [userId, 'getter']) {
      const response = await api.call('GET', `/users/${ref}`);
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), { userId, username: 'getter', fullName: null });
    }
    assert.equal((await api.call('GET', '/users/nobody')).statusCode, 404);
    assert.equal((await api.call('GET', `/users/${userId}`, { key: 'prod' })).statusCode, 404);
    assert.equal((await api.call('GET', `/users/${userId}`, { key: 'wrong' })).statusCode, 401);
  });

  test('update username and fullName; null clears fullName; a taken username is a 409', async () => {
    const userId = await api.createUser('renamer');
    await api.createUser('taken-name');
    const renamed = await api.call('PUT', `/users/renamer`, { body: { username: 'renamed', fullName: 'Re Named' } });
    assert.equal(renamed.statusCode, 200);
    assert.deepEqual(renamed.json(), { userId, username: 'renamed', fullName: 'Re Named' });
    const cleared = await api.call('PUT', `/users/${userId}`, { body: { fullName: null } });
    assert.deepEqual(cleared.json(), { userId, username: 'renamed', fullName: null });
    const conflict = await api.call('PUT', `/users/${userId}`, { body: { username: 'taken-name' } });
    assert.equal(conflict.statusCode, 409);
    assert.equal(conflict.json().error.code, 'conflict');
    for (const body of [{}, { username: '' }, { username: 5 }, { nickname: 'x' }]) {
      const response = await api.call('PUT', `/users/${userId}`, { body });
      assert.equal(response.statusCode, 400, JSON.stringify(body));
    }
    assert.equal((await api.call('PUT', `/users/${UNKNOWN_ID}`, { body: { fullName: 'x' } })).statusCode, 404);
    assert.equal((await api.call('PUT', `/users/${userId}`, { key: 'prod', body: { fullName: 'x' } })).statusCode, 404);
  });

  test('delete removes the user and their installations and credentials, but not their logs', async () => {
    const userId = await api.createUser('leaver');
    await api.installWithWidget(userId);
    await api.createCredential(userId);
    const execution = await api.server.ctx.executions.start({
      env: 'development',
      userId,
      workflowId: EVENT_WORKFLOW_ID,
      version: 1,
      integrationId: INTEGRATION_ID,
      mode: 'trigger',
    });
    await api.server.ctx.executions.finish(execution, { status: 'success' });

    assert.equal((await api.call('DELETE', `/users/${userId}`, { key: 'prod' })).statusCode, 404);
    const deleted = await api.call('DELETE', `/users/leaver`);
    assert.equal(deleted.statusCode, 200);
    assert.deepEqual(deleted.json(), { success: true });
    assert.equal((await api.call('GET', `/users/${userId}`)).statusCode, 404);
    assert.equal((await api.call('DELETE', `/users/${userId}`)).statusCode, 404);
    for (const table of ['installations', 'user_workflows', 'credentials']) {
      const row = await rawRow<{ n: number }>(
        api.server,
        `SELECT COUNT(*) AS n FROM ${table} WHERE user_id = ?`,
        userId,
      );
      assert.equal(row?.n, 0, table);
    }
    const logs = await api.call('GET', `/logs?associatedUserId=${userId}`);
    assert.equal(logs.json().notifications.length, 1, 'logs outlive the user until DELETE /users/:id/logs');
  });
});

describe('PUT /users/:userId/deactivate-workflows', () => {
  test('deactivates every workflow of the user and only theirs', async () => {
    const userId = await api.createUser('pauser');
    const other = await api.createUser('not-paused');
    await api.installWithWidget(userId);
    await api.installWithWidget(other);
    const response = await api.call('PUT', `/users/${userId}/deactivate-workflows`);
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { message: 'Success' });
    const mine = (await api.call('GET', `/integrations?userId=${userId}`)).json().data[0].workflows;
    assert.deepEqual(
      mine.map((w: { active: boolean }) => w.active),
      [false, false],
    );
    const theirs = (await api.call('GET', `/integrations?userId=${other}`)).json().data[0].workflows;
    assert.deepEqual(
      theirs.map((w: { active: boolean }) => w.active),
      [true, true],
    );
    assert.equal((await api.call('PUT', `/users/${UNKNOWN_ID}/deactivate-workflows`)).statusCode, 404);
    assert.equal((await api.call('PUT', `/users/${userId}/deactivate-workflows`, { key: 'prod' })).statusCode, 404);
    const withBody = await api.call('PUT', `/users/${userId}/deactivate-workflows`, { body: { all: true } });
    assert.equal(withBody.statusCode, 400);
  });
});

describe('user tokens', () => {
  test('the token paths tolerate the stray ?userId alloy-python sends, and nothing else', async () => {
    const userId = await api.createUser('python-client');
    const stray = await api.call('GET', `/2023-12/users/${userId}/token?userId`);
    assert.equal(stray.statusCode, 200);
    assert.equal(decodeJwt(stray.json().token).sub, userId);
    const legacy = await api.call('GET', `/2023-12/user/python-client/token`);
    assert.equal(legacy.statusCode, 200);
    assert.equal((await api.call('GET', `/users/${userId}/token?expires=1`)).statusCode, 400);
    assert.equal((await api.call('GET', `/users/${userId}/token`, { key: 'prod' })).statusCode, 404);
    assert.equal((await api.call('GET', `/user/${userId}/token`, { key: 'none' })).statusCode, 401);
  });

  test('a production user gets a production token', async () => {
    const userId = await api.createUser('prod-user', 'prod');
    const token = await api.token(userId, 'prod');
    assert.equal(decodeJwt(token).aud, 'alloy-embedded-widget:production');
  });
});
