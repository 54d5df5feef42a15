import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import { statusOf } from '../server/http/errors.js';
import { DomainError } from '../server/platform/errors.js';
import type { FailureGuard } from '../server/platform/failure-guard.js';
import { readCookie } from './forms.js';
import { renderConsentPage, renderErrorPage, setPageHeaders } from './html.js';
import { readOwnerToken, type OwnerService } from './owners.js';
import { OAuthError, parseScope, type OAuthClient, type OAuthService } from './oauth.js';
import { EMBEDDED_CLIENT_ID } from './schema.js';
import { OAUTH_SCOPES, SCOPE_DESCRIPTIONS } from './schemas.js';
import type { StoreService } from './stores.js';

export interface OAuthRouteOptions {
  oauth: OAuthService;
  stores: StoreService;
  owners: OwnerService;
  /** Path prefix of the sandbox, e.g. /sandbox/demo-store. */
  basePath: string;
  /** Counts wrong owner secrets per client address (shared with the dashboard's sign-in). */
  ownerFailures: FailureGuard;
  /** Shown for the Embedded server's client instead of its registered name (the ISV's brand). */
  embeddedClientName?: string | undefined;
}

const CONSENT_COOKIE_PREFIX = 'ds_consent_';

const ConsentForm = z.strictObject({
  request_id: z.string().check(z.regex(/^authreq_[0-9a-f]{24}$/)),
  csrf_token: z.string().check(z.minLength(1), z.maxLength(200)),
  decision: z.enum(['approve', 'deny']),
  /** The store owner's secret, when the browser has no owner session for the store. */
  owner_secret: z.optional(z.string().check(z.maxLength(200))),
});

type Query = Record<string, string | string[] | undefined>;

