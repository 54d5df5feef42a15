import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { isvCall } from '../helpers/e2e-modal.js';
import {
  API_KEY,
  INTEGRATION_ID,
  ROOT,
  cdnManifest,
  fixture,
  fixtureFile,
  openApp,
  startHarness,
  userToken,
  type Harness,
} from '../e2e/sdk-harness.js';
import { SENTINEL_HOST, xssCorpus, type Payload } from './browser-xss-corpus.js';
import { installXssSentinels, type XssKit } from './browser-xss-page.js';

/**
 * M1–M3 / reliability bar (c) "XSS": every payload of the corpus (browser-xss-corpus.ts) in every
 * string the API hands the modal, served by intercepting the widget API (`page.route`) on a host
 * page with a strict CSP and Trusted Types that loads the real CDN build, and on the Embedded Link
 * page. The drivers walk each modal state (loading, auth, workflows, settings, field errors, error,
 * success) and check that each payload is on screen as literal text (so a test that renders nothing
 * fails). Executions are counted by a sentinel (`__xss(n)`, `alert` & co. overridden), requests to
 * the sentinel host, dialogs and `beforeunload`; CSP/Trusted Types violations by
 * `securitypolicyviolation` events and console errors. All must be 0. A static gate counts HTML
 * sinks in src/.
 *
 * Scenes:
 * - "lists" (one modal): P apps in the auth step (names, field labels, help, placeholders, select
 *   options, existing and new connection names, credential field errors), P workflow names, and per
 *   payload a text field (label, help, placeholder, `preFilledValues`), a textarea (saved installation
 *   value), a select (option labels and values), a multiselect (option labels), plus one dynamic
 *   select with P options; Finish answered with P server field errors, then success.
 * - "singles" (P modals, one per payload): ISV brand name (loading state on), the load error
 *   message, integration name, description and icon URL, the install error message, success text.
 * - "link": the Embedded Link page (/link, its own CSP) with the settings-step fields of "lists".
 */

let harness: Harness;
before(async () => {
  harness = await startHarness();
});
after(async () => harness?.close());

const corpus = xssCorpus();
const P = corpus.length;

/** A payload as one field shows it: the payload, then which field and payload (to find it on screen). */
const tag = (payload: Payload, field: string) => `${payload.text} [${field}#${payload.id}]`;
const hex = (prefix: string, n: number) => prefix + n.toString(16).padStart(24 - prefix.length, '0');
/**
 * Single-valued strings (an app's name, a connection's name, an integration's name...) carry a
 * group of payloads one after the other, so each payload is in each field without a modal per
 * payload; the brand name (100 characters at most) gets one modal per payload, in its loading state.
 */
const AUTH_GROUP = 4;
const SINGLE_GROUP = 3;
const groups = (size: number): Payload[][] =>
  Array.from({ length: Math.ceil(corpus.length / size) }, (_, i) => corpus.slice(i * size, (i + 1) * size));
const tags = (group: Payload[], field: string) => group.map((p) => tag(p, field)).join(' ');
const LISTS_ID = hex('b', 0);
const singleId = (n: number) => hex('c', n);
const brandId = (n: number) => hex('7', n);
const workflowId = (n: number) => hex('f', n);
const SINGLE_WORKFLOW = hex('e', 0);

