/**
 * Idempotency and single use (issue 8): 100 parallel identical `POST /run/event` and
 * `/run/workflow` with one Idempotency-Key run once and all get the same answer (the documented
 * behaviour: a repeat replays the stored answer; better-sqlite3 is synchronous, so there is no
 * "in progress" 409 window); the same key with another body is a 422 every time; 1000 parallel
 * redemptions of one Embedded Link give exactly one user token; a link 1 s past expiry is refused.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  CHAIN_WORKFLOW_ID,
  LAB_INTEGRATION_ID,
  PING_EVENT,
  PING_WORKFLOW_ID,
  labIntegration,
} from '../server/lab-integration.js';
import { TestReceiver } from '../server/receiver.js';
import { type Api, definitionsDir, startApi, waitFor } from '../server/support.js';
import { apiKeyHeaders } from '../helpers/server.js';

let api: Api;
let receiver: TestReceiver;
let dir: string;
let userId: string;

before(async () => {
  receiver = await TestReceiver.start();
  dir = definitionsDir({ 'lab.integration.json': labIntegration((p) => receiver.url(p)) });
  api = await startApi({ server: { definitionsDir: dir } });
  userId = await api.createUser('idempotent');
  await api.createCredential(userId);
  const install = await api.call('POST', '/widget/installations', {
    token: await api.token(userId),
    body: { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID, CHAIN_WORKFLOW_ID], values: [] },
  });
  assert.equal(install.statusCode, 201, install.body);
});
after(async () => {
  await api.server.dispose();
  await receiver.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A real HTTP request to the listening server (parallel requests really overlap). */
