import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../../../src/console/settings/settings.js';
import type { AlloyConsoleSettings, ConsoleKeysApi } from '../../../../src/console/settings/settings.js';
import { ConsoleApiError, type ConsoleApi, type ConsoleRequest } from '../../../../src/console/api-types.js';
import type { ConsoleKey, CreatedConsoleKey } from '../../../../src/console/session-schemas.js';
import type * as z from 'zod/mini';
import type {
  ConsoleIntegrationListResponse,
  ConsoleLinkListResponse,
  ConsoleUserListResponse,
} from '../../../../src/contract/console.js';
import { $, KEYS, SETTINGS } from './fixtures.js';

const notHere = (): Promise<never> => Promise.reject(new Error('the settings page does not call the builder'));

/** A ConsoleApi answering GET/PUT /2024-03/settings from memory; records what it was asked. */
class FakeApi implements ConsoleApi {
  requests: ConsoleRequest[] = [];
  settings: Record<string, unknown> = { ...SETTINGS };
  fail: ConsoleApiError | undefined;
  hold: Promise<void> | undefined;
  constructor(readonly env: 'development' | 'production' = 'development') {}
  async isv<T>(request: ConsoleRequest, schema: z.ZodMiniType<T>): Promise<T> {
    this.requests.push(request);
    await this.hold;
    if (this.fail) throw this.fail;
    if (request.method === 'PUT') this.settings = { ...this.settings, ...(request.body as object) };
    return schema.parse({ ...this.settings, environment: this.env });
  }
  async integrations(): Promise<ConsoleIntegrationListResponse> {
    throw new Error('the settings page does not list integrations');
  }
  async links(): Promise<ConsoleLinkListResponse> {
    throw new Error('the settings page does not list links');
  }
  async searchUsers(): Promise<ConsoleUserListResponse> {
    throw new Error('the settings page does not search users');
  }
  // The builder's calls: the settings page makes none of them.
  connectors = notHere;
  integration = notHere;
  createIntegration = notHere;
  createWorkflow = notHere;
  workflow = notHere;
  saveDraft = notHere;
  release = notHere;
  setActive = notHere;
  testRun = notHere;
}

class FakeKeys implements ConsoleKeysApi {
  keys: ConsoleKey[] = structuredClone(KEYS.keys) as ConsoleKey[];
  calls: string[] = [];
  async listKeys() {
    this.calls.push('list');
    return structuredClone(this.keys);
  }
  async createKey(env: 'development' | 'production'): Promise<CreatedConsoleKey> {
    this.calls.push(`create ${env}`);
    const created = { env, apiKey: `sk_${env}_NEWSECRET1234`, hint: '1234', createdAt: '2026-02-01T00:00:00.000Z' };
    this.keys = this.keys.map((key) =>
      key.env === env ? { env, active: true, hint: '1234', createdAt: created.createdAt } : key,
    );
    return created;
  }
  async revokeKey(env: 'development' | 'production') {
    this.calls.push(`revoke ${env}`);
    this.keys = this.keys.map((key) => (key.env === env ? { env, active: false } : key));
  }
}