function strictCsp(api: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${api}`,
    `connect-src 'self' ${api}`,
    `img-src 'self' ${api}`,
    "style-src 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    'trusted-types lit-html',
  ].join('; ');
}

// ---- What the intercepted widget API answers ------------------------------------------------

function listsIntegration(options: { withInstallation: boolean }) {
  const fields = corpus.flatMap((p) => [
    {
      workflowId: workflowId(0),
      blockId: 'b',
      name: `text${p.id}`,
      displayName: tag(p, 'label'),
      type: 'text',
      required: false,
      help: tag(p, 'help'),
      placeholder: tag(p, 'placeholder'),
    },
    {
      workflowId: workflowId(0),
      blockId: 'b',
      name: `area${p.id}`,
      displayName: `Area ${p.id}`,
      type: 'textarea',
      required: false,
    },
    {
      workflowId: workflowId(0),
      blockId: 'b',
      name: `select${p.id}`,
      displayName: `Select ${p.id}`,
      type: 'select',
      required: false,
      options: [{ label: tag(p, 'option-label'), value: tag(p, 'option-value') }],
    },
    {
      workflowId: workflowId(0),
      blockId: 'b',
      name: `multi${p.id}`,
      displayName: `Multi ${p.id}`,
      type: 'multiselect',
      required: false,
      options: [{ label: tag(p, 'multi-label'), value: tag(p, 'multi-value') }],
    },
  ]);
  fields.push({
    workflowId: workflowId(0),
    blockId: 'b',
    name: 'dynamic',
    displayName: 'Dynamic options',
    type: 'dynamicSelect',
    required: false,
  });
  return {
    integrationId: LISTS_ID,
    name: 'XSS corpus',
    app: 'corpus',
    description: 'Every payload in every list the modal renders.',
    icon: '',
    workflows: corpus.map((p) => ({ workflowId: workflowId(p.id), name: tag(p, 'workflow'), version: 1 })),
    fields,
    installation: options.withInstallation
      ? {
          installationId: hex('a', 1),
          values: corpus.map((p) => ({
            workflowId: workflowId(0),
            blockId: 'b',
            name: `area${p.id}`,
            value: tag(p, 'saved'),
          })),
        }
      : null,
  };
}

const listsApps = () => ({
  data: groups(AUTH_GROUP).map((group, j) => ({
    app: `app${j}`,
    name: tags(group, 'app'),
    icon: '',
    fields: group.flatMap((p) => [
      {
        name: `key${p.id}`,
        displayName: tag(p, 'auth-label'),
        type: 'text',
        required: false,
        help: tag(p, 'auth-help'),
        placeholder: tag(p, 'auth-placeholder'),
      },
      {
        name: `region${p.id}`,
        displayName: `Region ${p.id}`,
        type: 'select',
        required: false,
        options: [{ label: tag(p, 'auth-option'), value: `r${p.id}` }],
      },
    ]),
    connections: [
      { credentialId: hex('d', j), name: tags(group, 'connection'), createdAt: '2026-01-01T00:00:00.000Z' },
    ],
  })),
});

const fieldErrors = () => corpus.map((p) => ({ path: ['values', `text${p.id}`], message: tag(p, 'field-error') }));

interface ApiState {
  attempts: Map<string, number>;
}

/** The widget API of every scene, keyed by the integration id (and app) in each request. */
async function routeWidgetApi(page: Page, api: string, linkIntegrationId?: string): Promise<ApiState> {
  const state: ApiState = { attempts: new Map() };
  const nth = (key: string) => {
    const n = (state.attempts.get(key) ?? 0) + 1;
    state.attempts.set(key, n);
    return n;
  };
  const send = (route: Route, status: number, body: unknown) =>
    route.fulfill({
      status,
      contentType: 'application/json',
      headers: { 'access-control-allow-origin': '*' },
      body: JSON.stringify(body),
    });
  await page.route(`${api}/2024-03/widget/**`, async (route) => {
    const request = route.request();
    if (request.method() === 'OPTIONS') return route.continue();
    const { pathname } = new URL(request.url());
    const parts = pathname.split('/').slice(3); // after /2024-03/widget
    const body = request.postDataJSON() as Record<string, unknown> | null;
    if (parts[0] === 'credentials') {
      const j = Number(String(body?.app).slice(3));
      const group = groups(AUTH_GROUP)[j]!;
      return nth(`credential ${j}`) === 1
        ? send(route, 400, {
            error: {
              code: 'credential_invalid',
              message: tags(group, 'auth-error'),
              issues: group.map((p) => ({ path: ['fields', `key${p.id}`], message: tag(p, 'auth-field-error') })),
            },
          })
        : send(route, 200, { credentialId: hex('9', j), name: tags(group, 'new-connection') });
    }
    const integrationId = parts[0] === 'installations' ? String(body?.integrationId) : parts[1]!;
    const isLink = integrationId === linkIntegrationId;
    if (integrationId === LISTS_ID || isLink) {
      if (parts[0] === 'installations') {
        return nth(`install ${integrationId}`) === 1
          ? send(route, 400, {
              error: { code: 'validation_failed', message: 'Check the fields.', issues: fieldErrors() },
            })
          : send(route, 200, { installationId: hex('a', 1), integrationId, workflowIds: [workflowId(0)] });
      }
      if (parts[2] === 'apps') return send(route, 200, isLink ? { data: [] } : listsApps());
      if (parts[2] === 'fields') {
        return send(route, 200, {
          data: corpus.map((p) => ({ label: tag(p, 'dynamic-label'), value: tag(p, 'dynamic-value') })),
        });
      }
      return send(route, 200, { ...listsIntegration({ withInstallation: isLink }), integrationId });
    }
    // A brand-name modal: its loading state is all that is looked at, so the load never answers.
    if (integrationId.startsWith('7')) return;
    // A "singles" modal: group n of payloads everywhere a single string is rendered.
    const n = parseInt(integrationId.slice(1), 16);
    const group = groups(SINGLE_GROUP)[n]!;
    if (parts[0] === 'installations') {
      return nth(`install ${n}`) === 1
        ? send(route, 409, { error: { code: 'conflict', message: tags(group, 'install-error') } })
        : send(route, 200, { installationId: hex('a', 2), integrationId, workflowIds: [SINGLE_WORKFLOW] });
    }
    if (parts[2] === 'apps') return send(route, 200, { data: [] });
    if (nth(`load ${n}`) === 1) {
      return send(route, 400, { error: { code: 'bad_request', message: tags(group, 'load-error') } });
    }
    const raw = group.map((p) => p.text).join(' ');
    return send(route, 200, {
      integrationId,
      name: tags(group, 'name'),
      app: 'corpus',
      description: tags(group, 'description'),
      // Even groups as the icon itself (javascript:, data:... must be dropped), odd ones inside a URL
      // on the API origin (allowed by the CSP; a 404, so the letter avatar takes over).
      icon: n % 2 === 0 ? raw : `${api}/static/icons/${encodeURIComponent(raw)}.svg`,
      workflows: [{ workflowId: SINGLE_WORKFLOW, name: 'Sync', version: 1 }],
      fields: [],
      installation: null,
    });
  });
  return state;
}

// ---- Detection --------------------------------------------------------------------------------

interface Watch {
  sentinelRequests: string[];
  dialogs: string[];
  cspConsole: string[];
  pageErrors: string[];
}

async function watchContext(context: BrowserContext): Promise<Watch> {
  const watch: Watch = { sentinelRequests: [], dialogs: [], cspConsole: [], pageErrors: [] };
  await context.addInitScript(installXssSentinels, SENTINEL_HOST);
  await context.route(`**://${SENTINEL_HOST}/**`, (route) => {
    watch.sentinelRequests.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  context.on('page', (page) => observe(page, watch));
  return watch;
}

function observe(page: Page, watch: Watch): void {
  page.on('dialog', (dialog) => {
    watch.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (/Content Security Policy|Trusted Type|TrustedHTML|TrustedScript/i.test(message.text())) {
      watch.cspConsole.push(message.text());
    }
  });
  page.on('pageerror', (error) => watch.pageErrors.push(String(error)));
}

async function executions(page: Page): Promise<{ hits: string[]; violations: string[]; intact: boolean }> {
  return page.evaluate(() => {
    const w = window as unknown as {
      __xssHits: string[];
      __xssViolations: string[];
      __xss: unknown;
      Alloy?: { install?: unknown };
    };
    return {
      hits: w.__xssHits,
      violations: w.__xssViolations,
      // A clobbering payload rendered as HTML would replace these with elements.
      intact: typeof w.__xss === 'function' && typeof w.Alloy?.install === 'function',
    };
  });
}

// ---- Scene drivers (run in the page) -----------------------------------------------------------

interface Expectation {
  field: string;
  texts: string[];
}

/** In the page: counts which expected strings are on screen now, per field. */
function countRendered(expectations: Expectation[]): Record<string, string[]> {
  const kit = (window as unknown as { __kit: XssKit }).__kit;
  const haystack = kit.haystack();
  const missing: Record<string, string[]> = {};
  for (const { field, texts } of expectations) {
    missing[field] = texts.filter((text) => !haystack.includes(text));
  }
  return missing;
}

const expect = (field: string, texts: string[]): Expectation => ({ field, texts });

/** Records `expectations` against the screen now; missing ones fail the test with their field. */
async function checkRendered(page: Page, expectations: Expectation[], renders: Map<string, number>) {
  const missing = await page.evaluate(countRendered, expectations);
  for (const { field, texts } of expectations) {
    const absent = missing[field]!;
    assert.deepEqual(absent.slice(0, 3), [], `${field}: ${absent.length} of ${texts.length} payloads not on screen`);
    renders.set(field, (renders.get(field) ?? 0) + texts.length);
  }
}

async function walkListsScene(page: Page, renders: Map<string, number>): Promise<void> {
  await page.evaluate(
    ({ integrationId, prefill }) => {
      const w = window as unknown as { __outcome: Promise<unknown> };
      w.__outcome = window.Alloy!.install({
        integrationId,
        workflowSelection: true,
        alwaysShowAuthentication: true,
        preFilledValues: prefill,
      });
    },
    {
      integrationId: LISTS_ID,
      prefill: corpus.map((p) => ({ name: `text${p.id}`, value: tag(p, 'prefill') })),
    },
  );
  // Auth: one step per app, each walked in the page: shown, refused with a field error, connected,
  // shown again with the new connection (Back), then Continue.
  const steps = groups(AUTH_GROUP).map((group) => ({
    id: group[0]!.id,
    ids: group.map((p) => p.id),
    shown: {
      'auth field labels': group.map((p) => tag(p, 'auth-label')),
      'auth help text': group.map((p) => tag(p, 'auth-help')),
      'auth placeholders': group.map((p) => tag(p, 'auth-placeholder')),
      'auth select options': group.map((p) => tag(p, 'auth-option')),
      'existing connection names': group.map((p) => tag(p, 'connection')),
    },
    fieldErrors: group.map((p) => tag(p, 'auth-field-error')),
    newConnections: group.map((p) => tag(p, 'new-connection')),
  }));
  const appNames = corpus.map((p) => tag(p, 'app'));
  const missing = await page.evaluate(
    async ({ steps, appNames }) => {
      const kit = (window as unknown as { __kit: XssKit }).__kit;
      const absent: Record<string, number[]> = {};
      const counts: Record<string, number> = {};
      const note = (field: string, id: number, ok: boolean) => {
        absent[field] ??= [];
        counts[field] = (counts[field] ?? 0) + 1;
        if (!ok) absent[field].push(id);
      };
      const title = () => kit.root()?.querySelector('.step-title')?.textContent ?? '';
      for (const step of steps) {
        await kit.until(() => title().includes(`#${step.id}]`), `app ${step.id}`);
        await kit.settled();
        let haystack = kit.haystack();
        // The progress list names every app.
        if (step.id === steps[0]!.id)
          for (const [i, name] of appNames.entries()) note('app names', i, haystack.includes(name));
        for (const [field, texts] of Object.entries(step.shown)) {
          texts.forEach((text, i) => note(field, step.ids[i]!, haystack.includes(text)));
        }
        for (const input of kit.root()!.querySelectorAll<HTMLInputElement>('.auth-fields input')) {
          input.value = `key-${step.id}`;
          input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
        }
        await kit.settled();
        kit.primary();
        await kit.until(() => kit.root()?.querySelector('.field-error'), `credential field error ${step.id}`);
        await kit.settled();
        haystack = kit.haystack();
        step.fieldErrors.forEach((text, i) => note('auth field-error messages', step.ids[i]!, haystack.includes(text)));
        kit.primary();
        // Connected: the modal moves on; Back shows the new connection's name.
        await kit.until(() => !title().includes(`#${step.id}]`), `left ${step.id}`);
        kit.root()!.querySelector<HTMLButtonElement>('footer .back')!.click();
        await kit.until(() => kit.root()?.querySelector('.connection'), `connection ${step.id}`);
        await kit.settled();
        haystack = kit.haystack();
        step.newConnections.forEach((text, i) => note('new connection names', step.ids[i]!, haystack.includes(text)));
        kit.primary();
        await kit.settled();
      }
      return { absent, counts };
    },
    { steps, appNames },
  );
  recordMissing(missing, renders);
  const all = corpus;
  // Workflows step, then settings.
  await page.evaluate(async () => {
    const kit = (window as unknown as { __kit: XssKit }).__kit;
    await kit.until(() => kit.root()?.querySelector('.workflows'), 'workflows step');
    await kit.settled();
  });
  await checkRendered(
    page,
    [
      expect(
        'workflow names',
        all.map((p) => tag(p, 'workflow')),
      ),
    ],
    renders,
  );
  await walkSettings(page, renders, { prefill: true, saved: false });
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __outcome: Promise<unknown> }).__outcome), {
    success: true,
    installationId: hex('a', 1),
    integrationId: LISTS_ID,
    workflowIds: [workflowId(0)],
  });
}

