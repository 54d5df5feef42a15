/**
 * The console's Active toggle (builder spec item 9): `PUT /console/api/integrations/:id/active`
 * switches an integration on or off per environment (`x-alloy-env`), stored by the installs module.
 * Switched off, the environment's end users do not see it (the widget's integration list, the
 * Embedded Link page) and cannot install it (widget, headless, link) — 409 `conflict`; existing
 * installations keep running and can still be edited and uninstalled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { signInToConsole } from '../helpers/server.js';
import {
  EVENT_WORKFLOW_ID,
  INTEGRATION_ID,
  PREFIX_FIELD,
  STREAM_WORKFLOW_ID,
  UNKNOWN_ID,
  startApi,
  waitFor,
  type Api,
} from './support.js';

const CHEAP = { consoleScryptCost: { N: 2 ** 10, r: 8, p: 1 } };
const PASSWORD = 'correct horse battery staple';
const COOKIE = 'alloy_console_session';
const INACTIVE = 'This integration is not active.';

let api: Api;
let cookie: string;
let csrf: string;

before(async () => {
  api = await startApi({ server: { ...CHEAP, consolePassword: PASSWORD } });
  ({ cookie, csrf } = await signInToConsole(api.server, PASSWORD));
});
after(async () => {
  await api?.server.dispose();
});

const inject = (options: InjectOptions) => api.server.app.inject(options);

/** The console's toggle as the page calls it: cookie, CSRF token, environment. */
function setActive(
  active: unknown,
  options: { env?: string; integrationId?: string; withCsrf?: boolean } = {},
): Promise<LightMyRequestResponse> {
  return inject({
    method: 'PUT',
    url: `/console/api/integrations/${options.integrationId ?? INTEGRATION_ID}/active`,
    headers: {
      cookie: `${COOKIE}=${cookie}`,
      ...(options.withCsrf === false ? {} : { 'x-alloy-csrf': csrf }),
      ...(options.env ? { 'x-alloy-env': options.env } : {}),
    },
    payload: { active },
  });
}

async function toggle(active: boolean, env?: string): Promise<void> {
  const response = await setActive(active, env ? { env } : {});
  assert.equal(response.statusCode, 200, response.body);
  assert.deepEqual(response.json(), { integrationId: INTEGRATION_ID, active });
}

/** The catalogue's `active` for the seeded integration in an environment. */
async function catalogueActive(env?: string): Promise<boolean> {
  const response = await inject({
    method: 'GET',
    url: '/console/api/integrations',
    headers: { cookie: `${COOKIE}=${cookie}`, ...(env ? { 'x-alloy-env': env } : {}) },
  });
  assert.equal(response.statusCode, 200, response.body);
  const row = (response.json().data as { integrationId: string; active: boolean }[]).find(
    (i) => i.integrationId === INTEGRATION_ID,
  );
  assert.ok(row, 'the catalogue lists the seeded integration');
  return row.active;
}

/** The integration ids the user's widget lists (`GET /integrations` with the user token). */
async function widgetList(userId: string, key: 'dev' | 'prod' = 'dev'): Promise<string[]> {
  const response = await api.call('GET', '/integrations', { token: await api.token(userId, key) });
  assert.equal(response.statusCode, 200, response.body);
  return (response.json().data as { integrationId: string }[]).map((i) => i.integrationId);
}

function widgetInstall(token: string, prefix = 'DS-'): Promise<LightMyRequestResponse> {
  return api.call('POST', '/widget/installations', {
    token,
    body: { integrationId: INTEGRATION_ID, values: [{ ...PREFIX_FIELD, value: prefix }] },
  });
}

function assertInactive(response: LightMyRequestResponse | { status: number; body: unknown }, what: string): void {
  if ('statusCode' in response) {
    assert.equal(response.statusCode, 409, `${what}: ${response.body}`);
    assert.deepEqual([response.json().error.code, response.json().error.message], ['conflict', INACTIVE], what);
  } else {
    assert.equal(response.status, 409, what);
    const error = (response.body as { error: { code: string; message: string } }).error;
    assert.deepEqual([error.code, error.message], ['conflict', INACTIVE], what);
  }
}

/** Opens an Embedded Link as the browser does and asks for the page's session. */
async function linkSession(userId: string): Promise<{ status: number; body: unknown }> {
  const created = await api.call('GET', `/users/${userId}/integrations/${INTEGRATION_ID}/install-url`);
  assert.equal(created.statusCode, 200, created.body);
  const opened = await fetch(created.json().url, { redirect: 'manual' });
  assert.equal(opened.status, 303);
  const pageCookie = opened.headers.get('set-cookie')!.split(';')[0]!;
  const session = await fetch(api.url('/link/session'), {
    method: 'POST',
    headers: { cookie: pageCookie, origin: new URL(api.url('/')).origin },
  });
  return { status: session.status, body: await session.json() };
}

