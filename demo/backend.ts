import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import {
  Alloy,
  AlloyApiError,
  ENVIRONMENT_HEADER,
  verifyAlloySignature,
  verifyStandardWebhook,
  type AlloyEnvironment,
} from '../src/node/index.js';
import { registerConsoleRoutes } from './console-routes.js';
import { OrderBook } from './order-book.js';
import {
  DemoSessions,
  demoUserOf,
  isSameOriginRequest,
  readCookie,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  signedInUser,
} from './session.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const SessionRequest = z.strictObject({
  username: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
});

export interface DemoBackendOptions {
  /** Where the Embedded API listens; the demo talks to it over HTTP like any ISV backend. */
  apiBaseUrl: () => string;
  /** The ISV's API key: used here, on the server, and never sent to the browser. */
  apiKey: string;
  /** Where the demo itself is reached (the URL Alloy signs); the API's base URL when absent. */
  publicUrl?: () => string;
  /** How many received requests the inbox keeps. */
  inboxSize?: number;
}

/** One request the inbox received, with what its two signatures said. */
export interface InboxEntry {
  /** The end user the request is about (the body's `userId`), when its signature verified. */
  userId: string | null;
  /** The Standard Webhooks id (retries of one delivery share it). */
  webhookId: string | null;
  receivedAt: string;
  method: string;
  path: string;
  /** The headers worth showing (the X-Alloy-* ones, the webhook-* ones, content-type, user-agent). */
  headers: Record<string, string>;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  verified: {
    /** X-Alloy-Signature (RSA over method + URL + body) against the published public key. */
    alloySignature: boolean;
    /** webhook-signature (HMAC over id.timestamp.body, ±5 min) with the webhook secret. */
    standardWebhooks: boolean;
    /** Why the Standard Webhooks check failed, if it did. */
    error?: string;
  };
  /** An earlier request carried the same webhook-id (a retry after a lost answer): handled once. */
  duplicate: boolean;
}

const SHOWN_HEADERS = /^(x-alloy-|webhook-|content-type$|user-agent$)/;
const INBOX_PREFIX = '/demo/api/inbox';
/** Where the demo has Alloy send its installation webhooks (`npm start` configures it by default). */
export const INSTALLATIONS_INBOX_PATH = `${INBOX_PREFIX}/installations`;
/**
 * "AcmeCo", the ISV app of the demo: static pages plus a tiny backend that holds the API key,
 * creates the end user on first visit and hands the browser a short-lived user token.
 */
