import type { OAuthSessionStatus, OAuthSessionView } from '../../contract/index.js';
import type { Connector, CredentialData, OAuth2Auth } from './connectors/index.js';
import { inTransaction, nowIso, type Database } from '../platform/db/index.js';
import { pkceChallenge, randomToken, sha256Hex, timingSafeEqualText } from '../platform/crypto.js';
import { DomainError, notFound } from '../platform/errors.js';
import { isSealedText, openText, sealText, type SecretBox } from '../platform/encryption.js';
import { newId } from '../platform/ids.js';
import type { OAuthClientCredentials } from '../../sandbox/index.js';
import type { OutboundHttp, OutboundResponse } from '../platform/outbound-http.js';
import type { CredentialService } from './credentials.js';
import {
  bindBrowser,
  claimCallback,
  deleteSessionsExpiredBefore,
  findPendingByState,
  findSession,
  finishSession,
  insertSession,
  plaintextVerifiers,
  replaceVerifier,
  USED_STATE_PREFIX,
  type OAuthSessionRecord,
} from './oauth-repository.js';

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
export async function sealLegacyVerifiers(database: Database, box: SecretBox): Promise<number> {
  return inTransaction(database, async (trx) => {
    let sealed = 0;
    for (const row of await plaintextVerifiers(trx)) {
      const changed = await replaceVerifier(
        trx,
        row.id,
        row.codeVerifier,
        sealText(box, row.codeVerifier, verifierAad(row.id)),
      );
      if (changed) sealed += 1;
    }
    return sealed;
  });
}

/** Whether the browser's cookie value is the one the session was bound to (constant time). */
function sameBrowser(proof: string | undefined, browserHash: string | null): boolean {
  if (proof === undefined || browserHash === null) return false;
  return timingSafeEqualText(sha256Hex(proof), browserHash);
}

/** The name of the cookie binding one session to the browser that opened its start URL. */
export const oauthBrowserCookie = (sessionId: string): string => `alloy_oauth_${sessionId}`;

/**
 * What opening a start URL gets: the provider's URL (and, for the first browser, a new binding
 * with the cookie's Max-Age: the session's remaining lifetime in whole seconds), or a refusal.
 */
