import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type EmbeddedServer } from '../src/server/app.js';
import { configFromEnv } from '../src/server/platform/config.js';
import { DATA_FILE_MODE, restrictFile } from '../src/server/platform/db/sqlite.js';
import { reloadDefinitionsOnSighup } from '../src/server/platform/reload-signal.js';
import { apiKeyLines } from '../src/server/rotate-api-key.js';
import { environmentForApiKey, rotateApiKey } from '../src/server/users/index.js';
import { INSTALLATIONS_INBOX_PATH, registerDemo } from './backend.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** AcmeCo, the demo's ISV (its pages pass the same name and logo to `Alloy.install`'s `appearance`). */
export const DEMO_BRAND = { brandName: 'AcmeCo', logoPath: '/demo/acmeco-logo.svg' } as const;

/** The demo's own copy of the development API key, as an ISV keeps its key in a secret store. */
export const DEMO_KEY_FILE = 'demo-api-key';

/**
 * The development API key for the demo backend. The server keeps only the key's hash, so the
 * demo saves the key (0600, in the 0700 data dir) whenever the server knows it in plaintext
 * (pinned by ALLOY_API_KEY, generated at this start, or read once from an older data dir) and
 * reads its copy on later starts. With no valid copy (deleted, or the key was rotated since) the
 * demo rotates the development key, keeps the new one, and says so: `rotated` is then true.
 */
export async function demoApiKey(server: EmbeddedServer, dataDir: string): Promise<{ key: string; rotated: boolean }> {
  const file = path.join(dataDir, DEMO_KEY_FILE);
  const save = (key: string) => {
    fs.writeFileSync(file, `${key}\n`, { mode: DATA_FILE_MODE });
    restrictFile(file);
  };
  const known = server.ctx.secrets.knownApiKey('development');
  if (known !== undefined) {
    save(known);
    return { key: known, rotated: false };
  }
  let saved: string | undefined;
  try {
    saved = fs.readFileSync(file, 'utf8').trim();
    restrictFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (saved && (await environmentForApiKey(server.ctx.secrets, saved)) === 'development') {
    return { key: saved, rotated: false };
  }
  const key = await rotateApiKey(server.ctx.database, 'development');
  save(key);
  return { key, rotated: true };
}

/** `npm start`: the Embedded API server with the AcmeCo demo mounted on it. */
export async function startDemoServer(env: NodeJS.ProcessEnv = process.env) {
  // The demo's Stream Data target (its own inbox) is on localhost, so loopback targets are allowed
  // unless ALLOY_ALLOW_PRIVATE_TARGETS says otherwise; the seed integration names it by a relative
  // URL, allowed under /demo/api/inbox/ only. The demo's third-party app, the Demo Store sandbox,
  // is mounted (the bare API server leaves it out unless ALLOY_SANDBOX=1).
  const config = configFromEnv(env, root, {
    allowPrivateTargets: 'loopback',
    sandbox: true,
    relativeUrlPrefixes: ['/demo/api/inbox/'],
    // The demo's ISV: its name and logo on the Embedded Link pages and the sandbox's OAuth consent.
    brand: { name: DEMO_BRAND.brandName, logoUrl: DEMO_BRAND.logoPath },
  });
  // Installation webhooks go to the demo's inbox unless ALLOY_INSTALLATION_WEBHOOK_URL names
  // another receiver (a URL set through PUT /settings wins over both).
  const server = await createServer({
    ...config,
    installationWebhookUrl: config.installationWebhookUrl ?? INSTALLATIONS_INBOX_PATH,
  });
  const demoKey = await demoApiKey(server, config.dataDir);
  await registerDemo(server.app, { apiBaseUrl: () => server.ctx.publicUrl, apiKey: demoKey.key });
  await server.app.listen({ port: config.port, host: config.host });
  return { ...server, demoKey };
}

/**
 * What `npm start` prints: where everything is, the API keys, and the loaded integrations with their
 * workflows' ids, which every install call (`Alloy.install({ integrationId })`, alloy-node) needs.
 */
export function startupBanner(server: EmbeddedServer, demoKey?: { key: string; rotated: boolean }): string[] {
  const url = server.ctx.publicUrl;
  const lines = [
    '',
    `  AcmeCo demo:          ${url}/demo/`,
    `  Embedded API:         ${url}/2024-03/...`,
    `  SDK script:           ${url}/scripts/embedded.js`,
    `  Demo Store sandbox:   ${url}/sandbox/demo-store/`,
    ...(server.sandbox
      ? [
          `  Store owner secret:   ${server.sandbox.seededStore.ownerSecret}  (shop ${server.sandbox.seededStore.shop}: sign in to the store admin, approve OAuth)`,
        ]
      : []),
    ...apiKeyLines(server.ctx.secrets).map((line) => `  ${line}`),
    ...(demoKey?.rotated ? [`  The demo had no copy of the development key, so it rotated it: ${demoKey.key}`] : []),
    `  API reference:        ${url}/reference`,
    `  Console:              ${url}/console`,
    ...(server.consoleSetupToken
      ? [`  Console setup:        ${url}/console/setup#token=${server.consoleSetupToken}  (one time)`]
      : []),
    '',
    '  Integrations (integrationId, then each workflowId):',
  ];
  for (const integration of server.ctx.definitions.current.integrations) {
    lines.push(`    ${integration.integrationId}  ${integration.name} (${integration.app})`);
    for (const workflow of integration.workflows) lines.push(`      ${workflow.workflowId}  ${workflow.name}`);
  }
  lines.push('');
  return lines;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = await startDemoServer();
  for (const line of startupBanner(server, server.demoKey)) console.log(line);
  reloadDefinitionsOnSighup(server);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void server.close().then(() => process.exit(0)));
  }
}
