import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { oauthTiming } from '../../src/modal/auth-step/auth-step.js';
import type { AlloyInstallModal } from '../../src/modal/index.js';
import type { WidgetApp } from '../../src/contract/index.js';
import {
  API_ORIGIN,
  AuthApi,
  CONNECTION,
  DEMO_STORE,
  DEMO_STORE_APP,
  deferred,
  FakePopup,
  OAUTH_APP,
  PREFIX_FIELD,
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
const methodSwitch = (root: ShadowRoot) => root.querySelector<HTMLButtonElement>('.body .method-switch');
const labelOf = (el: Element) => el.textContent!.replace(/\s+/g, ' ').trim();

/** Demo Store offering both methods: OAuth (with the shop subdomain first) and an API key with a region. */
const BOTH_METHODS_APP: WidgetApp = { ...DEMO_STORE_APP, oauth: OAUTH_APP.oauth };

function record(el: AlloyInstallModal) {
  const events: { type: string; detail: unknown }[] = [];
  for (const type of ['alloy-auth-started', 'alloy-auth-succeeded', 'alloy-auth-failed'] as const) {
    el.addEventListener(type, (event) => events.push({ type, detail: event.detail }));
  }
  return events;
}

/** The window.open stub of the running test, put back after it. */
let restoreOpen: (() => void) | undefined;
/** After each test: window.open, the OAuth timings and the modals back as they were. */
function cleanUp(): void {
  restoreOpen?.();
  restoreOpen = undefined;
  Object.assign(oauthTiming, defaultTiming);
  removeModals();
}

describe('<alloy-install-modal> auth step', () => {
  afterEach(cleanUp);

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
    // The sentence and Details come with the error chunk, together.
    await waitUntil(() => root.querySelector('[part="error-details"]'), 'the error chunk loads');
    expect(root.querySelector('#alloy-error-text')!.textContent).to.contain('The service is having trouble.');
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
  afterEach(cleanUp);

  async function startOAuth(popups: (FakePopup | null)[] = [new FakePopup()]) {
    const api = new AuthApi(undefined, [OAUTH_APP]);
    const stub = stubWindowOpen(popups);
    restoreOpen = stub.restore;
    const opened = await openModal(api);
    const events = record(opened.el);
    typeInto(control(opened.root, 'Shop subdomain'), 'acme');
    await opened.el.updateComplete;
    // OAuth is the step's one action, on the footer's primary button.
    expect(labelOf(primaryButton(opened.root))).to.equal('Connect Demo Store');
    primaryButton(opened.root).click();
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

  it('opens the popup in the click, waits on the footer button, and moves on by itself on the callback message', async () => {
    oauthTiming.pollMs = 600_000;
    const popup = new FakePopup();
    const { el, root, api, stub, events } = await startOAuth([popup]);
    expect(stub.calls[0]![0]).to.equal('');
    expect(String(stub.calls[0]![2])).to.match(/popup,width=\d+,height=\d+/);
    await waitUntil(() => popup.location.href === api.session.authorizeUrl);
    expect(api.oauthCalls).to.deep.equal([{ app: 'demoStore', fields: { shop: 'acme' }, origin: location.origin }]);
    expect(root.querySelector('.waiting')!.textContent).to.contain('Finish signing in to Demo Store');
    // While the popup is open the footer button says so and does nothing: it is not a live no-op.
    const waiting = primaryButton(root);
    expect(labelOf(waiting)).to.equal('Waiting for sign-in…');
    expect(waiting.getAttribute('aria-disabled')).to.equal('true');
    expect(waiting.querySelector('.spinner')).not.to.equal(null);
    waiting.click();
    await el.updateComplete;
    expect(stub.calls).to.have.length(1);
    expect(api.oauthCalls).to.have.length(1);
    await expect(el).to.be.accessible();
    api.sessionView = { sessionId: 'sess-1', status: 'succeeded', credentialId: 'cred-9', name: 'acme.demo-store' };
    window.dispatchEvent(new MessageEvent('message', { origin: API_ORIGIN, data: completion() }));
    // No second press: signing in was the step's whole job.
    await waitUntil(() => stepTitle(root) === 'Settings', 'the sign-in did not move on to the settings');
    expect(api.sessionPolls).to.equal(1);
    expect(popup.closed).to.equal(true);
    expect(events.map((event) => event.type)).to.deep.equal(['alloy-auth-started', 'alloy-auth-succeeded']);
    expect(events[1]!.detail).to.deep.equal({ app: 'demoStore', credentialId: 'cred-9' });
    await waitUntil(() => el.shadowRoot!.activeElement === control(root, 'Order reference prefix'));
    await expect(el).to.be.accessible();
    // The install uses the connection just made; Back shows it as connected.
    typeInto(control(root, 'Order reference prefix'), 'DS-');
    await el.updateComplete;
    primaryButton(root).click();
    await waitUntil(() => api.calls.length === 1);
    expect(api.calls[0]!.request.credentialIds).to.deep.equal({ demoStore: 'cred-9' });
  });

  it('shows the new connection when the user goes back after the sign-in moved on', async () => {
    oauthTiming.pollMs = 600_000;
    const popup = new FakePopup();
    const { el, root, api } = await startOAuth([popup]);
    await waitUntil(() => popup.location.href !== '');
    api.sessionView = { sessionId: 'sess-1', status: 'succeeded', credentialId: 'cred-9', name: 'acme.demo-store' };
    window.dispatchEvent(new MessageEvent('message', { origin: API_ORIGIN, data: completion() }));
    await waitUntil(() => stepTitle(root) === 'Settings');
    button(root, 'footer .back').click();
    await el.updateComplete;
    expect(root.querySelector('.connection')!.textContent).to.contain('Connected as acme.demo-store');
    expect(labelOf(primaryButton(root))).to.equal('Continue');
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
    await waitUntil(() => stepTitle(root) === 'Settings', 'the genuine message was not taken');
    expect(api.sessionPolls).to.equal(1);
  });

  it('completes by polling the server when no message arrives', async () => {
    oauthTiming.pollMs = 30;
    const { root, api } = await startOAuth();
    await waitUntil(() => api.sessionPolls >= 1, 'the session was not polled');
    expect(stepTitle(root)).to.equal('Connect Demo Store');
    api.sessionView = { sessionId: 'sess-1', status: 'succeeded', credentialId: 'cred-9', name: 'polled-account' };
    await waitUntil(() => stepTitle(root) === 'Settings', 'polling did not complete the sign-in');
    expect(statusText(root)).to.contain('Settings');
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
    await waitUntil(() => stepTitle(root) === 'Settings');
  });

  it('returns to the step with a message when the popup is closed before completion', async () => {
    Object.assign(oauthTiming, { pollMs: 30, closedCheckMs: 10, closedGraceMs: 50, severedMs: 0 });
    const popup = new FakePopup();
    const { el, root, events } = await startOAuth([popup]);
    await waitUntil(() => popup.location.href !== '');
    popup.closed = true;
    await waitUntil(() => formError(root), 'closing the popup was not noticed');
    expect(formError(root)).to.equal('The sign-in window was closed before you finished. Try again.');
    expect(labelOf(primaryButton(root))).to.equal('Connect Demo Store');
    expect(primaryButton(root).getAttribute('aria-disabled')).to.equal('false');
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
    primaryButton(root).click();
    expect(stub.calls).to.have.length(2);
  });

  it('when the popup is blocked, the banner and the one button say "Open sign-in window", and that click opens it', async () => {
    oauthTiming.pollMs = 600_000;
    const popup = new FakePopup();
    const { el, root, api, stub } = await startOAuth([null, popup]);
    await el.updateComplete;
    expect(formError(root)).to.equal(
      'Your browser blocked the sign-in window. Press “Open sign-in window” to try again.',
    );
    expect(api.oauthCalls).to.have.length(0);
    // One button in the whole modal does it, the footer's (focused), named for what it does.
    const again = primaryButton(root);
    await waitUntil(() => el.shadowRoot!.activeElement === again, 'the button was not focused');
    expect(labelOf(again)).to.equal('Open sign-in window');
    expect(
      [...root.querySelectorAll('button')].filter((b) => labelOf(b).includes('Open sign-in window')),
    ).to.have.length(1);
    await expect(el).to.be.accessible();
    again.click();
    expect(stub.calls).to.have.length(2);
    await waitUntil(() => popup.location.href === api.session.authorizeUrl);
    expect(labelOf(primaryButton(root))).to.equal('Waiting for sign-in…');
  });

  it('when the popup is blocked with an API key on offer, the button still opens the window, not the key check', async () => {
    oauthTiming.pollMs = 600_000;
    const api = new AuthApi(undefined, [BOTH_METHODS_APP]);
    const stub = stubWindowOpen([null, new FakePopup()]);
    restoreOpen = stub.restore;
    const { el, root } = await openModal(api);
    typeInto(control(root, 'Shop subdomain'), 'acme');
    await el.updateComplete;
    primaryButton(root).click();
    await el.updateComplete;
    expect(labelOf(primaryButton(root))).to.equal('Open sign-in window');
    primaryButton(root).click();
    await el.updateComplete;
    expect(stub.calls).to.have.length(2);
    expect(api.credentialCalls).to.have.length(0);
    expect(root.querySelectorAll('[aria-invalid="true"]')).to.have.length(0);
    expect(formError(root)).to.equal('');
  });

  it('asks for the pre-OAuth fields before opening anything', async () => {
    const api = new AuthApi(undefined, [OAUTH_APP]);
    const stub = stubWindowOpen([new FakePopup()]);
    restoreOpen = stub.restore;
    const { el, root } = await openModal(api);
    primaryButton(root).click();
    await el.updateComplete;
    expect(stub.calls).to.have.length(0);
    expect(errorFor(root, 'Shop subdomain')).to.equal('This field is required.');
  });
});

describe('<alloy-install-modal> auth step with OAuth and an API key', () => {
  afterEach(cleanUp);

  function open(popups: (FakePopup | null)[] = [new FakePopup()], app: WidgetApp = BOTH_METHODS_APP) {
    const api = new AuthApi(undefined, [app]);
    const stub = stubWindowOpen(popups);
    restoreOpen = stub.restore;
    return openModal(api).then((opened) => ({ ...opened, api, stub }));
  }

  it('leads with signing in: the pre-OAuth field inline, one Connect button, the API key behind a disclosure', async () => {
    const { el, root } = await open();
    expect(stepTitle(root)).to.equal('Connect Demo Store');
    const shop = control(root, 'Shop subdomain');
    await waitUntil(() => el.shadowRoot!.activeElement === shop, 'focus is not on the shop subdomain');
    expect(() => control(root, 'API key')).to.throw();
    expect(labelOf(primaryButton(root))).to.equal('Connect Demo Store');
    // No second Connect in the body: the footer's is the step's one primary action.
    expect([...root.querySelectorAll('.body button')].filter((b) => /Connect/.test(labelOf(b)))).to.have.length(0);
    const toggle = methodSwitch(root)!;
    expect(labelOf(toggle)).to.equal('Use an API key instead');
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    // The disclosure comes after the method it offers an alternative to.
    expect(shop.compareDocumentPosition(toggle) & Node.DOCUMENT_POSITION_FOLLOWING).to.not.equal(0);
    expect(root.querySelector('.body .hint')!.textContent).to.contain('Demo Store opens in a new window');
    await expect(el).to.be.accessible();
  });

  it('the disclosure reveals the API-key fields, moves focus into them, and leads back to signing in', async () => {
    const { el, root } = await open();
    typeInto(control(root, 'Shop subdomain'), 'acme');
    await el.updateComplete;
    methodSwitch(root)!.click();
    await el.updateComplete;
    const toggle = methodSwitch(root)!;
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    const region = root.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(region).not.to.equal(null);
    expect(region.contains(control(root, 'API key'))).to.equal(true);
    await waitUntil(
      () => el.shadowRoot!.activeElement === control(root, 'API key'),
      'focus did not move into the region',
    );
    expect(() => control(root, 'Shop subdomain')).to.throw();
    expect(labelOf(toggle)).to.equal('Sign in with Demo Store instead');
    expect(labelOf(primaryButton(root))).to.equal('Continue');
    await expect(el).to.be.accessible();

    toggle.click();
    await el.updateComplete;
    expect(methodSwitch(root)!.getAttribute('aria-expanded')).to.equal('false');
    expect(root.getElementById(methodSwitch(root)!.getAttribute('aria-controls')!)).to.equal(null);
    await waitUntil(() => el.shadowRoot!.activeElement === control(root, 'Shop subdomain'));
    // What was typed is still there.
    expect(control(root, 'Shop subdomain').value).to.equal('acme');
    expect(labelOf(primaryButton(root))).to.equal('Connect Demo Store');
  });

  it('checks only the fields of the method on screen', async () => {
    const { el, root, api, stub } = await open();
    // Signing in: the empty API key and region are not in the way.
    primaryButton(root).click();
    await el.updateComplete;
    expect(stub.calls).to.have.length(0);
    expect(root.querySelectorAll('[aria-invalid="true"]')).to.have.length(1);
    expect(errorFor(root, 'Shop subdomain')).to.equal('This field is required.');
    expect(formError(root)).to.equal('Fix the highlighted field.');
    await expect(el).to.be.accessible();

    // The API key: its two fields are checked, the subdomain is not (and is not sent).
    methodSwitch(root)!.click();
    await el.updateComplete;
    expect(formError(root)).to.equal('');
    primaryButton(root).click();
    await el.updateComplete;
    expect(formError(root)).to.equal('Fix the 2 highlighted fields.');
    expect(errorFor(root, 'API key')).to.equal('This field is required.');
    expect(api.credentialCalls).to.have.length(0);
    await expect(el).to.be.accessible();
    typeInto(control(root, 'API key'), 'key-1234');
    typeInto(control<HTMLSelectElement>(root, 'Region'), 'eu');
    await el.updateComplete;
    // The server's answer is held, to see the button wait for it.
    const answer = deferred<void>();
    const createCredential = api.createCredential.bind(api);
    api.createCredential = async (request) => {
      await answer.promise;
      return createCredential(request);
    };
    primaryButton(root).click();
    await el.updateComplete;
    expect(labelOf(primaryButton(root))).to.equal('Checking…');
    expect(primaryButton(root).getAttribute('aria-disabled')).to.equal('true');
    await expect(el).to.be.accessible();
    answer.resolve();
    await waitUntil(() => stepTitle(root) === 'Settings');
    expect(api.credentialCalls).to.deep.equal([{ app: 'demoStore', fields: { apiKey: 'key-1234', region: 'eu' } }]);
    expect(stub.calls).to.have.length(0);
  });

  it('checks the pre-OAuth field with its rules before opening a window', async () => {
    const app: WidgetApp = {
      ...BOTH_METHODS_APP,
      oauth: {
        preOAuthFields: [
          {
            name: 'shop',
            displayName: 'Shop subdomain',
            type: 'text',
            required: true,
            rules: {
              maxLength: 63,
              pattern: '[a-z0-9-]+',
              patternMessage: 'Use lowercase letters, digits and - only.',
            },
          },
        ],
      },
    };
    const { el, root, stub } = await open([new FakePopup()], app);
    expect(control(root, 'Shop subdomain').getAttribute('maxlength')).to.equal('63');
    typeInto(control(root, 'Shop subdomain'), 'Acme Shop');
    await el.updateComplete;
    primaryButton(root).click();
    await el.updateComplete;
    expect(stub.calls).to.have.length(0);
    expect(errorFor(root, 'Shop subdomain')).to.equal('Use lowercase letters, digits and - only.');
  });

  it('names typed credentials that are not an API key as credentials', async () => {
    const app: WidgetApp = {
      ...OAUTH_APP,
      fields: [{ name: 'password', displayName: 'Password', type: 'secret', required: true }],
    };
    const { root } = await open([new FakePopup()], app);
    expect(labelOf(methodSwitch(root)!)).to.equal('Enter credentials instead');
  });

  it('has no disclosure when the app offers one method', async () => {
    const { root } = await openModal(new AuthApi());
    expect(methodSwitch(root)).to.equal(null);
    expect(labelOf(primaryButton(root))).to.equal('Continue');
  });

  it('speaks the modal language on both methods and when the popup is blocked', async () => {
    const api = new AuthApi(undefined, [BOTH_METHODS_APP]);
    const stub = stubWindowOpen([null]);
    restoreOpen = stub.restore;
    const { el, root } = await openModal(api, { locale: 'de' });
    expect(labelOf(primaryButton(root))).to.equal('Demo Store verbinden');
    expect(labelOf(methodSwitch(root)!)).to.equal('Stattdessen einen API-Schlüssel verwenden');
    typeInto(control(root, 'Shop subdomain'), 'acme');
    await el.updateComplete;
    primaryButton(root).click();
    await el.updateComplete;
    expect(labelOf(primaryButton(root))).to.equal('Anmeldefenster öffnen');
    expect(formError(root)).to.contain('Anmeldefenster öffnen');
    for (const locale of ['es', 'fr'] as const) {
      el.locale = locale;
      await el.updateComplete;
      expect(labelOf(primaryButton(root))).to.equal(
        locale === 'es' ? 'Abrir ventana de inicio de sesión' : 'Ouvrir la fenêtre de connexion',
      );
    }
  });
});

describe('maxlength from the maxLength rule', () => {
  afterEach(removeModals);

  it('sets maxlength on config text inputs and on auth fields', async () => {
    const app: WidgetApp = {
      ...DEMO_STORE_APP,
      fields: [
        { name: 'apiKey', displayName: 'API key', type: 'secret', required: true, rules: { maxLength: 200 } },
        { name: 'storeId', displayName: 'Store ID', type: 'text', required: true, rules: { maxLength: 64 } },
        { name: 'note', displayName: 'Note', type: 'text', required: false },
      ],
    };
    const api = new AuthApi({ ...DEMO_STORE, fields: [PREFIX_FIELD] }, [{ ...app, connections: [CONNECTION] }]);
    const { el, root } = await openModal(api, { alwaysShowAuthentication: true });
    expect(control(root, 'API key').getAttribute('maxlength')).to.equal('200');
    expect(control(root, 'Store ID').getAttribute('maxlength')).to.equal('64');
    expect(control(root, 'Note').hasAttribute('maxlength')).to.equal(false);
    button(root, '.existing').click();
    await el.updateComplete;
    primaryButton(root).click();
    await waitUntil(() => stepTitle(root) === 'Settings');
    expect(control(root, 'Order reference prefix').getAttribute('maxlength')).to.equal(
      String(PREFIX_FIELD.rules!.maxLength),
    );
  });
});
