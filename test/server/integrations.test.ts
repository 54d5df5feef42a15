import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IntegrationListResponse } from '../../src/contract/index.js';
import {
  type Api,
  EVENT_WORKFLOW_ID,
  INTEGRATION_ID,
  PREFIX_FIELD,
  STREAM_WORKFLOW_ID,
  UNKNOWN_ID,
  startApi,
} from './support.js';

let api: Api;
before(async () => {
  api = await startApi();
});
after(async () => {
  await api.server.dispose();
});

describe('GET /integrations', () => {
  test('the seeded commerce integration: two workflows, their triggers and blocks, the credential it needs', async () => {
    const userId = await api.createUser('browser');
    const response = await api.call('GET', `/2022-09/integrations?userId=${userId}`);
    assert.equal(response.statusCode, 200);
    assert.ok(IntegrationListResponse.safeParse(response.json()).success);
    const [integration] = response.json().data;
    assert.equal(integration.integrationId, INTEGRATION_ID);
    assert.deepEqual(integration.credentials, ['demoStore']);
    const [orders, fulfillment] = integration.workflows;
    assert.equal(orders.workflowId, STREAM_WORKFLOW_ID);
    assert.deepEqual(
      orders.blocks.map((b: { id: string; type: string }) => [b.id, b.type]),
      [
        ['trigger-order-created', 'appEvent'],
        ['stream-to-acmeco', 'streamData'],
      ],
    );
    assert.equal(fulfillment.workflowId, EVENT_WORKFLOW_ID);
    assert.deepEqual(
      fulfillment.blocks.map((b: { type: string; name: string }) => [b.type, b.name]),
      [
        ['customEvent', 'Custom Event'],
        ['connectorAction', 'Demo Store: Update Order Status'],
      ],
    );
    assert.match(fulfillment.blocks[0].icon, /^http:\/\/localhost(:\d+)?\/static\/icons\/custom-event\.svg$/);
  });

  test('with a user token, userId may be left out; naming another user is a 403', async () => {
    const me = await api.createUser('token-holder');
    await api.createUser('someone-else');
    const token = await api.token(me);
    assert.equal((await api.call('GET', '/integrations', { token })).statusCode, 200);
    assert.equal((await api.call('GET', `/integrations?userId=${me}`, { token })).statusCode, 200);
    assert.equal((await api.call('GET', '/integrations?userId=token-holder', { token })).statusCode, 200);
    const other = await api.call('GET', '/integrations?userId=someone-else', { token });
    assert.equal(other.statusCode, 403);
    assert.equal(other.json().error.code, 'forbidden');
  });

  test('bad input: unknown query fields, another tenant’s user, no key', async () => {
    const userId = await api.createUser('strict-lister');
    assert.equal((await api.call('GET', `/integrations?userId=${userId}&page=2`)).statusCode, 400);
    assert.equal((await api.call('GET', `/integrations?userId=${userId}`, { key: 'prod' })).statusCode, 404);
    assert.equal((await api.call('GET', `/integrations?userId=${userId}`, { key: 'wrong' })).statusCode, 401);
  });
});

describe('GET /integrations/:integrationId', () => {
  test('one integration with the user’s state', async () => {
    const userId = await api.createUser('single');
    await api.installWithWidget(userId);
    const response = await api.call('GET', `/integrations/${INTEGRATION_ID}?userId=single`);
    assert.equal(response.statusCode, 200);
    const integration = response.json().data;
    assert.equal(integration.integrationId, INTEGRATION_ID);
    assert.equal(integration.installed, true);
    assert.deepEqual(
      integration.workflows.map((w: { installedVersion: number; active: boolean }) => [w.installedVersion, w.active]),
      [
        [1, true],
        [1, true],
      ],
    );
    const token = await api.token(userId);
    assert.equal((await api.call('GET', `/integrations/${INTEGRATION_ID}`, { token })).statusCode, 200);
  });

  test('by name too, as alloy-node’s getIntegration calls it', async () => {
    const userId = await api.createUser('by-name');
    const response = await api.call('GET', `/2023-01/integrations/Demo%20Store?userId=${userId}`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().data.integrationId, INTEGRATION_ID);
    assert.equal((await api.call('GET', `/integrations/Unknown%20Store?userId=${userId}`)).statusCode, 404);
  });

  test('unknown or malformed ids, missing userId with a key, another tenant', async () => {
    const userId = await api.createUser('single-bad');
    assert.equal((await api.call('GET', `/integrations/${UNKNOWN_ID}?userId=${userId}`)).statusCode, 404);
    assert.equal((await api.call('GET', `/integrations/${'x'.repeat(101)}?userId=${userId}`)).statusCode, 400);
    const missing = await api.call('GET', `/integrations/${INTEGRATION_ID}`);
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(missing.json().error.issues[0].path, ['userId']);
    assert.equal(
      (await api.call('GET', `/integrations/${INTEGRATION_ID}?userId=${userId}`, { key: 'prod' })).statusCode,
      404,
    );
  });
});

