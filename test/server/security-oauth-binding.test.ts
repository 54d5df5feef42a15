import { TEST_OWNER_SECRET } from '../helpers/sandbox-owner.js';
import { rawRun } from '../helpers/engine.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApi, type Api } from './support.js';

// Issue 13, item 4: an OAuth session is bound to the browser whose navigation first opened its start
// URL (RFC 9700 §4.7). Another browser can neither start it nor finish it.

/** How long a start URL waits for its first navigation (OAUTH_OPEN_TTL_MS). */
const OAUTH_OPEN_TTL_MS = 2 * 60 * 1000;

let api: Api;

before(async () => {
  api = await startApi();
});

after(async () => {
  await api.server.dispose();
});

const HOST_ORIGIN = 'http://host.example:8080';

const dataAttribute = (html: string, name: string): string | undefined =>
  new RegExp(`data-${name}="([^"]*)"`).exec(html)?.[1];

interface Session {
  sessionId: string;
  authorizeUrl: string;
  state: string;
}

async function newSession(name: string): Promise<{ token: string; userId: string; session: Session }> {
  const userId = await api.createUser(name);
  const token = await api.token(userId);
  const response = await api.call('POST', '/widget/oauth/sessions', {
    token,
    body: { app: 'demoStore', fields: { shop: 'acme-shop' }, origin: HOST_ORIGIN },
  });
  assert.equal(response.statusCode, 201, response.body);
  return { token, userId, session: response.json() as Session };
}

/** One browser: a cookie jar of name=value pairs, as a browser would keep them for our origin. */
class Browser {
  readonly cookies = new Map<string, string>();

  async get(url: string | URL, headers: Record<string, string> = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, { redirect: 'manual', headers: { ...headers, ...(cookie ? { cookie } : {}) } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      if (/Max-Age=0/.test(line)) this.cookies.delete(name!);
      else this.cookies.set(name!, value.join('='));
    }
    return response;
  }

  /** Start URL → provider consent (approve) → the callback URL the provider sends the browser to. */
  async approve(authorizeUrl: string): Promise<URL> {
    const start = await this.get(authorizeUrl);
    assert.equal(start.status, 303, 'the start URL redirects this browser to the provider');
    return consent(new URL(start.headers.get('location')!));
  }
}

/** The provider's consent page, approved (the provider's own CSRF cookie is its business). */
async function consent(providerUrl: URL): Promise<URL> {
  const page = await fetch(providerUrl);
  const html = await page.text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)![1]!;
  const csrfToken = /name="csrf_token" value="([^"]+)"/.exec(html)![1]!;
  const answer = await fetch(api.url('/sandbox/demo-store/oauth/consent'), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: page.headers.get('set-cookie')!.split(';')[0]!,
    },
    body: new URLSearchParams({
      request_id: requestId,
      csrf_token: csrfToken,
      decision: 'approve',
      owner_secret: TEST_OWNER_SECRET,
    }).toString(),
  });
  assert.equal(answer.status, 303);
  return new URL(answer.headers.get('location')!);
}

const sessionView = async (token: string, sessionId: string) =>
  (await api.call('GET', `/widget/oauth/sessions/${sessionId}`, { token })).json() as {
    status: string;
    message?: string;
    credentialId?: string;
  };

const credentialsOf = async (userId: string) =>
  (await api.call('GET', `/users/${userId}/credentials`)).json().data as unknown[];

