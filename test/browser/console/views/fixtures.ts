import * as z from 'zod/mini';
import {
  CredentialListResponse,
  ExecutionResponse,
  InstallationListResponse,
  IntegrationListResponse,
  LogSearchResponse,
  UserListResponse,
  WebhookDeliveryListResponse,
} from '../../../../src/contract/index.js';
import { ConsoleIntegrationListResponse } from '../../../../src/contract/console.js';

/* Realistic answers, each parsed through its contract schema here so a contract change breaks them. */

export const INTEGRATION_ID = '65a1c0de0000000000000001';
export const SECOND_INTEGRATION_ID = '65a1c0de0000000000000002';
export const WORKFLOW_ID = '65a1c0de0000000000000101';
export const EXECUTION_ID = '65a1c0de0000000000000301';
export const SECOND_EXECUTION_ID = '65a1c0de0000000000000302';
export const USER_ID = '65a1c0de0000000000000201';
export const SECOND_USER_ID = '65a1c0de0000000000000202';
export const DELIVERY_ID = 'msg_0191a2b3c4d5e6f708090a0b';
export const SENDING_DELIVERY_ID = 'msg_0191a2b3c4d5e6f708090a0c';

export const ICON = 'data:image/svg+xml,%3Csvg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/%3E';

export const USERS = z.parse(UserListResponse, {
  data: [
    { userId: USER_ID, username: 'ada@acme.test', fullName: 'Ada Lovelace' },
    { userId: SECOND_USER_ID, username: 'grace@acme.test', fullName: null },
  ],
});

export const INTEGRATIONS = z.parse(IntegrationListResponse, {
  data: [
    {
      integrationId: INTEGRATION_ID,
      name: 'Demo Store',
      app: 'demoStore',
      description: 'Stream new Demo Store orders to Acme.',
      installed: true,
      icon: ICON,
      workflows: [
        {
          workflowId: WORKFLOW_ID,
          name: 'New orders to Acme',
          installed: true,
          version: 2,
          installedVersion: 2,
          active: true,
          blocks: [{ name: 'New order', id: 'trigger', type: 'trigger', icon: 'cart' }],
        },
        {
          workflowId: '65a1c0de0000000000000102',
          name: 'Order status back to the store',
          installed: false,
          version: 1,
          installedVersion: null,
          active: false,
          blocks: [],
        },
      ],
    },
    {
      integrationId: SECOND_INTEGRATION_ID,
      name: 'Ledger Sync',
      app: 'ledger',
      description: '',
      installed: false,
      icon: 'ledger',
      workflows: [
        {
          workflowId: '65a1c0de0000000000000103',
          name: 'Invoices',
          installed: false,
          version: 1,
          installedVersion: null,
          active: false,
          blocks: [],
        },
      ],
    },
  ],
});

/** `GET /console/api/integrations`: the same two integrations as defined, with their install counts. */
export const CONSOLE_INTEGRATIONS = z.parse(ConsoleIntegrationListResponse, {
  data: [
    {
      integrationId: INTEGRATION_ID,
      name: 'Demo Store',
      app: 'demoStore',
      appName: 'Demo Store app',
      description: 'Stream new Demo Store orders to Acme.',
      icon: ICON,
      workflows: [
        { workflowId: WORKFLOW_ID, name: 'New orders to Acme', version: 2 },
        { workflowId: '65a1c0de0000000000000102', name: 'Order status back to the store', version: 1 },
      ],
      installs: 2,
      source: 'code',
      active: true,
    },
    {
      integrationId: SECOND_INTEGRATION_ID,
      name: 'Ledger Sync',
      app: 'ledger',
      description: '',
      icon: 'ledger',
      workflows: [{ workflowId: '65a1c0de0000000000000103', name: 'Invoices', version: 1 }],
      installs: 0,
      source: 'code',
      active: true,
    },
  ],
});

export const INSTALLATIONS = z.parse(InstallationListResponse, {
  data: [USER_ID, SECOND_USER_ID].map((userId, i) => ({
    installationId: `65a1c0de000000000000040${i}`,
    integrationId: INTEGRATION_ID,
    userId,
    formData: [],
    credentialIds: { demoStore: '65a1c0de0000000000000501' },
    workflowIds: [WORKFLOW_ID],
    installedAt: '2026-11-02T09:30:00.000Z',
    updatedAt: '2026-11-02T09:30:00.000Z',
    enabled: i === 0,
  })),
});

