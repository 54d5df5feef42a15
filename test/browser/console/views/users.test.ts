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

    it('lists users as links, searches them, and navigates on a click, accessibly', async () => {
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
      await expect(el).to.be.accessible();

      typeInto(rootOf(el).querySelector<HTMLInputElement>('#users-search')!, 'LOVELACE');
      await el.updateComplete;
      expect(rootOf(el).querySelectorAll('ul.rows li')).to.have.length(1);
      typeInto(rootOf(el).querySelector<HTMLInputElement>('#users-search')!, 'nobody');
      await el.updateComplete;
      expect(text(rootOf(el).querySelector('[role="status"]'))).to.equal('No loaded user matches your search.');
      await expect(el).to.be.accessible();
      typeInto(rootOf(el).querySelector<HTMLInputElement>('#users-search')!, '');
      await el.updateComplete;

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
