import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type {
  CreateInstallationRequest,
  InstallationResponse,
  WidgetApi,
  WidgetIntegration,
} from '../../src/contract/index.js';
import { defineInstallModal, type AlloyInstallModal } from '../../src/modal/index.js';

defineInstallModal();

const INTEGRATION: WidgetIntegration = {
  integrationId: '65a1c0de0000000000000001',
  name: 'Demo Store',
  app: 'demoStore',
  description: 'Stream orders.',
  icon: 'http://localhost/static/icons/demo-store.svg',
  workflows: [{ workflowId: '65a1c0de0000000000000101', name: 'Stream orders', version: 1 }],
  fields: [
    {
      workflowId: '65a1c0de0000000000000101',
      blockId: 'stream-to-acmeco',
      name: 'referencePrefix',
      displayName: 'Order reference prefix',
      type: 'text',
      required: true,
      help: 'Added in front of each order number.',
    },
  ],
  installation: null,
};

/** A WidgetApi double that records calls; the real client is covered by the e2e suite. */
class FakeApi implements WidgetApi {
  calls: { request: CreateInstallationRequest; key: string }[] = [];
  integration: WidgetIntegration | Error = INTEGRATION;
  installResult: InstallationResponse | Error = {
    installationId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
    integrationId: INTEGRATION.integrationId,
    workflowIds: ['65a1c0de0000000000000101'],
  };
  async getIntegration(): Promise<WidgetIntegration> {
    if (this.integration instanceof Error) throw this.integration;
    return this.integration;
  }
  async createInstallation(request: CreateInstallationRequest, key: string): Promise<InstallationResponse> {
    this.calls.push({ request, key });
    await new Promise((r) => setTimeout(r, 20));
    if (this.installResult instanceof Error) throw this.installResult;
    return this.installResult;
  }
}

async function openModal(api: WidgetApi) {
  const opener = await fixture<HTMLButtonElement>(html`<button>Open</button>`);
  opener.focus();
  const el = document.createElement('alloy-install-modal') as AlloyInstallModal;
  el.integrationId = INTEGRATION.integrationId;
  el.api = api;
  document.body.append(el);
  const outcome = el.show();
  const root = el.shadowRoot!;
  return { el, root, opener, outcome };
}

const dialogOf = (root: ShadowRoot) => root.querySelector('dialog')!;
const inputOf = (root: ShadowRoot) => root.querySelector<HTMLInputElement>('input')!;

