import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import { InstallUrlResponse } from '../../../../src/contract/index.js';
import * as z from 'zod/mini';
import type { AlloyConsoleShareDialog } from '../../../../src/console/views/index.js';
import { FakeConsoleApi, apiError, deferred } from './fake-console-api.js';
import { CONSOLE_INTEGRATIONS, INTEGRATION_ID, SECOND_USER_ID, USERS, USER_ID } from './fixtures.js';
import { button, find, mount, rootOf, settle, text, typeInto } from './dom.js';

const LINK = z.parse(InstallUrlResponse, {
  url: 'https://alloy.test/embedded/install?t=eyJhbGciOi.demo.token',
  expiresAt: '2026-12-13T20:00:00.000Z',
});

function filledApi(): FakeConsoleApi {
  return new FakeConsoleApi()
    .onIntegrations(CONSOLE_INTEGRATIONS)
    .on('listUsers', USERS)
    .on('createInstallUrl', LINK)
    .on('createUser', { userId: '65a1c0de0000000000000299' });
}

async function loaded(api = filledApi()) {
  const el = await mount('alloy-console-integrations', api);
  await find(rootOf(el), 'ul.grid');
  return el;
}

async function openShare(el: HTMLElement, name = 'Demo Store') {
  button(rootOf(el), 'Share');
  const shareButton = rootOf(el).querySelector<HTMLButtonElement>(`button[aria-label="Share ${name}"]`)!;
  shareButton.click();
  const dialogEl = rootOf(el).querySelector('alloy-console-share-dialog') as AlloyConsoleShareDialog;
  const root = dialogEl.shadowRoot!;
  await waitUntil(() => root.querySelector('dialog')?.open, 'the share dialog did not open');
  return { dialogEl, root, dialog: root.querySelector('dialog')! };
}

