import { expect } from '@open-wc/testing';
import { ConsoleClient } from '../../../../src/console/api.js';
import { ConsoleApiError } from '../../../../src/console/api-types.js';
import { SIGNED_IN, apiError, fakeFetch } from '../shell/fixtures.js';

const ID = '65a1c0de0000000000000001';
const PATH = `PUT /integrations/${ID}/active`;

async function signedIn(routes: Parameters<typeof fakeFetch>[0]) {
  const fake = fakeFetch({ 'GET /session': { body: SIGNED_IN }, ...routes });
  const client = new ConsoleClient({ fetch: fake.fetch });
  await client.getSession();
  return { client, requests: fake.requests };
}

describe('ConsoleApi.setActive (src/console/api.ts)', () => {
  it('PUTs { active } to /console/api/integrations/:id/active with the CSRF token and the environment', async () => {
    const { client, requests } = await signedIn({ [PATH]: { body: { integrationId: ID, active: false } } });
    expect(await client.api('production').setActive(ID, false)).to.deep.equal({ integrationId: ID, active: false });
    const put = requests[1]!;
    expect([put.method, put.path]).to.deep.equal(['PUT', `/integrations/${ID}/active`]);
    expect(put.headers['x-alloy-csrf']).to.equal('csrf-123');
    expect(put.headers['x-alloy-env']).to.equal('production');
    expect(put.headers['content-type']).to.equal('application/json');
    expect(put.body).to.deep.equal({ active: false });
  });

  it('turns the server’s refusal into a ConsoleApiError, and an answer off the contract into invalid_response', async () => {
    const refused = await signedIn({ [PATH]: apiError(404, 'not_found', 'The integration was not found.') });
    const error = await refused.client
      .api('development')
      .setActive(ID, true)
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ConsoleApiError);
    expect([(error as ConsoleApiError).code, (error as ConsoleApiError).status]).to.deep.equal(['not_found', 404]);

    const odd = await signedIn({ [PATH]: { body: { integrationId: ID, active: 'yes' } } });
    const bad = await odd.client
      .api('development')
      .setActive(ID, true)
      .catch((e: unknown) => e);
    expect((bad as ConsoleApiError).code).to.equal('invalid_response');
  });
});
