import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import { CreateUserRequest, ListIntegrationsQuery } from '../../contract/index.js';
import { callerOf, requireApiKey, requireApiKeyOrUserToken } from '../auth.js';
import { ApiError, parseInput } from '../http-errors.js';
import type { AppContext } from '../context.js';
import { issueUserToken } from '../user-token.js';

const UserIdParams = z.object({ userId: z.string().check(z.minLength(1)) });

/** The ISV REST API (API-key authenticated) routes of the foundation slice. */
export function isvRoutes(app: FastifyInstance, ctx: AppContext): void {
  const apiKey = requireApiKey(ctx.secrets);

  app.post('/users', { preHandler: apiKey }, async (request) => {
    const { env } = callerOf(request);
    const body = parseInput(CreateUserRequest, request.body, 'body');
    const user = ctx.users.create(env, body.username, body.fullName);
    return { userId: user.userId };
  });

  const tokenHandler = async (request: FastifyRequest) => {
    const { env } = callerOf(request);
    const { userId } = parseInput(UserIdParams, request.params, 'params');
    const user = ctx.users.require(env, userId);
    return { token: await issueUserToken(ctx.secrets.jwtSecret, { userId: user.userId, env }) };
  };
  app.get('/users/:userId/token', { preHandler: apiKey }, tokenHandler);
  app.get('/user/:userId/token', { preHandler: apiKey }, tokenHandler);

  // The ISV backend passes ?userId=; the browser SDK sends the user token and no userId.
  app.get('/integrations', { preHandler: requireApiKeyOrUserToken(ctx.secrets) }, async (request) => {
    const caller = callerOf(request);
    let userId = caller.userId;
    if (userId === undefined) {
      const query = parseInput(ListIntegrationsQuery, request.query, 'query');
      userId = ctx.users.require(caller.env, query.userId).userId;
    } else if (ctx.users.find(caller.env, userId) === undefined) {
      throw new ApiError(401, 'token_invalid', 'The user of this token no longer exists.');
    }
    return { data: ctx.integrations.list(userId) };
  });
}