describe('<alloy-console-integrations>', () => {
  it('shows loading, accessibly, while the call is in flight', async () => {
    const api = filledApi();
    const catalogue = deferred();
    api.onIntegrations(() => catalogue.promise);
    const el = await mount('alloy-console-integrations', api);
    expect(text(rootOf(el).querySelector('[role="status"]'))).to.equal('Loading…');
    expect(rootOf(el).querySelector('section')!.getAttribute('aria-busy')).to.equal('true');
    await expect(el).to.be.accessible();
    catalogue.resolve(CONSOLE_INTEGRATIONS);
    await find(rootOf(el), 'ul.grid');
    expect(rootOf(el).querySelector('section')!.getAttribute('aria-busy')).to.equal('false');
  });

  it('lists the environment’s integrations with icon, workflow and installation counts in one call, accessibly', async () => {
    const api = filledApi();
    const el = await loaded(api);
    expect(api.calls).to.deep.equal([{ method: 'GET', path: '/console/api/integrations' }]);
    const cards = [...rootOf(el).querySelectorAll('li.integration')];
    expect(cards.map((c) => text(c.querySelector('h2')))).to.deep.equal(['Demo Store', 'Ledger Sync']);
    expect(text(cards[0]))
      .to.contain('2 workflows')
      .and.contain('2 installations')
      .and.contain('Stream new Demo Store');
    expect(text(cards[1])).to.contain('1 workflow').and.contain('0 installations');
    expect(cards[0]!.querySelector('img')!.getAttribute('alt')).to.equal('');
    // An icon that is not a URL (a name) gets a monogram, never an <img src="ledger">.
    expect(cards[1]!.querySelector('img')).to.equal(null);
    expect(text(cards[1]!.querySelector('.monogram'))).to.equal('L');
    await expect(el).to.be.accessible();
  });

  it('says so when there are no integrations, accessibly', async () => {
    const el = await mount('alloy-console-integrations', filledApi().onIntegrations({ data: [] }));
    await settle(el);
    expect(text(rootOf(el))).to.contain('No integrations are defined');
    expect(rootOf(el).querySelector('ul.grid')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('shows the error with its request id, accessibly, and tries again', async () => {
    let fail = true;
    const api = filledApi().onIntegrations(() => {
      if (fail) throw apiError('Session expired.', 401, 'unauthorized');
      return CONSOLE_INTEGRATIONS;
    });
    const el = await mount('alloy-console-integrations', api);
    const alert = await find(rootOf(el), '[role="alert"]');
    expect(text(alert)).to.contain('Session expired.').and.contain('Request id: req_0123456789abcdef');
    await expect(el).to.be.accessible();
    fail = false;
    button(rootOf(el), 'Try again').click();
    await find(rootOf(el), 'ul.grid');
    expect(api.calls).to.have.length(2);
  });

  it('reloads when the shell hands it a new api (environment switch)', async () => {
    const el = await loaded();
    const production = new FakeConsoleApi('production').onIntegrations({ data: [] });
    el.api = production;
    await settle(el);
    expect(production.calls).to.deep.equal([{ method: 'GET', path: '/console/api/integrations' }]);
    expect(text(rootOf(el))).to.contain('No integrations');
  });

  it('renders in the language it is given', async () => {
    const el = await mount('alloy-console-integrations', filledApi(), { lang: 'de' });
    await find(rootOf(el), 'ul.grid');
    expect(text(rootOf(el).querySelector('h1'))).to.equal('Integrationen');
    expect(text(rootOf(el)))
      .to.contain('2 Workflows')
      .and.contain('Teilen');
    expect(el.getAttribute('lang')).to.equal('de');
  });

  describe('Share', () => {
    it('opens a modal dialog for an existing user with 7 days preselected, accessibly', async () => {
      const el = await loaded();
      const { root } = await openShare(el);
      expect(text(root.querySelector('h2'))).to.equal('Share Demo Store');
      await find(root, '#share-user');
      const expiry = root.querySelector<HTMLSelectElement>('#share-expiry')!;
      expect([...expiry.options].map((o) => o.textContent!.trim())).to.deep.equal([
        '1 day',
        '3 days',
        '7 days',
        '14 days',
        '30 days',
      ]);
      expect(expiry.value).to.equal('7');
      expect(root.querySelector<HTMLSelectElement>('#share-user')!.value).to.equal(USER_ID);
      await expect(el).to.be.accessible();
    });

    it('searches users, creates the link with the chosen expiry in seconds, shows it read-only and copies it', async () => {
      const api = filledApi();
      const el = await loaded(api);
      const { root, dialogEl } = await openShare(el);
      await find(root, '#share-user');
      typeInto(root.querySelector<HTMLInputElement>('#share-search')!, 'grace');
      await dialogEl.updateComplete;
      const select = root.querySelector<HTMLSelectElement>('#share-user')!;
      expect([...select.options].map((o) => o.textContent!.trim())).to.deep.equal(['grace@acme.test']);
      expect(select.value).to.equal(SECOND_USER_ID);
      typeInto(root.querySelector<HTMLSelectElement>('#share-expiry')!, '14');
      const created = oneEvent(el, 'alloy-console-link-created');
      button(root, 'Create link').click();
      const linkInput = await find<HTMLInputElement>(root, '#share-link');
      expect((await created).detail).to.deep.equal({
        userId: SECOND_USER_ID,
        integrationId: INTEGRATION_ID,
        url: LINK.url,
        expiresAt: LINK.expiresAt,
      });
      expect(api.callsTo('createInstallUrl')).to.deep.equal([
        {
          method: 'GET',
          path: `/2024-03/users/${SECOND_USER_ID}/integrations/${INTEGRATION_ID}/install-url`,
          query: { expiresIn: 14 * 86_400 },
        },
      ]);
      expect(linkInput.readOnly).to.equal(true);
      expect(linkInput.value).to.equal(LINK.url);
      await waitUntil(() => root.activeElement === linkInput, 'focus did not move to the link');

      let copied = '';
      Object.defineProperty(navigator.clipboard, 'writeText', {
        configurable: true,
        value: async (value: string) => void (copied = value),
      });
      try {
        button(root, 'Copy').click();
        await waitUntil(() => text(root.querySelector('.result [role="status"]')) === 'Link copied.');
        expect(copied).to.equal(LINK.url);
        await expect(el).to.be.accessible();

        Object.defineProperty(navigator.clipboard, 'writeText', {
          configurable: true,
          value: () => Promise.reject(new DOMException('denied', 'NotAllowedError')),
        });
        button(root, 'Copy').click();
        await waitUntil(() => text(root.querySelector('.result [role="status"]')).startsWith('Could not copy'));
      } finally {
        delete (navigator.clipboard as unknown as Record<string, unknown>)['writeText'];
      }
    });

    it('creates a new user with POST /users, then the link for them; a retry does not create them twice', async () => {
      let failLink = true;
      const api = filledApi().on('createInstallUrl', () => {
        if (failLink) throw apiError('Integration not found.', 404, 'not_found');
        return LINK;
      });
      const el = await loaded(api);
      const { root, dialogEl } = await openShare(el);
      await find(root, '#share-user');
      const newRadio = root.querySelector<HTMLInputElement>('input[value="new"]')!;
      newRadio.click();
      await dialogEl.updateComplete;
      typeInto(root.querySelector<HTMLInputElement>('#share-username')!, '  new.customer@shop.test ');
      typeInto(root.querySelector<HTMLInputElement>('#share-fullname')!, 'New Customer');
      await expect(el).to.be.accessible();
      button(root, 'Create link').click();
      const alert = await find(root, '.error[role="alert"]');
      expect(text(alert)).to.contain('Integration not found.').and.contain('req_0123456789abcdef');
      expect(api.callsTo('createUser')).to.deep.equal([
        {
          method: 'POST',
          path: '/2024-03/users',
          body: { username: 'new.customer@shop.test', fullName: 'New Customer' },
        },
      ]);
      await expect(el).to.be.accessible();
      // The user now exists and is selected: trying again only asks for the link.
      expect(root.querySelector<HTMLSelectElement>('#share-user')!.value).to.equal('65a1c0de0000000000000299');
      failLink = false;
      button(root, 'Create link').click();
      await find(root, '#share-link');
      expect(api.callsTo('createUser')).to.have.length(1);
      expect(api.callsTo('createInstallUrl').at(-1)!.path).to.equal(
        `/2024-03/users/65a1c0de0000000000000299/integrations/${INTEGRATION_ID}/install-url`,
      );
      expect(api.callsTo('createInstallUrl').at(-1)!.query).to.deep.equal({ expiresIn: 7 * 86_400 });
    });

    it('asks for a username before creating a new user', async () => {
      const api = filledApi();
      const el = await loaded(api);
      const { root, dialogEl } = await openShare(el);
      await find(root, '#share-user');
      root.querySelector<HTMLInputElement>('input[value="new"]')!.click();
      await dialogEl.updateComplete;
      button(root, 'Create link').click();
      await dialogEl.updateComplete;
      expect(text(root.querySelector('[role="alert"]'))).to.equal('Choose a user.');
      expect(api.callsTo('createUser')).to.have.length(0);
    });

    it('offers only a new user when the environment has none; Close closes it', async () => {
      const api = filledApi();
      const el = await loaded(api);
      api.on('listUsers', { data: [] });
      const { root, dialog, dialogEl } = await openShare(el);
      await waitUntil(() => root.querySelector('#share-username'));
      expect(root.querySelector<HTMLInputElement>('input[value="new"]')!.checked).to.equal(true);
      button(root, 'Close').click();
      await dialogEl.updateComplete;
      expect(dialog.open).to.equal(false);
    });

    it('shows the user list loading in the dialog, accessibly', async () => {
      const api = filledApi();
      const el = await loaded(api);
      const users = deferred();
      api.on('listUsers', () => users.promise);
      const { root } = await openShare(el);
      expect(text(root.querySelector('fieldset [role="status"]'))).to.equal('Loading…');
      await expect(el).to.be.accessible();
      users.resolve(USERS);
      await find(root, '#share-user');
    });

    it('shows a failed user list in the dialog', async () => {
      const api = filledApi();
      const el = await loaded(api);
      api.on('listUsers', () => {
        throw apiError();
      });
      const { root } = await openShare(el);
      const alert = await find(root, '[role="alert"]');
      expect(text(alert)).to.contain('The server is down for maintenance.');
      await expect(el).to.be.accessible();
    });
  });
});