describe('GET /installations', () => {
  test('lists installations with the form, the answers and the credentials, filtered by user and integration', async () => {
    const modalUser = await api.createUser('modal-installer');
    await api.installWithWidget(modalUser, 'MO-');
    const headlessUser = await api.createUser('headless-installer');
    const credentialId = await api.createCredential(headlessUser);
    const start = await api.call('POST', '/headless/startInstallation', {
      body: { userId: headlessUser, integrationId: INTEGRATION_ID },
    });
    const complete = await api.call('POST', '/headless/completeInstallation', {
      body: {
        installationId: start.json().installationId,
        data: [
          {
            workflowId: STREAM_WORKFLOW_ID,
            blockId: PREFIX_FIELD.blockId,
            fields: [{ name: 'referencePrefix', value: 'HL-' }],
          },
        ],
      },
    });
    assert.equal(complete.statusCode, 200, complete.body);

    const all = await api.call('GET', '/installations');
    assert.equal(all.statusCode, 200);
    const byUser = new Map(all.json().data.map((i: { userId: string }) => [i.userId, i]));
    const headless = byUser.get(headlessUser) as Record<string, unknown>;
    assert.deepEqual(Object.keys(headless).sort(), [
      'credentialIds',
      'enabled',
      'formData',
      'installationId',
      'installedAt',
      'integrationId',
      'updatedAt',
      'userId',
      'workflowIds',
    ]);
    assert.deepEqual(headless.credentialIds, { demoStore: credentialId });
    assert.deepEqual(headless.workflowIds, [STREAM_WORKFLOW_ID, EVENT_WORKFLOW_ID]);
    assert.equal(headless.enabled, true);
    assert.deepEqual(headless.formData, [
      {
        workflowId: STREAM_WORKFLOW_ID,
        app: 'streamData',
        blockId: 'stream-to-acmeco',
        fields: [
          {
            name: 'referencePrefix',
            displayName: 'Order reference prefix',
            type: 'text',
            required: true,
            value: 'HL-',
          },
        ],
      },
    ]);
    assert.deepEqual((byUser.get(modalUser) as { credentialIds: object }).credentialIds, {});

    const mine = await api.call('GET', `/installations?userId=headless-installer&integrationId=${INTEGRATION_ID}`);
    assert.deepEqual(
      mine.json().data.map((i: { userId: string }) => i.userId),
      [headlessUser],
    );
    const none = await api.call('GET', `/installations?integrationId=${UNKNOWN_ID}`);
    assert.deepEqual(none.json().data, []);
  });

  test('environments are separate; bad filters are 400s; unknown users 404s', async () => {
    const userId = await api.createUser('dev-installed');
    await api.installWithWidget(userId);
    const prod = await api.call('GET', '/installations', { key: 'prod' });
    assert.ok(!prod.json().data.some((i: { userId: string }) => i.userId === userId));
    assert.equal((await api.call('GET', `/installations?userId=${userId}`, { key: 'prod' })).statusCode, 404);
    assert.equal((await api.call('GET', '/installations?integrationId=bad')).statusCode, 400);
    assert.equal((await api.call('GET', '/installations?sort=1')).statusCode, 400);
    assert.equal((await api.call('GET', '/installations', { key: 'none' })).statusCode, 401);
  });
});

describe('GET /events', () => {
  test('lists the custom events with their schema and workflows', async () => {
    const response = await api.call('GET', '/events');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().data, [
      {
        name: 'Fulfillment Updated',
        schema: { orderId: 'String', status: 'String' },
        workflows: [
          {
            workflowId: EVENT_WORKFLOW_ID,
            name: 'When a fulfillment is updated in AcmeCo, update the order status in Demo Store',
            integrationId: INTEGRATION_ID,
          },
        ],
      },
    ]);
    assert.equal((await api.call('GET', '/events', { key: 'wrong' })).statusCode, 401);
    const bystander = await api.createUser('event-bystander');
    assert.deepEqual((await api.call('GET', `/events?userId=${bystander}`)).json(), { data: [] });
    await api.installWithWidget(bystander);
    assert.equal((await api.call('GET', `/events?userId=${bystander}`)).json().data.length, 1);
    assert.equal((await api.call('GET', '/events?userId=ghost')).statusCode, 404);
  });
});
