import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { AlloyConsoleShareDialog } from '../../../../src/console/views/index.js';
import { FakeConsoleApi, apiError, deferred } from './fake-console-api.js';
import {
  CREDENTIALS,
  EMPTY_LOGS,
  EXECUTION_ID,
  INSTALLATIONS,
  INTEGRATIONS,
  INTEGRATION_ID,
  LOGS_PAGE_1,
  SECOND_INTEGRATION_ID,
  SECOND_USER_ID,
  USERS,
  USER_ID,
} from './fixtures.js';
import { button, find, mount, rootOf, settle, text, typeInto } from './dom.js';

const ADA = USERS.data[0]!;

function detailApi(): FakeConsoleApi {
  return new FakeConsoleApi()
    .on('getUser', ADA)
    .on('listInstallations', { data: INSTALLATIONS.data.filter((i) => i.userId === USER_ID) })
    .on('listIntegrations', INTEGRATIONS)
    .on('listUserCredentials', CREDENTIALS)
    .on('searchLogs', LOGS_PAGE_1)
    .on('createInstallUrl', { url: 'https://alloy.test/embedded/install?t=x', expiresAt: '2026-12-13T20:00:00.000Z' });
}

describe('<alloy-console-users>', () => {
  describe('list', () => {
    it('shows loading, accessibly', async () => {
      const pending = deferred();
      const el = await mount(
        'alloy-console-users',
        new FakeConsoleApi().on('listUsers', () => pending.promise),
        {
          route: '',
        },
      );
      expect(text(rootOf(el).querySelector('[role="status"]'))).to.equal('Loading…');
      await expect(el).to.be.accessible();
      pending.resolve(USERS);
      await find(rootOf(el), 'ul.rows');
    });

    it('lists users as links and navigates on a click, accessibly', async () => {
      const api = new FakeConsoleApi().on('listUsers', USERS);
      const el = await mount('alloy-console-users', api, { route: '' });
      await find(rootOf(el), 'ul.rows');
      expect(api.calls).to.deep.equal([{ method: 'GET', path: '/2024-03/users', query: { limit: 100 } }]);
      const links = [...rootOf(el).querySelectorAll<HTMLAnchorElement>('ul.rows a')];
      expect(links.map((a) => [text(a), a.getAttribute('href')])).to.deep.equal([
        ['ada@acme.test', `/console/users/${USER_ID}`],
        ['grace@acme.test', `/console/users/${SECOND_USER_ID}`],
      ]);
      expect(text(rootOf(el).querySelector('ul.rows'))).to.contain('Ada Lovelace');
      expect(text(rootOf(el))).to.contain('Search by the start of a username or name');
      await expect(el).to.be.accessible();

      const navigated = oneEvent(el, 'alloy-console-navigate');
      rootOf(el).querySelector<HTMLAnchorElement>('ul.rows a')!.click();
      const event = await navigated;
      expect(event.detail).to.deep.equal({ path: `/console/users/${USER_ID}` });
      expect(event.defaultPrevented).to.equal(false);
      expect(event.bubbles && event.composed).to.equal(true);
    });

    it('loads more users with the cursor', async () => {
      const api = new FakeConsoleApi().on('listUsers', (request: { query?: { cursor?: string } }) =>
        request.query?.cursor ? { data: [USERS.data[1]] } : { data: [USERS.data[0]], nextCursor: 'u2' },
      );
      const el = await mount('alloy-console-users', api, { route: '' });
      await find(rootOf(el), 'ul.rows');
      button(rootOf(el), 'Load more').click();
      await waitUntil(() => rootOf(el).querySelectorAll('ul.rows li').length === 2);
      expect(api.calls.at(-1)).to.deep.equal({
        method: 'GET',
        path: '/2024-03/users',
        query: { limit: 100, cursor: 'u2' },
      });
      expect([...rootOf(el).querySelectorAll('button')].some((b) => text(b) === 'Load more')).to.equal(false);
    });

    it('says so when there are no users, accessibly', async () => {
      const el = await mount('alloy-console-users', new FakeConsoleApi().on('listUsers', { data: [] }), { route: '' });
      await settle(el);
      expect(text(rootOf(el))).to.contain('No users in this environment yet.');
      await expect(el).to.be.accessible();
    });

    it('shows an error with its request id, accessibly', async () => {
      const api = new FakeConsoleApi().on('listUsers', () => {
        throw apiError();
      });
      const el = await mount('alloy-console-users', api, { route: '' });
      const alert = await find(rootOf(el), '[role="alert"]');
      expect(text(alert)).to.contain('The server is down for maintenance.').and.contain('req_0123456789abcdef');
      await expect(el).to.be.accessible();
    });
  });

  describe('search (GET /console/api/users)', () => {
    const box = (el: HTMLElement) => rootOf(el).querySelector<HTMLInputElement>('#users-search')!;
    const enter = (input: HTMLInputElement) =>
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    const rows = (el: HTMLElement) => [...rootOf(el).querySelectorAll('ul.rows a')].map((a) => text(a));
    const FOUND = {
      data: [
        { userId: USER_ID, username: 'ada@acme.test', fullName: 'Ada Lovelace', createdAt: '2026-01-02T03:04:05.000Z' },
      ],
    };

    it('asks the server once typing pauses (~250 ms), only for the last text, and shows the matches', async () => {
      const api = new FakeConsoleApi().on('listUsers', USERS).onSearchUsers(FOUND);
      const el = await mount('alloy-console-users', api, { route: '' });
      await find(rootOf(el), 'ul.rows');
      typeInto(box(el), 'a');
      typeInto(box(el), 'ad');
      typeInto(box(el), ' Ada ');
      await new Promise((r) => setTimeout(r, 150));
      expect(api.searches, 'nothing before the pause').to.deep.equal([]);
      await waitUntil(() => api.searches.length === 1, 'the search was not sent');
      expect(api.searches).to.deep.equal([{ search: 'Ada' }]);
      expect(api.calls.at(-1)).to.deep.equal({ method: 'GET', path: '/console/api/users', query: { search: 'Ada' } });
      await waitUntil(() => rows(el).length === 1);
      expect(rows(el)).to.deep.equal(['ada@acme.test']);
      await new Promise((r) => setTimeout(r, 300));
      expect(api.searches, 'one call for the three keystrokes').to.have.length(1);
      await expect(el).to.be.accessible();
    });

    it('searches at once on Enter', async () => {
      const api = new FakeConsoleApi().on('listUsers', USERS).onSearchUsers(FOUND);
      const el = await mount('alloy-console-users', api, { route: '' });
      await find(rootOf(el), 'ul.rows');
      typeInto(box(el), 'ada');
      enter(box(el));
      expect(api.searches).to.deep.equal([{ search: 'ada' }]);
      await new Promise((r) => setTimeout(r, 350));
      expect(api.searches, 'the pending debounce was cancelled').to.have.length(1);
    });

    it('shows searching and no matches, accessibly; an emptied box shows the list again without a call', async () => {
      const pending = deferred();
      const api = new FakeConsoleApi().on('listUsers', USERS).onSearchUsers(() => pending.promise);
      const el = await mount('alloy-console-users', api, { route: '' });
      await find(rootOf(el), 'ul.rows');
      typeInto(box(el), 'zz%_');
      enter(box(el));
      await el.updateComplete;
      expect(text(rootOf(el).querySelector('#users-results [role="status"]'))).to.equal('Loading…');
      expect(rootOf(el).querySelector('#users-results')!.getAttribute('aria-busy')).to.equal('true');
      await expect(el).to.be.accessible();
      pending.resolve({ data: [] });
      await waitUntil(() => text(rootOf(el).querySelector('#users-results')).startsWith('No username'));
      expect(text(rootOf(el).querySelector('#users-results [role="status"]'))).to.equal(
        'No username or name starts with “zz%_”.',
      );
      expect(api.searches).to.deep.equal([{ search: 'zz%_' }]);
      await expect(el).to.be.accessible();
      typeInto(box(el), '');
      await el.updateComplete;
      expect(rows(el)).to.deep.equal(['ada@acme.test', 'grace@acme.test']);
      await new Promise((r) => setTimeout(r, 300));
      expect(api.searches).to.have.length(1);
      expect(api.callsTo('listUsers')).to.have.length(1);
    });

    it('loads more matches with the cursor', async () => {
      const api = new FakeConsoleApi().on('listUsers', USERS).onSearchUsers(({ cursor }: { cursor?: string }) =>
        cursor
          ? {
              data: [
                {
                  userId: SECOND_USER_ID,
                  username: 'grace@acme.test',
                  fullName: null,
                  createdAt: '2026-01-03T00:00:00.000Z',
                },
              ],
            }
          : { ...FOUND, nextCursor: 'next-1' },
      );
      const el = await mount('alloy-console-users', api, { route: '' });
      await find(rootOf(el), 'ul.rows');
      typeInto(box(el), 'a');
      enter(box(el));
      await waitUntil(() => rows(el).length === 1);
      button(rootOf(el), 'Load more').click();
      await waitUntil(() => rows(el).length === 2);
      expect(rows(el)).to.deep.equal(['ada@acme.test', 'grace@acme.test']);
      expect(api.searches).to.deep.equal([{ search: 'a' }, { search: 'a', cursor: 'next-1' }]);
      expect([...rootOf(el).querySelectorAll('button')].some((b) => text(b) === 'Load more')).to.equal(false);
      await expect(el).to.be.accessible();
    });

    it('shows a failed search with its request id and retries it, accessibly', async () => {
      let fail = true;
      const api = new FakeConsoleApi().on('listUsers', USERS).onSearchUsers(() => {
        if (fail) throw apiError();
        return FOUND;
      });
      const el = await mount('alloy-console-users', api, { route: '' });
      await find(rootOf(el), 'ul.rows');
      typeInto(box(el), 'ada');
      enter(box(el));
      const alert = await find(rootOf(el), '[role="alert"]');
      expect(text(alert)).to.contain('The server is down for maintenance.').and.contain('req_0123456789abcdef');
      await expect(el).to.be.accessible();
      fail = false;
      button(rootOf(el), 'Try again').click();
      await waitUntil(() => rows(el).length === 1);
      expect(api.searches).to.deep.equal([{ search: 'ada' }, { search: 'ada' }]);
    });

    it('drops an older answer that arrives after a newer search', async () => {
      const slow = deferred();
      const api = new FakeConsoleApi()
        .on('listUsers', USERS)
        .onSearchUsers(({ search }: { search?: string }) => (search === 'g' ? slow.promise : FOUND));
      const el = await mount('alloy-console-users', api, { route: '' });
      await find(rootOf(el), 'ul.rows');
      typeInto(box(el), 'g');
      enter(box(el));
      typeInto(box(el), 'ada');
      enter(box(el));
      await waitUntil(() => rows(el).length === 1);
      slow.resolve({ data: [] });
      await settle(el);
      expect(rows(el)).to.deep.equal(['ada@acme.test']);
    });
  });

  describe('detail', () => {
    it('shows loading, accessibly', async () => {
      const pending = deferred();
      const api = detailApi().on('getUser', () => pending.promise);
      const el = await mount('alloy-console-users', api, { route: USER_ID });
      expect(text(rootOf(el).querySelector('[role="status"]'))).to.equal('Loading…');
      await expect(el).to.be.accessible();
      pending.resolve(ADA);
      await find(rootOf(el), '#installations-title');
    });

    it('shows installations, credentials and recent executions, accessibly', async () => {
      const api = detailApi();
      const el = await mount('alloy-console-users', api, { route: USER_ID });
      await find(rootOf(el), '#installations-title');
      expect(api.calls).to.deep.equal([
        { method: 'GET', path: `/2024-03/users/${USER_ID}` },
        { method: 'GET', path: '/2024-03/installations', query: { userId: USER_ID } },
        { method: 'GET', path: '/2024-03/integrations', query: { userId: USER_ID } },
        { method: 'GET', path: `/2024-03/users/${USER_ID}/credentials` },
        { method: 'GET', path: '/2024-03/logs', query: { associatedUserId: USER_ID, limit: 10 } },
      ]);
      const root = rootOf(el);
      expect(text(root.querySelector('h1'))).to.equal('ada@acme.test (Ada Lovelace)');
      const installations = root.querySelector('[aria-labelledby="installations-title"]')!;
      expect(text(installations)).to.contain('Demo Store').and.contain('Enabled').and.contain('1 workflow');
      expect(text(root.querySelector('[aria-labelledby="credentials-title"]'))).to.contain('Demo Store acme-shop');
      const execution = root.querySelector<HTMLAnchorElement>('[aria-labelledby="executions-title"] a')!;
      expect(execution.getAttribute('href')).to.equal(`/console/logs/${EXECUTION_ID}`);
      expect(text(execution.parentElement)).to.contain('New orders to Acme').and.contain('Error');
      await expect(el).to.be.accessible();

      const navigated = oneEvent(el, 'alloy-console-navigate');
      execution.click();
      expect((await navigated).detail.path).to.equal(`/console/logs/${EXECUTION_ID}`);
      const back = oneEvent(el, 'alloy-console-navigate');
      root.querySelector<HTMLAnchorElement>('a[href="/console/users"]')!.click();
      expect((await back).detail.path).to.equal('/console/users');
    });

    it('says when a user has nothing yet', async () => {
      const api = detailApi()
        .on('listInstallations', { data: [] })
        .on('listUserCredentials', { data: [] })
        .on('searchLogs', EMPTY_LOGS);
      const el = await mount('alloy-console-users', api, { route: USER_ID });
      await find(rootOf(el), '#installations-title');
      expect(text(rootOf(el)))
        .to.contain('No installations.')
        .and.contain('No credentials.')
        .and.contain('No executions.');
      await expect(el).to.be.accessible();
    });

    it('shows a missing user as an error, accessibly', async () => {
      const api = detailApi().on('getUser', () => {
        throw apiError('The user was not found.', 404, 'not_found');
      });
      const el = await mount('alloy-console-users', api, { route: 'nobody' });
      const alert = await find(rootOf(el), '[role="alert"]');
      expect(text(alert)).to.contain('The user was not found.');
      expect(api.calls).to.have.length(1);
      await expect(el).to.be.accessible();
    });

    it('Generate link opens the share dialog for this user with an integration choice', async () => {
      const api = detailApi();
      const el = await mount('alloy-console-users', api, { route: USER_ID });
      await find(rootOf(el), '#installations-title');
      button(rootOf(el), 'Generate link').click();
      const dialogEl = rootOf(el).querySelector('alloy-console-share-dialog') as AlloyConsoleShareDialog;
      const root = dialogEl.shadowRoot!;
      const select = await find<HTMLSelectElement>(root, '#share-integration');
      expect(root.querySelector('dialog')!.open).to.equal(true);
      expect(text(root.querySelector('h2'))).to.equal('Generate an install link');
      expect(text(root.querySelector('form'))).to.contain('User: ada@acme.test (Ada Lovelace)');
      expect(root.querySelector('input[type="radio"]')).to.equal(null);
      expect(select.value).to.equal(INTEGRATION_ID);
      await expect(el).to.be.accessible();
      typeInto(select, SECOND_INTEGRATION_ID);
      typeInto(root.querySelector<HTMLSelectElement>('#share-expiry')!, '1');
      button(root, 'Create link').click();
      await find(root, '#share-link');
      expect(api.callsTo('createInstallUrl')).to.deep.equal([
        {
          method: 'GET',
          path: `/2024-03/users/${USER_ID}/integrations/${SECOND_INTEGRATION_ID}/install-url`,
          query: { expiresIn: 86_400 },
        },
      ]);
      expect(api.callsTo('listUsers')).to.have.length(0);
    });

    describe('Generate token', () => {
      // A JWT-shaped token whose payload says it expires at 2026-12-06T21:00:00Z.
      const EXP = Date.parse('2026-12-06T21:00:00.000Z') / 1000;
      const TOKEN = `eyJhbGciOiJIUzI1NiJ9.${btoa(JSON.stringify({ sub: USER_ID, exp: EXP }))
        .replace(/=+$/, '')
        .replace(/\+/g, '-')
        .replace(/\//g, '_')}.c2lnbmF0dXJl`;

      it('is a button with its note until asked, accessibly', async () => {
        const api = detailApi();
        const el = await mount('alloy-console-users', api, { route: USER_ID });
        await find(rootOf(el), '#installations-title');
        const card = rootOf(el).querySelector('[aria-labelledby="token-title"]')!;
        expect(text(card.querySelector('h2'))).to.equal('User token');
        expect(text(card)).to.contain('short-lived').and.contain('testing the SDK');
        expect(card.querySelector('#user-token')).to.equal(null);
        expect(api.callsTo('getUserToken')).to.have.length(0);
        await expect(el).to.be.accessible();
      });

      it('shows generating, then the token once, read-only with Copy and its expiry, accessibly', async () => {
        const pending = deferred();
        const api = detailApi().on('getUserToken', () => pending.promise);
        const el = await mount('alloy-console-users', api, { route: USER_ID });
        await find(rootOf(el), '#installations-title');
        button(rootOf(el), 'Generate token').click();
        await el.updateComplete;
        const busy = button(rootOf(el), 'Generating…');
        expect(busy.disabled).to.equal(true);
        await expect(el).to.be.accessible();
        pending.resolve({ token: TOKEN });
        const input = await find<HTMLInputElement>(rootOf(el), '#user-token');
        expect(api.callsTo('getUserToken')).to.deep.equal([{ method: 'GET', path: `/2024-03/users/${USER_ID}/token` }]);
        expect(input.readOnly).to.equal(true);
        expect(input.value).to.equal(TOKEN);
        const card = rootOf(el).querySelector('[aria-labelledby="token-title"]')!;
        const when = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' }).format(EXP * 1000);
        expect(text(card)).to.contain(`Expires ${when}`);
        await waitUntil(() => rootOf(el).activeElement === input, 'focus did not move to the token');
        await expect(el).to.be.accessible();

        let copied = '';
        Object.defineProperty(navigator.clipboard, 'writeText', {
          configurable: true,
          value: async (value: string) => void (copied = value),
        });
        try {
          button(rootOf(el), 'Copy').click();
          await waitUntil(() => text(card.querySelector('[role="status"]')) === 'Token copied.');
          expect(copied).to.equal(TOKEN);
          await expect(el).to.be.accessible();
          Object.defineProperty(navigator.clipboard, 'writeText', {
            configurable: true,
            value: () => Promise.reject(new DOMException('denied', 'NotAllowedError')),
          });
          button(rootOf(el), 'Copy').click();
          await waitUntil(() => text(card.querySelector('[role="status"]')).startsWith('Could not copy'));
          await expect(el).to.be.accessible();
        } finally {
          delete (navigator.clipboard as unknown as Record<string, unknown>)['writeText'];
        }

        // Shown once: another page, and back, shows the button again.
        el.route = '';
        api.on('listUsers', USERS);
        await find(rootOf(el), 'ul.rows');
        el.route = USER_ID;
        await find(rootOf(el), '#installations-title');
        expect(rootOf(el).querySelector('#user-token')).to.equal(null);
        expect(text(button(rootOf(el), 'Generate token'))).to.equal('Generate token');
      });

      it('shows a failure with its request id and tries again, accessibly', async () => {
        let fail = true;
        const api = detailApi().on('getUserToken', () => {
          if (fail) throw apiError();
          return { token: TOKEN };
        });
        const el = await mount('alloy-console-users', api, { route: USER_ID });
        await find(rootOf(el), '#installations-title');
        button(rootOf(el), 'Generate token').click();
        const alert = await find(rootOf(el), '[aria-labelledby="token-title"] [role="alert"]');
        expect(text(alert)).to.contain('The server is down for maintenance.').and.contain('req_0123456789abcdef');
        await expect(el).to.be.accessible();
        fail = false;
        button(rootOf(el), 'Try again').click();
        await find(rootOf(el), '#user-token');
        expect(api.callsTo('getUserToken')).to.have.length(2);
      });

      it('speaks every language', async () => {
        const el = await mount('alloy-console-users', detailApi(), { route: USER_ID, lang: 'de' });
        await find(rootOf(el), '#installations-title');
        expect(button(rootOf(el), 'Token erstellen').disabled).to.equal(false);
        expect(text(rootOf(el).querySelector('#token-title'))).to.equal('Benutzer-Token');
      });
    });

    it('moves between list and detail when the shell changes the route', async () => {
      const api = detailApi().on('listUsers', USERS);
      const el = await mount('alloy-console-users', api, { route: '' });
      await find(rootOf(el), 'ul.rows');
      el.route = USER_ID;
      await find(rootOf(el), '#installations-title');
      el.route = '';
      await find(rootOf(el), 'ul.rows');
      expect(api.callsTo('listUsers')).to.have.length(2);
      expect(api.callsTo('getUser')).to.have.length(1);
    });
  });
});
