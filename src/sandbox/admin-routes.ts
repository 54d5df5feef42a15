import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import { parseInput } from '../server/http/errors.js';
import { DomainError } from '../server/platform/errors.js';
import type { FailureGuard } from '../server/platform/failure-guard.js';
import { secretsEqual } from './crypto.js';
import { setPageHeaders } from './html.js';
import { readOwnerToken, setOwnerCookie, type OwnerService, type OwnerSession } from './owners.js';
import { CreateStoreRequest, ListDeliveriesQuery, OwnerSignInRequest, StoreParams } from './schemas.js';
import type { StoreService } from './stores.js';
import type { WebhookService } from './webhooks.js';

export interface AdminRouteOptions {
  stores: StoreService;
  owners: OwnerService;
  webhooks: WebhookService;
  publicDir: string;
  publicUrl: () => string;
  /** Path prefix of the sandbox (the owner cookie's path). */
  basePath: string;
  /** Counts wrong owner secrets per client address (shared with the consent form). */
  ownerFailures: FailureGuard;
}

/** The header the dashboard sends its session's CSRF token in, on every change. */
export const CSRF_HEADER = 'x-csrf-token';

const NoQuery = z.strictObject({});

const notSameOrigin = (): DomainError =>
  new DomainError('forbidden', 'The store dashboard API only answers the dashboard itself.');

/**
 * The store owner's dashboard: a static page plus a small JSON API that shows API keys. Every
 * call but sign-in needs the owner's session (an HttpOnly, SameSite=Strict cookie set by signing
 * in with the store's owner secret), and each store is visible only to sessions signed in to it.
 * Browsers' requests must come from the dashboard's own origin, the configured public URL (never
 * the Host header, which DNS rebinding controls), and changes carry the session's CSRF token.
 */
export async function adminRoutes(app: FastifyInstance, options: AdminRouteOptions): Promise<void> {
  const { stores, owners, webhooks } = options;
  const indexHtml = fs.readFileSync(path.join(options.publicDir, 'admin.html'), 'utf8');

  await app.register(fastifyStatic, {
    root: options.publicDir,
    prefix: '/assets/',
    decorateReply: false,
    allowedPath: (pathName) => pathName !== '/admin.html',
    setHeaders(reply) {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('cache-control', 'no-cache');
    },
  });

  app.get('/', { config: { cors: false } }, async (_request, reply) => {
    setPageHeaders(reply, { scripts: true });
    return reply.send(indexHtml);
  });

  const publicOrigin = (): string => new URL(options.publicUrl()).origin;
  const secureCookie = (): boolean => options.publicUrl().startsWith('https:');

  /** Browsers say where a request comes from; only the dashboard's own origin is answered. */
  const sameOrigin = async (request: FastifyRequest): Promise<void> => {
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw notSameOrigin();
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== publicOrigin()) throw notSameOrigin();
  };

  const sessionOf = async (request: FastifyRequest): Promise<{ token: string; session: OwnerSession }> => {
    const token = readOwnerToken(request);
    const session = await owners.session(token);
    if (token === undefined || !session) {
      throw new DomainError('unauthorized', 'Sign in with the store owner secret first.');
    }
    return { token, session };
  };

  /** Changes need the session's CSRF token as well as its cookie. */
  const checkCsrf = (request: FastifyRequest, session: OwnerSession): void => {
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !secretsEqual(sent, session.csrfToken)) {
      throw new DomainError('forbidden', `Send the session's CSRF token in ${CSRF_HEADER}.`);
    }
  };

  const ownedStore = (session: OwnerSession, storeId: string): void => {
    // Not "forbidden": a session learns nothing about stores it has not signed in to.
    if (!session.storeIds.includes(storeId)) throw new DomainError('not_found', `Store ${storeId} was not found.`);
  };

  const sessionView = async (session: OwnerSession) => ({
    stores: (await stores.listOwned(session.storeIds)).map(({ apiKey: _apiKey, ...store }) => store),
    csrfToken: session.csrfToken,
  });

  const admin = { config: { cors: false }, preHandler: sameOrigin };

  app.post('/admin/api/session', admin, async (request, reply) => {
    const body = parseInput(OwnerSignInRequest, request.body, 'body');
    // Guessing the owner secret is limited per client address, wrong shops counted too.
    const wait = options.ownerFailures.retryAfterSeconds(request.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new DomainError('rate_limited', `Too many failed sign-ins from this address; retry in ${wait} s.`);
    }
    const store = await stores.findBySubdomain(body.shop);
    if (!store || !(await owners.verify(store.id, body.secret))) {
      options.ownerFailures.recordFailure(request.ip);
      throw new DomainError('unauthorized', 'That shop and owner secret do not match.');
    }
    const token = await owners.signIn(readOwnerToken(request), store.id);
    setOwnerCookie(reply, { token, basePath: options.basePath, secure: secureCookie() });
    return sessionView((await owners.session(token))!);
  });

  // Signed out is an answer here, not an error: the dashboard asks it on every load.
  app.get('/admin/api/session', admin, async (request) => {
    parseInput(NoQuery, request.query, 'query');
    const session = await owners.session(readOwnerToken(request));
    return session ? sessionView(session) : { stores: [], csrfToken: null };
  });

  app.delete('/admin/api/session', admin, async (request, reply: FastifyReply) => {
    const { token, session } = await sessionOf(request);
    checkCsrf(request, session);
    await owners.signOut(token);
    setOwnerCookie(reply, { token: undefined, basePath: options.basePath, secure: secureCookie() });
    return reply.status(204).send();
  });

  app.get('/admin/api/stores', admin, async (request) => {
    parseInput(NoQuery, request.query, 'query');
    return { data: await stores.listOwned((await sessionOf(request)).session.storeIds) };
  });

  app.post('/admin/api/stores', admin, async (request, reply) => {
    const { token, session } = await sessionOf(request);
    checkCsrf(request, session);
    const body = parseInput(CreateStoreRequest, request.body, 'body');
    const created = await stores.create(body.name, body.subdomain);
    // The creator owns the new store: it joins this session (its secret is shown this once).
    await owners.signIn(token, created.id);
    return reply.status(201).send(created);
  });

  app.post('/admin/api/stores/:storeId/rotate-key', admin, async (request) => {
    const { session } = await sessionOf(request);
    checkCsrf(request, session);
    const { storeId } = parseInput(StoreParams, request.params, 'params');
    ownedStore(session, storeId);
    return stores.rotateApiKey(storeId);
  });

  app.get('/admin/api/stores/:storeId/webhook-deliveries', admin, async (request) => {
    const { session } = await sessionOf(request);
    const { storeId } = parseInput(StoreParams, request.params, 'params');
    const query = parseInput(ListDeliveriesQuery, request.query, 'query');
    ownedStore(session, storeId);
    return { data: await webhooks.recentDeliveries(storeId, query.limit === undefined ? 20 : Number(query.limit)) };
  });
}
