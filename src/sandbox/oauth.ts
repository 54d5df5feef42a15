import { pkceChallenge, randomCredential, randomId, secretsEqual, sha256Hex } from './crypto.js';
import { inSandboxTransaction, type SandboxConn, type SandboxDatabase } from './db.js';
import * as repo from './oauth-repository.js';
import type { ClientRow } from './oauth-repository.js';
import { EMBEDDED_CLIENT_ID, newClientSecret } from './schema.js';
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
export async function registerOAuthClient(
  database: SandboxDatabase,
  options: { name: string; redirectUris: readonly string[]; clientId?: string },
): Promise<OAuthClientCredentials> {
  const bad = options.redirectUris.find((uri) => !isAllowedRedirectUri(uri));
  if (bad !== undefined) throw new Error(`Redirect URI not allowed (https, or http on loopback, no fragment): ${bad}`);
  if (options.redirectUris.length === 0) throw new Error('A client needs at least one redirect URI.');
  const clientId = options.clientId ?? randomId('client');
  const clientSecret = newClientSecret();
  await repo.insertClient(
    database,
    {
      client_id: clientId,
      name: options.name,
      client_secret: clientSecret,
      redirect_uris: JSON.stringify(options.redirectUris),
      created_at: new Date().toISOString(),
    },
    { ifAbsent: false },
  );
  return { clientId, clientSecret };
}

/** The Embedded server's own client (`alloy-embedded`): its secret is generated on first start. */
export async function getEmbeddedOAuthClient(database: SandboxDatabase): Promise<OAuthClientCredentials> {
  const row = await repo.findClient(database, EMBEDDED_CLIENT_ID);
  if (!row) throw new Error('The sandbox has not been seeded (the Embedded OAuth client is missing).');
  return { clientId: row.client_id, clientSecret: row.client_secret };
}

const invalidGrant = (description: string): OAuthError => new OAuthError(400, 'invalid_grant', description);

/** The authorization server: authorization requests, codes, grants and tokens (stored as SHA-256 digests). */
export class OAuthService {
  constructor(
    private readonly database: SandboxDatabase,
    /** The Embedded server's callback, `${publicUrl}/oauth/callback`, known only at request time. */
    private readonly embeddedRedirectUri: () => string,
  ) {}

  async findClient(clientId: string): Promise<OAuthClient | undefined> {
    const row = await repo.findClient(this.database, clientId);
    return row && this.toClient(row);
  }

  /** The client whose id and secret these are, or undefined. */
  async authenticateClient(clientId: string, clientSecret: string): Promise<OAuthClient | undefined> {
    const row = await repo.findClient(this.database, clientId);
    if (!row || !secretsEqual(row.client_secret, clientSecret)) return undefined;
    return this.toClient(row);
  }

  /** Records a pending consent; the CSRF token goes in the form, the browser secret in a cookie. */
  async startAuthorization(input: {
    clientId: string;
    storeId: string;
    redirectUri: string;
    state: string;
    scope: readonly OAuthScope[];
    codeChallenge: string;
  }): Promise<{ requestId: string; csrfToken: string; browserSecret: string }> {
    const now = Date.now();
    const requestId = randomId('authreq');
    const csrfToken = randomCredential('csrf');
    const browserSecret = randomCredential('brw');
    await inSandboxTransaction(this.database, async (trx) => {
      await repo.deleteRequestsExpiredBefore(trx, now - 3600_000);
      await repo.insertRequest(trx, {
        id: requestId,
        client_id: input.clientId,
        store_id: input.storeId,
        redirect_uri: input.redirectUri,
        state: input.state,
        scope: input.scope.join(' '),
        code_challenge: input.codeChallenge,
        csrf_hash: sha256Hex(csrfToken),
        browser_hash: sha256Hex(browserSecret),
        expires_at: now + AUTHORIZATION_REQUEST_TTL_MS,
        answered_at: null,
      });
      await repo.trimRequests(trx, input.storeId, MAX_AUTHORIZATION_REQUESTS_PER_STORE);
    });
    return { requestId, csrfToken, browserSecret };
  }

