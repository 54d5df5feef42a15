// `npm run screenshots:console`: renders every view of the ISV console (dist/console, so run
// `npm run build` first) in Debian's Chromium against the real server, seeded through the real ISV
// API with realistic data: users, installations made through an Embedded Link in a page, event runs
// that succeeded and failed, and webhook deliveries to a local receiver. Writes one PNG per state and
// variant into screenshots/ (git-ignored), named console-<state>-<width>x<height>-<light|dark>.png.
// Offline: everything runs on loopback. `npm run screenshots:console -- <state> ...` renders only
// those states (the others still run, to keep the flow, but are not written).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { connectDemoStore, isvCall, toSettingsStep } from '../helpers/e2e-modal.js';
import { seededStoreCredentialOverHttp } from '../helpers/sandbox-owner.js';
import { startTestServer, TEST_API_KEY, type TestServer } from '../helpers/server.js';
import { TestReceiver } from '../server/receiver.js';
import { openVariantPage, variantsOf, type Variant } from './variants.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, 'screenshots');
const consoleIndex = path.join(root, 'dist/console/index.html');
const only = process.argv.slice(2);

const USERNAME = 'admin';
const PASSWORD = 'console screenshots password';
const INTEGRATION_ID = '65a1c0de0000000000000001';
const STORE = '/sandbox/demo-store';

/** The console's viewports: a laptop and a phone (at 2× like the real device). */
const VIEWPORTS = [
  { width: 1280, height: 800, scale: 1 },
  { width: 375, height: 812, scale: 2 },
] as const;

const VARIANTS = variantsOf(VIEWPORTS);

const STATES = [
  'sign-in',
  'sign-in-error',
  'integrations',
  'users',
  'user-detail',
  'logs',
  'execution-detail',
  'deliveries',
  'settings',
  'not-found',
  'share-dialog',
  'new-integration-dialog',
  'integration-page',
  'integration-page-code',
  'builder-trigger-panel',
  'builder-action-panel',
  'builder-issues',
  'release-dialog',
  'versions',
  'builder-code',
  'test-run',
  'new-key-dialog',
] as const;
type State = (typeof STATES)[number];

/** The people the seed creates; the first two install Demo Store through an Embedded Link, the third after the runs. */
const PEOPLE = [
  { username: 'maria.gonzalez@northwind.test', fullName: 'María González', installs: true },
  { username: 'li.wei@contoso.test', fullName: 'Li Wei', installs: true },
  { username: 'sam.patel@acme.test', fullName: 'Sam Patel', installs: false },
  { username: 'ops-bot', fullName: undefined, installs: false },
];

/** Whom each variant's share dialog makes a link for (one new user per variant). */
const SHARED_WITH = [
  'jordan.lee@fabrikam.test',
  'aiko.tanaka@fabrikam.test',
  'noah.smith@tailspin.test',
  'eva.novak@tailspin.test',
];

interface Seeded {
  /** The user whose detail page is shot (has an installation, credentials and executions). */
  userId: string;
  /** Their username (the test run picks them: they have a Demo Store connection). */
  username: string;
  /** A failed execution, for the detail page (its error is the interesting part). */
  executionId: string;
  /** A real order of the sandbox store (the test run updates it). */
  orderId: string;
}

/** What the builder's states open: a console-made integration and its workflows, and a code one. */
interface Built {
  /** The console-made integration. */
  integrationId: string;
  /** Its custom-event workflow: released twice (version 2 needs a reinstall), then edited again. */
  eventWorkflowId: string;
  /** Its app-event workflow, never released, whose draft has issues. */
  draftWorkflowId: string;
  /** A workflow of the code-defined Demo Store integration. */
  codeWorkflowId: string;
}

const CONSOLE_INTEGRATION = 'Demo Store order sync';
const EVENT_WORKFLOW = 'When a shipment is updated in AcmeCo, update the order in Demo Store';
const DRAFT_WORKFLOW = 'When an order is created in Demo Store, stream it to AcmeCo';

