import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rawRun } from '../helpers/engine.js';
import { INTEGRATION_ID, PREFIX_FIELD, startApi, type Api } from './support.js';

let api: Api;

before(async () => {
  api = await startApi();
});

after(async () => {
  await api.server.dispose();
});

async function linkFor(userId: string, expiresIn = 3600): Promise<string> {
  const response = await api.call(
    'GET',
    `/users/${userId}/integrations/${INTEGRATION_ID}/install-url?expiresIn=${expiresIn}`,
  );
  assert.equal(response.statusCode, 200, response.body);
  return response.json().url;
}

/** Opens the link as a browser would: the redirect, the cookie it sets, the page it lands on. */
async function open(url: string): Promise<{ location: string; cookie: string | undefined; status: number }> {
  const response = await fetch(url, { redirect: 'manual' });
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  return {
    location: new URL(response.headers.get('location')!, url).toString(),
    cookie: response.headers.get('set-cookie') ?? undefined,
    status: response.status,
  };
}

function pageSession(cookie: string, origin = new URL(api.url('/')).origin) {
  return fetch(api.url('/link/session'), { method: 'POST', headers: { cookie, origin } });
}

describe('the Embedded Link page', () => {
  test('opening a link sets an HttpOnly SameSite=Strict session and lands on /link without the token', async () => {
    const userId = await api.createUser('link-opener');
    const url = await linkFor(userId);
    const token = new URL(url).pathname.split('/').pop()!;
    const opened = await open(url);
    assert.equal(opened.location, api.url('/link'));
    assert.ok(!opened.location.includes(token), 'the token is not in the final URL');
    assert.match(
      opened.cookie!,
      /^alloy_link_session=[\w-]{40,}; Path=\/link; Max-Age=\d+; HttpOnly; SameSite=Strict$/,
    );
    assert.ok(!opened.cookie!.includes(token), 'the cookie is not the token');

    const page = await fetch(opened.location);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.match(page.headers.get('content-security-policy')!, /script-src 'self';/);
    assert.match(html, /<script src="\/scripts\/embedded\.js" defer><\/script>/);
    assert.match(html, /<script src="\/link\/link\.js" defer><\/script>/);
    assert.doesNotMatch(html, /<script(?![^>]*src=)/, 'no inline script');
    const script = await fetch(api.url('/link/link.js'));
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type')!, /javascript/);

    const session = await pageSession(opened.cookie!.split(';')[0]!);
    assert.equal(session.status, 200);
    const body = (await session.json()) as { token: string; integrationId: string };
    assert.equal(body.integrationId, INTEGRATION_ID);
    const integration = await api.call('GET', `/widget/integrations/${INTEGRATION_ID}`, { token: body.token });
    assert.equal(integration.statusCode, 200, 'the token is the link user’s');
  });

  test('the session is for the link page only: another origin or no cookie is refused', async () => {
    const opened = await open(await linkFor(await api.createUser('link-cross-site')));
    const cookie = opened.cookie!.split(';')[0]!;
    assert.equal((await pageSession(cookie, 'https://evil.example')).status, 403);
    assert.equal((await fetch(api.url('/link/session'), { method: 'POST', headers: { cookie } })).status, 403);
    assert.equal((await pageSession('alloy_link_session=forged')).status, 410);
    assert.equal((await pageSession('')).status, 410);
  });

  test('use once works, twice fails: an install through the link uses it up', async () => {
    const userId = await api.createUser('link-installer');
    await api.createCredential(userId);
    const url = await linkFor(userId);
    const opened = await open(url);
    const cookie = opened.cookie!.split(';')[0]!;
    const { token } = (await (await pageSession(cookie)).json()) as { token: string };
    const installed = await api.call('POST', '/widget/installations', {
      token,
      body: { integrationId: INTEGRATION_ID, values: [{ ...PREFIX_FIELD, value: 'LK-' }] },
    });
    assert.equal(installed.statusCode, 201, installed.body);

    assert.equal((await pageSession(cookie)).status, 410, 'the page session ended');
    const again = await open(url);
    assert.equal(again.location, api.url('/link/ended/used'));
    assert.equal(again.cookie, undefined);
    const ended = await fetch(again.location);
    assert.equal(ended.status, 410);
    assert.equal(ended.headers.get('referrer-policy'), 'no-referrer');
    const text = await ended.text();
    assert.match(text, /already used/);
    assert.match(text, /Ask the app that sent it for a new install link/);
  });

  test('an expired link fails with a clear page; an unknown one too', async () => {
    const userId = await api.createUser('link-late');
    const url = await linkFor(userId, 60);
    const opened = await open(url);
    await rawRun(
      api.server,
      'UPDATE link_tokens SET expires_at = ? WHERE user_id = ?',
      new Date(Date.now() - 1000).toISOString(),
      userId,
    );
    assert.equal(
      (await pageSession(opened.cookie!.split(';')[0]!)).status,
      410,
      'the open page’s session ends with it',
    );
    const late = await open(url);
    assert.equal(late.location, api.url('/link/ended/expired'));
    const page = await fetch(late.location);
    assert.equal(page.status, 410);
    assert.match(await page.text(), /has expired[\s\S]*new install link/);

    const unknown = await open(api.url('/link/not-a-real-token'));
    assert.equal(unknown.location, api.url('/link/ended/unknown'));
    assert.equal((await fetch(unknown.location)).status, 404);
  });
});

