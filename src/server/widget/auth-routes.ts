import type { AuthField, WidgetApp } from '../../contract/index.js';
import * as endpoints from '../../contract/endpoints.js';
import type { ApiRouter } from '../http/router.js';
import { requireIntegrationScope, type Caller } from '../http/auth.js';
import {
  checkOrigin,
  checkProperties,
  findConnector,
  oauthOf,
  type Connector,
  type ConnectorProperty,
} from '../connections/index.js';
import type { AppContext } from '../context.js';
import { appsNeeded } from '../installs/index.js';
import { DomainError, notFound } from '../platform/errors.js';
import { currentUser } from './current-user.js';

const authField = (p: ConnectorProperty): AuthField => ({
  name: p.name,
  displayName: p.displayName,
  type: p.type,
  required: p.required,
  help: p.description,
  ...(p.rules ? { rules: p.rules } : {}),
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
  return appsNeeded(integration.workflows);
}

/** A token scoped to one integration (Embedded Link) may only connect the apps that integration uses. */
function requireAppInScope(ctx: AppContext, caller: Caller, app: string): void {
  if (caller.integrationId === undefined) return;
  if (!(neededApps(ctx, caller.integrationId) ?? []).includes(app)) {
    throw new DomainError('forbidden', 'This user token only connects the apps of its install link’s integration.');
  }
}

/** The auth step's routes (the modal's contract in `contract/widget-auth.ts`), called with the user token. */
export function widgetAuthRoutes(api: ApiRouter, ctx: AppContext): void {
  api.add(endpoints.widgetListApps, {
    tag: 'Widget',
    summary: 'The apps an integration needs a connection to',
    description:
      'For the modal’s auth step: per app, the fields to connect with an API key, the fields asked before OAuth, and the user’s existing connections (newest first; `inUse` marks the one the user’s installation of this integration uses).',
    errors: [404],
    handler: async ({ caller, params }) => {
      const userId = await currentUser(ctx, caller);
      const { integrationId } = params;
      requireIntegrationScope(caller, integrationId);
      const needed = neededApps(ctx, integrationId);
      if (!needed) throw notFound('The integration');
      // The connections the user's installation of this integration uses (an edit starts from them).
      const inUse = await ctx.integrations.linkedCredentials(userId, integrationId);
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
          connections: (await ctx.credentials.forConnector(userId, connector.id)).reverse().map((c) => ({
            credentialId: c.credentialId,
            name: c.name,
            createdAt: c.createdAt,
            ...(inUse[connector.id] === c.credentialId ? { inUse: true as const } : {}),
          })),
        });
      }
      return { data };
    },
  });

  api.add(endpoints.widgetCreateCredential, {
    tag: 'Widget',
    summary: 'Connect an app with typed fields',
    description:
      'Tests the connection against the app, then stores it encrypted. 400 `credential_invalid` names the refused field in `issues[].path` (`["fields", name]`); 502 `app_unreachable` when the app cannot be reached.',
    errors: [502],
    handler: async ({ caller, body }) => {
      const userId = await currentUser(ctx, caller);
      requireAppInScope(ctx, caller, body.app);
      const connector = connectorOf(body.app);
      if (connector.auth.type !== 'apiKey') {
        throw new DomainError('oauth_not_supported', `${connector.displayName} connects with OAuth only.`);
      }
      const prepared = ctx.credentials.validate(connector.id, body.fields, ['fields']);
      await ctx.runtime.testCredential(prepared.connector, prepared.data, ['fields']);
      // The credential service settles the user's app triggers once the credential is saved.
      const credentialId = await ctx.credentials.save(userId, prepared);
      return { credentialId, name: (await ctx.credentials.require(userId, credentialId)).name };
    },
  });

  api.add(endpoints.widgetStartOAuth, {
    tag: 'Widget',
    summary: 'Start connecting an app with OAuth',
    description:
      'Creates a 10-minute session (PKCE verifier and one-time state kept on the server). Open `authorizeUrl` in a popup within 2 minutes, from a page’s script: the first navigation binds the session to that browser (an HttpOnly cookie), and only that browser can start or finish it. The callback page posts `{type:"alloy:oauth-complete", sessionId, state, status}` to `origin` only. Poll the session for hosts without `window.opener`.',
    handler: async ({ caller, body }) => {
      const userId = await currentUser(ctx, caller);
      requireAppInScope(ctx, caller, body.app);
      const connector = connectorOf(body.app);
      const oauth = oauthOf(connector);
      if (!oauth) {
        throw new DomainError('oauth_not_supported', `${connector.displayName} connects with an API key, not OAuth.`);
      }
      const origin = checkOrigin(body.origin);
      const fields = checkProperties(connector.displayName, oauth.oauth.properties, body.fields, ['fields']);
      const session = await ctx.oauth.createSession(userId, oauth, fields, origin);
      return {
        sessionId: session.sessionId,
        authorizeUrl: `${ctx.publicUrl}/oauth/start/${session.sessionId}`,
        state: session.state,
        expiresAt: session.expiresAt,
      };
    },
  });

  api.add(endpoints.widgetGetOAuthSession, {
    tag: 'Widget',
    summary: 'An OAuth session’s outcome',
    description: 'pending, succeeded (with the new connection), failed (with a message), cancelled or expired.',
    errors: [404],
    handler: async ({ caller, params, reply }) => {
      const userId = await currentUser(ctx, caller);
      reply.header('cache-control', 'no-store');
      return ctx.oauth.view(userId, params.sessionId);
    },
  });
}
