import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { OAuthSessionStatus, OAuthSessionView } from '../../contract/index.js';
import type { Connector, CredentialData, OAuth2Auth } from './connectors/index.js';
import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import { DomainError, notFound } from '../platform/errors.js';
import { isSealedText, openText, sealText, type SecretBox } from '../platform/encryption.js';
import { newId } from '../platform/ids.js';
import { getEmbeddedOAuthClient } from '../../sandbox/index.js';
import type { OutboundHttp, OutboundResponse } from '../platform/outbound-http.js';
import type { CredentialService } from './credentials.js';

/** How long the user has between opening the popup and coming back from the provider. */
export const OAUTH_SESSION_TTL_MS = 10 * 60 * 1000;
/**
 * How long a session may wait for its popup's first navigation. The modal navigates the popup right
 * after creating the session, so seconds would do; a start URL nobody opened is dead soon after, which
 * narrows the window in which a session owner could get someone else to open it.
 */
export const OAUTH_OPEN_TTL_MS = 2 * 60 * 1000;
/** Refresh an access token this long before it expires, so a run never starts with a dying token. */
export const REFRESH_MARGIN_MS = 60 * 1000;
const TOKEN_TIMEOUT_MS = 10_000;
const verifierAad = (sessionId: string): string => `oauth_sessions:${sessionId}:code_verifier`;

/** Seals the PKCE verifiers an older version stored in plaintext (pending sessions); returns how many. */
export function sealLegacyVerifiers(db: Db, box: SecretBox): number {
  const rows = db
    .prepare(
      "SELECT id, code_verifier FROM oauth_sessions WHERE code_verifier != '' AND code_verifier NOT LIKE 'sealed:%'",
    )
    .all() as { id: string; code_verifier: string }[];
  const update = db.prepare('UPDATE oauth_sessions SET code_verifier = ? WHERE id = ?');
  for (const row of rows) update.run(sealText(box, row.code_verifier, verifierAad(row.id)), row.id);
  return rows.length;
}

/** A claimed session's state is replaced (the column is unique), so it cannot be used again. */
const USED_STATE_PREFIX = 'used:';

