/**
 * Every statement the API runs, checked with EXPLAIN QUERY PLAN: a representative workload goes
 * through the routes (users, tokens, installs, credentials, workflows, events run by the runtime,
 * logs, errors, analytics, GET /logs with filters, erasure), every statement SQLite prepares for the
 * server's database is recorded with the parameters it first ran with, and each distinct one is
 * explained. A full scan (`SCAN <table>`, with or without a covering index) of a table that grows
 * with the tenants fails the test; tiny tables and deliberate scans are allowlisted below, each
 * with its reason. SQLite only: the plans are SQLite's (PostgreSQL's planner picks by statistics,
 * and on an empty test database it scans everything).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { TEST_ENGINE } from '../helpers/engine.js';
import {
  type Api,
  EVENT_WORKFLOW_ID,
  INTEGRATION_ID,
  PREFIX_FIELD,
  STREAM_WORKFLOW_ID,
  startApi,
  waitFor,
} from './support.js';

/**
 * Tables a full scan of which is accepted, and why. Everything else (users, installations,
 * user_workflows, credentials, executions, execution_blocks, run_queue, outbound_deliveries,
 * idempotency_keys, link_tokens, oauth_sessions, …) grows with the tenants and must be searched.
 */
const SCAN_ALLOWED: Record<string, string> = {
  // Key/value rows of the deployment (signing key ids, sealed secrets): a handful, fixed.
  settings: 'a handful of deployment settings',
  // Two environments × a few keys (webhook URLs, stream settings).
  environment_settings: 'a few rows per environment',
  // One row per released workflow version of the definitions: grows with the ISV's releases only.
  released_versions: 'one row per released workflow version',
  // Exactly one row (CHECK id = 1).
  definition_generation: 'a single row',
  // The console: its admin (one), its setup token (at most one) and its two environments' key hints.
  console_admins: 'the console admin: one row',
  console_setup_tokens: 'at most one setup token',
  console_api_keys: 'one row per environment',
  // Integrations made in the console are definitions (read whole, like the definition files):
  // they grow with what the ISV builds, not with the tenants.
  console_integrations: 'one row per integration made in the console',
  console_workflows: 'one row per workflow made in the console',
  console_workflow_versions: 'one row per released version of a console workflow',
};

/**
 * Statements whose scan is deliberate, and why: each runs once per process start (never per
 * request), or reads a partial index that holds only the rows it wants.
 */
const STATEMENTS_ALLOWED: { pattern: RegExp; reason: string }[] = [
  {
    // app.ts: before accepting a definitions set, which workflow versions are installed (a start or reload).
    pattern: /^select "workflow_id", "version", count\(\*\) as "users" from "user_workflows" group by/,
    reason: 'start-up/reload: installed version counts, one pass',
  },
  {
    pattern: /^select "key_id" from "credentials" where "key_id" <> \? limit \?/,
    reason: 'start-up: is any credential sealed with another key (stops at the first)',
  },
  {
    pattern:
      /^select "user_id", "workflow_id", "config" from "user_workflows" where substr\(config, 1, 7\) <> 'sealed:'/,
    reason: 'start-up sealing pass: reads the partial index of unsealed rows, empty once sealed',
  },
  {
    pattern:
      /^select "id", "code_verifier" from "oauth_sessions" where "code_verifier" != \? and "code_verifier" not like \?/,
    reason: 'start-up sealing pass over OAuth sessions (short-lived rows, pruned at expiry)',
  },
  {
    pattern: /^select distinct "user_id" from "(app_subscriptions|user_workflows)"/,
    reason: 'start-up: app-trigger subscriptions are synced for every user (AppTriggers.syncAll)',
  },
];

interface Recorded {
  text: string;
  params: unknown[];
}

const recorded = new Map<string, Recorded>();
const originalPrepare = Database.prototype.prepare;
let serverDb: Database.Database | undefined;
const RECORDED_METHODS = new Set(['all', 'get', 'run', 'iterate']);

