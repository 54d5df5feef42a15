import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer, type CreateServerOptions, type EmbeddedServer } from '../../src/server/app.js';
import type { RateLimits } from '../../src/server/platform/config.js';
import { captureServerOptions } from './capture.js';
import { dropEngineData, engineServerOptions } from './engine.js';
import { SANDBOX_SERVER_OPTIONS } from './sandbox-owner.js';

/** Random, like a real key: pinned keys must pass the start-up strength check (≥ 32 characters, ≥ 128 bits). */
export const TEST_API_KEY = 'ak_dev_test_7ir4wBezuFX8QOuELMpaCvDg-y7if9dT';

/**
 * The suites send tens of thousands of requests from 127.0.0.1 (fuzzers, crash and load tests),
 * and some send wrong keys on purpose, so the servers they start allow that much. Tests of the
 * limits themselves pass their own (`server: { rateLimits }`).
 */
export const TEST_RATE_LIMITS: RateLimits = {
  globalPerMinute: 10_000_000,
  authFailuresPerMinute: 10_000_000,
  linkPerMinute: 10_000_000,
  oauthPerMinute: 10_000_000,
  pagesPerMinute: 10_000_000,
};

/** The same as environment variables, for servers configured from the environment (demo, main.ts). */
export const TEST_RATE_LIMIT_ENV: Record<string, string> = {
  ALLOY_RATE_LIMIT: '10000000',
  ALLOY_RATE_LIMIT_AUTH_FAILURES: '10000000',
  ALLOY_RATE_LIMIT_LINKS: '10000000',
  ALLOY_RATE_LIMIT_OAUTH: '10000000',
  ALLOY_RATE_LIMIT_PAGES: '10000000',
};
/**
 * Pinned too: the server keeps only API keys' hashes, and a pinned key is what keeps
 * `ctx.secrets.apiKeys.production` readable after a restart on the same data dir.
 */
export const TEST_PRODUCTION_API_KEY = 'ak_prod_test_Qm3v9ZrT1xKpL7wN2cYhB5dF8gJ0sA4e';

export interface TestServer extends EmbeddedServer {
  dataDir: string;
  /** Closes the server and deletes its data directory. */
  dispose(): Promise<void>;
}

/**
 * A real server on a real SQLite file in a fresh temp dir (or `dataDir`, to restart on the same
 * data), with the Demo Store sandbox mounted (the third-party app tests connect to) and its seeded
 * store's owner secret pinned to TEST_OWNER_SECRET; `server: { sandbox: false }` leaves it out.
 */
export async function startTestServer(
  options: { listen?: boolean; dataDir?: string; server?: Partial<CreateServerOptions> } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-test-'));
  const server = await createServer({
    dataDir,
    ...engineServerOptions(dataDir),
    pinnedDevApiKey: TEST_API_KEY,
    rateLimits: TEST_RATE_LIMITS,
    pinnedProdApiKey: TEST_PRODUCTION_API_KEY,
    ...SANDBOX_SERVER_OPTIONS,
    ...captureServerOptions(),
    ...options.server,
  });
  if (options.listen) await server.app.listen({ port: 0, host: '127.0.0.1' });
  // Not spread: `db` is a getter that throws on PostgreSQL, read only by tests that use it.
  return Object.assign(server, {
    dataDir,
    async dispose() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      await dropEngineData(dataDir);
    },
  });
}

export const apiKeyHeaders = (key = TEST_API_KEY): Record<string, string> => ({ authorization: `Bearer ${key}` });

/** A console session of `username` on `server` (signed in through `POST /console/api/session`). */
export async function signInToConsole(
  server: Pick<EmbeddedServer, 'app'>,
  password: string,
  username = 'admin',
): Promise<{ cookie: string; csrf: string }> {
  const signedIn = await server.app.inject({
    method: 'POST',
    url: '/console/api/session',
    payload: { username, password },
  });
  if (signedIn.statusCode !== 200) throw new Error(`console sign-in: ${signedIn.statusCode} ${signedIn.body}`);
  return {
    cookie: /^alloy_console_session=([^;]*)/.exec(String(signedIn.headers['set-cookie']))![1]!,
    csrf: signedIn.json<{ csrfToken: string }>().csrfToken,
  };
}
