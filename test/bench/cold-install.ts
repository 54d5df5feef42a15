/**
 * `node --import tsx test/bench/cold-install.ts [runs]`: the cold first-install figures alone (the
 * same code `npm run bench` runs), against the real server on a fresh data dir. Prints JSON.
 */
import { launchChromium } from '../helpers/chromium.js';
import { measureColdInstall } from './browser.js';
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
    console.log(JSON.stringify(await measureColdInstall(browser, server.url, token, runs), null, 2));
  } finally {
    await browser.close();
  }
} finally {
  await server.stop();
}
