import * as z from 'zod/mini';
import {
  ConsoleConnectorListResponse,
  ConsoleIntegrationDetail,
  ConsoleWorkflowDetail,
  type ConsoleWorkflowDetail as WorkflowDetail,
} from '../../../../src/contract/console-builder.js';
import { ICON, INTEGRATION_ID, WORKFLOW_ID } from '../views/fixtures.js';

/* The builder's answers, each parsed through its contract schema so a contract change breaks them. */

export const CONSOLE_INTEGRATION_ID = '65a1c0de0000000000000009';
export const CONSOLE_WORKFLOW_ID = '65a1c0de0000000000000109';
export { INTEGRATION_ID, WORKFLOW_ID };

export const CONNECTORS = z.parse(ConsoleConnectorListResponse, {
  data: [
    {
      id: 'demoStore',
      displayName: 'Demo Store',
      icon: ICON,
      events: [
        {
          name: 'order.created',
          description: 'A new order',
          schema: { orderId: 'String', total: 'Number', customer: { email: 'String' } },
        },
        { name: 'order.updated', description: 'An order changed', schema: { orderId: 'String', status: 'String' } },
      ],
      actions: [
        {
          name: 'updateOrderStatus',
          description: 'Sets an order status',
          inputs: [
            { name: 'orderId', required: true },
            { name: 'status', required: true, description: 'The new status' },
          ],
        },
      ],
      optionLoaders: [{ name: 'orderStatuses', description: 'Order statuses' }],
    },
  ],
});

export const CONSOLE_INTEGRATION = z.parse(ConsoleIntegrationDetail, {
  integrationId: CONSOLE_INTEGRATION_ID,
  name: 'Orders to Acme',
  app: 'demoStore',
  description: 'Made in the console.',
  icon: ICON,
  source: 'console',
  active: true,
  installs: 3,
  workflows: [
    { workflowId: CONSOLE_WORKFLOW_ID, name: 'Sync orders', version: 1, unreleasedChanges: true },
    { workflowId: '65a1c0de0000000000000110', name: 'Fresh one', version: 0, unreleasedChanges: true },
  ],
});

export const CODE_INTEGRATION = z.parse(ConsoleIntegrationDetail, {
  integrationId: INTEGRATION_ID,
  name: 'Demo Store',
  app: 'demoStore',
  description: 'Stream new Demo Store orders to Acme.',
  icon: ICON,
  source: 'code',
  file: 'demo-store.integration.json',
  active: true,
  installs: 2,
  workflows: [{ workflowId: WORKFLOW_ID, name: 'New orders to Acme', version: 2, unreleasedChanges: false }],
});

const parse = (value: unknown): WorkflowDetail => z.parse(ConsoleWorkflowDetail, value) as unknown as WorkflowDetail;

const TRIGGER = { type: 'appEvent', id: 'trigger', name: 'New order', connector: 'demoStore', event: 'order.created' };
const STREAM = {
  type: 'streamData',
  id: 'streamData-1',
  name: 'Send to Acme',
  fields: [{ name: 'url', displayName: 'Destination URL', type: 'text', value: 'https://acme.test/orders' }],
};
const VERSION_1 = {
  version: 1,
  releasedAt: '2026-12-01T10:00:00.000Z',
  trigger: TRIGGER,
  blocks: [STREAM],
  installs: 3,
  requiresReinstall: false,
  reinstallReasons: [],
};

/** A console workflow with nothing in it yet. */
export const EMPTY_WORKFLOW = parse({
  workflowId: CONSOLE_WORKFLOW_ID,
  integrationId: CONSOLE_INTEGRATION_ID,
  source: 'console',
  name: 'Sync orders',
  draft: { name: 'Sync orders', trigger: null, blocks: [] },
  draftSavedAt: '2026-12-06T10:00:00.000Z',
  issues: [{ path: ['trigger'], message: 'Pick a trigger.' }],
  unreleasedChanges: true,
  versions: [],
});

/** A console workflow with a trigger and two blocks, version 1 released, changed since. */
export const WORKFLOW = parse({
  workflowId: CONSOLE_WORKFLOW_ID,
  integrationId: CONSOLE_INTEGRATION_ID,
  source: 'console',
  name: 'Sync orders',
  description: 'Orders reach Acme.',
  draft: {
    name: 'Sync orders',
    description: 'Orders reach Acme.',
    trigger: TRIGGER,
    blocks: [
      STREAM,
      {
        type: 'httpRequest',
        id: 'httpRequest-1',
        name: 'Notify',
        fields: [
          { name: 'url', displayName: 'URL', type: 'text', value: 'https://acme.test/notify' },
          { name: 'body', displayName: 'Body', type: 'text', value: '' },
        ],
      },
    ],
  },
  draftSavedAt: '2026-12-06T10:00:00.000Z',
  issues: [],
  unreleasedChanges: true,
  versions: [VERSION_1],
});

/** The same with issues pointing at the second block's body field and at the name. */
export const WORKFLOW_WITH_ISSUES = parse({
  ...WORKFLOW,
  issues: [
    { path: ['blocks', 1, 'fields', 1, 'value'], message: 'Unknown template {{trigger.nope}}.' },
    { path: ['name'], message: 'Workflow name already used.' },
  ],
});

/** A workflow defined in a file: read-only, two versions, the second needing a reinstall. */
export const CODE_WORKFLOW = parse({
  workflowId: WORKFLOW_ID,
  integrationId: INTEGRATION_ID,
  source: 'code',
  name: 'New orders to Acme',
  draft: null,
  draftSavedAt: null,
  issues: [],
  unreleasedChanges: false,
  versions: [
    VERSION_1,
    {
      ...VERSION_1,
      version: 2,
      releasedAt: '2026-12-03T10:00:00.000Z',
      installs: 1,
      requiresReinstall: true,
      reinstallReasons: ['The configurable field referencePrefix was added.'],
    },
  ],
});
