// `npm run screenshots`: renders every state of the install modal at each viewport of issue 18's
// matrix (1280×800 and 1280×659 desktop, 375×812 and 320×640 phone), light and dark, in Debian's
// Chromium, and writes one PNG per state and variant into screenshots/ (git-ignored), named
// <state>-<width>x<height>-<light|dark>.png. Offline: the page, its bundle and icons come from a
// loopback server started here. `npm run screenshots -- <state> ...` renders only those states.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { launchChromium } from '../helpers/chromium.js';
import { openVariantPage, variantsOf } from './variants.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, 'screenshots');
const only = process.argv.slice(2);

/**
 * The viewports the modal must work at: a laptop, the same laptop with browser chrome and a
 * bookmarks bar (659 px tall: where issue 18 found the auth step's Connect below the fold), a phone,
 * and the smallest phone width we support. Phones render at 2× like the real devices.
 */
const VIEWPORTS = [
  { width: 1280, height: 800, scale: 1 },
  { width: 1280, height: 659, scale: 1 },
  { width: 375, height: 812, scale: 2 },
  { width: 320, height: 640, scale: 2 },
] as const;

const VARIANTS = variantsOf(VIEWPORTS);

// A stand-in host page, so the backdrop has something to cover.
const HOST_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>AcmeCo · Integrations</title>
<style>
  body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: #1f2937; background: #f3f4f6; }
  .bar { display: flex; align-items: center; gap: 10px; padding: 14px 24px; background: #111827; color: #fff; font-weight: 700; }
  main { max-width: 960px; margin: 0 auto; padding: 24px; }
  .card { display: flex; gap: 16px; align-items: center; margin: 12px 0; padding: 16px; border-radius: 12px; background: #fff; }
  .card i { width: 44px; height: 44px; border-radius: 10px; background: #c7d2fe; }
</style></head>
<body><div class="bar">AcmeCo</div><main><h1>Integrations</h1>
${['Demo Store', 'Shopify', 'Slack', 'BigCommerce'].map((n) => `<div class="card"><i></i><div><b>${n}</b><br>Connect ${n} to AcmeCo.</div></div>`).join('')}
</main><script type="module" src="/page.js"></script></body></html>`;

const ACME_LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24" rx="6" fill="#111827"/><path d="M7 17l5-10 5 10M9 13h6" stroke="#fff" stroke-width="2.2" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

async function main(): Promise<void> {
  const bundle = await esbuild.build({
    entryPoints: [path.join(root, 'test/screenshots/page.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  const pageScript = bundle.outputFiles[0]!.contents;
  const iconsDir = path.join(root, 'src/server/http/static/icons');

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = (type: string, body: string | Uint8Array, status = 200) =>
      response.writeHead(status, { 'content-type': type }).end(body);
    if (url.pathname === '/') return send('text/html', HOST_PAGE);
    if (url.pathname === '/page.js') return send('text/javascript', pageScript);
    if (url.pathname === '/acme-logo.svg') return send('image/svg+xml', ACME_LOGO);
    const icon = /^\/static\/icons\/([\w-]+\.svg)$/.exec(url.pathname)?.[1];
    if (icon && fs.existsSync(path.join(iconsDir, icon))) {
      return send('image/svg+xml', fs.readFileSync(path.join(iconsDir, icon)));
    }
    return send('text/plain', 'not found', 404);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;

  fs.mkdirSync(outDir, { recursive: true });
  // A full run leaves exactly its own files, so a renamed or removed state leaves no stale PNG.
  if (only.length === 0) {
    for (const file of fs.readdirSync(outDir).filter((name) => name.endsWith('.png')))
      fs.rmSync(path.join(outDir, file));
  }
  const browser = await launchChromium();
  let count = 0;
  const states = new Set<string>();
  try {
    for (const variant of VARIANTS) {
      const { context, page, errors } = await openVariantPage(browser, variant);
      await page.goto(origin);
      const all = await page.evaluate(() => window.scenarioNames);
      const unknown = only.filter((name) => !all.includes(name));
      if (unknown.length > 0) throw new Error(`unknown state ${unknown.join(', ')}; the states are: ${all.join(', ')}`);
      const names = all.filter((n) => !only.length || only.includes(n));
      for (const name of names) {
        await page.goto(origin);
        await page.evaluate(([scenario, dark]) => window.renderScenario(scenario, dark), [name, variant.dark] as const);
        // Let images decode and the last frame paint.
        await page.waitForFunction(() =>
          [...(document.querySelector('alloy-install-modal')?.shadowRoot?.querySelectorAll('img') ?? [])].every(
            (img) => img.complete,
          ),
        );
        const file = path.join(outDir, `${name}-${variant.name}.png`);
        await page.screenshot({ path: file });
        states.add(name);
        count++;
      }
      if (errors.length > 0) throw new Error(`${variant.name}: ${errors.join('; ')}`);
      await context.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(
    `Wrote ${count} screenshots (${states.size} states × ${VARIANTS.length} variants: ` +
      `${VIEWPORTS.map(({ width, height }) => `${width}x${height}`).join(', ')}; light and dark) to ${outDir}/`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