async function post(
  path: string,
  body: unknown,
  key: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(api.url(`/2024-03${path}`), {
    method: 'POST',
    headers: { ...apiKeyHeaders(), 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const runsOf = (kind: 'event' | 'workflow') =>
  api.server.db
    .prepare('SELECT id, status, payload FROM run_queue WHERE user_id = ? AND kind = ?')
    .all(userId, kind) as { id: string; status: string; payload: string }[];

const TRIALS = 3;
const PARALLEL = 100;

describe('one Idempotency-Key, many parallel requests', () => {
  test(`${TRIALS} x ${PARALLEL} parallel identical POST /run/event: exactly 1 run, 1 delivery, ${PARALLEL} identical answers`, async (t) => {
    let replays = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const n = 1000 + trial;
      const body = { event: PING_EVENT, userId, data: { n } };
      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => post('/run/event', body, `same-event-${trial}`)),
      );
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      const eventIds = new Set(answers.map((a) => a.json.eventId));
      assert.equal(eventIds.size, 1, 'every answer names the same run');
      assert.ok(
        answers.every((a) => JSON.stringify(a.json) === JSON.stringify(answers[0]!.json)),
        'identical answers',
      );
      replays += answers.length - 1;

      const runs = runsOf('event').filter((r) => (JSON.parse(r.payload) as { n: number }).n === n);
      assert.equal(runs.length, 1, 'one run in the database');
      assert.equal(runs[0]!.id, [...eventIds][0]);
      await waitFor('the run', async () => (await api.server.ctx.runtime.queue.get(runs[0]!.id))?.status === 'done');
      const delivered = receiver
        .at('/stream')
        .filter((r) => (JSON.parse(r.body) as { data: { n: number } }).data.n === n);
      assert.equal(new Set(delivered.map((r) => r.headers['webhook-id'])).size, 1, 'the receiver got one event');
    }
    t.diagnostic(
      `FIGURE crash-idempotency run/event | ${TRIALS} x ${PARALLEL} parallel identical requests, one key each: ` +
        `runs ${TRIALS} (1 per key, DB and receiver), replayed same answer ${replays}, 409 0, other 0`,
    );
  });

  test(`${TRIALS} x ${PARALLEL} parallel identical POST /run/workflow: exactly 1 run, 1 delivery, ${PARALLEL} identical answers`, async (t) => {
    let replays = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const email = `parallel-${trial}@example.com`;
      const body = { workflowId: CHAIN_WORKFLOW_ID, userId, data: { email, name: `Parallel ${trial}` } };
      const answers = await Promise.all(
        Array.from({ length: PARALLEL }, () => post('/run/workflow', body, `same-workflow-${trial}`)),
      );
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]), JSON.stringify(answers[0]!.json));
      const runIds = new Set(answers.map((a) => a.json.runId));
      assert.equal(runIds.size, 1);
      assert.ok(answers.every((a) => JSON.stringify(a.json) === JSON.stringify(answers[0]!.json)));
      replays += answers.length - 1;

      const runs = runsOf('workflow').filter((r) => (JSON.parse(r.payload) as { email: string }).email === email);
      assert.equal(runs.length, 1, 'one run in the database');
      await waitFor(
        'the run',
        async () => (await api.server.ctx.runtime.queue.get(runs[0]!.id))?.status === 'done',
        30_000,
      );
      const delivered = receiver.at('/crm/customers').filter((r) => r.body.includes(email));
      assert.equal(new Set(delivered.map((r) => r.headers['webhook-id'])).size, 1, 'the receiver got one call');
      const executions = api.server.db
        .prepare('SELECT COUNT(*) AS n FROM executions WHERE run_id = ?')
        .get(runs[0]!.id) as { n: number };
      assert.equal(executions.n, 1);
    }
    t.diagnostic(
      `FIGURE crash-idempotency run/workflow | ${TRIALS} x ${PARALLEL} parallel identical requests, one key each: ` +
        `runs ${TRIALS} (1 per key, DB and receiver), replayed same answer ${replays}, 409 0, other 0`,
    );
  });

  test('same key, another body: 422 in 100 of 100 tries (after the first, and racing it), the first answer kept', async (t) => {
    const TRIES = 100;
    let conflicts = 0;
    let raced = 0;
    await Promise.all(
      Array.from({ length: TRIES }, async (_, i) => {
        const key = `conflict-${i}`;
        const first = await post('/run/event', { event: PING_EVENT, userId, data: { n: 2000 + i } }, key);
        assert.equal(first.status, 200);
        const other = await post(
          '/run/event',
          { event: PING_EVENT, userId, data: { n: 2000 + i, note: 'changed' } },
          key,
        );
        assert.equal(other.status, 422, JSON.stringify(other.json));
        assert.equal((other.json.error as { code: string }).code, 'idempotency_conflict');
        const otherRoute = await post(
          '/run/workflow',
          { workflowId: CHAIN_WORKFLOW_ID, userId, data: { email: `c${i}@example.com`, name: 'C' } },
          `conflict-workflow-${i}`,
        );
        assert.equal(otherRoute.status, 200);
        const otherWorkflowBody = await post(
          '/run/workflow',
          { workflowId: CHAIN_WORKFLOW_ID, userId, data: { email: `c${i}@example.com`, name: 'Changed' } },
          `conflict-workflow-${i}`,
        );
        assert.equal(otherWorkflowBody.status, 422);
        const again = await post('/run/event', { event: PING_EVENT, userId, data: { n: 2000 + i } }, key);
        assert.deepEqual(again, first, 'the stored answer is unchanged');
        conflicts += 2;

        // Two different bodies at once with a fresh key: one wins, the other is the 422.
        const [a, b] = await Promise.all([
          post('/run/event', { event: PING_EVENT, userId, data: { n: 3000 + i } }, `race-${i}`),
          post('/run/event', { event: PING_EVENT, userId, data: { n: 4000 + i } }, `race-${i}`),
        ]);
        assert.deepEqual([a.status, b.status].sort(), [200, 422]);
        raced++;
      }),
    );
    const racedRuns = runsOf('event').filter((r) => {
      const n = (JSON.parse(r.payload) as { n: number }).n;
      return n >= 3000 && n < 5000;
    });
    assert.equal(racedRuns.length, TRIES, 'one run per raced key');
    t.diagnostic(
      `FIGURE crash-idempotency conflict | same key + different body: 422 in ${conflicts}/${2 * TRIES} tries ` +
        `(run/event and run/workflow), racing bodies: exactly one 200 + one 422 in ${raced}/${TRIES}`,
    );
  });
});