describe('the Embedded Link pages carry the ISV’s brand (ALLOY_BRAND_NAME / ALLOY_BRAND_LOGO_URL)', () => {
  let branded: Api;
  before(async () => {
    branded = await startApi({
      server: { brand: { name: 'AcmeCo <&> "Inc"', logoUrl: 'https://cdn.acme.example/logo.svg?v=1&s=2' } },
    });
  });
  after(async () => {
    await branded.server.dispose();
  });

  test('the link page: title, logo and name, the brand handed to the modal, a styled retry button', async () => {
    const page = await fetch(branded.url('/link'));
    const html = await page.text();
    assert.match(html, /<title>Install an integration · AcmeCo &lt;&amp;&gt; &quot;Inc&quot;<\/title>/);
    assert.match(
      html,
      /<header class="brand"><img src="https:\/\/cdn\.acme\.example\/logo\.svg\?v=1&amp;s=2" alt="" height="32" referrerpolicy="no-referrer"><span>AcmeCo &lt;&amp;&gt; &quot;Inc&quot;<\/span><\/header>/,
    );
    assert.match(html, / data-brand-name="AcmeCo &lt;&amp;&gt; &quot;Inc&quot;"/);
    assert.match(html, / data-brand-logo="https:\/\/cdn\.acme\.example\/logo\.svg\?v=1&amp;s=2"/);
    assert.match(html, /<button type="button" class="button">Open the installation again<\/button>/);
    assert.match(html, /close this page and go back to AcmeCo &lt;&amp;&gt; &quot;Inc&quot;\./);
    assert.match(html, /Ask AcmeCo &lt;&amp;&gt; &quot;Inc&quot; for a new install link\./);
    // The logo's origin, and only it, is added to the images the page may load.
    assert.match(page.headers.get('content-security-policy')!, /img-src 'self' data: https:\/\/cdn\.acme\.example;/);
    const css = await (await fetch(branded.url('/pages/page.css'))).text();
    assert.match(css, /\.button \{/);
    assert.match(css, /\.brand img \{/);
  });

  test('every end state names the ISV too', async () => {
    for (const [reason, status] of [
      ['used', 410],
      ['expired', 410],
      ['unknown', 404],
    ] as const) {
      const page = await fetch(branded.url(`/link/ended/${reason}`));
      assert.equal(page.status, status);
      const html = await page.text();
      assert.match(html, /<title>Install link ended · AcmeCo &lt;&amp;&gt; &quot;Inc&quot;<\/title>/, reason);
      assert.match(html, /<header class="brand"><img src="https:\/\/cdn\.acme\.example\//, reason);
      assert.match(html, /Ask AcmeCo &lt;&amp;&gt; &quot;Inc&quot; for a new install link\./, reason);
    }
  });

  test('without a brand the pages stay neutral and allow no other image origin', async () => {
    const page = await fetch(api.url('/link'));
    const html = await page.text();
    assert.match(html, /<title>Install an integration<\/title>/);
    assert.doesNotMatch(html, /class="brand"|data-brand-/);
    assert.match(page.headers.get('content-security-policy')!, /img-src 'self' data:;/);
    assert.match(await (await fetch(api.url('/link/ended/used'))).text(), /<title>Install link ended<\/title>/);
  });
});
