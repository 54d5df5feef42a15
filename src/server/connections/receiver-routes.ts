import type { FastifyInstance } from 'fastify';
import * as z from 'zod/mini';
import { ObjectId } from '../../contract/index.js';
import type { AppContext } from '../context.js';
import { parseInput } from '../http/errors.js';

const ReceiverParams = z.strictObject({ parentWorkflowId: ObjectId, userId: ObjectId });

/** Third-party webhooks are at most this big; the store's are a few kilobytes. */
const RECEIVER_BODY_LIMIT = 1024 * 1024;

/**
 * `POST /webhooks/:parentWorkflowId/:userId`: where apps deliver the events app-event triggers
 * subscribed to. Registered in its own scope with a parser that keeps the raw body, because the
 * signature is over the bytes as sent, not over re-serialised JSON.
 */
export function receiverRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: RECEIVER_BODY_LIMIT }, (_request, body, done) =>
    done(null, body),
  );
  app.post('/webhooks/:parentWorkflowId/:userId', async (request, reply) => {
    const params = parseInput(ReceiverParams, request.params, 'params');
    const rawBody = typeof request.body === 'string' ? request.body : '';
    const answer = await ctx.runtime.triggers.receive(params.parentWorkflowId, params.userId, request.headers, rawBody);
    return reply.status(answer.status).send(answer.body);
  });
}
