import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../context.js';
import type { Environment } from '../users/index.js';

/** Where Alloy's docs tell receivers to fetch the key: production's (real receivers are production's). */
export const PUBLIC_KEY_PATH = '/security/alloy_public_key.pem';

/** Each environment's key at its own path; `GET /settings` gives the caller's environment's as `publicKeyUrl`. */
export const publicKeyPath = (env: Environment): string => `/security/${env}/alloy_public_key.pem`;

/** The RSA public keys that check `X-Alloy-Signature`: one per environment, as each signs with its own. */
export function securityRoutes(app: FastifyInstance, ctx: AppContext): void {
  const serve = (env: Environment) => async (_request: unknown, reply: FastifyReply) => {
    reply
      .type('application/x-pem-file')
      .header('cache-control', 'public, max-age=3600')
      .header('access-control-allow-origin', '*')
      .header('x-content-type-options', 'nosniff');
    return ctx.signingKeys[env].publicKeyPem;
  };
  app.get(PUBLIC_KEY_PATH, serve('production'));
  for (const env of ['development', 'production'] as const) app.get(publicKeyPath(env), serve(env));
}
