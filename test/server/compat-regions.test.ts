import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configFromEnv, parseRegionUrls } from '../../src/server/platform/config.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { Api } from './support.js';

/** setRegion goes only where the operator says: ALLOY_REGION_URLS, served at GET /widget/regions. */

let server: TestServer;
let api: Api;

before(async () => {
  server = await startTestServer({ server: { regionUrls: { eu: 'https://eu.alloy.example' } } });
  api = new Api(server);
});
after(async () => {
  await server.dispose();
});

describe('region base URLs', () => {
  test('ALLOY_REGION_URLS: us/eu, https (http on localhost), each once', () => {
    assert.deepEqual(parseRegionUrls('us=https://us.example.com/, EU=http://localhost:4001'), {
      us: 'https://us.example.com',
      eu: 'http://localhost:4001',
    });
    for (const bad of [
      'apac=https://x.example',
      'us=http://us.example.com',
      'us=https://a.example,us=https://b.example',
      'us',
    ]) {
      assert.equal(parseRegionUrls(bad), undefined, bad);
      assert.throws(() => configFromEnv({ ALLOY_REGION_URLS: bad }, '/tmp'), /ALLOY_REGION_URLS/);
    }
    assert.deepEqual(configFromEnv({}, '/tmp').regionUrls, {}, 'none declared by default');
  });

  test('GET /widget/regions answers the declared ones to a user token', async () => {
    const userId = await api.createUser('region-user');
    const answer = await api.call('GET', '/widget/regions', { token: await api.token(userId) });
    assert.equal(answer.statusCode, 200, answer.body);
    assert.deepEqual(answer.json(), { regions: { eu: 'https://eu.alloy.example' } });
    const withKey = await api.call('GET', '/widget/regions');
    assert.equal(withKey.statusCode, 401);
  });
});
