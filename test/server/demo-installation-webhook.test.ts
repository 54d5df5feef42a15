import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { InboxEntry } from '../../demo/backend.js';
import { startDemoServer } from '../../demo/server.js';

/**
 * `npm start` sends installation webhooks to the demo's own inbox unless configured otherwise:
 * the default is a path of the server, resolved once it listens, and delivered (signed) there.
 */

const API_KEY = 'ak_dev_demo_T-eJd1Fnt0GudCwLycz1N4W9Re9Vgog8';
let server: Awaited<ReturnType<typeof startDemoServer>>;
let dataDir: string;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-demo-hook-'));
  server = await startDemoServer({ PORT: '0', ALLOY_DATA_DIR: dataDir, ALLOY_API_KEY: API_KEY });
});
after(async () => {
  await server?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function inboxOf(username: string): Promise<InboxEntry[]> {
  const origin = new URL(server.ctx.publicUrl).origin;
  const signedIn = await fetch(`${origin}/demo/api/session`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json' },
    body: JSON.stringify({ username }),
  });
  assert.equal(signedIn.status, 200);
  const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
  return (
    (await (await fetch(`${origin}/demo/api/inbox`, { headers: { origin, cookie } })).json()) as { data: InboxEntry[] }
  ).data;
}

test('the installation webhook defaults to the demo inbox and reaches it, verified, for that user only', async () => {
  const settings = await fetch(`${server.ctx.publicUrl}/2024-03/settings`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  });
  assert.equal((await settings.json()).installationWebhookUrl, `${server.ctx.publicUrl}/demo/api/inbox/installations`);

  await inboxOf('hooked');
  const userId = (await server.ctx.users.find('development', 'hooked'))!.userId;
  await server.ctx.runtime.outbox.enqueueInstallationWebhook(server.ctx.database, 'development', {
    userId,
    workflowIds: [],
    integrationId: '65a1c0de0000000000000001',
    credentials: {},
    success: true,
  });
  let entry: InboxEntry | undefined;
  for (let i = 0; i < 100 && !entry; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    entry = (await inboxOf('hooked')).find((e) => e.path === '/demo/api/inbox/installations');
  }
  assert.ok(entry, 'the installation webhook reached the inbox');
  assert.deepEqual(entry.verified, { alloySignature: true, standardWebhooks: true });
  assert.equal(entry.userId, userId);
  assert.equal((await inboxOf('not-hooked')).filter((e) => e.userId === userId).length, 0);
});