/** The authorization server: authorize + consent pages, token and revocation endpoints, metadata. */
export function oauthRoutes(app: FastifyInstance, options: OAuthRouteOptions): void {
  const { oauth, stores, owners, basePath, ownerFailures } = options;
  const assetsPath = `${basePath}/assets`;
  const consentPath = `${basePath}/oauth/consent`;
  const cookiePath = `${basePath}/oauth`;

  const errorPage = (reply: FastifyReply, status: number, title: string, message: string) => {
    setPageHeaders(reply);
    return reply.status(status).send(renderErrorPage({ assetsPath, title, message }));
  };

  /** 303 back to the client with `params` (code+state or error+state) in the query. */
  const redirectToClient = (reply: FastifyReply, redirectUri: string, params: Record<string, string>) => {
    const target = new URL(redirectUri);
    for (const [name, value] of Object.entries(params)) target.searchParams.append(name, value);
    return reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .redirect(target.toString(), 303);
  };

  app.get('/oauth/authorize', { config: { cors: false } }, async (request, reply) => {
    const query = request.query as Query;
    const repeated = Object.keys(query).filter((name) => Array.isArray(query[name]));
    const param = (name: string): string | undefined => {
      const value = query[name];
      return typeof value === 'string' ? value : undefined;
    };

    // Until the client and its redirect URI are verified, errors stay on this page: redirecting
    // to an unverified URI would make the provider an open redirector (RFC 6749 §4.1.2.1).
    const clientId = param('client_id');
    const client = clientId === undefined ? undefined : await oauth.findClient(clientId);
    if (!client || repeated.includes('client_id')) {
      return errorPage(
        reply,
        400,
        'Unknown application',
        'The application that sent you here is not registered with Demo Store.',
      );
    }
    const redirectUri = param('redirect_uri');
    if (redirectUri === undefined || repeated.includes('redirect_uri') || !client.redirectUris.includes(redirectUri)) {
      return errorPage(
        reply,
        400,
        'Invalid redirect address',
        `${client.name} asked to return you to an address it has not registered with Demo Store, so the request was stopped.`,
      );
    }

    const state = param('state');
    const fail = (error: string, description: string) =>
      redirectToClient(reply, redirectUri, {
        error,
        error_description: description,
        ...(state ? { state } : {}),
      });
    if (repeated.length > 0) return fail('invalid_request', `Repeated parameter: ${repeated.join(', ')}.`);
    const responseType = param('response_type');
    if (responseType === undefined) return fail('invalid_request', 'response_type is required.');
    if (responseType !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
    if (!state) return fail('invalid_request', 'state is required.');
    if (state.length > 1024) return fail('invalid_request', 'state is too long (1024 characters at most).');
    if (param('code_challenge_method') !== 'S256') {
      return fail('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256.');
    }
    const codeChallenge = param('code_challenge');
    if (codeChallenge === undefined || !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
      return fail('invalid_request', 'code_challenge must be the 43-character base64url SHA-256 of the code_verifier.');
    }
    const scopeParam = param('scope');
    const scope = scopeParam === undefined ? [...OAUTH_SCOPES] : parseScope(scopeParam);
    if (!scope || scope.length === 0) {
      return fail('invalid_scope', `scope must be a space-separated list of: ${OAUTH_SCOPES.join(', ')}.`);
    }
    const shop = param('shop');
    if (!shop) return fail('invalid_request', 'shop (the store subdomain) is required.');
    const store = await stores.findBySubdomain(shop.toLowerCase());
    if (!store) return fail('invalid_request', `There is no Demo Store shop called "${shop}".`);

    const pending = await oauth.startAuthorization({
      clientId: client.clientId,
      storeId: store.id,
      redirectUri,
      state,
      scope,
      codeChallenge,
    });
    // Usually absent: the authorize page is a cross-site navigation and the owner cookie is
    // SameSite=Strict. It is there on the consent form's own POST, where it is checked.
    const signedIn = (await owners.session(readOwnerToken(request)))?.storeIds.includes(store.id) ?? false;
    const returnOrigin = new URL(redirectUri).origin;
    setPageHeaders(reply, { formActionOrigins: [returnOrigin] });
    reply.header(
      'set-cookie',
      `${CONSENT_COOKIE_PREFIX}${pending.requestId}=${pending.browserSecret}; Path=${cookiePath}; Max-Age=600; HttpOnly; SameSite=Strict${request.protocol === 'https' ? '; Secure' : ''}`,
    );
    return reply.send(
      renderConsentPage({
        assetsPath,
        consentPath,
        clientName:
          client.clientId === EMBEDDED_CLIENT_ID && options.embeddedClientName
            ? options.embeddedClientName
            : client.name,
        storeName: store.name,
        shop: store.subdomain,
        scopes: scope.map((name) => ({ name, description: SCOPE_DESCRIPTIONS[name] })),
        returnHost: new URL(redirectUri).host,
        requestId: pending.requestId,
        csrfToken: pending.csrfToken,
        askOwnerSecret: !signedIn,
      }),
    );
  });

  app.post('/oauth/consent', { config: { cors: false } }, async (request, reply) => {
    const form = ConsentForm.safeParse(request.body);
    if (!form.success) {
      return errorPage(
        reply,
        400,
        'Something went wrong',
        'This form is incomplete. Go back to the app and connect again.',
      );
    }
    const cookieName = `${CONSENT_COOKIE_PREFIX}${form.data.request_id}`;
    const ownerSecret = form.data.owner_secret;
    // Guessing the owner secret here is limited like at the dashboard's sign-in (one counter).
    const wait = ownerSecret === undefined ? 0 : ownerFailures.retryAfterSeconds(request.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return errorPage(
        reply,
        429,
        'Too many attempts',
        `Too many wrong owner secrets from this address. Wait ${wait} s, then go back and try again.`,
      );
    }
    const result = await oauth.answerAuthorization({
      requestId: form.data.request_id,
      csrfToken: form.data.csrf_token,
      browserSecret: readCookie(request, cookieName),
      approve: form.data.decision === 'approve',
      isOwner: async (storeId) => {
        if ((await owners.session(readOwnerToken(request)))?.storeIds.includes(storeId)) return true;
        if (ownerSecret === undefined) return false;
        const verified = await owners.verify(storeId, ownerSecret);
        if (!verified) ownerFailures.recordFailure(request.ip);
        return verified;
      },
    });
    if (result.outcome === 'invalid') {
      switch (result.reason) {
        case 'forged':
          return errorPage(
            reply,
            403,
            'Request not verified',
            'This answer did not come from the page Demo Store showed in this browser. Go back to the app and connect again.',
          );
        case 'not_owner':
          return errorPage(
            reply,
            403,
            'Only the store owner can approve',
            'Approving needs the store owner secret (or a signed-in store dashboard in this browser). Go back, enter it, and approve again.',
          );
        case 'answered':
          return errorPage(
            reply,
            400,
            'Already answered',
            'You already answered this request. Go back to the app; if it is not connected, start again.',
          );
        default:
          return errorPage(
            reply,
            400,
            'Request expired',
            'This request has expired. Go back to the app and connect again.',
          );
      }
    }
    reply.header('set-cookie', `${cookieName}=; Path=${cookiePath}; Max-Age=0; HttpOnly; SameSite=Strict`);
    return redirectToClient(reply, result.redirectUri, result.params);
  });

  app.post('/oauth/token', { config: { cors: false }, errorHandler: oauthErrorHandler }, async (request, reply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const body = stringFields(request.body);
    const client = await authenticateClient(oauth, request, body);
    switch (body.grant_type) {
      case 'authorization_code':
        if (!body.code) throw new OAuthError(400, 'invalid_request', 'code is required.');
        return oauth.exchangeCode(client, {
          code: body.code,
          redirectUri: body.redirect_uri,
          codeVerifier: body.code_verifier,
        });
      case 'refresh_token':
        if (!body.refresh_token) throw new OAuthError(400, 'invalid_request', 'refresh_token is required.');
        return oauth.refresh(client, { refreshToken: body.refresh_token, scope: body.scope });
      case undefined:
        throw new OAuthError(400, 'invalid_request', 'grant_type is required.');
      default:
        throw new OAuthError(400, 'unsupported_grant_type', 'Use authorization_code or refresh_token.');
    }
  });

  app.post('/oauth/revoke', { config: { cors: false }, errorHandler: oauthErrorHandler }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const body = stringFields(request.body);
    const client = await authenticateClient(oauth, request, body);
    if (!body.token) throw new OAuthError(400, 'invalid_request', 'token is required.');
    await oauth.revoke(client, body.token);
    return reply.status(200).send({});
  });
}

