import { expect, waitUntil } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { AlloyConsoleActiveSwitch } from '../../../../src/console/views/index.js';
import { FakeConsoleApi, apiError } from '../views/fake-console-api.js';
import { CONSOLE_INTEGRATIONS, INTEGRATION_ID, SECOND_INTEGRATION_ID } from '../views/fixtures.js';
import { find, mount, rootOf, text } from '../views/dom.js';

/** The catalogue with the second integration switched off. */
const MIXED = {
  data: CONSOLE_INTEGRATIONS.data.map((i) => (i.integrationId === SECOND_INTEGRATION_ID ? { ...i, active: false } : i)),
};

async function loaded(api: FakeConsoleApi) {
  const el = await mount('alloy-console-integrations', api);
  await find(rootOf(el), 'ul.grid');
  return el;
}

const switches = (el: HTMLElement) => [
  ...rootOf(el).querySelectorAll<AlloyConsoleActiveSwitch>('alloy-console-active-switch'),
];
const control = (s: AlloyConsoleActiveSwitch) => s.shadowRoot!.querySelector<HTMLButtonElement>('[role="switch"]')!;

describe('<alloy-console-integrations>: the Active switch in each row', () => {
  afterEach(async () => {
    await setViewport({ width: 800, height: 600 });
  });

  it('renders each row’s switch with its integration, state, api and language, accessibly', async () => {
    const api = new FakeConsoleApi().onIntegrations(MIXED);
    const el = await loaded(api);
    const found = switches(el);
    expect(found.map((s) => [s.integrationId, s.active])).to.deep.equal([
      [INTEGRATION_ID, true],
      [SECOND_INTEGRATION_ID, false],
    ]);
    expect(found.every((s) => s.api === api && s.lang === 'en')).to.equal(true);
    await found[0]!.updateComplete;
    expect(control(found[0]!).getAttribute('aria-checked')).to.equal('true');
    expect(control(found[1]!).getAttribute('aria-checked')).to.equal('false');
    await expect(el).to.be.accessible();
  });

  it('a saved change updates that row only', async () => {
    const api = new FakeConsoleApi().onIntegrations(MIXED);
    const el = await loaded(api);
    control(switches(el)[1]!).click();
    await waitUntil(() => switches(el)[1]!.active, 'the row did not switch on');
    await el.updateComplete;
    expect(switches(el).map((s) => s.active)).to.deep.equal([true, true]);
    expect(api.calls.at(-1)).to.deep.equal({
      method: 'PUT',
      path: `/console/api/integrations/${SECOND_INTEGRATION_ID}/active`,
      body: { active: true },
    });
    // The row's data took it: a re-render (language change) keeps the new state.
    el.lang = 'de';
    await el.updateComplete;
    expect(switches(el).map((s) => [s.active, s.lang])).to.deep.equal([
      [true, 'de'],
      [true, 'de'],
    ]);
  });

  it('a failed change shows its error in the row and keeps the state, accessibly', async () => {
    const api = new FakeConsoleApi().onIntegrations(CONSOLE_INTEGRATIONS).onSetActive(() => {
      throw apiError('CSRF token missing or wrong.', 403, 'forbidden');
    });
    const el = await loaded(api);
    const first = switches(el)[0]!;
    control(first).click();
    await waitUntil(() => first.shadowRoot!.querySelector('[role="alert"]'), 'no error');
    expect(text(first.shadowRoot!.querySelector('[role="alert"]'))).to.contain('CSRF token missing or wrong.');
    expect(first.active).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('fits a 375 px wide screen', async () => {
    await setViewport({ width: 375, height: 700 });
    const el = await loaded(new FakeConsoleApi().onIntegrations(CONSOLE_INTEGRATIONS));
    const card = rootOf(el).querySelector('li.integration')!;
    expect(card.scrollWidth).to.be.at.most(card.clientWidth + 1);
    const box = switches(el)[0]!.getBoundingClientRect();
    expect(box.right).to.be.at.most(375);
  });
});
