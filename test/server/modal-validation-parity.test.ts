// The install modal checks config values before Finish Installation; the server checks them again.
// This runs the same values through the modal's checkField and through the real server, and fails
// when one accepts what the other refuses.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ConfigField, WidgetIntegration } from '../../src/contract/index.js';
import { en } from '../../src/modal/i18n/en.js';
import { fieldKey, toWireValue, type FieldValue } from '../../src/modal/internal/field-values.js';
import { checkField } from '../../src/modal/internal/validation.js';
import { createServer, type EmbeddedServer } from '../../src/server/app.js';
import { captureServerOptions } from '../helpers/capture.js';

const API_KEY = 'ak_dev_parity_Z0XkRaEveKHQT96ua5iJkENMMbaD3iIZ';
const INTEGRATION_ID = '65a1c0de00000000000000aa';
const WORKFLOW_ID = '65a1c0de00000000000000ab';

const definition = {
  integrationId: INTEGRATION_ID,
  name: 'Parity',
  app: 'parity',
  icon: 'https://example.com/icon.svg',
  workflows: [
    {
      workflowId: WORKFLOW_ID,
      name: 'Every field type',
      versions: [
        {
          version: 1,
          trigger: {
            type: 'customEvent',
            id: 'trigger',
            name: 'Custom Event',
            event: 'Parity Checked',
            schema: { id: 'String' },
          },
          blocks: [
            {
              id: 'settings',
              name: 'Settings',
              type: 'streamData',
              fields: [
                { name: 'url', displayName: 'URL', type: 'text', value: 'https://acme.example/inbox' },
                {
                  name: 'code',
                  displayName: 'Code',
                  type: 'text',
                  userConfigurable: true,
                  rules: { minLength: 2, maxLength: 5, pattern: '[a-z]+', patternMessage: 'Lowercase letters only.' },
                },
                { name: 'notes', displayName: 'Notes', type: 'textarea', required: false, userConfigurable: true },
                {
                  name: 'size',
                  displayName: 'Size',
                  type: 'number',
                  userConfigurable: true,
                  rules: { min: 1, max: 10 },
                },
                { name: 'drafts', displayName: 'Drafts', type: 'boolean', userConfigurable: true },
                {
                  name: 'region',
                  displayName: 'Region',
                  type: 'select',
                  userConfigurable: true,
                  options: [
                    { value: 'eu', label: 'Europe' },
                    { value: 'us', label: 'US' },
                  ],
                },
                {
                  name: 'channels',
                  displayName: 'Channels',
                  type: 'multiselect',
                  userConfigurable: true,
                  options: [
                    { value: 'web', label: 'Web' },
                    { value: 'pos', label: 'POS' },
                  ],
                },
                { name: 'key', displayName: 'Key', type: 'secret', userConfigurable: true, rules: { minLength: 4 } },
                {
                  name: 'tag',
                  displayName: 'Tag',
                  type: 'text',
                  required: false,
                  userConfigurable: true,
                  rules: { pattern: '[A-Z]{2}' },
                },
                {
                  name: 'pipeline',
                  displayName: 'Pipeline',
                  type: 'dynamicSelect',
                  required: false,
                  userConfigurable: true,
                  dynamicOptions: { connector: 'demoStore', loader: 'orderStatuses' },
                  options: [{ value: 'p1', label: 'One' }],
                },
              ],
            },
          ],
        },
      ],
    },
  ],
};

/** A valid value for every field, as the modal holds it. */
const VALID: Record<string, FieldValue> = {
  code: 'abc',
  notes: '',
  size: '5',
  drafts: false,
  region: 'eu',
  channels: ['web'],
  key: 'abcd',
  tag: '',
  pipeline: '',
};

