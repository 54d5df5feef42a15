import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import {
  ConsoleUserSearchQuery,
  SetActiveBody,
  type SetActiveResponse,
  TestRunBody,
  type TestRunResponse,
  CreateIntegrationBody,
  CreateWorkflowBody,
  SaveDraftBody,
  type ConsoleConnectorListResponse,
  type ConsoleIntegrationDetail,
  type ConsoleWorkflowDetail,
  type ReleaseResponse,
  type SaveDraftResponse,
  type ConsoleIntegration,
  type ConsoleLink,
  type ConsoleUserListResponse,
} from '../../contract/index.js';
import type { Caller } from '../http/auth.js';
import { readCookie } from '../http/cookies.js';
import { parseInput } from '../http/errors.js';
import type { RouteCredential } from '../http/router.js';
import { DomainError, notFound } from '../platform/errors.js';
import { ENVIRONMENTS, type Environment } from '../users/index.js';
import type { ConsoleService, NewSession, SignedIn } from './console.js';

export const SESSION_COOKIE = 'alloy_console_session';
export const CSRF_HEADER = 'x-alloy-csrf';
export const ENV_HEADER = 'x-alloy-env';
/** The session cookie is sent to the console's pages and API only. */
const COOKIE_PATH = '/console';
const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

/** Failed sign-ins (and setup attempts) per client IP in LOGIN_FAILURE_WINDOW_MS before a 429. */
export const LOGIN_FAILURES_ALLOWED = 5;
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60 * 1000;

const SignInBody = z.strictObject({
  username: z.string().check(z.minLength(1), z.maxLength(200)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
});
const SetupBody = z.strictObject({
  token: z.string().check(z.minLength(1), z.maxLength(200)),
  username: z.string().check(z.minLength(1), z.maxLength(100)),
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
});
const EnvParams = z.strictObject({ env: z.enum(ENVIRONMENTS) });

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const originOf = (url: string): string | undefined => {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
};

/**
 * An `Origin` header, when sent, must be this server's own: the request's scheme, host and port
 * (or the configured public URL's). Anything else, `null` included, is refused.
 */
function refuseForeignOrigin(request: FastifyRequest, publicUrl: () => string): void {
  const sent = header(request, 'origin');
  if (sent === undefined) return;
  const origin = originOf(sent);
  const own = [originOf(`${request.protocol}://${request.host}`), originOf(publicUrl())];
  if (origin === undefined || !own.includes(origin)) {
    throw new DomainError('forbidden', 'Requests to the console API must come from the console itself.');
  }
}

/** The session cookie, Secure when the request came over https. */
function sessionCookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
}

function sendSession(request: FastifyRequest, reply: FastifyReply, session: NewSession): SignedIn {
  reply.header('set-cookie', sessionCookie(request, session.cookieValue, SESSION_MAX_AGE_SECONDS));
  return session.answer;
}

function requireCsrf(service: ConsoleService, request: FastifyRequest, session: SignedIn): void {
  if (!service.csrfMatches(session, header(request, CSRF_HEADER))) {
    throw new DomainError('forbidden', 'CSRF token missing or wrong.');
  }
}

/** The signed-in session of a request, or 401. */
async function requireSession(service: ConsoleService, request: FastifyRequest): Promise<SignedIn> {
  const session = await service.session(readCookie(request, SESSION_COOKIE));
  if (!session) throw new DomainError('unauthorized', 'Sign in to the console.');
  return session;
}

/** `x-alloy-env`: development when absent; anything else than the two environments is a 400. */
function environmentOf(request: FastifyRequest): Environment {
  const sent = header(request, ENV_HEADER);
  if (sent === undefined) return 'development';
  const env = ENVIRONMENTS.find((e) => e === sent);
  if (!env) throw new DomainError('bad_request', `${ENV_HEADER} must be development or production.`);
  return env;
}

