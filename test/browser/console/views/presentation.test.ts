import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import { emulateMedia, sendKeys, setViewport } from '@web/test-runner-commands';
import type { AlloyConsoleShareDialog } from '../../../../src/console/views/index.js';
import { FakeConsoleApi } from './fake-console-api.js';
import {
  DELIVERIES,
  EXECUTION,
  EXECUTION_ID,
  CONSOLE_INTEGRATIONS,
  INSTALLATIONS,
  INTEGRATIONS,
  LOGS_PAGE_1,
  USERS,
  USER_ID,
  CREDENTIALS,
} from './fixtures.js';
import { find, mount, rootOf, type ViewTag } from './dom.js';

function everythingApi(): FakeConsoleApi {
  return new FakeConsoleApi()
    .onIntegrations(CONSOLE_INTEGRATIONS)
    .on('listUsers', USERS)
    .on('getUser', USERS.data[0])
    .on('listIntegrations', INTEGRATIONS)
    .on('listInstallations', INSTALLATIONS)
    .on('listUserCredentials', CREDENTIALS)
    .on('searchLogs', LOGS_PAGE_1)
    .on('getExecution', EXECUTION)
    .on('listWebhookDeliveries', DELIVERIES)
    .onSearchUsers(({ search }: { search?: string }) => ({
      data: USERS.data
        .filter((u) => !search || u.username.startsWith(search))
        .map((u) => ({ ...u, createdAt: '2026-01-02T03:04:05.000Z' })),
    }));
}

const FILLED: [ViewTag, string | undefined, string][] = [
  ['alloy-console-integrations', undefined, 'ul.grid'],
  ['alloy-console-users', '', 'ul.rows'],
  ['alloy-console-users', USER_ID, '#installations-title'],
  ['alloy-console-logs', '', 'table'],
  ['alloy-console-logs', EXECUTION_ID, 'article'],
  ['alloy-console-deliveries', undefined, 'table'],
];

const rgb = (el: Element, property: 'color' | 'background-color') => getComputedStyle(el).getPropertyValue(property);

describe('console views: presentation', () => {
  afterEach(async () => {
    delete document.documentElement.dataset['theme'];
    await emulateMedia({ colorScheme: 'light' });
    await setViewport({ width: 800, height: 600 });
  });

  describe('at 375 px wide', () => {
    for (const [tag, route, ready] of FILLED) {
      it(`${tag}${route ? `/${route.slice(0, 6)}…` : route === '' ? ' (list)' : ''} does not scroll the page sideways`, async () => {
        await setViewport({ width: 375, height: 740 });
        const el = await mount(tag, everythingApi(), route === undefined ? {} : { route });
        await find(rootOf(el), ready);
        expect(document.documentElement.scrollWidth).to.be.at.most(375);
        await expect(el).to.be.accessible();
      });
    }

    it('the share dialog fits the screen', async () => {
      await setViewport({ width: 375, height: 740 });
      const el = await mount('alloy-console-integrations', everythingApi());
      await find(rootOf(el), 'ul.grid');
      rootOf(el).querySelector<HTMLButtonElement>('li button')!.click();
      const dialogEl = rootOf(el).querySelector('alloy-console-share-dialog') as AlloyConsoleShareDialog;
      const dialog = await find(dialogEl.shadowRoot!, 'dialog[open]');
      const box = dialog.getBoundingClientRect();
      expect(box.left).to.be.at.least(0);
      expect(box.right).to.be.at.most(375);
    });
  });

  describe('theme', () => {
    it('uses the modal’s light tokens by default and the dark ones under data-theme="dark"', async () => {
      const el = await mount('alloy-console-deliveries', everythingApi());
      const heading = await find(rootOf(el), 'h1');
      expect(rgb(heading, 'color')).to.equal('rgb(31, 41, 55)');
      document.documentElement.dataset['theme'] = 'dark';
      expect(rgb(heading, 'color')).to.equal('rgb(244, 244, 245)');
      document.documentElement.dataset['theme'] = 'light';
      await emulateMedia({ colorScheme: 'dark' });
      expect(rgb(heading, 'color')).to.equal('rgb(31, 41, 55)');
    });

    it('follows the system under data-theme="auto"', async () => {
      document.documentElement.dataset['theme'] = 'auto';
      await emulateMedia({ colorScheme: 'dark' });
      const el = await mount('alloy-console-deliveries', everythingApi());
      // The shell paints the page; here, the dark surface the tokens pair with.
      el.parentElement!.style.background = '#1c1c21';
      await find(rootOf(el), 'table');
      expect(rgb(rootOf(el).querySelector('h1')!, 'color')).to.equal('rgb(244, 244, 245)');
      await expect(el).to.be.accessible();
    });

    it('takes a host’s --alloy-* values', async () => {
      const el = await mount('alloy-console-integrations', everythingApi());
      el.parentElement!.style.setProperty('--alloy-color-primary', 'rgb(1, 2, 3)');
      el.parentElement!.style.setProperty('--alloy-dark-color-primary', 'rgb(4, 5, 6)');
      await find(rootOf(el), 'ul.grid');
      const share = rootOf(el).querySelector('li button')!;
      expect(rgb(share, 'background-color')).to.equal('rgb(1, 2, 3)');
      document.documentElement.dataset['theme'] = 'dark';
      expect(rgb(share, 'background-color')).to.equal('rgb(4, 5, 6)');
    });
  });

  describe('keyboard', () => {
    it('opens Share with Enter, closes it with Escape, and focus goes back to the button', async () => {
      const el = await mount('alloy-console-integrations', everythingApi());
      await find(rootOf(el), 'ul.grid');
      const share = rootOf(el).querySelector<HTMLButtonElement>('li button')!;
      share.focus();
      await sendKeys({ press: 'Enter' });
      const dialogEl = rootOf(el).querySelector('alloy-console-share-dialog') as AlloyConsoleShareDialog;
      const dialog = await find<HTMLDialogElement>(dialogEl.shadowRoot!, 'dialog[open]');
      await waitUntil(() => dialogEl.shadowRoot!.activeElement, 'focus did not move into the dialog');
      expect(dialog.contains(dialogEl.shadowRoot!.activeElement)).to.equal(true);
      await sendKeys({ press: 'Escape' });
      await waitUntil(() => !dialog.open, 'Escape did not close the dialog');
      await waitUntil(() => rootOf(el).activeElement === share, 'focus did not return to Share');
    });

    it('reaches a user with Tab and opens it with Enter', async () => {
      const el = await mount('alloy-console-users', everythingApi(), { route: '' });
      const search = await find<HTMLInputElement>(rootOf(el), '#users-search');
      search.focus();
      await sendKeys({ type: 'grace' });
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => rootOf(el).querySelectorAll('ul.rows li').length === 1, 'the search did not answer');
      await sendKeys({ press: 'Tab' });
      expect(rootOf(el).activeElement!.textContent).to.equal('grace@acme.test');
      const navigated = oneEvent(el, 'alloy-console-navigate');
      await sendKeys({ press: 'Enter' });
      expect((await navigated).detail.path).to.equal(`/console/users/${USERS.data[1]!.userId}`);
    });
  });
});
