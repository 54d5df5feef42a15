import { toSettingsStep } from '../helpers/e2e-modal.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  cdnManifest,
  finishInstall,
  fixture,
  fixtureFile,
  isInstalled,
  openApp,
  startHarness,
  userToken,
  type AppPage,
  type Harness,
} from './sdk-harness.js';

let harness: Harness;
before(async () => {
  harness = await startHarness();
});
after(async () => harness?.close());

const NONCE = 'cnVudGltZS1ub25jZQ';

/** The directives docs/sdk.md tells hosts to add, with the CDN/API origin filled in. */
function strictCsp(api: string, script: string, trustedTypes = 'lit-html'): string {
  return [
    "default-src 'none'",
    `script-src ${script}`,
    `connect-src 'self' ${api}`,
    `img-src 'self' ${api}`,
    "style-src 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    `trusted-types ${trustedTypes}`,
  ].join('; ');
}

async function openCspPage(
  username: string,
  csp: (api: string) => string,
  options: { nonce?: boolean; hostLit?: boolean } = {},
): Promise<{ app: AppPage; token: string }> {
  const token = await userToken(harness.apiUrl, username);
  const manifest = cdnManifest();
  const nonce = options.nonce ? `nonce="${NONCE}"` : '';
  const app = await openApp(
    harness,
    {
      '/': {
        body: fixture('csp.html', {
          LOADER_URL: `${harness.apiUrl}/scripts/${manifest.loader.file}`,
          LOADER_INTEGRITY: manifest.loader.integrity,
          NONCE: nonce,
          HOST_LIT: options.hostLit ? `<script src="host-lit.js" ${nonce}></script>` : '',
        }),
        headers: { 'content-security-policy': csp(harness.apiUrl) },
      },
      '/app.js': fixtureFile('app.js'),
      '/csp-probe.js': fixtureFile('csp-probe.js'),
      '/host-lit.js': fixtureFile('host-lit.js'),
      '/page.css': { ...fixtureFile('page.css'), contentType: 'text/css' },
    },
    { token },
  );
  await app.page.goto(app.url);
  return { app, token };
}

const cspErrors = (app: AppPage) =>
  app.console.filter((line) => /Content Security Policy|Trusted Type|TrustedHTML|TrustedScript/i.test(line));

test('strict CSP (host allowlist) + Trusted Types: installs with 0 violations', async () => {
  const { app, token } = await openCspPage('csp-user', (api) => strictCsp(api, `'self' ${api}`));
  try {
    await app.page.getByRole('button', { name: 'Install Demo Store' }).click();
    await finishInstall(app.page);
    await app.page.getByText('installed', { exact: true }).waitFor();
    assert.equal(await isInstalled(harness.apiUrl, 'csp-user'), true);
    assert.deepEqual(await app.violations(), []);
    assert.deepEqual(cspErrors(app), []);
    assert.deepEqual(app.pageErrors, []);
    await app.assertTokenNeverLeaked(token);
  } finally {
    await app.close();
  }
});

test("strict CSP with a nonce and 'strict-dynamic' + Trusted Types: installs with 0 violations", async () => {
  const { app } = await openCspPage('nonce-user', (api) => strictCsp(api, `'nonce-${NONCE}' 'strict-dynamic'`), {
    nonce: true,
  });
  try {
    await app.page.getByRole('button', { name: 'Install Demo Store' }).click();
    await finishInstall(app.page);
    await app.page.getByText('installed', { exact: true }).waitFor();
    assert.deepEqual(await app.violations(), []);
    assert.deepEqual(cspErrors(app), []);
  } finally {
    await app.close();
  }
});

test('a host that already owns the "lit-html" policy: a named LOAD_FAILED, never a blank modal', async () => {
  const { app } = await openCspPage('lit-host-user', (api) => strictCsp(api, `'self' ${api}`), { hostLit: true });
  try {
    const error = await app.page.evaluate(() =>
      (window as unknown as { install(): Promise<unknown> }).install().then(
        () => null,
        (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
      ),
    );
    assert.equal(error?.code, 'LOAD_FAILED');
    assert.match(error!.message, /Trusted Types.*"lit-html".*'allow-duplicates'/);
    assert.equal(await app.page.locator('alloy-install-modal').count(), 0);
    // The probe does see violations: this refusal is one.
    assert.ok(
      (await app.violations()).some((v) => v.startsWith('trusted-types')),
      (await app.violations()).join(),
    );
  } finally {
    await app.close();
  }
});

test("the same host with 'allow-duplicates': the modal opens", async () => {
  const { app } = await openCspPage(
    'dup-user',
    (api) => strictCsp(api, `'self' ${api}`, "lit-html 'allow-duplicates'"),
    {
      hostLit: true,
    },
  );
  try {
    await app.page.getByRole('button', { name: 'Install Demo Store' }).click();
    await toSettingsStep(app.page.getByRole('dialog', { name: 'Demo Store' }));
    await app.page.evaluate(() => window.Alloy!.close());
    await app.page.getByText('not installed: api').waitFor();
    assert.deepEqual(await app.violations(), []);
  } finally {
    await app.close();
  }
});