/** The users module's search, handed in by the composition root (`GET /console/api/users`). */
export type ConsoleUserSearch = (env: Environment, query: ConsoleUserSearchQuery) => Promise<ConsoleUserListResponse>;

/**
 * The console's own API under `/console/api` (register it with that prefix; the ISV endpoints go
 * in a child scope, `consoleIsvCredential`): session, setup and API keys. Every answer is
 * `no-store`, and a request from another origin is refused before anything else.
 */
export function consoleApiRoutes(
  app: FastifyInstance,
  service: ConsoleService,
  publicUrl: () => string,
  catalogue: (env: Environment) => Promise<ConsoleIntegration[]>,
  users: ConsoleUserSearch,
): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    refuseForeignOrigin(request, publicUrl);
  });
  // Failed sign-ins and setup attempts per IP; refused before the password is even compared.
  const failures = app.createRateLimit({
    max: LOGIN_FAILURES_ALLOWED,
    timeWindow: LOGIN_FAILURE_WINDOW_MS,
    keyGenerator: (request) => `console ${request.ip}`,
  });
  const refuseIfBlocked = async (request: FastifyRequest, reply: FastifyReply) => {
    const state = await failures(request, { increment: false });
    if (!state.isAllowed && state.remaining === 0) {
      const seconds = Math.max(1, state.ttlInSeconds);
      reply.header('retry-after', String(seconds));
      throw new DomainError('rate_limited', `Too many failed sign-ins from this address; retry in ${seconds} s.`);
    }
  };
  const counted = async <T>(request: FastifyRequest, attempt: () => Promise<T>): Promise<T> => {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'unauthorized' || error.code === 'forbidden')) {
        await failures(request);
      }
      throw error;
    }
  };

  app.get('/session', async (request) => service.state(readCookie(request, SESSION_COOKIE)));

  app.post('/session', async (request, reply) => {
    await refuseIfBlocked(request, reply);
    const body = parseInput(SignInBody, request.body, 'body');
    const session = await counted(request, () =>
      service.signIn(body.username, body.password, readCookie(request, SESSION_COOKIE)),
    );
    return sendSession(request, reply, session);
  });

  app.delete('/session', async (request, reply) => {
    const cookie = readCookie(request, SESSION_COOKIE);
    const session = await service.session(cookie);
    if (session) {
      requireCsrf(service, request, session);
      await service.signOut(cookie);
    }
    return reply
      .header('set-cookie', sessionCookie(request, '', 0))
      .status(204)
      .send();
  });

  app.post('/setup', async (request, reply) => {
    await refuseIfBlocked(request, reply);
    const body = parseInput(SetupBody, request.body, 'body');
    const session = await counted(request, () => service.setUp(body.token, body.username, body.password));
    return sendSession(request, reply, session);
  });

  // The integrations as defined, with their install counts (the ISV API lists them per user only).
  app.get('/integrations', async (request) => {
    await requireSession(service, request);
    return { data: await catalogue(environmentOf(request)) };
  });

  // The environment's users by the start of their username or full name (the ISV API has no search).
  app.get('/users', async (request) => {
    await requireSession(service, request);
    const query = parseInput(ConsoleUserSearchQuery, request.query, 'query');
    return users(environmentOf(request), query);
  });

  app.get('/keys', async (request) => {
    await requireSession(service, request);
    return { keys: await service.listKeys() };
  });

  app.post('/keys/:env', async (request, reply) => {
    const session = await requireSession(service, request);
    requireCsrf(service, request, session);
    const { env } = parseInput(EnvParams, request.params, 'params');
    const created = await service.createKey(env);
    return reply.status(201).send(created);
  });

  app.delete('/keys/:env', async (request, reply) => {
    const session = await requireSession(service, request);
    requireCsrf(service, request, session);
    const { env } = parseInput(EnvParams, request.params, 'params');
    await service.revokeKey(env);
    return reply.status(204).send();
  });
}