interface SessionRow {
  id: string;
  user_id: string;
  connector: string;
  origin: string;
  state: string;
  code_verifier: string;
  fields: string;
  status: OAuthSessionStatus;
  credential_id: string | null;
  message: string | null;
  created_at: string;
  expires_at: string;
  /** SHA-256 of the browser-binding cookie set by the first navigation to the start URL; null until then. */
  browser_hash: string | null;
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Whether the browser's cookie value is the one the session was bound to (constant time). */
function sameBrowser(proof: string | undefined, browserHash: string | null): boolean {
  if (proof === undefined || browserHash === null) return false;
  const given = Buffer.from(sha256(proof), 'hex');
  const expected = Buffer.from(browserHash, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The name of the cookie binding one session to the browser that opened its start URL. */
export const oauthBrowserCookie = (sessionId: string): string => `alloy_oauth_${sessionId}`;

/** What opening a start URL gets: the provider's URL (and a new binding for the first browser), or a refusal. */
export type StartClaim =
  { ok: true; authorizeUrl: string; browserProof?: string } | { ok: false; reason: 'ended' | 'other_browser' };

/** What a callback gets: the outcome to show, or why nothing happened. */
export type CallbackResult =
  { ok: true; outcome: CallbackOutcome } | { ok: false; reason: 'unknown' | 'other_browser' };

/** What the callback did, for its page: where to post and what. */
export interface CallbackOutcome {
  sessionId: string;
  origin: string;
  state: string;
  status: OAuthSessionStatus;
}

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  store_id?: string;
}

/** An OAuth failure from the provider: `invalid_grant` means the user must connect again. */
export class OAuthTokenError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Our side of OAuth 2 (authorization code + PKCE S256) for connectors with an OAuth variant: the
 * modal's sessions, the code exchange and refresh. Verifiers, codes and tokens stay on the server;
 * the browser only ever sees the session id and its one-time state.
 */
export class OAuthClientFlow {
  private readonly refreshing = new Map<string, Promise<CredentialData>>();

  constructor(
    private readonly db: Db,
    private readonly credentials: CredentialService,
    private readonly publicUrl: () => string,
    /** The process's guarded client; the token endpoint is a path on this server (the sandbox). */
    private readonly http: OutboundHttp,
    /** Seals the PKCE verifiers, which are as good as the code they protect. */
    private readonly box: SecretBox,
  ) {}

  redirectUri(): string {
    return `${this.publicUrl()}/oauth/callback`;
  }

  /** Starts a session for the modal's popup; `fields` are the connector's pre-OAuth fields, checked. */
  createSession(
    userId: string,
    connector: Connector & { oauth: OAuth2Auth },
    fields: Record<string, string>,
    origin: string,
    now = Date.now(),
  ): { sessionId: string; state: string; expiresAt: string } {
    const sessionId = newId();
    const state = randomBytes(32).toString('base64url');
    const verifier = randomBytes(48).toString('base64url');
    const expiresAt = new Date(now + OAUTH_SESSION_TTL_MS).toISOString();
    this.db
      .prepare(
        `INSERT INTO oauth_sessions (id, user_id, connector, origin, state, code_verifier, fields, status, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(
        sessionId,
        userId,
        connector.id,
        origin,
        state,
        sealText(this.box, verifier, verifierAad(sessionId)),
        JSON.stringify(fields),
        new Date(now).toISOString(),
        expiresAt,
      );
    return { sessionId, state, expiresAt };
  }

  /** The session's PKCE verifier (plaintext in a row an older version wrote, until it is sealed on start). */
  private verifier(row: SessionRow): string {
    return isSealedText(row.code_verifier)
      ? openText(this.box, row.code_verifier, verifierAad(row.id))
      : row.code_verifier;
  }

  private row(sessionId: string): SessionRow | undefined {
    return this.db.prepare('SELECT * FROM oauth_sessions WHERE id = ?').get(sessionId) as SessionRow | undefined;
  }

  /** What the modal polls; another user's session is a 404. */
  view(userId: string, sessionId: string, now = nowIso()): OAuthSessionView {
    const row = this.row(sessionId);
    if (!row || row.user_id !== userId) throw notFound('The OAuth session');
    const status = row.status === 'pending' && this.expired(row, now) ? 'expired' : row.status;
    const credential =
      row.credential_id === null
        ? undefined
        : this.credentials.list(userId).find((c) => c.credentialId === row.credential_id);
    return {
      sessionId,
      status,
      ...(credential ? { credentialId: credential.credentialId, name: credential.name } : {}),
      ...(row.message !== null
        ? { message: row.message }
        : status === 'expired'
          ? { message: expiredMessage(row) }
          : {}),
    };
  }

  /** A pending session is over at its deadline, or earlier when its start URL was never opened. */
  private expired(row: SessionRow, now: string): boolean {
    if (row.expires_at <= now) return true;
    return row.browser_hash === null && openDeadline(row) <= now;
  }

  /**
   * Opens a pending session's start URL in a browser. The first navigation claims the session for
   * its browser: it gets a new random proof (the route sets it as an HttpOnly cookie) whose hash is
   * stored, in one conditional UPDATE so two browsers racing cannot both win. The same browser (its
   * cookie matches) may open it again, e.g. after Back; any other browser is refused. Unknown,
   * finished, expired or never-opened-in-time sessions have ended.
   */
  claimStart(
    sessionId: string,
    connector: Connector & { oauth: OAuth2Auth },
    browserProof: string | undefined,
    now = Date.now(),
  ): StartClaim {
    const nowText = new Date(now).toISOString();
    const row = this.row(sessionId);
    if (!row || row.status !== 'pending' || row.connector !== connector.id || row.state.startsWith(USED_STATE_PREFIX)) {
      return { ok: false, reason: 'ended' };
    }
    if (this.expired(row, nowText)) return { ok: false, reason: 'ended' };
    if (row.browser_hash !== null) {
      return sameBrowser(browserProof, row.browser_hash)
        ? { ok: true, authorizeUrl: this.providerUrl(row, connector) }
        : { ok: false, reason: 'other_browser' };
    }
    const proof = randomBytes(32).toString('base64url');
    const claimed = this.db
      .prepare(
        "UPDATE oauth_sessions SET browser_hash = ?, started_at = ? WHERE id = ? AND browser_hash IS NULL AND status = 'pending'",
      )
      .run(sha256(proof), nowText, sessionId).changes;
    if (claimed !== 1) return { ok: false, reason: 'other_browser' };
    return { ok: true, authorizeUrl: this.providerUrl(row, connector), browserProof: proof };
  }

  private providerUrl(row: SessionRow, connector: Connector & { oauth: OAuth2Auth }): string {
    const fields = JSON.parse(row.fields) as Record<string, string>;
    const challenge = createHash('sha256').update(this.verifier(row)).digest('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: connector.oauth.clientId,
      redirect_uri: this.redirectUri(),
      state: row.state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: connector.oauth.scopes.join(' '),
      ...fields,
    });
    return `${this.publicUrl()}${connector.oauth.authorizePath}?${query.toString()}`;
  }

  /** The session's remaining lifetime in whole seconds (at least 1), for the binding cookie's Max-Age. */
  secondsLeft(sessionId: string, now = Date.now()): number {
    const row = this.row(sessionId);
    return row ? Math.max(1, Math.floor((Date.parse(row.expires_at) - now) / 1000)) : 1;
  }

  /**
   * Finishes the session the state belongs to, once: a code is exchanged and the credential
   * stored; `error` marks it cancelled (access_denied) or failed. Unknown or used states → `unknown`.
   * Only the browser that opened the start URL may finish it (`browserProof(sessionId)` is its
   * cookie): any other callback is refused and changes nothing, so a forged or stolen callback URL
   * can neither attach another account nor spoil the real user's attempt.
   */
  async complete(
    input: {
      state: string;
      code?: string | undefined;
      error?: string | undefined;
      errorDescription?: string | undefined;
      browserProof: (sessionId: string) => string | undefined;
    },
    findOAuthConnector: (id: string) => (Connector & { oauth: OAuth2Auth }) | undefined,
    testCredential: (connector: Connector, data: CredentialData) => Promise<void>,
  ): Promise<CallbackResult> {
    const now = nowIso();
    // Claim the session by retiring its state, so a replayed or concurrent callback finds nothing;
    // it stays `pending` (what a poll should see) until the exchange is over.
    const claimed = this.db.transaction((): SessionRow | 'unknown' | 'other_browser' => {
      const found = this.db
        .prepare("SELECT * FROM oauth_sessions WHERE state = ? AND status = 'pending'")
        .get(input.state) as SessionRow | undefined;
      if (!found) return 'unknown';
      if (!sameBrowser(input.browserProof(found.id), found.browser_hash)) return 'other_browser';
      this.db
        .prepare('UPDATE oauth_sessions SET state = ? WHERE id = ?')
        .run(`${USED_STATE_PREFIX}${found.id}`, found.id);
      return found;
    })();
    if (typeof claimed === 'string') return { ok: false, reason: claimed };
    const row = claimed;
    const finish = (status: OAuthSessionStatus, message: string | null, credentialId: string | null = null) => {
      this.db
        .prepare(
          'UPDATE oauth_sessions SET status = ?, message = ?, credential_id = ?, completed_at = ?, code_verifier = ? WHERE id = ?',
        )
        .run(status, message, credentialId, nowIso(), '', row.id);
      return { ok: true as const, outcome: { sessionId: row.id, origin: row.origin, state: input.state, status } };
    };
    if (this.expired(row, now)) return finish('expired', expiredMessage(row));
    const connector = findOAuthConnector(row.connector);
    if (!connector) return finish('failed', 'This app no longer connects with OAuth.');
    if (input.error !== undefined || input.code === undefined) {
      if (input.error === 'access_denied') return finish('cancelled', 'You cancelled the connection.');
      return finish(
        'failed',
        `${connector.displayName} refused the connection: ${input.errorDescription ?? input.error ?? 'no code'}.`,
      );
    }
    let data: Record<string, string>;
    try {
      const tokens = await this.tokenRequest(connector.oauth, {
        grant_type: 'authorization_code',
        code: input.code,
        redirect_uri: this.redirectUri(),
        code_verifier: this.verifier(row),
      });
      data = { ...(JSON.parse(row.fields) as Record<string, string>), ...credentialData(tokens) };
      await testCredential(connector, data);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return finish('failed', `${connector.displayName} could not be connected: ${reason}`);
    }
    const credentialId = this.credentials.save(row.user_id, { connector, data });
    return finish('succeeded', null, credentialId);
  }

  /**
   * The credential's data with an access token valid for at least a minute, refreshing (and
   * storing the rotated tokens) when needed. One refresh per credential at a time: the provider
   * rotates refresh tokens and treats a reused one as theft.
   */
  async fresh(
    userId: string,
    credentialId: string,
    connector: Connector,
    data: CredentialData,
  ): Promise<CredentialData> {
    if (!connector.oauth || !data.accessToken || !data.refreshToken || !data.expiresAt) return data;
    if (Date.parse(data.expiresAt) - Date.now() > REFRESH_MARGIN_MS) return data;
    const pending = this.refreshing.get(credentialId);
    if (pending) return pending;
    const oauth = connector.oauth;
    const refresh = (async () => {
      // Another process (or an earlier call) may have refreshed already.
      const current = this.credentials.reveal(userId, credentialId);
      if (current.expiresAt && Date.parse(current.expiresAt) - Date.now() > REFRESH_MARGIN_MS) return current;
      const tokens = await this.tokenRequest(oauth, {
        grant_type: 'refresh_token',
        refresh_token: current.refreshToken ?? '',
      });
      const next = { ...current, ...credentialData(tokens) };
      this.credentials.replaceData(userId, credentialId, next);
      return next;
    })();
    this.refreshing.set(credentialId, refresh);
    try {
      return await refresh;
    } finally {
      this.refreshing.delete(credentialId);
    }
  }

  private async tokenRequest(oauth: OAuth2Auth, fields: Record<string, string>): Promise<TokenAnswer> {
    const client = getEmbeddedOAuthClient(this.db);
    const basic = Buffer.from(
      `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`,
    ).toString('base64');
    let response: OutboundResponse;
    try {
      response = await this.http.send(
        {
          method: 'POST',
          url: `${this.publicUrl()}${oauth.tokenPath}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
          body: new URLSearchParams(fields).toString(),
          timeoutMs: TOKEN_TIMEOUT_MS,
        },
        // The connector's token endpoint, exactly; it is the only path of this server this call may reach.
        { ownPathPrefixes: [oauth.tokenPath] },
      );
    } catch (error) {
      throw new OAuthTokenError('unreachable', `the token endpoint could not be reached (${(error as Error).message})`);
    }
    let body: (TokenAnswer & { error?: string; error_description?: string }) | null = null;
    try {
      body = JSON.parse(response.body) as TokenAnswer & { error?: string; error_description?: string };
    } catch {
      body = null;
    }
    const ok = response.status >= 200 && response.status < 300;
    if (!ok || !body || typeof body.access_token !== 'string') {
      throw new OAuthTokenError(
        body?.error ?? 'invalid_response',
        body?.error_description ?? `the token endpoint answered ${response.status}`,
      );
    }
    return body;
  }
}

/** When a session nobody has opened yet ends. */
const openDeadline = (row: Pick<SessionRow, 'created_at'>): string =>
  new Date(Date.parse(row.created_at) + OAUTH_OPEN_TTL_MS).toISOString();

const expiredMessage = (row: Pick<SessionRow, 'browser_hash'>): string =>
  row.browser_hash === null
    ? 'The connection window was not opened in time; start again.'
    : 'The connection took longer than 10 minutes; start again.';

function credentialData(tokens: TokenAnswer): Record<string, string> {
  return {
    accessToken: tokens.access_token,
    ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}),
    expiresAt: new Date(Date.now() + (tokens.expires_in ?? 3600) * 1000).toISOString(),
    ...(tokens.store_id ? { storeId: tokens.store_id } : {}),
  };
}

/** `origin` as the modal sends it: an http(s) origin, nothing more (no path, no credentials). */
export function checkOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    url = new URL('invalid:');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) {
    throw new DomainError(
      'validation_failed',
      'origin must be the page’s http(s) origin, e.g. https://app.example.com.',
      [{ path: ['origin'], message: 'not an http(s) origin' }],
    );
  }
  return origin;
}