  /**
   * Answers a pending consent once. `invalid` covers an unknown, expired or already answered
   * request and a wrong CSRF token or browser cookie: the page says to start again. The answer is
   * claimed with one conditional UPDATE, so two answers at once yield one code.
   */
  async answerAuthorization(input: {
    requestId: string;
    csrfToken: string;
    browserSecret: string | undefined;
    approve: boolean;
    /** Whether the person answering has signed in as the owner of the store (needed to approve). */
    isOwner: (storeId: string) => Promise<boolean>;
  }): Promise<ConsentResult> {
    const row = await repo.findRequest(this.database, input.requestId);
    if (!row) return { outcome: 'invalid', reason: 'unknown' };
    if (
      !secretsEqual(row.csrf_hash, sha256Hex(input.csrfToken)) ||
      input.browserSecret === undefined ||
      !secretsEqual(row.browser_hash, sha256Hex(input.browserSecret))
    ) {
      return { outcome: 'invalid', reason: 'forged' };
    }
    if (row.answered_at !== null) return { outcome: 'invalid', reason: 'answered' };
    if (row.expires_at <= Date.now()) return { outcome: 'invalid', reason: 'expired' };
    // Naming a shop is not owning it; the request stays open so the owner can still answer it.
    if (input.approve && !(await input.isOwner(row.store_id))) return { outcome: 'invalid', reason: 'not_owner' };
    return inSandboxTransaction(this.database, async (trx): Promise<ConsentResult> => {
      const now = Date.now();
      if (!(await repo.claimRequest(trx, input.requestId, now))) {
        return { outcome: 'invalid', reason: row.expires_at <= now ? 'expired' : 'answered' };
      }
      if (!input.approve) {
        return {
          outcome: 'redirect',
          redirectUri: row.redirect_uri,
          params: { error: 'access_denied', error_description: 'The store owner denied access.', state: row.state },
        };
      }
      const code = randomCredential('dsac');
      await repo.deleteCodesExpiredBefore(trx, now - 3600_000);
      await repo.insertCode(trx, {
        code_hash: sha256Hex(code),
        client_id: row.client_id,
        store_id: row.store_id,
        redirect_uri: row.redirect_uri,
        scope: row.scope,
        code_challenge: row.code_challenge,
        expires_at: now + AUTHORIZATION_CODE_TTL_MS,
      });
      return { outcome: 'redirect', redirectUri: row.redirect_uri, params: { code, state: row.state } };
    });
  }

  /**
   * authorization_code grant. A code is burned by its first exchange attempt, successful or not
   * (one conditional UPDATE: of two exchanges at once, one gets the code); presenting it again
   * also revokes every token it produced (RFC 6749 §4.1.2).
   */
  async exchangeCode(
    client: OAuthClient,
    input: { code: string; redirectUri?: string; codeVerifier?: string },
  ): Promise<TokenResponse> {
    const codeHash = sha256Hex(input.code);
    const result = await inSandboxTransaction(this.database, async (trx): Promise<TokenResponse | OAuthError> => {
      const now = Date.now();
      const row = await repo.spendCode(trx, codeHash, client.clientId, now);
      if (!row) {
        const spent = await repo.findCode(trx, codeHash);
        if (!spent || spent.client_id !== client.clientId) return invalidGrant('The authorization code is not valid.');
        if (spent.grant_id) await repo.revokeGrant(trx, spent.grant_id, new Date(now).toISOString());
        return invalidGrant('The authorization code was already used; the tokens issued for it are revoked.');
      }
      if (row.expires_at <= now) return invalidGrant('The authorization code has expired.');
      if (input.redirectUri !== row.redirect_uri) {
        return invalidGrant('redirect_uri does not match the one used to get the code.');
      }
      if (input.codeVerifier === undefined) return invalidGrant('code_verifier is required.');
      if (
        !/^[A-Za-z0-9._~-]{43,128}$/.test(input.codeVerifier) ||
        pkceChallenge(input.codeVerifier) !== row.code_challenge
      ) {
        return invalidGrant('code_verifier does not match the code_challenge.');
      }
      const grantId = randomId('grant');
      await repo.insertGrant(trx, {
        id: grantId,
        client_id: client.clientId,
        store_id: row.store_id,
        scope: row.scope,
        created_at: new Date(now).toISOString(),
      });
      await repo.setCodeGrant(trx, codeHash, grantId);
      return this.issueTokens(trx, grantId, row.store_id, row.scope, now);
    });
    if (result instanceof OAuthError) throw result;
    return result;
  }

