import { aTimeout, expect, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { UninstallResponse, WidgetIntegration } from '../../src/contract/index.js';
import {
  AuthApi,
  CONNECTION,
  DEMO_STORE,
  DEMO_STORE_APP,
  FakeApi,
  INSTALLED,
  PREFIX_FIELD,
  SECOND_WORKFLOW_ID,
  TWO_WORKFLOWS,
  WORKFLOW_ID,
  deferred,
  dialogOf,
  openModal,
  primaryButton,
  removeModals,
  statusText,
  stepTitle,
  typeInto,
} from './modal-fixtures.js';

/** Demo Store as the user installed it: the workflow on, its prefix saved. */
const INSTALLED_STORE: WidgetIntegration = {
  ...DEMO_STORE,
  workflows: [{ workflowId: WORKFLOW_ID, name: 'Stream new orders to AcmeCo', version: 1, installed: true }],
  installation: {
    installationId: INSTALLED.installationId,
    values: [{ workflowId: WORKFLOW_ID, blockId: PREFIX_FIELD.blockId, name: PREFIX_FIELD.name, value: 'DS-' }],
  },
};
/** A connection made after the one the installation uses (newest first, as the server lists them). */
const NEWER = { credentialId: '65a1c0de0000000000000c09', name: 'other@demo-store', createdAt: '2026-02-01T00:00:00Z' };
const UNINSTALLED: UninstallResponse = {
  installationId: INSTALLED.installationId,
  integrationId: DEMO_STORE.integrationId,
  workflowIds: [WORKFLOW_ID],
};

/** The auth double plus the uninstall call, which it records and can hold back or fail. */
class ManageApi extends AuthApi {
  uninstalls: string[] = [];
  uninstallResult: UninstallResponse | Error = UNINSTALLED;
  uninstallHeld: Promise<void> | undefined;
  async deleteInstallation(integrationId: string): Promise<UninstallResponse> {
    this.uninstalls.push(integrationId);
    await this.uninstallHeld;
    if (this.uninstallResult instanceof Error) throw this.uninstallResult;
    return this.uninstallResult;
  }
}

const editApi = () =>
  new ManageApi(INSTALLED_STORE, [{ ...DEMO_STORE_APP, connections: [NEWER, { ...CONNECTION, inUse: true }] }]);
/** As the SDK's edit() opens it (alloy-frontend's defaults). */
const EDIT = { operation: 'edit', alwaysShowAuthentication: true } as const;
const text = (root: ShadowRoot, selector: string) =>
  root.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim();

describe('<alloy-install-modal> editing an installation', () => {
  afterEach(() => removeModals());

  it('starts on the connection the installation uses ("Connected to … · Change"), and Continue goes to Save changes', async () => {
    const api = editApi();
    const { el, root } = await openModal(api, EDIT);
    expect(stepTitle(root)).to.equal('Connect Demo Store');
    expect(text(root, '.connection p')).to.equal('Connected to acme@demo-store');
    const change = root.querySelector<HTMLButtonElement>('.connection .change')!;
    expect(change.textContent!.trim()).to.equal('Change');
    expect(root.querySelector('.auth-fields'), 'no empty credential fields').to.equal(null);
    await expect(el).to.be.accessible();

    primaryButton(root).click();
    await waitUntil(() => stepTitle(root) === 'Settings', 'Continue goes straight to Settings');
    expect(primaryButton(root).textContent!.trim()).to.equal('Save changes');
    primaryButton(root).click();
    await waitUntil(() => api.calls.length === 1);
    // The installation's connection, not the user's newest one.
    expect(api.calls[0]!.request.credentialIds).to.deep.equal({ demoStore: CONNECTION.credentialId });
    expect(api.calls[0]!.request.values).to.deep.equal([{ ...INSTALLED_STORE.installation!.values[0]! }]);
  });

  it('"Change" opens the usual ways to connect, with the current connection one click away', async () => {
    const api = editApi();
    const { el, root } = await openModal(api, EDIT);
    root.querySelector<HTMLButtonElement>('.connection .change')!.click();
    await el.updateComplete;
    expect(root.querySelector('.auth-fields')).to.not.equal(null);
    expect(text(root, '.existing')).to.equal('Use acme@demo-store');
    await expect(el).to.be.accessible();
    root.querySelector<HTMLButtonElement>('.existing')!.click();
    await el.updateComplete;
    expect(text(root, '.connection p')).to.equal('Connected to acme@demo-store');
  });

  it('a first install is unchanged: the newest connection, worded "Connected as"', async () => {
    const api = new ManageApi(DEMO_STORE, [{ ...DEMO_STORE_APP, connections: [NEWER, CONNECTION] }]);
    const { root } = await openModal(api);
    expect(text(root, '.connection p')).to.equal('Connected as other@demo-store');
    expect(root.querySelector('.connection .change')).to.equal(null);
  });

  it('words "Connected to … · Change" in the modal language', async () => {
    const { root } = await openModal(editApi(), { ...EDIT, locale: 'es' });
    expect(text(root, '.connection p')).to.equal('Conectado a acme@demo-store');
    expect(text(root, '.connection .change')).to.equal('Cambiar');
  });
});

describe('<alloy-install-modal> success', () => {
  afterEach(() => removeModals());

  const described: WidgetIntegration = {
    ...TWO_WORKFLOWS,
    workflows: [
      { ...TWO_WORKFLOWS.workflows[0]!, description: 'New orders will appear in AcmeCo.' },
      TWO_WORKFLOWS.workflows[1]!,
    ],
  };

  it('stays until Done by default and says what now happens, from the workflows’ own descriptions', async () => {
    const api = new FakeApi(described);
    api.installResult = { ...INSTALLED, workflowIds: [WORKFLOW_ID, SECOND_WORKFLOW_ID] };
    const { el, root, outcome } = await openModal(api, { successDuration: undefined });
    typeInto(root.querySelector<HTMLInputElement>('#alloy-field-0')!, 'DS-');
    typeInto(root.querySelector<HTMLInputElement>('#alloy-field-1')!, 'Thanks');
    primaryButton(root).click();
    await waitUntil(() => root.querySelector('.success'));
    expect(text(root, '.next-steps h4')).to.equal('What happens now');
    // A workflow without a description is said by its name.
    expect([...root.querySelectorAll('.next-steps li')].map((li) => li.textContent!.trim())).to.deep.equal([
      'New orders will appear in AcmeCo.',
      'Send refunds back to Demo Store',
    ]);
    await expect(el).to.be.accessible();
    // Longer than the old 1.8 s auto-close: still open.
    await aTimeout(2200);
    expect(dialogOf(root).open).to.equal(true);
    expect(statusText(root)).to.equal('Demo Store is installed.');
    primaryButton(root).click();
    expect(await outcome).to.deep.equal({ success: true, ...api.installResult });
  });

  it('lists only what was installed, in the modal language', async () => {
    const api = new FakeApi(described);
    const { root } = await openModal(api, { locale: 'fr', successDuration: undefined });
    typeInto(root.querySelector<HTMLInputElement>('#alloy-field-0')!, 'DS-');
    typeInto(root.querySelector<HTMLInputElement>('#alloy-field-1')!, 'Merci');
    primaryButton(root).click();
    await waitUntil(() => root.querySelector('.success'));
    expect(text(root, '.next-steps h4')).to.equal('Et maintenant');
    expect([...root.querySelectorAll('.next-steps li')].map((li) => li.textContent!.trim())).to.deep.equal([
      'New orders will appear in AcmeCo.',
    ]);
  });
});

describe('<alloy-install-modal> uninstall', () => {
  afterEach(() => removeModals());

  async function toSettings(api = editApi(), props: Record<string, unknown> = {}) {
    const opened = await openModal(api, { ...EDIT, ...props });
    primaryButton(opened.root).click();
    await waitUntil(() => opened.root.querySelector('.uninstall-entry'), 'the settings step offers Uninstall');
    return opened;
  }

  it('asks first (Cancel focused, Esc goes back), then uninstalls, fires alloy-uninstalled and closes', async () => {
    const api = editApi();
    const { el, root, outcome } = await toSettings(api);
    const entry = root.querySelector<HTMLButtonElement>('.uninstall-entry')!;
    expect(entry.textContent!.trim()).to.equal('Uninstall Demo Store');
    entry.click();
    await el.updateComplete;
    expect(stepTitle(root)).to.equal('Uninstall Demo Store?');
    expect(text(root, '#alloy-uninstall-text')).to.match(/^Its workflows stop running/);
    await waitUntil(() => root.activeElement?.classList.contains('cancel-uninstall'), 'Cancel is focused');
    const confirm = root.querySelector<HTMLButtonElement>('.confirm-uninstall')!;
    expect(confirm.textContent!.trim()).to.equal('Uninstall');
    expect(confirm.getAttribute('part')).to.contain('confirm-uninstall-button');
    await expect(el).to.be.accessible();
    expect(api.uninstalls).to.deep.equal([], 'nothing is removed before the user confirms');

    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(stepTitle(root)).to.equal('Settings');
    expect(dialogOf(root).open).to.equal(true);
    await waitUntil(() => root.activeElement?.classList.contains('uninstall-entry'), 'focus back on the entry');

    root.querySelector<HTMLButtonElement>('.uninstall-entry')!.click();
    await el.updateComplete;
    const uninstalled = oneEvent(el, 'alloy-uninstalled');
    const closed = oneEvent(el, 'alloy-close');
    root.querySelector<HTMLButtonElement>('.confirm-uninstall')!.click();
    expect((await uninstalled).detail).to.deep.equal(UNINSTALLED);
    expect((await closed).detail.reason).to.equal('uninstalled');
    expect(await outcome).to.deep.equal({ success: false, reason: 'uninstalled' });
    expect(api.uninstalls).to.deep.equal([DEMO_STORE.integrationId]);
    expect(api.calls).to.have.length(0);
  });

  it('Cancel goes back to the settings as they were; while uninstalling nothing else can be pressed', async () => {
    const api = editApi();
    const hold = deferred<void>();
    api.uninstallHeld = hold.promise;
    const { el, root, outcome } = await toSettings(api);
    typeInto(root.querySelector<HTMLInputElement>('#alloy-field-0')!, 'NEW-');
    root.querySelector<HTMLButtonElement>('.uninstall-entry')!.click();
    await el.updateComplete;
    root.querySelector<HTMLButtonElement>('.cancel-uninstall')!.click();
    await el.updateComplete;
    expect(root.querySelector<HTMLInputElement>('#alloy-field-0')!.value).to.equal('NEW-');

    root.querySelector<HTMLButtonElement>('.uninstall-entry')!.click();
    await el.updateComplete;
    root.querySelector<HTMLButtonElement>('.confirm-uninstall')!.click();
    await el.updateComplete;
    expect(text(root, '.confirm-uninstall')).to.equal('Uninstalling…');
    expect(root.querySelector<HTMLButtonElement>('.cancel-uninstall')!.disabled).to.equal(true);
    root.querySelector<HTMLButtonElement>('.confirm-uninstall')!.click();
    await sendKeys({ press: 'Escape' });
    expect(dialogOf(root).open).to.equal(true);
    await expect(el).to.be.accessible();
    hold.resolve();
    expect(await outcome).to.deep.equal({ success: false, reason: 'uninstalled' });
    expect(api.uninstalls).to.have.length(1);
  });

  it('a failed uninstall says so in place and can be tried again', async () => {
    const api = editApi();
    api.uninstallResult = new Error('The Alloy API answered 503');
    const { el, root, outcome } = await toSettings(api, { locale: 'de' });
    expect(text(root, '.uninstall-entry')).to.equal('Demo Store deinstallieren');
    const errors: unknown[] = [];
    el.addEventListener('alloy-error', (event) => errors.push(event.detail.error));
    root.querySelector<HTMLButtonElement>('.uninstall-entry')!.click();
    await el.updateComplete;
    expect(stepTitle(root)).to.equal('Demo Store deinstallieren?');
    root.querySelector<HTMLButtonElement>('.confirm-uninstall')!.click();
    await waitUntil(() => root.querySelector('.uninstall-confirm .form-error'));
    expect(text(root, '.uninstall-confirm .form-error')).to.equal(
      'Die Deinstallation hat nicht funktioniert. Versuchen Sie es erneut.',
    );
    expect(errors).to.have.length(1);
    await expect(el).to.be.accessible();
    api.uninstallResult = UNINSTALLED;
    root.querySelector<HTMLButtonElement>('.confirm-uninstall')!.click();
    expect(await outcome).to.deep.equal({ success: false, reason: 'uninstalled' });
  });

  it('is not offered for a first install, or by an API without it', async () => {
    const install = await openModal(new ManageApi(DEMO_STORE, []));
    expect(stepTitle(install.root)).to.equal('Settings');
    expect(install.root.querySelector('.uninstall-entry')).to.equal(null);
    install.el.close();
    const older = await openModal(new FakeApi(INSTALLED_STORE), { operation: 'edit' });
    expect(stepTitle(older.root)).to.equal('Settings');
    expect(older.root.querySelector('.uninstall-entry')).to.equal(null);
  });
});
