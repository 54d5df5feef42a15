// The screenshot page: puts the modal into one named state against a WidgetApi double. Bundled by
// capture.ts and driven through `window.renderScenario(name, dark)`.
import type { UninstallResponse, WidgetIntegration } from '../../src/contract/index.js';
import { defineInstallModal, type AlloyInstallModal } from '../../src/modal/index.js';
import {
  AuthApi,
  CONNECTION,
  DEMO_STORE_APP,
  DYNAMIC_INTEGRATION,
  FakePopup,
  OAUTH_APP,
  stubWindowOpen,
  DEMO_STORE,
  EVERY_FIELD_INTEGRATION,
  FakeApi,
  INTEGRATION_ID,
  TWO_WORKFLOWS,
  WORKFLOW_ID,
  validationError,
} from '../helpers/modal-doubles.js';

defineInstallModal();

const icon = `${location.origin}/static/icons/demo-store.svg`;
const store: WidgetIntegration = { ...DEMO_STORE, icon };
const everyField: WidgetIntegration = { ...EVERY_FIELD_INTEGRATION, icon };
const twoWorkflows: WidgetIntegration = { ...TWO_WORKFLOWS, icon };
const installed: WidgetIntegration = {
  ...twoWorkflows,
  workflows: [
    { ...TWO_WORKFLOWS.workflows[0]!, installed: true, installedVersion: 1, version: 2 },
    { ...TWO_WORKFLOWS.workflows[1]!, installed: false, installedVersion: null },
  ],
  installation: {
    installationId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
    values: [{ workflowId: WORKFLOW_ID, blockId: 'stream-to-acmeco', name: 'referencePrefix', value: 'DS-' }],
  },
};

const until = async (check: () => unknown): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!check()) throw new Error('the modal did not reach the expected state');
};

let dark = false;

const storeApp = { ...DEMO_STORE_APP, icon };
const oauthApp = { ...OAUTH_APP, icon };
const dynamicStore: WidgetIntegration = { ...DYNAMIC_INTEGRATION, icon };

/** Puts the OAuth app's step into its waiting state (or blocked, with no popup). */
async function startOAuth(popup: FakePopup | null) {
  stubWindowOpen([popup]);
  const api = new AuthApi(store, [oauthApp]);
  const { el, root } = await open(api);
  type(find(root, 'input'), 'acme');
  await el.updateComplete;
  // The footer's primary button is the step's one action (Connect Demo Store).
  find<HTMLButtonElement>(root, 'footer .primary').click();
  await el.updateComplete;
  return { el, root, api };
}

async function open(api: FakeApi, props: Partial<AlloyInstallModal> = {}, ready = 'footer .primary') {
  const el = document.createElement('alloy-install-modal');
  el.integrationId = INTEGRATION_ID;
  el.api = api;
  el.successDuration = 1e9;
  el.appearance = { theme: dark ? 'dark' : 'light' };
  Object.assign(el, props);
  document.body.append(el);
  void el.show();
  const root = el.shadowRoot!;
  await until(() => root.querySelector(ready));
  return { el, root };
}

const find = <T extends Element = HTMLInputElement>(root: ShadowRoot, selector: string) =>
  root.querySelector(selector) as T;

function type(input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event('input'));
  input.dispatchEvent(new Event('change'));
}

async function fillEveryField(el: AlloyInstallModal, root: ShadowRoot) {
  const byId = (index: number) => root.getElementById(`alloy-field-${index}`) as HTMLInputElement;
  type(byId(0), 'DS-');
  type(byId(1), 'Ship before noon.');
  type(byId(2), '25');
  byId(3).checked = true;
  byId(3).dispatchEvent(new Event('change'));
  type(byId(4), 'eu');
  await el.updateComplete;
  byId(5).checked = true;
  byId(5).dispatchEvent(new Event('change'));
  type(byId(6), 'whsec_4f9a1c2e');
  await el.updateComplete;
  find<HTMLButtonElement>(root, '.reveal').click();
  await el.updateComplete;
}

/** Demo Store installed, for edits: the auth double plus the uninstall call. */
class ManageApi extends AuthApi {
  deleteInstallation(integrationId: string): Promise<UninstallResponse> {
    return Promise.resolve({ installationId: 'aaaaaaaaaaaaaaaaaaaaaaaa', integrationId, workflowIds: [WORKFLOW_ID] });
  }
}
const installedStore: WidgetIntegration = {
  ...store,
  workflows: store.workflows.map((workflow) => ({ ...workflow, installed: true })),
  installation: installed.installation,
};
/** Both ways to connect: an API key and OAuth, as the Demo Store connector offers them. */
const bothWaysApp = { ...storeApp, oauth: OAUTH_APP.oauth };
const editApi = () => new ManageApi(installedStore, [{ ...storeApp, connections: [{ ...CONNECTION, inUse: true }] }]);

