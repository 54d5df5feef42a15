/**
 * Crash safety (issue 8): kill -9 the server at random moments while 1000 `POST /run/event` calls
 * are in flight, ten rounds on one data directory. A client that got a 2xx has a promise: the event
 * runs. One that did not resends with the same Idempotency-Key after the restart, as alloy-node
 * does. Every round checks the database and the receiver against the answers the client saw.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { LAB_INTEGRATION_ID, PING_EVENT, PING_WORKFLOW_ID } from '../server/lab-integration.js';
import {
  CRASH_SERVER_SCRIPT,
  KILL_TEST_RUNTIME,
  apiClient,
  inParallel,
  seededRandom,
  spawnServer,
  until,
  useLab,
  type ChildServer,
} from './crash-support.js';

const ROUNDS = 10;
const EVENTS = 1000;
const IN_FLIGHT = 50;
/** Kill points are drawn from [0, EVENTS * KILL_SPAN): past EVENTS the kill lands while runs are still being processed. */
const KILL_SPAN = 1.25;

const seed = Number(process.env.CRASH_KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const random = seededRandom(seed);

const lab = useLab('crash-kill');

const start = () =>
  spawnServer(CRASH_SERVER_SCRIPT, {
    CRASH_SERVER_OPTIONS: JSON.stringify({
      dataDir: lab.dataDir,
      definitionsDir: lab.definitions,
      runtime: KILL_TEST_RUNTIME,
    }),
  });

/** What the receiver got for one user: Stream Data posts by webhook-id, and the event numbers they carry. */
class Deliveries {
  private read = 0;
  readonly byUser = new Map<
    string,
    { posts: number; ids: Map<string, number>; idsOfEvent: Map<number, Set<string>> }
  >();

  update(): void {
    for (; this.read < lab.receiver.requests.length; this.read++) {
      const request = lab.receiver.requests[this.read]!;
      if (request.path !== '/stream') continue;
      const body = JSON.parse(request.body) as { userId: string; data: { n: number } };
      let user = this.byUser.get(body.userId);
      if (!user) this.byUser.set(body.userId, (user = { posts: 0, ids: new Map(), idsOfEvent: new Map() }));
      const id = request.headers['webhook-id'] as string;
      user.posts++;
      user.ids.set(id, body.data.n);
      let ids = user.idsOfEvent.get(body.data.n);
      if (!ids) user.idsOfEvent.set(body.data.n, (ids = new Set()));
      ids.add(id);
    }
  }

  of(userId: string) {
    this.update();
    return (
      this.byUser.get(userId) ?? {
        posts: 0,
        ids: new Map<string, number>(),
        idsOfEvent: new Map<number, Set<string>>(),
      }
    );
  }
}

test(`kill -9 at random moments during ${EVENTS} concurrent run/event calls, ${ROUNDS} rounds: nothing acknowledged is lost, nothing runs twice`, async (t) => {
  t.diagnostic(`kill schedule seed ${seed} (replay with CRASH_KILL_SEED=${seed})`);
  const deliveries = new Deliveries();
  let server: ChildServer = await start();
  const call = apiClient(() => server.url);
  const totals = { acknowledged: 0, lost: 0, duplicateRuns: 0, integrityOk: 0, redelivered: 0, resent: 0 };
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const username = `crash-round-${round}`;
      const created = await call('POST', '/users', { username });
      assert.equal(created.status, 200, JSON.stringify(created.json));
      const userId = created.json.userId as string;
      const token = (await call('GET', `/users/${userId}/token`)).json.token as string;
      const install = await call(
        'POST',
        '/widget/installations',
        { integrationId: LAB_INTEGRATION_ID, workflowIds: [PING_WORKFLOW_ID], values: [] },
        { authorization: '', 'x-alloy-user-token': token },
      );
      assert.equal(install.status, 201, JSON.stringify(install.json));

      const roundStarted = Date.now();
      const keyOf = (n: number) => `crash-r${round}-${n}`;
      const fire = (n: number) =>
        call('POST', '/run/event', { event: PING_EVENT, userId, data: { n } }, { 'idempotency-key': keyOf(n) });
      const killPoint = Math.floor(random() * EVENTS * KILL_SPAN);
      const victim = server;
      let killed = false;
      const kill = () => {
        if (killed) return;
        killed = true;
        victim.child.kill('SIGKILL');
      };
      /** Event number → the run id of its 2xx answer. */
      const acknowledged = new Map<number, string>();
      if (killPoint === 0) kill();
      await inParallel(
        Array.from({ length: EVENTS }, (_, n) => n),
        IN_FLIGHT,
        async (n) => {
          if (killed) return;
          try {
            const answer = await fire(n);
            assert.ok(
              answer.status === 200 || answer.status >= 500,
              `event ${n}: ${answer.status} ${JSON.stringify(answer.json)}`,
            );
            if (answer.status === 200) acknowledged.set(n, answer.json.eventId as string);
            if (acknowledged.size === killPoint) kill();
          } catch (error) {
            if (error instanceof assert.AssertionError) throw error;
            // The connection died with the process: not acknowledged, resent after the restart.
          }
        },
      );
      // Past the send window: the kill lands while the queue is being worked off.
      if (!killed) setTimeout(kill, (killPoint - EVENTS) * 2);
      await victim.exited();
      assert.equal(victim.child.signalCode, 'SIGKILL', 'the server was killed, not stopped');
      const acknowledgedBeforeKill = acknowledged.size;

      const afterKill = new Database(path.join(lab.dataDir, 'alloy.db'), { readonly: true });
      const integrityAfterKill = afterKill.pragma('integrity_check', { simple: true });
      afterKill.close();

      const killedAt = Date.now();
      server = await start();
      const restartedAt = Date.now();
      // The client resends what it has no answer for, with the same Idempotency-Key.
      const unanswered = Array.from({ length: EVENTS }, (_, n) => n).filter((n) => !acknowledged.has(n));
      const resentRunIds = new Map<number, string>();
      await inParallel(unanswered, IN_FLIGHT, async (n) => {
        const answer = await fire(n);
        assert.equal(answer.status, 200, `resent event ${n}: ${JSON.stringify(answer.json)}`);
        resentRunIds.set(n, answer.json.eventId as string);
      });
      // A sample of acknowledged keys replays: same run id, nothing new queued.
      const sample = [...acknowledged.keys()].slice(0, 20);
      for (const n of sample) {
        const again = await fire(n);
        assert.equal(again.status, 200);
        assert.equal(again.json.eventId, acknowledged.get(n), `event ${n} replays its first answer`);
      }

      const db = new Database(path.join(lab.dataDir, 'alloy.db'), { readonly: true });
      try {
        const counts = db.prepare(
          `SELECT COUNT(*) AS total, SUM(status = 'done') AS done, SUM(status = 'failed') AS failed FROM run_queue WHERE user_id = ?`,
        );
        await until(
          `round ${round}: every run done`,
          () => {
            const c = counts.get(userId) as { total: number; done: number; failed: number };
            assert.equal(c.failed ?? 0, 0, `round ${round}: no run failed`);
            return c.done === EVENTS && c.total === EVENTS;
          },
          60_000,
        );
        await until(`round ${round}: every run delivered`, () => deliveries.of(userId).ids.size >= EVENTS, 30_000);

        const drainedAt = Date.now();
        const runs = db.prepare('SELECT id FROM run_queue WHERE user_id = ?').all(userId) as { id: string }[];
        const answered = new Set([...acknowledged.values(), ...resentRunIds.values()]);
        const duplicateRuns = runs.length - answered.size;
        assert.equal(runs.length, EVENTS, `round ${round}: one run per Idempotency-Key`);
        assert.deepEqual(new Set(runs.map((r) => r.id)), answered, `round ${round}: the runs are the answered ones`);
        const keys = db
          .prepare(`SELECT COUNT(*) AS n FROM idempotency_keys WHERE scope = 'run-event:development' AND key LIKE ?`)
          .get(`crash-r${round}-%`) as { n: number };
        assert.equal(keys.n, EVENTS, 'one stored answer per key');

        const executions = db
          .prepare(
            `SELECT run_id, COUNT(*) AS n, SUM(status = 'success') AS ok FROM executions WHERE user_id = ? GROUP BY run_id`,
          )
          .all(userId) as { run_id: string; n: number; ok: number }[];
        assert.equal(executions.length, EVENTS, `round ${round}: every run executed`);
        assert.ok(
          executions.every((e) => e.n === 1 && e.ok === 1),
          `round ${round}: one successful execution per run`,
        );

        const delivered = deliveries.of(userId);
        const twoRunsForOneKey = [...delivered.idsOfEvent.values()].filter((ids) => ids.size > 1).length;
        assert.equal(twoRunsForOneKey, 0, `round ${round}: no event delivered under two webhook-ids`);
        assert.equal(delivered.idsOfEvent.size, EVENTS, `round ${round}: every event delivered`);
        const done = new Set(
          (
            db.prepare(`SELECT id FROM run_queue WHERE user_id = ? AND status = 'done'`).all(userId) as { id: string }[]
          ).map((r) => r.id),
        );
        const lost = [...acknowledged.entries()].filter(
          ([n, runId]) => !done.has(runId) || !delivered.idsOfEvent.has(n),
        );
        assert.equal(lost.length, 0, `round ${round}: acknowledged events lost: ${lost.map(([n]) => n).join(', ')}`);
        const integrity = db.pragma('integrity_check', { simple: true });
        assert.equal(integrityAfterKill, 'ok', `round ${round}: integrity right after the kill`);
        assert.equal(integrity, 'ok', `round ${round}: integrity after recovery`);

        const redelivered = delivered.posts - delivered.ids.size;
        totals.acknowledged += acknowledgedBeforeKill;
        totals.resent += unanswered.length;
        totals.duplicateRuns += duplicateRuns + twoRunsForOneKey;
        totals.lost += lost.length;
        totals.integrityOk += 1;
        totals.redelivered += redelivered;
        const moment =
          killPoint <= EVENTS ? `after ack #${killPoint}` : `${(killPoint - EVENTS) * 2} ms after the last ack`;
        t.diagnostic(
          `round ${round}: killed ${moment}; acknowledged ${acknowledgedBeforeKill}, resent ${unanswered.length}, ` +
            `runs ${runs.length}, lost ${lost.length}, redelivered same webhook-id ${redelivered}, integrity ${integrity}; ` +
            `load until the kill ${killedAt - roundStarted} ms, restart ${restartedAt - killedAt} ms, resend and drain ${drainedAt - restartedAt} ms`,
        );
      } finally {
        db.close();
      }
    }
  } finally {
    server.child.kill('SIGTERM');
    await server.exited();
  }
  t.diagnostic(
    `FIGURE crash-kill | ${ROUNDS} rounds x ${EVENTS} events: acknowledged ${totals.acknowledged}, lost ${totals.lost}, ` +
      `duplicate runs ${totals.duplicateRuns}, integrity ok ${totals.integrityOk}/${ROUNDS}, ` +
      `redelivered same webhook-id ${totals.redelivered} (resent after restart ${totals.resent}, seed ${seed})`,
  );
  assert.equal(totals.lost, 0);
  assert.equal(totals.duplicateRuns, 0);
  assert.equal(totals.integrityOk, ROUNDS);
});
