import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type EmbeddedServer } from '../src/server/app.js';
import { configFromEnv } from '../src/server/config.js';
import { DATA_FILE_MODE, restrictFile } from '../src/server/db.js';
import { reloadDefinitionsOnSighup } from '../src/server/reload-signal.js';
import { apiKeyLines } from '../src/server/rotate-api-key.js';
import { environmentForApiKey, rotateApiKey } from '../src/server/secrets.js';
import { registerDemo } from './backend.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The demo's own copy of the development API key, as an ISV keeps its key in a secret store. */
export const DEMO_KEY_FILE = 'demo-api-key';

/**
 * The development API key for the demo backend. The server keeps only the key's hash, so the
 * demo saves the key (0600, in the 0700 data dir) whenever the server knows it in plaintext
 * (pinned by ALLOY_API_KEY, generated at this start, or read once from an older data dir) and
 * reads its copy on later starts. With no valid copy (deleted, or the key was rotated since) the
 * demo rotates the development key, keeps the new one, and says so: `rotated` is then true.
 */
export function demoApiKey(server: EmbeddedServer, dataDir: string): { key: string; rotated: boolean } {
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
  if (saved && environmentForApiKey(server.ctx.secrets, saved) === 'development') {
    return { key: saved, rotated: false };
  }
  const key = rotateApiKey(server.ctx.db, 'development');
  save(key);
  return { key, rotated: true };
}

/** `npm start`: the Embedded API server with the AcmeCo demo mounted on it. */
export async function startDemoServer(env: NodeJS.ProcessEnv = process.env) {
  // The demo's Stream Data target (its own inbox) is on localhost, so loopback targets are allowed
  // unless ALLOY_ALLOW_PRIVATE_TARGETS says otherwise.
  const config = configFromEnv(env, root, { allowPrivateTargets: 'loopback' });
  const server = await createServer(config);
  const demoKey = demoApiKey(server, config.dataDir);
  await registerDemo(server.app, { apiBaseUrl: () => server.ctx.publicUrl, apiKey: demoKey.key });
  await server.app.listen({ port: config.port, host: config.host });
  return { ...server, demoKey };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = await startDemoServer();
  const url = server.ctx.publicUrl;
  console.log('');
  console.log(`  AcmeCo demo:          ${url}/demo/`);
  console.log(`  Embedded API:         ${url}/2024-03/...`);
  console.log(`  SDK script:           ${url}/scripts/embedded.js`);
  console.log(`  Demo Store sandbox:   ${url}/sandbox/demo-store/`);
  for (const line of apiKeyLines(server.ctx.secrets)) console.log(`  ${line}`);
  if (server.demoKey.rotated) {
    console.log(`  The demo had no copy of the development key, so it rotated it: ${server.demoKey.key}`);
  }
  console.log(`  API reference:        ${url}/reference`);
  console.log('');
  reloadDefinitionsOnSighup(server);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void server.close().then(() => process.exit(0)));
  }
}