/** `:integrationId` of the console's integration routes. */
const IntegrationParams = z.strictObject({ integrationId: z.string().check(z.minLength(1), z.maxLength(200)) });

/** The definitions module's builder, as the console's routes call it (the composition root passes it). */
export interface ConsoleBuilder {
  connectors(): ConsoleConnectorListResponse;
  integration(env: Environment, integrationId: string): Promise<ConsoleIntegrationDetail>;
  createIntegration(env: Environment, body: CreateIntegrationBody): Promise<ConsoleIntegrationDetail>;
  createWorkflow(env: Environment, integrationId: string, body: CreateWorkflowBody): Promise<ConsoleWorkflowDetail>;
  workflow(env: Environment, workflowId: string): Promise<ConsoleWorkflowDetail>;
  saveDraft(workflowId: string, body: SaveDraftBody): Promise<SaveDraftResponse>;
  release(workflowId: string): Promise<ReleaseResponse>;
}

/**
 * The integration builder (src/contract/console-builder.ts): the connector catalogue, console-made
 * integrations and workflows, drafts and releases. Register it in the `/console/api` scope after
 * `consoleApiRoutes` (same hooks). Every call needs the session; every write its CSRF token.
 */
export function consoleBuilderRoutes(app: FastifyInstance, service: ConsoleService, builder: ConsoleBuilder): void {
  const WorkflowParams = z.strictObject({ workflowId: z.string().check(z.minLength(1), z.maxLength(200)) });
  const write = async (request: FastifyRequest): Promise<void> => {
    const session = await requireSession(service, request);
    requireCsrf(service, request, session);
  };

  app.get('/connectors', async (request) => {
    await requireSession(service, request);
    return builder.connectors();
  });

  app.post('/integrations', async (request, reply) => {
    await write(request);
    const body = parseInput(CreateIntegrationBody, request.body, 'body');
    return reply.status(201).send(await builder.createIntegration(environmentOf(request), body));
  });

  app.get('/integrations/:integrationId', async (request) => {
    await requireSession(service, request);
    const { integrationId } = parseInput(IntegrationParams, request.params, 'params');
    return builder.integration(environmentOf(request), integrationId);
  });

  app.post('/integrations/:integrationId/workflows', async (request, reply) => {
    await write(request);
    const { integrationId } = parseInput(IntegrationParams, request.params, 'params');
    const body = parseInput(CreateWorkflowBody, request.body, 'body');
    return reply.status(201).send(await builder.createWorkflow(environmentOf(request), integrationId, body));
  });

  app.get('/workflows/:workflowId', async (request) => {
    await requireSession(service, request);
    const { workflowId } = parseInput(WorkflowParams, request.params, 'params');
    return builder.workflow(environmentOf(request), workflowId);
  });

  app.put('/workflows/:workflowId/draft', async (request) => {
    await write(request);
    const { workflowId } = parseInput(WorkflowParams, request.params, 'params');
    const body = parseInput(SaveDraftBody, request.body, 'body') as SaveDraftBody;
    return builder.saveDraft(workflowId, body);
  });

  app.post('/workflows/:workflowId/release', async (request, reply) => {
    await write(request);
    const { workflowId } = parseInput(WorkflowParams, request.params, 'params');
    return reply.status(201).send(await builder.release(workflowId));
  });
}

/**
 * The credential of the ISV endpoints mounted under `/console/api/isv`: the console session (and
 * its CSRF token on every write), in the environment `x-alloy-env` names. An `Authorization` or
 * user-token header is never read there; endpoints only a user token may call are left out.
 */
export function consoleIsvCredential(service: ConsoleService): RouteCredential {
  const admit = async (request: FastifyRequest): Promise<void> => {
    const session = await requireSession(service, request);
    if (request.method !== 'GET' && request.method !== 'HEAD') requireCsrf(service, request, session);
    const caller: Caller = { env: environmentOf(request) };
    request.caller = caller;
  };
  return (endpoint) => (endpoint.auth === 'userToken' ? undefined : admit);
}

