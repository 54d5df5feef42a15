import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { ConsoleLanguage } from '../../../../src/console/api-types.js';
import type { BuilderBlock, BuilderTrigger, TestRunResponse } from '../../../../src/contract/console-builder.js';
import '../../../../src/console/views/test-run/test-run.js';
import {
  type AlloyConsoleTestRun,
  TEST_RUN_SEARCH_DEBOUNCE_MS,
  configurableFields,
  sampleData,
} from '../../../../src/console/views/test-run/test-run.js';
import { FakeConsoleApi, apiError, deferred } from '../views/fake-console-api.js';

const ADA = {
  userId: 'usr_ada',
  username: 'ada@acme.test',
  fullName: 'Ada Lovelace',
  createdAt: '2026-11-01T09:00:00.000Z',
};
const GRACE = {
  userId: 'usr_grace',
  username: 'grace@acme.test',
  fullName: null,
  createdAt: '2026-11-02T09:00:00.000Z',
};

const TRIGGER: BuilderTrigger = {
  type: 'customEvent',
  id: 'reviewed',
  name: 'Order Reviewed',
  event: 'order.reviewed',
  schema: { orderId: 'String', total: 'Number', paid: 'Boolean?', customer: { email: 'String' }, tags: 'Array?' },
};
const BLOCKS: BuilderBlock[] = [
  {
    type: 'streamData',
    id: 'stream',
    name: 'Send to AcmeCo',
    fields: [{ name: 'url', displayName: 'URL', type: 'text', value: 'https://acme.example/orders' }],
  },
  {
    type: 'connectorAction',
    id: 'set-status',
    name: 'Update Order Status',
    connector: 'demoStore',
    action: 'updateOrderStatus',
    fields: [{ name: 'orderId', displayName: 'Order', type: 'text', value: '{{trigger.orderId}}' }],
  },
];
const SUCCESS: TestRunResponse = {
  ok: true,
  blocks: [
    {
      blockId: 'stream',
      name: 'Send to AcmeCo',
      type: 'streamData',
      status: 'success',
      input: { url: 'https://acme.example/orders', apiToken: '[secret]' },
      output: { status: 200, body: { received: true } },
      durationMs: 42,
    },
    {
      blockId: 'set-status',
      name: 'Update Order Status',
      type: 'connectorAction',
      status: 'success',
      input: { orderId: 'ord_1' },
      output: { id: 'ord_1', status: 'paid' },
      durationMs: 7,
    },
  ],
};
const FAILED: TestRunResponse = {
  ok: false,
  blocks: [
    {
      blockId: 'stream',
      name: 'Send to AcmeCo',
      type: 'streamData',
      status: 'error',
      input: { url: 'https://acme.example/orders' },
      error: 'The receiver answered 400.',
      durationMs: 15,
    },
    { blockId: 'set-status', name: 'Update Order Status', type: 'connectorAction', status: 'skipped', durationMs: 0 },
  ],
};

function usersApi(): FakeConsoleApi {
  return new FakeConsoleApi().onSearchUsers(({ search }: { search?: string }) => ({
    data: [ADA, GRACE].filter((u) => !search || u.username.startsWith(search)),
  }));
}

async function mount(
  api: FakeConsoleApi,
  options: { trigger?: BuilderTrigger | null; blocks?: BuilderBlock[]; lang?: ConsoleLanguage } = {},
): Promise<AlloyConsoleTestRun> {
  const el = await fixture<AlloyConsoleTestRun>(
    html`<alloy-console-test-run
      lang=${options.lang ?? 'en'}
      .api=${api}
      .trigger=${options.trigger === undefined ? TRIGGER : options.trigger}
      .blocks=${options.blocks ?? BLOCKS}
    ></alloy-console-test-run>`,
  );
  await settle(el);
  return el;
}

async function settle(el: AlloyConsoleTestRun): Promise<void> {
  for (let i = 0; i < 5; i += 1) {
    await new Promise((r) => setTimeout(r, 0));
    await el.updateComplete;
  }
}

