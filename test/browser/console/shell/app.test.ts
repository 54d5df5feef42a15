import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia, sendKeys, setViewport } from '@web/test-runner-commands';
import { LitElement } from 'lit';
import '../../../../src/console/app/app.js';
import { STORAGE_KEYS, type AlloyConsoleApp } from '../../../../src/console/app/app.js';
import type { ConsoleApi } from '../../../../src/console/api-types.js';
import { parseRoute } from '../../../../src/console/app/router.js';
import type { AlloyConsoleSignIn } from '../../../../src/console/sign-in/sign-in.js';
import { $, KEYS, SETTINGS, SIGNED_IN, client, type Reply } from './fixtures.js';

/** A stand-in for the views helper's element: records what the shell hands it. */
class StubView extends LitElement {
  static override properties = { api: { attribute: false }, lang: {}, route: {} };
  api: ConsoleApi | undefined;
  override lang = '';
  route = '';
  override render() {
    return html`<h1>Stub ${this.localName}</h1>
      <a href="/console/logs/exe_1">An execution</a>`;
  }
}
customElements.define('alloy-console-integrations', class extends StubView {});
customElements.define('alloy-console-logs', class extends StubView {});

/** Stand-ins for the integration page and the builder: they take ids, not a `route`. */
class StubPage extends StubView {
  static override properties = { ...StubView.properties, integrationId: {}, workflowId: {} };
  integrationId = '';
  workflowId = '';
}
customElements.define('alloy-console-integration-page', class extends StubPage {});
customElements.define('alloy-console-workflow-builder', class extends StubPage {});

const SIGNED_IN_ROUTES: Record<string, Reply> = {
  'GET /session': { body: SIGNED_IN },
  'DELETE /session': { status: 204 },
  'GET /keys': { body: KEYS },
  'GET /isv/2024-03/settings': { body: SETTINGS },
};

async function app(path: string, routes: Record<string, Reply>) {
  history.replaceState(null, '', path);
  const fake = client(routes);
  const el = await fixture<AlloyConsoleApp>(html`<alloy-console-app .client=${fake.client}></alloy-console-app>`);
  await waitUntil(() => el.session !== undefined || el.shadowRoot!.querySelector('[role=alert]'), 'session read');
  await el.updateComplete;
  return { el, ...fake };
}

const view = <T extends Element = StubView>(el: Element, tag: string) => $<T>(el, `main ${tag}`);

