import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod/mini';
import { registerConsoleRoutes, type IsvCall } from './console-routes.js';

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
  const isv: IsvCall = async (method, apiPath, body, headers = {}) => {
    const response = await fetch(`${options.apiBaseUrl()}/2024-03${apiPath}`, {
      method,
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  };

  await app.register(fastifyStatic, { root: path.join(here, 'public'), prefix: '/demo/', decorateReply: false });
  app.get('/', async (_request, reply) => reply.redirect('/demo/'));
  registerConsoleRoutes(app, isv);

  // Signs the demo visitor in as an end user: creates them once, then returns a fresh user token.
  app.post('/demo/api/session', async (request, reply) => {
    const parsed = SessionRequest.safeParse(request.body);
    if (!parsed.success) {
      return reply.status(400).send({ error: { code: 'validation_failed', message: 'username is required' } });
    }
    const { username } = parsed.data;
    const created = await isv('POST', '/users', { username });
    if (created.status !== 200 && created.status !== 409) return reply.status(502).send(created.json);
    const token = await isv('GET', `/users/${encodeURIComponent(username)}/token`);
    if (token.status !== 200) return reply.status(502).send(token.json);
    return { username, token: (token.json as { token: string }).token };
  });

  // The integrations page is rendered from the ISV API (API key + userId), as the docs describe.
  app.get('/demo/api/integrations', async (request, reply) => {
    const username = (request.query as { username?: string }).username ?? '';
    const result = await isv('GET', `/integrations?userId=${encodeURIComponent(username)}`);
    return reply.status(result.status).send(result.json);
  });
}
