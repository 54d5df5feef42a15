import * as endpoints from '../../contract/endpoints.js';
import type { ApiRouter } from '../http/router.js';
import { CONNECTORS, credentialMetadata, findConnector, oauthOf, type Connector } from './connectors/index.js';
import type { AppContext } from '../context.js';
import { DomainError, notFound } from '../platform/errors.js';
import { checkProperties } from './credentials.js';

/** Query parameters the legacy clients add that are not connector properties (alloy-node sends its whole argument). */
const LEGACY_REDIRECT_ECHOES = new Set(['integrationId', 'userId', 'credentialName']);

export function credentialRoutes(api: ApiRouter, ctx: AppContext): void {
  /**
   * A headless OAuth connection: the same session as the modal's, without an opener to tell (its
   * callback page posts only to this server's own origin, then says the window can be closed).
   */
  const startHeadlessOAuth = async (
    userId: string,
    connector: Connector,
    fields: Record<string, string>,
  ): Promise<string> => {
    const oauth = oauthOf(connector);
    if (!oauth) {
      throw new DomainError(
        'oauth_not_supported',
        `${connector.displayName} connects with an API key, not OAuth: create the credential with POST /headless/credentials.`,
      );
    }
    const clean = checkProperties(connector.displayName, oauth.oauth.properties, fields, ['query']);
    const session = await ctx.oauth.createSession(userId, oauth, clean, new URL(ctx.publicUrl).origin);
    return `${ctx.publicUrl}/oauth/start/${session.sessionId}`;
  };

  api.add(endpoints.listCredentialMetadata, {
    tag: 'Credentials',
    summary: 'How to connect each app',
    description: 'Every connector with whether it uses OAuth and the properties a user fills in to connect it.',
    handler: () => ({ data: CONNECTORS.map((c) => credentialMetadata(c, ctx.absoluteUrl)) }),
  });

  api.add(endpoints.listApps, {
    tag: 'Credentials',
    summary: 'The app catalogue',
    description: 'Every connector with the events its triggers listen to and the actions its blocks can take.',
    handler: () => ({
      data: CONNECTORS.map((c) => ({
        name: c.id,
        displayName: c.displayName,
        icon: ctx.absoluteUrl(c.icon),
        isOauth: oauthOf(c) !== undefined,
        events: c.events,
        actions: c.actions.map((a) => ({ name: a.name, description: a.description })),
      })),
    }),
  });

  for (const endpoint of [endpoints.getCredentialMetadata, endpoints.getCredentialMetadataLegacy]) {
    api.add(endpoint, {
      tag: 'Credentials',
      summary: endpoint.path.startsWith('/metadata')
        ? 'How to connect one app'
        : 'How to connect one app (alloy-node path)',
      errors: [404],
      handler: ({ params }) => {
        const connector = findConnector(params.credentialName);
        if (!connector) throw notFound('The connector');
        return { data: credentialMetadata(connector, ctx.absoluteUrl) };
      },
    });
  }

  api.add(endpoints.getLegacyOAuthRedirect, {
    tag: 'Credentials',
    summary: 'The OAuth redirect of an app (legacy)',
    description:
      'The older form of /headless/oauthUrl (alloy-node, alloy-python), answering `{data:{redirectUrl}}` for apps with OAuth. The query carries the app’s pre-OAuth properties; `integrationId`, `userId` and `credentialName` (which must equal the path’s) are accepted because the official clients send them. API-key-only connectors answer 400 `oauth_not_supported`.',
    errors: [404],
    handler: async ({ caller, params, query }) => {
      const user = await ctx.users.require(caller.env, params.userId);
      const connector = findConnector(params.credentialName);
      if (!connector) throw notFound('The connector');
      // alloy-node's getUserOauthRedirect(data) sends all of `data` as the query, credentialName included.
      if (query.credentialName !== undefined && query.credentialName !== params.credentialName) {
        throw new DomainError(
          'validation_failed',
          'Invalid request query. credentialName: must equal the credential name in the path',
          [{ path: ['credentialName'], message: 'must equal the credential name in the path' }],
        );
      }
      const fields = Object.fromEntries(Object.entries(query).filter(([name]) => !LEGACY_REDIRECT_ECHOES.has(name)));
      return { data: { redirectUrl: await startHeadlessOAuth(user.userId, connector, fields) } };
    },
  });

  for (const endpoint of [endpoints.listUserCredentials, endpoints.listUserCredentialsV2]) {
    api.add(endpoint, {
      tag: 'Credentials',
      summary: endpoint.path.startsWith('/users/')
        ? 'List a user’s credentials'
        : 'List a user’s credentials (2025-09 path)',
      description: 'Metadata only: credential data is never returned.',
      errors: [404],
      handler: async ({ caller, params }) => ({
        data: await ctx.credentials.list((await ctx.users.require(caller.env, params.userId)).userId),
      }),
    });
  }

  api.add(endpoints.deleteUserCredential, {
    tag: 'Credentials',
    summary: 'Delete a user’s credential',
    description: 'Installations that used it lose the connection; their runs fail until the user connects again.',
    errors: [404],
    handler: async ({ caller, params }) => {
      const userId = (await ctx.users.require(caller.env, params.userId)).userId;
      // Webhook subscriptions made with it are removed while it still works; others take over after.
      await ctx.credentials.remove(userId, params.credentialId);
      return { success: true as const };
    },
  });

  api.add(endpoints.createCredential, {
    tag: 'Headless',
    summary: 'Create a credential for a user',
    description:
      '`credential.data` holds the connector’s properties (see /metadata/credentials). It is checked against the properties, then tested against the app (400 `credential_invalid` when the app refuses it, 502 `app_unreachable` when the app cannot be reached), then stored encrypted (AES-256-GCM) and never returned.',
    errors: [404, 502],
    handler: async ({ caller, body }) => {
      const user = await ctx.users.require(caller.env, body.userId);
      const prepared = ctx.credentials.validate(body.credential.type, body.credential.data);
      await ctx.runtime.testCredential(prepared.connector, prepared.data);
      // Installed app-event workflows waiting for a connection subscribe as it is saved.
      const credentialId = await ctx.credentials.save(user.userId, prepared);
      return { success: true as const, credentialId };
    },
  });

  api.add(endpoints.getOAuthUrl, {
    tag: 'Headless',
    summary: 'The authorize URL of an OAuth app',
    description:
      'For connectors with OAuth (Demo Store offers it next to its API key), with their pre-OAuth properties as extra query parameters (e.g. `shop`). Send the user to the URL: it starts a 10-minute session with PKCE; after consent the server exchanges the code and stores the credential (list the user’s credentials to see it). API-key-only connectors answer 400 `oauth_not_supported`.',
    errors: [404],
    handler: async ({ caller, query }) => {
      const user = await ctx.users.require(caller.env, query.userId);
      const fields = Object.fromEntries(
        Object.entries(query).filter(([name]) => name !== 'userId' && name !== 'app'),
      ) as Record<string, string>;
      const connector = findConnector(query.app);
      if (!connector) throw notFound('The connector');
      return { oauthUrl: await startHeadlessOAuth(user.userId, connector, fields) };
    },
  });

  api.add(endpoints.startInstallation, {
    tag: 'Headless',
    summary: 'Start a headless installation',
    description:
      'Picks the credential for each app the integration uses (the user’s only one, or the one named in `credentialIds`; 400 `credential_required` otherwise) and returns the fields to fill. Complete within 24 hours. 409 `conflict` when the integration is switched off in the user’s environment and the user has not installed it.',
    errors: [404, 409],
    handler: async ({ caller, body }) =>
      ctx.headless.start((await ctx.users.require(caller.env, body.userId)).userId, body),
  });

  api.add(endpoints.completeInstallation, {
    tag: 'Headless',
    summary: 'Complete a headless installation',
    description:
      'Checks the answers against the fields (required, type, rules) and installs. Honours `Idempotency-Key`, so a retried completion answers the same.',
    errors: [404, 409, 422],
    idempotencyScope: 'headless-complete',
    // Inside the idempotency transaction; the installs service settles the user's app triggers
    // once it commits.
    handler: ({ caller, body, conn }) => ctx.headless.complete(caller.env, body, conn),
  });
}
