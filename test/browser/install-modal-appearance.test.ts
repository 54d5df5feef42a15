import { expect, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import type { AlloyFocusReturnEvent } from '../../src/modal/events.js';
import { focusReturnTiming } from '../../src/modal/install-modal/dialog-controller.js';
import { AppearanceSchema } from '../../src/sdk/options.js';
import { FakeApi, INTEGRATION_ID, dialogOf, openModal, removeModals } from './modal-fixtures.js';

const defaultTiming = { ...focusReturnTiming };

/** A trigger inside a focusable container (tabindex -1), focused, then the modal opened from it. */
async function openFromTrigger() {
  const container = document.createElement('div');
  container.tabIndex = -1;
  const trigger = document.createElement('button');
  trigger.textContent = 'Install';
  container.append(trigger);
  document.body.append(container);
  trigger.focus();
  const el = document.createElement('alloy-install-modal');
  el.integrationId = INTEGRATION_ID;
  el.api = new FakeApi();
  const returns: AlloyFocusReturnEvent['detail'][] = [];
  el.addEventListener('alloy-focus-return', (event) => returns.push(event.detail));
  document.body.append(el);
  const outcome = el.show();
  await waitUntil(() => el.shadowRoot!.querySelector('footer .primary'), 'first step did not render');
  return { el, container, trigger, returns, outcome };
}

describe('<alloy-install-modal> appearance defaults and focus return', () => {
  afterEach(async () => {
    Object.assign(focusReturnTiming, defaultTiming);
    removeModals();
    document.querySelectorAll('body > div[tabindex]').forEach((node) => node.remove());
    await emulateMedia({ colorScheme: 'light' });
  });

  it('follows a dark system colour scheme when no theme is given; an explicit light stays light', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const { el, root } = await openModal(new FakeApi());
    expect(dialogOf(root).className).to.equal('dark');
    await expect(el).to.be.accessible();
    el.appearance = { theme: 'light' };
    await el.updateComplete;
    expect(dialogOf(root).className).to.equal('light');
  });

  it('takes a number radius as px, in the modal and in the SDK options', async () => {
    const { el, root } = await openModal(new FakeApi(), { appearance: { radius: 4 } });
    expect(dialogOf(root).style.getPropertyValue('--alloy-radius')).to.equal('4px');
    expect(getComputedStyle(dialogOf(root)).borderTopLeftRadius).to.equal('4px');
    el.appearance = { radius: 0 };
    await el.updateComplete;
    expect(getComputedStyle(dialogOf(root)).borderTopLeftRadius).to.equal('0px');
    el.appearance = { radius: '1rem' };
    await el.updateComplete;
    expect(dialogOf(root).style.getPropertyValue('--alloy-radius')).to.equal('1rem');

    expect(AppearanceSchema.safeParse({ radius: 4 }).success).to.equal(true);
    expect(AppearanceSchema.safeParse({ radius: '8px' }).success).to.equal(true);
    expect(AppearanceSchema.safeParse({ radius: -1 }).success).to.equal(false);
    expect(AppearanceSchema.safeParse({ radius: Number.NaN }).success).to.equal(false);
  });

  it('returns focus to the opener and says so', async () => {
    const { el, trigger, returns, outcome } = await openFromTrigger();
    el.close();
    await outcome;
    expect(document.activeElement).to.equal(trigger);
    expect(returns).to.deep.equal([{ to: 'opener', element: trigger }]);
  });

  it('waits for an opener the host disabled, holding focus on its nearest focusable ancestor meanwhile', async () => {
    const { el, container, trigger, returns, outcome } = await openFromTrigger();
    trigger.disabled = true;
    el.close();
    await outcome;
    expect(document.activeElement, 'not lost to <body>').to.equal(container);
    expect(returns).to.have.length(0);
    setTimeout(() => (trigger.disabled = false), 150);
    await waitUntil(() => returns.length === 1, 'no alloy-focus-return');
    expect(document.activeElement).to.equal(trigger);
    expect(returns).to.deep.equal([{ to: 'opener', element: trigger }]);
  });

  it('settles on the nearest focusable ancestor when the opener is gone, or stays disabled past the wait', async () => {
    const removed = await openFromTrigger();
    removed.trigger.remove();
    removed.el.close();
    await removed.outcome;
    expect(document.activeElement).to.equal(removed.container);
    expect(removed.returns).to.deep.equal([{ to: 'ancestor', element: removed.container }]);

    focusReturnTiming.waitMs = 200;
    const disabled = await openFromTrigger();
    disabled.trigger.disabled = true;
    disabled.container.removeAttribute('tabindex');
    disabled.el.close();
    await disabled.outcome;
    await waitUntil(() => disabled.returns.length === 1, 'no alloy-focus-return');
    expect(disabled.returns).to.deep.equal([{ to: 'none', element: null }]);
  });
});
