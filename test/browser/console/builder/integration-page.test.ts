import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { ConsoleApi } from '../../../../src/console/api-types.js';
import type { AlloyConsoleIntegrationPage } from '../../../../src/console/views/index.js';
import { FakeConsoleApi } from '../views/fake-console-api.js';
import { text, typeInto } from '../views/dom.js';
import {
  CODE_INTEGRATION,
  CONSOLE_INTEGRATION,
  CONSOLE_INTEGRATION_ID,
  CONSOLE_WORKFLOW_ID,
  EMPTY_WORKFLOW,
  INTEGRATION_ID,
} from './fixtures.js';
import { buttonNamed } from './dom.js';

async function mountPage(api: ConsoleApi, integrationId: string): Promise<AlloyConsoleIntegrationPage> {
  const parent = await fixture<HTMLDivElement>(html`<div></div>`);
  const el = document.createElement('alloy-console-integration-page');
  el.integrationId = integrationId;
  el.api = api;
  parent.append(el);
  await waitUntil(() => el.shadowRoot?.querySelector('h1, .error'), 'the page did not load');
  return el;
}

describe('<alloy-console-integration-page>', () => {
  it('shows an integration made in the console: badge, Active switch, workflows, New workflow', async () => {
    const fake = new FakeConsoleApi().onBuilder('integration', CONSOLE_INTEGRATION);
    const el = await mountPage(fake, CONSOLE_INTEGRATION_ID);
    const root = el.shadowRoot!;
    expect(text(root.querySelector('h1'))).to.equal('Orders to Acme');
    expect(text(root.querySelector('.badge'))).to.equal('Made in the console');
    const toggle = root.querySelector('alloy-console-active-switch') as HTMLElement & {
      integrationId: string;
      active: boolean;
      api: unknown;
    };
    expect(toggle.integrationId).to.equal(CONSOLE_INTEGRATION_ID);
    expect(toggle.active).to.equal(true);
    expect(toggle.api).to.equal(fake);
    const items = [...root.querySelectorAll('ul.workflows li')].map((li) => text(li));
    expect(items).to.deep.equal([
      'Sync orders Version 1 Unreleased changes',
      'Fresh one Not released yet Unreleased changes',
    ]);
    expect(root.querySelector('ul.workflows a')!.getAttribute('href')).to.equal(
      `/console/integrations/${CONSOLE_INTEGRATION_ID}/workflows/${CONSOLE_WORKFLOW_ID}`,
    );
    expect(root.querySelector('a.export')!.getAttribute('href')).to.equal(
      `/console/api/integrations/${CONSOLE_INTEGRATION_ID}/export`,
    );
    await expect(el).to.be.accessible();
  });

  it('New workflow creates one and opens the builder', async () => {
    const fake = new FakeConsoleApi()
      .onBuilder('integration', CONSOLE_INTEGRATION)
      .onBuilder('createWorkflow', EMPTY_WORKFLOW);
    const el = await mountPage(fake, CONSOLE_INTEGRATION_ID);
    const root = el.shadowRoot!;
    typeInto(root.querySelector<HTMLInputElement>('#workflow-name')!, '  Sync orders ');
    await el.updateComplete;
    const navigated = oneEvent(el, 'alloy-console-navigate');
    buttonNamed(root, 'New workflow').click();
    const event = await navigated;
    expect(event.detail.path).to.equal(
      `/console/integrations/${CONSOLE_INTEGRATION_ID}/workflows/${CONSOLE_WORKFLOW_ID}`,
    );
    const call = fake.calls.find((c) => c.method === 'POST')!;
    expect(call.path).to.equal(`/console/api/integrations/${CONSOLE_INTEGRATION_ID}/workflows`);
    expect(call.body).to.deep.equal({ name: 'Sync orders' });
  });

  it('shows an integration defined in code: its file, no New workflow', async () => {
    const fake = new FakeConsoleApi().onBuilder('integration', CODE_INTEGRATION);
    const el = await mountPage(fake, INTEGRATION_ID);
    const root = el.shadowRoot!;
    expect(text(root.querySelector('.badge'))).to.equal('Defined in code (demo-store.integration.json)');
    expect(root.querySelector('form.new-workflow')).to.equal(null);
    expect(text(root.querySelector('ul.workflows'))).to.equal('New orders to Acme Version 2');
    await expect(el).to.be.accessible();
  });
});
