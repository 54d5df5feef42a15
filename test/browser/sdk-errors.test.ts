import { expect } from '@open-wc/testing';
import { ALLOY_ERROR_CODES, AlloyError, isAlloyError } from '../../src/sdk/index.js';

describe('AlloyError', () => {
  it('has one stable code list', () => {
    expect([...ALLOY_ERROR_CODES]).to.deep.equal([
      'TOKEN_MISSING',
      'TOKEN_INVALID',
      'TOKEN_EXPIRED',
      'TOKEN_REFRESH_FAILED',
      'NETWORK_ERROR',
      'TIMEOUT',
      'RATE_LIMITED',
      'SERVER_ERROR',
      'BAD_RESPONSE',
      'VALIDATION_FAILED',
      'NOT_FOUND',
      'POPUP_BLOCKED',
      'OAUTH_CANCELLED',
      'ALREADY_OPEN',
      'USER_CANCELLED',
      'LOAD_FAILED',
    ]);
  });

  it('is an Error with code, status, server code, issues and cause', () => {
    const cause = new TypeError('Failed to fetch');
    const error = new AlloyError('SERVER_ERROR', 'down', {
      status: 503,
      serverCode: 'internal',
      retryAfterMs: 2000,
      cause,
    });
    expect(error).to.be.instanceOf(Error);
    expect(error.name).to.equal('AlloyError');
    expect(error.code).to.equal('SERVER_ERROR');
    expect(error.status).to.equal(503);
    expect(error.serverCode).to.equal('internal');
    expect(error.retryAfterMs).to.equal(2000);
    expect(error.cause).to.equal(cause);
    expect(isAlloyError(error)).to.equal(true);
    expect(isAlloyError(new Error('x'))).to.equal(false);
  });

  it('is recognised across copies of the SDK (the CDN loader and runtime are bundled apart)', () => {
    // A class from another bundle: same brand, different constructor.
    class OtherCopyError extends Error {
      constructor() {
        super('from another copy');
        Object.defineProperty(this, Symbol.for('alloy-embedded.AlloyError'), { value: true });
      }
    }
    expect(new OtherCopyError()).to.be.instanceOf(AlloyError);
    expect({}).not.to.be.instanceOf(AlloyError);
    expect(null).not.to.be.instanceOf(AlloyError);
  });
});
