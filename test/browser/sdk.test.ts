import { expect, waitUntil } from '@open-wc/testing';
import { ApiClient } from '../../src/sdk/api-client.js';
import { AlloyError, createAlloy } from '../../src/sdk/index.js';

/** Replaces window.fetch for one test and records every call. */
function stubFetch(handler: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const original = window.fetch;
  const calls: { url: string; init: RequestInit }[] = [];
  window.fetch = (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    calls.push({ url: String(input), init });
    return handler(String(input), init);
  }) as typeof fetch;
  return { calls, restore: () => (window.fetch = original) };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('Alloy SDK facade', () => {
  afterEach(() => document.querySelectorAll('alloy-install-modal').forEach((e) => e.remove()));

  it('rejects install without a token with TOKEN_MISSING and makes no request', async () => {
    const fetches = stubFetch(() => json(200, {}));
    try {
      const alloy = createAlloy({ baseUrl: 'http://api.test' });
      const error = await alloy.install({ integrationId: 'abc' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(AlloyError);
      expect((error as AlloyError).code).to.equal('TOKEN_MISSING');
      expect(fetches.calls).to.have.length(0);
      expect(document.querySelector('alloy-install-modal')).to.equal(null);
    } finally {
      fetches.restore();
    }
  });

  it('calls the callback with success false when it fails, and does not leave an unhandled rejection', async () => {
    const alloy = createAlloy({ baseUrl: 'http://api.test' });
    const results: unknown[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (e: PromiseRejectionEvent) => unhandled.push(e.reason);
    window.addEventListener('unhandledrejection', onUnhandled);
    try {
      void alloy.install({ integrationId: 'abc', callback: (r) => results.push(r) });
      await waitUntil(() => results.length === 1);
      await new Promise((r) => setTimeout(r, 50));
      expect(results[0]).to.deep.equal({ success: false, reason: 'error' });
      expect(unhandled).to.have.length(0);
    } finally {
      window.removeEventListener('unhandledrejection', onUnhandled);
    }
  });

  it('says which option is missing when install({}) is called', async () => {
    const alloy = createAlloy();
    alloy.setToken('a.b.c');
    const error = (await alloy.install({} as never).catch((e: unknown) => e)) as AlloyError;
    expect(error.code).to.equal('VALIDATION_FAILED');
    expect(error.message).to.contain('integrationId');
  });

  it('opens the modal with the token in a header, never in the URL', async () => {
    const fetches = stubFetch(() =>
      json(404, { error: { code: 'not_found', message: 'The integration was not found.' } }),
    );
    try {
      const alloy = createAlloy({ baseUrl: 'http://api.test' });
      alloy.setToken('header.payload.signature');
      const outcome = alloy.install({ integrationId: '65a1c0de0000000000000001' });
      await waitUntil(() => fetches.calls.length === 1);
      const call = fetches.calls[0]!;
      expect(call.url).to.equal('http://api.test/2024-03/widget/integrations/65a1c0de0000000000000001');
      expect(call.url).not.to.contain('header.payload');
      expect((call.init.headers as Record<string, string>)['x-alloy-user-token']).to.equal('header.payload.signature');
      const modal = document.querySelector('alloy-install-modal')!;
      await waitUntil(() => modal.shadowRoot!.querySelector('.error'));
      expect(modal.shadowRoot!.querySelector('.error')!.textContent).to.contain('The integration was not found.');
      modal.close();
      expect(await outcome).to.deep.equal({ success: false, reason: 'api' });
      expect(document.querySelector('alloy-install-modal')).to.equal(null);
    } finally {
      fetches.restore();
    }
  });

  it('rejects a second install while the modal is open with ALREADY_OPEN', async () => {
    const fetches = stubFetch(() => new Promise<Response>(() => undefined));
    try {
      const alloy = createAlloy({ baseUrl: 'http://api.test' });
      alloy.setToken('a.b.c');
      const first = alloy.install({ integrationId: '65a1c0de0000000000000001' });
      await waitUntil(() => document.querySelector('alloy-install-modal'));
      const second = (await alloy
        .install({ integrationId: '65a1c0de0000000000000001' })
        .catch((e: unknown) => e)) as AlloyError;
      expect(second.code).to.equal('ALREADY_OPEN');
      expect(document.querySelectorAll('alloy-install-modal')).to.have.length(1);
      document.querySelector('alloy-install-modal')!.close();
      await first;
    } finally {
      fetches.restore();
    }
  });
});

describe('ApiClient', () => {
  const client = (fetchImpl: typeof fetch, timeoutMs = 1000) =>
    new ApiClient({ baseUrl: () => 'http://api.test', token: () => 't.o.k', fetch: fetchImpl, timeoutMs });

  it('maps a token_expired 401 to TOKEN_EXPIRED and other 401s to TOKEN_INVALID', async () => {
    const expired = client(async () => json(401, { error: { code: 'token_expired', message: 'expired' } }));
    expect(((await expired.getIntegrations().catch((e: unknown) => e)) as AlloyError).code).to.equal('TOKEN_EXPIRED');
    const invalid = client(async () => json(401, { error: { code: 'token_invalid', message: 'bad' } }));
    expect(((await invalid.getIntegrations().catch((e: unknown) => e)) as AlloyError).code).to.equal('TOKEN_INVALID');
  });

  it('turns a malformed success body into BAD_RESPONSE', async () => {
    const c = client(async () => json(200, { data: [{ integrationId: 1 }] }));
    expect(((await c.getIntegrations().catch((e: unknown) => e)) as AlloyError).code).to.equal('BAD_RESPONSE');
  });

  it('turns an HTML error page into SERVER_ERROR and a refused connection into NETWORK_ERROR', async () => {
    const html = client(async () => new Response('<html>oops</html>', { status: 502 }));
    expect(((await html.getIntegrations().catch((e: unknown) => e)) as AlloyError).code).to.equal('SERVER_ERROR');
    const refused = client(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(((await refused.getIntegrations().catch((e: unknown) => e)) as AlloyError).code).to.equal('NETWORK_ERROR');
  });

  it('gives up on a hanging API with TIMEOUT', async () => {
    const hanging = client(
      (_url, init) =>
        new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason))),
      100,
    );
    const error = (await hanging.getIntegrations().catch((e: unknown) => e)) as AlloyError;
    expect(error.code).to.equal('TIMEOUT');
  });

  it('passes the server issues through on a 400', async () => {
    const c = client(async () =>
      json(400, {
        error: { code: 'validation_failed', message: 'Bad', issues: [{ path: ['values', 0], message: 'x' }] },
      }),
    );
    const error = (await c.getIntegrations().catch((e: unknown) => e)) as AlloyError;
    expect(error.code).to.equal('VALIDATION_FAILED');
    expect(error.issues).to.deep.equal([{ path: ['values', 0], message: 'x' }]);
  });
});