describe('OAuth sessions are bound to the browser that opened them', () => {
  test('the first navigation sets an HttpOnly, SameSite=Lax, /oauth-scoped cookie (no Secure on http)', async () => {
    const { session } = await newSession('binding-cookie');
    const start = await fetch(session.authorizeUrl, { redirect: 'manual' });
    assert.equal(start.status, 303);
    const [cookie, ...more] = start.headers.getSetCookie();
    assert.equal(more.length, 0);
    assert.match(cookie!, new RegExp(`^alloy_oauth_${session.sessionId}=[A-Za-z0-9_-]{43};`));
    assert.match(cookie!, /; Path=\/oauth;/);
    assert.match(cookie!, /; HttpOnly/);
    assert.match(cookie!, /; SameSite=Lax/);
    assert.doesNotMatch(cookie!, /Secure/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie!)![1]);
    assert.ok(maxAge > 9 * 60 && maxAge <= 10 * 60, `Max-Age ${maxAge} is the session's remaining life`);
  });

  test('a second browser opening the same start URL is refused; the first still connects', async () => {
    const { token, userId, session } = await newSession('binding-second-browser');
    const owner = new Browser();
    const first = await owner.get(session.authorizeUrl);
    assert.equal(first.status, 303);
    const stranger = new Browser();
    const second = await stranger.get(session.authorizeUrl);
    assert.equal(second.status, 403);
    assert.equal(second.headers.getSetCookie().length, 0, 'no cookie for the second browser');
    assert.match(await second.text(), /another browser window/);
    // The owner's popup may come back to the start URL (Back): same browser, same session.
    assert.equal((await owner.get(session.authorizeUrl)).status, 303);
    const back = await consent(new URL(first.headers.get('location')!));
    const done = await owner.get(back);
    assert.equal(done.status, 200);
    assert.equal(dataAttribute(await done.text(), 'status'), 'succeeded');
    assert.equal(owner.cookies.size, 0, 'the callback clears the binding cookie');
    assert.equal((await sessionView(token, session.sessionId)).status, 'succeeded');
    assert.equal((await credentialsOf(userId)).length, 1);
  });

  test('a callback from another browser is refused and leaves the session to its own browser', async () => {
    const { token, userId, session } = await newSession('binding-callback');
    const owner = new Browser();
    const back = await owner.approve(session.authorizeUrl);

    // The callback URL (state + a valid code) in a browser without the cookie, with a wrong cookie
    // value, or with another session's cookie: refused, nothing exchanged, nothing posted.
    const other = await newSession('binding-callback-other');
    const otherBrowser = new Browser();
    await otherBrowser.get(other.session.authorizeUrl);
    const attempts: Browser[] = [new Browser(), otherBrowser];
    const forged = new Browser();
    forged.cookies.set(`alloy_oauth_${session.sessionId}`, 'A'.repeat(43));
    attempts.push(forged);
    for (const browser of attempts) {
      const refused = await browser.get(back);
      assert.equal(refused.status, 403);
      const html = await refused.text();
      assert.equal(dataAttribute(html, 'status'), undefined, 'nothing is posted to the opener');
      assert.equal(dataAttribute(html, 'origin'), undefined);
    }
    assert.equal((await sessionView(token, session.sessionId)).status, 'pending', 'not consumed by refusals');
    assert.deepEqual(await credentialsOf(userId), []);

    // The browser that started it finishes it with the same code.
    const done = await owner.get(back);
    assert.equal(dataAttribute(await done.text(), 'status'), 'succeeded');
    assert.equal((await sessionView(token, session.sessionId)).status, 'succeeded');
    assert.equal((await credentialsOf(userId)).length, 1);
    assert.equal((await sessionView(other.token, other.session.sessionId)).status, 'pending');
  });

  test('a session whose start URL was never opened cannot be finished by a callback', async () => {
    const { token, session } = await newSession('binding-never-opened');
    const refused = await fetch(api.url(`/oauth/callback?code=anything&state=${session.state}`));
    assert.equal(refused.status, 403);
    assert.equal((await sessionView(token, session.sessionId)).status, 'pending');
  });

  test(`an unopened session expires after ${OAUTH_OPEN_TTL_MS / 60_000} minutes; an opened one lives on`, async () => {
    const unopened = await newSession('binding-unopened');
    const opened = await newSession('binding-opened');
    const browser = new Browser();
    assert.equal((await browser.get(opened.session.authorizeUrl)).status, 303);
    const past = new Date(Date.now() - OAUTH_OPEN_TTL_MS - 1000).toISOString();
    for (const { session } of [unopened, opened]) {
      assert.equal(
        await rawRun(api.server, 'UPDATE oauth_sessions SET created_at = ? WHERE id = ?', past, session.sessionId),
        1,
      );
    }
    const view = await sessionView(unopened.token, unopened.session.sessionId);
    assert.equal(view.status, 'expired');
    assert.match(view.message!, /not opened in time/);
    assert.equal((await fetch(unopened.session.authorizeUrl, { redirect: 'manual' })).status, 404);
    assert.equal((await sessionView(opened.token, opened.session.sessionId)).status, 'pending');
    assert.equal((await browser.get(opened.session.authorizeUrl)).status, 303);
  });

  test('a navigation no page started (Sec-Fetch-Site: none) is refused and claims nothing', async () => {
    const { session } = await newSession('binding-typed');
    const typed = new Browser();
    const refused = await typed.get(session.authorizeUrl, { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' });
    assert.equal(refused.status, 404);
    assert.equal(typed.cookies.size, 0);
    const popup = new Browser();
    const started = await popup.get(session.authorizeUrl, {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
    });
    assert.equal(started.status, 303, 'the modal’s popup still claims it');
  });

  test('of 20 browsers opening one start URL at once, exactly one gets the provider', async () => {
    const { session } = await newSession('binding-race');
    const answers = await Promise.all(Array.from({ length: 20 }, () => new Browser().get(session.authorizeUrl)));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [303, ...Array<number>(19).fill(403)]);
  });
});