export type StartClaim =
  | { ok: true; authorizeUrl: string; browserProof?: undefined }
  | { ok: true; authorizeUrl: string; browserProof: string; maxAgeSeconds: number }
  | { ok: false; reason: 'ended' | 'other_browser' };

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
    private readonly database: Database,
    private readonly credentials: CredentialService,
    private readonly publicUrl: () => string,
    /** The process's guarded client; the token endpoint is a path on this server (the sandbox). */
    private readonly http: OutboundHttp,
    /** Seals the PKCE verifiers, which are as good as the code they protect. */
    private readonly box: SecretBox,
    /**
     * This server's client id and secret at the app (the sandbox's `alloy-embedded` client, handed
     * over by the mounted sandbox like a real app's registration); undefined when none is set up.
     */
    private readonly clientCredentials: () => Promise<OAuthClientCredentials | undefined> = async () => undefined,
    /** A lock every node honours (Storage.withLock); in-process by default. */
    private readonly lock: <T>(name: string, work: () => Promise<T>) => Promise<T> = (_name, work) => work(),
  ) {}

  redirectUri(): string {
    return `${this.publicUrl()}/oauth/callback`;
  }

  /** Starts a session for the modal's popup; `fields` are the connector's pre-OAuth fields, checked. */
  async createSession(
    userId: string,
    connector: Connector & { oauth: OAuth2Auth },
    fields: Record<string, string>,
    origin: string,
    now = Date.now(),
  ): Promise<{ sessionId: string; state: string; expiresAt: string }> {
    const sessionId = newId();
    const state = randomToken(32);
    const verifier = randomToken(48);
    const expiresAt = new Date(now + OAUTH_SESSION_TTL_MS).toISOString();
    await insertSession(this.database, {
      id: sessionId,
      userId,
      connector: connector.id,
      origin,
      state,
      codeVerifier: sealText(this.box, verifier, verifierAad(sessionId)),
      fields: JSON.stringify(fields),
      createdAt: new Date(now).toISOString(),
      expiresAt,
    });
    return { sessionId, state, expiresAt };
  }

  /** The session's PKCE verifier (plaintext in a row an older version wrote, until it is sealed on start). */
  private verifier(row: OAuthSessionRecord): string {
    return isSealedText(row.codeVerifier)
      ? openText(this.box, row.codeVerifier, verifierAad(row.id))
      : row.codeVerifier;
  }

  /** What the modal polls; another user's session is a 404. */
  async view(userId: string, sessionId: string, now = nowIso()): Promise<OAuthSessionView> {
    const row = await findSession(this.database, sessionId);
    if (!row || row.userId !== userId) throw notFound('The OAuth session');
    const status = row.status === 'pending' && this.expired(row, now) ? 'expired' : row.status;
    const credential = row.credentialId === null ? undefined : await this.credentials.find(userId, row.credentialId);
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
  private expired(row: OAuthSessionRecord, now: string): boolean {
    if (row.expiresAt <= now) return true;
    return row.browserHash === null && openDeadline(row) <= now;
  }

  /**
   * Opens a pending session's start URL in a browser. The first navigation claims the session for
   * its browser: it gets a new random proof (the route sets it as an HttpOnly cookie) whose hash is
   * stored, in one conditional UPDATE so two browsers racing cannot both win. The same browser (its
   * cookie matches) may open it again, e.g. after Back; any other browser is refused. Unknown,
   * finished, expired or never-opened-in-time sessions (and sessions of an app that no longer
   * connects with OAuth) have ended.
   */
  async claimStart(
    sessionId: string,
    browserProof: string | undefined,
    findOAuthConnector: (id: string) => (Connector & { oauth: OAuth2Auth }) | undefined,
    now = Date.now(),
  ): Promise<StartClaim> {
    const nowText = new Date(now).toISOString();
    const row = await findSession(this.database, sessionId);
    const connector = row && findOAuthConnector(row.connector);
    if (!row || !connector || row.status !== 'pending' || row.state.startsWith(USED_STATE_PREFIX)) {
      return { ok: false, reason: 'ended' };
    }
    if (this.expired(row, nowText)) return { ok: false, reason: 'ended' };
    if (row.browserHash !== null) {
      return sameBrowser(browserProof, row.browserHash)
        ? { ok: true, authorizeUrl: this.providerUrl(row, connector) }
        : { ok: false, reason: 'other_browser' };
    }
    const proof = randomToken(32);
    const bound = await bindBrowser(this.database, {
      sessionId,
      browserHash: sha256Hex(proof),
      now: nowText,
      openedAfter: new Date(now - OAUTH_OPEN_TTL_MS).toISOString(),
    });
    // Another browser bound it between the read and the update.
    if (!bound) return { ok: false, reason: 'other_browser' };
    return {
      ok: true,
      authorizeUrl: this.providerUrl(bound, connector),
      browserProof: proof,
      maxAgeSeconds: Math.max(1, Math.floor((Date.parse(bound.expiresAt) - now) / 1000)),
    };
  }

  private providerUrl(row: OAuthSessionRecord, connector: Connector & { oauth: OAuth2Auth }): string {
    const fields = JSON.parse(row.fields) as Record<string, string>;
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: connector.oauth.clientId,
      redirect_uri: this.redirectUri(),
      state: row.state,
      code_challenge: pkceChallenge(this.verifier(row)),
      code_challenge_method: 'S256',
      scope: connector.oauth.scopes.join(' '),
      ...fields,
    });
    return `${this.publicUrl()}${connector.oauth.authorizePath}?${query.toString()}`;
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
    // Which session the state names, to know whose binding cookie to check (nothing is written).
    const found = await findPendingByState(this.database, input.state);
    if (!found) return { ok: false, reason: 'unknown' };
    if (!sameBrowser(input.browserProof(found.id), found.browserHash)) return { ok: false, reason: 'other_browser' };
    // Claim the session by retiring its state, in one conditional UPDATE: of two callbacks with the
    // same state one gets the row, the other (concurrent or replayed) finds nothing, as for an
    // unknown state. It stays `pending` (what a poll should see) until the exchange is over.
    const row = await claimCallback(this.database, {
      sessionId: found.id,
      state: input.state,
      // Not null: sameBrowser matched it.
      browserHash: found.browserHash!,
    });
    if (!row) return { ok: false, reason: 'unknown' };
    const outcome = (status: OAuthSessionStatus) =>
      ({ ok: true, outcome: { sessionId: row.id, origin: row.origin, state: input.state, status } }) as const;
    const finish = async (status: OAuthSessionStatus, message: string | null) => {
      await finishSession(this.database, row.id, { status, message, credentialId: null, now: nowIso() });
      return outcome(status);
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
      // Calls to the provider and the app: outside any transaction.
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
    // The credential and the session's success commit together; the user's app triggers settle after.
    await inTransaction(this.database, async (trx) => {
      const credentialId = await this.credentials.save(row.userId, { connector, data }, trx);
      await finishSession(trx, row.id, { status: 'succeeded', message: null, credentialId, now: nowIso() });
    });
    return outcome('succeeded');
  }

  /** Deletes at most `limit` sessions that expired before `cutoff`, in one statement (the retention job); how many. */
  async pruneSessions(cutoff: string, limit: number): Promise<number> {
    return deleteSessionsExpiredBefore(this.database, cutoff, limit);
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
    // The lock spans every node: a refresh on another node finishes (and stores the rotated
    // token) before this one reads the credential again and finds it fresh.
    const refresh = this.lock(`oauth_refresh:${credentialId}`, async () => {
      // Another node (or an earlier call) may have refreshed already.
      const current = await this.credentials.reveal(userId, credentialId);
      if (current.expiresAt && Date.parse(current.expiresAt) - Date.now() > REFRESH_MARGIN_MS) return current;
      const tokens = await this.tokenRequest(oauth, {
        grant_type: 'refresh_token',
        refresh_token: current.refreshToken ?? '',
      });
      const next = { ...current, ...credentialData(tokens) };
      await this.credentials.replaceData(userId, credentialId, next);
      return next;
    });
    this.refreshing.set(credentialId, refresh);
    try {
      return await refresh;
    } finally {
      this.refreshing.delete(credentialId);
    }
  }

  private async tokenRequest(oauth: OAuth2Auth, fields: Record<string, string>): Promise<TokenAnswer> {
    const client = await this.clientCredentials();
    if (!client)
      throw new OAuthTokenError('unreachable', 'no OAuth client is registered with the app (is the sandbox mounted?)');
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
const openDeadline = (row: Pick<OAuthSessionRecord, 'createdAt'>): string =>
  new Date(Date.parse(row.createdAt) + OAUTH_OPEN_TTL_MS).toISOString();

const expiredMessage = (row: Pick<OAuthSessionRecord, 'browserHash'>): string =>
  row.browserHash === null
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
