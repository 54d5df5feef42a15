import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../../../src/console/sign-in/sign-in.js';
import '../../../../src/console/setup/setup.js';
import type { AlloyConsoleSignIn } from '../../../../src/console/sign-in/sign-in.js';
import type { AlloyConsoleSetup } from '../../../../src/console/setup/setup.js';
import type { ConsoleClient } from '../../../../src/console/api.js';
import { $, SIGNED_IN, apiError, client, type Reply } from './fixtures.js';

async function signIn(routes: Record<string, Reply>) {
  const fake = client(routes);
  const el = await fixture<AlloyConsoleSignIn>(
    html`<alloy-console-sign-in .client=${fake.client as ConsoleClient}></alloy-console-sign-in>`,
  );
  return { el, ...fake };
}

async function typeInto(el: Element, selector: string, text: string) {
  $<HTMLInputElement>(el, selector).focus();
  await sendKeys({ type: text });
}

describe('<alloy-console-sign-in>', () => {
  afterEach(() => setViewport({ width: 800, height: 600 }));

  it('is accessible and signs in with the keyboard alone (Enter submits)', async () => {
    const { el, requests } = await signIn({ 'POST /session': { body: SIGNED_IN } });
    await expect(el).to.be.accessible();
    expect(el.shadowRoot!.activeElement?.tagName).to.equal('H1');
    await typeInto(el, '#username', 'admin');
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: 'a long password!' });
    const event = oneEvent(el, 'alloy-console-signed-in');
    await sendKeys({ press: 'Enter' });
    expect((await event).detail.username).to.equal('admin');
    expect(requests[0]!.body).to.deep.equal({ username: 'admin', password: 'a long password!' });
  });

  it('announces a wrong password in a live region, clears the password and focuses it', async () => {
    const { el } = await signIn({ 'POST /session': apiError(401, 'unauthorized', 'Wrong username or password.') });
    await typeInto(el, '#username', 'admin');
    await typeInto(el, '#password', 'nope nope nope');
    $<HTMLButtonElement>(el, 'button[type=submit]').click();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await el.updateComplete;
    const alert = $(el, '[role=alert]');
    expect(alert.textContent).to.equal('Wrong username or password.');
    expect($<HTMLInputElement>(el, '#password').value).to.equal('');
    expect($<HTMLInputElement>(el, '#username').value).to.equal('admin');
    expect(el.shadowRoot!.activeElement?.id).to.equal('password');
    await expect(el).to.be.accessible();
  });

  it('says how long to wait after too many attempts (429), in the chosen language', async () => {
    const { el } = await signIn({
      'POST /session': apiError(429, 'rate_limited', 'Too many', { 'retry-after': '600' }),
    });
    el.lang = 'de';
    await typeInto(el, '#username', 'admin');
    await typeInto(el, '#password', 'nope nope nope');
    $<HTMLButtonElement>(el, 'button[type=submit]').click();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await el.updateComplete;
    expect($(el, '[role=alert]').textContent).to.equal(
      'Zu viele fehlgeschlagene Versuche. Versuchen Sie es in 10 Minuten erneut.',
    );
    await expect(el).to.be.accessible();
  });

  it('fits 375 px without sideways scrolling', async () => {
    await setViewport({ width: 375, height: 700 });
    const { el } = await signIn({});
    expect(el.scrollWidth).to.be.at.most(375);
    expect($(el, 'button[type=submit]').getBoundingClientRect().right).to.be.at.most(375);
  });
});

describe('<alloy-console-setup>', () => {
  let start = '';
  beforeEach(() => (start = location.href));
  afterEach(() => history.replaceState(null, '', start));

  async function setup(routes: Record<string, Reply>, hash = '#token=tok_123') {
    history.replaceState(null, '', `/console/setup${hash}`);
    const fake = client(routes);
    const el = await fixture<AlloyConsoleSetup>(
      html`<alloy-console-setup .client=${fake.client as ConsoleClient}></alloy-console-setup>`,
    );
    return { el, ...fake };
  }

  it('takes the token from the hash and removes it from the address bar', async () => {
    const { el } = await setup({});
    expect(el.token).to.equal('tok_123');
    expect(location.hash).to.equal('');
    expect(location.pathname).to.equal('/console/setup');
    await expect(el).to.be.accessible();
  });

  it('without a token, says where the link comes from', async () => {
    const { el } = await setup({}, '');
    expect(el.shadowRoot!.textContent).to.contain('one-time setup link');
    expect(el.shadowRoot!.querySelector('form')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('asks for 12+ characters and a matching confirmation, then creates the account and signs in', async () => {
    const { el, requests } = await setup({ 'POST /setup': { body: SIGNED_IN } });
    await typeInto(el, '#username', 'admin');
    await typeInto(el, '#password', 'short');
    await typeInto(el, '#confirm', 'short');
    $<HTMLButtonElement>(el, 'button[type=submit]').click();
    await el.updateComplete;
    expect($(el, '#password-error').textContent).to.equal('Use at least 12 characters.');
    expect($(el, '#password').getAttribute('aria-invalid')).to.equal('true');
    expect(el.shadowRoot!.activeElement?.id).to.equal('password');
    await expect(el).to.be.accessible();

    await typeInto(el, '#password', ' and more words');
    await sendKeys({ press: 'Tab' });
    $<HTMLButtonElement>(el, 'button[type=submit]').click();
    await el.updateComplete;
    expect($(el, '#confirm-error').textContent).to.equal('The passwords do not match.');

    $<HTMLInputElement>(el, '#confirm').value = 'short and more words';
    const event = oneEvent(el, 'alloy-console-signed-in');
    $<HTMLButtonElement>(el, 'button[type=submit]').click();
    expect((await event).detail.state).to.equal('signed-in');
    expect(requests).to.have.length(1);
    expect(requests[0]!.body).to.deep.equal({ token: 'tok_123', username: 'admin', password: 'short and more words' });
  });

  it('explains a refused link (403)', async () => {
    const { el } = await setup({ 'POST /setup': apiError(403, 'forbidden', 'Forbidden') });
    await typeInto(el, '#username', 'admin');
    await typeInto(el, '#password', 'twelve chars!');
    await typeInto(el, '#confirm', 'twelve chars!');
    $<HTMLButtonElement>(el, 'button[type=submit]').click();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await el.updateComplete;
    expect($(el, '[role=alert]').textContent).to.contain('not valid any more');
    await expect(el).to.be.accessible();
  });
});