const scenarios: Record<string, () => Promise<unknown>> = {
  async loading() {
    const api = new FakeApi(store);
    api.getIntegration = () => new Promise(() => undefined);
    await open(api, {}, '.skeleton');
  },
  async config() {
    await open(new FakeApi(store));
  },
  async branded() {
    await open(new FakeApi(store), {
      appearance: {
        theme: dark ? 'dark' : 'light',
        brandName: 'AcmeCo',
        logoUrl: '/acme-logo.svg',
        colors: { primary: '#0f766e' },
        darkColors: { primary: '#5eead4', onPrimary: '#042f2e' },
        radius: '8px',
      },
    });
  },
  async 'every-field'() {
    await open(new FakeApi(everyField));
  },
  async filled() {
    const { el, root } = await open(new FakeApi(everyField));
    await fillEveryField(el, root);
    // Show the lower half (multi-select, secret, dynamic select); every-field shows the upper half.
    find(root, '.body').scrollTop = 1e6;
  },
  async invalid() {
    const { el, root } = await open(new FakeApi(everyField));
    type(find(root, '#alloy-field-0'), 'has space');
    type(find(root, '#alloy-field-2'), '900');
    find<HTMLButtonElement>(root, 'footer .primary').click();
    await el.updateComplete;
  },
  async workflows() {
    await open(new FakeApi(twoWorkflows), { workflowSelection: true });
  },
  async submitting() {
    const api = new FakeApi(store);
    api.holdInstall();
    const { root } = await open(api);
    type(find(root, 'input'), 'DS-');
    find<HTMLButtonElement>(root, 'footer .primary').click();
    await until(() => root.querySelector('.spinner'));
  },
  async success() {
    const { root } = await open(new FakeApi(store));
    type(find(root, 'input'), 'DS-');
    find<HTMLButtonElement>(root, 'footer .primary').click();
    await until(() => root.querySelector('.success'));
  },
  async 'install-error'() {
    const api = new FakeApi(store);
    api.installResult = new Error('Could not reach the Alloy API. Check the connection and try again.');
    const { root } = await open(api);
    type(find(root, 'input'), 'DS-');
    find<HTMLButtonElement>(root, 'footer .primary').click();
    // The sentence and Details come with the error chunk.
    await until(() => root.querySelector('.result.error [part="error-details"]'));
  },
  async 'server-field-error'() {
    const api = new FakeApi(store);
    api.installResult = validationError('Invalid configuration.', [
      { path: ['values', 0, 'value'], message: 'Order reference prefix is already used by another store' },
    ]);
    const { root } = await open(api);
    type(find(root, 'input'), 'DS-');
    find<HTMLButtonElement>(root, 'footer .primary').click();
    await until(() => root.querySelector('.field-error'));
  },
  async 'load-error'() {
    const { root } = await open(new FakeApi(new Error('The Alloy API did not answer within 15000 ms.')));
    await until(() => root.querySelector('.result.error [part="error-details"]'));
  },
  async 'discard-confirm'() {
    const { el, root } = await open(new FakeApi(store));
    type(find(root, 'input'), 'DS-');
    find<HTMLButtonElement>(root, '.close').click();
    await el.updateComplete;
  },
  async edit() {
    await open(new FakeApi(installed), { operation: 'edit' });
  },
  async update() {
    await open(new FakeApi(installed), { operation: 'update' });
  },
  async german() {
    const { el, root } = await open(new FakeApi(everyField), { locale: 'de' });
    find<HTMLButtonElement>(root, 'footer .primary').click();
    await el.updateComplete;
  },
  async french() {
    await open(new FakeApi(twoWorkflows), { locale: 'fr', workflowSelection: true });
  },
  async spanish() {
    const { root } = await open(new FakeApi(store), { locale: 'es' });
    type(find(root, 'input'), 'DS-');
    find<HTMLButtonElement>(root, 'footer .primary').click();
    await until(() => root.querySelector('.success'));
  },
  async 'auth-connected'() {
    await open(new AuthApi(store, [{ ...storeApp, connections: [CONNECTION] }]));
  },
  async 'auth-fields'() {
    const { el, root } = await open(new AuthApi(store, [storeApp]), { alwaysShowAuthentication: true });
    type(find(root, 'input'), 'ds_live_51f0c9');
    find<HTMLButtonElement>(root, '.reveal').click();
    await el.updateComplete;
  },
  async 'auth-field-error'() {
    const api = new AuthApi(store, [storeApp]);
    api.credentialResult = validationError('Demo Store refused the key', [
      { path: ['fields', 'apiKey'], message: 'Demo Store does not know this key.' },
    ]);
    const { el, root } = await open(api);
    type(find(root, 'input'), 'wrong-key');
    type(find(root, 'select'), 'eu');
    await el.updateComplete;
    find<HTMLButtonElement>(root, 'footer .primary').click();
    await until(() => root.querySelector('.field-error'));
  },
  async 'auth-api-key'() {
    const { el, root } = await open(new AuthApi(store, [bothWaysApp]));
    find<HTMLButtonElement>(root, '.method-switch').click();
    await el.updateComplete;
  },
  async 'edit-connected'() {
    await open(editApi(), { operation: 'edit', alwaysShowAuthentication: true });
  },
  async 'uninstall-confirm'() {
    const { el, root } = await open(editApi(), { operation: 'edit', alwaysShowAuthentication: true });
    find<HTMLButtonElement>(root, 'footer .primary').click();
    await until(() => root.querySelector('.uninstall-entry'));
    find<HTMLButtonElement>(root, '.uninstall-entry').click();
    await el.updateComplete;
  },
  async 'auth-oauth'() {
    await open(new AuthApi(store, [oauthApp]));
  },
  async 'auth-oauth-waiting'() {
    const { root } = await startOAuth(new FakePopup());
    await until(() => root.querySelector('.waiting'));
  },
  async 'auth-popup-blocked'() {
    const { root } = await startOAuth(null);
    await until(() => root.querySelector('.body .form-error'));
  },
  async 'auth-denied'() {
    const { root, api } = await startOAuth(new FakePopup());
    api.sessionView = { sessionId: api.session.sessionId, status: 'cancelled' };
    await until(() => root.querySelector('.body .form-error'));
  },
  async 'dynamic-select'() {
    const { el, root } = await open(new AuthApi(dynamicStore, []));
    await until(() => root.querySelectorAll('option').length > 1);
    type(find(root, 'input[type="search"]'), 'pa');
    await el.updateComplete;
  },
  async 'dynamic-loading'() {
    const api = new AuthApi(dynamicStore, []);
    api.holdOptions();
    await open(api);
  },
  async 'dynamic-error'() {
    const api = new AuthApi(dynamicStore, []);
    api.options = new Error('Demo Store is down');
    const { root } = await open(api);
    await until(() => root.querySelector('.options-state .field-error'));
  },
  async 'auth-german'() {
    await open(new AuthApi(store, [{ ...storeApp, connections: [CONNECTION] }]), { locale: 'de' });
  },
  async rtl() {
    document.documentElement.dir = 'rtl';
    document.documentElement.lang = 'ar';
    await open(
      new FakeApi({
        ...everyField,
        name: 'متجر تجريبي',
        description: 'أرسل الطلبات الجديدة إلى AcmeCo فور إنشائها.',
        fields: everyField.fields.map((field, index) =>
          index === 0 ? { ...field, displayName: 'بادئة مرجع الطلب', help: 'تضاف أمام رقم كل طلب.' } : field,
        ),
      }),
      { appearance: { theme: dark ? 'dark' : 'light', brandName: 'AcmeCo' } },
    );
  },
  async hostile() {
    const style = document.createElement('style');
    style.textContent = `* { all: unset } html { font-size: 40px !important } body { font: 2px/0 serif;
      color: transparent; direction: rtl; letter-spacing: 9px } button { display: none !important }`;
    document.head.append(style);
    await open(new FakeApi(everyField));
  },
  async xss() {
    const payload = '<img src=x onerror="alert(1)">';
    await open(
      new FakeApi({
        ...store,
        name: `${payload} Store`,
        icon: 'javascript:alert(1)',
        description: '<script>alert(1)</script>',
        fields: [{ ...DEMO_STORE.fields[0]!, displayName: `</style><b>Prefix</b>`, help: '{{7*7}} ${7*7}' }],
      }),
      { appearance: { theme: dark ? 'dark' : 'light', brandName: payload, logoUrl: 'javascript:alert(1)' } },
    );
  },
};

declare global {
  interface Window {
    renderScenario(name: string, dark: boolean): Promise<void>;
    scenarioNames: string[];
  }
}

window.scenarioNames = Object.keys(scenarios);
window.renderScenario = async (name, darkTheme) => {
  dark = darkTheme;
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`unknown scenario ${name}`);
  await scenario();
};
