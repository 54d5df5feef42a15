/**
 * The console's user search, `GET /console/api/users?search=&cursor=&limit=`: the start of a
 * username or full name, case-insensitive and literal (LIKE's wildcards are plain characters),
 * keyset-paged with `nextCursor`, per environment (`x-alloy-env`), and only with a session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import {
  apiKeyHeaders,
  signInToConsole,
  startTestServer,
  TEST_PRODUCTION_API_KEY,
  type TestServer,
} from '../helpers/server.js';

const CHEAP = { consoleScryptCost: { N: 2 ** 10, r: 8, p: 1 } };
const PASSWORD = 'correct horse battery staple';
const COOKIE = 'alloy_console_session';

interface Found {
  data: { userId: string; username: string; fullName: string | null; createdAt: string }[];
  nextCursor?: string;
}

describe('console: GET /console/api/users searches the environment’s users', () => {
  let server: TestServer;
  let cookie: string;
  const ids = new Map<string, string>();

  const search = (query: Record<string, string>, options: { env?: string; signedIn?: boolean } = {}) =>
    server.app.inject({
      method: 'GET',
      url: '/console/api/users',
      query,
      headers: {
        ...(options.signedIn === false ? {} : { cookie: `${COOKIE}=${cookie}` }),
        ...(options.env ? { 'x-alloy-env': options.env } : {}),
      },
    } as InjectOptions);
  const found = (response: LightMyRequestResponse): Found => {
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    return response.json<Found>();
  };
  const names = (page: Found) => page.data.map((u) => u.username);

  const createUser = async (username: string, fullName?: string, key?: string) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/2024-03/users',
      headers: apiKeyHeaders(key),
      payload: { username, ...(fullName === undefined ? {} : { fullName }) },
    });
    assert.equal(response.statusCode, 200, response.body);
    ids.set(`${key ? 'prod' : 'dev'}:${username}`, response.json<{ userId: string }>().userId);
  };

  before(async () => {
    server = await startTestServer({ server: { sandbox: false, ...CHEAP, consolePassword: PASSWORD } });
    ({ cookie } = await signInToConsole(server, PASSWORD));
    await createUser('alice@acme.test', 'Alice Martin');
    await createUser('bob@acme.test', 'Robert Alderman');
    await createUser('ALBERT@acme.test');
    await createUser('carol@acme.test', 'Carol Smith');
    await createUser('a%b@acme.test', 'Percent Sign');
    await createUser('a_c@acme.test', 'Under Score');
    await createUser('axb@acme.test', 'Wild Card');
    await createUser('back\\slash@acme.test');
    for (let i = 0; i < 7; i++) await createUser(`page${i}@acme.test`, `Paged User ${i}`);
    await createUser('alice@prod.test', 'Alice Production', TEST_PRODUCTION_API_KEY);
  });
  after(async () => {
    await server.dispose();
  });

  test('the start of a username or a full name, case-insensitive, in creation order, with createdAt', async () => {
    const page = found(await search({ search: 'AL' }));
    assert.deepEqual(names(page), ['alice@acme.test', 'ALBERT@acme.test']);
    assert.equal(page.nextCursor, undefined);
    const alice = page.data[0]!;
    assert.equal(alice.userId, ids.get('dev:alice@acme.test'));
    assert.equal(alice.fullName, 'Alice Martin');
    assert.ok(!Number.isNaN(Date.parse(alice.createdAt)), alice.createdAt);
    assert.equal(page.data[1]!.fullName, null);
    // Full name only ("Robert Alderman" starts with "rob"; "bob@" does not), whatever the case.
    assert.deepEqual(names(found(await search({ search: 'rob' }))), ['bob@acme.test']);
    assert.deepEqual(names(found(await search({ search: 'ROBERT ALD' }))), ['bob@acme.test']);
    // A match on both fields comes once.
    assert.deepEqual(names(found(await search({ search: 'a' }))).slice(0, 2), ['alice@acme.test', 'ALBERT@acme.test']);
    // A prefix, not a contains-search: "martin" is inside "Alice Martin" but starts neither field.
    assert.deepEqual(names(found(await search({ search: 'martin' }))), []);
    // Surrounding spaces do not count.
    assert.deepEqual(names(found(await search({ search: '  carol ' }))), ['carol@acme.test']);
  });

  test('no match: an empty page without a cursor', async () => {
    const page = found(await search({ search: 'zzz-nobody' }));
    assert.deepEqual(page, { data: [] });
  });

  test('%, _ and \\ are taken literally', async () => {
    assert.deepEqual(names(found(await search({ search: 'a%' }))), ['a%b@acme.test']);
    assert.deepEqual(names(found(await search({ search: 'a_' }))), ['a_c@acme.test']);
    assert.deepEqual(names(found(await search({ search: '%' }))), []);
    assert.deepEqual(names(found(await search({ search: '_' }))), []);
    assert.deepEqual(names(found(await search({ search: 'back\\' }))), ['back\\slash@acme.test']);
  });

  test('pages with the cursor: each match once, in order, and the last page has no cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = found(await search({ search: 'page', limit: '3', ...(cursor ? { cursor } : {}) }));
      assert.ok(page.data.length <= 3);
      seen.push(...names(page));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    assert.equal(pages, 3);
    assert.deepEqual(
      seen,
      Array.from({ length: 7 }, (_, i) => `page${i}@acme.test`),
    );
    // By full name too ("Paged User …").
    assert.equal(found(await search({ search: 'paged user', limit: '100' })).data.length, 7);
  });

  test('without a search: every user of the environment, 25 per page by default', async () => {
    const first = found(await search({}));
    assert.equal(first.data.length, 15);
    assert.equal(first.nextCursor, undefined);
    const small = found(await search({ limit: '10' }));
    assert.equal(small.data.length, 10);
    assert.ok(small.nextCursor);
    const rest = found(await search({ limit: '10', cursor: small.nextCursor! }));
    assert.equal(rest.data.length, 5);
    assert.equal(rest.nextCursor, undefined);
  });

  test('bad limits and cursors are 400', async () => {
    for (const query of <Record<string, string>[]>[
      { limit: '0' },
      { limit: '101' },
      { limit: 'x' },
      { cursor: 'no way!' },
      { cursor: 'abc' },
    ]) {
      const response = await search({ search: 'a', ...query });
      assert.equal(response.statusCode, 400, `${JSON.stringify(query)}: ${response.body}`);
      assert.equal(response.json<{ error: { code: string } }>().error.code, 'validation_failed');
    }
    assert.equal((await search({ search: 'x'.repeat(201) })).statusCode, 400);
    assert.equal((await search({ search: 'a', other: '1' })).statusCode, 400);
  });

  test('one environment at a time (x-alloy-env)', async () => {
    assert.deepEqual(names(found(await search({ search: 'alice' }))), ['alice@acme.test']);
    assert.deepEqual(names(found(await search({ search: 'alice' }, { env: 'development' }))), ['alice@acme.test']);
    const prod = found(await search({ search: 'alice' }, { env: 'production' }));
    assert.deepEqual(names(prod), ['alice@prod.test']);
    assert.equal(prod.data[0]!.userId, ids.get('prod:alice@prod.test'));
    assert.deepEqual(names(found(await search({ search: 'carol' }, { env: 'production' }))), []);
    assert.equal((await search({ search: 'a' }, { env: 'staging' })).statusCode, 400);
  });

  test('401 without a session', async () => {
    const response = await search({ search: 'alice' }, { signedIn: false });
    assert.equal(response.statusCode, 401, response.body);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'unauthorized');
    const forged = await server.app.inject({
      method: 'GET',
      url: '/console/api/users?search=alice',
      headers: { cookie: `${COOKIE}=forged`, authorization: apiKeyHeaders().authorization },
    });
    assert.equal(forged.statusCode, 401, 'an API key is not a console session');
  });
});