export async function registerDemo(app: FastifyInstance, options: DemoBackendOptions): Promise<void> {
  // The API's URL is known only once the server listens, so the client is made on first use.
  let client: Alloy | undefined;
  const alloy = (): Alloy => (client ??= new Alloy(options.apiKey, { baseUrl: options.apiBaseUrl() }));

  /** The API's error in the API's shape, with `status` (502 when the API could not be reached). */
  const sendApiError = (reply: FastifyReply, error: unknown, status?: number) => {
    if (!(error instanceof AlloyApiError)) throw error;
    const { code, message, issues } = error;
    return reply
      .status(status ?? error.status ?? 502)
      .send({ error: { code, message, ...(issues.length > 0 ? { issues } : {}) } });
  };

  await app.register(fastifyStatic, { root: path.join(here, 'public'), prefix: '/demo/', decorateReply: false });
  // The React page is built by Vite (`npm run build:demo`); a plain index.html fallback tells how.
  const reactBuild = path.join(here, '../dist/demo-react');
  if (fs.existsSync(reactBuild)) {
    await app.register(fastifyStatic, { root: reactBuild, prefix: '/demo/react/', decorateReply: false });
  } else {
    app.get('/demo/react/', async (_request, reply) =>
      reply.status(503).type('text/plain').send('The React page is not built yet: run `npm run build:demo`.'),
    );
  }
  app.get('/', async (_request, reply) => reply.redirect('/demo/'));

  const ownOrigin = (): string => new URL((options.publicUrl ?? options.apiBaseUrl)()).origin;
  const sessions = new DemoSessions();
  const sessionCookie = (value: string, maxAgeSeconds: number): string =>
    `${SESSION_COOKIE}=${value}; Path=/demo; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${
      ownOrigin().startsWith('https:') ? '; Secure' : ''
    }`;

  // The demo's key is development's: its settings give development's secret and public key.
  const orders = new OrderBook();
  const inbox = new Inbox(options.inboxSize ?? 100, async () => {
    const settings = await alloy().getSettings();
    const key = await fetch(settings.publicKeyUrl).then((r) => {
      if (!r.ok) throw new Error(`${settings.publicKeyUrl} answered ${r.status}`);
      return r.text();
    });
    return { environment: settings.environment, publicKey: key, webhookSecret: settings.webhookSecret };
  });

  // The demo's own API holds the API key, so it answers only the demo's pages: same origin, and
  // (except signing in) a signed-in session. The inbox receiver is outside: Alloy posts to it and
  // it checks both signatures instead.
  await app.register(async (demoApi) => {
    demoApi.addHook('onRequest', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      if (!isSameOriginRequest(request, ownOrigin())) {
        return reply.status(403).send({
          error: {
            code: 'forbidden',
            message: `Only the demo's own pages (${ownOrigin()}) may call the demo API; open the demo there.`,
          },
        });
      }
      if (request.routeOptions.url === '/demo/api/session') return;
      const user = sessions.user(readCookie(request, SESSION_COOKIE));
      if (user === undefined) {
        return reply
          .status(401)
          .send({ error: { code: 'unauthorized', message: 'Sign in first (POST /demo/api/session).' } });
      }
      request.demoUser = user;
    });

    // Signs the demo visitor in as an end user: creates them once, starts the browser's session
    // and returns a fresh user token.
    demoApi.post('/demo/api/session', async (request, reply) => {
      const parsed = SessionRequest.safeParse(request.body);
      if (!parsed.success) {
        return reply.status(400).send({ error: { code: 'validation_failed', message: 'username is required' } });
      }
      const { username } = parsed.data;
      let userId: string;
      try {
        userId = (await alloy().createUser({ username })).userId;
      } catch (error) {
        // A returning visitor already exists; any other failure is the backend's, not the browser's.
        if (!(error instanceof AlloyApiError && error.code === 'conflict')) return sendApiError(reply, error, 502);
        try {
          userId = (await alloy().getUser(username)).userId;
        } catch (lookupError) {
          return sendApiError(reply, lookupError, 502);
        }
      }
      let token: string;
      try {
        // One client per request: an identity shared between concurrent requests would mix users up.
        token = (await alloy().forUser(username).getUserToken()).token;
      } catch (error) {
        return sendApiError(reply, error, 502);
      }
      // A new id on every sign-in: a session id known before signing in is worth nothing after.
      sessions.drop(readCookie(request, SESSION_COOKIE));
      reply.header('set-cookie', sessionCookie(sessions.create({ username, userId }), SESSION_TTL_MS / 1000));
      return { username, token };
    });

    demoApi.delete('/demo/api/session', async (request, reply) => {
      sessions.drop(readCookie(request, SESSION_COOKIE));
      reply.header('set-cookie', sessionCookie('', 0));
      return { signedOut: true };
    });

    // The integrations page is rendered from the ISV API (API key + userId), as the docs describe.
    demoApi.get('/demo/api/integrations', async (request, reply) => {
      try {
        return await alloy().forUser(demoUserOf(request)).getIntegrations();
      } catch (error) {
        return sendApiError(reply, error);
      }
    });

    registerConsoleRoutes(demoApi, alloy, sendApiError, orders);

    // What the inbox holds for the signed-in user, newest first (the demo's inbox page reads this).
    demoApi.get(INBOX_PREFIX, async (request) => ({ data: inbox.list(signedInUser(request).userId) }));
    demoApi.delete(INBOX_PREFIX, async () => {
      inbox.clear();
      return { cleared: true };
    });
  });

  // The inbox receives raw bodies: the signatures are over the bytes as sent, not re-serialised JSON.
  await app.register(async (receiver) => {
    receiver.removeAllContentTypeParsers();
    receiver.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) =>
      done(null, body),
    );
    receiver.post(`${INBOX_PREFIX}/*`, async (request, reply) => {
      const ownUrl = (options.publicUrl ?? options.apiBaseUrl)();
      const entry = await inbox.receive(request, `${ownUrl}${request.url}`);
      const ok = entry.verified.alloySignature && entry.verified.standardWebhooks;
      // A verified Stream Data delivery of a store order: AcmeCo now knows that order (once per delivery).
      if (ok && !entry.duplicate && entry.userId !== null) {
        orders.record(entry.userId, (entry.body as { data?: unknown }).data, entry.receivedAt);
      }
      return reply
        .status(ok ? 200 : 401)
        .send(
          ok
            ? { received: true, duplicate: entry.duplicate }
            : { error: { code: 'unauthorized', message: 'A signature does not verify.' } },
        );
    });
  });
}

