import { expect } from '@open-wc/testing';
import { ApiClient, RETRY_POLICY, parseRetryAfter, retryDelay } from '../../src/sdk/api-client.js';
import { AlloyError } from '../../src/sdk/index.js';
import { TokenStore } from '../../src/sdk/token.js';
import { fakeJwt, hang, json, type RecordedCall } from './sdk-helpers.js';

function client(answer: (call: RecordedCall, init: RequestInit) => Response | Promise<Response>, timeoutMs = 1000) {
  const tokens = new TokenStore();
  tokens.set(fakeJwt());
  const calls: RecordedCall[] = [];
  const sleeps: number[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const call = {
      url,
      method: init.method ?? 'GET',
      headers: init.headers as Record<string, string>,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return answer(call, init);
  }) as typeof fetch;
  const api = new ApiClient({
    baseUrl: () => 'http://api.test',
    tokens,
    fetch: fetchImpl,
    timeoutMs,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { api, calls, sleeps };
}

const codeOf = async (promise: Promise<unknown>): Promise<string> =>
  ((await promise.catch((e: unknown) => e)) as AlloyError).code;

describe('ApiClient', () => {
  it('maps token_expired to TOKEN_EXPIRED and other 401s to TOKEN_INVALID', async () => {
    expect(
      await codeOf(client(() => json(401, { error: { code: 'token_expired', message: 'x' } })).api.getIntegrations()),
    ).to.equal('TOKEN_EXPIRED');
    expect(
      await codeOf(client(() => json(401, { error: { code: 'token_invalid', message: 'x' } })).api.getIntegrations()),
    ).to.equal('TOKEN_INVALID');
  });

  it('names the failed call and the server’s request id (header first, else the 500 body’s)', async () => {
    const notFound = (await client(() =>
      json(404, { error: { code: 'not_found', message: 'No such integration.' } }, { 'x-request-id': 'req-abc-123' }),
    )
      .api.getIntegration('65a1c0de0000000000000001')
      .catch((e: unknown) => e)) as AlloyError;
    expect(notFound.code).to.equal('NOT_FOUND');
    expect(notFound.requestId).to.equal('req-abc-123');
    expect(notFound.request).to.equal('GET /2024-03/widget/integrations/65a1c0de0000000000000001');

    const crashed = (await client(() =>
      json(500, { error: { code: 'internal', message: 'Something went wrong on our side.', requestId: 'body-id-9' } }),
    )
      .api.createInstallation({ integrationId: '65a1c0de0000000000000001', values: [] }, 'key-1')
      .catch((e: unknown) => e)) as AlloyError;
    expect(crashed.requestId).to.equal('body-id-9');
    expect(crashed.request).to.equal('POST /2024-03/widget/installations');

    const offline = (await client(() => Promise.reject(new TypeError('Failed to fetch')))
      .api.getIntegrations()
      .catch((e: unknown) => e)) as AlloyError;
    expect(offline.code).to.equal('NETWORK_ERROR');
    expect(offline.requestId).to.equal(undefined);
    expect(offline.request).to.equal('GET /2024-03/integrations');
  });

  it('turns a wrong shape, an HTML page or truncated JSON with a 200 into BAD_RESPONSE', async () => {
    for (const body of [
      JSON.stringify({ data: [{ integrationId: 1 }] }),
      '<html><body>Captive portal</body></html>',
      '{"data": [',
      '',
    ]) {
      const { api } = client(() => new Response(body, { status: 200 }));
      const error = (await api.getIntegrations().catch((e: unknown) => e)) as AlloyError;
      expect(error.code, body).to.equal('BAD_RESPONSE');
      expect(error.message).to.contain('GET /2024-03/integrations');
    }
  });

  it('retries an idempotent GET on 503 after Retry-After, with full jitter on top', async () => {
    const { api, calls, sleeps } = client((_call) =>
      calls.length === 1
        ? json(503, { error: { code: 'internal', message: 'busy' } }, { 'retry-after': '2' })
        : json(200, { data: [] }),
    );
    expect(await api.getIntegrations()).to.deep.equal({ data: [] });
    expect(calls).to.have.length(2);
    expect(sleeps).to.have.length(1);
    expect(sleeps[0]).to.be.at.least(2000);
    expect(sleeps[0]).to.be.at.most(2000 + RETRY_POLICY.baseDelayMs);
  });

  it('gives up on a refused connection after 3 retries with NETWORK_ERROR, quickly', async () => {
    const { api, calls, sleeps } = client(() => {
      throw new TypeError('Failed to fetch');
    });
    expect(await codeOf(api.getIntegrations())).to.equal('NETWORK_ERROR');
    expect(calls).to.have.length(1 + RETRY_POLICY.maxRetries);
    expect(sleeps.reduce((a, b) => a + b, 0)).to.be.below(1000);
  });

  it('never retries 400, 403, 404 or 422; a 404 is NOT_FOUND', async () => {
    for (const status of [400, 403, 404, 422]) {
      const { api, calls } = client(() => json(status, { error: { code: 'validation_failed', message: 'no' } }));
      expect(await codeOf(api.getIntegrations())).to.equal(status === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED');
      expect(calls, String(status)).to.have.length(1);
    }
  });

  it('carries the server body on the error; a failure without an answer gets the same shape', async () => {
    const body = {
      message: 'The integration was not found.',
      error: { code: 'not_found', message: 'The integration was not found.' },
    };
    const { api } = client(() => json(404, body));
    const error = (await api.getIntegrations().catch((e: unknown) => e)) as AlloyError;
    expect([error.code, error.status, error.serverCode, error.message]).to.deep.equal([
      'NOT_FOUND',
      404,
      'not_found',
      body.message,
    ]);
    expect(error.body).to.deep.equal(body);
    // An older server without the top-level message: the body still has one.
    const { api: older } = client(() => json(409, { error: { code: 'conflict', message: 'Taken.' } }));
    const olderError = (await older.getIntegrations().catch((e: unknown) => e)) as AlloyError;
    expect(olderError.body).to.deep.equal({ message: 'Taken.', error: { code: 'conflict', message: 'Taken.' } });
    const offline = new AlloyError('NETWORK_ERROR', 'Could not reach the Alloy API.');
    expect(offline.body).to.deep.equal({
      message: 'Could not reach the Alloy API.',
      error: { code: 'NETWORK_ERROR', message: 'Could not reach the Alloy API.' },
    });
  });

  it('retries a POST only when it carries an Idempotency-Key, with the same key', async () => {
    const installation = { installationId: 'a'.repeat(24), integrationId: 'b'.repeat(24), workflowIds: [] };
    const flaky = () => {
      let n = 0;
      return () =>
        ++n === 1 ? json(502, { error: { code: 'internal', message: 'bad gateway' } }) : json(201, installation);
    };
    const keyed = client(flaky());
    expect(await keyed.api.createInstallation({ integrationId: 'b'.repeat(24), values: [] }, 'key-1')).to.deep.equal(
      installation,
    );
    expect(keyed.calls.map((c) => c.headers['idempotency-key'])).to.deep.equal(['key-1', 'key-1']);

    const unkeyed = client(flaky());
    const error = await unkeyed.api
      .request(
        'POST',
        '/widget/installations',
        { safeParse: () => ({ success: true as const, data: 1 }) },
        { body: {} },
      )
      .catch((e: unknown) => e);
    expect((error as AlloyError).code).to.equal('SERVER_ERROR');
    expect(unkeyed.calls).to.have.length(1);
  });

  it('does not wait for a Retry-After beyond 10 s: RATE_LIMITED with retryAfterMs', async () => {
    const { api, calls } = client(() =>
      json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '120' }),
    );
    const error = (await api.getIntegrations().catch((e: unknown) => e)) as AlloyError;
    expect(error.code).to.equal('RATE_LIMITED');
    expect(error.retryAfterMs).to.equal(120_000);
    expect(calls).to.have.length(1);
  });

  it('keeps to the AWS capped full-jitter formula', () => {
    expect(retryDelay(0, undefined, () => 0.999)).to.be.below(RETRY_POLICY.baseDelayMs);
    expect(retryDelay(10, undefined, () => 0.999)).to.be.below(RETRY_POLICY.maxDelayMs);
    expect(retryDelay(2, undefined, () => 0)).to.equal(0);
    expect(retryDelay(0, 3000, () => 0)).to.equal(3000);
    expect(retryDelay(0, 11_000, () => 0)).to.equal(undefined);
    expect(parseRetryAfter('3')).to.equal(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString(), Date.now())).to.be.within(3000, 5000);
    expect(parseRetryAfter('soon')).to.equal(undefined);
  });

  it('gives up on a hanging API with TIMEOUT and does not retry it', async () => {
    const { api, calls } = client(hang, 100);
    const error = (await api.getIntegrations().catch((e: unknown) => e)) as AlloyError;
    expect(error.code).to.equal('TIMEOUT');
    expect(error.message).to.contain('did not answer GET /2024-03/integrations within 0.1 s');
    expect(calls).to.have.length(1);
  });

  it("passes the caller's abort through untouched (the modal ignores it)", async () => {
    const { api } = client(hang, 5000);
    const controller = new AbortController();
    const pending = api.getIntegration('65a1c0de0000000000000001', controller.signal).catch((e: unknown) => e);
    controller.abort(new DOMException('closed', 'AbortError'));
    const error = (await pending) as DOMException;
    expect(error.name).to.equal('AbortError');
  });

  it('sends JSON with the token header, no cookies and no referrer', async () => {
    let seen: RequestInit | undefined;
    const { api, calls } = client((_call, init) => {
      seen = init;
      return json(200, { deactivated: true });
    });
    await api.deactivateWorkflow({ workflowId: 'w' });
    expect(calls[0]!.headers['content-type']).to.equal('application/json');
    expect(calls[0]!.headers['x-alloy-user-token']).to.match(/^ey/);
    expect(seen!.credentials).to.equal('omit');
    expect(seen!.referrerPolicy).to.equal('no-referrer');
  });

  it('keeps the server issues on a 400', async () => {
    const { api } = client(() =>
      json(400, {
        error: { code: 'validation_failed', message: 'Bad', issues: [{ path: ['values', 0], message: 'x' }] },
      }),
    );
    const error = (await api.getIntegrations().catch((e: unknown) => e)) as AlloyError;
    expect(error.code).to.equal('VALIDATION_FAILED');
    expect(error.serverCode).to.equal('validation_failed');
    expect(error.issues).to.deep.equal([{ path: ['values', 0], message: 'x' }]);
  });
});
