import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import type { WidgetIntegration } from '../../src/contract/index.js';
import {
  DEMO_STORE,
  FakeApi,
  INSTALLED,
  SECOND_WORKFLOW_ID,
  TWO_WORKFLOWS,
  WORKFLOW_ID,
  control,
  deferred,
  dialogOf,
  errorFor,
  openModal,
  primaryButton,
  removeModals,
  setChecked,
  statusText,
  stepTitle,
  typeInto,
  validationError,
} from './modal-fixtures.js';

const prefixInput = (root: ShadowRoot) => control(root, 'Order reference prefix');

describe('<alloy-install-modal> flow', () => {
  afterEach(removeModals);

  describe('loading', () => {
    it('shows a skeleton in an open dialog that has a name, announces loading, accessibly', async () => {
      const api = new FakeApi();
      const load = deferred<WidgetIntegration>();
      api.getIntegration = () => load.promise;
      const { el, root } = await openModal(api, {}, { waitFor: 'open' });
      await el.updateComplete;
      expect(root.querySelectorAll('.skeleton').length).to.be.greaterThan(3);
      expect(dialogOf(root).getAttribute('aria-labelledby')).to.equal('alloy-title');
      expect(root.querySelector('#alloy-title')!.textContent).to.contain('Loading…');
      expect(statusText(root)).to.equal('Loading…');
      // Focus starts on the title, not on the close button, so an early Enter closes nothing.
      expect(root.activeElement).to.equal(root.querySelector('h2'));
      await expect(el).to.be.accessible();
      load.resolve(DEMO_STORE);
      await waitUntil(() => primaryButton(root));
    });

    it('uses the heading option as the title from the first frame', async () => {
      const api = new FakeApi();
      const load = deferred<WidgetIntegration>();
      api.getIntegration = () => load.promise;
      const { el, root } = await openModal(api, { heading: 'Connect your store' }, { waitFor: 'open' });
      await el.updateComplete;
      expect(root.querySelector('h2')!.textContent).to.equal('Connect your store');
      load.resolve(DEMO_STORE);
      await waitUntil(() => primaryButton(root));
      expect(root.querySelector('h2')!.textContent).to.equal('Connect your store');
    });
  });

  describe('config step', () => {
    it('shows name, description, progress, the field with help, and Finish Installation, accessibly', async () => {
      const { el, root } = await openModal(new FakeApi());
      expect(root.querySelector('h2')!.textContent).to.equal('Demo Store');
      expect(root.querySelector('[part="description"]')!.textContent).to.contain('Stream new Demo Store orders');
      expect(dialogOf(root).getAttribute('aria-labelledby')).to.equal('alloy-title alloy-step-title');
      expect(stepTitle(root)).to.equal('Settings');
      const steps = [...root.querySelectorAll('[part="steps"] li')];
      expect(steps.map((li) => li.textContent!.trim())).to.deep.equal(['1Settings', '2Done']);
      expect(steps[0]!.getAttribute('aria-current')).to.equal('step');
      const input = prefixInput(root);
      expect(input.getAttribute('aria-describedby')).to.contain('-help');
      expect(root.getElementById(`${input.id}-help`)!.textContent).to.equal('Added in front of each order number.');
      expect(primaryButton(root).textContent!.trim()).to.equal('Finish Installation');
      expect(root.activeElement).to.equal(input);
      expect(statusText(root)).to.equal('Step 1 of 2: Settings');
      await expect(el).to.be.accessible();
    });

    it('says so when there is nothing to set up, and still installs', async () => {
      const { el, root, outcome } = await openModal(new FakeApi({ ...DEMO_STORE, fields: [] }));
      expect(root.querySelector('.intro')!.textContent).to.equal('There is nothing to set up.');
      expect(root.activeElement).to.equal(primaryButton(root));
      await expect(el).to.be.accessible();
      primaryButton(root).click();
      await waitUntil(() => root.querySelector('.success'));
      el.close();
      expect((await outcome).success).to.equal(true);
    });
  });

  describe('Finish Installation', () => {
    it('installs, shows a success state accessibly, closes after it, resolves and gives focus back', async () => {
      const api = new FakeApi();
      const { el, root, opener, outcome } = await openModal(api, { successDuration: 60_000 });
      typeInto(prefixInput(root), ' DS- ');
      const installed = oneEvent(el, 'alloy-installed');
      primaryButton(root).click();
      expect((await installed).detail).to.deep.equal(INSTALLED);
      await waitUntil(() => root.querySelector('.success'));
      expect(stepTitle(root)).to.equal('Demo Store is installed.');
      expect(statusText(root)).to.equal('Demo Store is installed.');
      const steps = [...root.querySelectorAll('[part="steps"] li')];
      expect(steps[1]!.getAttribute('aria-current')).to.equal('step');
      expect(steps[0]!.className).to.equal('done');
      await waitUntil(() => root.activeElement === primaryButton(root), 'Done is focused');
      expect(primaryButton(root).textContent!.trim()).to.equal('Done');
      await expect(el).to.be.accessible();
      expect(dialogOf(root).open).to.equal(true);

      el.successDuration = 0;
      const closed = oneEvent(el, 'alloy-close');
      primaryButton(root).click();
      expect((await closed).detail.reason).to.equal('installed');
      expect(await outcome).to.deep.equal({ success: true, ...INSTALLED });
      expect(api.calls[0]!.request).to.deep.equal({
        integrationId: DEMO_STORE.integrationId,
        workflowIds: [WORKFLOW_ID],
        values: [{ workflowId: WORKFLOW_ID, blockId: 'stream-to-acmeco', name: 'referencePrefix', value: 'DS-' }],
      });
      expect(dialogOf(root).open).to.equal(false);
      expect(document.activeElement).to.equal(opener);
    });

    it('closes by itself once the success state has been shown', async () => {
      const { root, outcome } = await openModal(new FakeApi(), { successDuration: 10 });
      typeInto(prefixInput(root), 'DS-');
      primaryButton(root).click();
      expect(await outcome).to.deep.equal({ success: true, ...INSTALLED });
      expect(dialogOf(root).open).to.equal(false);
    });

    it('shows the in-flight state, and a double click or Enter spree makes one installation', async () => {
      const api = new FakeApi();
      const release = api.holdInstall();
      const { el, root, outcome } = await openModal(api);
      typeInto(prefixInput(root), 'X');
      primaryButton(root).click();
      primaryButton(root).click();
      await el.updateComplete;
      expect(primaryButton(root).getAttribute('aria-disabled')).to.equal('true');
      expect(primaryButton(root).textContent!.trim()).to.equal('Installing…');
      expect(statusText(root)).to.equal('Installing…');
      expect(root.querySelector<HTMLButtonElement>('.close')!.disabled).to.equal(true);
      await expect(el).to.be.accessible();
      primaryButton(root).click();
      release();
      await waitUntil(() => root.querySelector('.success'));
      el.close();
      await outcome;
      expect(api.calls).to.have.length(1);
    });

    it('uses one idempotency key per session, and a new one for the next session', async () => {
      const api = new FakeApi();
      api.installResult = new Error('Could not reach the Alloy API.');
      const { el, root } = await openModal(api);
      typeInto(prefixInput(root), 'X');
      primaryButton(root).click();
      await waitUntil(() => root.querySelector('.result.error'));
      root.querySelector<HTMLButtonElement>('[part~="retry-button"]')!.click();
      await waitUntil(() => api.calls.length === 2 && root.querySelector('.result.error'));
      expect(api.calls[1]!.key).to.equal(api.calls[0]!.key);
      el.close();
      const again = el.show();
      await el.updateComplete;
      await waitUntil(() => root.querySelector('input'));
      typeInto(prefixInput(root), 'X');
      primaryButton(root).click();
      await waitUntil(() => api.calls.length === 3);
      expect(api.calls[2]!.key).not.to.equal(api.calls[0]!.key);
      el.close();
      await again;
    });
  });

  describe('errors', () => {
    it('shows a load error with Try again, accessibly, and recovers', async () => {
      const api = new FakeApi(new Error('Could not reach the Alloy API.'));
      const { el, root } = await openModal(api);
      expect(stepTitle(root)).to.equal('Something went wrong');
      expect(dialogOf(root).getAttribute('aria-labelledby')).to.equal('alloy-step-title');
      expect(root.querySelector('h2')).to.equal(null);
      expect(root.querySelector('.result')!.textContent).to.contain('We could not load this integration.');
      await waitUntil(() => root.querySelector('[part="error-details"]'), 'the Details view loads');
      expect(root.querySelector('[part="error-details"] dd')!.textContent).to.equal('Could not reach the Alloy API.');
      expect(root.activeElement).to.equal(primaryButton(root));
      expect(statusText(root)).to.contain('We could not load this integration.');
      await expect(el).to.be.accessible();
      api.integration = DEMO_STORE;
      primaryButton(root).click();
      await waitUntil(() => root.querySelector('input'));
      expect(api.loads).to.equal(2);
    });

    it('fires alloy-error and closes with reason error when dismissed from an error', async () => {
      const api = new FakeApi(new Error('boom'));
      const errors: unknown[] = [];
      document.addEventListener('alloy-error', (e) => errors.push(e.detail.error), { once: true });
      const { root, outcome } = await openModal(api);
      expect((errors[0] as Error).message).to.equal('boom');
      root.querySelector<HTMLButtonElement>('.close')!.click();
      expect(await outcome).to.deep.equal({ success: false, reason: 'error' });
    });

    it('keeps what the user typed when the install fails, retries with it, or goes back to it', async () => {
      const api = new FakeApi();
      api.installResult = Object.assign(new Error('The Alloy API answered 503.'), { code: 'SERVER_ERROR' });
      const { el, root, outcome } = await openModal(api);
      typeInto(prefixInput(root), 'KEEP-ME');
      primaryButton(root).click();
      await waitUntil(() => root.querySelector('.result.error'));
      expect(root.querySelector('.result')!.textContent).to.contain('The installation did not complete.');
      // The sentence and Details come with the error chunk, together.
      await waitUntil(() => root.querySelector('[part="error-details"]'), 'the error chunk loads');
      expect(root.querySelector('#alloy-error-text')!.textContent).to.contain(
        'Demo Store’s service is having trouble. Try again in a minute.',
      );
      expect(root.querySelector('[part="error-details"] dd')!.textContent).to.equal('The Alloy API answered 503.');
      expect(root.querySelector('[part~="back-button"]')).not.to.equal(null);
      await expect(el).to.be.accessible();

      root.querySelector<HTMLButtonElement>('[part~="back-button"]')!.click();
      await el.updateComplete;
      expect(prefixInput(root).value).to.equal('KEEP-ME');

      api.installResult = INSTALLED;
      primaryButton(root).click();
      await waitUntil(() => root.querySelector('.success'));
      expect(api.calls.map((c) => c.request.values[0]!.value)).to.deep.equal(['KEEP-ME', 'KEEP-ME']);
      el.close();
      await outcome;
    });

    it('puts the server’s field messages next to the right fields (by index and by name)', async () => {
      const api = new FakeApi(TWO_WORKFLOWS);
      api.installResult = validationError('Invalid configuration: Order reference prefix is too long.', [
        { path: ['values', 0, 'value'], message: 'Order reference prefix is too long' },
        { path: ['values', 'refundNote'], message: 'Refund note is required' },
      ]);
      const { el, root } = await openModal(api);
      typeInto(prefixInput(root), 'ABC');
      typeInto(control(root, 'Refund note'), 'thanks');
      primaryButton(root).click();
      await waitUntil(() => root.querySelector('.field-error'));
      expect(errorFor(root, 'Order reference prefix')).to.equal('Order reference prefix is too long');
      expect(errorFor(root, 'Refund note')).to.equal('Refund note is required');
      expect(prefixInput(root).value).to.equal('ABC');
      expect(root.querySelector('[part="form-error"]')!.textContent).to.contain('Fix the 2 highlighted fields.');
      expect(root.activeElement).to.equal(prefixInput(root));
      await expect(el).to.be.accessible();
    });
  });

  describe('workflow selection', () => {
    it('lets the user choose workflows first, shows only their fields, and installs only those', async () => {
      const api = new FakeApi(TWO_WORKFLOWS);
      const { el, root, outcome } = await openModal(api, { workflowSelection: true });
      expect(stepTitle(root)).to.equal('Choose workflows');
      expect([...root.querySelectorAll('[part="steps"] li')].map((li) => li.textContent!.trim())).to.deep.equal([
        '1Workflows',
        '2Settings',
        '3Done',
      ]);
      const boxes = root.querySelectorAll<HTMLInputElement>('.workflow input');
      expect([...boxes].map((b) => b.checked)).to.deep.equal([true, true]);
      expect(primaryButton(root).textContent!.trim()).to.equal('Continue');
      await expect(el).to.be.accessible();

      setChecked(boxes[0]!, false);
      setChecked(boxes[1]!, false);
      primaryButton(root).click();
      await el.updateComplete;
      expect(root.querySelector('[part="form-error"]')!.textContent).to.contain('Choose at least one workflow.');
      expect(root.activeElement).to.equal(root.querySelector('.workflow input'));
      await expect(el).to.be.accessible();

      setChecked(root.querySelectorAll<HTMLInputElement>('.workflow input')[1]!, true);
      primaryButton(root).click();
      await el.updateComplete;
      expect(stepTitle(root)).to.equal('Settings');
      expect(root.querySelector('[part="form-error"]')).to.equal(null);
      expect(root.textContent).not.to.contain('Order reference prefix');
      typeInto(control(root, 'Refund note'), 'Thanks!');

      root.querySelector<HTMLButtonElement>('[part~="back-button"]')!.click();
      await el.updateComplete;
      expect(stepTitle(root)).to.equal('Choose workflows');
      expect(root.querySelectorAll<HTMLInputElement>('.workflow input')[1]!.checked).to.equal(true);
      primaryButton(root).click();
      await el.updateComplete;
      expect(control(root, 'Refund note').value).to.equal('Thanks!');

      primaryButton(root).click();
      await waitUntil(() => root.querySelector('.success'));
      expect(api.calls[0]!.request.workflowIds).to.deep.equal([SECOND_WORKFLOW_ID]);
      expect(api.calls[0]!.request.values.map((v) => v.name)).to.deep.equal(['refundNote']);
      el.close();
      await outcome;
    });

    it('installs only the workflowIds given, and skips selection when one workflow is left', async () => {
      const api = new FakeApi(TWO_WORKFLOWS);
      const { el, root } = await openModal(api, { workflowIds: [SECOND_WORKFLOW_ID], workflowSelection: true });
      expect(stepTitle(root)).to.equal('Settings');
      expect(root.textContent).not.to.contain('Order reference prefix');
      typeInto(control(root, 'Refund note'), 'ok');
      primaryButton(root).click();
      await waitUntil(() => api.calls.length === 1);
      expect(api.calls[0]!.request.workflowIds).to.deep.equal([SECOND_WORKFLOW_ID]);
      el.close();
    });

    it('shows an error when none of the workflowIds belong to the integration', async () => {
      const { el, root, outcome } = await openModal(new FakeApi(), { workflowIds: ['ffffffffffffffffffffffff'] });
      expect(root.querySelector('.result')!.textContent).to.contain(
        'The requested workflows are not part of this integration.',
      );
      expect(primaryButton(root).textContent!.trim()).to.equal('Close');
      await expect(el).to.be.accessible();
      primaryButton(root).click();
      expect(await outcome).to.deep.equal({ success: false, reason: 'error' });
    });
  });

  describe('operations', () => {
    const installedStore: WidgetIntegration = {
      ...TWO_WORKFLOWS,
      workflows: [
        { ...TWO_WORKFLOWS.workflows[0]!, installed: true, installedVersion: 1, version: 2 },
        { ...TWO_WORKFLOWS.workflows[1]!, installed: false, installedVersion: null },
      ],
      installation: {
        installationId: INSTALLED.installationId,
        values: [{ workflowId: WORKFLOW_ID, blockId: 'stream-to-acmeco', name: 'referencePrefix', value: 'OLD-' }],
      },
    };

    it('edit opens with the current values and the installed workflows, and saves changes', async () => {
      const api = new FakeApi(installedStore);
      const { el, root, outcome } = await openModal(api, { operation: 'edit' });
      expect(prefixInput(root).value).to.equal('OLD-');
      expect(root.textContent).not.to.contain('Refund note');
      expect(primaryButton(root).textContent!.trim()).to.equal('Save changes');
      await expect(el).to.be.accessible();
      typeInto(prefixInput(root), 'NEW-');
      primaryButton(root).click();
      await waitUntil(() => root.querySelector('.success'));
      expect(stepTitle(root)).to.equal('Your changes are saved.');
      expect(api.calls[0]!.request.workflowIds).to.deep.equal([WORKFLOW_ID]);
      expect(api.calls[0]!.request.values[0]!.value).to.equal('NEW-');
      el.close();
      expect((await outcome).success).to.equal(true);
    });

    it('edit of an integration that is not installed says so instead of installing', async () => {
      const api = new FakeApi();
      const { el, root, outcome } = await openModal(api, { operation: 'edit' });
      expect(root.querySelector('.result')!.textContent).to.contain('This integration is not installed yet.');
      await expect(el).to.be.accessible();
      el.close();
      await outcome;
      expect(api.calls).to.have.length(0);
    });

    it('update shows which workflow moves to which version and upgrades', async () => {
      const api = new FakeApi(installedStore);
      const { el, root } = await openModal(api, { operation: 'update' });
      expect(root.querySelector('.changes')!.textContent!.replace(/\s+/g, ' ')).to.contain(
        'Stream new orders to AcmeCo v1 → v2',
      );
      expect(primaryButton(root).textContent!.trim()).to.equal('Update');
      await expect(el).to.be.accessible();
      primaryButton(root).click();
      await waitUntil(() => root.querySelector('.success'));
      expect(stepTitle(root)).to.equal('Demo Store is up to date.');
      el.close();
    });
  });

  describe('hideWhenNoInput', () => {
    it('installs without ever showing the dialog when nothing needs input', async () => {
      const api = new FakeApi();
      const steps: string[] = [];
      const showModal = HTMLDialogElement.prototype.showModal;
      let shown = 0;
      HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
        shown++;
        showModal.call(this);
      };
      try {
        const { el, outcome, opener } = await openModal(
          api,
          { hideWhenNoInput: true, preFilledValues: [{ name: 'referencePrefix', value: 'PRE-' }] },
          { waitFor: 'nothing' },
        );
        el.addEventListener('alloy-step', (e) => steps.push(e.detail.step));
        expect(await outcome).to.deep.equal({ success: true, ...INSTALLED });
        expect(shown).to.equal(0);
        expect(api.calls[0]!.request.values[0]!.value).to.equal('PRE-');
        expect(steps).to.deep.equal(['loading', 'success']);
        expect(document.activeElement).to.equal(opener);
      } finally {
        HTMLDialogElement.prototype.showModal = showModal;
      }
    });

    it('shows the modal when a required value is missing', async () => {
      const { el, root } = await openModal(new FakeApi(), { hideWhenNoInput: true });
      expect(dialogOf(root).open).to.equal(true);
      expect(root.activeElement).to.equal(prefixInput(root));
      el.close();
    });

    it('shows the error state when the silent install fails', async () => {
      const api = new FakeApi();
      api.installResult = new Error('Could not reach the Alloy API.');
      const { el, root } = await openModal(
        api,
        { hideWhenNoInput: true, preFilledValues: [{ name: 'referencePrefix', value: 'PRE-' }] },
        { waitFor: 'nothing' },
      );
      await waitUntil(() => root.querySelector('.result.error'));
      expect(dialogOf(root).open).to.equal(true);
      await expect(el).to.be.accessible();
      el.close();
    });
  });

  describe('closing', () => {
    it('closes with success false on Esc when nothing was typed, and gives focus back', async () => {
      const { root, opener, outcome } = await openModal(new FakeApi());
      await sendKeys({ press: 'Escape' });
      expect(await outcome).to.deep.equal({ success: false, reason: 'escape' });
      expect(dialogOf(root).open).to.equal(false);
      expect(document.activeElement).to.equal(opener);
    });

    it('closes from the close button with reason close-button', async () => {
      const { el, root, opener, outcome } = await openModal(new FakeApi());
      const closed = oneEvent(el, 'alloy-close');
      root.querySelector<HTMLButtonElement>('.close')!.click();
      expect((await closed).detail.reason).to.equal('close-button');
      expect(await outcome).to.deep.equal({ success: false, reason: 'close-button' });
      expect(document.activeElement).to.equal(opener);
    });

    it('closes on a backdrop click but not on a click inside the panel', async () => {
      const { root, outcome } = await openModal(new FakeApi());
      const panel = dialogOf(root).getBoundingClientRect();
      await sendMouse({ type: 'click', position: [Math.round(panel.left + 40), Math.round(panel.top + 40)] });
      expect(dialogOf(root).open).to.equal(true);
      await sendMouse({ type: 'click', position: [4, 4] });
      expect(await outcome).to.deep.equal({ success: false, reason: 'backdrop' });
    });

    it('asks inside the modal before Esc throws away typed input; Esc again keeps editing', async () => {
      const { el, root, outcome } = await openModal(new FakeApi());
      let nativeConfirmCalled = false;
      const nativeConfirm = window.confirm;
      window.confirm = () => ((nativeConfirmCalled = true), true);
      try {
        prefixInput(root).focus();
        await sendKeys({ type: 'AB' });
        await sendKeys({ press: 'Escape' });
        await el.updateComplete;
        expect(root.querySelector('[part="confirm"]')!.textContent).to.contain('Discard your changes?');
        expect(root.activeElement).to.equal(root.querySelector('.keep-editing'));
        expect(root.querySelector('.body')!.hasAttribute('inert')).to.equal(true);
        expect(statusText(root)).to.contain('Discard your changes?');
        await expect(el).to.be.accessible();

        // A second Esc right away (no other key or click in between) must not close the dialog.
        await sendKeys({ press: 'Escape' });
        await el.updateComplete;
        expect(dialogOf(root).open).to.equal(true);
        expect(root.querySelector('[part="confirm"]')).to.equal(null);
        expect(root.activeElement).to.equal(prefixInput(root));
        expect(prefixInput(root).value).to.equal('AB');
        await sendKeys({ press: 'Escape' });
        await el.updateComplete;
        await sendKeys({ press: 'Escape' });
        await sendKeys({ press: 'Escape' });
        await el.updateComplete;
        expect(dialogOf(root).open).to.equal(true);
        expect(prefixInput(root).value).to.equal('AB');
      } finally {
        window.confirm = nativeConfirm;
      }
      expect(nativeConfirmCalled).to.equal(false);
      el.close();
      expect(await outcome).to.deep.equal({ success: false, reason: 'api' });
    });

    it('closes after the user confirms discarding, with the original reason', async () => {
      const { el, root, outcome } = await openModal(new FakeApi());
      typeInto(prefixInput(root), 'typed');
      root.querySelector<HTMLButtonElement>('.close')!.click();
      await el.updateComplete;
      root.querySelector<HTMLButtonElement>('[part~="discard-button"]')!.click();
      expect(await outcome).to.deep.equal({ success: false, reason: 'close-button' });
    });

    it('Keep editing returns to the form with the input intact', async () => {
      const { el, root } = await openModal(new FakeApi());
      typeInto(prefixInput(root), 'typed');
      const panel = dialogOf(root).getBoundingClientRect();
      await sendMouse({ type: 'click', position: [4, Math.round(panel.top + 4)] });
      await el.updateComplete;
      root.querySelector<HTMLButtonElement>('.keep-editing')!.click();
      await el.updateComplete;
      expect(dialogOf(root).open).to.equal(true);
      expect(root.querySelector('[part="confirm"]')).to.equal(null);
      expect(prefixInput(root).value).to.equal('typed');
      el.close();
    });

    it('does not count typing the same value back as a change', async () => {
      const { root, outcome } = await openModal(new FakeApi());
      typeInto(prefixInput(root), 'x');
      typeInto(prefixInput(root), '');
      root.querySelector<HTMLButtonElement>('.close')!.click();
      expect(await outcome).to.deep.equal({ success: false, reason: 'close-button' });
    });

    it('settles when removed from the page mid-request, and refuses a second show()', async () => {
      const api = new FakeApi();
      const release = api.holdInstall();
      const { el, root, outcome } = await openModal(api);
      let secondError: unknown;
      await el.show().catch((e: unknown) => (secondError = e));
      expect((secondError as Error).message).to.contain('already open');
      const detached = document.createElement('alloy-install-modal');
      const detachedError = await detached.show().catch((e: unknown) => e);
      expect((detachedError as Error).message).to.contain('before show()');
      typeInto(prefixInput(root), 'X');
      primaryButton(root).click();
      await waitUntil(() => api.calls.length === 1);
      el.remove();
      expect(await outcome).to.deep.equal({ success: false, reason: 'api' });
      release();
    });

    it('locks page scroll while open and restores the page’s own inline styles exactly', async () => {
      const root = document.documentElement;
      const spacer = document.createElement('div');
      spacer.style.height = '5000px';
      document.body.append(spacer);
      root.style.setProperty('overflow', 'scroll');
      try {
        // The opener sits below the spacer, so focusing it scrolls the page down.
        const { el } = await openModal(new FakeApi());
        const scrolled = window.scrollY;
        expect(scrolled).to.be.greaterThan(1000);
        expect(getComputedStyle(root).overflow).to.equal('hidden');
        expect(root.style.getPropertyPriority('overflow')).to.equal('important');
        el.close();
        expect(root.getAttribute('style')).to.equal('overflow: scroll;');
        expect(window.scrollY).to.equal(scrolled);
      } finally {
        root.removeAttribute('style');
        spacer.remove();
        window.scrollTo(0, 0);
      }
    });
  });

  describe('keyboard only', () => {
    it('installs with keys alone: open, type, choose, submit', async () => {
      const api = new FakeApi(TWO_WORKFLOWS);
      const opener = document.createElement('button');
      opener.textContent = 'Install';
      let outcome: Promise<unknown> | undefined;
      const el = document.createElement('alloy-install-modal');
      opener.addEventListener('click', () => {
        el.integrationId = DEMO_STORE.integrationId;
        el.api = api;
        el.workflowSelection = true;
        el.successDuration = 0;
        document.body.append(el);
        outcome = el.show();
      });
      document.body.append(opener);
      opener.focus();
      await sendKeys({ press: 'Enter' });
      const root = el.shadowRoot!;
      await waitUntil(() => root.activeElement?.matches('.workflow input'), 'first workflow focused');

      await sendKeys({ press: 'Space' }); // untick "Stream new orders"
      await sendKeys({ press: 'Tab' });
      await sendKeys({ press: 'Tab' });
      expect(root.activeElement).to.equal(primaryButton(root));
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => root.activeElement?.matches('input[type="text"]'), 'first field focused');
      await sendKeys({ type: 'Refunded, thanks' });
      await sendKeys({ press: 'Enter' });

      await outcome;
      expect(api.calls[0]!.request.workflowIds).to.deep.equal([SECOND_WORKFLOW_ID]);
      expect(api.calls[0]!.request.values).to.deep.equal([
        { workflowId: SECOND_WORKFLOW_ID, blockId: 'refunds', name: 'refundNote', value: 'Refunded, thanks' },
      ]);
      expect(document.activeElement).to.equal(opener);
      opener.remove();
    });

    it('reaches every control with Tab and shows a focus outline on each', async () => {
      const { root } = await openModal(new FakeApi());
      prefixInput(root).focus();
      await sendKeys({ press: 'Tab' });
      expect(root.activeElement).to.equal(primaryButton(root));
      expect(getComputedStyle(primaryButton(root)).outlineStyle).to.equal('solid');
      await sendKeys({ down: 'Shift' });
      await sendKeys({ press: 'Tab' });
      await sendKeys({ up: 'Shift' });
      expect(root.activeElement).to.equal(prefixInput(root));
      expect(getComputedStyle(prefixInput(root)).outlineStyle).to.equal('solid');
    });
  });

  describe('events', () => {
    it('fires alloy-ready and alloy-step in order, bubbling out of the shadow root', async () => {
      const seen: string[] = [];
      const record = (e: Event) =>
        seen.push(
          e.type === 'alloy-step' ? `step:${(e as CustomEvent<{ step: string }>).detail.step}` : e.type.slice(6),
        );
      const types = ['alloy-ready', 'alloy-step', 'alloy-installed', 'alloy-close'] as const;
      types.forEach((t) => document.addEventListener(t, record));
      try {
        const { root, outcome } = await openModal(new FakeApi(), { successDuration: 0 });
        typeInto(prefixInput(root), 'DS-');
        primaryButton(root).click();
        await outcome;
        expect(seen).to.deep.equal(['step:loading', 'step:config', 'ready', 'step:success', 'installed', 'close']);
      } finally {
        types.forEach((t) => document.removeEventListener(t, record));
      }
    });
  });
});
