import type { Db } from '../server/platform/db/sqlite.js';
import { pkceChallenge, randomCredential, randomId, secretsEqual, sha256Hex } from './crypto.js';
import { EMBEDDED_CLIENT_ID, ensureSandboxSchema, newClientSecret } from './schema.js';
import { OAUTH_SCOPES, type OAuthScope } from './schemas.js';

export const AUTHORIZATION_REQUEST_TTL_MS = 10 * 60_000;
/**
 * Consent requests kept per store. `GET /oauth/authorize` needs no sign-in and stores one request
 * per call, so beyond this the oldest give way (audit issue 13 item 17c); a real visitor answers
 * within minutes, long before a hundred newer requests push theirs out.
 */
export const MAX_AUTHORIZATION_REQUESTS_PER_STORE = 100;
export const AUTHORIZATION_CODE_TTL_MS = 60_000;
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
export const REFRESH_TOKEN_TTL_MS = 90 * 24 * 3600_000;

/** An error answered in RFC 6749 form: `{ error, error_description }`. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error:
      | 'invalid_request'
      | 'invalid_client'
      | 'invalid_grant'
      | 'unauthorized_client'
      | 'unsupported_grant_type'
      | 'invalid_scope',
    readonly description: string,
  ) {
    super(description);
  }
}

export interface OAuthClient {
  clientId: string;
  name: string;
  redirectUris: string[];
}

export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
  /** The store the tokens act on (an extension field, like Slack's `team`). */
  store_id: string;
}

export interface AccessTokenInfo {
  storeId: string;
  clientId: string;
  scopes: ReadonlySet<OAuthScope>;
}

export type ConsentResult =
  | { outcome: 'redirect'; redirectUri: string; params: Record<string, string> }
  | { outcome: 'invalid'; reason: 'unknown' | 'expired' | 'answered' | 'forged' | 'not_owner' };

interface ClientRow {
  client_id: string;
  name: string;
  client_secret: string;
  redirect_uris: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https anywhere, http only on loopback (RFC 8252 §7.3); no fragment (RFC 6749 §3.1.2). */
export function isAllowedRedirectUri(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash !== '' || value.includes('#') || url.username !== '' || url.password !== '') return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

/** Parses a space-separated scope string; undefined when it names anything unknown. */
export function parseScope(value: string): OAuthScope[] | undefined {
  const names = value.split(' ').filter((name) => name !== '');
  if (!names.every((name): name is OAuthScope => (OAUTH_SCOPES as readonly string[]).includes(name))) return undefined;
  return [...new Set(names)];
}

/**
 * Registers an OAuth client of the sandbox store (tests use it for clients with their own redirect
 * URIs). Redirect URIs are matched exactly, character for character.
 */
export function registerOAuthClient(
  db: Db,
  options: { name: string; redirectUris: readonly string[]; clientId?: string },
): OAuthClientCredentials {
  ensureSandboxSchema(db);
  const bad = options.redirectUris.find((uri) => !isAllowedRedirectUri(uri));
  if (bad !== undefined) throw new Error(`Redirect URI not allowed (https, or http on loopback, no fragment): ${bad}`);
  if (options.redirectUris.length === 0) throw new Error('A client needs at least one redirect URI.');
  const clientId = options.clientId ?? randomId('client');
  const clientSecret = newClientSecret();
  db.prepare(
    'INSERT INTO sandbox_oauth_clients (client_id, name, client_secret, redirect_uris, created_at) VALUES (?, ?, ?, ?, ?)',
  ).run(clientId, options.name, clientSecret, JSON.stringify(options.redirectUris), new Date().toISOString());
  return { clientId, clientSecret };
}

/** The Embedded server's own client (`alloy-embedded`): its secret is generated on first start. */
export function getEmbeddedOAuthClient(db: Db): OAuthClientCredentials {
  ensureSandboxSchema(db);
  const row = db
    .prepare('SELECT client_id, client_secret FROM sandbox_oauth_clients WHERE client_id = ?')
    .get(EMBEDDED_CLIENT_ID) as { client_id: string; client_secret: string };
  return { clientId: row.client_id, clientSecret: row.client_secret };
}

/** The authorization server: authorization requests, codes, grants and tokens (stored as SHA-256 digests). */
export class OAuthService {
  constructor(
    private readonly db: Db,
    /** The Embedded server's callback, `${publicUrl}/oauth/callback`, known only at request time. */
    private readonly embeddedRedirectUri: () => string,
  ) {}

