import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import {
  AuthApi,
  FakeApi,
  TWO_WORKFLOWS,
  control,
  dialogOf,
  openModal,
  primaryButton,
  removeModals,
  stepTitle,
  typeInto,
} from './modal-fixtures.js';

const button = (root: ShadowRoot, selector: string) => root.querySelector<HTMLButtonElement>(selector)!;
const confirmShown = (root: ShadowRoot) => root.querySelector('.confirm') !== null;

describe('<alloy-install-modal> in-flight safety', () => {
  // The auth step's chunk, compiled on first request by the test server: not inside a test's time.
  before(() => import('../../src/modal/lazy-steps.js'));
  afterEach(removeModals);

  it('while installing, Back, the inputs and every close path are out of reach', async () => {
    const api = new FakeApi(TWO_WORKFLOWS);
    const release = api.holdInstall();
    const { el, root, outcome } = await openModal(api, { workflowSelection: true });
    primaryButton(root).click();
    await waitUntil(() => stepTitle(root) === 'Settings');
    typeInto(control(root, 'Order reference prefix'), 'DS-');
    typeInto(control(root, 'Refund note'), 'Refunded');
    await el.updateComplete;
    primaryButton(root).click();
    await waitUntil(() => api.calls.length === 1);
    await el.updateComplete;

    const body = root.querySelector<HTMLElement>('.body')!;
    const prefix = control(root, 'Order reference prefix');
    expect(button(root, '.back').disabled, 'Back while installing').to.equal(true);
    expect(body.inert, 'the form is inert').to.equal(true);
    await waitUntil(() => Number(getComputedStyle(body).opacity) < 1, 'the form is dimmed');
    prefix.focus();
    expect(root.activeElement).to.not.equal(prefix);
    expect(button(root, '.close').disabled).to.equal(true);
    await expect(el).to.be.accessible();

    button(root, '.back').click();
    await sendKeys({ press: 'Escape' });
    dialogOf(root).dispatchEvent(new Event('cancel', { cancelable: true }));
    await el.updateComplete;
    expect(stepTitle(root), 'Back did nothing').to.equal('Settings');
    expect(confirmShown(root), 'nothing to ask while installing').to.equal(false);
    expect(dialogOf(root).open).to.equal(true);

    release();
    await waitUntil(() => root.querySelector('.success'), 'went straight on to success');
    expect(body.inert).to.equal(false);
    el.close();
    expect((await outcome).success).to.equal(true);
  });

  it('asks before Esc drops credentials typed on the auth step, and keeps them when the user stays', async () => {
    const api = new AuthApi();
    const { el, root, outcome } = await openModal(api);
    expect(stepTitle(root)).to.equal('Connect Demo Store');
    const apiKey = control(root, 'API key');
    typeInto(apiKey, 'sk_live_123');
    await el.updateComplete;
    apiKey.focus();

    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(confirmShown(root), 'Esc with typed credentials asks').to.equal(true);
    expect(root.querySelector('.confirm')!.textContent).to.contain('Discard');
    await expect(el).to.be.accessible();
    button(root, '.keep-editing').click();
    await el.updateComplete;
    expect(confirmShown(root)).to.equal(false);
    expect(control(root, 'API key').value).to.equal('sk_live_123');

    button(root, '.close').click();
    await el.updateComplete;
    expect(confirmShown(root), 'the close button asks the same question').to.equal(true);
    button(root, '[part~="discard-button"]').click();
    expect(await outcome).to.deep.equal({ success: false, reason: 'close-button' });
  });

  it('closes the auth step at once when nothing was typed', async () => {
    const { el, root, outcome } = await openModal(new AuthApi());
    expect(stepTitle(root)).to.equal('Connect Demo Store');
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(confirmShown(root)).to.equal(false);
    expect(await outcome).to.deep.equal({ success: false, reason: 'escape' });
  });
});
