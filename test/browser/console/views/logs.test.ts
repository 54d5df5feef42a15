import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import type { ConsoleRequest } from '../../../../src/console/api-types.js';
import { FakeConsoleApi, apiError, deferred } from './fake-console-api.js';
import {
  EMPTY_LOGS,
  EXECUTION,
  EXECUTION_ID,
  LOGS_PAGE_1,
  LOGS_PAGE_2,
  SECOND_EXECUTION_ID,
  USER_ID,
  WORKFLOW_ID,
} from './fixtures.js';
import { button, find, mount, rootOf, settle, text, typeInto } from './dom.js';

function listApi(): FakeConsoleApi {
  return new FakeConsoleApi().on('searchLogs', (request: ConsoleRequest) =>
    request.query?.['cursor'] ? LOGS_PAGE_2 : LOGS_PAGE_1,
  );
}

function detailApi(): FakeConsoleApi {
  return new FakeConsoleApi()
    .on('getExecution', EXECUTION)
    .on('getUser', { userId: USER_ID, username: 'ada@acme.test', fullName: 'Ada Lovelace' })
    .on('rerunExecution', { message: 'Rerun queued', runId: '65a1c0de0000000000000602', rerunOf: EXECUTION_ID });
}

describe('<alloy-console-logs>', () => {
  describe('executions', () => {
    it('shows loading, accessibly', async () => {
      const pending = deferred();
      const el = await mount(
        'alloy-console-logs',
        new FakeConsoleApi().on('searchLogs', () => pending.promise),
        {
          route: '',
        },
      );
      expect(text(rootOf(el).querySelector('[role="status"]'))).to.equal('Loading…');
      await expect(el).to.be.accessible();
      pending.resolve(LOGS_PAGE_1);
      await find(rootOf(el), 'table');
    });

    it('lists executions newest first with status, user, duration and a link, accessibly', async () => {
      const api = listApi();
      const el = await mount('alloy-console-logs', api, { route: '' });
      await find(rootOf(el), 'table');
      expect(api.calls).to.deep.equal([
        { method: 'GET', path: '/2024-03/logs', query: { limit: 25, sortOrder: 'desc' } },
      ]);
      const row = rootOf(el).querySelector('tbody tr')!;
      expect(text(row)).to.contain('New orders to Acme').and.contain('Demo Store').and.contain('Error');
      expect(text(row)).to.contain('ada@acme.test').and.contain('1.3 s');
      expect(getComputedStyle(row.querySelector('td.date')!).whiteSpace).to.equal('nowrap');
      const link = row.querySelector('a')!;
      expect(link.getAttribute('href')).to.equal(`/console/logs/${EXECUTION_ID}`);
      await expect(el).to.be.accessible();
      const navigated = oneEvent(el, 'alloy-console-navigate');
      link.click();
      expect((await navigated).detail.path).to.equal(`/console/logs/${EXECUTION_ID}`);
    });

    it('loads more with the keyset cursor until there is none', async () => {
      const api = listApi();
      const el = await mount('alloy-console-logs', api, { route: '' });
      await find(rootOf(el), 'table');
      button(rootOf(el), 'Load more').click();
      await waitUntil(() => rootOf(el).querySelectorAll('tbody tr').length === 2);
      expect(api.calls.at(-1)!.query).to.deep.equal({ limit: 25, sortOrder: 'desc', cursor: 'c2026-12-01T10-00-00Z' });
      expect(rootOf(el).querySelectorAll('tbody a')[1]!.getAttribute('href')).to.equal(
        `/console/logs/${SECOND_EXECUTION_ID}`,
      );
      expect([...rootOf(el).querySelectorAll('button')].some((b) => text(b) === 'Load more')).to.equal(false);
    });

    it('sends the filters GET /logs accepts: status as a message filter, workflowId, associatedUserId, sortOrder', async () => {
      const api = listApi();
      const el = await mount('alloy-console-logs', api, { route: '' });
      await find(rootOf(el), 'table');
      const root = rootOf(el);
      typeInto(root.querySelector<HTMLSelectElement>('#logs-status')!, 'error');
      typeInto(root.querySelector<HTMLInputElement>('#logs-workflow')!, ` ${WORKFLOW_ID} `);
      typeInto(root.querySelector<HTMLInputElement>('#logs-user')!, 'ada@acme.test');
      typeInto(root.querySelector<HTMLSelectElement>('#logs-order')!, 'asc');
      button(root, 'Apply').click();
      await waitUntil(() => api.calls.length === 2);
      expect(api.calls[1]!.query).to.deep.equal({
        limit: 25,
        sortOrder: 'asc',
        filters: JSON.stringify([
          { columns: { value: 'message' }, operators: { value: 'equals' }, userinput: { value: 'executionError' } },
        ]),
        workflowId: WORKFLOW_ID,
        associatedUserId: 'ada@acme.test',
      });
      await find(root, 'table');
      // Load more keeps the filters.
      button(root, 'Load more').click();
      await waitUntil(() => api.calls.length === 3);
      expect(api.calls[2]!.query).to.include({
        sortOrder: 'asc',
        workflowId: WORKFLOW_ID,
        cursor: 'c2026-12-01T10-00-00Z',
      });
    });

    it('says so when nothing matches, accessibly', async () => {
      const el = await mount('alloy-console-logs', new FakeConsoleApi().on('searchLogs', EMPTY_LOGS), { route: '' });
      await settle(el);
      expect(text(rootOf(el))).to.contain('No executions match.');
      await expect(el).to.be.accessible();
    });

    it('shows a refused filter as an error with its request id, accessibly', async () => {
      const api = new FakeConsoleApi().on('searchLogs', () => {
        throw apiError('workflowId: must be a 24-character hex id', 400, 'validation_failed');
      });
      const el = await mount('alloy-console-logs', api, { route: '' });
      const alert = await find(rootOf(el), '[role="alert"]');
      expect(text(alert)).to.contain('must be a 24-character hex id').and.contain('req_0123456789abcdef');
      expect(rootOf(el).querySelector('form')).to.not.equal(null);
      await expect(el).to.be.accessible();
    });
  });

  describe('execution detail', () => {
    it('shows loading, accessibly', async () => {
      const pending = deferred();
      const el = await mount(
        'alloy-console-logs',
        detailApi().on('getExecution', () => pending.promise),
        {
          route: EXECUTION_ID,
        },
      );
      expect(text(rootOf(el).querySelector('[role="status"]'))).to.equal('Loading…');
      await expect(el).to.be.accessible();
      pending.resolve(EXECUTION);
      await find(rootOf(el), 'article');
    });

    it('shows every block with status, timing, input and output as text, accessibly', async () => {
      const api = detailApi();
      const el = await mount('alloy-console-logs', api, { route: EXECUTION_ID });
      await find(rootOf(el), 'article');
      await find(rootOf(el), 'dd.user .user-id');
      expect(api.calls).to.deep.equal([
        { method: 'GET', path: `/2024-03/logs/${EXECUTION_ID}` },
        { method: 'GET', path: `/2024-03/users/${USER_ID}` },
      ]);
      const root = rootOf(el);
      // The username, with the id as secondary text.
      expect(text(root.querySelector('dd.user a'))).to.equal('ada@acme.test');
      expect(text(root.querySelector('dd.user .user-id'))).to.equal(USER_ID);
      expect(text(root.querySelector('h1'))).to.equal(`Execution ${EXECUTION_ID}`);
      expect(text(root.querySelector('dl')))
        .to.contain('Error')
        .and.contain('trigger')
        .and.contain('1.3 s');
      expect(root.querySelector('dl a')!.getAttribute('href')).to.equal(`/console/users/${USER_ID}`);
      const [trigger, stream] = [...root.querySelectorAll('article')];
      expect(text(trigger!.querySelector('h3'))).to.equal('New order');
      expect(text(trigger)).to.contain('Success').and.contain('300 ms').and.contain('No input recorded.');
      expect(JSON.parse(trigger!.querySelector('pre')!.textContent!)).to.deep.equal([
        { orderId: 'A-1001', total: 42.5 },
      ]);
      const [input, output] = [...stream!.querySelectorAll('pre')];
      expect(input!.textContent).to.equal(JSON.stringify({ orderId: 'A-1001', apiKey: '********' }, null, 2));
      expect(output!.textContent).to.equal('[]');
      // The error is text: no markup from the API reaches the DOM.
      expect(text(stream!.querySelector('.block-error'))).to.equal('Error: Acme answered 500 <b>Internal</b>');
      expect(stream!.querySelector('b')).to.equal(null);
      expect(input!.tabIndex).to.equal(0);
      await expect(el).to.be.accessible();
    });

    it('shows the user id alone when the user is gone, accessibly', async () => {
      const api = detailApi().on('getUser', () => {
        throw apiError('The user was not found.', 404, 'not_found');
      });
      const el = await mount('alloy-console-logs', api, { route: EXECUTION_ID });
      await find(rootOf(el), 'article');
      await waitUntil(() => api.callsTo('getUser').length === 1);
      await settle(el);
      const user = rootOf(el).querySelector('dd.user')!;
      expect(text(user.querySelector('a'))).to.equal(USER_ID);
      expect(user.querySelector('.user-id')).to.equal(null);
      expect(rootOf(el).querySelector('[role="alert"]')).to.equal(null);
      await expect(el).to.be.accessible();
    });

    it('reruns the execution and says the run is queued', async () => {
      const api = detailApi();
      const el = await mount('alloy-console-logs', api, { route: EXECUTION_ID });
      await find(rootOf(el), 'article');
      button(rootOf(el), 'Rerun').click();
      await waitUntil(() => text(rootOf(el).querySelector('p[role="status"]')).startsWith('Rerun queued'));
      expect(text(rootOf(el).querySelector('p[role="status"]'))).to.equal(
        'Rerun queued (run 65a1c0de0000000000000602).',
      );
      expect(api.callsTo('rerunExecution')).to.deep.equal([
        { method: 'POST', path: `/2024-03/workflows/${WORKFLOW_ID}/rerun/${EXECUTION_ID}`, body: {} },
      ]);
      await expect(el).to.be.accessible();
    });

    it('shows a refused rerun as an error', async () => {
      const api = detailApi().on('rerunExecution', () => {
        throw apiError('The workflow is not active for this user.', 409, 'conflict');
      });
      const el = await mount('alloy-console-logs', api, { route: EXECUTION_ID });
      await find(rootOf(el), 'article');
      button(rootOf(el), 'Rerun').click();
      const alert = await find(rootOf(el), '[role="alert"]');
      expect(text(alert)).to.contain('The workflow is not active for this user.').and.contain('req_0123456789abcdef');
      expect(button(rootOf(el), 'Rerun').disabled).to.equal(false);
      await expect(el).to.be.accessible();
    });

    it('shows an unknown execution as an error, accessibly, with a way back', async () => {
      const api = detailApi().on('getExecution', () => {
        throw apiError('The execution was not found.', 404, 'not_found');
      });
      const el = await mount('alloy-console-logs', api, { route: EXECUTION_ID });
      const alert = await find(rootOf(el), '[role="alert"]');
      expect(text(alert)).to.contain('The execution was not found.');
      const back = oneEvent(el, 'alloy-console-navigate');
      rootOf(el).querySelector<HTMLAnchorElement>('a[href="/console/logs"]')!.click();
      expect((await back).detail.path).to.equal('/console/logs');
      await expect(el).to.be.accessible();
    });

    it('shows the strings of its language', async () => {
      const el = await mount('alloy-console-logs', detailApi(), { route: EXECUTION_ID, lang: 'fr' });
      await find(rootOf(el), 'article');
      expect(text(button(rootOf(el), 'Relancer'))).to.equal('Relancer');
      expect(text(rootOf(el)))
        .to.contain('Entrée')
        .and.contain('Sortie')
        .and.contain('Blocs');
    });
  });
});
