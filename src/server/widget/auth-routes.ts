import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import {
  CreateWidgetCredentialRequest,
  IntegrationParams,
  OAuthSession,
  OAuthSessionView,
  StartOAuthRequest,
  WidgetAppsResponse,
  WidgetCredentialResponse,
  type AuthField,
  type WidgetApp,
} from '../../contract/index.js';
import type { ApiRouter } from '../http/router.js';
import { callerOf, requireIntegrationScope, requireUserToken, type Caller } from '../http/auth.js';
import {
  checkOrigin,
  checkProperties,
  findConnector,
  oauthOf,
  type Connector,
  type ConnectorProperty,
} from '../connections/index.js';
import type { AppContext } from '../context.js';
import { latestVersion, versionConnectors } from '../definitions/definitions.js';
import { parseInput } from '../http/errors.js';
import { DomainError, notFound } from '../platform/errors.js';

const SessionParams = z.strictObject({ sessionId: z.string().check(z.minLength(1), z.maxLength(100)) });

const authField = (p: ConnectorProperty): AuthField => ({
  name: p.name,
  displayName: p.displayName,
  type: p.type,
  required: p.required,
  help: p.description,
});

/** The connector of `app`, or a 400 naming the field. */
function connectorOf(app: string): Connector {
  const connector = findConnector(app);
  if (!connector) {
    throw new DomainError('validation_failed', `There is no app "${app}".`, [
      { path: ['app'], message: 'unknown app' },
    ]);
  }
  return connector;
}

/** The apps an integration's latest versions need a connection to. */
function neededApps(ctx: AppContext, integrationId: string): string[] | undefined {
  const integration = ctx.definitions.current.integration(integrationId);
  if (!integration) return undefined;
  return [...new Set(integration.workflows.flatMap((wf) => versionConnectors(latestVersion(wf))))].sort();
}

/** A token scoped to one integration (Embedded Link) may only connect the apps that integration uses. */
function requireAppInScope(ctx: AppContext, caller: Caller, app: string): void {
  if (caller.integrationId === undefined) return;
  if (!(neededApps(ctx, caller.integrationId) ?? []).includes(app)) {
    throw new DomainError('forbidden', 'This user token only connects the apps of its install link’s integration.');
  }
}

/** The auth step's routes (the modal's contract in `contract/widget-auth.ts`), called with the user token. */
export function widgetAuthRoutes(app: FastifyInstance, ctx: AppContext): void {
  const userToken = requireUserToken(ctx.secrets);
  const currentUser = (request: FastifyRequest): string => {
    const caller = callerOf(request);
    const user = ctx.users.find(caller.env, caller.userId!);
    if (!user) throw new DomainError('token_invalid', 'The user of this token no longer exists.');
    return user.userId;
  };

  app.get('/widget/integrations/:integrationId/apps', { preHandler: userToken }, async (request) => {
    const userId = currentUser(request);
    const { integrationId } = parseInput(IntegrationParams, request.params, 'params');
    requireIntegrationScope(callerOf(request), integrationId);
    const needed = neededApps(ctx, integrationId);
    if (!needed) throw notFound('The integration');
    const data: WidgetApp[] = [];
    for (const id of needed) {
      const connector = findConnector(id);
      if (!connector) continue;
      const oauth = oauthOf(connector);
      data.push({
        app: connector.id,
        name: connector.displayName,
        icon: ctx.absoluteUrl(connector.icon),
        ...(connector.auth.type === 'apiKey' ? { fields: connector.auth.properties.map(authField) } : {}),
        ...(oauth ? { oauth: { preOAuthFields: oauth.oauth.properties.map(authField) } } : {}),
        connections: (await ctx.credentials.forConnector(userId, connector.id))
          .reverse()
          .map((c) => ({ credentialId: c.credentialId, name: c.name, createdAt: c.createdAt })),
      });
    }
    return { data } satisfies WidgetAppsResponse;
  });

  app.post('/widget/credentials', { preHandler: userToken }, async (request) => {
    const userId = currentUser(request);
    const body = parseInput(CreateWidgetCredentialRequest, request.body, 'body');
    requireAppInScope(ctx, callerOf(request), body.app);
    const connector = connectorOf(body.app);
    if (connector.auth.type !== 'apiKey') {
      throw new DomainError('oauth_not_supported', `${connector.displayName} connects with OAuth only.`);
    }
    const prepared = ctx.credentials.validate(connector.id, body.fields, ['fields']);
    await ctx.runtime.testCredential(prepared.connector, prepared.data, ['fields']);
    // Installed app-event workflows waiting for a connection subscribe as it is saved.
    const credentialId = await ctx.credentials.save(userId, prepared);
    return {
      credentialId,
      name: (await ctx.credentials.require(userId, credentialId)).name,
    } satisfies WidgetCredentialResponse;
  });

  app.post('/widget/oauth/sessions', { preHandler: userToken }, async (request, reply) => {
    const userId = currentUser(request);
    const body = parseInput(StartOAuthRequest, request.body, 'body');
    requireAppInScope(ctx, callerOf(request), body.app);
    const connector = connectorOf(body.app);
    const oauth = oauthOf(connector);
    if (!oauth) {
      throw new DomainError('oauth_not_supported', `${connector.displayName} connects with an API key, not OAuth.`);
    }
    const origin = checkOrigin(body.origin);
    const fields = checkProperties(connector.displayName, oauth.oauth.properties, body.fields, ['fields']);
    const session = await ctx.oauth.createSession(userId, oauth, fields, origin);
    reply.status(201);
    return {
      sessionId: session.sessionId,
      authorizeUrl: `${ctx.publicUrl}/oauth/start/${session.sessionId}`,
      state: session.state,
      expiresAt: session.expiresAt,
    } satisfies OAuthSession;
  });

  app.get('/widget/oauth/sessions/:sessionId', { preHandler: userToken }, async (request, reply) => {
    const userId = currentUser(request);
    const { sessionId } = parseInput(SessionParams, request.params, 'params');
    reply.header('cache-control', 'no-store');
    return (await ctx.oauth.view(userId, sessionId)) satisfies OAuthSessionView;
  });
}

