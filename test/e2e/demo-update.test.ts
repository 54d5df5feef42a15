import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { SEED_DEFINITIONS_DIR } from '../../src/server/app.js';
import { DEMO_API_KEY, startDemoHarness, type DemoHarness } from '../helpers/demo-harness.js';
import { connectDemoStore, isvCall, toSettingsStep } from '../helpers/e2e-modal.js';

/**
 * Releasing a new version: the ISV adds version 2 to a workflow and reloads the definitions; the
 * demo's card says "Update available" and the modal's update moves the user to version 2.
 */

const SEED_FILE = 'demo-store.integration.json';
let demo: DemoHarness;
let browser: Browser;
let definitionsDir: string;
let base: string;

before(async () => {
  definitionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-update-defs-'));
  fs.copyFileSync(path.join(SEED_DEFINITIONS_DIR, SEED_FILE), path.join(definitionsDir, SEED_FILE));
  demo = await startDemoHarness({ ALLOY_DEFINITIONS_DIR: definitionsDir });
  ({ browser, base } = demo);
});

after(async () => {
  await demo?.close();
  fs.rmSync(definitionsDir, { recursive: true, force: true });
});

const isv = <T>(method: string, apiPath: string, body?: unknown): Promise<T> => demo.isv<T>(method, apiPath, body);

test('a released version 2 shows as an update on the demo card, and Update moves the user to it', async () => {
  await isv('POST', '/users', { username: 'updater' });
  await connectDemoStore(base, DEMO_API_KEY, 'updater');
  const page = await browser.newPage();
  await page.goto(`${base}/demo/?user=updater`);
  await page.getByRole('button', { name: 'Install' }).click();
  const dialog = page.getByRole('dialog');
  await toSettingsStep(dialog);
  await dialog.getByLabel('Order reference prefix').fill('DS-');
  await dialog.getByRole('button', { name: 'Finish Installation' }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.locator('#status', { hasText: 'Demo Store is installed.' }).waitFor();

  // The ISV releases version 2 of the first workflow (same configurable fields, a renamed block).
  const file = path.join(definitionsDir, SEED_FILE);
  const definition = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    workflows: { versions: { version: number; blocks: { name: string }[] }[] }[];
  };
  const v1 = definition.workflows[0]!.versions[0]!;
  const v2 = structuredClone(v1);
  v2.version = 2;
  v2.blocks[0]!.name = 'Stream Data to AcmeCo (v2)';
  definition.workflows[0]!.versions.push(v2);
  fs.writeFileSync(file, JSON.stringify(definition, null, 2));
  // Only the production key may reload (the definitions serve both environments).
  await isvCall(base, demo.server.ctx.secrets.apiKeys.production, 'POST', '/admin/definitions/reload');

  await page.reload();
  await page.getByText('Update available · v2').waitFor();
  // The card with its update badge and three actions fits a 320 px phone without horizontal scroll.
  await page.setViewportSize({ width: 320, height: 640 });
  const width = await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: innerWidth }));
  assert.ok(width.scroll <= width.inner, `${width.scroll} > ${width.inner}`);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('button', { name: 'Update' }).click();
  await toSettingsStep(dialog);
  assert.equal(await dialog.getByLabel('Order reference prefix').inputValue(), 'DS-');
  await dialog.getByRole('button', { name: 'Update' }).click();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.locator('#status', { hasText: 'Demo Store is up to date.' }).waitFor();

  const { data } = await isv<{ data: { workflows: { workflowId: string; installedVersion: number | null }[] }[] }>(
    'GET',
    '/integrations?userId=updater',
  );
  assert.equal(data[0]!.workflows[0]!.installedVersion, 2);
  await page.close();
});
