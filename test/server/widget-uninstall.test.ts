import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rawCount } from '../helpers/engine.js';
import { EVENT_WORKFLOW_ID, INTEGRATION_ID, STREAM_WORKFLOW_ID, UNKNOWN_ID, startApi, type Api } from './support.js';

/** `DELETE /widget/integrations/:integrationId/installation` (Alloy.uninstall, Uninstall in the edit modal). */
let api: Api;

before(async () => {
  api = await startApi();
});

after(async () => {
  await api.server.dispose();
});

const count = (sql: string, ...params: unknown[]): Promise<number> => rawCount(api.server, sql, ...params);

const uninstall = (token: string, integrationId = INTEGRATION_ID) =>
  api.call('DELETE', `/widget/integrations/${integrationId}/installation`, { token });

/** A user with a store connection and the seeded integration installed through the modal's route. */
async function installedUser(username: string): Promise<{ userId: string; token: string; credentialId: string }> {
  const userId = await api.createUser(username);
  const credentialId = await api.createCredential(userId);
  await api.installWithWidget(userId);
  return { userId, token: await api.token(userId), credentialId };
}

describe('uninstalling from the widget API', () => {
  test('removes every workflow and the installation; the connection stays, and the modal sees nothing installed', async () => {
    const { userId, token, credentialId } = await installedUser('uninstall-basic');
    const before = await api.call('GET', `/widget/integrations/${INTEGRATION_ID}/apps`, { token });
    assert.equal(before.statusCode, 200, before.body);
    assert.deepEqual(
      before
        .json()
        .data[0].connections.map((c: { credentialId: string; inUse?: boolean }) => [c.credentialId, c.inUse]),
      [[credentialId, true]],
      'before: the installation’s connection is marked in use',
    );

    const response = await uninstall(token);
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.integrationId, INTEGRATION_ID);
    assert.deepEqual([...body.workflowIds].sort(), [STREAM_WORKFLOW_ID, EVENT_WORKFLOW_ID].sort());

    assert.equal(await count('SELECT COUNT(*) AS n FROM user_workflows WHERE user_id = ?', userId), 0);
    assert.equal(await count('SELECT COUNT(*) AS n FROM installations WHERE user_id = ?', userId), 0);
    assert.equal(
      await count('SELECT COUNT(*) AS n FROM installation_credentials WHERE installation_id = ?', body.installationId),
      0,
    );
    assert.equal(await count('SELECT COUNT(*) AS n FROM credentials WHERE id = ?', credentialId), 1, 'kept');

    const view = await api.call('GET', `/widget/integrations/${INTEGRATION_ID}`, { token });
    assert.equal(view.json().installation, null);
    assert.ok(view.json().workflows.every((w: { installed: boolean }) => !w.installed));
    const apps = await api.call('GET', `/widget/integrations/${INTEGRATION_ID}/apps`, { token });
    assert.equal(apps.json().data[0].connections[0].inUse, undefined, 'no installation, no connection in use');
    const listed = await api.call('GET', `/integrations?userId=${userId}`);
    assert.equal(
      listed.json().data.find((i: { integrationId: string }) => i.integrationId === INTEGRATION_ID).installed,
      false,
    );

    // The user can install again from scratch.
    await api.installWithWidget(userId, 'AGAIN-');
    assert.equal(await count('SELECT COUNT(*) AS n FROM user_workflows WHERE user_id = ?', userId), 2);
  });

  test('a second uninstall, an unknown integration and a bad id are 404 / 400, and nothing else changes', async () => {
    const { token } = await installedUser('uninstall-twice');
    assert.equal((await uninstall(token)).statusCode, 200);
    const again = await uninstall(token);
    assert.equal(again.statusCode, 404, again.body);
    assert.equal(again.json().error.code, 'not_found');
    assert.equal((await uninstall(token, UNKNOWN_ID)).statusCode, 404);
    const bad = await uninstall(token, 'not-an-id');
    assert.equal(bad.statusCode, 400, bad.body);
  });

  test('only the token’s user is uninstalled; an API key alone (no user token) is refused', async () => {
    const mine = await installedUser('uninstall-mine');
    const theirs = await installedUser('uninstall-theirs');
    assert.equal((await uninstall(mine.token)).statusCode, 200);
    assert.equal(await count('SELECT COUNT(*) AS n FROM user_workflows WHERE user_id = ?', theirs.userId), 2);
    const withKey = await api.call('DELETE', `/widget/integrations/${INTEGRATION_ID}/installation`);
    assert.equal(withKey.statusCode, 401, withKey.body);
    assert.equal(await count('SELECT COUNT(*) AS n FROM user_workflows WHERE user_id = ?', theirs.userId), 2);
  });

  test('an uninstalled user’s workflows no longer run', async () => {
    const { userId } = await installedUser('uninstall-no-runs');
    const token = await api.token(userId);
    assert.equal((await uninstall(token)).statusCode, 200);
    const run = await api.call('POST', '/run/workflow', {
      body: { userId, workflowId: EVENT_WORKFLOW_ID, data: { orderId: 'ord_1', status: 'shipped' } },
    });
    assert.equal(run.statusCode, 404, run.body);
  });
});
