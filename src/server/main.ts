import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from './app.js';
import { configFromEnv } from './platform/config.js';
import { reloadDefinitionsOnSighup } from './platform/reload-signal.js';
import { apiKeyLines } from './rotate-api-key.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Starts the Embedded API server alone (the demo's start script adds the demo on top). */
const config = configFromEnv(process.env, root);
const server = await createServer(config);
await server.app.listen({ port: config.port, host: config.host });
const url = server.ctx.publicUrl;
console.log(`Alloy Embedded API listening on ${url}`);
if (config.databaseUrl) {
  console.log(`  storage:             PostgreSQL (ALLOY_DATABASE_URL); this node on ${config.host}:${config.port}`);
} else {
  console.log(`  storage:             SQLite in ${config.dataDir}`);
}
console.log(`  SDK script:          ${url}/scripts/embedded.js`);
for (const line of apiKeyLines(server.ctx.secrets)) console.log(`  ${line}`);
console.log(`  API reference:       ${url}/reference`);
console.log(`  Console:             ${url}/console`);
if (server.consoleSetupToken) {
  console.log(`  Console setup:       ${url}/console/setup#token=${server.consoleSetupToken}  (one time)`);
}
if (server.sandbox) {
  const { shop, ownerSecret } = server.sandbox.seededStore;
  console.log(`  Demo Store sandbox:  ${url}/sandbox/demo-store/ (ALLOY_SANDBOX=1)`);
  console.log(`  store owner secret:  ${ownerSecret} (shop ${shop})`);
}
console.log(`  reload definitions:  kill -HUP ${process.pid}`);
reloadDefinitionsOnSighup(server);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
