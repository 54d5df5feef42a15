/**
 * The API server in its own process, for the hardening tests that kill it: options come as JSON
 * in CRASH_SERVER_OPTIONS (`dataDir`, `definitionsDir`, `runtime`; for PostgreSQL nodes sharing a
 * schema also `databaseUrl`, `databaseSchema`, `publicUrl`, `encryptionKey`, `keysDir`, and
 * `sandbox: false` to leave the sandbox out); it prints `{"url": ...}` on one line once it listens
 * and closes gracefully on SIGTERM.
 */
import { createServer } from '../../src/server/app.js';
import { captureServerOptions } from '../helpers/capture.js';
import { SANDBOX_SERVER_OPTIONS } from '../helpers/sandbox-owner.js';
import { TEST_API_KEY, TEST_RATE_LIMITS } from '../helpers/server.js';
import { DEMO_RELATIVE_URL_PREFIXES } from '../server/support.js';

const options = JSON.parse(process.env.CRASH_SERVER_OPTIONS ?? 'null') as {
  dataDir: string;
  definitionsDir: string;
  runtime?: Record<string, unknown>;
  databaseUrl?: string;
  databaseSchema?: string;
  publicUrl?: string;
  encryptionKey?: string;
  keysDir?: string;
  /** false: no sandbox (it is mounted by default). */
  sandbox?: boolean;
} | null;
if (!options?.dataDir || !options.definitionsDir)
  throw new Error('CRASH_SERVER_OPTIONS needs dataDir and definitionsDir');

const server = await createServer({
  dataDir: options.dataDir,
  definitionsDir: options.definitionsDir,
  pinnedDevApiKey: TEST_API_KEY,
  // Thousands of run/event calls from one address.
  rateLimits: TEST_RATE_LIMITS,
  allowPrivateTargets: 'loopback',
  ...(options.sandbox === false ? {} : SANDBOX_SERVER_OPTIONS),
  relativeUrlPrefixes: DEMO_RELATIVE_URL_PREFIXES,
  validateResponses: false,
  runtime: options.runtime,
  databaseUrl: options.databaseUrl,
  databaseSchema: options.databaseSchema,
  publicUrl: options.publicUrl,
  encryptionKey: options.encryptionKey,
  keysDir: options.keysDir,
  ...captureServerOptions('crash-server-child'),
});
await server.app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(
  `${JSON.stringify({ url: `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}` })}\n`,
);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
