import { expect, waitUntil } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import {
  AuthApi,
  CONNECTION,
  DEMO_STORE_APP,
  EVERY_FIELD_INTEGRATION,
  INSTALLED,
  dialogOf,
  fillEveryField,
  openModal,
  primaryButton,
  removeModals,
  stepTitle,
} from './modal-fixtures.js';

/** The dialog box once the opening animation (which moves it) is over. */
async function frameOf(root: ShadowRoot): Promise<{ height: number; top: number }> {
  await Promise.all(
    dialogOf(root)
      .getAnimations()
      .map((animation) => animation.finished),
  );
  const { height, top } = dialogOf(root).getBoundingClientRect();
  return { height, top };
}

/**
 * Walks one half of an install (auth → settings, or settings → install error → success; two tests
 * keep each within the test timeout, axe being slow) and expects the same box in every state.
 */
async function expectStillFrame(half: 'start' | 'end', expected: { height: number; top: number }): Promise<void> {
  const api = new AuthApi(EVERY_FIELD_INTEGRATION, [{ ...DEMO_STORE_APP, connections: [CONNECTION] }]);
  api.installResult = new Error('Could not reach the Alloy API.');
  const { el, root } = await openModal(api);
  const check = async (state: string) => {
    await el.updateComplete;
    const frame = await frameOf(root);
    expect(frame.height, `${state} height`).to.be.closeTo(expected.height, 0.5);
    expect(frame.top, `${state} top`).to.be.closeTo(expected.top, 0.5);
    await expect(el).to.be.accessible();
  };
  expect(stepTitle(root)).to.equal('Connect Demo Store');
  if (half === 'start') await check('auth');
  primaryButton(root).click();
  await waitUntil(() => stepTitle(root) === 'Settings');
  if (half === 'start') return check('settings');
  await fillEveryField(el, root);
  primaryButton(root).click();
  await waitUntil(() => root.querySelector('.result.error'));
  await check('install error');
  api.installResult = INSTALLED;
  primaryButton(root).click();
  await waitUntil(() => root.querySelector('.success'));
  await check('success');
}

describe('<alloy-install-modal> a stable frame', () => {
  // The auth step's chunk, compiled on first request by the test server: not inside a test's time.
  before(() => import('../../src/modal/lazy-steps.js'));
  afterEach(async () => {
    removeModals();
    await setViewport({ width: 800, height: 600 });
  });

  // 1280×659: min(640px, 100dvh − 2 × 16px) tall, centred.
  for (const half of ['start', 'end'] as const) {
    it(`keeps its height and top on a 1280×659 screen (${half} of the install)`, async () => {
      await setViewport({ width: 1280, height: 659 });
      await expectStillFrame(half, { height: 627, top: 16 });
    });

    it(`is a full-height sheet on a 320×640 phone (${half} of the install)`, async () => {
      await setViewport({ width: 320, height: 640 });
      await expectStillFrame(half, { height: 640, top: 0 });
    });
  }

  it('keeps the footer in view on a 320×640 phone, a scrolling body, a compact header and a readable stepper', async () => {
    await setViewport({ width: 320, height: 640 });
    const api = new AuthApi(EVERY_FIELD_INTEGRATION, [{ ...DEMO_STORE_APP, connections: [CONNECTION] }]);
    const { el, root } = await openModal(api);
    const header = root.querySelector('header')!;
    const firstHeaderHeight = header.getBoundingClientRect().height;
    primaryButton(root).click();
    await waitUntil(() => stepTitle(root) === 'Settings');
    await el.updateComplete;

    expect(await frameOf(root)).to.deep.equal({ height: 640, top: 0 });
    const body = root.querySelector<HTMLElement>('.body')!;
    expect(body.scrollHeight, 'the settings overflow the body').to.be.greaterThan(body.clientHeight);
    const footer = root.querySelector('footer')!.getBoundingClientRect();
    expect(footer.bottom).to.be.at.most(640);
    expect(footer.top).to.be.greaterThan(body.getBoundingClientRect().top);

    // The stepper names the step in full instead of truncating it.
    const label = root.querySelector<HTMLElement>('.steps .current .label')!;
    expect(getComputedStyle(label, '::before').content).to.equal('"Step 2 of 3 · "');
    expect(label.textContent!.trim()).to.equal('Settings');
    expect(label.scrollWidth, 'not truncated').to.be.at.most(label.clientWidth);
    expect(label.getBoundingClientRect().width, 'on screen').to.be.greaterThan(120);

    // After the first step the header is compact: no description, and shorter.
    const description = root.querySelector('.description')!;
    expect(getComputedStyle(description).display).to.equal('none');
    expect(header.getBoundingClientRect().height).to.be.lessThan(firstHeaderHeight);
    await expect(el).to.be.accessible();
  });
});
