import type { Connector } from './types.js';

/** The sandbox commerce app ("Demo Store") the seeded integration talks to. */
export const demoStore: Connector = {
  id: 'demoStore',
  displayName: 'Demo Store',
  icon: '/static/icons/demo-store.svg',
  auth: {
    type: 'apiKey',
    properties: [
      {
        name: 'apiKey',
        displayName: 'API key',
        description: 'Create one in your Demo Store admin under Settings → API keys.',
        type: 'secret',
        required: true,
        rules: { minLength: 8, maxLength: 200 },
      },
      {
        name: 'storeId',
        displayName: 'Store ID',
        description: 'The id in your store address, e.g. acme-shop.',
        type: 'text',
        required: true,
        rules: {
          maxLength: 63,
          pattern: '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?',
          patternMessage: 'Use lowercase letters, digits and - only.',
        },
      },
    ],
  },
  events: [{ name: 'order.created', description: 'A new order was placed in the store.' }],
  actions: [
    {
      name: 'updateOrderStatus',
      description: "Sets an order's status.",
      inputs: [
        { name: 'orderId', required: true },
        { name: 'status', required: true },
      ],
    },
  ],
  credentialLabel: (data) => `Demo Store ${data.storeId ?? ''}`.trim(),
};
