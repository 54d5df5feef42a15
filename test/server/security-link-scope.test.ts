import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { userTokenAudience, USER_TOKEN_ISSUER } from '../../src/server/users/user-token.js';
import {
  EVENT_WORKFLOW_ID,
  INTEGRATION_ID,
  OPS_INTEGRATION_ID,
  PREFIX_FIELD,
  SETTINGS_WORKFLOW_ID,
  STREAM_WORKFLOW_ID,
  type Api,
  startOpsApi,
  type OpsApi,
} from './support.js';

// Issue 13, item 9: the user token an Embedded Link page gets works for the link's integration only;
// the same user's other integrations cannot be read, deactivated or reinstalled with it.

let served: OpsApi;
let api: Api;
before(async () => {
  served = await startOpsApi();
  api = served.api;
});
after(() => served.dispose());

/** The token the Embedded Link page gets for a link to `integrationId`: open the link, then POST /link/session. */
async function linkToken(userId: string, integrationId: string): Promise<string> {
  const link = await api.call('GET', `/users/${userId}/integrations/${integrationId}/install-url`);
  assert.equal(link.statusCode, 200, link.body);
  const opened = await fetch(link.json().url as string, { redirect: 'manual' });
  const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
  const session = await fetch(api.url('/link/session'), {
    method: 'POST',
    headers: { cookie, origin: new URL(api.url('/')).origin },
  });
  assert.equal(session.status, 200);
  return ((await session.json()) as { token: string }).token;
}

/** A user with both integrations installed; their link is for Ops Tools only. */
async function userWithBoth(name: string): Promise<{ userId: string; isvToken: string; link: string }> {
  const userId = await api.createUser(name);
  await api.createCredential(userId);
  await api.installWithWidget(userId);
  const isvToken = await api.token(userId);
  const ops = await api.call('POST', '/widget/installations', {
    token: isvToken,
    body: {
      integrationId: OPS_INTEGRATION_ID,
      values: [{ workflowId: SETTINGS_WORKFLOW_ID, blockId: 'send', name: 'channel', value: 'email' }],
    },
  });
  assert.equal(ops.statusCode, 201, ops.body);
  return { userId, isvToken, link: await linkToken(userId, OPS_INTEGRATION_ID) };
}

const activeOf = async (userId: string, workflowId: string): Promise<boolean> =>
  (
    (await api.call('GET', `/workflows?userId=${userId}`)).json().data as { workflowId: string; active: boolean }[]
  ).find((w) => w.workflowId === workflowId)!.active;

describe('an Embedded Link’s user token is scoped to its integration', () => {
  test('widget routes refuse the other integration (403 forbidden) and serve the link’s own', async () => {
    const { link } = await userWithBoth('scope-widget');
    const refused = [
      await api.call('GET', `/widget/integrations/${INTEGRATION_ID}`, { token: link }),
      await api.call('GET', `/widget/integrations/${INTEGRATION_ID}/apps`, { token: link }),
      await api.call('GET', `/widget/integrations/${INTEGRATION_ID}/fields/${EVENT_WORKFLOW_ID}/b/f/options`, {
        token: link,
      }),
      // Reinstalling the other integration (e.g. with different answers) is refused too.
      await api.call('POST', '/widget/installations', {
        token: link,
        body: { integrationId: INTEGRATION_ID, values: [{ ...PREFIX_FIELD, value: 'EVIL-' }] },
      }),
      // Ops Tools needs no app, so connecting Demo Store is not this link's business.
      await api.call('POST', '/widget/credentials', {
        token: link,
        body: { app: 'demoStore', fields: await api.storeCredential() },
      }),
      await api.call('POST', '/widget/oauth/sessions', {
        token: link,
        body: { app: 'demoStore', fields: { shop: 'acme-shop' }, origin: 'http://host.example' },
      }),
    ];
    for (const response of refused) {
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.json().error.code, 'forbidden');
    }
    const own = await api.call('GET', `/widget/integrations/${OPS_INTEGRATION_ID}`, { token: link });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(
      (await api.call('GET', `/widget/integrations/${OPS_INTEGRATION_ID}/apps`, { token: link })).statusCode,
      200,
    );
    const reinstall = await api.call('POST', '/widget/installations', {
      token: link,
      body: {
        integrationId: OPS_INTEGRATION_ID,
        values: [{ workflowId: SETTINGS_WORKFLOW_ID, blockId: 'send', name: 'channel', value: 'slack' }],
      },
    });
    assert.equal(reinstall.statusCode, 201, reinstall.body);
  });

  test('alloy-frontend’s data routes list only the link’s integration and refuse the others’ workflows', async () => {
    const { userId, link } = await userWithBoth('scope-data');
    const integrations = (await api.call('GET', '/integrations', { token: link })).json().data as {
      integrationId: string;
    }[];
    assert.deepEqual(
      integrations.map((i) => i.integrationId),
      [OPS_INTEGRATION_ID],
    );
    const workflows = (await api.call('GET', '/workflows', { token: link })).json().data as { workflowId: string }[];
    assert.ok(workflows.length > 0);
    assert.ok(
      workflows.every((w) => w.workflowId !== STREAM_WORKFLOW_ID && w.workflowId !== EVENT_WORKFLOW_ID),
      JSON.stringify(workflows),
    );
    for (const response of [
      await api.call('GET', `/integrations/${INTEGRATION_ID}`, { token: link }),
      await api.call('GET', `/workflows/${STREAM_WORKFLOW_ID}`, { token: link }),
      await api.call('PUT', '/workflows/deactivate', { token: link, body: { workflowId: STREAM_WORKFLOW_ID } }),
      await api.call('PUT', '/workflows/activate', { token: link, body: { workflowId: EVENT_WORKFLOW_ID } }),
    ]) {
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.json().error.code, 'forbidden');
    }
    assert.equal(await activeOf(userId, STREAM_WORKFLOW_ID), true, 'the other integration still runs');
    assert.equal((await api.call('GET', `/integrations/${OPS_INTEGRATION_ID}`, { token: link })).statusCode, 200);
    assert.equal((await api.call('GET', `/workflows/${SETTINGS_WORKFLOW_ID}`, { token: link })).statusCode, 200);
    const off = await api.call('PUT', '/workflows/deactivate', {
      token: link,
      body: { workflowId: SETTINGS_WORKFLOW_ID },
    });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(await activeOf(userId, SETTINGS_WORKFLOW_ID), false);
  });

  test('the ISV’s own user tokens stay unscoped; a malformed scope claim is token_invalid', async () => {
    const { userId, isvToken } = await userWithBoth('scope-isv');
    const all = (await api.call('GET', '/integrations', { token: isvToken })).json().data as unknown[];
    assert.equal(all.length, 2);
    assert.equal(
      (await api.call('GET', `/widget/integrations/${INTEGRATION_ID}`, { token: isvToken })).statusCode,
      200,
    );
    const now = Math.floor(Date.now() / 1000);
    const malformed = await new SignJWT({ alloy_integration: [OPS_INTEGRATION_ID] })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(USER_TOKEN_ISSUER)
      .setAudience(userTokenAudience('development'))
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(api.server.ctx.secrets.jwtSecret);
    const refused = await api.call('GET', '/integrations', { token: malformed });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error.code, 'token_invalid');
  });
});