const root = (el: AlloyConsoleTestRun) => el.shadowRoot!;
const text = (node: Element | ShadowRoot | null | undefined) => (node?.textContent ?? '').replace(/\s+/g, ' ').trim();
const q = <T extends Element>(el: AlloyConsoleTestRun, selector: string) => root(el).querySelector<T>(selector)!;
const runButton = (el: AlloyConsoleTestRun) => q<HTMLButtonElement>(el, '.actions button');
const sample = (el: AlloyConsoleTestRun) => q<HTMLTextAreaElement>(el, '#test-run-sample');

function typeInto(control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string): void {
  control.value = value;
  control.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  control.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
}

describe('<alloy-console-test-run>', () => {
  it('samples a custom event schema: String → "", Number → 0, Boolean → false, nested objects, arrays', () => {
    expect(sampleData(TRIGGER.type === 'customEvent' ? TRIGGER.schema : {})).to.deep.equal({
      orderId: '',
      total: 0,
      paid: false,
      customer: { email: '' },
      tags: [],
    });
    expect(sampleData(undefined)).to.deep.equal({});
  });

  it('empty: without a trigger and blocks the Run button is disabled and says why, accessibly', async () => {
    const el = await mount(usersApi(), { trigger: null, blocks: [] });
    expect(runButton(el).disabled).to.equal(true);
    expect(text(q(el, '#test-run-hint'))).to.equal('Pick a trigger and add a block to test the workflow.');
    expect(JSON.parse(sample(el).value)).to.deep.equal({});
    await expect(el).to.be.accessible();
  });

  it('ready: lists the users, prefills the sample from the schema, and enables Run, accessibly', async () => {
    const api = usersApi();
    const el = await mount(api);
    expect(api.searches).to.deep.equal([{ search: '', limit: 20 }]);
    const options = [...root(el).querySelectorAll('#test-run-user option')].map((o) => text(o));
    expect(options).to.deep.equal(['ada@acme.test (Ada Lovelace)', 'grace@acme.test']);
    expect(q<HTMLSelectElement>(el, '#test-run-user').value).to.equal('usr_ada');
    expect(JSON.parse(sample(el).value)).to.deep.equal({
      orderId: '',
      total: 0,
      paid: false,
      customer: { email: '' },
      tags: [],
    });
    expect(runButton(el).disabled).to.equal(false);
    expect(text(runButton(el))).to.equal('Run test');
    await expect(el).to.be.accessible();
  });

  it('an app event trigger without a schema starts from {}; a new trigger refills an untouched sample', async () => {
    const el = await mount(usersApi(), {
      trigger: {
        type: 'appEvent',
        id: 'created',
        name: 'Order created',
        connector: 'demoStore',
        event: 'order.created',
      },
    });
    expect(JSON.parse(sample(el).value)).to.deep.equal({});
    el.trigger = { ...TRIGGER, schema: { orderId: 'String' } } as BuilderTrigger;
    await settle(el);
    expect(JSON.parse(sample(el).value)).to.deep.equal({ orderId: '' });
    // Edited by hand: kept when the trigger changes again.
    typeInto(sample(el), '{"orderId": "ord_9"}');
    el.trigger = TRIGGER;
    await settle(el);
    expect(JSON.parse(sample(el).value)).to.deep.equal({ orderId: 'ord_9' });
  });

  it('without users the picker says so and Run stays disabled', async () => {
    const el = await mount(new FakeConsoleApi().onSearchUsers({ data: [] }));
    expect(text(q(el, '#test-run-user'))).to.equal('No users match.');
    expect(runButton(el).disabled).to.equal(true);
    expect(text(q(el, '#test-run-hint'))).to.equal('Pick a user to run as.');
    await expect(el).to.be.accessible();
  });

  it('invalid JSON: the error is shown on the field and Run is disabled, accessibly', async () => {
    const el = await mount(usersApi());
    typeInto(sample(el), '{"orderId": ');
    await settle(el);
    expect(runButton(el).disabled).to.equal(true);
    expect(sample(el).getAttribute('aria-invalid')).to.equal('true');
    expect(sample(el).getAttribute('aria-describedby')).to.contain('test-run-sample-error');
    expect(text(q(el, '#test-run-sample-error'))).to.match(/^This is not valid JSON: /);
    await expect(el).to.be.accessible();

    typeInto(sample(el), '[1, 2]');
    await settle(el);
    expect(text(q(el, '#test-run-sample-error'))).to.equal('The sample data must be a JSON object ({ … }).');
    expect(runButton(el).disabled).to.equal(true);

    typeInto(sample(el), '{"orderId": "ord_1"}');
    await settle(el);
    expect(q(el, '#test-run-sample-error')).to.equal(null);
    expect(runButton(el).disabled).to.equal(false);
  });

  it('running, then success: sends the draft and shows each block’s status, input, output and duration, accessibly', async () => {
    const pending = deferred<TestRunResponse>();
    const api = usersApi().onTestRun(() => pending.promise);
    const el = await mount(api);
    q<HTMLSelectElement>(el, '#test-run-user').value = 'usr_grace';
    q<HTMLSelectElement>(el, '#test-run-user').dispatchEvent(new Event('change'));
    typeInto(sample(el), '{"orderId": "ord_1", "total": 12}');
    await settle(el);
    runButton(el).click();
    await settle(el);
    expect(runButton(el).disabled).to.equal(true);
    expect(text(runButton(el))).to.equal('Running…');
    expect(q(el, '.outcome').getAttribute('aria-busy')).to.equal('true');
    await expect(el).to.be.accessible();
    expect(api.testRuns).to.deep.equal([
      { userId: 'usr_grace', trigger: TRIGGER, blocks: BLOCKS, data: { orderId: 'ord_1', total: 12 } },
    ]);

    pending.resolve(SUCCESS);
    await waitUntil(() => root(el).querySelector('ol.blocks'), 'no results');
    await settle(el);
    expect(text(runButton(el))).to.equal('Run test');
    expect(runButton(el).disabled).to.equal(false);
    expect(text(q(el, '.outcome > p'))).to.equal('Every block succeeded.');
    const blocks = [...root(el).querySelectorAll('ol.blocks > li')];
    expect(blocks.map((b) => text(b.querySelector('.block-header')))).to.deep.equal([
      'Send to AcmeCo Success 42 ms',
      'Update Order Status Success 7 ms',
    ]);
    const first = blocks[0]!.querySelectorAll('pre');
    expect(JSON.parse(first[0]!.textContent!)).to.deep.equal({
      url: 'https://acme.example/orders',
      apiToken: '[secret]',
    });
    expect(first[0]!.textContent).to.contain('\n  "url"');
    expect(first[0]!.getAttribute('aria-label')).to.equal('Input of Send to AcmeCo');
    expect(JSON.parse(first[1]!.textContent!)).to.deep.equal({ status: 200, body: { received: true } });
    await expect(el).to.be.accessible();
  });

  it('block error: the failed block shows its error, the next one is skipped, accessibly', async () => {
    const el = await mount(usersApi().onTestRun(FAILED));
    runButton(el).click();
    await waitUntil(() => root(el).querySelector('ol.blocks'), 'no results');
    expect(text(q(el, '.outcome > p'))).to.equal('A block failed; the blocks after it were skipped.');
    const [failed, skipped] = [...root(el).querySelectorAll('ol.blocks > li')];
    expect(text(failed!.querySelector('.block-header'))).to.equal('Send to AcmeCo Error 15 ms');
    expect(text(failed)).to.contain('The receiver answered 400.');
    expect(failed!.querySelectorAll('pre').length).to.equal(1);
    expect(text(skipped)).to.equal('Update Order Status Skipped');
    await expect(el).to.be.accessible();
  });

  it('a refused draft (422) shows the server’s message with its request id, accessibly', async () => {
    const api = usersApi().onTestRun(() => {
      throw apiError('draft: block stream: Stream Data needs a "url" field', 422, 'validation_failed');
    });
    const el = await mount(api);
    runButton(el).click();
    await waitUntil(() => root(el).querySelector('[role="alert"]'), 'no error');
    expect(text(q(el, '[role="alert"]'))).to.contain('Stream Data needs a "url" field');
    expect(text(q(el, '[role="alert"]'))).to.contain('req_0123456789abcdef');
    expect(runButton(el).disabled).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('searches users as you type (debounced) and keeps a choice that still matches', async () => {
    const api = usersApi();
    const el = await mount(api);
    typeInto(q<HTMLInputElement>(el, '#test-run-search'), 'gr');
    await new Promise((r) => setTimeout(r, TEST_RUN_SEARCH_DEBOUNCE_MS + 50));
    await settle(el);
    expect(api.searches.at(-1)).to.deep.equal({ search: 'gr', limit: 20 });
    expect(q<HTMLSelectElement>(el, '#test-run-user').value).to.equal('usr_grace');
  });

  it('is usable with the keyboard alone: search, pick a user, edit the sample, run', async () => {
    const api = usersApi().onTestRun(SUCCESS);
    const el = await mount(api);
    q<HTMLInputElement>(el, '#test-run-search').focus();
    await sendKeys({ type: 'grace' });
    await sendKeys({ press: 'Enter' });
    await settle(el);
    await waitUntil(() => api.searches.some((s) => s.search === 'grace'), 'Enter did not search');
    await settle(el);
    await sendKeys({ press: 'Tab' });
    expect(root(el).activeElement?.id).to.equal('test-run-user');
    await sendKeys({ press: 'Tab' });
    expect(root(el).activeElement?.id).to.equal('test-run-sample');
    await sendKeys({ down: 'Control' });
    await sendKeys({ press: 'KeyA' });
    await sendKeys({ up: 'Control' });
    await sendKeys({ type: '{"orderId": "ord_7"}' });
    await sendKeys({ press: 'Tab' });
    expect(root(el).activeElement).to.equal(runButton(el));
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => root(el).querySelector('ol.blocks'), 'Enter did not run');
    expect(api.testRuns.at(-1)).to.deep.include({ userId: 'usr_grace', data: { orderId: 'ord_7' } });
    // The results' JSON boxes scroll and are reachable by keyboard.
    await sendKeys({ press: 'Tab' });
    expect(root(el).activeElement?.tagName).to.equal('PRE');
  });

  it('speaks the console’s language', async () => {
    const el = await mount(usersApi().onTestRun(FAILED), { lang: 'fr' });
    expect(text(q(el, 'h2'))).to.equal('Test');
    expect(text(runButton(el))).to.equal('Lancer le test');
    runButton(el).click();
    await waitUntil(() => root(el).querySelector('ol.blocks'), 'no results');
    expect(text(root(el).querySelectorAll('ol.blocks > li')[1])).to.equal('Update Order Status Ignoré');
    await expect(el).to.be.accessible();
  });

  it('fits a 375 px wide screen', async () => {
    await setViewport({ width: 375, height: 740 });
    try {
      const el = await mount(usersApi().onTestRun(SUCCESS));
      runButton(el).click();
      await waitUntil(() => root(el).querySelector('ol.blocks'), 'no results');
      expect(document.documentElement.scrollWidth).to.be.at.most(375);
      await expect(el).to.be.accessible();
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  describe('user-configurable fields', () => {
    const CONFIG_TRIGGER: BuilderTrigger = {
      ...TRIGGER,
      fields: [
        { name: 'prefix', displayName: 'Order reference prefix', type: 'text', userConfigurable: true, value: 'DS-' },
      ],
    } as BuilderTrigger;
    const CONFIG_BLOCKS: BuilderBlock[] = [
      {
        type: 'streamData',
        id: 'stream',
        name: 'Send to AcmeCo',
        fields: [
          { name: 'url', displayName: 'URL', type: 'text', value: 'https://acme.example/orders' },
          { name: 'batch', displayName: 'Batch size', type: 'number', userConfigurable: true, value: 25 },
          {
            name: 'team',
            displayName: 'Team to notify',
            type: 'select',
            userConfigurable: true,
            options: [
              { value: 'ops', label: 'Operations' },
              { value: 'support', label: 'Customer support' },
            ],
            value: 'ops',
          },
          { name: 'notify', displayName: 'Send a notice', type: 'boolean', userConfigurable: true, value: true },
          { name: 'tags', displayName: 'Tags', type: 'multiselect', userConfigurable: true },
          // Same name as the trigger's: the first one wins, as at install.
          { name: 'prefix', displayName: 'Prefix again', type: 'text', userConfigurable: true, value: 'X-' },
        ],
      },
    ];
    const labelOf = (control: Element) => {
      const labels = (control as HTMLInputElement).labels!;
      expect(labels.length).to.equal(1);
      return text(labels[0]);
    };

    it('lists the trigger’s then the blocks’ configurable fields, one per name', () => {
      expect(configurableFields(CONFIG_TRIGGER, CONFIG_BLOCKS).map((f) => f.name)).to.deep.equal([
        'prefix',
        'batch',
        'team',
        'notify',
        'tags',
      ]);
      expect(configurableFields(TRIGGER, BLOCKS)).to.deep.equal([]);
    });

    it('shows one input per field, labelled and prefilled with its default, accessibly', async () => {
      const el = await mount(usersApi(), { trigger: CONFIG_TRIGGER, blocks: CONFIG_BLOCKS });
      expect(text(q(el, 'fieldset.config legend'))).to.equal('Settings the user fills in');
      const prefix = q<HTMLInputElement>(el, '#test-run-config-0');
      expect(labelOf(prefix)).to.equal('Order reference prefix');
      expect(prefix.value).to.equal('DS-');
      const batch = q<HTMLInputElement>(el, '#test-run-config-1');
      expect([labelOf(batch), batch.type, batch.value]).to.deep.equal(['Batch size', 'number', '25']);
      const team = q<HTMLSelectElement>(el, '#test-run-config-2');
      expect([labelOf(team), team.value]).to.deep.equal(['Team to notify', 'ops']);
      const notify = q<HTMLInputElement>(el, '#test-run-config-3');
      expect([labelOf(notify), notify.checked]).to.deep.equal(['Send a notice', true]);
      const tags = q<HTMLInputElement>(el, '#test-run-config-4');
      expect(tags.value).to.equal('');
      expect(text(q(el, `#${tags.getAttribute('aria-describedby')!}`))).to.equal(
        'Several values: separate them with commas.',
      );
      expect(root(el).querySelector('#test-run-config-5')).to.equal(null);
      await expect(el).to.be.accessible();
    });

    it('sends the inputs as config by field name, edits included', async () => {
      const api = usersApi().onTestRun(SUCCESS);
      const el = await mount(api, { trigger: CONFIG_TRIGGER, blocks: CONFIG_BLOCKS });
      runButton(el).click();
      await waitUntil(() => api.testRuns.length === 1, 'no run');
      expect(api.testRuns[0]!.config).to.deep.equal({
        prefix: 'DS-',
        batch: 25,
        team: 'ops',
        notify: true,
        tags: [],
      });

      typeInto(q<HTMLInputElement>(el, '#test-run-config-0'), 'NW-');
      typeInto(q<HTMLInputElement>(el, '#test-run-config-1'), '');
      typeInto(q<HTMLSelectElement>(el, '#test-run-config-2'), 'support');
      const notify = q<HTMLInputElement>(el, '#test-run-config-3');
      notify.checked = false;
      notify.dispatchEvent(new Event('change'));
      typeInto(q<HTMLInputElement>(el, '#test-run-config-4'), 'vip, rush');
      await settle(el);
      await waitUntil(() => !runButton(el).disabled, 'still running');
      runButton(el).click();
      await waitUntil(() => api.testRuns.length === 2, 'no second run');
      // An emptied number sends nothing: the server then uses the field's own value.
      expect(api.testRuns[1]!.config).to.deep.equal({
        prefix: 'NW-',
        team: 'support',
        notify: false,
        tags: ['vip', 'rush'],
      });
      await settle(el);
      await expect(el).to.be.accessible();
    });

    it('sends no config when the draft has no configurable field', async () => {
      const api = usersApi().onTestRun(SUCCESS);
      const el = await mount(api);
      expect(root(el).querySelector('fieldset.config')).to.equal(null);
      runButton(el).click();
      await waitUntil(() => api.testRuns.length === 1, 'no run');
      expect(api.testRuns[0]).not.to.have.property('config');
    });
  });
});
