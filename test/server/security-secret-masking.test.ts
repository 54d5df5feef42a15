import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SecretMask } from '../../src/server/runs/secret-mask.js';
import { rawRows } from '../helpers/engine.js';
import { definitionsDir, startApi, waitFor, type Api } from './support.js';

// Issue 13, item 11: secrets (secret answers, connection keys and tokens) used in templates never
// reach execution logs, error messages or the error stream unmasked.

const INTEGRATION = '65a1c0de00000000000000a1';
const WORKFLOW = '65a1c0de00000000000000a2';
/** Space, quote, slash and a non-ASCII letter: it is written differently in JSON, URLs and headers. */
const SECRET = 'sk_live "q/é 9Zx';
const SECRET_FORMS = [
  SECRET,
  JSON.stringify(SECRET).slice(1, -1),
  encodeURIComponent(SECRET),
  'sk_live%20%22q/%C3%A9%209Zx',
];

let api: Api;
let dir: string;
let echo: http.Server;
let echoUrl: string;
/** What the echo server received (Authorization headers and URLs): the secret did go out. */
const received: string[] = [];

/** Answers every request with what it got: method, URL, headers and body (so outputs hold the secret). */
function startEcho(): Promise<void> {
  echo = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push(`${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          authorization: req.headers.authorization,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
  });
  return new Promise((resolve) =>
    echo.listen(0, '127.0.0.1', () => {
      echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

function integration(): Record<string, unknown> {
  return {
    integrationId: INTEGRATION,
    name: 'Token templates',
    app: 'demoStore',
    icon: '/static/icons/webhook.svg',
    workflows: [
      {
        workflowId: WORKFLOW,
        name: 'Call an API with the user’s token',
        versions: [
          {
            version: 1,
            trigger: { type: 'webhook', id: 'incoming', name: 'Webhook', schema: { email: 'String', note: 'String' } },
            blocks: [
              {
                type: 'connectorAction',
                id: 'customer',
                name: 'Demo Store: Create Customer',
                connector: 'demoStore',
                action: 'createCustomer',
                fields: [
                  { name: 'email', displayName: 'Email', type: 'text', value: '{{trigger.email}}' },
                  { name: 'name', displayName: 'Name', type: 'text', value: 'Masked' },
                ],
              },
              {
                type: 'streamData',
                id: 'settings',
                name: 'Stream Data',
                fields: [
                  { name: 'url', displayName: 'URL', type: 'text', value: `${echoUrl}/stream` },
                  {
                    name: 'apiToken',
                    displayName: 'API token',
                    type: 'secret',
                    userConfigurable: true,
                    required: true,
                  },
                ],
              },
              {
                type: 'httpRequest',
                id: 'call',
                name: 'Call the API',
                fields: [
                  { name: 'url', displayName: 'URL', type: 'text', value: `${echoUrl}/hook?key={{config.apiToken}}` },
                  { name: 'method', displayName: 'Method', type: 'text', value: 'POST' },
                  {
                    name: 'headers',
                    displayName: 'Headers',
                    type: 'text',
                    value: { authorization: 'Bearer {{config.apiToken}}' },
                  },
                  {
                    name: 'body',
                    displayName: 'Body',
                    type: 'text',
                    value: {
                      greeting: 'token={{config.apiToken}}',
                      token: '{{config.apiToken}}',
                      note: '{{trigger.note}}',
                    },
                  },
                ],
              },
              {
                type: 'httpRequest',
                id: 'broken',
                name: 'A URL that is not one',
                fields: [{ name: 'url', displayName: 'URL', type: 'text', value: 'nope {{config.apiToken}}' }],
              },
            ],
          },
        ],
      },
    ],
  };
}

before(async () => {
  await startEcho();
  dir = definitionsDir({ 'tokens.integration.json': integration() });
  api = await startApi({ server: { definitionsDir: dir } });
});

after(async () => {
  await api.server.dispose();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('secrets are masked by value in execution logs', () => {
  test('SecretMask replaces every encoding of a secret, longest first, and leaves short values alone', () => {
    const mask = new SecretMask().add(SECRET).add('abc').add(42).add(`${SECRET}-suffix`);
    assert.equal(mask.text(`a ${SECRET} b`), 'a [secret] b');
    assert.equal(mask.text(`x ${SECRET}-suffix y`), 'x [secret] y');
    for (const form of SECRET_FORMS) assert.equal(mask.text(`<${form}>`), '<[secret]>', form);
    assert.equal(mask.text('abc'), 'abc');
    assert.deepEqual(mask.value({ [SECRET]: [SECRET, 1, null, { deep: `Bearer ${SECRET}` }] }), {
      '[secret]': ['[secret]', 1, null, { deep: 'Bearer [secret]' }],
    });
  });

  test('answers and connection keys used in templates, headers, URLs, outputs and errors never reach a log', async () => {
    const userId = await api.createUser('masking');
    const credentialId = await api.createCredential(userId);
    const storeKey = (await api.server.ctx.credentials.reveal(userId, credentialId)).apiKey!;
    const installed = await api.call('POST', '/widget/installations', {
      token: await api.token(userId),
      body: {
        integrationId: INTEGRATION,
        values: [{ workflowId: WORKFLOW, blockId: 'settings', name: 'apiToken', value: SECRET }],
      },
    });
    assert.equal(installed.statusCode, 201, installed.body);
    const run = await api.call('POST', '/run/workflow', {
      body: { workflowId: WORKFLOW, userId, data: { email: 'masked@example.com', note: `key ${storeKey}` } },
    });
    assert.equal(run.statusCode, 200, run.body);
    const row = await waitFor('the run', async () => {
      const queued = await api.server.ctx.runtime.queue.get(run.json().runId);
      return queued && (queued.status === 'done' || queued.status === 'failed') ? queued : undefined;
    });
    assert.equal(row.status, 'failed', 'the last block fails');

    // The secret really went out: the app got it (this is what the user configured it for).
    // (Node reads header bytes as Latin-1, hence only the ASCII start of the header is compared.)
    assert.ok(
      received.some((r) => r.startsWith(`/hook?key=${SECRET_FORMS[3]} Bearer sk_live "q/`)),
      received.join('\n'),
    );
    const logs = (await api.call('GET', `/workflows/${WORKFLOW}/logs?userId=${userId}`)).json().data;
    const log = JSON.stringify(logs);
    assert.equal(logs[0].status, 'error');
    assert.equal(logs[0].results.length, 5, log);
    assert.match(log, /Bearer \[secret\]/, 'the rendered header is in the log, masked');
    assert.match(log, /token=\[secret\]/, 'the rendered body template is masked');
    assert.match(log, /key=\[secret\]/, 'the rendered URL is masked');
    assert.match(
      log,
      /\\"nope \[secret\]\\" is not a URL|"nope \[secret\]" is not a URL/,
      'the error message is masked',
    );
    assert.match(log, /key \[secret\]/, 'the connection key in the trigger data is masked');

    // Nothing anywhere in the database holds the secret or the store key in any form.
    const dump = JSON.stringify([
      await rawRows(api.server, 'SELECT * FROM execution_blocks'),
      await rawRows(api.server, 'SELECT * FROM executions'),
      await rawRows(api.server, 'SELECT last_error FROM run_queue'),
      await rawRows(api.server, 'SELECT * FROM outbound_deliveries'),
    ]);
    for (const form of [...SECRET_FORMS, storeKey]) assert.ok(!dump.includes(form), `no ${form} in the logs`);
    for (const form of [...SECRET_FORMS, storeKey]) assert.ok(!log.includes(form), `no ${form} in the API`);
  });
});