  findClient(clientId: string): OAuthClient | undefined {
    const row = this.clientRow(clientId);
    if (!row) return undefined;
    const stored = JSON.parse(row.redirect_uris) as string[];
    const redirectUris = row.client_id === EMBEDDED_CLIENT_ID ? [...stored, this.embeddedRedirectUri()] : stored;
    return { clientId: row.client_id, name: row.name, redirectUris };
  }

  /** The client whose id and secret these are, or undefined. */
  authenticateClient(clientId: string, clientSecret: string): OAuthClient | undefined {
    const row = this.clientRow(clientId);
    if (!row || !secretsEqual(row.client_secret, clientSecret)) return undefined;
    return this.findClient(clientId);
  }

  /** Records a pending consent; the CSRF token goes in the form, the browser secret in a cookie. */
  startAuthorization(input: {
    clientId: string;
    storeId: string;
    redirectUri: string;
    state: string;
    scope: readonly OAuthScope[];
    codeChallenge: string;
  }): { requestId: string; csrfToken: string; browserSecret: string } {
    const now = Date.now();
    const requestId = randomId('authreq');
    const csrfToken = randomCredential('csrf');
    const browserSecret = randomCredential('brw');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM sandbox_oauth_requests WHERE expires_at < ?').run(now - 3600_000);
      this.db
        .prepare(
          `INSERT INTO sandbox_oauth_requests
             (id, client_id, store_id, redirect_uri, state, scope, code_challenge, csrf_hash, browser_hash, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          requestId,
          input.clientId,
          input.storeId,
          input.redirectUri,
          input.state,
          input.scope.join(' '),
          input.codeChallenge,
          sha256Hex(csrfToken),
          sha256Hex(browserSecret),
          now + AUTHORIZATION_REQUEST_TTL_MS,
        );
      this.db
        .prepare(
          `DELETE FROM sandbox_oauth_requests WHERE store_id = ? AND id NOT IN
             (SELECT id FROM sandbox_oauth_requests WHERE store_id = ? ORDER BY expires_at DESC, rowid DESC LIMIT ?)`,
        )
        .run(input.storeId, input.storeId, MAX_AUTHORIZATION_REQUESTS_PER_STORE);
    })();
    return { requestId, csrfToken, browserSecret };
  }

  /**
   * Answers a pending consent once. `invalid` covers an unknown, expired or already answered
   * request and a wrong CSRF token or browser cookie: the page says to start again.
   */
  answerAuthorization(input: {
    requestId: string;
    csrfToken: string;
    browserSecret: string | undefined;
    approve: boolean;
    /** Whether the person answering has signed in as the owner of the store (needed to approve). */
    isOwner: (storeId: string) => boolean;
  }): ConsentResult {
    return this.db.transaction((): ConsentResult => {
      const row = this.db.prepare('SELECT * FROM sandbox_oauth_requests WHERE id = ?').get(input.requestId) as
        | {
            client_id: string;
            store_id: string;
            redirect_uri: string;
            state: string;
            scope: string;
            code_challenge: string;
            csrf_hash: string;
            browser_hash: string;
            expires_at: number;
            answered_at: number | null;
          }
        | undefined;
      if (!row) return { outcome: 'invalid', reason: 'unknown' };
      if (
        !secretsEqual(row.csrf_hash, sha256Hex(input.csrfToken)) ||
        input.browserSecret === undefined ||
        !secretsEqual(row.browser_hash, sha256Hex(input.browserSecret))
      ) {
        return { outcome: 'invalid', reason: 'forged' };
      }
      if (row.answered_at !== null) return { outcome: 'invalid', reason: 'answered' };
      const now = Date.now();
      if (row.expires_at <= now) return { outcome: 'invalid', reason: 'expired' };
      // Naming a shop is not owning it; the request stays open so the owner can still answer it.
      if (input.approve && !input.isOwner(row.store_id)) return { outcome: 'invalid', reason: 'not_owner' };
      this.db.prepare('UPDATE sandbox_oauth_requests SET answered_at = ? WHERE id = ?').run(now, input.requestId);
      if (!input.approve) {
        return {
          outcome: 'redirect',
          redirectUri: row.redirect_uri,
          params: { error: 'access_denied', error_description: 'The store owner denied access.', state: row.state },
        };
      }
      const code = randomCredential('dsac');
      this.db.prepare('DELETE FROM sandbox_oauth_codes WHERE expires_at < ?').run(now - 3600_000);
      this.db
        .prepare(
          `INSERT INTO sandbox_oauth_codes (code_hash, client_id, store_id, redirect_uri, scope, code_challenge, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          sha256Hex(code),
          row.client_id,
          row.store_id,
          row.redirect_uri,
          row.scope,
          row.code_challenge,
          now + AUTHORIZATION_CODE_TTL_MS,
        );
      return { outcome: 'redirect', redirectUri: row.redirect_uri, params: { code, state: row.state } };
    })();
  }

