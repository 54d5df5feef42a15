import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pruneIdempotencyKeys } from '../../src/server/http/idempotency.js';
import { RetentionJob, type RetentionPruners } from '../../src/server/runs/retention.js';
import { type Api, startApi } from './support.js';

let api: Api;
before(async () => {
  api = await startApi();
});
after(async () => {
  await api.server.dispose();
});

const DAY = 24 * 60 * 60 * 1000;
const iso = (ms: number): string => new Date(ms).toISOString();

describe('retention through the owning modules', () => {
  test('each owner prunes in batches (one statement each) and the totals add up', async () => {
    const { ctx } = api.server;
    const database = ctx.database;
    const userId = await api.createUser('retention-batches');
    const now = Date.now();
    const old = iso(now - 61 * DAY);
    const live = iso(now + DAY);
    const N = 5;
    for (let i = 0; i < N; i++) {
      await database
        .insertInto('idempotency_keys')
        .values({ scope: 'test', key: `k${i}`, request_hash: 'h', status: 200, response: '{}', created_at: old })
        .execute();
      await database
        .insertInto('link_tokens')
        .values({ token_hash: `old-${i}`, user_id: userId, integration_id: 'x', created_at: old, expires_at: old })
        .execute();
      await database
        .insertInto('oauth_sessions')
        .values({
          id: `s${i}`,
          user_id: userId,
          connector: 'x',
          origin: 'http://localhost',
          state: `state-${i}`,
          code_verifier: 'v',
          fields: '{}',
          status: 'expired',
          created_at: old,
          expires_at: old,
        })
        .execute();
      await database
        .insertInto('pending_installations')
        .values({
          id: `p${i}`,
          user_id: userId,
          integration_id: 'x',
          workflow_ids: '[]',
          credential_ids: '{}',
          created_at: old,
          expires_at: old,
        })
        .execute();
      await database
        .insertInto('outbound_deliveries')
        .values({
          id: `d${i}`,
          env: 'development',
          kind: 'errorStream',
          url: 'http://localhost/x',
          headers: '{}',
          body: '{}',
          status: i % 2 === 0 ? 'delivered' : 'failed',
          attempts: 1,
          next_attempt_at: old,
          created_at: old,
          updated_at: old,
        })
        .execute();
    }
    // Page sessions of a link that is still valid: they go on their own (not by the link's cascade).
    await database
      .insertInto('link_tokens')
      .values({ token_hash: 'live', user_id: userId, integration_id: 'x', created_at: old, expires_at: live })
      .execute();
    for (let i = 0; i < N; i++) {
      await database
        .insertInto('link_sessions')
        .values({ id_hash: `ls${i}`, token_hash: 'live', created_at: old, expires_at: old })
        .execute();
    }
    const calls: Record<string, number[]> = {};
    const counted =
      (name: string, prune: (cutoff: string, limit: number) => Promise<number>) =>
      async (cutoff: string, limit: number): Promise<number> => {
        const deleted = await prune(cutoff, limit);
        (calls[name] ??= []).push(deleted);
        return deleted;
      };
    const pruners: RetentionPruners = {
      idempotencyKeys: counted('idempotencyKeys', (c, l) => pruneIdempotencyKeys(database, c, l)),
      linkTokens: counted('linkTokens', (c, l) => ctx.links.pruneExpiredLinks(c, l)),
      oauthSessions: counted('oauthSessions', (c, l) => ctx.oauth.pruneSessions(c, l)),
      linkSessions: counted('linkSessions', (c, l) => ctx.links.pruneExpiredPageSessions(c, l)),
      pendingInstallations: counted('pendingInstallations', (c, l) => ctx.headless.pruneExpired(c, l)),
      deliveries: counted('deliveries', (c, l) => ctx.runtime.outbox.pruneFinished(c, l)),
    };
    const job = new RetentionJob(database, pruners, 60, 60_000, undefined, 2);
    const result = await job.runOnce(now);
    for (const name of Object.keys(pruners) as (keyof RetentionPruners)[]) {
      assert.ok(result[name] >= N, `${name}: ${result[name]}`);
      assert.deepEqual(calls[name]!.slice(0, 2), [2, 2], `${name} goes in batches of 2`);
      assert.ok(calls[name]!.at(-1)! < 2, `${name} stops after a short batch`);
      assert.equal(
        calls[name]!.reduce((a, b) => a + b, 0),
        result[name],
      );
    }
    assert.equal(
      (await database.selectFrom('link_tokens').select('token_hash').where('token_hash', '=', 'live').execute()).length,
      1,
      'a valid link stays',
    );
  });
});