  /**
   * refresh_token grant with rotation: each refresh token works once (spent with one conditional
   * UPDATE). Presenting a used one means it leaked, so the whole grant is revoked (RFC 9700 §4.14.2).
   */
  async refresh(client: OAuthClient, input: { refreshToken: string; scope?: string }): Promise<TokenResponse> {
    const tokenHash = sha256Hex(input.refreshToken);
    const result = await inSandboxTransaction(this.database, async (trx): Promise<TokenResponse | OAuthError> => {
      const row = await repo.findTokenWithGrant(trx, tokenHash, 'refresh');
      if (!row || row.client_id !== client.clientId) return invalidGrant('The refresh token is not valid.');
      if (row.revoked_at !== null) return invalidGrant('The refresh token was revoked.');
      const now = Date.now();
      const reused = async (): Promise<OAuthError> => {
        await repo.revokeGrant(trx, row.grant_id, new Date(now).toISOString());
        return invalidGrant(
          'The refresh token was already used; this authorization is revoked and the user must connect again.',
        );
      };
      if (row.used_at !== null) return reused();
      if (row.expires_at <= now) return invalidGrant('The refresh token has expired.');
      let scope = row.scope;
      if (input.scope !== undefined) {
        const requested = parseScope(input.scope);
        const granted = new Set(row.scope.split(' '));
        if (!requested || requested.length === 0 || !requested.every((name) => granted.has(name))) {
          return new OAuthError(400, 'invalid_scope', 'scope may only narrow the scope that was granted.');
        }
        scope = requested.join(' ');
      }
      if (!(await repo.spendRefreshToken(trx, tokenHash, now))) return reused();
      return this.issueTokens(trx, row.grant_id, row.store_id, scope, now);
    });
    if (result instanceof OAuthError) throw result;
    return result;
  }

  /** RFC 7009: revoking either token ends the whole authorization. Unknown tokens are not an error. */
  async revoke(client: OAuthClient, token: string): Promise<void> {
    const row = await repo.findTokenWithGrant(this.database, sha256Hex(token));
    if (row && row.client_id === client.clientId) {
      await repo.revokeGrant(this.database, row.grant_id, new Date().toISOString());
    }
  }

  /** What a bearer access token may do, `expired`, or undefined when it is unknown or revoked. */
  async authenticateAccessToken(token: string): Promise<AccessTokenInfo | 'expired' | undefined> {
    const row = await repo.findTokenWithGrant(this.database, sha256Hex(token), 'access');
    if (!row || row.revoked_at !== null) return undefined;
    if (row.expires_at <= Date.now()) return 'expired';
    return { storeId: row.store_id, clientId: row.client_id, scopes: new Set(parseScope(row.scope) ?? []) };
  }

  private async issueTokens(
    trx: SandboxConn,
    grantId: string,
    storeId: string,
    scope: string,
    now: number,
  ): Promise<TokenResponse> {
    const accessToken = randomCredential('dsat');
    const refreshToken = randomCredential('dsrt');
    const createdAt = new Date(now).toISOString();
    await repo.deleteTokensExpiredBefore(trx, now - 24 * 3600_000);
    await repo.insertTokens(trx, [
      {
        token_hash: sha256Hex(accessToken),
        kind: 'access',
        grant_id: grantId,
        scope,
        expires_at: now + ACCESS_TOKEN_TTL_SECONDS * 1000,
        created_at: createdAt,
      },
      {
        token_hash: sha256Hex(refreshToken),
        kind: 'refresh',
        grant_id: grantId,
        scope,
        expires_at: now + REFRESH_TOKEN_TTL_MS,
        created_at: createdAt,
      },
    ]);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      refresh_token: refreshToken,
      scope,
      store_id: storeId,
    };
  }

  private toClient(row: ClientRow): OAuthClient {
    const stored = JSON.parse(row.redirect_uris) as string[];
    const redirectUris = row.client_id === EMBEDDED_CLIENT_ID ? [...stored, this.embeddedRedirectUri()] : stored;
    return { clientId: row.client_id, name: row.name, redirectUris };
  }
}