function headlessStart(userId: string): Promise<LightMyRequestResponse> {
  return api.call('POST', '/headless/startInstallation', { body: { userId, integrationId: INTEGRATION_ID } });
}

function headlessComplete(installationId: string): Promise<LightMyRequestResponse> {
  return api.call('POST', '/headless/completeInstallation', {
    body: {
      installationId,
      data: [
        {
          workflowId: STREAM_WORKFLOW_ID,
          blockId: PREFIX_FIELD.blockId,
          fields: [{ name: 'referencePrefix', value: 'HL-' }],
        },
      ],
    },
  });
}

describe('console: an integration’s Active toggle', () => {
  test('an integration is active by default in both environments', async () => {
    assert.equal(await catalogueActive(), true);
    assert.equal(await catalogueActive('production'), true);
    const userId = await api.createUser('active-default');
    assert.ok((await widgetList(userId)).includes(INTEGRATION_ID));
  });

  test('the toggle needs a session and its CSRF token; an unknown integration is a 404; a bad body a 400', async () => {
    const noCsrf = await setActive(false, { withCsrf: false });
    assert.equal(noCsrf.statusCode, 403, noCsrf.body);
    assert.equal(noCsrf.json().error.code, 'forbidden');
    const noSession = await inject({
      method: 'PUT',
      url: `/console/api/integrations/${INTEGRATION_ID}/active`,
      headers: { 'x-alloy-csrf': csrf },
      payload: { active: false },
    });
    assert.equal(noSession.statusCode, 401, noSession.body);
    assert.equal(await catalogueActive(), true, 'a refused toggle changes nothing');

    const unknown = await setActive(false, { integrationId: UNKNOWN_ID });
    assert.equal(unknown.statusCode, 404, unknown.body);
    assert.equal(unknown.json().error.code, 'not_found');
    const badBody = await setActive('no');
    assert.equal(badBody.statusCode, 400, badBody.body);
    const badEnv = await setActive(false, { env: 'staging' });
    assert.equal(badEnv.statusCode, 400, badEnv.body);
    assert.equal(noCsrf.headers['cache-control'], 'no-store');
  });

  test('switched off: hidden and not installable for new users (widget, headless, link); the other environment is unaffected; on again restores it', async () => {
    const devUser = await api.createUser('active-off-dev');
    const devToken = await api.token(devUser);
    const prodUser = await api.createUser('active-off-prod', 'prod');
    // Started while active: the completion after the switch-off is refused too.
    await api.createCredential(devUser);
    const startedBefore = await headlessStart(devUser);
    assert.equal(startedBefore.statusCode, 200, startedBefore.body);

    await toggle(false);
    assert.equal(await catalogueActive(), false);
    assert.equal(await catalogueActive('production'), true, 'production keeps its own state');

    assert.ok(!(await widgetList(devUser)).includes(INTEGRATION_ID), 'hidden from the widget list');
    const isvList = await api.call('GET', `/integrations?userId=${devUser}`);
    assert.ok(!(isvList.json().data as { integrationId: string }[]).some((i) => i.integrationId === INTEGRATION_ID));
    assertInactive(await api.call('GET', `/widget/integrations/${INTEGRATION_ID}`, { token: devToken }), 'modal view');
    assertInactive(await widgetInstall(devToken), 'widget install');
    assertInactive(await headlessStart(devUser), 'headless start');
    assertInactive(await headlessComplete(startedBefore.json().installationId), 'headless complete');
    assertInactive(await linkSession(devUser), 'link page');
    const page = await fetch(api.url('/link'));
    assert.match(await page.text(), /<div id="inactive" hidden>/, 'the link page has the words for it');
    const installations = await api.call('GET', `/installations?userId=${devUser}`);
    assert.deepEqual(installations.json().data, [], 'nothing was installed');

    // Production's users are not affected.
    assert.ok((await widgetList(prodUser, 'prod')).includes(INTEGRATION_ID));
    const prodInstall = await widgetInstall(await api.token(prodUser, 'prod'));
    assert.equal(prodInstall.statusCode, 201, prodInstall.body);

    // On again: the same user sees and installs it (the link too).
    await toggle(true);
    assert.equal(await catalogueActive(), true);
    assert.ok((await widgetList(devUser)).includes(INTEGRATION_ID));
    const link = await linkSession(devUser);
    assert.equal(link.status, 200, JSON.stringify(link.body));
    const restarted = await headlessStart(devUser);
    assert.equal(restarted.statusCode, 200, restarted.body);
    const completed = await headlessComplete(restarted.json().installationId);
    assert.equal(completed.statusCode, 200, completed.body);
    const other = await api.createUser('active-on-again');
    assert.equal((await widgetInstall(await api.token(other))).statusCode, 201);
  });

  test('switched off in production only: development is unaffected', async () => {
    await toggle(false, 'production');
    try {
      assert.equal(await catalogueActive('production'), false);
      assert.equal(await catalogueActive(), true);
      const devUser = await api.createUser('prod-off-dev');
      assert.ok((await widgetList(devUser)).includes(INTEGRATION_ID));
      assert.equal((await widgetInstall(await api.token(devUser))).statusCode, 201);
      const prodUser = await api.createUser('prod-off-prod', 'prod');
      assert.ok(!(await widgetList(prodUser, 'prod')).includes(INTEGRATION_ID));
      assertInactive(await widgetInstall(await api.token(prodUser, 'prod')), 'production widget install');
    } finally {
      await toggle(true, 'production');
    }
  });

  test('an existing installation keeps running and can still be edited and uninstalled', async () => {
    const userId = await api.createUser('active-existing');
    await api.installWithWidget(userId, 'OLD-');
    const token = await api.token(userId);
    await toggle(false);
    try {
      // Still listed for its user (to edit it), and the modal still opens.
      assert.ok((await widgetList(userId)).includes(INTEGRATION_ID));
      const view = await api.call('GET', `/widget/integrations/${INTEGRATION_ID}`, { token });
      assert.equal(view.statusCode, 200, view.body);
      assert.ok(view.json().installation, 'the modal shows the installation');

      // Runs: an event reaches the installed workflow and is executed.
      const event = await api.call('POST', '/run/event', {
        body: { event: 'Fulfillment Updated', userId, data: { orderId: '123', status: 'FULFILLED' } },
      });
      assert.equal(event.statusCode, 200, event.body);
      await waitFor('the execution of the event', async () => {
        const logs = await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${userId}`);
        return logs.statusCode === 200 && (logs.json().data as unknown[]).length > 0;
      });

      // Edits: the modal's install again with another answer.
      const edited = await widgetInstall(token, 'NEW-');
      assert.equal(edited.statusCode, 201, edited.body);
      const after = await api.call('GET', `/widget/integrations/${INTEGRATION_ID}`, { token });
      const prefix = (after.json().installation.values as { name: string; value?: unknown }[]).find(
        (v) => v.name === PREFIX_FIELD.name,
      );
      assert.equal(prefix?.value, 'NEW-');

      // Uninstalls; after that it is a new install, refused.
      const removed = await api.call('DELETE', `/widget/integrations/${INTEGRATION_ID}/installation`, { token });
      assert.equal(removed.statusCode, 200, removed.body);
      assert.ok(!(await widgetList(userId)).includes(INTEGRATION_ID));
      assertInactive(await widgetInstall(token), 'install after uninstall');
    } finally {
      await toggle(true);
    }
  });
});

describe('console: the Active toggle of an integration made in the console', () => {
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    inject({
      method,
      url,
      headers: { cookie: `${COOKIE}=${cookie}`, ...(method === 'GET' ? {} : { 'x-alloy-csrf': csrf }) },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  test('switched off before its first release: it stays off once released, hidden from end users', async () => {
    const created = await call('POST', '/console/api/integrations', { app: 'demoStore', name: 'Toggled early' });
    assert.equal(created.statusCode, 201, created.body);
    const { integrationId } = created.json();
    const off = await setActive(false, { integrationId });
    assert.equal(off.statusCode, 200, `an integration made in the console, not released yet: ${off.body}`);
    assert.deepEqual(off.json(), { integrationId, active: false });
    assert.equal((await call('GET', `/console/api/integrations/${integrationId}`)).json().active, false);

    const workflow = await call('POST', `/console/api/integrations/${integrationId}/workflows`, { name: 'Early' });
    const { workflowId } = workflow.json();
    const saved = await call('PUT', `/console/api/workflows/${workflowId}/draft`, {
      draft: {
        name: 'Early',
        trigger: { type: 'webhook', id: 'hook', name: 'Webhook' },
        blocks: [
          {
            type: 'streamData',
            id: 'send',
            name: 'Send',
            fields: [{ name: 'url', displayName: 'URL', type: 'text', value: 'https://acme.example/in' }],
          },
        ],
      },
    });
    assert.deepEqual(saved.json().issues, []);
    const released = await call('POST', `/console/api/workflows/${workflowId}/release`);
    assert.equal(released.statusCode, 201, released.body);

    const userId = await api.createUser('active-console-made');
    assert.ok(!(await widgetList(userId)).includes(integrationId), 'hidden from end users');
    assert.equal((await call('GET', `/console/api/integrations/${integrationId}`)).json().active, false);
    assert.equal((await setActive(true, { integrationId })).statusCode, 200);
    assert.ok((await widgetList(userId)).includes(integrationId), 'on again: listed');
  });
});