/** The settings step of "lists" (also on the link page): fields, dynamic options, server field errors, success. */
async function walkSettings(
  page: Page,
  renders: Map<string, number>,
  options: { prefill: boolean; saved: boolean; fromStart?: boolean },
): Promise<void> {
  await page.evaluate(
    async ({ fromStart }) => {
      const kit = (window as unknown as { __kit: XssKit }).__kit;
      if (!fromStart) kit.primary();
      await kit.until(() => kit.root()?.querySelectorAll('.field').length, 'settings step', 20_000);
      // The dynamic select's options come from their own request.
      await kit.until(
        () =>
          (kit.root()?.querySelectorAll('option').length ?? 0) > 0 && !kit.root()?.querySelector('[aria-busy="true"]'),
        'dynamic options',
      );
      await kit.settled();
    },
    { fromStart: options.fromStart ?? false },
  );
  const prefix = options.saved ? 'link: ' : '';
  await checkRendered(
    page,
    [
      expect(
        `${prefix}field labels`,
        corpus.map((p) => tag(p, 'label')),
      ),
      expect(
        `${prefix}help text`,
        corpus.map((p) => tag(p, 'help')),
      ),
      expect(
        `${prefix}placeholders`,
        corpus.map((p) => tag(p, 'placeholder')),
      ),
      expect(
        `${prefix}select option labels`,
        corpus.map((p) => tag(p, 'option-label')),
      ),
      expect(
        `${prefix}select option values`,
        corpus.map((p) => tag(p, 'option-value')),
      ),
      expect(
        `${prefix}multiselect option labels`,
        corpus.map((p) => tag(p, 'multi-label')),
      ),
      expect(
        `${prefix}dynamic-select option labels`,
        corpus.map((p) => tag(p, 'dynamic-label')),
      ),
      expect(
        `${prefix}dynamic-select option values`,
        corpus.map((p) => tag(p, 'dynamic-value')),
      ),
      // An <input type=text> drops line breaks from its value (HTML value sanitization).
      ...(options.prefill
        ? [
            expect(
              'prefill values',
              corpus.map((p) => tag(p, 'prefill').replace(/[\r\n]/g, '')),
            ),
          ]
        : []),
      ...(options.saved
        ? [
            expect(
              `${prefix}saved installation values`,
              corpus.map((p) => tag(p, 'saved')),
            ),
          ]
        : []),
    ],
    renders,
  );
  await page.evaluate(async () => {
    const kit = (window as unknown as { __kit: XssKit }).__kit;
    kit.primary();
    await kit.until(() => kit.root()?.querySelector('.field-error'), 'server field errors');
    await kit.settled();
  });
  await checkRendered(
    page,
    [
      expect(
        `${prefix}field-error messages`,
        corpus.map((p) => tag(p, 'field-error')),
      ),
    ],
    renders,
  );
  await page.evaluate(async () => {
    const kit = (window as unknown as { __kit: XssKit }).__kit;
    kit.primary();
    await kit.until(() => kit.root()?.querySelector('.result.success'), 'success');
    await kit.settled();
    kit.primary(); // Done
  });
}