const CASES: [string, FieldValue][] = [
  ...['', '   ', 'a', 'ab', 'abcde', 'abcdef', ' abc ', 'ab1', 'ABC', 'x'.repeat(10_001)].map(
    (v): [string, FieldValue] => ['code', v],
  ),
  ...['', 'hello', ' spaced ', 'x'.repeat(10_000), 'x'.repeat(10_001), `${'x'.repeat(10_000)}  `].map(
    (v): [string, FieldValue] => ['notes', v],
  ),
  ...['', '0', '1', '10', '10.5', '-3', '1e1', ' 5 ', '0.999'].map((v): [string, FieldValue] => ['size', v]),
  ['drafts', true],
  ['drafts', false],
  ...['', 'eu', 'apac'].map((v): [string, FieldValue] => ['region', v]),
  ['channels', []],
  ['channels', ['pos']],
  ['channels', ['web', 'fax']],
  ...['', '   ', 'abc', 'abcd', ' ab ', '  abcd', 'x'.repeat(10_001)].map((v): [string, FieldValue] => ['key', v]),
  ...['', 'OK', 'ok', ' OK ', 'OKK'].map((v): [string, FieldValue] => ['tag', v]),
  ...['', 'p1', 'p2'].map((v): [string, FieldValue] => ['pipeline', v]),
];

let server: EmbeddedServer;
let dir: string;
let token: string;
let userId: string;
let isv: Record<string, string>;
let fields: ConfigField[];

const api = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  server.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(body === undefined ? {} : { payload: body as object }),
  });

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-parity-'));
  fs.mkdirSync(path.join(dir, 'definitions'));
  fs.writeFileSync(path.join(dir, 'definitions', 'parity.integration.json'), JSON.stringify(definition));
  server = await createServer({
    dataDir: path.join(dir, 'data'),
    definitionsDir: path.join(dir, 'definitions'),
    pinnedDevApiKey: API_KEY,
    ...captureServerOptions(),
  });
  isv = { authorization: `Bearer ${API_KEY}` };
  const user = await api('POST', '/2024-03/users', { username: 'parity' }, isv);
  userId = user.json().userId as string;
  token = (await api('GET', `/2024-03/users/${userId}/token`, undefined, isv)).json().token;
  const view = await api('GET', `/2024-03/widget/integrations/${INTEGRATION_ID}`, undefined, {
    'x-alloy-user-token': token,
  });
  assert.equal(view.statusCode, 200, view.body);
  fields = (view.json() as WidgetIntegration).fields;
  assert.equal(fields.length, Object.keys(VALID).length);
});

after(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function serverAccepts(values: Record<string, FieldValue>): Promise<boolean> {
  const entries = fields.flatMap((field) => {
    const value = toWireValue(field, values[field.name]);
    return value === undefined
      ? []
      : [{ workflowId: field.workflowId, blockId: field.blockId, name: field.name, value }];
  });
  // A first install each time, as the modal's checks assume: a saved secret would be kept when
  // its field is left empty (an edit), which the modal only allows when told one is saved.
  for (const workflowId of new Set(fields.map((f) => f.workflowId))) {
    await api('DELETE', `/2024-03/workflows/${workflowId}?userId=${userId}`, undefined, isv);
  }
  const response = await api(
    'POST',
    '/2024-03/widget/installations',
    { integrationId: INTEGRATION_ID, values: entries },
    { 'x-alloy-user-token': token },
  );
  assert.ok([201, 400].includes(response.statusCode), response.body);
  return response.statusCode === 201;
}

const format = (n: number) => new Intl.NumberFormat('en').format(n);

test('the baseline values are valid for both', async () => {
  for (const field of fields) assert.equal(checkField(field, VALID[field.name], en, format), undefined, field.name);
  assert.equal(await serverAccepts(VALID), true);
});

test('the modal and the server accept and refuse exactly the same values', async () => {
  const disagreements: string[] = [];
  for (const [name, value] of CASES) {
    const field = fields.find((f) => f.name === name)!;
    const modalProblem = checkField(field, value, en, format);
    const accepted = await serverAccepts({ ...VALID, [name]: value });
    if ((modalProblem === undefined) !== accepted) {
      const shown = JSON.stringify(value).slice(0, 40);
      disagreements.push(
        `${name}=${shown}: modal ${modalProblem ?? 'accepts'}, server ${accepted ? 'accepts' : 'refuses'}`,
      );
    }
  }
  assert.deepEqual(disagreements, []);
  assert.ok(CASES.length > 40);
});

test('field keys tell apart fields with the same name in different blocks', () => {
  const a = { workflowId: 'w', blockId: 'one', name: 'prefix' };
  assert.notEqual(fieldKey(a), fieldKey({ ...a, blockId: 'two' }));
});
