import type {
  ConfigField,
  CreateInstallationRequest,
  InstallationResponse,
  WidgetApi,
  WidgetIntegration,
} from '../../src/contract/index.js';

/*
 * Fixtures and a WidgetApi double for the install modal, shared by the component tests and the
 * screenshot page. No test-framework imports here: this file is also bundled into a plain page.
 */

export const INTEGRATION_ID = '65a1c0de0000000000000001';
export const WORKFLOW_ID = '65a1c0de0000000000000101';
export const SECOND_WORKFLOW_ID = '65a1c0de0000000000000102';

export const PREFIX_FIELD: ConfigField = {
  workflowId: WORKFLOW_ID,
  blockId: 'stream-to-acmeco',
  name: 'referencePrefix',
  displayName: 'Order reference prefix',
  type: 'text',
  required: true,
  help: 'Added in front of each order number.',
  placeholder: 'DS-',
  rules: { maxLength: 12, pattern: '[A-Za-z0-9_-]+', patternMessage: 'Use letters, digits, - or _ only.' },
};

/** The seeded Demo Store integration, as the widget API returns it. */
export const DEMO_STORE: WidgetIntegration = {
  integrationId: INTEGRATION_ID,
  name: 'Demo Store',
  app: 'demoStore',
  description: 'Stream new Demo Store orders into AcmeCo as they are placed.',
  icon: 'http://localhost/static/icons/demo-store.svg',
  workflows: [{ workflowId: WORKFLOW_ID, name: 'Stream new orders to AcmeCo', version: 1 }],
  fields: [PREFIX_FIELD],
  installation: null,
};

const field = (overrides: Partial<ConfigField> & Pick<ConfigField, 'name' | 'displayName' | 'type'>): ConfigField => ({
  workflowId: WORKFLOW_ID,
  blockId: 'settings',
  required: false,
  ...overrides,
});

/** One field of every type the modal renders, with rules, help and options. */
export const EVERY_FIELD: ConfigField[] = [
  PREFIX_FIELD,
  field({ name: 'notes', displayName: 'Notes for the team', type: 'textarea', rules: { minLength: 3 } }),
  field({ name: 'batchSize', displayName: 'Batch size', type: 'number', required: true, rules: { min: 1, max: 500 } }),
  field({ name: 'includeDrafts', displayName: 'Include draft orders', type: 'boolean', help: 'Drafts are skipped.' }),
  field({
    name: 'region',
    displayName: 'Warehouse region',
    type: 'select',
    required: true,
    options: [
      { value: 'eu', label: 'Europe' },
      { value: 'us', label: 'United States' },
    ],
  }),
  field({
    name: 'channels',
    displayName: 'Sales channels',
    type: 'multiselect',
    required: true,
    options: [
      { value: 'web', label: 'Web shop' },
      { value: 'pos', label: 'Point of sale' },
      { value: 'b2b', label: 'Wholesale' },
    ],
  }),
  field({
    name: 'apiKey',
    displayName: 'Webhook signing key',
    type: 'secret',
    required: true,
    rules: { minLength: 8 },
  }),
  field({
    name: 'pipeline',
    displayName: 'Pipeline',
    type: 'dynamicSelect',
    options: [
      { value: 'p1', label: 'Fulfilment' },
      { value: 'p2', label: 'Returns' },
    ],
  }),
];

export const EVERY_FIELD_INTEGRATION: WidgetIntegration = { ...DEMO_STORE, fields: EVERY_FIELD };

export const TWO_WORKFLOWS: WidgetIntegration = {
  ...DEMO_STORE,
  workflows: [
    { workflowId: WORKFLOW_ID, name: 'Stream new orders to AcmeCo', version: 1 },
    { workflowId: SECOND_WORKFLOW_ID, name: 'Send refunds back to Demo Store', version: 1 },
  ],
  fields: [
    PREFIX_FIELD,
    {
      workflowId: SECOND_WORKFLOW_ID,
      blockId: 'refunds',
      name: 'refundNote',
      displayName: 'Refund note',
      type: 'text',
      required: true,
    },
  ],
};

export const INSTALLED: InstallationResponse = {
  installationId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
  integrationId: INTEGRATION_ID,
  workflowIds: [WORKFLOW_ID],
};

type Deferred<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void };
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/**
 * A WidgetApi double: answers from fixtures, records every install call with its idempotency key,
 * and can hold an answer back (`holdInstall`) to look at in-flight states.
 */
export class FakeApi implements WidgetApi {
  loads = 0;
  calls: { request: CreateInstallationRequest; key: string }[] = [];
  integration: WidgetIntegration | Error;
  installResult: InstallationResponse | Error = INSTALLED;
  private held: Deferred<void> | undefined;

  constructor(integration: WidgetIntegration | Error = DEMO_STORE) {
    this.integration = integration;
  }

  async getIntegration(): Promise<WidgetIntegration> {
    this.loads++;
    if (this.integration instanceof Error) throw this.integration;
    return structuredClone(this.integration);
  }

  async createInstallation(request: CreateInstallationRequest, key: string): Promise<InstallationResponse> {
    this.calls.push({ request: structuredClone(request), key });
    await (this.held?.promise ?? Promise.resolve());
    if (this.installResult instanceof Error) throw this.installResult;
    return this.installResult;
  }

  /** Makes the next install calls wait until the returned function is called. */
  holdInstall(): () => void {
    const held = (this.held = deferred<void>());
    return () => {
      this.held = undefined;
      held.resolve();
    };
  }
}

/** An Error shaped like the SDK's AlloyError for a 400 with field issues. */
export function validationError(message: string, issues: { path: (string | number)[]; message: string }[]) {
  return Object.assign(new Error(message), { code: 'VALIDATION_FAILED', status: 400, issues });
}
