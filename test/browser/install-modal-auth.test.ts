import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { oauthTiming } from '../../src/modal/auth-step/auth-step.js';
import type { AlloyInstallModal } from '../../src/modal/index.js';
import {
  API_ORIGIN,
  AuthApi,
  CONNECTION,
  DEMO_STORE_APP,
  FakePopup,
  OAUTH_APP,
  control,
  errorFor,
  openModal,
  primaryButton,
  removeModals,
  statusText,
  stepTitle,
  stubWindowOpen,
  typeInto,
  validationError,
} from './modal-fixtures.js';

const defaultTiming = { ...oauthTiming };
const formError = (root: ShadowRoot) => root.querySelector('.body .form-error')?.textContent?.trim() ?? '';
const button = (root: ShadowRoot, selector: string) => root.querySelector<HTMLButtonElement>(selector)!;

function record(el: AlloyInstallModal) {
  const events: { type: string; detail: unknown }[] = [];
  for (const type of ['alloy-auth-started', 'alloy-auth-succeeded', 'alloy-auth-failed'] as const) {
    el.addEventListener(type, (event) => events.push({ type, detail: event.detail }));
  }
  return events;
}

describe('<alloy-install-modal> auth step', () => {
  let restoreOpen: (() => void) | undefined;
  afterEach(() => {
    restoreOpen?.();
    restoreOpen = undefined;
    Object.assign(oauthTiming, defaultTiming);
    removeModals();
  });

  it('shows an existing connection as connected, and Continue reuses it for the install', async () => {
    const api = new AuthApi(undefined, [{ ...DEMO_STORE_APP, connections: [CONNECTION] }]);
    const { el, root } = await openModal(api);
    expect(stepTitle(root)).to.equal('Connect Demo Store');
    expect(root.querySelector('.connection')!.textContent).to.contain('Connected as acme@demo-store');
    expect([...root.querySelectorAll('.steps .label')].map((l) => l.textContent)).to.deep.equal([
      'Demo Store',
      'Settings',
      'Done',
    ]);
    await expect(el).to.be.accessible();
    primaryButton(root).click();
    await waitUntil(() => stepTitle(root) === 'Settings');
    expect(api.credentialCalls).to.have.length(0);
    // The install names the connection the user kept, so the server links that one.
    const prefix = root.querySelector<HTMLInputElement>('input[type="text"]')!;
    prefix.value = 'DS-';
    prefix.dispatchEvent(new Event('input'));
    primaryButton(root).click();
    await waitUntil(() => api.calls.length === 1);
    expect(api.calls[0]!.request.credentialIds).to.deep.equal({ demoStore: CONNECTION.credentialId });
  });

  it('speaks the modal language: the auth strings come with the language table, loaded on demand', async () => {
    const api = new AuthApi(undefined, [{ ...DEMO_STORE_APP, connections: [CONNECTION] }]);
    const { el, root } = await openModal(api, { locale: 'de' });
    expect(stepTitle(root)).to.equal('Demo Store verbinden');
    expect(root.querySelector('.connection')!.textContent).to.contain('Verbunden als acme@demo-store');
    el.locale = 'fr';
    await el.updateComplete;
    expect(stepTitle(root)).to.equal('Connecter Demo Store');
  });

  it('"Use a different account" shows the form, accessibly', async () => {
    const api = new AuthApi(undefined, [{ ...DEMO_STORE_APP, connections: [CONNECTION] }]);
    const { el, root } = await openModal(api);
    button(root, '.different').click();
    await el.updateComplete;
    expect(control(root, 'API key').type).to.equal('password');
    expect(root.querySelector('.connection')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('with alwaysShowAuthentication shows the form and offers the existing connection', async () => {
    const api = new AuthApi(undefined, [{ ...DEMO_STORE_APP, connections: [CONNECTION] }]);
    const { el, root } = await openModal(api, { alwaysShowAuthentication: true });
    expect(control(root, 'API key').type).to.equal('password');
    const useExisting = button(root, '.existing');
    expect(useExisting.textContent!.trim()).to.equal('Use acme@demo-store');
    await expect(el).to.be.accessible();
    useExisting.click();
    await el.updateComplete;
    expect(root.querySelector('.connection')!.textContent).to.contain('acme@demo-store');
  });

  it('skips the step when the API has no getApps or lists no app', async () => {
    const { root } = await openModal(new AuthApi(undefined, []));
    expect(stepTitle(root)).to.equal('Settings');
  });

  it('goes straight to the settings when the server has no apps route (404)', async () => {
    const api = new AuthApi();
    api.getApps = () => Promise.reject(Object.assign(new Error('Not found.'), { status: 404 }));
    const { root } = await openModal(api);
    expect(stepTitle(root)).to.equal('Settings');
  });

  it('shows the load error (with Retry) when the apps cannot be loaded', async () => {
    const api = new AuthApi();
    api.getApps = () => Promise.reject(Object.assign(new Error('Could not reach the Alloy API.'), { status: 503 }));
    const { root } = await openModal(api, {}, { waitFor: 'open' });
    await waitUntil(() => root.querySelector('.result.error'));
    expect(root.querySelector('#alloy-error-text')!.textContent).to.contain('The service is having trouble.');
    await waitUntil(() => root.querySelector('[part="error-details"]'), 'the Details view loads');
    expect(root.querySelector('[part="error-details"]')!.textContent).to.contain('Could not reach the Alloy API.');
  });

  it('submits typed fields with createCredential, then moves on', async () => {
    const api = new AuthApi();
    const { el, root } = await openModal(api);
    const events = record(el);
    expect(stepTitle(root)).to.equal('Connect Demo Store');
    await expect(el).to.be.accessible();
    primaryButton(root).click();
    await el.updateComplete;
    expect(errorFor(root, 'API key')).to.equal('This field is required.');
    expect(api.credentialCalls).to.have.length(0);
    typeInto(control(root, 'API key'), ' key-1234 ');
    typeInto(control<HTMLSelectElement>(root, 'Region'), 'us');
    await el.updateComplete;
    primaryButton(root).click();
    await waitUntil(() => stepTitle(root) === 'Settings');
    expect(api.credentialCalls).to.deep.equal([{ app: 'demoStore', fields: { apiKey: ' key-1234 ', region: 'us' } }]);
    expect(events.map((event) => event.type)).to.deep.equal(['alloy-auth-started', 'alloy-auth-succeeded']);
    expect(events[1]!.detail).to.deep.equal({ app: 'demoStore', credentialId: '65a1c0de0000000000000c02' });
  });

  it("shows the server's message next to the refused field and keeps the form", async () => {
    const api = new AuthApi();
    api.credentialResult = validationError('Demo Store refused the key', [
      { path: ['fields', 'apiKey'], message: 'Demo Store does not know this key.' },
    ]);
    const { el, root } = await openModal(api);
    const events = record(el);
    typeInto(control(root, 'API key'), 'wrong-key');
    typeInto(control<HTMLSelectElement>(root, 'Region'), 'eu');
    await el.updateComplete;
    primaryButton(root).click();
    await waitUntil(() => errorFor(root, 'API key'));
    expect(errorFor(root, 'API key')).to.equal('Demo Store does not know this key.');
    expect(control(root, 'API key').value).to.equal('wrong-key');
    expect(control(root, 'API key').getAttribute('aria-invalid')).to.equal('true');
    expect(stepTitle(root)).to.equal('Connect Demo Store');
    expect(events.map((event) => event.type)).to.deep.equal(['alloy-auth-started', 'alloy-auth-failed']);
    await expect(el).to.be.accessible();
  });

  it('can be completed with the keyboard alone', async () => {
    const api = new AuthApi();
    const { el, root } = await openModal(api);
    await waitUntil(() => el.shadowRoot!.activeElement === control(root, 'API key'), 'focus is not on the first field');
    await sendKeys({ type: 'kb-key' });
    await sendKeys({ press: 'Tab' }); // the show/hide button
    await sendKeys({ press: 'Tab' }); // the region select
    expect(el.shadowRoot!.activeElement).to.equal(control(root, 'Region'));
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'Tab' }); // Continue
    expect(el.shadowRoot!.activeElement).to.equal(primaryButton(root));
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => stepTitle(root) === 'Settings', 'Enter did not submit the auth step');
    expect(api.credentialCalls[0]!.fields.apiKey).to.equal('kb-key');
    expect(api.credentialCalls[0]!.fields.region).to.be.oneOf(['eu', 'us']);
  });
});