describe('<alloy-install-modal>', () => {
  afterEach(() => document.querySelectorAll('alloy-install-modal').forEach((e) => e.remove()));

  it('shows the loading skeleton in an open dialog labelled by its title, accessibly', async () => {
    const api = new FakeApi();
    let release!: () => void;
    api.getIntegration = () => new Promise((resolve) => (release = () => resolve(INTEGRATION)));
    const { el, root } = await openModal(api);
    await el.updateComplete;
    await waitUntil(() => dialogOf(root).open);
    expect(root.querySelector('.skeleton')).not.to.equal(null);
    expect(dialogOf(root).getAttribute('aria-labelledby')).to.equal('alloy-title');
    await expect(el).to.be.accessible();
    release();
  });

  it('renders the integration name, the field with its help text, and Finish Installation', async () => {
    const { el, root } = await openModal(new FakeApi());
    await waitUntil(() => inputOf(root));
    expect(root.querySelector('h2')!.textContent).to.equal('Demo Store');
    const input = inputOf(root);
    expect(root.querySelector(`label[for="${input.id}"]`)!.textContent).to.contain('Order reference prefix');
    expect(input.getAttribute('aria-describedby')).to.contain('-help');
    expect(root.querySelector('.primary')!.textContent!.trim()).to.equal('Finish Installation');
    expect(root.activeElement).to.equal(input);
    await expect(el).to.be.accessible();
  });

  it('keeps the user on the form with a message when a required field is empty, accessibly', async () => {
    const api = new FakeApi();
    const { el, root } = await openModal(api);
    await waitUntil(() => inputOf(root));
    root.querySelector<HTMLButtonElement>('.primary')!.click();
    await waitUntil(() => root.querySelector('.field-error'));
    expect(root.querySelector('.field-error')!.textContent).to.equal('This field is required.');
    expect(inputOf(root).getAttribute('aria-invalid')).to.equal('true');
    expect(api.calls).to.have.length(0);
    await expect(el).to.be.accessible();
  });

  it('installs on Finish Installation, resolves the outcome, closes and gives focus back', async () => {
    const api = new FakeApi();
    const { el, root, opener, outcome } = await openModal(api);
    await waitUntil(() => inputOf(root));
    inputOf(root).value = ' DS- ';
    inputOf(root).dispatchEvent(new Event('input'));
    const installed = oneEvent(el, 'alloy-installed');
    root.querySelector<HTMLButtonElement>('.primary')!.click();
    const event = await installed;
    expect(event.detail.installationId).to.equal('aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(await outcome).to.deep.equal({ success: true, ...(api.installResult as InstallationResponse) });
    expect(api.calls[0]!.request.values).to.deep.equal([
      { workflowId: '65a1c0de0000000000000101', blockId: 'stream-to-acmeco', name: 'referencePrefix', value: 'DS-' },
    ]);
    expect(dialogOf(root).open).to.equal(false);
    expect(document.activeElement).to.equal(opener);
  });

  it('sends one idempotency key for a double click, so one installation is made', async () => {
    const api = new FakeApi();
    const { root, outcome } = await openModal(api);
    await waitUntil(() => inputOf(root));
    inputOf(root).value = 'X';
    inputOf(root).dispatchEvent(new Event('input'));
    const finish = root.querySelector<HTMLButtonElement>('.primary')!;
    finish.click();
    finish.click();
    await outcome;
    expect(api.calls).to.have.length(1);
  });

  it('closes with success false on ESC', async () => {
    const { root, outcome } = await openModal(new FakeApi());
    await waitUntil(() => inputOf(root));
    await sendKeys({ press: 'Escape' });
    expect(await outcome).to.deep.equal({ success: false, reason: 'escape' });
    expect(dialogOf(root).open).to.equal(false);
  });

  it('closes with success false from the close button and returns focus to the opener', async () => {
    const { el, root, opener, outcome } = await openModal(new FakeApi());
    await waitUntil(() => inputOf(root));
    const closed = oneEvent(el, 'alloy-close');
    root.querySelector<HTMLButtonElement>('.close')!.click();
    expect((await closed).detail.reason).to.equal('close-button');
    expect(await outcome).to.deep.equal({ success: false, reason: 'close-button' });
    expect(document.activeElement).to.equal(opener);
  });

  it('shows a load error with Retry, accessibly, and recovers on retry', async () => {
    const api = new FakeApi();
    api.integration = new Error('Network down.');
    const { el, root } = await openModal(api);
    await waitUntil(() => root.querySelector('.error'));
    expect(root.querySelector('.error')!.textContent).to.contain('We could not load this integration.');
    await expect(el).to.be.accessible();
    api.integration = INTEGRATION;
    root.querySelector<HTMLButtonElement>('[part="retry-button"]')!.click();
    await waitUntil(() => inputOf(root));
  });

  it('keeps what the user typed when the install fails, and shows the server message by the field', async () => {
    const api = new FakeApi();
    const failure = Object.assign(new Error('Invalid configuration.'), {
      issues: [
        { path: ['values', 0, 'value'], message: 'Prefix is too long' },
        { path: ['values', 'referencePrefix'], message: 'Prefix is too long' },
      ],
    });
    api.installResult = failure;
    const { el, root } = await openModal(api);
    await waitUntil(() => inputOf(root));
    inputOf(root).value = 'KEEP-ME';
    inputOf(root).dispatchEvent(new Event('input'));
    root.querySelector<HTMLButtonElement>('.primary')!.click();
    await waitUntil(() => root.querySelector('.error'));
    expect(inputOf(root).value).to.equal('KEEP-ME');
    expect(root.querySelector('.field-error')!.textContent).to.equal('Prefix is too long');
    await expect(el).to.be.accessible();
  });

  it('renders an XSS payload from the API as text and refuses a javascript: icon', async () => {
    const api = new FakeApi();
    api.integration = { ...INTEGRATION, name: '<img src=x onerror="window.__xss=1">', icon: 'javascript:alert(1)' };
    const { root } = await openModal(api);
    await waitUntil(() => inputOf(root));
    expect(root.querySelector('h2')!.textContent).to.equal('<img src=x onerror="window.__xss=1">');
    expect(root.querySelector('header img')).to.equal(null);
    expect((window as unknown as { __xss?: number }).__xss).to.equal(undefined);
  });
});
