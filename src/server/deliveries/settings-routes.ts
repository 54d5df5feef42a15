import * as endpoints from '../../contract/endpoints.js';
import type { ApiRouter } from '../http/router.js';
import type { AppContext } from '../context.js';
import { DefinitionError } from '../definitions/index.js';
import { DomainError } from '../platform/errors.js';
import type { Environment } from '../users/index.js';
import { publicKeyPath } from './security-routes.js';

export function accountRoutes(api: ApiRouter, ctx: AppContext): void {
  /**
   * What receivers need to verify our requests, next to where they go: the caller's environment's
   * material only (a development key never sees production's secret).
   */
  const withSigning = (
    env: Environment,
    settings: { installationWebhookUrl: string | null; errorStreamUrl: string | null },
  ) => ({
    ...settings,
    environment: env,
    webhookSecret: ctx.signingKeys[env].webhookSecret,
    publicKeyUrl: ctx.absoluteUrl(publicKeyPath(env)),
  });

  api.add(endpoints.getSettings, {
    tag: 'Settings',
    summary: 'The environment’s settings',
    description:
      'Each API key’s environment has its own URLs and its own signing material. A value set with PUT wins over the ALLOY_INSTALLATION_WEBHOOK_URL / ALLOY_ERROR_STREAM_URL environment variables. `webhookSecret` (Standard Webhooks) and the key at `publicKeyUrl` (`X-Alloy-Signature`) verify every request the server sends for this environment; each request names its environment in `x-alloy-environment` and in the body’s `environment` field.',
    handler: async ({ caller }) => withSigning(caller.env, await ctx.settings.get(caller.env)),
  });

  api.add(endpoints.updateSettings, {
    tag: 'Settings',
    summary: 'Set the installation webhook and error stream URLs',
    description:
      'https URLs (http only for localhost). `null` clears a value (the environment variable applies again).',
    handler: async ({ caller, body }) => withSigning(caller.env, await ctx.settings.update(caller.env, body)),
  });

  api.add(endpoints.reloadDefinitions, {
    tag: 'Definitions',
    summary: 'Reload the integration definitions',
    description:
      'Re-reads the definition files (as SIGHUP does). New versions are released; a file that changes a released version, drops an installed one or fails validation is refused with 409 `definitions_invalid`, and the loaded definitions stay as they were. ' +
      'The definitions serve both environments, so only the production API key may reload them (403 `forbidden` for the development key); an operator can also send SIGHUP.',
    errors: [403, 409],
    handler: async ({ caller }) => {
      // Audit issue 13 item 17e: the development key (shared with the ISV's developers and test
      // setups) could release new workflow versions to production users.
      if (caller.env !== 'production') {
        throw new DomainError(
          'forbidden',
          'Reloading the definitions releases new versions to production too: use the production API key, or send SIGHUP to the server process.',
        );
      }
      try {
        return await ctx.definitions.reload();
      } catch (error) {
        if (error instanceof DefinitionError) throw new DomainError('definitions_invalid', error.message);
        throw error;
      }
    },
  });
}