export const CREDENTIALS = z.parse(CredentialListResponse, {
  data: [
    {
      credentialId: '65a1c0de0000000000000501',
      type: 'demoStore',
      name: 'Demo Store acme-shop',
      createdAt: '2026-11-02T09:29:00.000Z',
      updatedAt: '2026-11-02T09:29:00.000Z',
    },
  ],
});

const notification = (executionId: string, message: string, startedAt: string, completedAt: string | null) => ({
  _id: executionId,
  message,
  data: { executionId, executionUuid: executionId },
  startedAt,
  completedAt,
  createdAt: startedAt,
  workflowVersion: 2,
  forgeWorkflowId: WORKFLOW_ID,
  workflowId: WORKFLOW_ID,
  userId: USER_ID,
  user: { email: 'ada@acme.test', fullName: 'Ada Lovelace' },
  forgeWorkflow: {
    name: 'New orders to Acme',
    integrationId: { _id: INTEGRATION_ID, name: 'Demo Store', icon: ICON },
  },
});

export const LOGS_PAGE_1 = z.parse(LogSearchResponse, {
  notifications: [notification(EXECUTION_ID, 'executionError', '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:01.250Z')],
  lastFetched: '2026-12-06T20:00:00.000Z',
  pagination: { currentPage: 1, pageSize: 25, totalItems: 2, totalPages: 1 },
  nextCursor: 'c2026-12-01T10-00-00Z',
});

export const LOGS_PAGE_2 = z.parse(LogSearchResponse, {
  notifications: [
    notification(SECOND_EXECUTION_ID, 'executionSuccess', '2026-11-30T08:00:00.000Z', '2026-11-30T08:00:00.420Z'),
  ],
  lastFetched: '2026-12-06T20:00:00.000Z',
  pagination: { currentPage: 2, pageSize: 25, totalItems: 2, totalPages: 1 },
});

export const EMPTY_LOGS = z.parse(LogSearchResponse, {
  notifications: [],
  lastFetched: '2026-12-06T20:00:00.000Z',
  pagination: { currentPage: 1, pageSize: 25, totalItems: 0, totalPages: 0 },
});

export const EXECUTION = z.parse(ExecutionResponse, {
  data: {
    executionId: EXECUTION_ID,
    runId: '65a1c0de0000000000000601',
    workflowId: WORKFLOW_ID,
    integrationId: INTEGRATION_ID,
    userId: USER_ID,
    version: 2,
    mode: 'trigger',
    status: 'error',
    finished: true,
    startedAt: '2026-12-01T10:00:00.000Z',
    stoppedAt: '2026-12-01T10:00:01.250Z',
    inputs: [
      {
        blockId: 'stream',
        blockName: 'Send to Acme',
        connectorId: 'streamData',
        data: { orderId: 'A-1001', apiKey: '********' },
      },
    ],
    results: [
      {
        blockId: 'trigger',
        blockName: 'New order',
        blockType: 'trigger',
        connectorId: 'demoStore',
        status: 'success',
        startedAt: '2026-12-01T10:00:00.000Z',
        stoppedAt: '2026-12-01T10:00:00.300Z',
        data: [{ json: { orderId: 'A-1001', total: 42.5 } }],
        error: null,
      },
      {
        blockId: 'stream',
        blockName: 'Send to Acme',
        blockType: 'action',
        connectorId: 'streamData',
        status: 'error',
        startedAt: '2026-12-01T10:00:00.300Z',
        stoppedAt: '2026-12-01T10:00:01.250Z',
        data: [],
        error: 'Acme answered 500 <b>Internal</b>',
      },
    ],
  },
});

export const DELIVERIES = z.parse(WebhookDeliveryListResponse, {
  data: [
    {
      deliveryId: DELIVERY_ID,
      kind: 'installationWebhook',
      url: 'https://acme.test/hooks/alloy',
      status: 'failed',
      attempts: 8,
      responseStatus: 500,
      lastError: 'HTTP 500',
      nextAttemptAt: null,
      createdAt: '2026-12-01T10:00:00.000Z',
      deliveredAt: null,
      payload: { success: true },
    },
    {
      deliveryId: SENDING_DELIVERY_ID,
      kind: 'errorStream',
      url: 'https://acme.test/hooks/errors',
      status: 'sending',
      attempts: 1,
      responseStatus: null,
      lastError: null,
      nextAttemptAt: null,
      createdAt: '2026-12-01T11:00:00.000Z',
      deliveredAt: null,
      payload: {},
    },
  ],
});
