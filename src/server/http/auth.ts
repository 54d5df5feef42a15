import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../platform/errors.js';
import type { ApiKeyFailureGuard } from './rate-limits.js';
import { environmentForApiKey, type Environment, type ServerSecrets } from '../users/index.js';
import { verifyUserToken } from '../users/index.js';

export interface Caller {
  env: Environment;
  /** Set when the caller is an end user holding a user token rather than the ISV's API key. */
  userId?: string;
  /** Set when that token is an Embedded Link's: it may only touch this integration. */
  integrationId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

const BEARER = /^bearer\s+(\S+)\s*$/i;
export const USER_TOKEN_HEADER = 'x-alloy-user-token';

/**
 * The caller an `Authorization` header names. A client over its failure limit is refused before
 * its key is even compared (so a correct guess cannot be told apart), and every wrong or
 * malformed key counts against it.
 */
async function apiKeyCaller(
  secrets: ServerSecrets,
  request: FastifyRequest,
  reply: FastifyReply,
  guard: ApiKeyFailureGuard | undefined,
): Promise<Caller | undefined> {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  await guard?.refuseIfBlocked(request, reply);
  const match = BEARER.exec(header);
  const env = match ? await environmentForApiKey(secrets, match[1]!) : undefined;
  if (!env) {
    await guard?.recordFailure(request);
    throw new DomainError('unauthorized', 'The API key is missing or not valid.');
  }
  return { env };
}

async function userTokenCaller(secrets: ServerSecrets, request: FastifyRequest): Promise<Caller | undefined> {
  const header = request.headers[USER_TOKEN_HEADER];
  if (header === undefined) return undefined;
  const token = Array.isArray(header) ? header[0] : header;
  const result = await verifyUserToken(secrets.jwtSecret, token ?? '');
  if (!result.ok) throw new DomainError(result.code, result.message);
  return {
    env: result.env,
    userId: result.userId,
    ...(result.integrationId === undefined ? {} : { integrationId: result.integrationId }),
  };
}

/** A preHandler that admits the ISV's API key (`Authorization: Bearer <key>`, any case of "bearer"). */
export const requireApiKey =
  (secrets: ServerSecrets, guard?: ApiKeyFailureGuard) =>
  async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const caller = await apiKeyCaller(secrets, request, reply, guard);
    if (!caller) throw new DomainError('unauthorized', 'Send your API key as "Authorization: Bearer <key>".');
    request.caller = caller;
  };

/** A preHandler that admits an end user's token in the `x-alloy-user-token` header. */
export const requireUserToken =
  (secrets: ServerSecrets) =>
  async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const caller = await userTokenCaller(secrets, request);
    if (!caller) throw new DomainError('token_invalid', `Send the user token in the ${USER_TOKEN_HEADER} header.`);
    request.caller = caller;
  };

/** Either credential: the data calls alloy-frontend makes send the user token where the backend sends a key. */
export const requireApiKeyOrUserToken =
  (secrets: ServerSecrets, guard?: ApiKeyFailureGuard) =>
  async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const caller = (await userTokenCaller(secrets, request)) ?? (await apiKeyCaller(secrets, request, reply, guard));
    if (!caller) throw new DomainError('unauthorized', 'Send an API key or a user token.');
    request.caller = caller;
  };

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error('route is missing its auth preHandler');
  return request.caller;
}

/**
 * Refuses a token scoped to one integration (an Embedded Link's) on another one: 403, the same
 * answer whether or not the other integration exists.
 */
export function requireIntegrationScope(caller: Caller, integrationId: string): void {
  if (caller.integrationId !== undefined && caller.integrationId !== integrationId) {
    throw new DomainError('forbidden', 'This user token only works for the integration of its install link.');
  }
}