/** Records what the server's database prepares and the parameters each statement first runs with. */
function recordStatements(): void {
  Database.prototype.prepare = function (this: Database.Database, text: string) {
    const statement = originalPrepare.call(this, text);
    if (serverDb !== undefined && this !== serverDb) return statement;
    return new Proxy(statement, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (typeof value !== 'function') return value;
        if (!RECORDED_METHODS.has(property as string)) return (value as (...a: unknown[]) => unknown).bind(target);
        return (...args: unknown[]) => {
          if (!recorded.has(text)) {
            const params = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
            recorded.set(text, { text, params });
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  } as typeof Database.prototype.prepare;
}

const EXPLAINED = /^\s*(select|insert|update|delete|with)\b/i;

/** `from "table" as "alias"` and `join "table" as "alias"` (Kysely) or bare names: alias → table. */
function aliasesOf(text: string, tables: Set<string>): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const match of text.matchAll(/\b(?:from|join|into|update)\s+"?(\w+)"?(?:\s+(?:as\s+)?"?(\w+)"?)?/gi)) {
    const table = match[1]!;
    if (!tables.has(table)) continue;
    aliases.set(table, table);
    if (match[2] && !/^(where|on|set|values|select|left|inner|join|order|group|limit|as)$/i.test(match[2]))
      aliases.set(match[2], table);
  }
  return aliases;
}

let api: Api;
const CONSOLE_PASSWORD = 'query plans console password';
before(async () => {
  if (TEST_ENGINE !== 'sqlite') return;
  recordStatements();
  // An admin for the console's own queries (cheap scrypt: only the plans matter here).
  api = await startApi({
    server: { consolePassword: CONSOLE_PASSWORD, consoleScryptCost: { N: 2 ** 10, r: 8, p: 1 } },
  });
  serverDb = api.server.storage.sqlite;
  // From here on only the server's database is recorded; while it started, every database was
  // (the sandbox's statements do not compile against the server's schema and are skipped below).
});
after(async () => {
  Database.prototype.prepare = originalPrepare;
  await api?.server.dispose();
});

/** The console's user search (`GET /console/api/users`): a prefix, its next page, and no search. */
async function consoleUserSearches(): Promise<void> {
  const signIn = await api.server.app.inject({
    method: 'POST',
    url: '/console/api/session',
    payload: { username: 'admin', password: CONSOLE_PASSWORD },
  });
  assert.equal(signIn.statusCode, 200, signIn.body);
  const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
  const search = async (query: string) => {
    const response = await api.server.app.inject({
      method: 'GET',
      url: `/console/api/users?${query}`,
      headers: { cookie },
    });
    assert.equal(response.statusCode, 200, `${query}: ${response.body}`);
    return response.json<{ data: unknown[]; nextCursor?: string }>();
  };
  const first = await search('search=plan&limit=1');
  assert.equal(first.data.length, 1);
  await search(`search=plan&limit=1&cursor=${first.nextCursor!}`);
  await search('search=Alice%20P');
  const all = await search('limit=1');
  await search(`limit=1&cursor=${all.nextCursor!}`);
}

/** Drives the routes a tenant population uses, including the runtime running events. */
async function workload(): Promise<void> {
  const ok = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) => {
    const response = await api.call(method, path, body === undefined ? {} : { body });
    assert.ok(response.statusCode < 300, `${method} ${path}: ${response.statusCode} ${response.body}`);
    return response;
  };
  const users: string[] = [];
  for (let i = 0; i < 3; i++) users.push(await api.createUser(`plan-${i}@example.com`));
  const [alice, bob, carol] = users as [string, string, string];
  await ok('GET', '/users');
  const firstPage = await ok('GET', '/users?limit=1');
  await ok('GET', `/users?limit=1&cursor=${firstPage.json().nextCursor as string}`);
  await ok('GET', `/users/${alice}`);
  await ok('GET', `/users/plan-1@example.com`);
  await ok('PUT', `/users/${alice}`, { fullName: 'Alice Plan' });
  await ok('GET', `/users/${alice}/token`);
  await consoleUserSearches();
  await ok('GET', `/integrations?userId=${alice}`);
  await ok('GET', `/integrations/${INTEGRATION_ID}?userId=${alice}`);

  // Installs: the widget's (modal) path and the headless one, with a credential.
  await api.createCredential(alice);
  await api.installWithWidget(alice);
  const credentialId = await api.createCredential(bob);
  const started = await ok('POST', '/headless/startInstallation', { userId: bob, integrationId: INTEGRATION_ID });
  await ok('POST', '/headless/completeInstallation', {
    installationId: started.json().installationId,
    data: [
      {
        workflowId: STREAM_WORKFLOW_ID,
        blockId: PREFIX_FIELD.blockId,
        fields: [{ name: 'referencePrefix', value: 'HR-' }],
      },
    ],
    credentials: [{ credentialId }],
  }).catch(async () => {
    // The documented body without credentials (the install picks the user's) when the above shape is refused.
    await ok('POST', '/headless/completeInstallation', {
      installationId: started.json().installationId,
      data: [
        {
          workflowId: STREAM_WORKFLOW_ID,
          blockId: PREFIX_FIELD.blockId,
          fields: [{ name: 'referencePrefix', value: 'HR-' }],
        },
      ],
    });
  });
  await ok('GET', `/installations?userId=${alice}`);
  await ok('GET', `/credentials/users/${alice}`);
  await ok('GET', `/workflows?userId=${alice}`);
  await ok('GET', `/workflows/${EVENT_WORKFLOW_ID}?userId=${alice}`);
  await ok('GET', `/workflows/${EVENT_WORKFLOW_ID}/users`);
  await ok('PUT', `/workflows/deactivate`, { userId: bob, workflowId: EVENT_WORKFLOW_ID }).catch(() => undefined);
  await ok('PUT', `/workflows/activate`, { userId: bob, workflowId: EVENT_WORKFLOW_ID }).catch(() => undefined);

  // Events run by the runtime (queue claims, executions, blocks, deliveries), with and without a key.
  for (let i = 0; i < 4; i++) {
    await ok('POST', '/run/event', {
      event: 'Fulfillment Updated',
      userId: i % 2 === 0 ? alice : bob,
      data: { orderId: `plan-${i}`, status: 'FULFILLED' },
    });
  }
  await api.call('POST', '/run/event', {
    body: { event: 'Fulfillment Updated', userId: alice, data: { orderId: 'keyed', status: 'FULFILLED' } },
    headers: { 'idempotency-key': 'plan-keyed-1' },
  });
  await waitFor('the runs to finish', async () => {
    const logs = await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs`);
    const data = logs.json().data as { finished: boolean }[];
    return data.length >= 5 && data.every((e) => e.finished);
  });

  // The logs: pages, keyset cursor, a user's, errors, analytics, GET /logs with filters and sorts.
  const logs = await ok('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?limit=2`);
  await ok('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?limit=2&page=2`);
  await ok('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?limit=2&order=asc`);
  const next = await ok(
    'GET',
    `/workflows/${EVENT_WORKFLOW_ID}/logs?limit=2&cursor=${logs.json().nextCursor as string}`,
  );
  assert.equal(next.json().pagination.currentPage, 2);
  await ok(
    'GET',
    `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${alice}&limit=1&cursor=${logs.json().nextCursor as string}`,
  );
  await ok('GET', `/workflows/${EVENT_WORKFLOW_ID}/logs?userId=${alice}`);
  const executionId = (logs.json().data as { executionId: string }[])[0]!.executionId;
  await ok('GET', `/workflows/${EVENT_WORKFLOW_ID}/errors`);
  await ok('GET', `/workflows/${EVENT_WORKFLOW_ID}/errors?userId=${alice}`);
  await ok('GET', `/workflows/${EVENT_WORKFLOW_ID}/analytics`);
  await ok('GET', `/workflows/${EVENT_WORKFLOW_ID}/analytics?userId=${alice}`);
  await ok('GET', `/logs/${executionId}`);
  await ok('GET', '/logs');
  const searched = await ok('GET', '/logs?skip=2&limit=2');
  await ok('GET', `/logs?limit=2&cursor=${searched.json().nextCursor as string}`);
  await ok('GET', `/logs?workflowId=${EVENT_WORKFLOW_ID}&limit=1&cursor=${searched.json().nextCursor as string}`);
  await ok('GET', `/logs?workflowId=${EVENT_WORKFLOW_ID}&sortBy=createdAt&sortOrder=asc`);
  await ok('GET', `/logs?associatedUserId=${alice}`);
  const filters = [
    { columns: { value: 'message' }, operators: { value: 'equals' }, userinput: { value: 'executionError' } },
    {
      columns: { value: 'createdAt' },
      operators: { value: 'greaterthan' },
      userinput: { value: new Date(Date.now() - 3_600_000).toISOString() },
    },
  ];
  await ok('GET', `/logs?filters=${encodeURIComponent(JSON.stringify(filters))}`);
  await ok(
    'GET',
    `/logs?workflowId=${EVENT_WORKFLOW_ID}&filters=${encodeURIComponent(JSON.stringify(filters.slice(0, 1)))}`,
  );
  await ok('GET', `/logs?filters=${encodeURIComponent(JSON.stringify(filters.slice(0, 1)))}`);
  await ok('GET', '/webhook-deliveries');

  // The console's Embedded Links list (its statement; the route is a thin layer over it): all of an
  // environment's, one user's, one user's to one integration, one integration's.
  await ok('GET', `/users/${alice}/integrations/${INTEGRATION_ID}/install-url`);
  await ok('GET', `/users/${bob}/integrations/${INTEGRATION_ID}/install-url`);
  await api.server.ctx.links.list('development', {});
  await api.server.ctx.links.list('development', { userId: alice });
  await api.server.ctx.links.list('development', { userId: alice, integrationId: INTEGRATION_ID });
  await api.server.ctx.links.list('development', { integrationId: INTEGRATION_ID });

  // Erasure and removal.
  await ok('DELETE', `/users/${carol}/logs`).catch(() => undefined);
  await ok('DELETE', `/users/${alice}/logs`);
  await ok('DELETE', `/users/${carol}`);
}

test(
  'no statement the API runs fully scans a table that grows with the tenants',
  { skip: TEST_ENGINE !== 'sqlite' },
  async () => {
    await workload();
    const db = api.server.storage.sqlite!;
    const tables = new Set(
      (
        originalPrepare.call(db, "SELECT name FROM sqlite_master WHERE type = 'table'").all([]) as { name: string }[]
      ).map((r) => r.name),
    );
    const explained: string[] = [];
    const failures: string[] = [];
    const allowed = new Map<string, number>();
    for (const { text, params } of recorded.values()) {
      if (!EXPLAINED.test(text)) continue;
      let plan: { detail: string }[];
      try {
        plan = originalPrepare.call(db, `EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[];
      } catch {
        continue; // the sandbox's statements (another database) do not compile against ours
      }
      explained.push(text);
      const deliberate = STATEMENTS_ALLOWED.find((a) => a.pattern.test(text.trim()));
      if (deliberate) {
        allowed.set(deliberate.reason, (allowed.get(deliberate.reason) ?? 0) + 1);
        continue;
      }
      const aliases = aliasesOf(text, tables);
      for (const { detail } of plan) {
        // PLAN_DEBUG=1 lists the statements that sort in a temporary B-tree (not failed: sorting a
        // page, or one user's rows, is fine; sorting a whole workflow's executions would not be).
        if (process.env.PLAN_DEBUG && /TEMP B-TREE/.test(detail))
          console.log(`TEMP ${detail} :: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
        const scan = /^SCAN (\w+)/.exec(detail);
        if (!scan) continue;
        const table = aliases.get(scan[1]!) ?? (tables.has(scan[1]!) ? scan[1]! : undefined);
        if (table === undefined) continue; // a subquery, CTE, constant row or table-valued function
        if (table in SCAN_ALLOWED) {
          allowed.set(table, (allowed.get(table) ?? 0) + 1);
          continue;
        }
        failures.push(`${detail}\n    in: ${text.replace(/\s+/g, ' ').slice(0, 400)}`);
      }
    }
    console.log(
      `query plans: ${explained.length} distinct statements explained; allowlisted scans: ${
        [...allowed].map(([t, n]) => `${t} ×${n}`).join(', ') || 'none'
      }`,
    );
    // The workload reached the hot tables at all (the recorder works).
    console.log(`allowlisted: ${[...allowed.keys()].join('; ')}`);
    for (const table of [
      'users',
      'executions',
      'execution_blocks',
      'run_queue',
      'user_workflows',
      'installations',
      // The Active toggle's reads (integrations listing, installs): by its primary key.
      'integration_states',
    ])
      assert.ok(
        explained.some((text) => new RegExp(`"${table}"|\\b${table}\\b`).test(text)),
        `no statement on ${table} was recorded`,
      );
    assert.ok(explained.length >= 50, `only ${explained.length} statements recorded`);
    // A message filter is a status test: its page is one seek in status-then-time order, no sort.
    const messagePages = explained.filter((text) =>
      /e\.status IN \('error'\)[)\s]*ORDER BY/.test(text.replace(/\s+/g, ' ')),
    );
    assert.ok(messagePages.length >= 2, `message-filtered pages recorded: ${messagePages.length}`);
    for (const text of messagePages) {
      const plan = (
        originalPrepare.call(db, `EXPLAIN QUERY PLAN ${text}`).all(recorded.get(text)!.params) as {
          detail: string;
        }[]
      ).map((row) => row.detail);
      assert.ok(
        plan.some((detail) => /USING (COVERING )?INDEX executions_(workflow_)?status_created/.test(detail)) &&
          !plan.some((detail) => /TEMP B-TREE/.test(detail)),
        `message filter page: ${plan.join(' | ')}\n    in: ${text.replace(/\s+/g, ' ').slice(0, 300)}`,
      );
    }
    assert.deepEqual(failures, [], `full scans on hot tables:\n${failures.join('\n')}`);
  },
);

test(
  "the console's user search reads its two prefix indexes, not the environment's whole user list",
  { skip: TEST_ENGINE !== 'sqlite' },
  () => {
    const db = api.server.storage.sqlite!;
    const searches = [...recorded.values()].filter(({ text }) => /lower\("username"\)/.test(text));
    assert.ok(searches.length >= 2, 'the workload ran the search, with and without a cursor');
    for (const { text, params } of searches) {
      const plan = originalPrepare.call(db, `EXPLAIN QUERY PLAN ${text}`).all(params) as { detail: string }[];
      const details = plan.map((p) => p.detail).join(' | ');
      assert.match(details, /SEARCH users USING INDEX users_env_username_lower \(env=\? AND <expr>>\? AND <expr><\?\)/);
      assert.match(
        details,
        /SEARCH users USING INDEX users_env_full_name_lower \(env=\? AND <expr>>\? AND <expr><\?\)/,
      );
    }
  },
);
