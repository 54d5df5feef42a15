import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { AlloyInstallModal } from '../../src/modal/index.js';
import type * as AlloyModule from '../../src/sdk/alloy.js';
import Alloy, { AlloyError, createAlloy, type AlloyEventMap } from '../../src/sdk/index.js';
import {
  INTEGRATION_ID,
  WORKFLOW_ID,
  captureWarnings,
  fakeJwt,
  hang,
  json,
  stubFetch,
  widgetServer,
} from './sdk-helpers.js';

const modals = (): NodeListOf<AlloyInstallModal> => document.querySelectorAll('alloy-install-modal');
const modal = (): AlloyInstallModal => document.querySelector('alloy-install-modal')!;
const ready = () => waitUntil(() => modal()?.shadowRoot?.querySelector('input'), 'the modal shows its field');

describe('Alloy facade: install, edit, update', () => {
  let fetches: ReturnType<typeof stubFetch>;
  beforeEach(() => (fetches = stubFetch(widgetServer)));
  afterEach(() => {
    Alloy.close();
    fetches.restore();
    modals().forEach((e) => e.remove());
  });

  it('rejects without a token with TOKEN_MISSING, makes no request and opens nothing', async () => {
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    const error = (await alloy.install({ integrationId: INTEGRATION_ID }).catch((e: unknown) => e)) as AlloyError;
    expect(error).to.be.instanceOf(AlloyError);
    expect(error.code).to.equal('TOKEN_MISSING');
    expect(error.message).to.contain('setToken');
    expect(fetches.calls).to.have.length(0);
    expect(modals()).to.have.length(0);
  });

  it('calls the callback with the error and leaves no unhandled rejection', async () => {
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    const results: unknown[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (e: PromiseRejectionEvent) => unhandled.push(e.reason);
    window.addEventListener('unhandledrejection', onUnhandled);
    try {
      void alloy.install({ integrationId: INTEGRATION_ID, callback: (r) => results.push(r) });
      await waitUntil(() => results.length === 1);
      await new Promise((r) => setTimeout(r, 50));
      const result = results[0] as { success: boolean; reason: string; error: AlloyError };
      expect(result.success).to.equal(false);
      expect(result.reason).to.equal('error');
      expect(result.error.code).to.equal('TOKEN_MISSING');
      expect(unhandled).to.have.length(0);
    } finally {
      window.removeEventListener('unhandledrejection', onUnhandled);
    }
  });

  it('says which option is missing or wrong, with every issue listed', async () => {
    const alloy = createAlloy();
    alloy.setToken(fakeJwt());
    const missing = (await alloy.install({}).catch((e: unknown) => e)) as AlloyError;
    expect(missing.code).to.equal('VALIDATION_FAILED');
    expect(missing.message).to.equal(
      'Alloy.install: integrationId is required (or workflowIds): pass the integrationId from GET /integrations',
    );
    const wrong = (await alloy
      .install({ integrationId: 'nope', title: 7, appearance: { colors: { primary: 'not a colour' } } } as never)
      .catch((e: unknown) => e)) as AlloyError;
    expect(wrong.message).to.contain('integrationId must be a 24-character hex id');
    expect(wrong.issues!.map((i) => i.message)).to.include.members([
      'title must be a string',
      'appearance.colors.primary must be a CSS colour such as "#4338ca" or "rgb(67 56 202)"',
    ]);
    const notAnObject = (await alloy.install('abc' as never).catch((e: unknown) => e)) as AlloyError;
    expect(notAnObject.message).to.equal('Alloy.install: options must be an object');
    expect(fetches.calls).to.have.length(0);
  });

  it('warns about unknown options (typos) and unsupported alloy-frontend ones, and still opens', async () => {
    const warnings = captureWarnings();
    try {
      const alloy = createAlloy({ baseUrl: 'http://api.test' });
      alloy.setToken(fakeJwt());
      const outcome = alloy.install({ integrationId: INTEGRATION_ID, integrationID: 'x', versionIds: ['v1'] } as never);
      await ready();
      expect(warnings.messages.join('\n')).to.contain('unknown option(s) "integrationID"');
      expect(warnings.messages.join('\n')).to.contain('versionIds is not supported');
      alloy.close();
      expect(await outcome).to.deep.equal({ success: false, reason: 'api' });
    } finally {
      warnings.restore();
    }
  });

  it('installs through the modal: token only in a header, Idempotency-Key on the POST, Promise and callback', async () => {
    const token = fakeJwt();
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    alloy.setToken(token);
    const callbackResults: unknown[] = [];
    const outcome = alloy.install({ integrationId: INTEGRATION_ID, callback: (r) => callbackResults.push(r) });
    await ready();
    const input = modal().shadowRoot!.querySelector('input')!;
    input.focus();
    await sendKeys({ type: 'DS-' });
    modal().shadowRoot!.querySelector<HTMLButtonElement>('button[part~="finish-button"]')!.click();
    // Success stays until Done (no autoClose).
    await waitUntil(() => modal().shadowRoot!.querySelector('button[part~="done-button"]'));
    expect((modal() as unknown as Record<string, unknown>).successDuration).to.equal(undefined);
    modal().shadowRoot!.querySelector<HTMLButtonElement>('button[part~="done-button"]')!.click();
    const result = await outcome;
    expect(result).to.deep.equal({
      success: true,
      installationId: 'bbbbbbbbbbbbbbbbbbbbbbbb',
      integrationId: INTEGRATION_ID,
      workflowIds: [WORKFLOW_ID],
    });
    expect(callbackResults).to.deep.equal([result]);
    expect(fetches.calls.map((c) => `${c.method} ${c.url}`)).to.deep.equal([
      `GET http://api.test/2024-03/widget/integrations/${INTEGRATION_ID}`,
      `GET http://api.test/2024-03/widget/integrations/${INTEGRATION_ID}/apps`,
      'POST http://api.test/2024-03/widget/installations',
    ]);
    for (const call of fetches.calls) {
      expect(call.url).not.to.contain(token);
      expect(call.headers['x-alloy-user-token']).to.equal(token);
    }
    expect(fetches.calls[2]!.headers['idempotency-key']).to.match(/^[\w-]{16,}$/);
    expect(modals()).to.have.length(0);
  });

  it('passes every option to the modal; edit and update add their defaults, caller values win', async () => {
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    alloy.setToken(fakeJwt());
    alloy.configure({ locale: 'fr', appearance: { theme: 'dark', colors: { primary: '#112233' } } });
    const edit = alloy.edit({
      integrationId: INTEGRATION_ID,
      workflowIds: WORKFLOW_ID,
      title: 'Connect your store',
      hide: true,
      workflowSelection: true,
      preFilledValues: [{ name: 'referencePrefix', value: 'AC-' }],
      appearance: { colors: { surface: '#ffffff' } },
    });
    await waitUntil(() => modal());
    const props = modal() as unknown as Record<string, unknown>;
    expect(props.integrationId).to.equal(INTEGRATION_ID);
    expect(props.heading).to.equal('Connect your store');
    expect(props.workflowIds).to.deep.equal([WORKFLOW_ID]);
    expect(props.operation).to.equal('edit');
    expect(props.alwaysShowAuthentication).to.equal(true);
    expect(props.hideWhenNoInput).to.equal(true);
    expect(props.workflowSelection).to.equal(true);
    expect(props.locale).to.equal('fr');
    expect(props.preFilledValues).to.deep.equal([{ name: 'referencePrefix', value: 'AC-' }]);
    expect(props.appearance).to.deep.equal({ theme: 'dark', colors: { primary: '#112233', surface: '#ffffff' } });
    expect(props.api).to.have.property('createInstallation');
    alloy.close();
    await edit;

    const update = alloy.update({ integrationId: INTEGRATION_ID, alwaysShowAuthentication: false, locale: 'de' });
    await waitUntil(() => modal());
    expect((modal() as unknown as Record<string, unknown>).operation).to.equal('update');
    expect((modal() as unknown as Record<string, unknown>).alwaysShowAuthentication).to.equal(false);
    expect((modal() as unknown as Record<string, unknown>).locale).to.equal('de');
    alloy.close();
    expect(await update).to.deep.equal({ success: false, reason: 'api' });
  });

  it('finds the integration when only workflowIds are given', async () => {
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    alloy.setToken(fakeJwt());
    const outcome = alloy.install({ workflowIds: [WORKFLOW_ID] });
    await waitUntil(() => modal());
    expect(modal().integrationId).to.equal(INTEGRATION_ID);
    expect(fetches.calls[0]!.url).to.equal('http://api.test/2024-03/integrations');
    alloy.close();
    await outcome;
    const unknown = (await alloy
      .install({ workflowIds: ['65a1c0de0000000000000fff'] })
      .catch((e: unknown) => e)) as AlloyError;
    expect(unknown.code).to.equal('VALIDATION_FAILED');
    expect(unknown.message).to.contain('matches no integration');
  });

  it('install twice: the same request joins the open modal, another one gets ALREADY_OPEN', async () => {
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    alloy.setToken(fakeJwt());
    const first = alloy.install({ integrationId: INTEGRATION_ID });
    const again = alloy.install({ integrationId: INTEGRATION_ID });
    const other = (await alloy
      .install({ integrationId: '65a1c0de0000000000000002' })
      .catch((e: unknown) => e)) as AlloyError;
    expect(other.code).to.equal('ALREADY_OPEN');
    await ready();
    expect(modals()).to.have.length(1);
    expect(fetches.calls.filter((c) => c.url.endsWith(`/widget/integrations/${INTEGRATION_ID}`))).to.have.length(1);
    alloy.close();
    expect(await first).to.deep.equal({ success: false, reason: 'api' });
    expect(await again).to.deep.equal({ success: false, reason: 'api' });
  });

  it('survives StrictMode: install, close, install again leaves one modal and one request', async () => {
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    alloy.setToken(fakeJwt());
    const first = alloy.install({ integrationId: INTEGRATION_ID });
    alloy.close();
    const second = alloy.install({ integrationId: INTEGRATION_ID });
    expect(await first).to.deep.equal({ success: false, reason: 'api' });
    await ready();
    expect(modals()).to.have.length(1);
    // One load: the integration and its apps, once.
    expect(fetches.calls).to.have.length(2);
    alloy.close();
    await second;
    expect(modals()).to.have.length(0);
  });

  it('one typed event stream: open, installed, close; listeners that throw do not break it; off works', async () => {
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    alloy.setToken(fakeJwt());
    const seen: string[] = [];
    const payloads: Partial<AlloyEventMap> = {};
    const record =
      <K extends keyof AlloyEventMap>(type: K) =>
      (event: AlloyEventMap[K]) => {
        seen.push(type);
        (payloads as Record<string, unknown>)[type] = event;
      };
    const types = [
      'open',
      'ready',
      'step',
      'auth-started',
      'auth-succeeded',
      'auth-failed',
      'installed',
      'uninstalled',
      'error',
      'close',
    ] as const;
    for (const type of types) alloy.on(type, record(type) as never);
    const thrower = () => {
      throw new Error('host bug');
    };
    alloy.on('open', thrower);
    const removed = () => seen.push('removed listener ran');
    alloy.on('close', removed);
    alloy.off('close', removed);
    // A throwing listener is reported like any uncaught error (reportError), not thrown into the SDK.
    const reported: unknown[] = [];
    const originalReportError = window.reportError;
    window.reportError = (error: unknown) => reported.push(error);
    try {
      // autoClose: the success step closes by itself, after the given milliseconds.
      const outcome = alloy.install({ integrationId: INTEGRATION_ID, autoClose: 1000 });
      await ready();
      expect((modal() as unknown as Record<string, unknown>).successDuration).to.equal(1000);
      // The modal's lifecycle events, as the modal fires them, reach the stream with their details.
      const el = modal();
      el.dispatchEvent(
        new CustomEvent('alloy-ready', { detail: { integrationId: INTEGRATION_ID }, bubbles: true, composed: true }),
      );
      el.dispatchEvent(new CustomEvent('alloy-step', { detail: { step: 'config' }, bubbles: true, composed: true }));
      el.dispatchEvent(
        new CustomEvent('alloy-auth-started', { detail: { app: 'shopify' }, bubbles: true, composed: true }),
      );
      el.dispatchEvent(
        new CustomEvent('alloy-auth-succeeded', {
          detail: { app: 'shopify', credentialId: 'c1' },
          bubbles: true,
          composed: true,
        }),
      );
      el.dispatchEvent(
        new CustomEvent('alloy-auth-failed', {
          detail: { app: 'shopify', message: 'denied' },
          bubbles: true,
          composed: true,
        }),
      );
      el.dispatchEvent(
        new CustomEvent('alloy-uninstalled', {
          detail: { installationId: 'i1', integrationId: INTEGRATION_ID, workflowIds: [WORKFLOW_ID] },
          bubbles: true,
          composed: true,
        }),
      );
      el.dispatchEvent(
        new CustomEvent('alloy-error', {
          detail: { error: new AlloyError('SERVER_ERROR', 'boom') },
          bubbles: true,
          composed: true,
        }),
      );
      el.shadowRoot!.querySelector('input')!.focus();
      await sendKeys({ type: 'X' });
      el.shadowRoot!.querySelector<HTMLButtonElement>('button[part~="finish-button"]')!.click();
      await outcome;
      // The modal's own events (steps, ready) interleave with the ones dispatched above.
      expect(seen[0]).to.equal('open');
      expect(seen.at(-1)).to.equal('close');
      expect(seen.at(-2)).to.equal('installed');
      expect(new Set(seen)).to.deep.equal(new Set(types));
      expect(payloads.open).to.deep.equal({ type: 'open', operation: 'install', integrationId: INTEGRATION_ID });
      expect(payloads.step).to.deep.equal({ type: 'step', step: 'success' }); // the modal's last step
      expect(payloads['auth-succeeded']).to.deep.equal({ type: 'auth-succeeded', app: 'shopify', credentialId: 'c1' });
      expect(payloads.error!.error.code).to.equal('SERVER_ERROR');
      expect(payloads.installed!.installationId).to.equal('bbbbbbbbbbbbbbbbbbbbbbbb');
      expect(payloads.close).to.deep.equal({ type: 'close', reason: 'installed' });
      expect(payloads.uninstalled).to.deep.equal({
        type: 'uninstalled',
        installationId: 'i1',
        integrationId: INTEGRATION_ID,
        workflowIds: [WORKFLOW_ID],
      });
      expect(reported).to.have.length(1);
      expect(() => alloy.on('nope' as never, () => undefined)).to.throw(AlloyError, 'unknown event "nope"');
    } finally {
      window.reportError = originalReportError;
    }
  });

  it('reports errors before the modal opens on the stream as well', async () => {
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    alloy.setToken(() => Promise.reject(new Error('backend down')));
    const errors: AlloyError[] = [];
    alloy.on('error', (e) => errors.push(e.error));
    const error = (await alloy.install({ integrationId: INTEGRATION_ID }).catch((e: unknown) => e)) as AlloyError;
    expect(error.code).to.equal('TOKEN_REFRESH_FAILED');
    expect(errors.map((e) => e.code)).to.deep.equal(['TOKEN_REFRESH_FAILED']);
    expect(modals()).to.have.length(0);
  });

  it('closing removes the element and restores inline styles and the scroll position exactly', async () => {
    const root = document.documentElement;
    const spacer = document.createElement('div');
    spacer.style.height = '5000px';
    document.body.append(spacer);
    root.style.setProperty('overflow', 'auto');
    root.style.setProperty('scroll-behavior', 'smooth');
    const styleBefore = root.getAttribute('style');
    window.scrollTo({ top: 1200, behavior: 'instant' });
    const scrollBefore = window.scrollY;
    try {
      const alloy = createAlloy({ baseUrl: 'http://api.test' });
      alloy.setToken(fakeJwt());
      const outcome = alloy.install({ integrationId: INTEGRATION_ID });
      await ready();
      expect(getComputedStyle(root).overflow).to.equal('hidden');
      modal().shadowRoot!.querySelector<HTMLButtonElement>('button[part~="close-button"]')!.click();
      expect(await outcome).to.deep.equal({ success: false, reason: 'close-button' });
      expect(modals()).to.have.length(0);
      expect(root.getAttribute('style')).to.equal(styleBefore);
      expect(window.scrollY).to.equal(scrollBefore);
    } finally {
      root.removeAttribute('style');
      spacer.remove();
      window.scrollTo({ top: 0, behavior: 'instant' });
    }
  });

  it('leaves no style attribute behind on a page that had none', async () => {
    document.documentElement.removeAttribute('style');
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    alloy.setToken(fakeJwt());
    const outcome = alloy.install({ integrationId: INTEGRATION_ID });
    await ready();
    alloy.close();
    await outcome;
    expect(document.documentElement.getAttribute('style')).to.equal(null);
  });

  it('two copies on one page share one modal and say so, naming both versions', async () => {
    const warnings = captureWarnings();
    try {
      // A second module instance of the SDK, as a page with the CDN script and an npm bundle has.
      const secondCopy = (await import(
        new URL('../../src/sdk/alloy.ts?copy=2', import.meta.url).href
      )) as typeof AlloyModule;
      const copyA = createAlloy({ baseUrl: 'http://api.test' });
      const copyB = secondCopy.createAlloy({ baseUrl: 'http://api.test', kind: 'cdn' });
      copyA.setToken(fakeJwt());
      copyB.setToken(fakeJwt());
      const first = copyA.install({ integrationId: INTEGRATION_ID });
      const joined = copyB.install({ integrationId: INTEGRATION_ID });
      await ready();
      expect(modals()).to.have.length(1);
      expect(
        warnings.messages.some((m) =>
          /Two copies of the Alloy SDK are on this page: 0\.1\.0 \(npm\) and 0\.1\.0 \(cdn\)/.test(m),
        ),
      ).to.equal(true);
      copyB.close();
      expect(await first).to.deep.equal({ success: false, reason: 'api' });
      expect(await joined).to.deep.equal({ success: false, reason: 'api' });
    } finally {
      warnings.restore();
    }
  });

  it("the default export is both an instance and alloy-frontend's factory", () => {
    expect(typeof Alloy).to.equal('function');
    expect(Alloy.version).to.equal('0.1.0');
    const alloy = Alloy();
    expect(alloy).not.to.equal(Alloy);
    expect(typeof alloy.install).to.equal('function');
    expect(Alloy.AlloyError).to.equal(AlloyError);
  });
});

describe('Alloy facade: authenticate', () => {
  let fetches: ReturnType<typeof stubFetch>;
  beforeEach(() => (fetches = stubFetch(widgetServer)));
  afterEach(() => {
    fetches.restore();
    modals().forEach((e) => e.remove());
  });

  it('resolves with the credential once the app is connected, and closes before any install', async () => {
    fetches.restore();
    // The integration list answers; the modal's own load hangs, so only the dispatched event moves it.
    fetches = stubFetch((call, init) =>
      call.url.endsWith('/2024-03/integrations') ? widgetServer(call) : hang(call, init),
    );
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    alloy.setToken(fakeJwt());
    const results: unknown[] = [];
    const outcome = alloy.authenticate({ app: 'demostore', callback: (r) => results.push(r) });
    await waitUntil(() => modal());
    expect(fetches.calls[0]!.url).to.equal('http://api.test/2024-03/integrations');
    expect(modal().integrationId).to.equal(INTEGRATION_ID);
    expect((modal() as unknown as Record<string, unknown>).alwaysShowAuthentication).to.equal(true);
    modal().dispatchEvent(
      new CustomEvent('alloy-auth-succeeded', {
        detail: { app: 'demoStore', credentialId: 'cred-1' },
        bubbles: true,
        composed: true,
      }),
    );
    const result = await outcome;
    expect(result).to.deep.equal({
      success: true,
      integrationId: INTEGRATION_ID,
      app: 'demoStore',
      credentialId: 'cred-1',
      connectionId: 'cred-1',
    });
    expect(results).to.deep.equal([result]);
    expect(modals()).to.have.length(0);
    expect(fetches.calls.some((c) => c.method === 'POST')).to.equal(false);
  });

  it('ends when the modal moves past authentication (apps already connected)', async () => {
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    alloy.setToken(fakeJwt());
    const opened: string[] = [];
    alloy.on('open', (e) => opened.push(e.operation));
    // Demo Store needs no credential: the modal goes straight to its settings, which ends authenticate().
    const outcome = alloy.authenticate({ integrationId: INTEGRATION_ID });
    expect(await outcome).to.deep.equal({ success: true, integrationId: INTEGRATION_ID });
    expect(opened).to.deep.equal(['authenticate']);
    expect(modals()).to.have.length(0);
    expect(fetches.calls.some((c) => c.method === 'POST')).to.equal(false);
  });

  it('needs app or integrationId, and names the apps when the app is unknown', async () => {
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    alloy.setToken(fakeJwt());
    const missing = (await alloy.authenticate({ category: 'commerce' }).catch((e: unknown) => e)) as AlloyError;
    expect(missing.code).to.equal('VALIDATION_FAILED');
    expect(missing.message).to.contain('app or integrationId is required');
    const unknown = (await alloy.authenticate({ app: 'slack' }).catch((e: unknown) => e)) as AlloyError;
    expect(unknown.message).to.contain('no integration uses the app "slack"; pass integrationId or one of: demoStore');
  });
});

describe('Alloy facade: data calls and settings', () => {
  let fetches: ReturnType<typeof stubFetch>;
  afterEach(() => fetches.restore());

  it("uses alloy-frontend's exact paths, methods and bodies", async () => {
    fetches = stubFetch((call) => {
      if (call.url.endsWith('/workflows')) {
        return json(200, {
          data: [
            {
              workflowId: WORKFLOW_ID,
              name: 'Stream orders',
              integrationId: INTEGRATION_ID,
              active: true,
              version: 2,
              installedVersion: 1,
              installedAt: '2026-11-23T05:00:00.000Z',
              blocks: [],
            },
          ],
        });
      }
      if (call.url.endsWith('/workflows/deactivate')) return json(200, { deactivated: true });
      if (call.url.endsWith('/workflows/activate')) return json(200, { activated: true });
      return widgetServer(call);
    });
    const alloy = createAlloy({ baseUrl: 'http://api.test/' });
    const token = fakeJwt();
    alloy.setToken(token);
    expect((await alloy.getIntegrations()).data[0]!.integrationId).to.equal(INTEGRATION_ID);
    expect((await alloy.getWorkflows()).data[0]!.installedVersion).to.equal(1);
    expect(await alloy.deactivate({ workflowId: WORKFLOW_ID })).to.deep.equal({ deactivated: true });
    expect(await alloy.reactivate({ workflowName: 'Stream orders' })).to.deep.equal({ activated: true });
    expect(fetches.calls.map((c) => [c.method, c.url, c.body])).to.deep.equal([
      ['GET', 'http://api.test/2024-03/integrations', undefined],
      ['GET', 'http://api.test/2024-03/workflows', undefined],
      ['PUT', 'http://api.test/2024-03/workflows/deactivate', { workflowId: WORKFLOW_ID }],
      ['PUT', 'http://api.test/2024-03/workflows/activate', { workflowName: 'Stream orders' }],
    ]);
    for (const call of fetches.calls) expect(call.headers['x-alloy-user-token']).to.equal(token);
    const bad = (await alloy.deactivate({ id: 1 } as never).catch((e: unknown) => e)) as AlloyError;
    expect(bad.code).to.equal('VALIDATION_FAILED');
    expect(fetches.calls).to.have.length(4);
  });

  it('uninstall(): DELETE with the token, an `uninstalled` event, callback or Promise, typed errors', async () => {
    const removed = {
      installationId: 'cccccccccccccccccccccccc',
      integrationId: INTEGRATION_ID,
      workflowIds: [WORKFLOW_ID],
    };
    let installed = true;
    fetches.restore();
    fetches = stubFetch((call) => {
      if (call.method === 'DELETE' && call.url.endsWith(`/widget/integrations/${INTEGRATION_ID}/installation`)) {
        if (!installed)
          return json(404, { message: 'not installed', error: { code: 'not_found', message: 'not installed' } });
        installed = false;
        return json(200, removed);
      }
      return widgetServer(call);
    });
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    const missing = (await alloy.uninstall(INTEGRATION_ID).catch((e: unknown) => e)) as AlloyError;
    expect(missing.code).to.equal('TOKEN_MISSING');
    const token = fakeJwt();
    alloy.setToken(token);
    const events: unknown[] = [];
    alloy.on('uninstalled', (event) => events.push(event));
    expect(await alloy.uninstall(INTEGRATION_ID)).to.deep.equal({ success: true, ...removed });
    expect(events).to.deep.equal([{ type: 'uninstalled', ...removed }]);
    expect(fetches.calls.map((c) => [c.method, c.url])).to.deep.equal([
      ['DELETE', `http://api.test/2024-03/widget/integrations/${INTEGRATION_ID}/installation`],
    ]);
    expect(fetches.calls[0]!.headers['x-alloy-user-token']).to.equal(token);
    // Again: not installed any more. The callback form gets the error; the Promise rejects with it.
    const results: unknown[] = [];
    const again = (await alloy
      .uninstall({ integrationId: INTEGRATION_ID, callback: (r) => results.push(r) })
      .catch((e: unknown) => e)) as AlloyError;
    expect(again.code).to.equal('NOT_FOUND');
    expect(results).to.deep.equal([{ success: false, reason: 'error', error: again }]);
    expect(fetches.calls).to.have.length(2, 'a DELETE is not retried');
    const bad = (await alloy.uninstall('nope').catch((e: unknown) => e)) as AlloyError;
    expect(bad.code).to.equal('VALIDATION_FAILED');
    expect(bad.message).to.contain('Alloy.uninstall');
    expect(fetches.calls).to.have.length(2);
    expect(events).to.have.length(1);
  });

  it('setRegion and configure choose the server; bad settings fail loudly', async () => {
    // The server (the page's origin here) declares where `eu` is; `us` it does not declare.
    fetches = stubFetch((call) =>
      call.url.endsWith('/widget/regions')
        ? json(200, { regions: { eu: 'https://eu.alloy.test' } })
        : widgetServer(call),
    );
    const alloy = createAlloy();
    alloy.setToken(fakeJwt());
    await alloy.getIntegrations();
    alloy.setRegion('EU');
    await alloy.getIntegrations();
    alloy.configure({ baseUrl: 'http://localhost:4000/' });
    await alloy.getIntegrations();
    const warnings = captureWarnings();
    try {
      alloy.setRegion('mars');
      await alloy.getIntegrations();
      alloy.setRegion('us');
      await alloy.getIntegrations();
      alloy.setRegion('us');
      await alloy.getIntegrations();
      alloy.configure({ regions: { us: 'https://us.alloy.test' } });
      alloy.setRegion('us');
      await alloy.getIntegrations();
    } finally {
      warnings.restore();
    }
    const origin = location.origin;
    expect(fetches.calls.map((c) => c.url)).to.deep.equal([
      `${origin}/2024-03/integrations`,
      `${origin}/2024-03/widget/regions`,
      'https://eu.alloy.test/2024-03/integrations',
      'http://localhost:4000/2024-03/integrations',
      'http://localhost:4000/2024-03/integrations',
      'http://localhost:4000/2024-03/widget/regions',
      'http://localhost:4000/2024-03/integrations',
      'http://localhost:4000/2024-03/integrations',
      'https://us.alloy.test/2024-03/integrations',
    ]);
    expect(fetches.calls.some((c) => c.url.includes('runalloy.com'))).to.equal(false);
    expect(warnings.messages).to.have.length(2);
    expect(warnings.messages[0]).to.contain('unknown region "mars"');
    expect(warnings.messages[1]).to.contain('setRegion("us"): no API base URL is declared');
    expect(warnings.messages[1]).to.contain('requests stay on http://localhost:4000');
    expect(() => alloy.configure({ baseUrl: 'javascript:alert(1)' })).to.throw(
      AlloyError,
      'baseUrl must be an absolute http(s) URL',
    );
    expect(() => alloy.configure({ locale: 'not a locale!' })).to.throw(
      AlloyError,
      'locale must be a BCP 47 language tag',
    );
    expect(() => alloy.configure({ appearance: { logoUrl: 'javascript:alert(1)' } })).to.throw(AlloyError, 'logoUrl');
  });
});
