import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import { CreateInstallationRequest, ObjectId, type ValidationIssue } from '../../contract/index.js';
import { callerOf, requireIntegrationScope, requireUserToken } from '../http/auth.js';
import type { AppContext } from '../context.js';
import { latestVersion, versionConnectors } from '../definitions/definitions.js';
import { parseInput } from '../http/errors.js';
import { DomainError, notFound } from '../platform/errors.js';
import { runIdempotent } from '../http/idempotency.js';

const IntegrationParams = z.object({ integrationId: ObjectId });

/** The widget API the install modal calls with the end user's token. */
export function widgetRoutes(app: FastifyInstance, ctx: AppContext): void {
  const userToken = requireUserToken(ctx.secrets);

  const currentUser = (request: FastifyRequest): string => {
    const caller = callerOf(request);
    const user = ctx.users.find(caller.env, caller.userId!);
    if (!user) throw new DomainError('token_invalid', 'The user of this token no longer exists.');
    return user.userId;
  };

  app.get('/widget/integrations/:integrationId', { preHandler: userToken }, async (request) => {
    const userId = currentUser(request);
    const { integrationId } = parseInput(IntegrationParams, request.params, 'params');
    requireIntegrationScope(callerOf(request), integrationId);
    return ctx.integrations.widgetView(userId, integrationId);
  });

  app.post('/widget/installations', { preHandler: userToken }, async (request, reply) => {
    const userId = currentUser(request);
    const body = parseInput(CreateInstallationRequest, request.body, 'body');
    requireIntegrationScope(callerOf(request), body.integrationId);
    const chosenCredentials = await chosenConnections(ctx, userId, body);
    const key = request.headers['idempotency-key'];
    const result = runIdempotent(ctx.db, `widget-install:${userId}`, Array.isArray(key) ? key[0] : key, body, () => ({
      status: 201,
      body: ctx.integrations.install(userId, body, chosenCredentials ? { chosenCredentials } : {}),
    }));
    // App-event triggers subscribe before the answer (up to 5 s); a slow or failing app finishes or
    // retries in the background.
    await ctx.runtime.triggers.settle(userId);
    return reply.status(result.status).send(result.body);
  });
}

/** `credentialIds` checked: each app is one the integration uses, each credential the user's own of that app. */
async function chosenConnections(
  ctx: AppContext,
  userId: string,
  body: CreateInstallationRequest,
): Promise<ReadonlyMap<string, string> | undefined> {
  if (!body.credentialIds) return undefined;
  const integration = ctx.definitions.current.integration(body.integrationId);
  if (!integration) throw notFound('The integration');
  const needed = new Set(integration.workflows.flatMap((wf) => versionConnectors(latestVersion(wf))));
  const issues: ValidationIssue[] = [];
  for (const [app, credentialId] of Object.entries(body.credentialIds)) {
    const credential = await ctx.credentials.find(userId, credentialId);
    if (!needed.has(app))
      issues.push({ path: ['credentialIds', app], message: 'this integration does not use this app' });
    else if (!credential || credential.type !== app) {
      issues.push({ path: ['credentialIds', app], message: `no ${app} connection of this user has this id` });
    }
  }
  if (issues.length > 0) {
    throw new DomainError('validation_failed', `Invalid credentialIds: ${issues[0]!.message}.`, issues);
  }
  return new Map(Object.entries(body.credentialIds));
}