  /**
   * authorization_code grant. A code is burned by its first exchange attempt, successful or not;
   * presenting it again also revokes every token it produced (RFC 6749 §4.1.2).
   */
  exchangeCode(
    client: OAuthClient,
    input: { code: string; redirectUri?: string; codeVerifier?: string },
  ): TokenResponse {
    const result = this.db.transaction((): TokenResponse | OAuthError => {
      const row = this.db
        .prepare('SELECT * FROM sandbox_oauth_codes WHERE code_hash = ?')
        .get(sha256Hex(input.code)) as
        | {
            client_id: string;
            store_id: string;
            redirect_uri: string;
            scope: string;
            code_challenge: string;
            expires_at: number;
            used_at: number | null;
            grant_id: string | null;
          }
        | undefined;
      if (!row || row.client_id !== client.clientId) {
        return new OAuthError(400, 'invalid_grant', 'The authorization code is not valid.');
      }
      const now = Date.now();
      if (row.used_at !== null) {
        if (row.grant_id) this.revokeGrant(row.grant_id);
        return new OAuthError(
          400,
          'invalid_grant',
          'The authorization code was already used; the tokens issued for it are revoked.',
        );
      }
      this.db.prepare('UPDATE sandbox_oauth_codes SET used_at = ? WHERE code_hash = ?').run(now, sha256Hex(input.code));
      if (row.expires_at <= now) return new OAuthError(400, 'invalid_grant', 'The authorization code has expired.');
      if (input.redirectUri !== row.redirect_uri) {
        return new OAuthError(400, 'invalid_grant', 'redirect_uri does not match the one used to get the code.');
      }
      if (input.codeVerifier === undefined) return new OAuthError(400, 'invalid_grant', 'code_verifier is required.');
      if (
        !/^[A-Za-z0-9._~-]{43,128}$/.test(input.codeVerifier) ||
        pkceChallenge(input.codeVerifier) !== row.code_challenge
      ) {
        return new OAuthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge.');
      }
      const grantId = randomId('grant');
      this.db
        .prepare('INSERT INTO sandbox_oauth_grants (id, client_id, store_id, scope, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(grantId, client.clientId, row.store_id, row.scope, new Date(now).toISOString());
      this.db
        .prepare('UPDATE sandbox_oauth_codes SET grant_id = ? WHERE code_hash = ?')
        .run(grantId, sha256Hex(input.code));
      return this.issueTokens(grantId, row.store_id, row.scope, now);
    })();
    if (result instanceof OAuthError) throw result;
    return result;
  }

  /**
   * refresh_token grant with rotation: each refresh token works once. Presenting a used one means
   * it leaked, so the whole grant is revoked (RFC 9700 §4.14.2).
   */
  refresh(client: OAuthClient, input: { refreshToken: string; scope?: string }): TokenResponse {
    const result = this.db.transaction((): TokenResponse | OAuthError => {
      const tokenHash = sha256Hex(input.refreshToken);
      const row = this.db
        .prepare(
          `SELECT t.grant_id, t.scope, t.expires_at, t.used_at, g.client_id, g.store_id, g.revoked_at
           FROM sandbox_oauth_tokens t JOIN sandbox_oauth_grants g ON g.id = t.grant_id
           WHERE t.token_hash = ? AND t.kind = 'refresh'`,
        )
        .get(tokenHash) as
        | {
            grant_id: string;
            scope: string;
            expires_at: number;
            used_at: number | null;
            client_id: string;
            store_id: string;
            revoked_at: string | null;
          }
        | undefined;
      if (!row || row.client_id !== client.clientId) {
        return new OAuthError(400, 'invalid_grant', 'The refresh token is not valid.');
      }
      if (row.revoked_at !== null) return new OAuthError(400, 'invalid_grant', 'The refresh token was revoked.');
      const now = Date.now();
      if (row.used_at !== null) {
        this.revokeGrant(row.grant_id);
        return new OAuthError(
          400,
          'invalid_grant',
          'The refresh token was already used; this authorization is revoked and the user must connect again.',
        );
      }
      if (row.expires_at <= now) return new OAuthError(400, 'invalid_grant', 'The refresh token has expired.');
      let scope = row.scope;
      if (input.scope !== undefined) {
        const requested = parseScope(input.scope);
        const granted = new Set(row.scope.split(' '));
        if (!requested || requested.length === 0 || !requested.every((name) => granted.has(name))) {
          return new OAuthError(400, 'invalid_scope', 'scope may only narrow the scope that was granted.');
        }
        scope = requested.join(' ');
      }
      this.db.prepare('UPDATE sandbox_oauth_tokens SET used_at = ? WHERE token_hash = ?').run(now, tokenHash);
      return this.issueTokens(row.grant_id, row.store_id, scope, now);
    })();
    if (result instanceof OAuthError) throw result;
    return result;
  }

  /** RFC 7009: revoking either token ends the whole authorization. Unknown tokens are not an error. */
  revoke(client: OAuthClient, token: string): void {
    const row = this.db
      .prepare(
        `SELECT t.grant_id, g.client_id FROM sandbox_oauth_tokens t JOIN sandbox_oauth_grants g ON g.id = t.grant_id
         WHERE t.token_hash = ?`,
      )
      .get(sha256Hex(token)) as { grant_id: string; client_id: string } | undefined;
    if (row && row.client_id === client.clientId) this.revokeGrant(row.grant_id);
  }

  /** What a bearer access token may do, `expired`, or undefined when it is unknown or revoked. */
  authenticateAccessToken(token: string): AccessTokenInfo | 'expired' | undefined {
    const row = this.db
      .prepare(
        `SELECT t.scope, t.expires_at, g.client_id, g.store_id, g.revoked_at
         FROM sandbox_oauth_tokens t JOIN sandbox_oauth_grants g ON g.id = t.grant_id
         WHERE t.token_hash = ? AND t.kind = 'access'`,
      )
      .get(sha256Hex(token)) as
      { scope: string; expires_at: number; client_id: string; store_id: string; revoked_at: string | null } | undefined;
    if (!row || row.revoked_at !== null) return undefined;
    if (row.expires_at <= Date.now()) return 'expired';
    return { storeId: row.store_id, clientId: row.client_id, scopes: new Set(parseScope(row.scope) ?? []) };
  }

  private issueTokens(grantId: string, storeId: string, scope: string, now: number): TokenResponse {
    const accessToken = randomCredential('dsat');
    const refreshToken = randomCredential('dsrt');
    const createdAt = new Date(now).toISOString();
    this.db.prepare('DELETE FROM sandbox_oauth_tokens WHERE expires_at < ?').run(now - 24 * 3600_000);
    const insert = this.db.prepare(
      'INSERT INTO sandbox_oauth_tokens (token_hash, kind, grant_id, scope, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    insert.run(sha256Hex(accessToken), 'access', grantId, scope, now + ACCESS_TOKEN_TTL_SECONDS * 1000, createdAt);
    insert.run(sha256Hex(refreshToken), 'refresh', grantId, scope, now + REFRESH_TOKEN_TTL_MS, createdAt);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      refresh_token: refreshToken,
      scope,
      store_id: storeId,
    };
  }

  private revokeGrant(grantId: string): void {
    this.db
      .prepare('UPDATE sandbox_oauth_grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(new Date().toISOString(), grantId);
  }

  private clientRow(clientId: string): ClientRow | undefined {
    return this.db
      .prepare('SELECT client_id, name, client_secret, redirect_uris FROM sandbox_oauth_clients WHERE client_id = ?')
      .get(clientId) as ClientRow | undefined;
  }
}
