import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type EmbeddedServer } from '../src/server/app.js';
import { configFromEnv } from '../src/server/config.js';
import { reloadDefinitionsOnSighup } from '../src/server/reload-signal.js';
import { registerDemo } from './backend.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `npm start`: the Embedded API server with the AcmeCo demo mounted on it. */
export async function startDemoServer(env: NodeJS.ProcessEnv = process.env) {
  // The demo's Stream Data target (its own inbox) is on localhost, so loopback targets are allowed
  // unless ALLOY_ALLOW_PRIVATE_TARGETS says otherwise.
  const config = configFromEnv(env, root, { allowPrivateTargets: 'loopback' });
  const server = await createServer(config);
  const apiKey = server.ctx.secrets.apiKeys.development;
  await registerDemo(server.app, { apiBaseUrl: () => server.ctx.publicUrl, apiKey });
  await server.app.listen({ port: config.port, host: config.host });
  return server;
}

/**
 * What `npm start` prints: where everything is, the API keys, and the loaded integrations with their
 * workflows' ids, which every install call (`Alloy.install({ integrationId })`, alloy-node) needs.
 */
export function startupBanner(server: EmbeddedServer): string[] {
  const url = server.ctx.publicUrl;
  const lines = [
    '',
    `  AcmeCo demo:          ${url}/demo/`,
    `  Embedded API:         ${url}/2024-03/...`,
    `  SDK script:           ${url}/scripts/embedded.js`,
    `  Demo Store sandbox:   ${url}/sandbox/demo-store/`,
    `  Development API key:  ${server.ctx.secrets.apiKeys.development}`,
    `  Production API key:   ${server.ctx.secrets.apiKeys.production}`,
    `  API reference:        ${url}/reference`,
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
  for (const line of startupBanner(server)) console.log(line);
  reloadDefinitionsOnSighup(server);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void server.close().then(() => process.exit(0)));
  }
}