/**
 * One modal per group of payloads for the single-valued strings (load error, name, description,
 * icon, install error, success text), and one per payload for the brand name in the loading state.
 */
async function walkSingles(page: Page, renders: Map<string, number>, api: string): Promise<void> {
  const brands = corpus.map((p) => ({ id: p.id, integrationId: brandId(p.id), brand: p.text }));
  const brandResult = await page.evaluate(async (brands) => {
    const kit = (window as unknown as { __kit: XssKit }).__kit;
    const absent: Record<string, number[]> = { 'loading state: ISV brand name': [] };
    const counts: Record<string, number> = { 'loading state: ISV brand name': 0 };
    for (const item of brands) {
      const outcome = window.Alloy!.install({
        integrationId: item.integrationId,
        appearance: { brandName: item.brand },
      });
      await kit.until(() => kit.root()?.querySelector('.skeleton'), `loading ${item.id}`);
      await kit.settled();
      counts['loading state: ISV brand name']! += 1;
      if (!kit.haystack().includes(item.brand)) absent['loading state: ISV brand name']!.push(item.id);
      window.Alloy!.close();
      await outcome;
    }
    return { absent, counts };
  }, brands);
  recordMissing(brandResult, renders);

  const items = groups(SINGLE_GROUP).map((group, n) => ({
    ids: group.map((p) => p.id),
    integrationId: singleId(n),
    loadError: group.map((p) => tag(p, 'load-error')),
    name: group.map((p) => tag(p, 'name')),
    description: group.map((p) => tag(p, 'description')),
    installError: group.map((p) => tag(p, 'install-error')),
    success: `${tags(group, 'name')} is installed.`,
  }));
  const result = await page.evaluate(
    async ({ items, api }) => {
      const kit = (window as unknown as { __kit: XssKit }).__kit;
      const absent: Record<string, number[]> = {};
      const counts: Record<string, number> = {};
      const note = (field: string, id: number, ok: boolean) => {
        absent[field] ??= [];
        counts[field] = (counts[field] ?? 0) + 1;
        if (!ok) absent[field].push(id);
      };
      const noteAll = (field: string, item: { ids: number[] }, texts: string[] | boolean) => {
        const haystack = kit.haystack();
        item.ids.forEach((id, i) => note(field, id, typeof texts === 'boolean' ? texts : haystack.includes(texts[i]!)));
      };
      for (const item of items) {
        const outcome = window.Alloy!.install({ integrationId: item.integrationId });
        await kit.until(() => kit.root()?.querySelector('.result.error .error-details'), `load error ${item.ids[0]}`);
        await kit.settled();
        noteAll('load error message', item, item.loadError);
        kit.primary(); // Try again
        await kit.until(() => kit.root()?.querySelector('.intro'), `settings ${item.ids[0]}`);
        await kit.settled();
        noteAll('integration name', item, item.name);
        noteAll('integration description', item, item.description);
        // The icon: a web image on an allowed origin, or the letter avatar; never another scheme.
        const images = [...kit.root()!.querySelectorAll('img')].map((img) => img.getAttribute('src') ?? '');
        const avatar = kit.root()!.querySelector('.avatar');
        noteAll('integration icon URL', item, Boolean(avatar) && images.every((src) => src.startsWith(`${api}/`)));
        kit.primary(); // Finish Installation
        await kit.until(
          () => kit.root()?.querySelector('.result.error .error-details'),
          `install error ${item.ids[0]}`,
        );
        await kit.settled();
        noteAll('install error message', item, item.installError);
        kit.primary(); // Try again
        await kit.until(() => kit.root()?.querySelector('.result.success'), `success ${item.ids[0]}`);
        await kit.settled();
        noteAll(
          'success text',
          item,
          item.ids.map(() => item.success),
        );
        kit.primary(); // Done
        const outcomeValue = (await outcome) as { success: boolean };
        if (!outcomeValue.success) (absent['install outcome'] ??= []).push(item.ids[0]!);
      }
      return { absent, counts };
    },
    { items, api },
  );
  recordMissing(result, renders);
}

