import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import { ConsoleApiError } from '../../../../src/console/api-types.js';
import { FakeConsoleApi } from '../views/fake-console-api.js';
import { CONSOLE_INTEGRATIONS } from '../views/fixtures.js';
import { find, mount, rootOf, text, typeInto } from '../views/dom.js';
import { CONNECTORS, CONSOLE_INTEGRATION, CONSOLE_INTEGRATION_ID } from './fixtures.js';
import { buttonNamed, inner } from './dom.js';

async function openDialog(fake: FakeConsoleApi) {
  const el = await mount('alloy-console-integrations', fake);
  await find(rootOf(el), 'ul.grid');
  buttonNamed(rootOf(el), 'New integration').click();
  const root = inner(rootOf(el), 'alloy-console-new-integration-dialog');
  const dialog = root.querySelector('dialog')!;
  await waitUntil(() => dialog.open && root.querySelectorAll('#app option').length > 1, 'the dialog did not open');
  return { el, root, dialog };
}

describe('New integration', () => {
  it('each integration of the list links to its page', async () => {
    const fake = new FakeConsoleApi().onIntegrations(CONSOLE_INTEGRATIONS);
    const el = await mount('alloy-console-integrations', fake);
    await find(rootOf(el), 'ul.grid');
    const link = rootOf(el).querySelector('h2 a')!;
    expect(link.getAttribute('href')).to.match(/^\/console\/integrations\/[0-9a-f]{24}$/);
    expect(rootOf(el).querySelectorAll('alloy-console-active-switch')).to.have.length(CONSOLE_INTEGRATIONS.data.length);
  });

  it('picks the app, a name and a description, creates it and opens its page', async () => {
    const fake = new FakeConsoleApi()
      .onIntegrations(CONSOLE_INTEGRATIONS)
      .onBuilder('connectors', CONNECTORS)
      .onBuilder('createIntegration', CONSOLE_INTEGRATION);
    const { el, root, dialog } = await openDialog(fake);
    expect([...root.querySelectorAll('#app option')].map((o) => text(o))).to.deep.equal([
      'Choose an app',
      'Demo Store',
    ]);
    await expect(el).to.be.accessible();
    typeInto(root.querySelector<HTMLSelectElement>('#app')!, 'demoStore');
    typeInto(root.querySelector<HTMLInputElement>('#name')!, 'Orders to Acme');
    typeInto(root.querySelector('#description') as unknown as HTMLInputElement, 'Made in the console.');
    const navigated = oneEvent(el, 'alloy-console-navigate');
    buttonNamed(root, 'Create').click();
    const event = await navigated;
    expect(event.detail.path).to.equal(`/console/integrations/${CONSOLE_INTEGRATION_ID}`);
    expect(fake.calls.find((c) => c.method === 'POST')!.body).to.deep.equal({
      app: 'demoStore',
      name: 'Orders to Acme',
      description: 'Made in the console.',
    });
    expect(dialog.open).to.equal(false);
  });

  it('says why it could not be created and keeps what was typed', async () => {
    const fake = new FakeConsoleApi()
      .onIntegrations(CONSOLE_INTEGRATIONS)
      .onBuilder('connectors', CONNECTORS)
      .onBuilder('createIntegration', () => {
        throw new ConsoleApiError('An integration named Demo Store exists.', 'conflict', 409);
      });
    const { el, root, dialog } = await openDialog(fake);
    typeInto(root.querySelector<HTMLSelectElement>('#app')!, 'demoStore');
    typeInto(root.querySelector<HTMLInputElement>('#name')!, 'Demo Store');
    buttonNamed(root, 'Create').click();
    await waitUntil(() => root.querySelector('[role="alert"]'), 'no error');
    expect(text(root.querySelector('[role="alert"]'))).to.contain('An integration named Demo Store exists.');
    expect(dialog.open).to.equal(true);
    expect(root.querySelector<HTMLInputElement>('#name')!.value).to.equal('Demo Store');
    await expect(el).to.be.accessible();
  });
});
