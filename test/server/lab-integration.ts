/**
 * "Runtime Lab", a test integration that exercises every trigger and block type against a local
 * receiver: a custom event streaming data, a webhook-trigger chain (connector action, then an
 * HTTP request mapping the action's output), an on-installation workflow, and a connector
 * action whose status the user picks from the store's statuses (a dynamic select).
 */
export const LAB_INTEGRATION_ID = '65a1c0de0000000000000003';
export const PING_WORKFLOW_ID = '65a1c0de0000000000000301';
export const CHAIN_WORKFLOW_ID = '65a1c0de0000000000000302';
export const INSTALL_WORKFLOW_ID = '65a1c0de0000000000000303';
export const STATUS_WORKFLOW_ID = '65a1c0de0000000000000304';

export const PING_EVENT = 'Ping';
export const STATUS_EVENT = 'Order Reviewed';

export function labIntegration(receiverUrl: (path: string) => string, pingVersions = [1]): Record<string, unknown> {
  const pingVersion = (version: number) => ({
    version,
    trigger: {
      type: 'customEvent',
      id: 'ping',
      name: 'Ping',
      event: PING_EVENT,
      schema: { n: 'Number', note: 'String?' },
    },
    blocks: [
      {
        type: 'streamData',
        id: 'stream',
        name: 'Stream Data',
        fields: [
          { name: 'url', displayName: 'URL', type: 'text', value: receiverUrl('/stream') },
          { name: 'release', displayName: 'Release', type: 'text', value: `v${version}` },
          {
            name: 'label',
            displayName: 'Label',
            type: 'text',
            required: false,
            userConfigurable: true,
            value: 'ping #{{trigger.n}}',
          },
        ],
      },
    ],
  });
  return {
    integrationId: LAB_INTEGRATION_ID,
    name: 'Runtime Lab',
    app: 'demoStore',
    icon: '/static/icons/webhook.svg',
    workflows: [
      { workflowId: PING_WORKFLOW_ID, name: 'Ping to the receiver', versions: pingVersions.map(pingVersion) },
      {
        workflowId: CHAIN_WORKFLOW_ID,
        name: 'New customer chain',
        versions: [
          {
            version: 1,
            trigger: {
              type: 'webhook',
              id: 'incoming',
              name: 'Webhook',
              schema: { email: 'String', name: 'String' },
            },
            blocks: [
              {
                type: 'connectorAction',
                id: 'create-customer',
                name: 'Demo Store: Create Customer',
                connector: 'demoStore',
                action: 'createCustomer',
                fields: [
                  { name: 'email', displayName: 'Email', type: 'text', value: '{{trigger.email}}' },
                  { name: 'name', displayName: 'Name', type: 'text', value: '{{trigger.name}}' },
                ],
              },
              {
                type: 'httpRequest',
                id: 'notify',
                name: 'Tell the CRM',
                fields: [
                  { name: 'url', displayName: 'URL', type: 'text', value: receiverUrl('/crm/customers') },
                  { name: 'method', displayName: 'Method', type: 'text', value: 'PUT' },
                  { name: 'headers', displayName: 'Headers', type: 'text', value: { 'x-lab': 'chain' } },
                  {
                    name: 'body',
                    displayName: 'Body',
                    type: 'text',
                    value: {
                      customerId: '{{blocks.create-customer.id}}',
                      existing: '{{blocks.create-customer.existing}}',
                      summary: '{{trigger.name}} <{{trigger.email}}>',
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
      {
        workflowId: INSTALL_WORKFLOW_ID,
        name: 'Say hello on installation',
        versions: [
          {
            version: 1,
            trigger: { type: 'onInstallation', id: 'installed', name: 'On Installation' },
            blocks: [
              {
                type: 'streamData',
                id: 'hello',
                name: 'Stream Data',
                fields: [{ name: 'url', displayName: 'URL', type: 'text', value: receiverUrl('/installed') }],
              },
            ],
          },
        ],
      },
      {
        workflowId: STATUS_WORKFLOW_ID,
        name: 'Reviewed orders get a status',
        versions: [
          {
            version: 1,
            trigger: {
              type: 'customEvent',
              id: 'reviewed',
              name: 'Order Reviewed',
              event: STATUS_EVENT,
              schema: { orderId: 'String' },
            },
            blocks: [
              {
                type: 'connectorAction',
                id: 'set-status',
                name: 'Demo Store: Update Order Status',
                connector: 'demoStore',
                action: 'updateOrderStatus',
                fields: [
                  { name: 'orderId', displayName: 'Order', type: 'text', value: '{{trigger.orderId}}' },
                  {
                    name: 'status',
                    displayName: 'Status after review',
                    type: 'dynamicSelect',
                    userConfigurable: true,
                    dynamicOptions: { loader: 'orderStatuses' },
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}