async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Installs Demo Store for `userId` the way an end user does: an Embedded Link opened in a page. */
async function installThroughLink(browser: Browser, base: string, userId: string, prefix: string): Promise<void> {
  const { url } = await isvCall<{ url: string }>(
    base,
    TEST_API_KEY,
    'GET',
    `/users/${encodeURIComponent(userId)}/integrations/${INTEGRATION_ID}/install-url`,
  );
  const page = await browser.newPage();
  try {
    await page.goto(url);
    const modal = page.getByRole('dialog', { name: 'Demo Store' });
    await toSettingsStep(modal);
    await modal.getByLabel('Order reference prefix').fill(prefix);
    await modal.getByRole('button', { name: 'Finish Installation' }).click();
    await modal.getByRole('button', { name: 'Done' }).click();
    await modal.waitFor({ state: 'hidden' });
  } finally {
    await page.close();
  }
}

async function seed(browser: Browser, base: string, receiver: TestReceiver): Promise<Seeded> {
  // Webhooks to the local receiver. The last installation (after the runs, so its delivery is at
  // the top of the list) gets a 503 from it: the deliveries list shows a failing one too.
  let refuseInstallWebhooks = false;
  receiver.react = (request) => (refuseInstallWebhooks && request.path === '/hooks/installed' ? 503 : 200);
  await isvCall(base, TEST_API_KEY, 'PUT', '/settings', {
    installationWebhookUrl: receiver.url('/hooks/installed'),
    errorStreamUrl: receiver.url('/hooks/errors'),
  });

  const ids: string[] = [];
  for (const [index, person] of PEOPLE.entries()) {
    const { userId } = await isvCall<{ userId: string }>(base, TEST_API_KEY, 'POST', '/users', {
      username: person.username,
      ...(person.fullName ? { fullName: person.fullName } : {}),
    });
    ids.push(userId);
    if (person.installs) {
      await connectDemoStore(base, TEST_API_KEY, userId);
      await installThroughLink(browser, base, userId, ['NW-', 'CT-'][index] ?? 'DS-');
    }
  }

  // A real order in the seeded store, so a fulfillment update succeeds; an unknown one fails.
  const store = await seededStoreCredentialOverHttp(base);
  const created = await fetch(`${base}${STORE}/api/v1/stores/${store.storeId}/orders`, {
    method: 'POST',
    headers: { 'x-store-api-key': store.apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({
      customer: { email: 'pat@example.com', name: 'Pat Doe' },
      items: [{ name: 'Mug', quantity: 2, unitPrice: 1450 }],
    }),
  });
  if (created.status !== 201) throw new Error(`creating a store order: ${created.status} ${await created.text()}`);
  const order = (await created.json()) as { id: string };

  const events: [string, string, string][] = [
    [ids[0]!, order.id, 'fulfilled'],
    [ids[1]!, order.id, 'shipped'],
    [ids[0]!, 'ord_does_not_exist', 'fulfilled'],
    [ids[0]!, order.id, 'delivered'],
    [ids[1]!, 'ord_missing_42', 'cancelled'],
  ];
  for (const [userId, orderId, status] of events) {
    await isvCall(base, TEST_API_KEY, 'POST', '/run/event', {
      event: 'Fulfillment Updated',
      userId,
      data: { orderId, status },
    });
  }

  type Notification = { message: string; userId: string; data: { executionId: string } };
  const logs = await waitUntil('the event runs to finish with a success and an error', async () => {
    const { notifications } = await isvCall<{ notifications: Notification[] }>(
      base,
      TEST_API_KEY,
      'GET',
      '/logs?limit=50',
    );
    const finished = notifications.filter((log) => log.message !== 'executionRunning');
    return finished.length >= events.length &&
      finished.some((log) => log.message === 'executionSuccess') &&
      finished.some((log) => log.message === 'executionError')
      ? finished
      : undefined;
  });
  refuseInstallWebhooks = true;
  await connectDemoStore(base, TEST_API_KEY, ids[2]!);
  await installThroughLink(browser, base, ids[2]!, 'SP-');
  await waitUntil('webhook deliveries', async () => {
    const { data } = await isvCall<{ data: unknown[] }>(base, TEST_API_KEY, 'GET', '/webhook-deliveries');
    return data.length >= events.length ? data : undefined;
  });
  const failed =
    logs.find((log) => log.message === 'executionError' && log.userId === ids[0]) ??
    logs.find((log) => log.message === 'executionError')!;
  return {
    userId: ids[0]!,
    username: PEOPLE[0]!.username,
    executionId: failed.data.executionId,
    orderId: order.id,
  };
}

/** Calls the console's own API as the browser does: the session cookie, and `x-alloy-csrf` on writes. */
async function consoleSession(base: string) {
  const signIn = await fetch(`${base}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: USERNAME, password: PASSWORD }),
  });
  if (signIn.status !== 200) throw new Error(`console sign-in: ${signIn.status} ${await signIn.text()}`);
  const cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  return async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}/console/api${route}`, {
      method,
      headers: {
        cookie,
        'x-alloy-env': 'development',
        ...(method === 'GET' ? {} : { 'x-alloy-csrf': csrfToken }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`console ${method} ${route}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

/**
 * Builds in the console what its builder states show, through the console's API: an integration
 * of the Demo Store app with a custom-event workflow (released as version 1, then version 2 with a
 * field the user fills in, so it needs a reinstall, then edited again so it can be released) and
 * a never-released app-event workflow whose draft has issues.
 */
async function build(base: string, acmeUrl: string): Promise<Built> {
  const call = await consoleSession(base);
  const { data: connectors } = await call<{ data: { id: string; displayName: string }[] }>('GET', '/connectors');
  const app = connectors.find((c) => c.displayName === 'Demo Store')?.id;
  if (!app) throw new Error('no Demo Store connector in the console catalogue');
  const { integrationId } = await call<{ integrationId: string }>('POST', '/integrations', {
    app,
    name: CONSOLE_INTEGRATION,
    description: 'Keeps Demo Store orders and AcmeCo fulfillments in step.',
  });

  const eventWorkflow = await call<{ workflowId: string }>('POST', `/integrations/${integrationId}/workflows`, {
    name: EVENT_WORKFLOW,
  });
  const trigger = {
    type: 'customEvent',
    id: 'shipment',
    name: 'Shipment Updated',
    event: 'Shipment Updated',
    schema: { orderId: 'String', status: 'String', carrier: 'String?', shippedAt: 'String?' },
  };
  const action = {
    type: 'connectorAction',
    id: 'updateOrder',
    name: 'Demo Store: Update Order Status',
    connector: app,
    action: 'updateOrderStatus',
    fields: [
      { name: 'orderId', displayName: 'Order', type: 'text', value: '{{trigger.orderId}}' },
      { name: 'status', displayName: 'Status', type: 'text', value: '{{trigger.status}}' },
    ],
  };
  const notify = {
    name: 'notifyTeam',
    displayName: 'Team to notify',
    type: 'select',
    userConfigurable: true,
    help: 'Who hears about status changes in AcmeCo.',
    options: [
      { value: 'ops', label: 'Operations' },
      { value: 'support', label: 'Customer support' },
    ],
    value: 'ops',
  };
  const stream = {
    type: 'streamData',
    id: 'streamToAcme',
    name: 'Stream to AcmeCo',
    fields: [{ name: 'url', displayName: 'URL', type: 'text', value: acmeUrl }, notify],
  };
  const save = async (workflowId: string, draft: object): Promise<{ issues: unknown[] }> =>
    call('PUT', `/workflows/${workflowId}/draft`, { draft });
  const released = async (workflowId: string, draft: object): Promise<void> => {
    const { issues } = await save(workflowId, draft);
    if (issues.length > 0) throw new Error(`draft of ${workflowId} has issues: ${JSON.stringify(issues)}`);
    await call('POST', `/workflows/${workflowId}/release`);
  };
  const id = eventWorkflow.workflowId;
  await released(id, { name: EVENT_WORKFLOW, trigger, blocks: [action] });
  await released(id, { name: EVENT_WORKFLOW, trigger, blocks: [action, stream] });
  await save(id, {
    name: EVENT_WORKFLOW,
    description: 'The order follows AcmeCo’s shipment status.',
    trigger,
    blocks: [action, stream],
  });

  const draftWorkflow = await call<{ workflowId: string }>('POST', `/integrations/${integrationId}/workflows`, {
    name: DRAFT_WORKFLOW,
  });
  await save(draftWorkflow.workflowId, {
    name: DRAFT_WORKFLOW,
    trigger: { type: 'appEvent', id: 'orderCreated', name: 'Order created', connector: app, event: '' },
    blocks: [
      {
        type: 'streamData',
        id: 'stream',
        name: 'Stream to AcmeCo',
        fields: [{ name: 'url', displayName: 'URL', type: 'text', value: '' }],
      },
    ],
  });

  const code = await call<{ workflows: { workflowId: string }[] }>('GET', `/integrations/${INTEGRATION_ID}`);
  return {
    integrationId,
    eventWorkflowId: id,
    draftWorkflowId: draftWorkflow.workflowId,
    codeWorkflowId: code.workflows[0]!.workflowId,
  };
}

/** Waits until no "Loading…" is on screen (the views and the shell show one while they fetch). */
async function settled(page: Page): Promise<void> {
  const loading = page.getByRole('status').filter({ hasText: /Loading…/ });
  await waitUntil('the view to finish loading', async () => ((await loading.count()) === 0 ? true : undefined), 15_000);
  // Every image, in every shadow root, decoded. A string, since tsx would wrap a nested named
  // function in a helper the page does not have.
  await page.waitForFunction(`(() => {
    const roots = [document];
    const images = [];
    while (roots.length > 0) {
      const root = roots.pop();
      images.push(...root.querySelectorAll('img'));
      for (const element of root.querySelectorAll('*')) if (element.shadowRoot) roots.push(element.shadowRoot);
    }
    return images.every((img) => img.complete);
  })()`);
}

async function show(page: Page, url: string, ready: Locator): Promise<void> {
  await page.goto(url);
  await ready.waitFor();
  await settled(page);
}

interface Shooter {
  page: Page;
  context: BrowserContext;
  variant: Variant;
  errors: string[];
}

/** A mistake in how the script was run: printed as one line, without a stack. */
class UsageError extends Error {}

async function main(): Promise<void> {
  if (!fs.existsSync(consoleIndex)) {
    throw new UsageError(`${path.relative(root, consoleIndex)} is missing: run \`npm run build\` first.`);
  }
  const unknown = only.filter((name) => !(STATES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new UsageError(`unknown state ${unknown.join(', ')}; the states are: ${STATES.join(', ')}`);

  const started = Date.now();
  const receiver = await TestReceiver.start();
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let count = 0;
  const written = new Set<string>();
  try {
    server = await startTestServer({
      listen: true,
      server: {
        allowPrivateTargets: 'loopback',
        consolePassword: PASSWORD,
        // The real cost makes each sign-in take ~100 ms of CPU; a lower one is enough here.
        consoleScryptCost: { N: 2 ** 12, r: 8, p: 1 },
      },
    });
    const base = server.ctx.publicUrl;
    browser = await launchChromium();
    const seeded = await seed(browser, base, receiver);
    const built = await build(base, receiver.url('/acmeco/orders'));
    const builderUrl = (workflowId: string, integrationId = built.integrationId) =>
      `${base}/console/integrations/${integrationId}/workflows/${workflowId}`;
    const showBuilder = async (page: Page, workflowId: string, integrationId?: string) =>
      show(page, builderUrl(workflowId, integrationId), page.getByRole('heading', { name: 'Versions' }));

    fs.mkdirSync(outDir, { recursive: true });
    // A full run leaves exactly its own files, so a renamed or removed state leaves no stale PNG.
    if (only.length === 0) {
      for (const file of fs.readdirSync(outDir).filter((name) => /^console-.*\.png$/.test(name)))
        fs.rmSync(path.join(outDir, file));
    }

    // One page per variant, all signed in; each state is shot in every variant before the next, so
    // what one state changes (the share dialog makes a user) shows in no earlier state's shots.
    const shooters: Shooter[] = [];
    for (const variant of VARIANTS) {
      const { context, page, errors } = await openVariantPage(browser, variant);
      shooters.push({ page, context, variant, errors });
    }

    const shoot = async (state: State, shooter: Shooter): Promise<void> => {
      if (only.length > 0 && !only.includes(state)) return;
      await shooter.page.screenshot({ path: path.join(outDir, `console-${state}-${shooter.variant.name}.png`) });
      written.add(state);
      count++;
    };

    const steps: [State, (page: Page) => Promise<void>][] = [
      [
        'sign-in',
        async (page) => {
          await show(page, `${base}/console`, page.getByRole('button', { name: 'Sign in' }));
        },
      ],
      [
        'sign-in-error',
        async (page) => {
          await page.getByLabel('Username').fill(USERNAME);
          await page.getByLabel('Password').fill('not the password');
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.getByText('Wrong username or password.').waitFor();
        },
      ],
      [
        'integrations',
        async (page) => {
          await page.getByLabel('Password').fill(PASSWORD);
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
          await page.getByText('3 installations').waitFor();
          await settled(page);
        },
      ],
      [
        'users',
        (page) => show(page, `${base}/console/users`, page.getByText(PEOPLE[PEOPLE.length - 1]!.username).first()),
      ],
      [
        'user-detail',
        async (page) => {
          await show(
            page,
            `${base}/console/users/${encodeURIComponent(seeded.userId)}`,
            page.getByRole('heading', { name: 'Installations' }),
          );
          await page.getByText('Demo Store').first().waitFor();
        },
      ],
      ['logs', (page) => show(page, `${base}/console/logs`, page.getByText(/When a fulfillment is updated/).first())],
      [
        'execution-detail',
        (page) =>
          show(
            page,
            `${base}/console/logs/${encodeURIComponent(seeded.executionId)}`,
            page.getByRole('heading', { name: 'Blocks' }),
          ),
      ],
      ['deliveries', (page) => show(page, `${base}/console/deliveries`, page.getByText(/\/hooks\//).first())],
      [
        'settings',
        (page) => show(page, `${base}/console/settings`, page.getByRole('button', { name: /^Rotate/ }).first()),
      ],
      [
        'not-found',
        (page) => show(page, `${base}/console/no-such-page`, page.getByRole('heading', { name: 'Page not found' })),
      ],
      [
        'share-dialog',
        async (page) => {
          await show(
            page,
            `${base}/console/integrations`,
            page.getByRole('button', { name: 'Share Demo Store', exact: true }),
          );
          await page.getByRole('button', { name: 'Share Demo Store', exact: true }).click();
          const share = page.getByRole('dialog');
          await share.getByLabel('A new user').check();
          const index = shooters.findIndex((s) => s.page === page);
          await share.getByLabel('Email or username').fill(SHARED_WITH[index] ?? `user${index}@fabrikam.test`);
          await share.getByRole('button', { name: 'Create link' }).click();
          await share.getByLabel('Install link').waitFor();
          await settled(page);
        },
      ],
      [
        'new-integration-dialog',
        async (page) => {
          await show(page, `${base}/console/integrations`, page.getByRole('button', { name: 'New integration' }));
          await page.getByRole('button', { name: 'New integration' }).click();
          const dialog = page.getByRole('dialog', { name: 'New integration' });
          await dialog.getByRole('combobox').first().selectOption({ label: 'Demo Store' });
          await dialog.getByLabel('Name').fill('Demo Store customers');
          await settled(page);
        },
      ],
      [
        'integration-page',
        (page) =>
          show(
            page,
            `${base}/console/integrations/${built.integrationId}`,
            page.getByRole('heading', { name: CONSOLE_INTEGRATION, level: 1 }),
          ),
      ],
      [
        'integration-page-code',
        (page) =>
          show(
            page,
            `${base}/console/integrations/${INTEGRATION_ID}`,
            page.getByRole('heading', { name: 'Demo Store', level: 1 }),
          ),
      ],
      [
        'builder-trigger-panel',
        async (page) => {
          await showBuilder(page, built.eventWorkflowId);
          await page.getByRole('button', { name: 'Edit Shipment Updated' }).click();
          await page.locator('alloy-console-block-panel').getByLabel('Event name').waitFor();
          await settled(page);
        },
      ],
      [
        'builder-action-panel',
        async (page) => {
          await showBuilder(page, built.eventWorkflowId);
          await page.getByRole('button', { name: 'Edit Demo Store: Update Order Status' }).click();
          const panel = page.locator('alloy-console-block-panel');
          await panel
            .getByRole('button', { name: /^Insert a variable into/ })
            .first()
            .click();
          await panel.getByRole('button', { name: '{{trigger.orderId}}' }).waitFor();
          await settled(page);
        },
      ],
      [
        'builder-issues',
        async (page) => {
          await showBuilder(page, built.draftWorkflowId);
          await page.getByRole('heading', { name: /issues? to fix before releasing/ }).waitFor();
          await settled(page);
        },
      ],
      [
        'release-dialog',
        async (page) => {
          await showBuilder(page, built.eventWorkflowId);
          await page.getByRole('button', { name: 'Release this Version' }).click();
          await page.getByRole('dialog', { name: 'Release version 3?' }).waitFor();
          await settled(page);
        },
      ],
      [
        'versions',
        async (page) => {
          await showBuilder(page, built.eventWorkflowId);
          const versions = page.getByRole('region', { name: 'Versions' });
          await versions.getByText('Needs reinstall').waitFor();
          await versions.scrollIntoViewIfNeeded();
          await settled(page);
        },
      ],
      [
        'builder-code',
        async (page) => {
          await showBuilder(page, built.codeWorkflowId, INTEGRATION_ID);
          await page
            .getByText(/Defined in code/)
            .first()
            .waitFor();
          await settled(page);
        },
      ],
      [
        'test-run',
        async (page) => {
          await showBuilder(page, built.eventWorkflowId);
          const panel = page.locator('alloy-console-test-run');
          const user = panel.getByLabel('Run as', { exact: true });
          await user.locator('option', { hasText: seeded.username }).waitFor({ state: 'attached' });
          await user.selectOption({ label: `${seeded.username} (${PEOPLE[0]!.fullName})` });
          await panel
            .getByLabel(/^Sample/)
            .fill(JSON.stringify({ orderId: seeded.orderId, status: 'Shipped', carrier: 'UPS' }, null, 2));
          await panel.getByRole('button', { name: 'Run test' }).click();
          await panel.getByRole('heading', { name: /Results?/ }).waitFor();
          await panel.getByRole('heading', { name: /Results?/ }).scrollIntoViewIfNeeded();
          await settled(page);
        },
      ],
      [
        // Last: it rotates the development key (the console signs in with its session, not the key).
        'new-key-dialog',
        async (page) => {
          await show(page, `${base}/console/settings`, page.getByRole('button', { name: 'Rotate: Development' }));
          await page.getByRole('button', { name: 'Rotate: Development' }).click();
          await page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
          await page.getByRole('dialog').getByLabel('API key').waitFor();
          await settled(page);
        },
      ],
    ];

    for (const [state, step] of steps) {
      for (const shooter of shooters) {
        try {
          await step(shooter.page);
        } catch (error) {
          throw new Error(`${state} at ${shooter.variant.name}: ${(error as Error).message}`, { cause: error });
        }
        await shoot(state, shooter);
      }
    }
    const failures = shooters.filter((s) => s.errors.length > 0);
    if (failures.length > 0) {
      throw new Error(failures.map((s) => `${s.variant.name}: ${s.errors.join('; ')}`).join('\n'));
    }
    for (const shooter of shooters) await shooter.context.close();
  } finally {
    await browser?.close();
    await server?.dispose();
    await receiver.close();
  }
  console.log(
    `Wrote ${count} screenshots (${written.size} states × ${VARIANTS.length} variants: ` +
      `${VIEWPORTS.map(({ width, height }) => `${width}x${height}`).join(', ')}; light and dark) ` +
      `to ${outDir}/ in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? `screenshots:console: ${error.message}` : error);
  process.exitCode = 1;
});