/** Fails on any payload a field did not show; counts the renders of the others. */
function recordMissing(
  result: { absent: Record<string, number[]>; counts: Record<string, number> },
  renders: Map<string, number>,
): void {
  for (const [field, ids] of Object.entries(result.absent)) {
    assert.deepEqual(ids, [], `${field}: payloads ${ids.join(', ')} not shown as text`);
  }
  for (const [field, count] of Object.entries(result.counts)) renders.set(field, (renders.get(field) ?? 0) + count);
}

// ---- The test ---------------------------------------------------------------------------------

test(`XSS corpus (${P} payloads) in every API-rendered field: 0 executions, 0 CSP violations`, async (t) => {
  assert.ok(P >= 200, `the corpus has ${P} payloads`);
  const renders = new Map<string, number>();
  const api = harness.apiUrl;
  const manifest = cdnManifest();
  const token = await userToken(api, 'xss-user');

  // The ISV's page (served from the app's origin): strict CSP + Trusted Types, the CDN loader with SRI.
  const app = await openApp(
    harness,
    {
      '/': {
        body: fixture('csp.html', {
          LOADER_URL: `${api}/scripts/${manifest.loader.file}`,
          LOADER_INTEGRITY: manifest.loader.integrity,
          NONCE: '',
          HOST_LIT: '',
        }),
        headers: { 'content-security-policy': strictCsp(api) },
      },
      '/app.js': fixtureFile('app.js'),
      '/csp-probe.js': fixtureFile('csp-probe.js'),
      '/page.css': { ...fixtureFile('page.css'), contentType: 'text/css' },
    },
    { token },
  );
  const page = app.page;
  const context = page.context();
  const watch = await watchContext(context);
  observe(page, watch);
  await routeWidgetApi(page, api);
  await page.goto(app.url);
  await page.evaluate(() => window.Alloy!.getIntegrations()); // the runtime is in

  // The detectors detect: the sentinels report, a sentinel-host image and an HTML sink are violations.
  const canary = await page.evaluate(() => {
    const w = window as unknown as { __xss(n: unknown): void; __xssHits: string[]; __xssViolations: string[] };
    w.__xss('canary');
    window.alert('canary');
    document.createElement('img').src = 'http://xss.sentinel.test/canary.png';
    let sinkRefused = false;
    try {
      document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=__xss("canary-sink")>');
    } catch {
      sinkRefused = true;
    }
    return { hits: w.__xssHits.splice(0), sinkRefused };
  });
  assert.deepEqual(canary.hits, ['__xss(canary)', 'alert(canary)']);
  assert.equal(canary.sinkRefused, true, 'Trusted Types refuse an HTML sink on this page');
  const canaryViolations = await page.evaluate(async () => {
    const w = window as unknown as { __xssViolations: string[] };
    for (let i = 0; i < 100 && w.__xssViolations.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    return w.__xssViolations.splice(0);
  });
  assert.ok(
    canaryViolations.some((v) => v.startsWith('img-src')),
    canaryViolations.join(),
  );
  assert.ok(
    canaryViolations.some((v) => v.startsWith('require-trusted-types-for')),
    canaryViolations.join(),
  );
  watch.cspConsole.length = 0;

  await walkListsScene(page, renders);
  await walkSingles(page, renders, api);
  const hostResult = await executions(page);

  // The Embedded Link page: the server's own page and CSP, the same modal, the settings fields.
  const linkUser = 'xss-link-user';
  await userToken(api, linkUser);
  const link = await isvCall<{ url: string }>(
    api,
    API_KEY,
    'GET',
    `/users/${linkUser}/integrations/${INTEGRATION_ID}/install-url`,
  );
  const linkPage = await context.newPage();
  await routeWidgetApi(linkPage, api, INTEGRATION_ID);
  await linkPage.goto(link.url);
  await walkSettings(linkPage, renders, { prefill: false, saved: true, fromStart: true });
  await linkPage.getByText('The integration is installed.').waitFor();
  const linkResult = await executions(linkPage);
  await app.close();

  // Static gate: no HTML sink in src/.
  const sinks = staticSinks();

  const fields = [...renders.keys()];
  const onLinkPage = fields.filter((field) => field.startsWith('link: ')).length;
  const totalRenders = [...renders.values()].reduce((a, b) => a + b, 0);
  const executionsSeen = [...hostResult.hits, ...linkResult.hits, ...watch.sentinelRequests, ...watch.dialogs];
  const violations = [...hostResult.violations, ...linkResult.violations, ...watch.cspConsole];
  t.diagnostic(
    `FIGURE xss | ${P} payloads x ${fields.length} fields (${fields.length - onLinkPage} on the strict-CSP host page, ` +
      `${onLinkPage} on the Embedded Link page; ${totalRenders} renders): ${executionsSeen.length} executions, ` +
      `${violations.length} CSP violations; static gate ${sinks.length} sinks`,
  );
  t.diagnostic(`fields: ${fields.join(', ')}`);
  assert.deepEqual(executionsSeen, []);
  assert.deepEqual(violations, []);
  assert.ok(hostResult.intact && linkResult.intact, 'window.__xss and window.Alloy were not clobbered');
  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(sinks, []);
  assert.ok(fields.length >= 20, fields.join(', '));
});

/**
 * HTML/script sinks in product code. Allow-list entries need a reason; there are none: the modal
 * binds every API string through Lit text/attribute bindings, and server pages escape (escapeHtml).
 */
const SINK =
  /\b(unsafeHTML|unsafeSVG|unsafeCSS|innerHTML|outerHTML|insertAdjacentHTML|srcdoc|createContextualFragment)\b|document\.write(ln)?\s*\(|\beval\s*\(|new\s+Function\s*\(/;
const ALLOWED: { file: string; line: RegExp; reason: string }[] = [];

function staticSinks(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|js|mjs)$/.test(entry.name)) {
        fs.readFileSync(full, 'utf8')
          .split('\n')
          .forEach((line, index) => {
            if (!SINK.test(line)) return;
            const file = path.relative(ROOT, full);
            if (ALLOWED.some((a) => a.file === file && a.line.test(line))) return;
            found.push(`${file}:${index + 1}: ${line.trim()}`);
          });
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  return found;
}
