import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ConsoleLanguage } from '../../../../src/console/api-types.js';
import type { AlloyConsoleActiveChangeEvent, AlloyConsoleActiveSwitch } from '../../../../src/console/views/index.js';
import { FakeConsoleApi, apiError, deferred } from '../views/fake-console-api.js';
import { INTEGRATION_ID } from '../views/fixtures.js';
import { rootOf, text } from '../views/dom.js';

async function mountSwitch(
  api: FakeConsoleApi,
  active: boolean,
  lang: ConsoleLanguage = 'en',
): Promise<AlloyConsoleActiveSwitch> {
  const el = await fixture<AlloyConsoleActiveSwitch>(
    html`<alloy-console-active-switch
      .api=${api}
      .integrationId=${INTEGRATION_ID}
      .active=${active}
      lang=${lang}
    ></alloy-console-active-switch>`,
  );
  await el.updateComplete;
  return el;
}

const switchOf = (el: AlloyConsoleActiveSwitch) => rootOf(el).querySelector<HTMLButtonElement>('[role="switch"]')!;
const statusOf = (el: AlloyConsoleActiveSwitch) => text(rootOf(el).querySelector('[role="status"]'));
const alertOf = (el: AlloyConsoleActiveSwitch) => rootOf(el).querySelector('[role="alert"]');
const PATH = `/console/api/integrations/${INTEGRATION_ID}/active`;

describe('<alloy-console-active-switch>', () => {
  it('on: a switch named "Active", checked, accessibly', async () => {
    const el = await mountSwitch(new FakeConsoleApi(), true);
    const control = switchOf(el);
    expect(control.tagName).to.equal('BUTTON');
    expect(control.getAttribute('aria-checked')).to.equal('true');
    expect(text(control.querySelector('.label'))).to.equal('Active');
    expect(statusOf(el)).to.equal('');
    expect(alertOf(el)).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('off: unchecked, accessibly', async () => {
    const el = await mountSwitch(new FakeConsoleApi(), false);
    expect(switchOf(el).getAttribute('aria-checked')).to.equal('false');
    expect(text(switchOf(el).querySelector('.state'))).to.equal('Off');
    await expect(el).to.be.accessible();
  });

  it('pending: shows the new state and "Saving…", ignores more presses, then fires the change', async () => {
    const api = new FakeConsoleApi();
    const held = deferred();
    api.onSetActive((integrationId: string, active: boolean) => held.promise.then(() => ({ integrationId, active })));
    const el = await mountSwitch(api, true);
    switchOf(el).click();
    await el.updateComplete;
    expect(switchOf(el).getAttribute('aria-checked')).to.equal('false');
    expect(switchOf(el).getAttribute('aria-disabled')).to.equal('true');
    expect(statusOf(el)).to.equal('Saving…');
    await expect(el).to.be.accessible();
    switchOf(el).click();
    expect(api.calls).to.deep.equal([{ method: 'PUT', path: PATH, body: { active: false } }]);

    const changed = oneEvent(el, 'alloy-console-active-change') as Promise<AlloyConsoleActiveChangeEvent>;
    held.resolve(undefined);
    const event = await changed;
    expect(event.detail).to.deep.equal({ integrationId: INTEGRATION_ID, active: false });
    expect(event.bubbles && event.composed).to.equal(true);
    await el.updateComplete;
    expect(el.active).to.equal(false);
    expect(switchOf(el).getAttribute('aria-checked')).to.equal('false');
    expect(switchOf(el).getAttribute('aria-disabled')).to.equal('false');
    expect(statusOf(el)).to.equal('');
  });

  it('error: goes back to the saved state and says why (role=alert), accessibly; a second press tries again', async () => {
    let fail = true;
    const api = new FakeConsoleApi().onSetActive((integrationId: string, active: boolean) => {
      if (fail) throw apiError('The integration was not found.', 404, 'not_found');
      return { integrationId, active };
    });
    const el = await mountSwitch(api, true);
    let fired = 0;
    el.addEventListener('alloy-console-active-change', () => (fired += 1));
    switchOf(el).click();
    await waitUntil(() => alertOf(el), 'no alert');
    expect(text(alertOf(el))).to.equal('The change was not saved: The integration was not found.');
    expect(switchOf(el).getAttribute('aria-checked')).to.equal('true');
    expect(switchOf(el).getAttribute('aria-disabled')).to.equal('false');
    expect(el.active).to.equal(true);
    expect(fired).to.equal(0);
    await expect(el).to.be.accessible();

    fail = false;
    switchOf(el).click();
    await waitUntil(() => el.active === false, 'the retry did not switch it off');
    await el.updateComplete;
    expect(alertOf(el)).to.equal(null);
    expect(fired).to.equal(1);
  });

  it('toggles from the keyboard: Space and Enter', async () => {
    const api = new FakeConsoleApi();
    const el = await mountSwitch(api, false);
    switchOf(el).focus();
    await sendKeys({ press: 'Space' });
    await waitUntil(() => el.active, 'Space did not switch it on');
    await el.updateComplete;
    expect(switchOf(el).getAttribute('aria-checked')).to.equal('true');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => !el.active, 'Enter did not switch it off');
    expect(api.calls.map((c) => c.body)).to.deep.equal([{ active: true }, { active: false }]);
    expect(rootOf(el).activeElement).to.equal(switchOf(el), 'focus stays on the switch');
  });

  it('speaks the console’s four languages', async () => {
    const expected: Record<ConsoleLanguage, [string, string, string]> = {
      en: ['Active', 'On', 'Saving…'],
      es: ['Activa', 'Sí', 'Guardando…'],
      fr: ['Active', 'Oui', 'Enregistrement…'],
      de: ['Aktiv', 'An', 'Wird gespeichert…'],
    };
    for (const [lang, [label, on, saving]] of Object.entries(expected) as [
      ConsoleLanguage,
      [string, string, string],
    ][]) {
      const api = new FakeConsoleApi().onSetActive(() => new Promise(() => {}));
      const el = await mountSwitch(api, true, lang);
      expect(text(switchOf(el).querySelector('.label'))).to.equal(label);
      expect(text(switchOf(el).querySelector('.state'))).to.equal(on);
      switchOf(el).click();
      await el.updateComplete;
      expect(statusOf(el)).to.equal(saving);
    }
  });

  it('drops a late answer once it shows another integration', async () => {
    const api = new FakeConsoleApi();
    const held = deferred();
    api.onSetActive((integrationId: string, active: boolean) => held.promise.then(() => ({ integrationId, active })));
    const el = await mountSwitch(api, true);
    let fired = 0;
    el.addEventListener('alloy-console-active-change', () => (fired += 1));
    switchOf(el).click();
    await el.updateComplete;
    el.integrationId = '65a1c0de00000000000000ff';
    el.active = true;
    await el.updateComplete;
    expect(statusOf(el)).to.equal('');
    held.resolve(undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await el.updateComplete;
    expect(fired).to.equal(0);
    expect(el.active).to.equal(true);
    expect(switchOf(el).getAttribute('aria-checked')).to.equal('true');
  });
});
