/**
 * `node --import tsx test/bench/cold-install.ts [runs]`: the install figures alone, cold page and
 * warm (the same code `npm run bench` runs), against the real server on a fresh data dir. Prints JSON.
 */
import { launchChromium } from '../helpers/chromium.js';
import { measureColdInstall, measureIframe, measureInPage } from './browser.js';
import { BENCH_API_KEY, startServerProcess } from './processes.js';

const runs = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 30);
const server = await startServerProcess();
try {
  const auth = { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' };
  const created = await fetch(`${server.url}/2024-03/users`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ username: 'bench' }),
  });
  const { userId } = (await created.json()) as { userId: string };
  const { token } = (await (await fetch(`${server.url}/2024-03/users/${userId}/token`, { headers: auth })).json()) as {
    token: string;
  };
  const browser = await launchChromium();
  try {
    const cold = await measureColdInstall(browser, server.url, token, runs);
    const inPage = await measureInPage(browser, server.url, token, runs);
    const iframe = await measureIframe(browser, server.url, token, runs);
    const ratio = Math.round((iframe.median / inPage.median) * 10) / 10;
    console.log(JSON.stringify({ cold, warm: { inPage, iframe, ratio } }, null, 2));
  } finally {
    await browser.close();
  }
} finally {
  await server.stop();
}
