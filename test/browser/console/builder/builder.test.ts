import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import { ConsoleApiError } from '../../../../src/console/api-types.js';
import { parseRoute } from '../../../../src/console/app/router.js';
import type { SaveDraftBody } from '../../../../src/contract/console-builder.js';
import { AUTOSAVE_DELAY_MS } from '../../../../src/console/views/builder.js';
import { FakeConsoleApi, apiError, deferred } from '../views/fake-console-api.js';
import { text, typeInto } from '../views/dom.js';
import {
  CODE_INTEGRATION,
  CODE_WORKFLOW,
  CONNECTORS,
  CONSOLE_INTEGRATION,
  CONSOLE_INTEGRATION_ID,
  CONSOLE_WORKFLOW_ID,
  EMPTY_WORKFLOW,
  INTEGRATION_ID,
  WORKFLOW,
  WORKFLOW_ID,
  WORKFLOW_WITH_ISSUES,
} from './fixtures.js';
import { buttonNamed, flowOf, inner, mountBuilder, panelOf, wait } from './dom.js';

const SAVED_AT = '2026-12-06T11:00:00.000Z';

function api(workflow: unknown = WORKFLOW): FakeConsoleApi {
  return new FakeConsoleApi()
    .onBuilder('workflow', workflow)
    .onBuilder('integration', CONSOLE_INTEGRATION)
    .onBuilder('connectors', CONNECTORS)
    .onBuilder('saveDraft', { draftSavedAt: SAVED_AT, issues: [] });
}

const saves = (fake: FakeConsoleApi) =>
  fake.calls.filter((c) => c.method === 'PUT' && c.path.endsWith('/draft')).map((c) => c.body as SaveDraftBody);

const cardTitles = (el: HTMLElement) => [...flowOf(el).querySelectorAll('h3')].map((h) => text(h));
const releaseButton = (el: HTMLElement) => el.shadowRoot!.querySelector<HTMLButtonElement>('button.release')!;
const saveStatus = (el: HTMLElement) => text(el.shadowRoot!.querySelector('.save-status'));

async function press(button: HTMLButtonElement, el: HTMLElement & { updateComplete: Promise<unknown> }) {
  button.focus();
  await sendKeys({ press: 'Enter' });
  await el.updateComplete;
  await wait(0);
}

async function rename(el: HTMLElement, name: string) {
  typeInto(el.shadowRoot!.querySelector<HTMLInputElement>('#workflow-name')!, name);
  await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
}

describe('routes', () => {
  it('names the integration page and the builder', () => {
    expect(parseRoute(`/console/integrations/${CONSOLE_INTEGRATION_ID}`)).to.deep.equal({
      name: 'integration',
      integrationId: CONSOLE_INTEGRATION_ID,
    });
    expect(
      parseRoute(`/console/integrations/${CONSOLE_INTEGRATION_ID}/workflows/${CONSOLE_WORKFLOW_ID}`),
    ).to.deep.equal({
      name: 'workflow',
      integrationId: CONSOLE_INTEGRATION_ID,
      workflowId: CONSOLE_WORKFLOW_ID,
    });
    expect(parseRoute(`/console/integrations/${CONSOLE_INTEGRATION_ID}/other/x`).name).to.equal('not-found');
  });
});