/** An integration's definition file as the console exports it. */
export interface ExportedIntegration {
  /** The file's name without `.integration.json`. */
  slug: string;
  /** The document exactly as the definitions loader reads it. */
  text: string;
}

/**
 * `GET /console/api/integrations/:integrationId/export`: the integration's `*.integration.json`
 * as a download (the composition root passes the definitions' source lookup). Register it in the
 * `/console/api` scope after `consoleApiRoutes` (same hooks: no-store, same origin only).
 */
export function consoleExportRoutes(
  app: FastifyInstance,
  service: ConsoleService,
  exportIntegration: (integrationId: string) => Promise<ExportedIntegration | undefined>,
): void {
  app.get('/integrations/:integrationId/export', async (request, reply) => {
    await requireSession(service, request);
    const { integrationId } = parseInput(IntegrationParams, request.params, 'params');
    const exported = await exportIntegration(integrationId);
    if (!exported) throw notFound('The integration');
    // The slug goes into a header: only a plain file name, else the id (always safe).
    const slug = /^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$/.test(exported.slug) ? exported.slug : integrationId;
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${slug}.integration.json"`)
      .send(exported.text);
  });
}

/**
 * `GET /console/api/links?userId=&integrationId=`: the environment's Embedded Links, newest first,
 * at most 50, with their status (the composition root passes the installs module's list). A
 * `userId` of another environment is a 404, as in the ISV API.
 */
export function consoleLinkRoutes(
  app: FastifyInstance,
  service: ConsoleService,
  links: (
    env: Environment,
    filter: { userId?: string | undefined; integrationId?: string | undefined },
  ) => Promise<ConsoleLink[]>,
): void {
  const Query = z.strictObject({
    userId: z.optional(z.string().check(z.minLength(1), z.maxLength(1000))),
    integrationId: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  });
  app.get('/links', async (request) => {
    await requireSession(service, request);
    const filter = parseInput(Query, request.query, 'query');
    return { data: await links(environmentOf(request), filter) };
  });
}

/** The installs module's Active toggle, handed in by the composition root (404 for an unknown integration). */
export type SetIntegrationActive = (
  env: Environment,
  integrationId: string,
  active: boolean,
) => Promise<SetActiveResponse>;

/**
 * `PUT /console/api/integrations/:integrationId/active` `SetActiveBody`: switches the integration
 * on or off for the end users of the `x-alloy-env` environment. Register it in the `/console/api`
 * scope after `consoleApiRoutes` (same hooks: no-store, same origin only).
 */
export function consoleActiveRoutes(
  app: FastifyInstance,
  service: ConsoleService,
  setActive: SetIntegrationActive,
): void {
  app.put('/integrations/:integrationId/active', async (request) => {
    const session = await requireSession(service, request);
    requireCsrf(service, request, session);
    const { integrationId } = parseInput(IntegrationParams, request.params, 'params');
    const { active } = parseInput(SetActiveBody, request.body, 'body');
    return setActive(environmentOf(request), integrationId, active);
  });
}

/**
 * `POST /console/api/test-run`: a draft's blocks run once, now, as a user of the environment
 * (the composition root passes the runtime's test run; nothing is queued or logged). Stopped
 * when the console goes away before the answer.
 */
export function consoleTestRunRoutes(
  app: FastifyInstance,
  service: ConsoleService,
  testRun: (env: Environment, body: z.infer<typeof TestRunBody>, signal: AbortSignal) => Promise<TestRunResponse>,
): void {
  app.post('/test-run', async (request, reply) => {
    const session = await requireSession(service, request);
    requireCsrf(service, request, session);
    const body = parseInput(TestRunBody, request.body, 'body');
    const gone = new AbortController();
    reply.raw.once('close', () => gone.abort());
    // A draft the definition checks refuse is `validation_failed` (400, like a release with issues).
    return testRun(environmentOf(request), body, gone.signal);
  });
}
