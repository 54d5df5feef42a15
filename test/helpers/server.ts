import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer, type CreateServerOptions, type EmbeddedServer } from '../../src/server/app.js';
import { captureServerOptions } from './capture.js';
import { SANDBOX_SERVER_OPTIONS } from './sandbox-owner.js';

export const TEST_API_KEY = 'ak_dev_test_key_0123456789abcdef';

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
    pinnedDevApiKey: TEST_API_KEY,
    ...SANDBOX_SERVER_OPTIONS,
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
