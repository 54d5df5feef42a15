import { toSettingsStep } from '../helpers/e2e-modal.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as esbuild from 'esbuild';
import {
  FIXTURES,
  ROOT,
  cdnManifest,
  finishInstall,
  fixture,
  fixtureFile,
  isInstalled,
  openApp,
  startHarness,
  userToken,
  type Harness,
} from './sdk-harness.js';

let harness: Harness;
before(async () => {
  harness = await startHarness();
});
after(async () => harness?.close());

/** The package's ESM files and their dependencies, unbundled, as a browser with an import map sees them. */
const ESM_MOUNTS = { '/pkg/dist/': path.join(ROOT, 'dist'), '/node_modules/': path.join(ROOT, 'node_modules') };

function esmPage(withCdn: boolean) {
  return {
    '/': {
      body: fixture('esm.html', {
        CDN_SCRIPT: withCdn ? `<script src="${harness.apiUrl}/scripts/${cdnManifest().loader.file}"></script>` : '',
      }),
    },
    '/esm-app.js': { body: fixture('esm-app.js', { API_URL: harness.apiUrl }) },
    '/app.js': fixtureFile('app.js'),
  };
}

test('ESM import (no bundler, import map): installs Demo Store', async () => {
  const token = await userToken(harness.apiUrl, 'esm-user');
  const app = await openApp(harness, esmPage(false), { token, mounts: ESM_MOUNTS });
  try {
    await app.page.goto(app.url);
    await app.page.waitForFunction(() => (window as unknown as { esmReady?: boolean }).esmReady === true);
    // The npm package defines no global: importing it has no side effects.
    assert.equal(await app.page.evaluate(() => 'Alloy' in window), false);
    await app.page.evaluate(() => void (window as unknown as { esmInstall(): Promise<unknown> }).esmInstall());
    await finishInstall(app.page);
    await app.page.waitForFunction(
      () => (window as unknown as { esm: { results: unknown[] } }).esm.results.length === 1,
    );
    const [result] = await app.page.evaluate(
      () => (window as unknown as { esm: { results: { success: boolean }[] } }).esm.results,
    );
    assert.equal(result!.success, true);
    assert.equal(await isInstalled(harness.apiUrl, 'esm-user'), true);
    assert.equal(await app.page.locator('alloy-install-modal').count(), 0);
    assert.deepEqual(app.pageErrors, []);
    await app.assertTokenNeverLeaked(token);
  } finally {
    await app.close();
  }
});

test('CDN script and npm package on one page: one warning naming both, one modal, no NotSupportedError', async () => {
  const token = await userToken(harness.apiUrl, 'copies-user');
  const app = await openApp(harness, esmPage(true), { token, mounts: ESM_MOUNTS });
  try {
    await app.page.goto(app.url);
    await app.page.waitForFunction(() => (window as unknown as { esmReady?: boolean }).esmReady === true);
    await app.page.evaluate(() => {
      const w = window as unknown as { esmInstall(): Promise<unknown>; pending: Promise<unknown>[] };
      window.Alloy!.setToken(() => fetch('token').then((r) => r.text()));
      w.pending = [w.esmInstall(), window.Alloy!.install({ integrationId: '65a1c0de0000000000000001' })];
    });
    await toSettingsStep(app.page.getByRole('dialog', { name: 'Demo Store' }));
    assert.equal(await app.page.locator('alloy-install-modal').count(), 1);
    const warnings = app.console.filter((line) => line.includes('Two copies of the Alloy SDK'));
    assert.equal(warnings.length, 1, app.console.join('\n'));
    assert.match(warnings[0]!, /0\.1\.0 \((npm|cdn)\) and 0\.1\.0 \((npm|cdn)\)/);
    await app.page.evaluate(() => window.Alloy!.close());
    const outcomes = await app.page.evaluate(() =>
      Promise.all((window as unknown as { pending: Promise<unknown>[] }).pending),
    );
    assert.deepEqual(outcomes, [
      { success: false, reason: 'api' },
      { success: false, reason: 'api' },
    ]);
    assert.ok(!app.pageErrors.some((e) => /NotSupportedError/.test(e)), app.pageErrors.join('\n'));
    assert.equal(
      app.requests.filter((url) => url.includes('/widget/integrations/') && !url.endsWith('/apps')).length,
      1,
    );
  } finally {
    await app.close();
  }
});

test('React StrictMode: one modal, one request, one install; a route change removes it', async () => {
  const token = await userToken(harness.apiUrl, 'react-user');
  const bundle = await esbuild.build({
    entryPoints: [path.join(FIXTURES, 'react-app.jsx')],
    bundle: true,
    write: false,
    format: 'esm',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  });
  const app = await openApp(
    harness,
    {
      '/': { body: fixture('react.html', { LOADER_URL: `${harness.apiUrl}/scripts/${cdnManifest().loader.file}` }) },
      '/react-app.js': { body: Buffer.from(bundle.outputFiles[0]!.contents) },
    },
    { token },
  );
  try {
    await app.page.goto(app.url);
    await finishInstall(app.page);
    await app.page.waitForFunction(() =>
      (window as unknown as { results: { success: boolean }[] }).results.some((r) => r.success),
    );
    const results = await app.page.evaluate(() => (window as unknown as { results: unknown[] }).results);
    // StrictMode's extra mount/unmount cancelled the first call before anything was fetched.
    assert.deepEqual(results[0], { success: false, reason: 'api' });
    assert.equal(results.filter((r) => (r as { success: boolean }).success).length, 1);
    assert.equal(
      app.requests.filter((url) => url.includes('/widget/integrations/') && !url.endsWith('/apps')).length,
      1,
    );
    assert.equal(app.requests.filter((url) => url.endsWith('/widget/installations')).length, 1);
    assert.equal(await isInstalled(harness.apiUrl, 'react-user'), true);

    // Mount again, then navigate away while the modal is open: the cleanup closes it.
    await app.page.evaluate(() => (window as unknown as { navigate(r: string): void }).navigate('orders'));
    await app.page.evaluate(() => (window as unknown as { navigate(r: string): void }).navigate('install'));
    await app.page.getByRole('dialog', { name: 'Demo Store' }).waitFor();
    assert.equal(await app.page.locator('alloy-install-modal').count(), 1);
    await app.page.evaluate(() => (window as unknown as { navigate(r: string): void }).navigate('orders'));
    await app.page.getByRole('heading', { name: 'Orders' }).waitFor();
    await app.page.locator('alloy-install-modal').waitFor({ state: 'detached' });
    assert.deepEqual(app.pageErrors, []);
    await app.assertTokenNeverLeaked(token);
  } finally {
    await app.close();
  }
});
