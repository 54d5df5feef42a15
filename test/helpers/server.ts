import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer, type CreateServerOptions, type EmbeddedServer } from '../../src/server/app.js';
import { captureServerOptions } from './capture.js';

export const TEST_API_KEY = 'ak_dev_test_key_0123456789abcdef';
/**
 * Pinned too: the server keeps only API keys' hashes, and a pinned key is what keeps
 * `ctx.secrets.apiKeys.production` readable after a restart on the same data dir.
 */
export const TEST_PRODUCTION_API_KEY = 'ak_prod_test_key_0123456789abcdef';

export interface TestServer extends EmbeddedServer {
  dataDir: string;
  /** Closes the server and deletes its data directory. */
  dispose(): Promise<void>;
}

/** A real server on a real SQLite file in a fresh temp dir (or `dataDir`, to restart on the same data). */
export async function startTestServer(
  options: { listen?: boolean; dataDir?: string; server?: Partial<CreateServerOptions> } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-test-'));
  const server = await createServer({
    dataDir,
    pinnedDevApiKey: TEST_API_KEY,
    pinnedProdApiKey: TEST_PRODUCTION_API_KEY,
    ...captureServerOptions(),
    ...options.server,
  });
  if (options.listen) await server.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    ...server,
    dataDir,
    async dispose() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const apiKeyHeaders = (key = TEST_API_KEY): Record<string, string> => ({ authorization: `Bearer ${key}` });
