import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import { InstallUrlResponse } from '../../../../src/contract/index.js';
import * as z from 'zod/mini';
import type { AlloyConsoleShareDialog } from '../../../../src/console/views/index.js';
import type { ConsoleLinkListResponse } from '../../../../src/contract/console.js';
import { FakeConsoleApi, apiError, deferred } from './fake-console-api.js';
import {
  CONSOLE_INTEGRATIONS,
  INTEGRATION_ID,
  SECOND_INTEGRATION_ID,
  SECOND_USER_ID,
  USERS,
  USER_ID,
} from './fixtures.js';
import { button, find, mount, rootOf, settle, text, typeInto } from './dom.js';

/** The links of USER_ID to INTEGRATION_ID, newest first: one of each status. */
const RECENT: ConsoleLinkListResponse = {
  data: [
    {
      userId: USER_ID,
      integrationId: INTEGRATION_ID,
      createdAt: '2026-12-06T20:00:00.000Z',
      expiresAt: '2026-12-13T20:00:00.000Z',
      status: 'unused',
    },
    {
      userId: USER_ID,
      integrationId: INTEGRATION_ID,
      createdAt: '2026-12-01T09:00:00.000Z',
      expiresAt: '2026-12-08T09:00:00.000Z',
      status: 'used',
      usedAt: '2026-12-02T10:30:00.000Z',
    },
    {
      userId: USER_ID,
      integrationId: INTEGRATION_ID,
      createdAt: '2026-11-01T09:00:00.000Z',
      expiresAt: '2026-11-02T09:00:00.000Z',
      status: 'expired',
    },
  ],
};

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
    // The app by its display name when the server knows it, else by its id.
    expect(text(cards[0]!.querySelector('p.muted'))).to.equal('Demo Store app');
    expect(text(cards[1]!.querySelector('p.muted'))).to.equal('ledger');
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

  it('says each integration is defined in code and offers its file as a plain download link, accessibly', async () => {
    const el = await loaded();
    const cards = [...rootOf(el).querySelectorAll('li.integration')];
    expect(text(cards[0]!.querySelector('.source'))).to.equal('Defined in code');
    const links = cards.map((card) => card.querySelector<HTMLAnchorElement>('a.export')!);
    expect(links.map((a) => a.getAttribute('href'))).to.deep.equal([
      `/console/api/integrations/${INTEGRATION_ID}/export`,
      `/console/api/integrations/${SECOND_INTEGRATION_ID}/export`,
    ]);
    expect(links.every((a) => a.hasAttribute('download'))).to.equal(true);
    expect(text(links[0])).to.equal('Export');
    expect(links[0]!.getAttribute('aria-label')).to.equal('Export Demo Store as a .integration.json file');
    await expect(el).to.be.accessible();
  });

  it('says "defined in code" and "Export" in the language it is given', async () => {
    const expected = {
      es: ['Definida en código', 'Exportar'],
      fr: ['Définie dans le code', 'Exporter'],
      de: ['Im Code definiert', 'Exportieren'],
    } as const;
    for (const [lang, [note, label]] of Object.entries(expected)) {
      const el = await loaded();
      el.lang = lang as 'es' | 'fr' | 'de';
      await settle(el);
      const card = rootOf(el).querySelector('li.integration')!;
      expect(text(card.querySelector('.source'))).to.equal(note);
      expect(text(card.querySelector('a.export'))).to.equal(label);
    }
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
      // The radio says so too, and a note under the list tells what Create link does now.
      expect(root.querySelector<HTMLInputElement>('input[value="existing"]')!.checked).to.equal(true);
      expect(root.querySelector<HTMLInputElement>('input[value="new"]')!.checked).to.equal(false);
      expect(root.querySelector('#share-username')).to.equal(null);
      expect(root.querySelector('#share-user')!.getAttribute('aria-describedby')).to.equal('share-user-created');
      expect(text(root.querySelector('#share-user-created'))).to.equal(
        'new.customer@shop.test was created and is chosen above: Create link makes another link for them.',
      );
      expect(button(root, 'Create link').disabled).to.equal(false);
      failLink = false;
      button(root, 'Create link').click();
      await find(root, '#share-link');
      expect(api.callsTo('createUser')).to.have.length(1);
      expect(api.callsTo('createInstallUrl').at(-1)!.path).to.equal(
        `/2024-03/users/65a1c0de0000000000000299/integrations/${INTEGRATION_ID}/install-url`,
      );
      expect(api.callsTo('createInstallUrl').at(-1)!.query).to.deep.equal({ expiresIn: 7 * 86_400 });
      expect(root.querySelector<HTMLInputElement>('input[value="existing"]')!.checked).to.equal(true);
      expect(root.querySelector('#share-user-created')).to.not.equal(null);
      await expect(el).to.be.accessible();
      // Choosing another user drops the note.
      typeInto(root.querySelector<HTMLSelectElement>('#share-user')!, USER_ID);
      await dialogEl.updateComplete;
      expect(root.querySelector('#share-user-created')).to.equal(null);
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

    it('lists the chosen user’s recent links to the integration with status and dates, accessibly', async () => {
      const api = filledApi().onLinks((query: { userId?: string }) =>
        query.userId === USER_ID ? RECENT : { data: [] },
      );
      const el = await loaded(api);
      const { root, dialogEl } = await openShare(el);
      await find(root, '#share-user');
      const list = await find(root, '.recent-links ul');
      expect(text(root.querySelector('#recent-links-title'))).to.equal('Recent links');
      const items = [...list.querySelectorAll('li')];
      expect(items.map((li) => text(li.querySelector('.status')))).to.deep.equal(['Unused', 'Used', 'Expired']);
      expect(text(items[0])).to.contain('Made ').and.contain('expires ');
      expect(text(items[1])).to.contain('used ');
      expect(text(items[2])).to.contain('expired ');
      expect(api.calls.filter((c) => c.path === '/console/api/links')).to.deep.equal([
        { method: 'GET', path: '/console/api/links', query: { userId: USER_ID, integrationId: INTEGRATION_ID } },
      ]);
      await expect(el).to.be.accessible();

      // Another user chosen: their links (none yet).
      typeInto(root.querySelector<HTMLSelectElement>('#share-user')!, SECOND_USER_ID);
      await dialogEl.updateComplete;
      await waitUntil(() => text(root.querySelector('.recent-links')).includes('No links made yet.'));
      await expect(el).to.be.accessible();
    });

    it('shows the new link in the recent links once it is created', async () => {
      let made = false;
      const api = filledApi()
        .onLinks(() => (made ? RECENT : { data: RECENT.data.slice(1) }))
        .on('createInstallUrl', () => {
          made = true;
          return LINK;
        });
      const el = await loaded(api);
      const { root } = await openShare(el);
      await find(root, '.recent-links ul');
      expect(root.querySelectorAll('.recent-links li')).to.have.length(2);
      button(root, 'Create link').click();
      await find(root, '#share-link');
      await waitUntil(() => root.querySelectorAll('.recent-links li').length === 3, 'the list was not reloaded');
      expect(text(root.querySelector('.recent-links li .status'))).to.equal('Unused');
      expect(api.calls.filter((c) => c.path === '/console/api/links')).to.have.length(2);
      await expect(el).to.be.accessible();
    });

    it('shows the recent links loading, then a failure with a retry, accessibly', async () => {
      const gate = deferred();
      let fail = true;
      const api = filledApi().onLinks(async () => {
        await gate.promise;
        if (fail) throw apiError();
        return RECENT;
      });
      const el = await loaded(api);
      const { root } = await openShare(el);
      await find(root, '#share-user');
      expect(text(await find(root, '.recent-links [role="status"]'))).to.equal('Loading…');
      await expect(el).to.be.accessible();
      gate.resolve(undefined);
      const alert = await find(root, '.recent-links [role="alert"]');
      expect(text(alert)).to.contain('The server is down for maintenance.');
      await expect(el).to.be.accessible();
      fail = false;
      button(alert as unknown as ShadowRoot, 'Try again').click();
      await find(root, '.recent-links ul');
    });

    it('titles the recent links and their statuses in the language it is given', async () => {
      const el = await loaded(filledApi().onLinks(RECENT));
      const { root, dialogEl } = await openShare(el);
      await find(root, '.recent-links ul');
      el.lang = 'de';
      await settle(el);
      await settle(dialogEl);
      expect(text(root.querySelector('#recent-links-title'))).to.equal('Letzte Links');
      expect([...root.querySelectorAll('.recent-links .status')].map((s) => text(s))).to.deep.equal([
        'Unbenutzt',
        'Benutzt',
        'Abgelaufen',
      ]);
    });
  });
});