describe('<alloy-console-workflow-builder>', () => {
  it('shows an empty workflow: a trigger to choose, its issue, Release disabled', async () => {
    const el = await mountBuilder(api(EMPTY_WORKFLOW));
    expect(cardTitles(el)).to.deep.equal(['Choose a trigger']);
    expect(text(el.shadowRoot!.querySelector('.issues'))).to.contain('Pick a trigger.');
    expect(releaseButton(el).disabled).to.equal(true);
    expect(text(el.shadowRoot!.querySelector('#release-blocker'))).to.equal('Fix the issues before releasing.');
    await expect(el).to.be.accessible();
  });

  it('picks a trigger: an app event of the integration’s app', async () => {
    const fake = api(EMPTY_WORKFLOW);
    const el = await mountBuilder(fake);
    buttonNamed(flowOf(el), 'Choose a trigger').click();
    await el.updateComplete;
    const panel = panelOf(el);
    typeInto(panel.querySelector<HTMLSelectElement>('#type')!, 'appEvent');
    await el.updateComplete;
    typeInto(panelOf(el).querySelector<HTMLSelectElement>('#event')!, 'order.created');
    await el.updateComplete;
    expect(cardTitles(el)).to.deep.equal(['App event']);
    await expect(el).to.be.accessible();
    await waitUntil(() => saves(fake).length === 1, 'no save', { timeout: 3000 });
    expect(saves(fake)[0]!.draft.trigger).to.deep.equal({
      type: 'appEvent',
      id: 'trigger',
      name: 'App event',
      connector: 'demoStore',
      event: 'order.created',
    });
  });

  it('shows the trigger, the blocks and the version list', async () => {
    const el = await mountBuilder(api());
    expect(cardTitles(el)).to.deep.equal(['New order', 'Send to Acme', 'Notify']);
    const rows = [...el.shadowRoot!.querySelectorAll('tbody tr')].map((r) => text(r));
    expect(rows).to.have.length(1);
    expect(rows[0]).to.contain('1').and.to.contain('3');
    expect(el.shadowRoot!.querySelector('alloy-console-test-run')).not.to.equal(null);
    expect(releaseButton(el).disabled).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('adds, moves and removes blocks with the keyboard, and saves each', async () => {
    const fake = api();
    const el = await mountBuilder(fake);
    await press(buttonNamed(flowOf(el), 'Add block after Send to Acme'), el);
    expect(cardTitles(el)).to.deep.equal(['New order', 'Send to Acme', 'Stream Data', 'Notify']);
    // The new block's panel is open, with focus on its type.
    expect(text(panelOf(el).querySelector('h2'))).to.equal('Edit Stream Data');
    await expect(el).to.be.accessible();

    await press(buttonNamed(flowOf(el), 'Move Notify up'), el);
    expect(cardTitles(el)).to.deep.equal(['New order', 'Send to Acme', 'Notify', 'Stream Data']);
    // Focus stays with the moved block, so pressing again moves it on.
    expect(text(flowOf(el).activeElement?.querySelector('.visually-hidden'))).to.equal('Move Notify up');
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(cardTitles(el)).to.deep.equal(['New order', 'Notify', 'Send to Acme', 'Stream Data']);
    // At the top, Move up is disabled: focus goes to Move down.
    expect(text(flowOf(el).activeElement?.querySelector('.visually-hidden'))).to.equal('Move Notify down');
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(cardTitles(el)).to.deep.equal(['New order', 'Send to Acme', 'Notify', 'Stream Data']);
    expect(buttonNamed(flowOf(el), 'Move Send to Acme up').disabled).to.equal(true);
    expect(buttonNamed(flowOf(el), 'Move Stream Data down').disabled).to.equal(true);

    await press(buttonNamed(flowOf(el), 'Remove Send to Acme'), el);
    expect(cardTitles(el)).to.deep.equal(['New order', 'Notify', 'Stream Data']);
    // Focus lands on the Add block where the removed block was.
    expect(text(flowOf(el).activeElement?.querySelector('.visually-hidden'))).to.equal('Add block after the trigger');

    // One save for all of it, unless the axe check above outlasted the autosave delay (a loaded
    // machine): then the last save holds the end state.
    await waitUntil(() => saves(fake).at(-1)?.draft.blocks.length === 2, 'no save of the end state', {
      timeout: 3000,
    });
    const blocks = saves(fake).at(-1)!.draft.blocks;
    expect(blocks.map((b) => b.id)).to.deep.equal(['httpRequest-1', 'streamData-2']);
    expect(blocks[1]).to.deep.include({ type: 'streamData', name: 'Stream Data' });
  });

  it("names each select and input by its label's text alone, not its options or value", async () => {
    const el = await mountBuilder(api());
    buttonNamed(flowOf(el), 'Edit Notify').click();
    await el.updateComplete;
    const panel = panelOf(el);
    const editors = [...panel.querySelectorAll('alloy-console-field-editor')].map((e) => e.shadowRoot!);
    await waitUntil(() => editors[0]?.querySelector('#value'));
    /** The control's accessible name from its label: exactly one <label for>, which does not wrap it. */
    const labelOf = (control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement) => {
      expect(control.hasAttribute('aria-label') || control.hasAttribute('aria-labelledby')).to.equal(false);
      expect(control.labels?.length, `labels of #${control.id}`).to.equal(1);
      const label = control.labels![0]!;
      expect(label.contains(control), `#${control.id} sits inside its label`).to.equal(false);
      return text(label);
    };
    expect(labelOf(panel.querySelector<HTMLSelectElement>('select#type')!)).to.equal('Type');
    expect(labelOf(panel.querySelector<HTMLInputElement>('input#name')!)).to.equal('Name');
    expect(labelOf(editors[0]!.querySelector<HTMLSelectElement>('select#type')!)).to.equal('Type');
    expect(labelOf(editors[0]!.querySelector<HTMLInputElement>('input#value')!)).to.equal('Value');
    // Every other select, text input and textarea of the panel and its field editors, too.
    for (const root of [panel, ...editors]) {
      for (const control of root.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
        'select, textarea, input:not([type="checkbox"])',
      ))
        expect(labelOf(control)).not.to.equal('');
    }
    await expect(el).to.be.accessible();
  });

  it("the field editor's rules, help text and options open from the keyboard and are reached with Tab", async () => {
    const el = await mountBuilder(api());
    buttonNamed(flowOf(el), 'Edit Notify').click();
    await el.updateComplete;
    const body = panelOf(el).querySelector('alloy-console-field-editor')!.shadowRoot!;
    await waitUntil(() => body.querySelector('summary'));
    const details = body.querySelector('details')!;
    expect(details.open).to.equal(false);
    body.querySelector<HTMLElement>('summary')!.focus();
    await sendKeys({ press: 'Enter' });
    expect(details.open).to.equal(true);
    await sendKeys({ press: 'Tab' });
    expect(body.activeElement?.id).to.equal('help');
    expect(text(body.activeElement!.closest('.control')!.querySelector('label'))).to.equal('Help text');
    await expect(el).to.be.accessible();
  });

  it('the variable picker inserts {{trigger.orderId}} into the value', async () => {
    const fake = api();
    const el = await mountBuilder(fake);
    buttonNamed(flowOf(el), 'Edit Notify').click();
    await el.updateComplete;
    const editors = panelOf(el).querySelectorAll('alloy-console-field-editor');
    const body = editors[1]!.shadowRoot!;
    await waitUntil(() => body.querySelector('#value'));
    typeInto(body.querySelector<HTMLInputElement>('#value')!, 'order ');
    await el.updateComplete;
    const insert = buttonNamed(body, 'Insert a variable into Body');
    insert.click();
    await waitUntil(() => body.querySelector('alloy-console-variable-picker'), 'the picker did not open');
    const picker = inner(body, 'alloy-console-variable-picker');
    await waitUntil(() => picker.querySelector('button'));
    const variables = [...picker.querySelectorAll('button')].map((b) => text(b));
    expect(variables).to.include.members([
      '{{trigger.orderId}}',
      '{{trigger.total}}',
      '{{trigger.customer.email}}',
      '{{blocks.streamData-1}}',
    ]);
    expect(variables).not.to.include('{{blocks.httpRequest-1}}');
    expect(insert.getAttribute('aria-expanded')).to.equal('true');
    await expect(el).to.be.accessible();

    [...picker.querySelectorAll('button')].find((b) => text(b) === '{{trigger.orderId}}')!.click();
    await el.updateComplete;
    await waitUntil(() => !body.querySelector('alloy-console-variable-picker'));
    const editorsAfter = panelOf(el).querySelectorAll('alloy-console-field-editor');
    await (editorsAfter[1] as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    expect(editorsAfter[1]!.shadowRoot!.querySelector<HTMLInputElement>('#value')!.value).to.equal(
      'order {{trigger.orderId}}',
    );
    await waitUntil(() => saves(fake).length === 1, 'no save', { timeout: 3000 });
    expect(saves(fake)[0]!.draft.blocks[1]!.fields[1]!.value).to.equal('order {{trigger.orderId}}');
  });

  it('autosaves once after the edits stop, from the saved draft it started from', async () => {
    const fake = api();
    const hold = deferred();
    fake.onBuilder('saveDraft', async () => {
      await hold.promise;
      return { draftSavedAt: SAVED_AT, issues: [] };
    });
    const el = await mountBuilder(fake);
    await rename(el, 'Sync o');
    await wait(200);
    await rename(el, 'Sync orders now');
    expect(saveStatus(el)).to.equal('Saving…');
    await wait(AUTOSAVE_DELAY_MS - 300);
    expect(saves(fake)).to.have.length(0);
    await waitUntil(() => saves(fake).length === 1, 'no save', { timeout: 3000 });
    expect(saves(fake)[0]).to.deep.include({ baseSavedAt: '2026-12-06T10:00:00.000Z' });
    expect(saves(fake)[0]!.draft.name).to.equal('Sync orders now');
    expect(releaseButton(el).disabled).to.equal(true);
    await expect(el).to.be.accessible();
    hold.resolve(undefined);
    await waitUntil(() => saveStatus(el) === 'Saved');
    await expect(el).to.be.accessible();

    await rename(el, 'Sync orders later');
    await waitUntil(() => saves(fake).length === 2, 'no second save', { timeout: 3000 });
    expect(saves(fake)[1]).to.deep.include({ baseSavedAt: SAVED_AT });
  });

  it('says when a save failed and saves again on Retry', async () => {
    const fake = api();
    fake.onBuilder('saveDraft', () => {
      throw apiError();
    });
    const el = await mountBuilder(fake);
    await rename(el, 'Sync all orders');
    await waitUntil(() => saveStatus(el) === 'Couldn’t save.', 'no failure shown', { timeout: 3000 });
    expect(releaseButton(el).disabled).to.equal(true);
    await expect(el).to.be.accessible();
    fake.onBuilder('saveDraft', { draftSavedAt: SAVED_AT, issues: [] });
    buttonNamed(el.shadowRoot!, 'Retry').click();
    await waitUntil(() => saveStatus(el) === 'Saved');
    expect(saves(fake)).to.have.length(2);
  });

  it('a 409 conflict keeps the edit and says so; the user then saves over it', async () => {
    const fake = api();
    fake.onBuilder('saveDraft', () => {
      throw new ConsoleApiError('The draft was saved since.', 'conflict', 409, 'req_1');
    });
    const el = await mountBuilder(fake);
    await rename(el, 'My edit');
    await waitUntil(() => el.shadowRoot!.querySelector('.conflict-alert'), 'no conflict shown', { timeout: 3000 });
    const alert = el.shadowRoot!.querySelector('.conflict-alert')!;
    expect(alert.getAttribute('role')).to.equal('alert');
    expect(text(alert)).to.contain('Your edit is still here and was not saved.');
    expect(el.shadowRoot!.querySelector<HTMLInputElement>('#workflow-name')!.value).to.equal('My edit');
    expect(releaseButton(el).disabled).to.equal(true);
    await expect(el).to.be.accessible();

    // Another edit stays here too, and is not sent behind the user's back.
    await rename(el, 'My edit 2');
    await wait(AUTOSAVE_DELAY_MS + 100);
    expect(saves(fake)).to.have.length(1);

    fake.onBuilder('saveDraft', { draftSavedAt: SAVED_AT, issues: [] });
    buttonNamed(el.shadowRoot!, 'Save mine over it').click();
    await waitUntil(() => saveStatus(el) === 'Saved');
    const last = saves(fake)[1]!;
    expect(last.draft.name).to.equal('My edit 2');
    expect(last).not.to.have.property('baseSavedAt');
  });

  it('shows issues at the top, on the card and on the field they point to; Release stays disabled', async () => {
    const el = await mountBuilder(api(WORKFLOW_WITH_ISSUES));
    const list = [...el.shadowRoot!.querySelectorAll('.issues li')].map((li) => text(li));
    expect(list).to.deep.equal([
      'Notify: Unknown template {{trigger.nope}}.',
      'Workflow name: Workflow name already used.',
    ]);
    expect(text(flowOf(el).querySelector('#block-issues-1'))).to.contain('Unknown template');
    expect(flowOf(el).querySelector('#block-issues-0')).to.equal(null);
    expect(el.shadowRoot!.querySelector('#workflow-name')!.getAttribute('aria-invalid')).to.equal('true');
    expect(releaseButton(el).disabled).to.equal(true);
    await expect(el).to.be.accessible();

    // The issue in the list opens the block it points to.
    el.shadowRoot!.querySelector<HTMLButtonElement>('.issues li button')!.click();
    await el.updateComplete;
    const body = panelOf(el).querySelectorAll('alloy-console-field-editor')[1]!.shadowRoot!;
    await waitUntil(() => body.querySelector('#value'));
    expect(body.querySelector('#value')!.getAttribute('aria-invalid')).to.equal('true');
    expect(text(body.querySelector('#value-issues'))).to.equal('Unknown template {{trigger.nope}}.');
    await expect(el).to.be.accessible();
  });

  it('issues from a save replace the shown ones', async () => {
    const fake = api();
    fake.onBuilder('saveDraft', {
      draftSavedAt: SAVED_AT,
      issues: [{ path: ['blocks', 0, 'fields', 0, 'value'], message: 'Not a URL.' }],
    });
    const el = await mountBuilder(fake);
    await rename(el, 'Renamed');
    await waitUntil(() => el.shadowRoot!.querySelector('.issues'), 'no issues', { timeout: 3000 });
    expect(text(flowOf(el).querySelector('#block-issues-0'))).to.contain('Not a URL.');
    expect(releaseButton(el).disabled).to.equal(true);
  });

  it('releases this version after a confirm, and lists it', async () => {
    const fake = api();
    fake.onBuilder('release', { version: 2, releasedAt: '2026-12-06T12:00:00.000Z' });
    const el = await mountBuilder(fake);
    releaseButton(el).click();
    const dialog = el.shadowRoot!.querySelector('dialog')!;
    await waitUntil(() => dialog.open, 'no confirm');
    expect(text(dialog.querySelector('h2'))).to.equal('Release version 2?');
    await expect(el).to.be.accessible();

    fake.onBuilder('workflow', {
      ...WORKFLOW,
      unreleasedChanges: false,
      versions: [
        ...WORKFLOW.versions,
        { ...WORKFLOW.versions[0], version: 2, releasedAt: '2026-12-06T12:00:00.000Z', installs: 0 },
      ],
    });
    buttonNamed(el.shadowRoot!, 'Release').click();
    await waitUntil(() => !dialog.open, 'the confirm stayed open');
    await el.updateComplete;
    expect(fake.calls.filter((c) => c.path.endsWith('/release'))).to.have.length(1);
    expect(text(el.shadowRoot!.querySelector('.notice'))).to.equal('Version 2 released.');
    expect([...el.shadowRoot!.querySelectorAll('tbody th')].map((th) => text(th))).to.deep.equal(['2', '1']);
    expect(releaseButton(el).disabled).to.equal(true);
    expect(text(el.shadowRoot!.querySelector('#release-blocker'))).to.equal(
      'Nothing changed since the latest version.',
    );
    await expect(el).to.be.accessible();
  });

  it('Cancel in the confirm releases nothing', async () => {
    const fake = api();
    const el = await mountBuilder(fake);
    releaseButton(el).click();
    const dialog = el.shadowRoot!.querySelector('dialog')!;
    await waitUntil(() => dialog.open);
    buttonNamed(el.shadowRoot!, 'Cancel').click();
    await waitUntil(() => !dialog.open);
    expect(fake.calls.filter((c) => c.path.endsWith('/release'))).to.have.length(0);
  });

  it('shows a workflow defined in code read-only, with its versions and reinstall reasons', async () => {
    const fake = new FakeConsoleApi()
      .onBuilder('workflow', CODE_WORKFLOW)
      .onBuilder('integration', CODE_INTEGRATION)
      .onBuilder('connectors', CONNECTORS);
    const el = await mountBuilder(fake, { integrationId: INTEGRATION_ID, workflowId: WORKFLOW_ID });
    const root = el.shadowRoot!;
    expect(text(root.querySelector('.banner'))).to.contain('Defined in code (demo-store.integration.json)');
    expect(text(root.querySelector('#latest-title'))).to.equal('Version 2, read-only');
    expect(root.querySelector('button.release')).to.equal(null);
    expect(flowOf(el).querySelectorAll('button')).to.have.length(0);
    expect(text(flowOf(el))).to.contain('https://acme.test/orders');
    const rows = [...root.querySelectorAll('tbody tr')].map((r) => text(r));
    expect(rows[0]).to.contain('Needs reinstall').and.to.contain('The configurable field referencePrefix was added.');
    await expect(el).to.be.accessible();
  });

  it('shows a failed load with a way to try again', async () => {
    const fake = api();
    fake.onBuilder('workflow', () => {
      throw apiError();
    });
    const el = await mountBuilder(fake);
    expect(text(el.shadowRoot!.querySelector('[role="alert"]'))).to.contain('The server is down for maintenance.');
    await expect(el).to.be.accessible();
  });
});

describe('<alloy-console-workflow-builder> at 375 px', () => {
  afterEach(() => setViewport({ width: 800, height: 600 }));

  it('fits a phone screen with a panel and the variable picker open', async () => {
    await setViewport({ width: 375, height: 800 });
    const el = await mountBuilder(api(WORKFLOW_WITH_ISSUES));
    buttonNamed(flowOf(el), 'Edit Notify').click();
    await el.updateComplete;
    const body = panelOf(el).querySelectorAll('alloy-console-field-editor')[1]!.shadowRoot!;
    await waitUntil(() => body.querySelector('#value'));
    buttonNamed(body, 'Insert a variable into Body').click();
    await waitUntil(() => body.querySelector('alloy-console-variable-picker'));
    await wait(0);
    expect(document.documentElement.scrollWidth).to.be.at.most(375);
    expect(el.scrollWidth).to.be.at.most(el.clientWidth);
    await expect(el).to.be.accessible();
  });
});

describe('<alloy-console-workflow-builder> panels', () => {
  it('a custom event: its name and data fields, which the variable picker then lists', async () => {
    const fake = api(EMPTY_WORKFLOW);
    const el = await mountBuilder(fake);
    buttonNamed(flowOf(el), 'Choose a trigger').click();
    await el.updateComplete;
    typeInto(panelOf(el).querySelector<HTMLSelectElement>('#type')!, 'customEvent');
    await el.updateComplete;
    typeInto(panelOf(el).querySelector<HTMLInputElement>('#event-name')!, 'invoice.paid');
    await el.updateComplete;
    buttonNamed(panelOf(el), 'Add a data field').click();
    await el.updateComplete;
    typeInto(panelOf(el).querySelector<HTMLInputElement>('#schema-name-0')!, 'invoiceId');
    await el.updateComplete;
    buttonNamed(panelOf(el), 'Add a data field').click();
    await el.updateComplete;
    typeInto(panelOf(el).querySelector<HTMLSelectElement>('#schema-type-1')!, 'Number');
    await el.updateComplete;
    panelOf(el).querySelectorAll<HTMLInputElement>('.schema-row input[type=checkbox]')[1]!.click();
    await el.updateComplete;
    await expect(el).to.be.accessible();
    await waitUntil(() => saves(fake).length === 1, 'no save', { timeout: 3000 });
    expect(saves(fake)[0]!.draft.trigger).to.deep.equal({
      type: 'customEvent',
      id: 'trigger',
      name: 'Custom event',
      event: 'invoice.paid',
      schema: { invoiceId: 'String', field2: 'Number?' },
    });

    // A trigger field's value can name the new data.
    buttonNamed(panelOf(el), 'Add field').click();
    await el.updateComplete;
    const editor = panelOf(el).querySelector('alloy-console-field-editor')!.shadowRoot!;
    await waitUntil(() => editor.querySelector('#insert'));
    editor.querySelector<HTMLButtonElement>('#insert')!.click();
    await waitUntil(() => editor.querySelector('alloy-console-variable-picker'));
    const picker = inner(editor, 'alloy-console-variable-picker');
    await waitUntil(() => picker.querySelector('button'));
    expect([...picker.querySelectorAll('button')].map((b) => text(b))).to.deep.equal([
      '{{trigger.invoiceId}}',
      '{{trigger.field2}}',
    ]);
  });

  it('an app action: pick the action, its inputs become its fields', async () => {
    const fake = api();
    const el = await mountBuilder(fake);
    buttonNamed(flowOf(el), 'Edit Notify').click();
    await el.updateComplete;
    typeInto(panelOf(el).querySelector<HTMLSelectElement>('#type')!, 'connectorAction');
    await el.updateComplete;
    expect(cardTitles(el)[2]).to.equal('Notify');
    typeInto(panelOf(el).querySelector<HTMLSelectElement>('#action')!, 'updateOrderStatus');
    await el.updateComplete;
    const legends = () =>
      [...panelOf(el).querySelectorAll('alloy-console-field-editor')].map((f) =>
        text(f.shadowRoot!.querySelector('legend')),
      );
    await waitUntil(() => legends().every(Boolean), 'the field editors did not render');
    expect(legends()).to.deep.equal(['orderId', 'status']);
    await expect(el).to.be.accessible();
    await waitUntil(() => saves(fake).length === 1, 'no save', { timeout: 3000 });
    const block = saves(fake)[0]!.draft.blocks[1]!;
    expect(block).to.deep.include({ type: 'connectorAction', connector: 'demoStore', action: 'updateOrderStatus' });
    expect(block.fields.map((f) => [f.name, f.required])).to.deep.equal([
      ['orderId', true],
      ['status', true],
    ]);
  });

  it('a release refused as invalid shows why and the issues', async () => {
    const fake = api();
    fake.onBuilder('release', () => {
      throw new ConsoleApiError('The draft is not valid.', 'validation_failed', 400);
    });
    const el = await mountBuilder(fake);
    fake.onBuilder('workflow', WORKFLOW_WITH_ISSUES);
    releaseButton(el).click();
    const dialog = el.shadowRoot!.querySelector('dialog')!;
    await waitUntil(() => dialog.open);
    buttonNamed(el.shadowRoot!, 'Release').click();
    await waitUntil(() => dialog.querySelector('[role="alert"]'), 'no error in the confirm');
    expect(text(dialog.querySelector('[role="alert"]'))).to.contain('The draft is not valid.');
    await waitUntil(() => el.shadowRoot!.querySelector('.issues'), 'no issues');
    await expect(el).to.be.accessible();
  });
});