async function settingsPage(api = new FakeApi(), keys = new FakeKeys()) {
  const el = await fixture<AlloyConsoleSettings>(
    html`<alloy-console-settings .api=${api} .keysApi=${keys}></alloy-console-settings>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelector('form.urls') && el.shadowRoot!.querySelector('.keys'), 'loaded');
  return { el, api, keys };
}

const dialog = (el: Element, id: string) => $<HTMLDialogElement>(el, `#${id}`);

describe('<alloy-console-settings>', () => {
  afterEach(() => setViewport({ width: 800, height: 600 }));

  it('is accessible while loading, then lists both environments’ keys and this environment’s URLs', async () => {
    const api = new FakeApi();
    let release!: () => void;
    api.hold = new Promise((resolve) => (release = resolve));
    const el = await fixture<AlloyConsoleSettings>(
      html`<alloy-console-settings .api=${api} .keysApi=${new FakeKeys()}></alloy-console-settings>`,
    );
    expect(el.shadowRoot!.textContent).to.contain('Loading');
    await expect(el).to.be.accessible();
    release();
    await waitUntil(() => el.shadowRoot!.querySelector('form.urls'), 'settings loaded');
    const keys = [...el.shadowRoot!.querySelectorAll('.key')].map((key) =>
      key.textContent!.replace(/\s+/g, ' ').trim(),
    );
    expect(keys[0]).to.contain('Development').and.contain('Active, ends in a1b2');
    expect(keys[1]).to.contain('Production').and.contain('No key');
    expect($<HTMLInputElement>(el, '#installationWebhookUrl').value).to.equal('https://example.com/installed');
    expect($<HTMLInputElement>(el, '#errorStreamUrl').value).to.equal('');
    expect($<HTMLInputElement>(el, '#webhook-secret').type).to.equal('password');
    expect($<HTMLAnchorElement>(el, 'a').href).to.equal(SETTINGS.publicKeyUrl);
    await expect(el).to.be.accessible();
  });

  it('rotates a key only after confirming in a dialog, then shows the new key once with Copy', async () => {
    const { el, keys } = await settingsPage();
    $<HTMLButtonElement>(el, 'button[aria-label="Rotate: Development"]').click();
    await waitUntil(() => dialog(el, 'confirm-dialog').open, 'confirmation open');
    expect(el.shadowRoot!.activeElement?.classList.contains('cancel'), 'Cancel has focus').to.equal(true);
    expect(keys.calls).to.not.include('create development');
    await expect(el).to.be.accessible();

    // Esc cancels.
    await sendKeys({ press: 'Escape' });
    expect(dialog(el, 'confirm-dialog').open).to.equal(false);
    expect(keys.calls).to.not.include('create development');

    $<HTMLButtonElement>(el, 'button[aria-label="Rotate: Development"]').click();
    await waitUntil(() => dialog(el, 'confirm-dialog').open, 'confirmation open again');
    $<HTMLButtonElement>(el, '#confirm-dialog button.confirm').click();
    await waitUntil(() => dialog(el, 'key-dialog').open, 'new key shown');
    expect(keys.calls).to.include('create development');
    const field = $<HTMLInputElement>(el, '#new-key');
    expect(field.readOnly).to.equal(true);
    expect(field.value).to.equal('sk_development_NEWSECRET1234');
    expect($(el, '#key-warning').textContent).to.contain('you will not see it again');
    await expect(el).to.be.accessible();

    $<HTMLButtonElement>(el, '#key-dialog button.done').click();
    await el.updateComplete;
    expect(dialog(el, 'key-dialog').open).to.equal(false);
    expect(el.shadowRoot!.textContent, 'the key is gone once closed').to.not.contain('NEWSECRET');
  });

  it('copies the new key to the clipboard, or says to copy it by hand', async () => {
    const { el } = await settingsPage();
    $<HTMLButtonElement>(el, 'button[aria-label="Create key: Production"]').click();
    await waitUntil(() => dialog(el, 'key-dialog').open, 'new key shown');
    const writes: string[] = [];
    const original = Object.getOwnPropertyDescriptor(Navigator.prototype, 'clipboard');
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async (text: string) => void writes.push(text) },
    });
    try {
      $<HTMLButtonElement>(el, '#key-dialog button.copy').click();
      await waitUntil(() => writes.length === 1, 'copied');
      await el.updateComplete;
      expect(writes[0]).to.equal('sk_production_NEWSECRET1234');
      expect($(el, '#key-dialog [role=status]').textContent).to.equal('Copied.');
      Object.defineProperty(navigator, 'clipboard', {
        configurable: true,
        value: { writeText: () => Promise.reject(new Error('denied')) },
      });
      $<HTMLButtonElement>(el, '#key-dialog button.copy').click();
      await waitUntil(() => $(el, '#key-dialog [role=status]').textContent!.includes('failed'), 'copy failure said');
    } finally {
      delete (navigator as { clipboard?: unknown }).clipboard;
      if (original) Object.defineProperty(Navigator.prototype, 'clipboard', original);
    }
  });

  it('revokes after confirmation and announces it', async () => {
    const { el, keys } = await settingsPage();
    $<HTMLButtonElement>(el, 'button[aria-label="Revoke: Development"]').click();
    await waitUntil(() => dialog(el, 'confirm-dialog').open, 'confirmation open');
    expect($(el, '#confirm-title').textContent).to.equal('Revoke the Development API key?');
    $<HTMLButtonElement>(el, '#confirm-dialog button.confirm').click();
    await waitUntil(() => keys.calls.includes('revoke development') && !dialog(el, 'confirm-dialog').open, 'revoked');
    await waitUntil(
      () => el.shadowRoot!.querySelectorAll('button[aria-label^="Create key"]').length === 2,
      'both need a key',
    );
    expect($(el, 'p[role=status].visually-hidden').textContent).to.equal('The Development API key was revoked.');
    await expect(el).to.be.accessible();
  });

  it('checks the URLs before saving, then PUTs them (empty clears)', async () => {
    const { el, api } = await settingsPage();
    const hook = $<HTMLInputElement>(el, '#installationWebhookUrl');
    hook.value = 'http://example.com/not-local';
    $<HTMLButtonElement>(el, 'form.urls button[type=submit]').click();
    await el.updateComplete;
    expect(hook.getAttribute('aria-invalid')).to.equal('true');
    expect($(el, '#installationWebhookUrl-error').textContent).to.contain('https');
    expect(el.shadowRoot!.activeElement).to.equal(hook);
    expect(api.requests.filter((request) => request.method === 'PUT')).to.have.length(0);
    await expect(el).to.be.accessible();

    hook.value = '';
    $<HTMLInputElement>(el, '#errorStreamUrl').value = 'https://errors.example.com/in';
    $<HTMLButtonElement>(el, 'form.urls button[type=submit]').click();
    await waitUntil(() => $(el, 'p[role=status].visually-hidden').textContent === 'Saved.', 'saved');
    const put = api.requests.find((request) => request.method === 'PUT')!;
    expect(put.path).to.equal('/2024-03/settings');
    expect(put.body).to.deep.equal({ installationWebhookUrl: null, errorStreamUrl: 'https://errors.example.com/in' });
  });

  it('shows a failed load with its request id and a retry that works', async () => {
    const api = new FakeApi();
    api.fail = new ConsoleApiError('Database down', 'internal_error', 500, 'req_9');
    const el = await fixture<AlloyConsoleSettings>(
      html`<alloy-console-settings .api=${api} .keysApi=${new FakeKeys()}></alloy-console-settings>`,
    );
    await waitUntil(() => el.shadowRoot!.querySelector('section:nth-of-type(2) [role=alert]'), 'error shown');
    expect(el.shadowRoot!.textContent).to.contain('Database down').and.contain('Request ID: req_9');
    await expect(el).to.be.accessible();
    api.fail = undefined;
    $<HTMLButtonElement>(el, 'section:nth-of-type(2) [role=alert] button').click();
    await waitUntil(() => el.shadowRoot!.querySelector('form.urls'), 'loaded after retry');
  });

  it('loads the other environment’s settings when handed its api, and fits 375 px', async () => {
    await setViewport({ width: 375, height: 800 });
    const { el, api } = await settingsPage();
    expect(el.scrollWidth).to.be.at.most(375);
    const production = new FakeApi('production');
    el.api = production;
    await waitUntil(() => production.requests.length === 1 && el.shadowRoot!.querySelector('form.urls'), 'reloaded');
    expect($(el, '#urls-title').textContent).to.equal('Webhooks (Production)');
    expect(api.requests).to.have.length(1);
    await expect(el).to.be.accessible();
  });
});
