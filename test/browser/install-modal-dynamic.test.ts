import { expect, waitUntil } from '@open-wc/testing';
import {
  AuthApi,
  CONNECTION,
  DEMO_STORE_APP,
  DYNAMIC_INTEGRATION,
  FakeApi,
  STATUS_FIELD,
  control,
  openModal,
  primaryButton,
  removeModals,
  stepTitle,
  typeInto,
} from './modal-fixtures.js';

const optionLabels = (select: HTMLSelectElement) => [...select.options].map((option) => option.textContent);
const searchBox = (root: ShadowRoot) => root.querySelector<HTMLInputElement>('input[type="search"]')!;
const fieldState = (root: ShadowRoot) => root.querySelector('.options-state')!.textContent!.trim();

describe('<alloy-install-modal> dynamic select', () => {
  afterEach(removeModals);

  it('loads the options with getFieldOptions, accessibly', async () => {
    const api = new AuthApi(DYNAMIC_INTEGRATION, []);
    const { el, root } = await openModal(api);
    await waitUntil(() => control<HTMLSelectElement>(root, 'Order status').options.length > 1);
    expect(optionLabels(control(root, 'Order status'))).to.deep.equal([
      'Choose…',
      'Paid',
      'Pending payment',
      'Shipped',
      'Refunded',
    ]);
    expect(api.optionCalls).to.deep.equal([
      {
        field: {
          integrationId: DYNAMIC_INTEGRATION.integrationId,
          workflowId: STATUS_FIELD.workflowId,
          blockId: STATUS_FIELD.blockId,
          fieldName: 'orderStatus',
        },
        credentialId: undefined,
      },
    ]);
    await expect(el).to.be.accessible();
    typeInto(control<HTMLSelectElement>(root, 'Order status'), 'shipped');
    primaryButton(root).click();
    await waitUntil(() => api.calls.length === 1);
    expect(api.calls[0]!.request.values).to.deep.equal([
      { workflowId: STATUS_FIELD.workflowId, blockId: STATUS_FIELD.blockId, name: 'orderStatus', value: 'shipped' },
    ]);
  });

  it('loads with the connection chosen in the auth step', async () => {
    const api = new AuthApi(DYNAMIC_INTEGRATION, [{ ...DEMO_STORE_APP, connections: [CONNECTION] }]);
    const { root } = await openModal(api);
    primaryButton(root).click();
    await waitUntil(() => stepTitle(root) === 'Settings');
    await waitUntil(() => api.optionCalls.length === 1);
    expect(api.optionCalls[0]!.credentialId).to.equal(CONNECTION.credentialId);
  });

  it('shows a loading state while the options load', async () => {
    const api = new AuthApi(DYNAMIC_INTEGRATION, []);
    const release = api.holdOptions();
    const { el, root } = await openModal(api);
    await el.updateComplete;
    expect(control(root, 'Order status').getAttribute('aria-busy')).to.equal('true');
    expect(fieldState(root)).to.equal('Loading options…');
    await expect(el).to.be.accessible();
    release();
    await waitUntil(() => control(root, 'Order status').getAttribute('aria-busy') === 'false');
  });

  it('filters the options as the user types, keeping the chosen one', async () => {
    const api = new AuthApi(DYNAMIC_INTEGRATION, []);
    const { el, root } = await openModal(api);
    await waitUntil(() => control<HTMLSelectElement>(root, 'Order status').options.length > 1);
    typeInto(control<HTMLSelectElement>(root, 'Order status'), 'refunded');
    typeInto(searchBox(root), 'pa');
    await el.updateComplete;
    expect(searchBox(root).getAttribute('aria-label')).to.equal('Search Order status');
    expect(optionLabels(control(root, 'Order status'))).to.deep.equal(['Refunded', 'Paid', 'Pending payment']);
    expect(control<HTMLSelectElement>(root, 'Order status').value).to.equal('refunded');
    typeInto(searchBox(root), 'zzz');
    await el.updateComplete;
    expect(fieldState(root)).to.equal('No options match your search.');
    await expect(el).to.be.accessible();
  });

  it('reloads the options on request', async () => {
    const api = new AuthApi(DYNAMIC_INTEGRATION, []);
    const { root } = await openModal(api);
    await waitUntil(() => control<HTMLSelectElement>(root, 'Order status').options.length > 1);
    api.options = { data: [{ value: 'archived', label: 'Archived' }] };
    const reload = root.querySelector<HTMLButtonElement>('.reload')!;
    expect(reload.getAttribute('aria-label')).to.equal('Reload Order status');
    reload.click();
    await waitUntil(() => optionLabels(control(root, 'Order status')).includes('Archived'));
    expect(api.optionCalls).to.have.length(2);
  });

  it('shows an error when the options fail to load, and recovers on reload', async () => {
    const api = new AuthApi(DYNAMIC_INTEGRATION, []);
    api.options = new Error('Demo Store is down');
    const { el, root } = await openModal(api);
    await waitUntil(() => fieldState(root) === 'We could not load the options.');
    await expect(el).to.be.accessible();
    api.options = { data: [{ value: 'paid', label: 'Paid' }] };
    root.querySelector<HTMLButtonElement>('.reload')!.click();
    await waitUntil(() => optionLabels(control(root, 'Order status')).includes('Paid'));
    expect(fieldState(root)).to.equal('');
  });

  it('falls back to the static options when the API cannot load options', async () => {
    const integration = {
      ...DYNAMIC_INTEGRATION,
      fields: [{ ...STATUS_FIELD, options: [{ value: 'paid', label: 'Paid' }] }],
    };
    const { root } = await openModal(new FakeApi(integration));
    expect(optionLabels(control(root, 'Order status'))).to.deep.equal(['Choose…', 'Paid']);
    expect(root.querySelector('input[type="search"]')).to.equal(null);
  });
});