describe('<alloy-install-modal> OAuth', () => {
  let restoreOpen: (() => void) | undefined;
  afterEach(() => {
    restoreOpen?.();
    restoreOpen = undefined;
    Object.assign(oauthTiming, defaultTiming);
    removeModals();
  });

  async function startOAuth(popups: (FakePopup | null)[] = [new FakePopup()]) {
    const api = new AuthApi(undefined, [OAUTH_APP]);
    const stub = stubWindowOpen(popups);
    restoreOpen = stub.restore;
    const opened = await openModal(api);
    const events = record(opened.el);
    typeInto(control(opened.root, 'Shop subdomain'), 'acme');
    await opened.el.updateComplete;
    button(opened.root, '.connect').click();
    // window.open ran inside the click, before anything awaited.
    expect(stub.calls).to.have.length(1);
    return { ...opened, api, stub, events };
  }

  const completion = (overrides: Record<string, unknown> = {}) => ({
    type: 'alloy:oauth-complete',
    sessionId: 'sess-1',
    state: 'state-abc',
    status: 'succeeded',
    ...overrides,
  });

  it('opens the popup in the click, navigates it, and completes on the callback message', async () => {
    oauthTiming.pollMs = 600_000;
    const popup = new FakePopup();
    const { el, root, api, stub, events } = await startOAuth([popup]);
    expect(stub.calls[0]![0]).to.equal('');
    expect(String(stub.calls[0]![2])).to.match(/popup,width=\d+,height=\d+/);
    await waitUntil(() => popup.location.href === api.session.authorizeUrl);
    expect(api.oauthCalls).to.deep.equal([{ app: 'demoStore', fields: { shop: 'acme' }, origin: location.origin }]);
    expect(root.querySelector('.waiting')!.textContent).to.contain('Finish signing in to Demo Store');
    await expect(el).to.be.accessible();
    api.sessionView = { sessionId: 'sess-1', status: 'succeeded', credentialId: 'cred-9', name: 'acme.demo-store' };
    window.dispatchEvent(new MessageEvent('message', { origin: API_ORIGIN, data: completion() }));
    await waitUntil(() => root.querySelector('.connection'), 'the message did not complete the sign-in');
    expect(root.querySelector('.connection')!.textContent).to.contain('Connected as acme.demo-store');
    expect(api.sessionPolls).to.equal(1);
    expect(popup.closed).to.equal(true);
    expect(events.map((event) => event.type)).to.deep.equal(['alloy-auth-started', 'alloy-auth-succeeded']);
    await expect(el).to.be.accessible();
  });

  it('ignores messages from another origin or with another state', async () => {
    oauthTiming.pollMs = 600_000;
    const popup = new FakePopup();
    const { root, api } = await startOAuth([popup]);
    await waitUntil(() => popup.location.href !== '');
    for (const origin of [
      'http://evil.test',
      `${API_ORIGIN}.evil.test`,
      'http://evil.test/?http://api.alloy.test',
      'https://api.alloy.test',
      'null',
    ]) {
      window.dispatchEvent(new MessageEvent('message', { origin, data: completion() }));
    }
    window.dispatchEvent(new MessageEvent('message', { origin: API_ORIGIN, data: completion({ sessionId: 'other' }) }));
    window.dispatchEvent(
      new MessageEvent('message', { origin: API_ORIGIN, data: completion({ state: 'guessed-state' }) }),
    );
    window.dispatchEvent(new MessageEvent('message', { origin: API_ORIGIN, data: 'alloy:oauth-complete' }));
    // Had one been taken, the modal would have asked the server (and stopped listening) by now.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve));
    expect(api.sessionPolls).to.equal(0);
    api.sessionView = { sessionId: 'sess-1', status: 'succeeded', credentialId: 'cred-9', name: 'acme.demo-store' };
    window.dispatchEvent(new MessageEvent('message', { origin: API_ORIGIN, data: completion() }));
    await waitUntil(() => root.querySelector('.connection'), 'the genuine message was not taken');
    expect(api.sessionPolls).to.equal(1);
  });

  it('completes by polling the server when no message arrives', async () => {
    oauthTiming.pollMs = 30;
    const { root, api } = await startOAuth();
    await waitUntil(() => api.sessionPolls >= 1, 'the session was not polled');
    expect(root.querySelector('.connection')).to.equal(null);
    api.sessionView = { sessionId: 'sess-1', status: 'succeeded', credentialId: 'cred-9', name: 'polled-account' };
    await waitUntil(() => root.querySelector('.connection'), 'polling did not complete the sign-in');
    expect(root.querySelector('.connection')!.textContent).to.contain('polled-account');
  });

  it('keeps polling when COOP makes the popup read as closed right away', async () => {
    Object.assign(oauthTiming, { pollMs: 30, closedCheckMs: 10, closedGraceMs: 50, severedMs: 600_000 });
    const popup = new FakePopup();
    const { root, api } = await startOAuth([popup]);
    await waitUntil(() => popup.location.href !== '');
    popup.closed = true;
    const polls = api.sessionPolls;
    await waitUntil(() => api.sessionPolls >= polls + 3, 'polling stopped after the popup read as closed');
    expect(root.querySelector('.waiting')).not.to.equal(null);
    api.sessionView = { sessionId: 'sess-1', status: 'succeeded', credentialId: 'cred-9', name: 'coop-account' };
    await waitUntil(() => root.querySelector('.connection'));
  });

  it('returns to the step with a message when the popup is closed before completion', async () => {
    Object.assign(oauthTiming, { pollMs: 30, closedCheckMs: 10, closedGraceMs: 50, severedMs: 0 });
    const popup = new FakePopup();
    const { el, root, events } = await startOAuth([popup]);
    await waitUntil(() => popup.location.href !== '');
    popup.closed = true;
    await waitUntil(() => formError(root), 'closing the popup was not noticed');
    expect(formError(root)).to.equal('The sign-in window was closed before you finished. Try again.');
    expect(button(root, '.connect').textContent!.trim()).to.equal('Connect Demo Store');
    expect(control(root, 'Shop subdomain').value).to.equal('acme');
    expect(events.map((event) => event.type)).to.deep.equal(['alloy-auth-started', 'alloy-auth-failed']);
    await expect(el).to.be.accessible();
  });

  it('shows a message and lets the user retry when access is denied', async () => {
    oauthTiming.pollMs = 600_000;
    const popup = new FakePopup();
    const { el, root, api, stub } = await startOAuth([popup]);
    await waitUntil(() => popup.location.href !== '');
    api.sessionView = { sessionId: 'sess-1', status: 'cancelled', message: 'access_denied' };
    window.dispatchEvent(
      new MessageEvent('message', { origin: API_ORIGIN, data: completion({ status: 'cancelled' }) }),
    );
    await waitUntil(() => formError(root));
    expect(formError(root)).to.equal('Access was not granted. Try again when you are ready.');
    expect(statusText(root)).to.contain('Access was not granted');
    await expect(el).to.be.accessible();
    button(root, '.connect').click();
    expect(stub.calls).to.have.length(2);
  });

  it('offers Continue when the popup is blocked, and opens it from that click', async () => {
    oauthTiming.pollMs = 600_000;
    const popup = new FakePopup();
    const { el, root, api, stub } = await startOAuth([null, popup]);
    await el.updateComplete;
    expect(formError(root)).to.equal('Your browser blocked the sign-in window. Press Continue to open it.');
    expect(api.oauthCalls).to.have.length(0);
    // OAuth is this app's only way in, so the footer's Continue (focused) is the one button that reopens it.
    expect(root.querySelector('.body .connect')).to.equal(null);
    const again = primaryButton(root);
    await waitUntil(() => el.shadowRoot!.activeElement === again, 'Continue was not focused');
    expect(again.textContent!.trim()).to.equal('Continue');
    await expect(el).to.be.accessible();
    again.click();
    expect(stub.calls).to.have.length(2);
    await waitUntil(() => popup.location.href === api.session.authorizeUrl);
  });

  it('asks for the pre-OAuth fields before opening anything', async () => {
    const api = new AuthApi(undefined, [OAUTH_APP]);
    const stub = stubWindowOpen([new FakePopup()]);
    restoreOpen = stub.restore;
    const { el, root } = await openModal(api);
    button(root, '.connect').click();
    await el.updateComplete;
    expect(stub.calls).to.have.length(0);
    expect(errorFor(root, 'Shop subdomain')).to.equal('This field is required.');
  });
});
