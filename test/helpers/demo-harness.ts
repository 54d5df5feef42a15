import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startDemoServer } from '../../demo/server.js';
import type { EmbeddedServer } from '../../src/server/app.js';
import { captureServerEnv } from './capture.js';
import { launchChromium } from './chromium.js';
import { TEST_OWNER_SECRET } from './sandbox-owner.js';
import { isvCall } from './e2e-modal.js';

export const DEMO_API_KEY = 'ak_dev_demo_T-eJd1Fnt0GudCwLycz1N4W9Re9Vgog8';

export interface DemoHarness {
  server: EmbeddedServer;
  browser: Browser;
  /** The server's public URL (API, demo and sandbox share it). */
  base: string;
  /** One ISV API call with the demo's API key; fails the test on a non-2xx answer. */
  isv<T>(method: string, apiPath: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

/** The real demo server (API + AcmeCo + sandbox) on a fresh data dir, and Debian's Chromium. */
export async function startDemoHarness(env: NodeJS.ProcessEnv = {}): Promise<DemoHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-demo-e2e-'));
  const server = await startDemoServer({
    PORT: '0',
    ALLOY_DATA_DIR: dataDir,
    ALLOY_API_KEY: DEMO_API_KEY,
    ALLOY_SANDBOX_OWNER_SECRET: TEST_OWNER_SECRET,
    ...captureServerEnv(),
    ...env,
  });
  const browser = await launchChromium();
  const base = server.ctx.publicUrl;
  return {
    server,
    browser,
    base,
    isv: (method, apiPath, body) => isvCall(base, DEMO_API_KEY, method, apiPath, body),
    async close() {
      await browser.close();
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
