import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type Api,
  EVENT_WORKFLOW_ID,
  INTEGRATION_ID,
  OPS_INTEGRATION_ID,
  PREFIX_FIELD,
  SETTINGS_WORKFLOW_ID,
  STREAM_WORKFLOW_ID,
  UNKNOWN_ID,
  clone,
  opsIntegration,
  seedDefinition,
  writeDefinition,
  startOpsApi,
  type OpsApi,
} from './support.js';

let served: OpsApi;
let api: Api;
before(async () => {
  served = await startOpsApi();
  api = served.api;
});
after(() => served.dispose());

async function installOps(userId: string, channel = 'email'): Promise<void> {
  const response = await api.call('POST', '/widget/installations', {
    token: await api.token(userId),
    body: {
      integrationId: OPS_INTEGRATION_ID,
      values: [{ workflowId: SETTINGS_WORKFLOW_ID, blockId: 'send', name: 'channel', value: channel }],
    },
  });
  assert.equal(response.statusCode, 201, response.body);
}

async function reload(): Promise<void> {
  const response = await api.call('POST', '/admin/definitions/reload', { key: 'prod' });
  assert.equal(response.statusCode, 200, response.body);
}

describe('listing and reading a user’s workflows', () => {
  test('GET /workflows lists what the user installed, with versions and blocks', async () => {
    const userId = await api.createUser('wf-lister');
    assert.deepEqual((await api.call('GET', `/workflows?userId=${userId}`)).json(), { data: [] });
    await api.installWithWidget(userId);
    const response = await api.call('GET', `/workflows?userId=wf-lister`);
    assert.equal(response.statusCode, 200);
    const [orders, fulfillment] = response.json().data;
    assert.deepEqual(
      [orders.workflowId, orders.integrationId, orders.version, orders.installedVersion, orders.active],
      [STREAM_WORKFLOW_ID, INTEGRATION_ID, 1, 1, true],
    );
    assert.equal(fulfillment.workflowId, EVENT_WORKFLOW_ID);
    assert.ok(!Number.isNaN(Date.parse(orders.installedAt)));
    const token = await api.token(userId);
    assert.equal((await api.call('GET', '/workflows', { token })).json().data.length, 2);
    assert.equal((await api.call('GET', '/workflows')).statusCode, 400, 'userId is required with a key');
    assert.equal((await api.call('GET', `/workflows?userId=${userId}`, { key: 'prod' })).statusCode, 404);
  });

  test('GET /workflows/:workflowId shows the trigger, blocks and values, never secret ones', async () => {
    const userId = await api.createUser('wf-reader');
    await api.installWithWidget(userId, 'RD-');
    const orders = await api.call('GET', `/workflows/${STREAM_WORKFLOW_ID}?userId=${userId}`);
    assert.equal(orders.statusCode, 200);
    const detail = orders.json().data;
    assert.equal(detail.trigger.type, 'appEvent');
    assert.equal(detail.trigger.event, 'order.created');
    assert.equal(detail.trigger.connector, 'demoStore');
    const fields = detail.blocks[0].fields;
    assert.deepEqual(
      fields.map((f: { name: string; value: unknown; userConfigurable: boolean }) => [
        f.name,
        f.value,
        f.userConfigurable,
      ]),
      [
        ['url', '/demo/api/inbox/orders', false],
        ['referencePrefix', 'RD-', true],
      ],
    );
    const fulfillment = (await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}?userId=${userId}`)).json().data;
    assert.deepEqual(fulfillment.trigger.schema, { orderId: 'String', status: 'String' });
    assert.equal(fulfillment.trigger.event, 'Fulfillment Updated');
    assert.equal(fulfillment.blocks[0].fields[0].value, '{{trigger.orderId}}');

    const stranger = await api.createUser('wf-not-installed');
    assert.equal((await api.call('GET', `/workflows/${STREAM_WORKFLOW_ID}?userId=${stranger}`)).statusCode, 404);
    assert.equal((await api.call('GET', `/workflows/${UNKNOWN_ID}?userId=${userId}`)).statusCode, 404);
    assert.equal((await api.call('GET', `/workflows/xyz?userId=${userId}`)).statusCode, 400);
  });
});

test('blocks without an icon show their type’s or connector’s icon', async () => {
  const userId = await api.createUser('icon-viewer');
  const response = await api.call('GET', `/integrations/${OPS_INTEGRATION_ID}?userId=${userId}`);
  const icons = response
    .json()
    .data.workflows.flatMap((w: { blocks: { icon: string }[] }) => w.blocks.map((b) => b.icon.split('/').pop()));
  assert.deepEqual(icons, ['webhook.svg', 'stream-data.svg', 'installation.svg', 'stream-data.svg']);
});

describe('activate and deactivate', () => {
  test('by workflowId or workflowName, with a key or the user’s token', async () => {
    const userId = await api.createUser('toggler');
    await api.installWithWidget(userId);
    const state = async () =>
      (await api.call('GET', `/workflows?userId=${userId}`))
        .json()
        .data.map((w: { active: boolean }) => w.active) as boolean[];

    const off = await api.call('PUT', '/2023-12/workflows/deactivate', {
      body: { userId, workflowId: STREAM_WORKFLOW_ID },
    });
    assert.equal(off.statusCode, 200);
    assert.deepEqual(off.json(), { deactivated: true });
    assert.deepEqual(await state(), [false, true]);

    const byName = await api.call('PUT', '/workflows/deactivate', {
      body: {
        userId: 'toggler',
        workflowName: 'When a fulfillment is updated in AcmeCo, update the order status in Demo Store',
      },
    });
    assert.equal(byName.statusCode, 200);
    assert.deepEqual(await state(), [false, false]);

    const token = await api.token(userId);
    const on = await api.call('PUT', '/workflows/activate', { token, body: { workflowId: STREAM_WORKFLOW_ID } });
    assert.equal(on.statusCode, 200);
    assert.deepEqual(on.json(), { activated: true });
    assert.deepEqual(await state(), [true, false]);
  });

  test('bad input: neither or both refs, unknown workflow, not installed, another user, another tenant', async () => {
    const userId = await api.createUser('toggle-bad');
    const other = await api.createUser('toggle-other');
    await api.installWithWidget(userId);
    const cases: [object, number][] = [
      [{ userId }, 400],
      [{ userId, workflowId: STREAM_WORKFLOW_ID, workflowName: 'x' }, 400],
      [{ workflowId: STREAM_WORKFLOW_ID }, 400],
      [{ userId, workflowId: 'short' }, 400],
      [{ userId, workflowId: STREAM_WORKFLOW_ID, extra: 1 }, 400],
      [{ userId, workflowId: UNKNOWN_ID }, 404],
      [{ userId, workflowName: 'No such workflow' }, 404],
      [{ userId: other, workflowId: STREAM_WORKFLOW_ID }, 404],
      [{ userId: 'ghost', workflowId: STREAM_WORKFLOW_ID }, 404],
    ];
    for (const [body, status] of cases) {
      const response = await api.call('PUT', '/workflows/deactivate', { body });
      assert.equal(response.statusCode, status, JSON.stringify(body));
    }
    const prod = await api.call('PUT', '/workflows/activate', {
      key: 'prod',
      body: { userId, workflowId: STREAM_WORKFLOW_ID },
    });
    assert.equal(prod.statusCode, 404);
    const token = await api.token(other);
    const forbidden = await api.call('PUT', '/workflows/activate', {
      token,
      body: { userId, workflowId: STREAM_WORKFLOW_ID },
    });
    assert.equal(forbidden.statusCode, 403);
  });
});

describe('upgrade', () => {
  test('in place when configurable fields are unchanged; reinstall_required when they change', async () => {
    const keeper = await api.createUser('upgrade-keeper');
    const tight = await api.createUser('upgrade-tight');
    await installOps(keeper, 'slack');
    await api.installWithWidget(keeper, 'AB');
    await api.installWithWidget(tight, 'LONG-PREFIX');

    const latest = await api.call('PUT', `/workflows/${SETTINGS_WORKFLOW_ID}/upgrade?userId=${keeper}`);
    assert.equal(latest.statusCode, 200);
    assert.deepEqual(latest.json(), { upgraded: false, installedVersion: 1, version: 1 });

    // v2 of "Nightly summary" changes only a non-configurable value: upgradeable in place.
    const ops = opsIntegration() as { workflows: { versions: Record<string, unknown>[] }[] };
    const v2 = clone(ops.workflows[1]!.versions[0]!) as { version: number; blocks: { fields: { value?: string }[] }[] };
    v2.version = 2;
    v2.blocks[0]!.fields[0]!.value = '/demo/api/inbox/summary-v2';
    ops.workflows[1]!.versions.push(v2);
    // v2 of the seed's order stream allows only 4-character prefixes: a saved longer one blocks it.
    const seed = seedDefinition() as { workflows: { versions: Record<string, unknown>[] }[] };
    const tighter = clone(seed.workflows[0]!.versions[0]!) as {
      version: number;
      blocks: { fields: { rules?: { maxLength: number } }[] }[];
    };
    tighter.version = 2;
    tighter.blocks[0]!.fields[1]!.rules!.maxLength = 4;
    seed.workflows[0]!.versions.push(tighter);
    writeDefinition(served.dir, 'ops.integration.json', ops);
    writeDefinition(served.dir, 'demo-store.integration.json', seed);
    await reload();

    const upgraded = await api.call('PUT', `/2023-06/workflows/${SETTINGS_WORKFLOW_ID}/upgrade?userId=upgrade-keeper`);
    assert.equal(upgraded.statusCode, 200, upgraded.body);
    assert.deepEqual(upgraded.json(), { upgraded: true, installedVersion: 2, version: 2 });
    const detail = (await api.call('GET', `/workflows/${SETTINGS_WORKFLOW_ID}?userId=${keeper}`)).json().data;
    assert.equal(detail.installedVersion, 2);
    assert.equal(detail.blocks[0].fields[1].value, 'slack', 'the answer is kept');

    assert.equal((await api.call('PUT', `/workflows/${STREAM_WORKFLOW_ID}/upgrade?userId=${keeper}`)).statusCode, 200);
    const blocked = await api.call('PUT', `/workflows/${STREAM_WORKFLOW_ID}/upgrade?userId=${tight}`);
    assert.equal(blocked.statusCode, 409);
    assert.equal(blocked.json().error.code, 'reinstall_required');
    assert.match(blocked.json().error.issues[0].message, /saved answer/);

    // v3 adds a configurable field: nobody can be upgraded in place.
    const v3 = clone(tighter) as unknown as { version: number; blocks: { fields: Record<string, unknown>[] }[] };
    v3.version = 3;
    v3.blocks[0]!.fields.push({
      name: 'tag',
      displayName: 'Tag',
      type: 'text',
      userConfigurable: true,
      required: false,
    });
    seed.workflows[0]!.versions.push(v3);
    writeDefinition(served.dir, 'demo-store.integration.json', seed);
    await reload();
    const added = await api.call('PUT', `/workflows/${STREAM_WORKFLOW_ID}/upgrade?userId=${keeper}`);
    assert.equal(added.statusCode, 409);
    assert.equal(added.json().error.code, 'reinstall_required');
    assert.deepEqual(added.json().error.issues[0].path, ['fields', 'stream-to-acmeco.tag']);

    // A reinstall through the modal brings the user to the latest version.
    const reinstall = await api.call('POST', '/widget/installations', {
      token: await api.token(tight),
      body: {
        integrationId: INTEGRATION_ID,
        values: [
          { ...PREFIX_FIELD, value: 'OK' },
          { ...PREFIX_FIELD, name: 'tag', value: 'vip' },
        ],
      },
    });
    assert.equal(reinstall.statusCode, 201, reinstall.body);
    const versions = await api.call('GET', `/workflows/${STREAM_WORKFLOW_ID}/versions?userId=${tight}`);
    assert.equal(versions.statusCode, 200);
    assert.deepEqual(
      versions
        .json()
        .data.map((v: { version: number; latest: boolean; installed: boolean }) => [v.version, v.latest, v.installed]),
      [
        [1, false, false],
        [2, false, false],
        [3, true, true],
      ],
    );
  });

  test('bad input: unknown workflow, not installed, missing userId, another tenant', async () => {
    const userId = await api.createUser('upgrade-bad');
    assert.equal((await api.call('PUT', `/workflows/${UNKNOWN_ID}/upgrade?userId=${userId}`)).statusCode, 404);
    assert.equal((await api.call('PUT', `/workflows/${STREAM_WORKFLOW_ID}/upgrade?userId=${userId}`)).statusCode, 404);
    assert.equal((await api.call('PUT', `/workflows/${STREAM_WORKFLOW_ID}/upgrade`)).statusCode, 400);
    await api.installWithWidget(userId);
    const prod = await api.call('PUT', `/workflows/${STREAM_WORKFLOW_ID}/upgrade?userId=${userId}`, { key: 'prod' });
    assert.equal(prod.statusCode, 404);
  });
});

describe('versions, users of a workflow, delete', () => {
  test('versions list every release with its configurable fields; requiresReinstall per user', async () => {
    const response = await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/versions`);
    assert.equal(response.statusCode, 200);
    const [v1] = response.json().data;
    assert.equal(v1.version, 1);
    assert.equal(v1.triggerType, 'customEvent');
    assert.equal(v1.installed, false);
    assert.equal(v1.requiresReinstall, undefined);
    assert.ok(!Number.isNaN(Date.parse(v1.releasedAt)));
    assert.equal((await api.call('GET', `/workflows/${UNKNOWN_ID}/versions`)).statusCode, 404);
    assert.equal((await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/versions?userId=ghost`)).statusCode, 404);
  });

  test('GET /workflows/:id/users lists who installed it, with their state', async () => {
    const a = await api.createUser('wf-user-a');
    const b = await api.createUser('wf-user-b');
    await installOps(a);
    await installOps(b);
    await api.call('PUT', '/workflows/deactivate', { body: { userId: b, workflowId: SETTINGS_WORKFLOW_ID } });
    const response = await api.call('GET', `/workflows/${SETTINGS_WORKFLOW_ID}/users`);
    assert.equal(response.statusCode, 200);
    const rows = response.json().data.filter((u: { userId: string }) => u.userId === a || u.userId === b);
    assert.deepEqual(
      rows.map((u: { username: string; workflowActive: boolean }) => [u.username, u.workflowActive]),
      [
        ['wf-user-a', true],
        ['wf-user-b', false],
      ],
    );
    assert.deepEqual(Object.keys(rows[0]).sort(), [
      'fullName',
      'installedAt',
      'installedVersion',
      'userId',
      'username',
      'workflowActive',
    ]);
    const one = await api.call('GET', `/2023-01/workflows/${SETTINGS_WORKFLOW_ID}/users?userId=wf-user-b`);
    assert.deepEqual(
      one.json().data.map((u: { userId: string }) => u.userId),
      [b],
    );
    const prod = await api.call('GET', `/workflows/${SETTINGS_WORKFLOW_ID}/users`, { key: 'prod' });
    assert.deepEqual(prod.json().data, []);
    assert.equal((await api.call('GET', `/workflows/${UNKNOWN_ID}/users`)).statusCode, 404);
  });

  test('DELETE /workflows/:id removes it for one user; the last one takes the installation along', async () => {
    const userId = await api.createUser('wf-deleter');
    const other = await api.createUser('wf-keeper');
    await api.installWithWidget(userId);
    await api.installWithWidget(other);
    const first = await api.call('DELETE', `/workflows/${STREAM_WORKFLOW_ID}?userId=${userId}`);
    assert.equal(first.statusCode, 200);
    assert.deepEqual(first.json(), { deleted: true });
    assert.equal((await api.call('DELETE', `/workflows/${STREAM_WORKFLOW_ID}?userId=${userId}`)).statusCode, 404);
    assert.equal((await api.call('GET', `/installations?userId=${userId}`)).json().data.length, 1);
    await api.call('DELETE', `/workflows/${EVENT_WORKFLOW_ID}?userId=${userId}`);
    assert.equal((await api.call('GET', `/installations?userId=${userId}`)).json().data.length, 0);
    assert.equal((await api.call('GET', `/workflows?userId=${other}`)).json().data.length, 2, 'others keep theirs');
    assert.equal((await api.call('DELETE', `/workflows/${EVENT_WORKFLOW_ID}`)).statusCode, 400);
    assert.equal(
      (await api.call('DELETE', `/workflows/${EVENT_WORKFLOW_ID}?userId=${other}`, { key: 'prod' })).statusCode,
      404,
    );
  });
});
