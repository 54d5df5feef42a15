import type { CreateInstallationRequest, ValidationIssue } from '../../contract/index.js';
import * as endpoints from '../../contract/endpoints.js';
import type { ApiRouter } from '../http/router.js';
import { requireIntegrationScope } from '../http/auth.js';
import type { AppContext } from '../context.js';
import { appsNeeded } from '../installs/index.js';
import { DomainError, notFound } from '../platform/errors.js';
import type { Conn } from '../platform/db/index.js';
import { currentUser } from './current-user.js';

/** The widget API the install modal calls with the end user's token. */
export function widgetRoutes(api: ApiRouter, ctx: AppContext): void {
  api.add(endpoints.widgetGetIntegration, {
    tag: 'Widget',
    summary: 'What the install modal renders for one integration',
    description:
      'Called by the browser SDK with the user token: workflows, the fields to fill, and the current answers. 409 `conflict` when the integration is switched off in the user’s environment and the user has not installed it.',
    errors: [404, 409],
    handler: async ({ caller, params }) => {
      const userId = await currentUser(ctx, caller);
      requireIntegrationScope(caller, params.integrationId);
      return ctx.integrations.widgetView(userId, params.integrationId);
    },
  });

  api.add(endpoints.widgetCreateInstallation, {
    tag: 'Widget',
    summary: 'Install an integration from the modal',
    description:
      'Called by the browser SDK with the user token when the user presses Finish Installation. 409 `conflict` when the integration is switched off in the user’s environment (an existing installation can still be edited).',
    errors: [404, 409, 422],
    idempotencyScope: 'widget-install',
    // Inside the idempotency transaction: every query goes through its `conn`.
    handler: async ({ caller, body, conn }) => {
      const userId = await currentUser(ctx, caller, conn);
      requireIntegrationScope(caller, body.integrationId);
      const chosenCredentials = await chosenConnections(ctx, userId, body, conn);
      // The installs service settles the user's app triggers once the install commits (app-event
      // triggers subscribe before the answer, up to 5 s; a slow app finishes in the background).
      return ctx.integrations.install(userId, body, chosenCredentials ? { chosenCredentials } : {}, conn);
    },
  });

  api.add(endpoints.widgetDeleteInstallation, {
    tag: 'Widget',
    summary: 'Uninstall an integration from the modal',
    description:
      'Called by the browser SDK with the user token (`Alloy.uninstall`, or Uninstall in the edit modal): removes every workflow of the user’s installation, so none runs again, and the installation. The user’s connections are kept.',
    errors: [404],
    handler: async ({ caller, params }) => {
      const userId = await currentUser(ctx, caller);
      requireIntegrationScope(caller, params.integrationId);
      return ctx.integrations.uninstall(userId, params.integrationId);
    },
  });
}

/** `credentialIds` checked: each app is one the integration uses, each credential the user's own of that app. */
async function chosenConnections(
  ctx: AppContext,
  userId: string,
  body: CreateInstallationRequest,
  conn: Conn,
): Promise<ReadonlyMap<string, string> | undefined> {
  if (!body.credentialIds) return undefined;
  const integration = ctx.definitions.current.integration(body.integrationId);
  if (!integration) throw notFound('The integration');
  const needed = new Set(appsNeeded(integration.workflows));
  const issues: ValidationIssue[] = [];
  for (const [app, credentialId] of Object.entries(body.credentialIds)) {
    const credential = await ctx.credentials.find(userId, credentialId, conn);
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