/** The auth step's routes in /openapi.json and /reference. */
export function documentWidgetAuthRoutes(router: ApiRouter): void {
  router.document({
    method: 'GET',
    path: '/widget/integrations/:integrationId/apps',
    operationId: 'widgetListApps',
    tag: 'Widget',
    summary: 'The apps an integration needs a connection to',
    description:
      'For the modal’s auth step: per app, the fields to connect with an API key, the fields asked before OAuth, and the user’s existing connections (newest first).',
    auth: 'userToken',
    params: IntegrationParams,
    response: WidgetAppsResponse,
    errors: [404],
  });
  router.document({
    method: 'POST',
    path: '/widget/credentials',
    operationId: 'widgetCreateCredential',
    tag: 'Widget',
    summary: 'Connect an app with typed fields',
    description:
      'Tests the connection against the app, then stores it encrypted. 400 `credential_invalid` names the refused field in `issues[].path` (`["fields", name]`); 502 `app_unreachable` when the app cannot be reached.',
    auth: 'userToken',
    body: CreateWidgetCredentialRequest,
    response: WidgetCredentialResponse,
    errors: [502],
  });
  router.document({
    method: 'POST',
    path: '/widget/oauth/sessions',
    operationId: 'widgetStartOAuth',
    tag: 'Widget',
    summary: 'Start connecting an app with OAuth',
    description:
      'Creates a 10-minute session (PKCE verifier and one-time state kept on the server). Open `authorizeUrl` in a popup within 2 minutes, from a page’s script: the first navigation binds the session to that browser (an HttpOnly cookie), and only that browser can start or finish it. The callback page posts `{type:"alloy:oauth-complete", sessionId, state, status}` to `origin` only. Poll the session for hosts without `window.opener`.',
    auth: 'userToken',
    body: StartOAuthRequest,
    response: OAuthSession,
    status: 201,
  });
  router.document({
    method: 'GET',
    path: '/widget/oauth/sessions/:sessionId',
    operationId: 'widgetGetOAuthSession',
    tag: 'Widget',
    summary: 'An OAuth session’s outcome',
    description: 'pending, succeeded (with the new connection), failed (with a message), cancelled or expired.',
    auth: 'userToken',
    params: SessionParams,
    response: OAuthSessionView,
    errors: [404],
  });
}
