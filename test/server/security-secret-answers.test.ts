import { loadEncryptionKey, SecretBox } from '../../src/server/platform/encryption.js';
import { openConfig } from '../../src/server/installs/config-answers.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { WidgetIntegration } from '../../src/contract/index.js';
import { rawRow } from '../helpers/engine.js';
import { definitionsDir, startApi, type Api } from './support.js';

// Issue 13, item 10: a saved `secret` answer is never sent back to the browser. The widget view
// marks it `set: true`; an edit that leaves it out keeps it, one that sends a value replaces it.

const INTEGRATION = '65a1c0de00000000000000b1';
const WORKFLOW = '65a1c0de00000000000000b2';
const SECRET = 'whsec_saved-answer-0123456789';
const SECRET_FIELD = { workflowId: WORKFLOW, blockId: 'send', name: 'signingKey' };
const LABEL_FIELD = { workflowId: WORKFLOW, blockId: 'send', name: 'label' };

let api: Api;
let dir: string;

before(async () => {
  dir = definitionsDir({
    'secrets.integration.json': {
      integrationId: INTEGRATION,
      name: 'Signed forwarding',
      app: 'demoStore',
      icon: '/static/icons/webhook.svg',
      workflows: [
        {
          workflowId: WORKFLOW,
          name: 'Forward with a signing key',
          versions: [
            {
              version: 1,
              trigger: { type: 'onInstallation', id: 'installed', name: 'On Installation' },
              blocks: [
                {
                  type: 'streamData',
                  id: 'send',
                  name: 'Stream Data',
                  fields: [
                    // Port 9: nothing listens, so the install's run never reaches anything.
                    { name: 'url', displayName: 'URL', type: 'text', value: 'http://127.0.0.1:9/x' },
                    {
                      name: 'signingKey',
                      displayName: 'Signing key',
                      type: 'secret',
                      userConfigurable: true,
                      required: true,
                      rules: { minLength: 8 },
                    },
                    { name: 'label', displayName: 'Label', type: 'text', userConfigurable: true, required: false },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
  });
  api = await startApi({ server: { definitionsDir: dir } });
});

after(async () => {
  await api.server.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const install = (token: string, values: Record<string, unknown>[]) =>
  api.call('POST', '/widget/installations', { token, body: { integrationId: INTEGRATION, values } });

const savedConfig = async (userId: string) =>
  openConfig(
    new SecretBox(loadEncryptionKey(api.server.dataDir, undefined)),
    userId,
    WORKFLOW,
    (await rawRow<{ config: string }>(
      api.server,
      'SELECT config FROM user_workflows WHERE user_id = ? AND workflow_id = ?',
      userId,
      WORKFLOW,
    ))!.config,
  );

const savedSecret = async (userId: string) => (await savedConfig(userId)).find((c) => c.name === 'signingKey')?.value;

describe('saved secret answers stay on the server', () => {
  test('GET /widget/integrations/:id marks a saved secret as set and never sends its value', async () => {
    const userId = await api.createUser('secret-view');
    const token = await api.token(userId);
    const installed = await install(token, [
      { ...SECRET_FIELD, value: SECRET },
      { ...LABEL_FIELD, value: 'Main' },
    ]);
    assert.equal(installed.statusCode, 201, installed.body);
    const view = await api.call('GET', `/widget/integrations/${INTEGRATION}`, { token });
    assert.equal(view.statusCode, 200, view.body);
    assert.ok(!view.body.includes(SECRET), 'the secret is nowhere in the answer');
    const parsed = WidgetIntegration.parse(view.json());
    assert.deepEqual(parsed.installation!.values, [
      { ...SECRET_FIELD, set: true },
      { ...LABEL_FIELD, value: 'Main' },
    ]);
  });

  test('an edit that leaves the secret out keeps it; one that sends a value replaces it', async () => {
    const userId = await api.createUser('secret-edit');
    const token = await api.token(userId);
    const first = await install(token, [{ ...SECRET_FIELD, value: SECRET }]);
    assert.equal(first.statusCode, 201, first.body);

    const kept = await install(token, [{ ...LABEL_FIELD, value: 'Renamed' }]);
    assert.equal(kept.statusCode, 201, kept.body);
    assert.equal(await savedSecret(userId), SECRET, 'the saved secret is kept');
    assert.equal((await savedConfig(userId)).find((c) => c.name === 'label')?.value, 'Renamed');

    const replaced = await install(token, [{ ...SECRET_FIELD, value: 'whsec_a-new-one-987' }]);
    assert.equal(replaced.statusCode, 201, replaced.body);
    assert.equal(await savedSecret(userId), 'whsec_a-new-one-987');

    // A replacement is still checked: too short is refused and the saved one stays.
    const short = await install(token, [{ ...SECRET_FIELD, value: 'short' }]);
    assert.equal(short.statusCode, 400);
    assert.equal(short.json().error.code, 'validation_failed');
    assert.equal(await savedSecret(userId), 'whsec_a-new-one-987');
  });

  test('with nothing saved, a required secret left out is still required', async () => {
    const token = await api.token(await api.createUser('secret-first-install'));
    const refused = await install(token, [{ ...LABEL_FIELD, value: 'x' }]);
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().error.code, 'validation_failed');
    assert.deepEqual(refused.json().error.issues[0].path, ['values', 'signingKey']);
  });
});
