import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from '../src/server/app.js';
import { configFromEnv } from '../src/server/config.js';
import { reloadDefinitionsOnSighup } from '../src/server/reload-signal.js';
import { registerDemo } from './backend.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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
  });
  const server = await createServer(config);
  const apiKey = server.ctx.secrets.apiKeys.development;
  await registerDemo(server.app, { apiBaseUrl: () => server.ctx.publicUrl, apiKey });
  await server.app.listen({ port: config.port, host: config.host });
  return server;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = await startDemoServer();
  const url = server.ctx.publicUrl;
  console.log('');
  console.log(`  AcmeCo demo:          ${url}/demo/`);
  console.log(`  Embedded API:         ${url}/2024-03/...`);
  console.log(`  SDK script:           ${url}/scripts/embedded.js`);
  console.log(`  Demo Store sandbox:   ${url}/sandbox/demo-store/`);
  if (server.sandbox) {
    const { shop, ownerSecret } = server.sandbox.seededStore;
    console.log(`  Store owner secret:   ${ownerSecret}  (shop ${shop}: sign in to the store admin, approve OAuth)`);
  }
  console.log(`  Development API key:  ${server.ctx.secrets.apiKeys.development}`);
  console.log(`  Production API key:   ${server.ctx.secrets.apiKeys.production}`);
  console.log(`  API reference:        ${url}/reference`);
  console.log('');
  reloadDefinitionsOnSighup(server);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void server.close().then(() => process.exit(0)));
  }
}
