import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import * as z from 'zod/mini';
import { Alloy, AlloyApiError } from '../src/node/index.js';
import { registerConsoleRoutes } from './console-routes.js';

const here = path.dirname(fileURLToPath(import.meta.url));

const SessionRequest = z.strictObject({
  username: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
});

export interface DemoBackendOptions {
  /** Where the Embedded API listens; the demo talks to it over HTTP like any ISV backend. */
  apiBaseUrl: () => string;
  /** The ISV's API key: used here, on the server, and never sent to the browser. */
  apiKey: string;
}

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
  app.get('/', async (_request, reply) => reply.redirect('/demo/'));
  registerConsoleRoutes(app, alloy, sendApiError);

  // Signs the demo visitor in as an end user: creates them once, then returns a fresh user token.
  app.post('/demo/api/session', async (request, reply) => {
    const parsed = SessionRequest.safeParse(request.body);
    if (!parsed.success) {
      return reply.status(400).send({ error: { code: 'validation_failed', message: 'username is required' } });
    }
    const { username } = parsed.data;
    try {
      await alloy().createUser({ username });
    } catch (error) {
      // A returning visitor already exists; any other failure is the backend's, not the browser's.
      if (!(error instanceof AlloyApiError && error.code === 'conflict')) return sendApiError(reply, error, 502);
    }
    try {
      // One client per request: an identity shared between concurrent requests would mix users up.
      const { token } = await alloy().forUser(username).getUserToken();
      return { username, token };
    } catch (error) {
      return sendApiError(reply, error, 502);
    }
  });

  // The integrations page is rendered from the ISV API (API key + userId), as the docs describe.
  app.get('/demo/api/integrations', async (request, reply) => {
    const parsed = SessionRequest.safeParse(request.query);
    if (!parsed.success) {
      return reply.status(400).send({ error: { code: 'validation_failed', message: 'username is required' } });
    }
    try {
      return await alloy().forUser(parsed.data.username).getIntegrations();
    } catch (error) {
      return sendApiError(reply, error);
    }
  });
}
