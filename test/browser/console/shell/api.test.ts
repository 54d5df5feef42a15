import { expect } from '@open-wc/testing';
import * as z from 'zod/mini';
import { ConsoleClient, ConsoleRateLimitedError } from '../../../../src/console/api.js';
import { ConsoleApiError } from '../../../../src/console/api-types.js';
import { SETTINGS, SIGNED_IN, apiError, fakeFetch } from './fixtures.js';
import { Settings } from '../../../../src/contract/settings.js';

async function rejection(promise: Promise<unknown>): Promise<ConsoleApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ConsoleApiError);
    return error as ConsoleApiError;
  }
  throw new Error('expected a rejection');
}

describe('ConsoleClient (src/console/api.ts)', () => {
  it('reads the session and keeps the CSRF token for writes', async () => {
    const { fetch, requests } = fakeFetch({
      'GET /session': { body: SIGNED_IN },
      'PUT /isv/2024-03/settings': { body: SETTINGS },
    });
    const client = new ConsoleClient({ fetch });
    expect(await client.getSession()).to.deep.equal(SIGNED_IN);
    expect(client.csrfToken).to.equal('csrf-123');
    const api = client.api('production');
    expect(api.env).to.equal('production');
    const body = { installationWebhookUrl: null };
    expect(await api.isv({ method: 'PUT', path: '/2024-03/settings', body }, Settings)).to.deep.equal(SETTINGS);
    const put = requests[1]!;
    expect(put.headers['x-alloy-csrf']).to.equal('csrf-123');
    expect(put.headers['x-alloy-env']).to.equal('production');
    expect(put.headers['content-type']).to.equal('application/json');
    expect(put.body).to.deep.equal(body);
    expect(requests[0]!.headers['x-alloy-csrf'], 'no CSRF header on a GET').to.equal(undefined);
  });

  it('sends the query without undefined values and parses with the view’s schema', async () => {
    const { fetch, requests } = fakeFetch({ 'GET /isv/2024-03/logs': { body: { data: [1, 2] } } });
    const api = new ConsoleClient({ fetch }).api('development');
    const answer = await api.isv(
      { method: 'GET', path: '/2024-03/logs', query: { limit: 20, status: undefined, cursor: 'a b' } },
      z.object({ data: z.array(z.number()) }),
    );
    expect(answer.data).to.deep.equal([1, 2]);
    expect(requests[0]!.search).to.equal('?limit=20&cursor=a+b');
    expect(requests[0]!.headers['x-alloy-env']).to.equal('development');
  });

  it('lists the environment’s integrations from GET /console/api/integrations, parsed', async () => {
    const catalogue = {
      data: [
        {
          integrationId: 'int_1',
          name: 'Demo Store',
          app: 'demoStore',
          description: '',
          icon: 'cart',
          workflows: [{ workflowId: 'wf_1', name: 'Orders', version: 2 }],
          installs: 3,
          source: 'code',
          active: true,
        },
      ],
    };
    const fake = fakeFetch({ 'GET /integrations': { body: catalogue } });
    const urls: string[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      urls.push(String(input));
      return fake.fetch(input, init);
    };
    const client = new ConsoleClient({ fetch });
    expect(await client.api('production').integrations()).to.deep.equal(catalogue);
    expect(urls).to.deep.equal(['/console/api/integrations']);
    expect(fake.requests[0]!.method).to.equal('GET');
    expect(fake.requests[0]!.headers['x-alloy-env']).to.equal('production');
    expect(fake.requests[0]!.headers['x-alloy-csrf']).to.equal(undefined);

    const { fetch: drifted } = fakeFetch({ 'GET /integrations': { body: { data: [{ integrationId: 'int_1' }] } } });
    expect((await rejection(new ConsoleClient({ fetch: drifted }).api('development').integrations())).code).to.equal(
      'invalid_response',
    );
  });

  it('lists the environment’s Embedded Links from GET /console/api/links with the filters, parsed', async () => {
    const links = {
      data: [
        {
          userId: 'usr_1',
          integrationId: 'int_1',
          createdAt: '2026-02-02T00:00:00.000Z',
          expiresAt: '2026-02-09T00:00:00.000Z',
          status: 'used',
          usedAt: '2026-02-03T00:00:00.000Z',
        },
        {
          userId: 'usr_1',
          integrationId: 'int_1',
          createdAt: '2026-02-01T00:00:00.000Z',
          expiresAt: '2026-02-08T00:00:00.000Z',
          status: 'expired',
        },
      ],
    };
    const { fetch, requests } = fakeFetch({ 'GET /links': { body: links } });
    const api = new ConsoleClient({ fetch }).api('production');
    expect(await api.links({ userId: 'usr 1', integrationId: 'int_1' })).to.deep.equal(links);
    expect(await api.links({})).to.deep.equal(links);
    expect(requests[0]!.search).to.equal('?userId=usr+1&integrationId=int_1');
    expect(requests[1]!.search).to.equal('');
    expect(requests[0]!.method).to.equal('GET');
    expect(requests[0]!.headers['x-alloy-env']).to.equal('production');

    const { fetch: drifted } = fakeFetch({ 'GET /links': { body: { data: [{ userId: 'usr_1', status: 'gone' }] } } });
    expect((await rejection(new ConsoleClient({ fetch: drifted }).api('development').links({}))).code).to.equal(
      'invalid_response',
    );
  });

  it('searches the environment’s users with GET /console/api/users?search=&cursor=, parsed', async () => {
    const page = {
      data: [
        { userId: 'usr_1', username: 'ada@acme.test', fullName: 'Ada Lovelace', createdAt: '2026-01-02T03:04:05.000Z' },
      ],
      nextCursor: 'next-1',
    };
    const fake = fakeFetch({ 'GET /users': { body: page } });
    const urls: string[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      urls.push(String(input));
      return fake.fetch(input, init);
    };
    const api = new ConsoleClient({ fetch }).api('production');
    expect(await api.searchUsers({ search: 'a%b c' })).to.deep.equal(page);
    await api.searchUsers({ search: 'ada', cursor: 'next-1', limit: 50 });
    await api.searchUsers({ search: '' });
    await api.searchUsers({});
    expect(urls).to.deep.equal([
      '/console/api/users?search=a%25b+c',
      '/console/api/users?search=ada&cursor=next-1&limit=50',
      '/console/api/users',
      '/console/api/users',
    ]);
    for (const request of fake.requests) {
      expect(request.method).to.equal('GET');
      expect(request.headers['x-alloy-env']).to.equal('production');
      expect(request.headers['x-alloy-csrf']).to.equal(undefined);
    }

    const { fetch: drifted } = fakeFetch({ 'GET /users': { body: { data: [{ userId: 'usr_1' }] } } });
    expect((await rejection(new ConsoleClient({ fetch: drifted }).api('development').searchUsers({}))).code).to.equal(
      'invalid_response',
    );
  });

  it('turns an answer that does not match the schema, or is not JSON, into invalid_response', async () => {
    const { fetch } = fakeFetch({
      'GET /isv/a': { body: { data: 'nope' } },
      'GET /isv/b': { body: '<html>' },
      'GET /session': { body: { state: 'signed-in', username: 'x' } },
    });
    const client = new ConsoleClient({ fetch });
    const schema = z.object({ data: z.array(z.number()) });
    expect((await rejection(client.api('development').isv({ method: 'GET', path: '/a' }, schema))).code).to.equal(
      'invalid_response',
    );
    expect((await rejection(client.api('development').isv({ method: 'GET', path: '/b' }, schema))).code).to.equal(
      'invalid_response',
    );
    expect((await rejection(client.getSession())).code).to.equal('invalid_response');
  });

  it('carries the API error’s code, message and request id', async () => {
    const { fetch } = fakeFetch({ 'GET /isv/2024-03/users': apiError(400, 'validation_error', 'Bad query') });
    const error = await rejection(
      new ConsoleClient({ fetch }).api('development').isv({ method: 'GET', path: '/2024-03/users' }, z.unknown()),
    );
    expect([error.code, error.message, error.status, error.requestId]).to.deep.equal([
      'validation_error',
      'Bad query',
      400,
      'req_err',
    ]);
  });

  it('reports the wait of a 429 and calls onUnauthorized on a 401 from a session call only', async () => {
    let ended = 0;
    const { fetch } = fakeFetch({
      'POST /session': apiError(429, 'rate_limited', 'Too many', { 'retry-after': '120' }),
      'GET /keys': apiError(401, 'unauthorized', 'Sign in'),
    });
    const client = new ConsoleClient({ fetch, onUnauthorized: () => ended++ });
    const limited = await rejection(client.signIn('admin', 'password-long'));
    expect(limited).to.be.instanceOf(ConsoleRateLimitedError);
    expect((limited as ConsoleRateLimitedError).retryAfterSeconds).to.equal(120);
    expect(ended).to.equal(0);
    await rejection(client.listKeys());
    expect(ended).to.equal(1);
  });

  it('turns a failed fetch into network, and refuses a path that leaves the ISV API', async () => {
    const { fetch } = fakeFetch({ 'GET /session': new TypeError('Failed to fetch') });
    const client = new ConsoleClient({ fetch });
    expect((await rejection(client.getSession())).code).to.equal('network');
    expect(
      (await rejection(client.api('development').isv({ method: 'GET', path: '/../keys' }, z.unknown()))).code,
    ).to.equal('invalid_request');
  });

  it('creates, lists and revokes keys with the CSRF header; signs out', async () => {
    const created = { env: 'production', apiKey: 'sk_live_secret', hint: 'cret', createdAt: '2026-01-01T00:00:00Z' };
    const { fetch, requests } = fakeFetch({
      'POST /session': { body: SIGNED_IN },
      'POST /keys/production': { status: 201, body: created },
      'DELETE /keys/production': { status: 204 },
      'DELETE /session': { status: 204 },
    });
    const client = new ConsoleClient({ fetch });
    await client.signIn('admin', 'correct horse battery');
    expect(requests[0]!.body).to.deep.equal({ username: 'admin', password: 'correct horse battery' });
    expect(await client.createKey('production')).to.deep.equal(created);
    await client.revokeKey('production');
    await client.signOut();
    expect(requests.slice(1).map((request) => request.headers['x-alloy-csrf'])).to.deep.equal([
      'csrf-123',
      'csrf-123',
      'csrf-123',
    ]);
    expect(client.csrfToken).to.equal(undefined);
  });
});
