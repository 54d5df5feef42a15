import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ConfigField } from '../../src/contract/index.js';
import {
  DEMO_STORE,
  EVERY_FIELD_INTEGRATION,
  FakeApi,
  PREFIX_FIELD,
  WORKFLOW_ID,
  control,
  errorFor,
  fillEveryField,
  openModal,
  primaryButton,
  removeModals,
  setChecked,
  statusText,
  typeInto,
} from './modal-fixtures.js';

describe('<alloy-install-modal> config fields', () => {
  afterEach(removeModals);

  it('renders every field type as the matching native control, labelled, accessibly', async () => {
    const { el, root } = await openModal(new FakeApi(EVERY_FIELD_INTEGRATION));
    expect(control(root, 'Order reference prefix').type).to.equal('text');
    expect(control(root, 'Order reference prefix').placeholder).to.equal('DS-');
    expect(control(root, 'Notes for the team').tagName).to.equal('TEXTAREA');
    const batch = control(root, 'Batch size');
    expect([batch.type, batch.min, batch.max]).to.deep.equal(['number', '1', '500']);
    expect(control(root, 'Include draft orders').type).to.equal('checkbox');
    const region = control<HTMLSelectElement>(root, 'Warehouse region');
    expect([...region.options].map((o) => o.textContent)).to.deep.equal(['Choose…', 'Europe', 'United States']);
    const channels = control<HTMLFieldSetElement>(root, 'Sales channels');
    expect(channels.tagName).to.equal('FIELDSET');
    expect([...channels.querySelectorAll('label')].map((l) => l.textContent!.trim())).to.deep.equal([
      'Web shop',
      'Point of sale',
      'Wholesale',
    ]);
    expect(control(root, 'Webhook signing key').type).to.equal('password');
    expect(control(root, 'Webhook signing key').autocomplete).to.equal('off');
    expect(control<HTMLSelectElement>(root, 'Pipeline').tagName).to.equal('SELECT');
    // Optional fields say so; required ones carry `required`.
    expect(root.querySelector(`label[for="${control(root, 'Notes for the team').id}"]`)!.textContent).to.contain(
      '(optional)',
    );
    expect(control(root, 'Batch size').required).to.equal(true);
    expect(root.getElementById(`${control(root, 'Include draft orders').id}-help`)!.textContent).to.equal(
      'Drafts are skipped.',
    );
    await expect(el).to.be.accessible();
  });

  it('shows and hides a secret with a labelled toggle, accessibly in both states', async () => {
    const { el, root } = await openModal(new FakeApi(EVERY_FIELD_INTEGRATION));
    const secret = control(root, 'Webhook signing key');
    typeInto(secret, 'abc');
    const toggle = root.querySelector<HTMLButtonElement>('.reveal')!;
    expect(toggle.getAttribute('aria-controls')).to.equal(secret.id);
    expect(toggle.textContent!.replace(/\s+/g, ' ').trim()).to.equal('Show Webhook signing key');
    toggle.click();
    await el.updateComplete;
    expect(control(root, 'Webhook signing key').type).to.equal('text');
    expect(control(root, 'Webhook signing key').value).to.equal('abc');
    expect(toggle.textContent!.replace(/\s+/g, ' ').trim()).to.equal('Hide Webhook signing key');
    await expect(el).to.be.accessible();
    toggle.click();
    await el.updateComplete;
    expect(control(root, 'Webhook signing key').type).to.equal('password');
  });

  it('blocks Finish with every required field empty, says why next to each, focuses the first', async () => {
    const api = new FakeApi(EVERY_FIELD_INTEGRATION);
    const { el, root } = await openModal(api);
    primaryButton(root).click();
    await el.updateComplete;
    const required = ['Order reference prefix', 'Batch size', 'Warehouse region', 'Sales channels'];
    for (const label of required) expect(errorFor(root, label), label).to.equal('This field is required.');
    expect(errorFor(root, 'Webhook signing key')).to.equal('This field is required.');
    expect(errorFor(root, 'Notes for the team')).to.equal(undefined);
    expect(errorFor(root, 'Include draft orders')).to.equal(undefined);
    expect(root.querySelector('[part="form-error"]')!.textContent).to.contain('Fix the 5 highlighted fields.');
    expect(statusText(root)).to.equal('Fix the 5 highlighted fields.');
    const prefix = control(root, 'Order reference prefix');
    expect(prefix.getAttribute('aria-invalid')).to.equal('true');
    expect(prefix.getAttribute('aria-describedby')).to.contain(`${prefix.id}-error`);
    await waitUntil(() => root.activeElement === prefix);
    expect(api.calls).to.have.length(0);
    await expect(el).to.be.accessible();

    typeInto(prefix, 'DS-');
    await el.updateComplete;
    expect(errorFor(root, 'Order reference prefix')).to.equal(undefined);
    expect(root.querySelector('[part="form-error"]')).not.to.equal(null);
  });

  describe('enforces the definition’s format rules as the server does', () => {
    const cases: { label: string; value: string; message: string | undefined }[] = [
      { label: 'Order reference prefix', value: 'has space', message: 'Use letters, digits, - or _ only.' },
      { label: 'Order reference prefix', value: 'ABCDEFGHIJKLM', message: 'Enter at most 12 characters.' },
      { label: 'Order reference prefix', value: '  ABCDEFGHIJKL  ', message: undefined },
      { label: 'Notes for the team', value: 'ab', message: 'Enter at least 3 characters.' },
      { label: 'Notes for the team', value: ' abc ', message: undefined },
      { label: 'Batch size', value: '0', message: 'Enter 1 or more.' },
      { label: 'Batch size', value: '501', message: 'Enter 500 or less.' },
      { label: 'Batch size', value: '2.5', message: undefined },
      { label: 'Webhook signing key', value: 'short', message: 'Enter at least 8 characters.' },
      { label: 'Webhook signing key', value: '  short ', message: undefined },
    ];
    for (const { label, value, message } of cases) {
      it(`${label} = ${JSON.stringify(value)} → ${message ?? 'accepted'}`, async () => {
        const { el, root } = await openModal(new FakeApi(EVERY_FIELD_INTEGRATION));
        typeInto(control(root, label), value);
        primaryButton(root).click();
        await el.updateComplete;
        expect(errorFor(root, label)).to.equal(message);
      });
    }
  });

  it('says "Enter a number" for text typed into a number field', async () => {
    const { el, root } = await openModal(new FakeApi(EVERY_FIELD_INTEGRATION));
    const batch = control(root, 'Batch size');
    batch.focus();
    await sendKeys({ type: '1e' });
    primaryButton(root).click();
    await el.updateComplete;
    expect(errorFor(root, 'Batch size')).to.equal('Enter a number.');
  });

  it('sends each type as the server expects it: trimmed text, numbers, booleans, lists, raw secrets', async () => {
    const api = new FakeApi(EVERY_FIELD_INTEGRATION);
    const { el, root } = await openModal(api);
    await fillEveryField(el, root);
    primaryButton(root).click();
    await waitUntil(() => api.calls.length === 1);
    const sent = Object.fromEntries(api.calls[0]!.request.values.map((v) => [v.name, v.value]));
    expect(sent).to.deep.equal({
      referencePrefix: 'DS-',
      notes: 'Ship fast',
      batchSize: 25,
      includeDrafts: true,
      region: 'us',
      channels: ['web', 'b2b'],
      apiKey: ' s3cret-key ',
    });
    el.close();
  });

  it('pre-fills from preFilledValues, most specific match first; saved values beat prefill; defaults last', async () => {
    const withDefault: ConfigField = { ...PREFIX_FIELD, name: 'suffix', displayName: 'Suffix', defaultValue: '-X' };
    const integration = {
      ...EVERY_FIELD_INTEGRATION,
      fields: [...EVERY_FIELD_INTEGRATION.fields, withDefault],
      installation: {
        installationId: 'bbbbbbbbbbbbbbbbbbbbbbbb',
        values: [{ workflowId: WORKFLOW_ID, blockId: 'settings', name: 'batchSize', value: 40 }],
      },
    };
    const { el, root } = await openModal(new FakeApi(integration), {
      preFilledValues: [
        { name: 'referencePrefix', value: 'ANY-' },
        { name: 'referencePrefix', value: 'EXACT-', workflowId: WORKFLOW_ID, blockId: 'stream-to-acmeco' },
        { name: 'referencePrefix', value: 'OTHER-', workflowId: 'ffffffffffffffffffffffff' },
        { name: 'batchSize', value: 10 },
        { name: 'includeDrafts', value: true },
        { name: 'region', value: 'eu' },
        { name: 'channels', value: ['pos', 'not-an-option'] },
        { name: 'apiKey', value: 'prefilled-secret' },
      ],
    });
    expect(control(root, 'Order reference prefix').value).to.equal('EXACT-');
    expect(control(root, 'Batch size').value).to.equal('40');
    expect(control(root, 'Include draft orders').checked).to.equal(true);
    expect(control<HTMLSelectElement>(root, 'Warehouse region').value).to.equal('eu');
    const channels = [...control(root, 'Sales channels').querySelectorAll('input')].map((i) => i.checked);
    expect(channels).to.deep.equal([false, true, false]);
    expect(control(root, 'Webhook signing key').value).to.equal('prefilled-secret');
    expect(control(root, 'Suffix').value).to.equal('-X');
    await expect(el).to.be.accessible();
  });

  it('lets a multi-select be changed with the keyboard', async () => {
    const { el, root } = await openModal(new FakeApi(EVERY_FIELD_INTEGRATION));
    const first = control(root, 'Sales channels').querySelector('input')!;
    first.focus();
    await sendKeys({ press: 'Space' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Space' });
    await el.updateComplete;
    const checked = [...control(root, 'Sales channels').querySelectorAll('input')].map((i) => i.checked);
    expect(checked).to.deep.equal([true, true, false]);
  });

  it('does not send optional fields that were left empty, nor unchecked optional choices', async () => {
    const api = new FakeApi(EVERY_FIELD_INTEGRATION);
    const { el, root } = await openModal(api);
    await fillEveryField(el, root);
    typeInto(control<HTMLTextAreaElement>(root, 'Notes for the team'), '   ');
    primaryButton(root).click();
    await waitUntil(() => api.calls.length === 1);
    const names = api.calls[0]!.request.values.map((v) => v.name);
    expect(names).not.to.include('notes');
    expect(names).not.to.include('pipeline');
    el.close();
  });

  it('renders a select value the definition no longer offers as unchosen, not as another option', async () => {
    const integration = {
      ...DEMO_STORE,
      fields: [EVERY_FIELD_INTEGRATION.fields.find((f) => f.name === 'region')!],
      installation: {
        installationId: 'bbbbbbbbbbbbbbbbbbbbbbbb',
        values: [{ workflowId: WORKFLOW_ID, blockId: 'settings', name: 'region', value: 'apac' }],
      },
    };
    const { root } = await openModal(new FakeApi(integration), { operation: 'edit' });
    expect(control<HTMLSelectElement>(root, 'Warehouse region').value).to.equal('');
  });

  it('keeps the checkbox and text values when moving between fields', async () => {
    const { el, root } = await openModal(new FakeApi(EVERY_FIELD_INTEGRATION));
    setChecked(control(root, 'Include draft orders'), true);
    typeInto(control(root, 'Order reference prefix'), 'A');
    await el.updateComplete;
    expect(control(root, 'Include draft orders').checked).to.equal(true);
    expect(control(root, 'Order reference prefix').value).to.equal('A');
  });
});
