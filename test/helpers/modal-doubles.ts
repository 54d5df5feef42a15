import type {
  ConfigField,
  CreateInstallationRequest,
  CreateWidgetCredentialRequest,
  FieldOptionsParams,
  FieldOptionsResponse,
  InstallationResponse,
  OAuthSession,
  OAuthSessionView,
  StartOAuthRequest,
  WidgetApi,
  WidgetApp,
  WidgetAppsResponse,
  WidgetCredentialResponse,
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

// ---- Auth step and dynamic selects ---------------------------------------------------------

export const API_ORIGIN = 'http://api.alloy.test';

/** Demo Store with an API key (typed fields) and OAuth with a pre-OAuth subdomain field. */
export const DEMO_STORE_APP: WidgetApp = {
  app: 'demoStore',
  name: 'Demo Store',
  icon: 'http://localhost/static/icons/demo-store.svg',
  fields: [
    { name: 'apiKey', displayName: 'API key', type: 'secret', required: true, help: 'Find it under Settings → API.' },
    {
      name: 'region',
      displayName: 'Region',
      type: 'select',
      required: true,
      options: [
        { value: 'eu', label: 'Europe' },
        { value: 'us', label: 'United States' },
      ],
    },
  ],
  connections: [],
};

export const OAUTH_APP: WidgetApp = {
  app: 'demoStore',
  name: 'Demo Store',
  icon: 'http://localhost/static/icons/demo-store.svg',
  oauth: { preOAuthFields: [{ name: 'shop', displayName: 'Shop subdomain', type: 'text', required: true }] },
  connections: [],
};

export const CONNECTION = {
  credentialId: '65a1c0de0000000000000c01',
  name: 'acme@demo-store',
  createdAt: '2026-01-01T00:00:00Z',
};

export const STATUS_FIELD: ConfigField = {
  workflowId: WORKFLOW_ID,
  blockId: 'filter-orders',
  name: 'orderStatus',
  displayName: 'Order status',
  type: 'dynamicSelect',
  required: true,
  help: 'Only orders in this status are sent.',
};

export const DYNAMIC_INTEGRATION: WidgetIntegration = { ...DEMO_STORE, fields: [STATUS_FIELD] };

export const ORDER_STATUSES = [
  { value: 'paid', label: 'Paid' },
  { value: 'pending', label: 'Pending payment' },
  { value: 'shipped', label: 'Shipped' },
  { value: 'refunded', label: 'Refunded' },
];

/** A WidgetApi double with the auth calls; each answer is settable, and calls are recorded. */
export class AuthApi extends FakeApi {
  apps: WidgetApp[];
  credentialCalls: CreateWidgetCredentialRequest[] = [];
  credentialResult: WidgetCredentialResponse | Error = {
    credentialId: '65a1c0de0000000000000c02',
    name: 'Key ending 1234',
  };
  oauthCalls: StartOAuthRequest[] = [];
  sessionPolls = 0;
  session: OAuthSession = {
    sessionId: 'sess-1',
    authorizeUrl: `${API_ORIGIN}/widget/oauth/sess-1/authorize`,
    state: 'state-abc',
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
  };
  sessionView: OAuthSessionView = { sessionId: 'sess-1', status: 'pending' };
  optionCalls: { field: FieldOptionsParams; credentialId: string | undefined }[] = [];
  options: FieldOptionsResponse | Error = { data: ORDER_STATUSES };
  private heldOptions: Deferred<void> | undefined;

  constructor(integration: WidgetIntegration = DEMO_STORE, apps: WidgetApp[] = [DEMO_STORE_APP]) {
    super(integration);
    this.apps = apps;
  }

  async getApps(): Promise<WidgetAppsResponse> {
    return { data: structuredClone(this.apps) };
  }

  async createCredential(request: CreateWidgetCredentialRequest): Promise<WidgetCredentialResponse> {
    this.credentialCalls.push(structuredClone(request));
    if (this.credentialResult instanceof Error) throw this.credentialResult;
    return this.credentialResult;
  }

  async startOAuth(request: StartOAuthRequest): Promise<OAuthSession> {
    this.oauthCalls.push(structuredClone(request));
    return this.session;
  }

  async getOAuthSession(): Promise<OAuthSessionView> {
    this.sessionPolls++;
    return this.sessionView;
  }

  async getFieldOptions(field: FieldOptionsParams, credentialId: string | undefined): Promise<FieldOptionsResponse> {
    this.optionCalls.push({ field, credentialId });
    await (this.heldOptions?.promise ?? Promise.resolve());
    if (this.options instanceof Error) throw this.options;
    return structuredClone(this.options);
  }

  /** Makes option loads wait until the returned function is called. */
  holdOptions(): () => void {
    const held = (this.heldOptions = deferred<void>());
    return () => {
      this.heldOptions = undefined;
      held.resolve();
    };
  }
}

/** Stands in for the OAuth popup: records where it was sent and whether it was closed. */
export class FakePopup {
  closed = false;
  location = { href: '' };
  close(): void {
    this.closed = true;
  }
}

/**
 * Replaces window.open for one test: returns `popup` (null = blocked) and records each call's
 * arguments. Returns the restore function.
 */
export function stubWindowOpen(popups: (FakePopup | null)[]): { calls: unknown[][]; restore: () => void } {
  const original = window.open;
  const calls: unknown[][] = [];
  window.open = ((...args: unknown[]) => {
    calls.push(args);
    return (popups.length > 1 ? popups.shift() : popups[0]) as unknown as Window | null;
  }) as typeof window.open;
  return { calls, restore: () => (window.open = original) };
}