interface VerificationKeys {
  /** The environment of the demo's API key: the only one whose requests it can verify. */
  environment: AlloyEnvironment;
  publicKey: string;
  webhookSecret: string;
}

/**
 * The AcmeCo side of Stream Data: keeps the last requests in memory and checks both signatures
 * of each, as an ISV's receiver should (the keys are fetched once and fetched again when a
 * signature fails, in case they changed).
 */
class Inbox {
  private entries: InboxEntry[] = [];
  private readonly seen = new Set<string>();
  private keys: Promise<VerificationKeys> | undefined;

  constructor(
    private readonly size: number,
    private readonly loadKeys: () => Promise<VerificationKeys>,
  ) {}

  async receive(request: FastifyRequest, url: string): Promise<InboxEntry> {
    const raw = typeof request.body === 'string' ? request.body : '';
    let verified = await this.verify(request, url, raw, false);
    if (!verified.alloySignature || !verified.standardWebhooks) verified = await this.verify(request, url, raw, true);
    const webhookId = typeof request.headers['webhook-id'] === 'string' ? request.headers['webhook-id'] : null;
    const duplicate = webhookId !== null && verified.standardWebhooks && this.seen.has(webhookId);
    if (webhookId !== null && verified.standardWebhooks) this.seen.add(webhookId);
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    const verifiedUserId =
      verified.alloySignature && verified.standardWebhooks && body !== null && typeof body === 'object'
        ? (body as { userId?: unknown }).userId
        : undefined;
    const entry: InboxEntry = {
      userId: typeof verifiedUserId === 'string' ? verifiedUserId : null,
      webhookId,
      receivedAt: new Date().toISOString(),
      method: request.method,
      path: request.url,
      headers: Object.fromEntries(
        Object.entries(request.headers).flatMap(([name, value]) =>
          SHOWN_HEADERS.test(name) && typeof value === 'string' ? [[name, value]] : [],
        ),
      ),
      body,
      verified,
      duplicate,
    };
    this.entries = [entry, ...this.entries].slice(0, this.size);
    if (this.seen.size > this.size * 10) this.seen.clear();
    return entry;
  }

  private async verify(request: FastifyRequest, url: string, raw: string, refresh: boolean) {
    if (refresh || !this.keys) this.keys = this.loadKeys();
    let keys: VerificationKeys;
    try {
      keys = await this.keys;
    } catch {
      this.keys = undefined;
      return { alloySignature: false, standardWebhooks: false, error: 'The verification keys could not be fetched.' };
    }
    const named = request.headers[ENVIRONMENT_HEADER];
    if (named !== keys.environment) {
      const error = `The request names the ${String(named)} environment; the demo holds the ${keys.environment} keys only.`;
      return { alloySignature: false, standardWebhooks: false, error };
    }
    const signature = request.headers['x-alloy-signature'];
    const alloySignature = verifyAlloySignature(keys.publicKey, {
      method: request.method,
      url,
      body: raw,
      signature: typeof signature === 'string' ? signature : undefined,
    });
    try {
      verifyStandardWebhook(keys.webhookSecret, request.headers, raw);
      // The signed body names the same environment as the header the keys were picked by.
      const claimed = bodyEnvironment(raw);
      if (claimed !== undefined && claimed !== keys.environment) {
        return { alloySignature, standardWebhooks: false, error: `The body says ${String(claimed)}.` };
      }
      return { alloySignature, standardWebhooks: true };
    } catch (error) {
      return { alloySignature, standardWebhooks: false, error: (error as Error).message };
    }
  }

  /**
   * What one end user may see: the requests about them, and those that did not verify (they name
   * nobody one can trust, and show what the receiver refused). Other users' requests stay hidden.
   */
  list(userId: string): InboxEntry[] {
    return this.entries.filter((entry) => entry.userId === userId || entry.userId === null);
  }

  clear(): void {
    this.entries = [];
    this.seen.clear();
  }
}

/** The `environment` field of a JSON object body, if it has one. */
function bodyEnvironment(raw: string): unknown {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === 'object' && 'environment' in parsed
      ? (parsed as { environment: unknown }).environment
      : undefined;
  } catch {
    return undefined;
  }
}
