import { expect, waitUntil } from '@open-wc/testing';
import type { ConfigField, WidgetIntegration } from '../../src/contract/index.js';
import {
  DEMO_STORE,
  FakeApi,
  PREFIX_FIELD,
  WORKFLOW_ID,
  control,
  errorFor,
  openModal,
  primaryButton,
  removeModals,
  typeInto,
} from './modal-fixtures.js';

// Issue 13, item 10: the server never sends a saved secret back (`{set: true}`, no value). The modal
// shows the field as saved, keeps it by sending nothing, and replaces it when the user types one.

const SECRET_FIELD: ConfigField = {
  workflowId: WORKFLOW_ID,
  blockId: 'settings',
  name: 'apiKey',
  displayName: 'Webhook signing key',
  type: 'secret',
  required: true,
  rules: { minLength: 8 },
};

const SAVED: WidgetIntegration = {
  ...DEMO_STORE,
  workflows: DEMO_STORE.workflows.map((w) => ({ ...w, installed: true, installedVersion: w.version })),
  fields: [PREFIX_FIELD, SECRET_FIELD],
  installation: {
    installationId: 'bbbbbbbbbbbbbbbbbbbbbbbb',
    values: [
      { workflowId: WORKFLOW_ID, blockId: PREFIX_FIELD.blockId, name: PREFIX_FIELD.name, value: 'DS-' },
      { workflowId: WORKFLOW_ID, blockId: 'settings', name: 'apiKey', set: true },
    ],
  },
};

describe('<alloy-install-modal> saved secrets', () => {
  afterEach(removeModals);

  it('shows a saved secret as saved: empty, not required, described, accessible', async () => {
    const { el, root } = await openModal(new FakeApi(SAVED), { operation: 'edit' });
    const secret = control(root, 'Webhook signing key');
    expect(secret.value).to.equal('');
    expect(secret.type).to.equal('password');
    expect(secret.placeholder).to.equal('Saved');
    expect(secret.required).to.equal(false);
    const note = root.getElementById(`${secret.id}-saved`)!;
    expect(note.textContent).to.contain('Leave this empty to keep it');
    expect(secret.getAttribute('aria-describedby')!.split(' ')).to.include(note.id);
    await expect(el).to.be.accessible();
  });

  it('Finish with the field left empty sends no value for it (the server keeps the saved one)', async () => {
    const api = new FakeApi(SAVED);
    const { el, root } = await openModal(api, {
      operation: 'edit',
      // A prefill must not overwrite a saved secret either.
      preFilledValues: [{ name: 'apiKey', value: 'prefilled-secret' }],
    });
    expect(control(root, 'Webhook signing key').value).to.equal('');
    primaryButton(root).click();
    await waitUntil(() => api.calls.length === 1, 'the install was not sent');
    expect(errorFor(root, 'Webhook signing key')).to.equal(undefined);
    expect(api.calls[0]!.request.values.map((v) => v.name)).to.deep.equal(['referencePrefix']);
    el.close();
  });

  it('a typed value replaces it, checked like any secret', async () => {
    const api = new FakeApi(SAVED);
    const { el, root } = await openModal(api, { operation: 'edit' });
    typeInto(control(root, 'Webhook signing key'), 'short');
    primaryButton(root).click();
    await el.updateComplete;
    expect(errorFor(root, 'Webhook signing key')).to.match(/at least 8/);
    await expect(el).to.be.accessible();
    typeInto(control(root, 'Webhook signing key'), 'a-new-signing-key');
    primaryButton(root).click();
    await waitUntil(() => api.calls.length === 1, 'the install was not sent');
    const sent = api.calls[0]!.request.values.find((v) => v.name === 'apiKey');
    expect(sent?.value).to.equal('a-new-signing-key');
    el.close();
  });

  it('without a saved value the secret is required as before', async () => {
    const api = new FakeApi({ ...SAVED, installation: null });
    const { el, root } = await openModal(api);
    const secret = control(root, 'Webhook signing key');
    expect(secret.required).to.equal(true);
    expect(secret.placeholder).to.equal('');
    expect(root.getElementById(`${secret.id}-saved`)).to.equal(null);
    primaryButton(root).click();
    await el.updateComplete;
    expect(errorFor(root, 'Webhook signing key')).to.equal('This field is required.');
  });
});
