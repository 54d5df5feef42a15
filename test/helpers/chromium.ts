import { chromium, type Browser } from 'playwright-core';
import { recordBrowser } from './capture.js';

/** Debian's Chromium; nothing here may download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Debian's Chromium; with ALLOY_TEST_CAPTURE_DIR set, its pages are recorded for the secret scan. */
export async function launchChromium(): Promise<Browser> {
  return recordBrowser(await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true }));
}