/** RFC 8414 metadata, at the well-known path for an issuer with a path component. */
export function oauthMetadataRoute(app: FastifyInstance, options: { basePath: string; issuer: () => string }): void {
  app.get(`/.well-known/oauth-authorization-server${options.basePath}`, async () => {
    const issuer = options.issuer();
    return {
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: [...OAUTH_SCOPES],
    };
  });
}

/** Form or JSON bodies, as a map of string fields; anything else is invalid_request. */
function stringFields(body: unknown): Record<string, string | undefined> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OAuthError(
      400,
      'invalid_request',
      'Send the parameters as a form (application/x-www-form-urlencoded) or JSON.',
    );
  }
  const fields: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value !== 'string') throw new OAuthError(400, 'invalid_request', `${name} must be a string.`);
    Object.defineProperty(fields, name, { value, enumerable: true });
  }
  return fields;
}

const BASIC = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i;

/** client_secret_basic or client_secret_post (RFC 6749 §2.3.1), never both. */
async function authenticateClient(
  oauth: OAuthService,
  request: FastifyRequest,
  body: Record<string, string | undefined>,
): Promise<OAuthClient> {
  const header = request.headers.authorization;
  let clientId = body.client_id;
  let clientSecret = body.client_secret;
  if (header !== undefined) {
    const match = BASIC.exec(header);
    if (!match)
      throw new OAuthError(401, 'invalid_client', 'Authenticate the client with HTTP Basic or client_secret_post.');
    if (clientSecret !== undefined) {
      throw new OAuthError(400, 'invalid_request', 'Use one client authentication method, not two.');
    }
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    try {
      const basicId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      if (colon < 0 || (clientId !== undefined && clientId !== basicId)) throw new Error('mismatch');
      clientId = basicId;
    } catch {
      throw new OAuthError(401, 'invalid_client', 'The Basic credentials are malformed.');
    }
  }
  if (clientId === undefined || clientSecret === undefined) {
    throw new OAuthError(401, 'invalid_client', 'Client authentication is required (client_id and client_secret).');
  }
  const client = await oauth.authenticateClient(clientId, clientSecret);
  if (!client) throw new OAuthError(401, 'invalid_client', 'Client authentication failed.');
  return client;
}

/** The token and revocation endpoints answer in RFC 6749 §5.2 form, whatever went wrong. */
function oauthErrorHandler(error: FastifyError | OAuthError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  if (error instanceof OAuthError) {
    if (error.status === 401 && request.headers.authorization !== undefined) {
      reply.header('www-authenticate', 'Basic realm="Demo Store"');
    }
    void reply.status(error.status).send({ error: error.error, error_description: error.description });
    return;
  }
  // Fastify's own errors carry statusCode; the server's body parser (a non-JSON, non-form body) throws
  // a DomainError, whose code maps to a status.
  const clientStatus = error instanceof DomainError ? statusOf(error) : error.statusCode;
  if (typeof clientStatus === 'number' && clientStatus >= 400 && clientStatus < 500) {
    const description =
      error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || clientStatus === 415
        ? 'Send the parameters as application/x-www-form-urlencoded or JSON.'
        : error.message;
    // RFC 6749 §5.2 answers 400 for what the client can fix in its parameters; a body over the
    // size limit is refused before they are read, so it keeps HTTP's 413 (in the RFC's shape).
    const status = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 413 : 400;
    void reply.status(status).send({ error: 'invalid_request', error_description: description });
    return;
  }
  request.log.error({ err: error }, 'oauth endpoint failed');
  void reply.status(500).send({ error: 'server_error', error_description: 'Something went wrong on our side.' });
}
