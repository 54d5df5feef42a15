import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

export const PUBLIC_KEY_PATH = '/security/alloy_public_key.pem';

/** The RSA public key that checks `X-Alloy-Signature`, where Alloy's docs tell receivers to fetch it. */
export function securityRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(PUBLIC_KEY_PATH, async (_request, reply) => {
    reply
      .type('application/x-pem-file')
      .header('cache-control', 'public, max-age=3600')
      .header('access-control-allow-origin', '*')
      .header('x-content-type-options', 'nosniff');
    return ctx.signingKeys.publicKeyPem;
  });
}