describe('Embedded Link: single use', () => {
  const origin = () => new URL(api.url('/')).origin;
  async function linkFor(user: string, expiresIn = 3600): Promise<string> {
    const response = await api.call(
      'GET',
      `/users/${user}/integrations/${LAB_INTEGRATION_ID}/install-url?expiresIn=${expiresIn}`,
    );
    assert.equal(response.statusCode, 200, response.body);
    return response.json().url as string;
  }
  /** Opens the link as a browser does: the redirect and the session cookie it sets, if any. */
  async function open(url: string): Promise<{ location: string; cookie: string | undefined }> {
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 303);
    return {
      location: new URL(response.headers.get('location')!, url).pathname,
      cookie: response.headers.get('set-cookie')?.split(';')[0],
    };
  }
  const redeem = (cookie: string) =>
    fetch(api.url('/link/session'), { method: 'POST', headers: { cookie, origin: origin() } });

  test('1000 parallel redemptions of one link: exactly 1 user token, 999 clear "used" answers', async (t) => {
    const PAGES = 1000;
    const linkUser = await api.createUser('link-race');
    const url = await linkFor(linkUser);
    // Each page opens the link and redeems it, all at once.
    const outcomes = await Promise.all(
      Array.from({ length: PAGES }, async () => {
        const opened = await open(url);
        if (opened.location !== '/link') return { kind: 'open-refused' as const, location: opened.location };
        const response = await redeem(opened.cookie!);
        const body = (await response.json()) as { token?: string; error?: { message: string } };
        return { kind: 'redeemed' as const, status: response.status, body, cookie: opened.cookie! };
      }),
    );
    const winners = outcomes.filter((o) => o.kind === 'redeemed' && o.status === 200);
    const refusedRedeem = outcomes.filter((o) => o.kind === 'redeemed' && o.status !== 200);
    const refusedOpen = outcomes.filter((o) => o.kind === 'open-refused');
    assert.equal(winners.length, 1, 'exactly one page got a user token');
    // A loser's page session is either told the link is used, or was already dropped because an
    // unclaimed link keeps only its newest page sessions (a bound on rows, audit item 17c).
    const message = (o: (typeof outcomes)[number]) => (o.kind === 'redeemed' ? (o.body.error?.message ?? '') : '');
    const used = refusedRedeem.filter(
      (o) => o.kind === 'redeemed' && o.status === 410 && /already used/.test(message(o)),
    );
    const dropped = refusedRedeem.filter((o) => /not valid/.test(message(o)));
    assert.equal(used.length + dropped.length, refusedRedeem.length, 'every other page got a clear refusal');
    t.diagnostic(`FIGURE link-race | ${used.length} "already used", ${dropped.length} page sessions superseded`);
    assert.ok(refusedOpen.every((o) => o.kind === 'open-refused' && o.location === '/link/ended/used'));

    const winner = winners[0]!;
    assert.ok(winner.kind === 'redeemed');
    // The winner's page keeps working (reload, token refresh); it installs, and the link is used up.
    const reloaded = await redeem(winner.cookie);
    assert.equal(reloaded.status, 200);
    const installed = await api.call('POST', '/widget/installations', {
      token: winner.body.token!,
      body: { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] },
    });
    assert.equal(installed.statusCode, 201, installed.body);
    assert.equal((await redeem(winner.cookie)).status, 410, 'the winner’s session ended with the install');
    assert.equal((await open(url)).location, '/link/ended/used');
    t.diagnostic(
      `FIGURE crash-idempotency link | ${PAGES} parallel redemptions of one link: success 1, ` +
        `"already used" ${refusedRedeem.length + refusedOpen.length} (410 from POST /link/session ${refusedRedeem.length}, ` +
        `redirected to /link/ended/used ${refusedOpen.length}), other 0`,
    );
  });

  test('links expired by 1 s: 100 of 100 refused, on opening and on redeeming an already open page', async (t) => {
    const TRIES = 100;
    const linkUser = await api.createUser('link-late');
    let refused = 0;
    for (let i = 0; i < TRIES; i++) {
      const url = await linkFor(linkUser, 60);
      const opened = await open(url);
      assert.equal(opened.location, '/link');
      api.server.db
        .prepare('UPDATE link_tokens SET expires_at = ? WHERE user_id = ? AND expires_at > ?')
        .run(new Date(Date.now() - 1000).toISOString(), linkUser, new Date().toISOString());
      const late = await redeem(opened.cookie!);
      assert.equal(late.status, 410);
      assert.match(((await late.json()) as { error: { message: string } }).error.message, /expired/);
      assert.equal((await open(url)).location, '/link/ended/expired');
      refused++;
    }
    t.diagnostic(
      `FIGURE crash-idempotency link-expiry | links 1 s past expiry: ${refused}/${TRIES} refused (open and redeem)`,
    );
  });
});