describe('<alloy-console-app>', () => {
  let start = '';
  beforeEach(() => {
    start = location.href;
    localStorage.clear();
  });
  afterEach(async () => {
    history.replaceState(null, '', start);
    localStorage.clear();
    document.documentElement.removeAttribute('data-theme');
    await setViewport({ width: 800, height: 600 });
    await emulateMedia({ colorScheme: 'light' });
  });

  it('parses console paths, with an unknown one as not found', () => {
    expect(parseRoute('/console')).to.deep.equal({ name: 'home' });
    expect(parseRoute('/console/users/usr_1')).to.deep.equal({ name: 'users', userId: 'usr_1' });
    expect(parseRoute('/console/logs/exe%201/')).to.deep.equal({ name: 'logs', executionId: 'exe 1' });
    expect(parseRoute('/console/settings/x')).to.deep.equal({ name: 'not-found' });
    expect(parseRoute('/console/workflows')).to.deep.equal({ name: 'not-found' });
  });

  it('signed out: shows sign-in; after signing in, the integrations page', async () => {
    const { el } = await app('/console/', {
      'GET /session': { body: { state: 'signed-out' } },
      'POST /session': { body: SIGNED_IN },
    });
    const signIn = $(el, 'alloy-console-sign-in');
    await expect(el).to.be.accessible();
    $<HTMLInputElement>(signIn, '#username').value = 'admin';
    $<HTMLInputElement>(signIn, '#password').value = 'a long password!';
    $<HTMLButtonElement>(signIn, 'button[type=submit]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('main alloy-console-integrations'), 'integrations shown');
    expect(location.pathname).to.equal('/console/integrations');
    expect($(el, 'nav a[aria-current=page]').textContent).to.equal('Integrations');
    expect(document.title).to.equal('Integrations · Alloy console');
    await expect(el).to.be.accessible();
  });

  it('setup required: explains the one-time link; /console/setup shows the setup form', async () => {
    const { el } = await app('/console/', { 'GET /session': { body: { state: 'setup-required' } } });
    expect($(el, 'h1').textContent).to.equal('Set up the console');
    await expect(el).to.be.accessible();
    const second = await app('/console/setup#token=abc', { 'GET /session': { body: { state: 'setup-required' } } });
    await waitUntil(() => second.el.shadowRoot!.querySelector('alloy-console-setup'), 'setup loaded (lazy)');
    expect(location.hash).to.equal('');
  });

  it('hands each view the api and language; links and Back navigate without a reload', async () => {
    const { el } = await app('/console', SIGNED_IN_ROUTES);
    expect(location.pathname, '/console leads to integrations').to.equal('/console/integrations');
    const integrations = view(el, 'alloy-console-integrations');
    expect(integrations.api!.env).to.equal('development');
    expect(integrations.lang).to.equal('en');

    $<HTMLAnchorElement>(integrations, 'a').click();
    await el.updateComplete;
    expect(location.pathname).to.equal('/console/logs/exe_1');
    const logs = view(el, 'alloy-console-logs');
    expect(logs.route).to.equal('exe_1');
    expect(el.shadowRoot!.activeElement?.tagName, 'focus moves to the page').to.equal('MAIN');

    $<HTMLAnchorElement>(el, 'nav a[href="/console/settings"]').click();
    await waitUntil(() => el.shadowRoot!.querySelector('main alloy-console-settings'), 'settings (lazy)');
    expect(location.pathname).to.equal('/console/settings');

    el.navigate('/console/logs/exe%201');
    await el.updateComplete;
    expect(view(el, 'alloy-console-logs').route, 'still encoded, as the view decodes it').to.equal('exe%201');

    history.back();
    await waitUntil(() => location.pathname === '/console/settings', 'back once');
    history.back();
    await waitUntil(
      () => location.pathname === '/console/logs/exe_1' && el.shadowRoot!.querySelector('main alloy-console-logs'),
      'back',
    );

    el.dispatchEvent(new CustomEvent('alloy-console-navigate', { detail: { path: '/console/nowhere' } }));
    await el.updateComplete;
    expect($(el, 'main h1').textContent).to.equal('Page not found');
    await expect(el).to.be.accessible();
  });

  it('routes an integration’s page and its workflows’ builder, under Integrations', async () => {
    const { el } = await app('/console/integrations/int%201', SIGNED_IN_ROUTES);
    const page = view<StubPage>(el, 'alloy-console-integration-page');
    expect(page.integrationId).to.equal('int 1');
    expect(page.api!.env).to.equal('development');
    expect($(el, 'nav a[aria-current="page"]').textContent).to.equal('Integrations');

    el.navigate('/console/integrations/int_1/workflows/wf_1');
    await el.updateComplete;
    const builder = view<StubPage>(el, 'alloy-console-workflow-builder');
    expect([builder.integrationId, builder.workflowId]).to.deep.equal(['int_1', 'wf_1']);
    expect(builder.lang).to.equal('en');
    expect(document.title).to.equal('Integrations · Alloy console');
    await expect(el).to.be.accessible();
  });

  it('a view route whose element is not defined yet says Loading; unknown pages are not found', async () => {
    const { el } = await app('/console/deliveries', SIGNED_IN_ROUTES);
    expect($(el, 'main [role=status]').textContent).to.equal('Loading…');
    await expect(el).to.be.accessible();
  });

  it('switches environment (a new api for the views), language and theme, and remembers them', async () => {
    const { el } = await app('/console/integrations', SIGNED_IN_ROUTES);
    const selects = el.shadowRoot!.querySelectorAll('header select');
    const [env, lang, theme] = [...selects] as HTMLSelectElement[];
    env!.focus();
    env!.value = 'production';
    env!.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(view(el, 'alloy-console-integrations').api!.env).to.equal('production');
    expect($(el, 'header').className).to.equal('production');
    expect(localStorage.getItem(STORAGE_KEYS.env)).to.equal('production');

    lang!.value = 'fr';
    lang!.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(document.documentElement.lang).to.equal('fr');
    expect(view(el, 'alloy-console-integrations').lang).to.equal('fr');
    expect($(el, 'nav a[aria-current=page]').textContent).to.equal('Intégrations');
    expect(localStorage.getItem(STORAGE_KEYS.lang)).to.equal('fr');

    theme!.value = 'dark';
    theme!.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(document.documentElement.dataset['theme']).to.equal('dark');
    expect(localStorage.getItem(STORAGE_KEYS.theme)).to.equal('dark');
    await expect(el).to.be.accessible();

    const again = await app('/console/integrations', SIGNED_IN_ROUTES);
    expect(again.el.lang).to.equal('fr');
    expect(again.el.env).to.equal('production');
    expect(again.el.theme).to.equal('dark');
  });

  it('is usable with the keyboard: skip link, nav, sign-out', async () => {
    const { el, requests } = await app('/console/integrations', SIGNED_IN_ROUTES);
    el.focus();
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement?.classList.contains('skip')).to.equal(true);
    await sendKeys({ press: 'Enter' });
    expect(el.shadowRoot!.activeElement?.tagName).to.equal('MAIN');
    const signOut = [...el.shadowRoot!.querySelectorAll('button')].find((button) => button.textContent === 'Sign out')!;
    signOut.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.shadowRoot!.querySelector('alloy-console-sign-in'), 'signed out');
    expect(requests.some((request) => request.method === 'DELETE' && request.path === '/session')).to.equal(true);
  });

  it('shows sign-in again, with a notice, when the session ends (401)', async () => {
    const { el } = await app('/console/settings', {
      ...SIGNED_IN_ROUTES,
      'GET /keys': { status: 401, body: { message: 'x', error: { code: 'unauthorized', message: 'x' } } },
    });
    await waitUntil(() => el.shadowRoot!.querySelector('alloy-console-sign-in'), 'back to sign-in');
    expect($<AlloyConsoleSignIn>(el, 'alloy-console-sign-in').notice).to.equal('Your session ended. Sign in again.');
  });

  it('says when the server cannot be reached, with a retry', async () => {
    const { el } = await app('/console/', { 'GET /session': new TypeError('Failed to fetch') });
    expect($(el, '[role=alert]').textContent).to.contain('could not be reached');
    await expect(el).to.be.accessible();
  });

  it('fits 375 px: no sideways scrolling, env switch still on screen; dark follows the system', async () => {
    await setViewport({ width: 375, height: 800 });
    await emulateMedia({ colorScheme: 'dark' });
    const { el } = await app('/console/integrations', SIGNED_IN_ROUTES);
    expect(document.documentElement.scrollWidth).to.be.at.most(375);
    const env = $(el, 'header select');
    const box = env.getBoundingClientRect();
    expect(box.left).to.be.at.least(0);
    expect(box.right).to.be.at.most(375);
    await expect(el).to.be.accessible();
  });

  it('at 375 px the header is one row with a Menu button that opens the nav and the rest, by keyboard too', async () => {
    await setViewport({ width: 375, height: 812 });
    localStorage.setItem(STORAGE_KEYS.env, 'production');
    const { el } = await app('/console/integrations', SIGNED_IN_ROUTES);
    const header = $(el, 'header');
    const toggle = $<HTMLButtonElement>(el, 'button.menu-toggle');
    // One compact row: brand with the production badge, the environment switch, Menu.
    expect(header.getBoundingClientRect().height).to.be.at.most(88);
    expect(document.documentElement.scrollWidth).to.be.at.most(375);
    expect(header.scrollWidth).to.be.at.most(header.clientWidth);
    expect($(el, '.env-badge').getBoundingClientRect().width).to.be.greaterThan(0);
    expect(getComputedStyle(header).borderTopWidth).to.equal('4px');
    const env = $<HTMLSelectElement>(el, 'header select');
    expect(env.getBoundingClientRect().height).to.be.greaterThan(0);
    expect(env.getBoundingClientRect().right).to.be.at.most(375);
    expect(toggle.textContent!.trim()).to.equal('Menu');
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    expect(toggle.getAttribute('aria-controls')).to.equal('header-menu main-nav');
    expect(getComputedStyle($(el, 'nav')).display).to.equal('none');
    await expect(el).to.be.accessible();

    toggle.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    expect(getComputedStyle($(el, 'nav')).display).to.equal('block');
    expect($(el, 'nav a[href="/console/logs"]').getBoundingClientRect().height).to.be.greaterThan(0);
    expect(document.documentElement.scrollWidth).to.be.at.most(375);
    await expect(el).to.be.accessible();
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement?.tagName).to.equal('SELECT');
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    expect(el.shadowRoot!.activeElement).to.equal(toggle);

    // Following a link from the menu closes it.
    toggle.click();
    await el.updateComplete;
    $<HTMLAnchorElement>(el, 'nav a[href="/console/logs"]').click();
    await el.updateComplete;
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    expect(location.pathname).to.equal('/console/logs');
  });

  it('on a wide screen there is no Menu button: nav and controls show', async () => {
    await setViewport({ width: 1280, height: 800 });
    const { el } = await app('/console/integrations', SIGNED_IN_ROUTES);
    expect(getComputedStyle($(el, 'button.menu-toggle')).display).to.equal('none');
    expect(getComputedStyle($(el, 'nav')).display).to.equal('block');
    expect($(el, '.controls select').getBoundingClientRect().height).to.be.greaterThan(0);
    await expect(el).to.be.accessible();
  });
});
