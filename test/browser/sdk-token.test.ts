import { expect, waitUntil } from '@open-wc/testing';
import { ApiClient } from '../../src/sdk/api-client.js';
import { AlloyError, createAlloy } from '../../src/sdk/index.js';
import { TokenStore } from '../../src/sdk/token.js';
import { fakeJwt, json, type RecordedCall } from './sdk-helpers.js';

const expired = () => json(401, { error: { code: 'token_expired', message: 'The user token has expired.' } });
const ok = () => json(200, { data: [] });

/** A client over a fetch double that answers per token. */
function clientWith(tokens: TokenStore, answer: (token: string, call: number) => Response | Promise<Response>) {
  const calls: RecordedCall[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    calls.push({ url, method: init.method ?? 'GET', headers, body: undefined });
    return answer(headers['x-alloy-user-token']!, calls.length);
  }) as typeof fetch;
  const client = new ApiClient({
    baseUrl: () => 'http://api.test',
    tokens,
    fetch: fetchImpl,
    sleep: async () => undefined,
  });
  return { client, calls };
}

describe('setToken and the token store', () => {
  it('refuses anything that is not a JWT at once with TOKEN_INVALID, never quoting it', () => {
    const alloy = createAlloy();
    const secretish = 'sk_live_this_must_not_leak';
    for (const bad of ['', 'abc', secretish, 'a.b', 'x'.repeat(64 * 1024), 42, null, undefined, {}]) {
      let error: AlloyError | undefined;
      try {
        alloy.setToken(bad as never);
      } catch (e) {
        error = e as AlloyError;
      }
      expect(error, String(bad).slice(0, 20)).to.be.instanceOf(AlloyError);
      expect(error!.code).to.equal('TOKEN_INVALID');
      expect(error!.message).not.to.contain(secretish);
      expect(error!.message.length).to.be.below(200);
    }
    const junk = 'eyJub3Q.anNvbg.c2ln';
    expect(() => alloy.setToken(junk)).to.throw(AlloyError, 'payload is not JSON');
  });

  it('calls the provider lazily, once for concurrent requests, and not again while the token is fresh', async () => {
    const tokens = new TokenStore();
    let calls = 0;
    const token = fakeJwt();
    tokens.set(async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 10));
      return token;
    });
    expect(calls).to.equal(0);
    const { client, calls: requests } = clientWith(tokens, () => ok());
    await Promise.all([client.getIntegrations(), client.getIntegrations(), client.getIntegrations()]);
    await client.getIntegrations();
    expect(calls).to.equal(1);
    expect(requests.map((r) => r.headers['x-alloy-user-token'])).to.deep.equal([token, token, token, token]);
  });

  it('on token_expired: five concurrent 401s share one refresh and each request is replayed once', async () => {
    const tokens = new TokenStore();
    const stale = fakeJwt({ sub: 'stale' });
    const fresh = fakeJwt({ sub: 'fresh' });
    let providerCalls = 0;
    tokens.set(async () => {
      providerCalls += 1;
      await new Promise((r) => setTimeout(r, 10));
      return providerCalls === 1 ? stale : fresh;
    });
    const { client, calls } = clientWith(tokens, (token) => (token === stale ? expired() : ok()));
    const results = await Promise.all(Array.from({ length: 5 }, () => client.getIntegrations()));
    expect(results).to.have.length(5);
    expect(providerCalls).to.equal(2);
    expect(calls.filter((c) => c.headers['x-alloy-user-token'] === stale)).to.have.length(5);
    expect(calls.filter((c) => c.headers['x-alloy-user-token'] === fresh)).to.have.length(5);
  });

  it('a second token_expired after the refresh is TOKEN_EXPIRED: no loop', async () => {
    const tokens = new TokenStore();
    let providerCalls = 0;
    tokens.set(() => {
      providerCalls += 1;
      return fakeJwt({ sub: `t${providerCalls}` });
    });
    const { client, calls } = clientWith(tokens, () => expired());
    const error = (await client.getIntegrations().catch((e: unknown) => e)) as AlloyError;
    expect(error.code).to.equal('TOKEN_EXPIRED');
    expect(calls).to.have.length(2);
    expect(providerCalls).to.equal(2);
  });

  it('without a provider, token_expired is TOKEN_EXPIRED after one request', async () => {
    const tokens = new TokenStore();
    tokens.set(fakeJwt());
    const { client, calls } = clientWith(tokens, () => expired());
    expect(((await client.getIntegrations().catch((e: unknown) => e)) as AlloyError).code).to.equal('TOKEN_EXPIRED');
    expect(calls).to.have.length(1);
  });

  it('a provider that throws, returns a non-token or never answers is TOKEN_REFRESH_FAILED', async () => {
    const cases: [string, () => Promise<string> | string, string][] = [
      ['throws', () => Promise.reject(new Error('backend down')), 'the token provider threw'],
      ['non-string', () => 42 as unknown as string, 'returned a bad token'],
      ['never settles', () => new Promise<string>(() => undefined), 'did not answer within 50 ms'],
    ];
    for (const [name, provider, message] of cases) {
      const tokens = new TokenStore({ providerTimeoutMs: 50 });
      tokens.set(provider);
      const { client, calls } = clientWith(tokens, () => ok());
      const error = (await client.getIntegrations().catch((e: unknown) => e)) as AlloyError;
      expect(error.code, name).to.equal('TOKEN_REFRESH_FAILED');
      expect(error.message, name).to.contain(message);
      expect(calls, name).to.have.length(0);
    }
  });

  it('asks the provider first when the token expires within 60 s (by the local clock)', async () => {
    let now = Date.now();
    const tokens = new TokenStore({ now: () => now });
    const soon = fakeJwt({ exp: Math.floor(now / 1000) + 90, sub: 'soon' });
    const later = fakeJwt({ sub: 'later' });
    let providerCalls = 0;
    tokens.set(() => (++providerCalls === 1 ? soon : later));
    const { client, calls } = clientWith(tokens, () => ok());
    await client.getIntegrations();
    now += 40_000; // 50 s left: inside the refresh window
    await client.getIntegrations();
    expect(providerCalls).to.equal(2);
    expect(calls.map((c) => c.headers['x-alloy-user-token'])).to.deep.equal([soon, later]);
  });

  it('keeps the token fresh while a modal is open, and stops when told', async () => {
    const tokens = new TokenStore();
    let providerCalls = 0;
    // exp in 61 s: the refresh is due (almost) at once.
    tokens.set(() => {
      providerCalls += 1;
      return fakeJwt({ exp: Math.floor(Date.now() / 1000) + 61 });
    });
    await tokens.current();
    const stop = tokens.keepFresh(() => undefined);
    await waitUntil(() => providerCalls === 2, 'refreshed before expiry', { timeout: 4000 });
    stop();
    const calledAtStop = providerCalls;
    await new Promise((r) => setTimeout(r, 1200));
    expect(providerCalls).to.equal(calledAtStop);
  });

  it('a newer setToken wins over a refresh still in flight', async () => {
    const tokens = new TokenStore();
    let release: ((value: string) => void) | undefined;
    tokens.set(() => new Promise<string>((resolve) => (release = resolve)));
    const pending = tokens.current();
    await waitUntil(() => release, 'the provider was called');
    const newer = fakeJwt({ sub: 'newer' });
    tokens.set(newer);
    release!(fakeJwt({ sub: 'older' }));
    await pending;
    expect(await tokens.current()).to.equal(newer);
  });
});
