import type { FastifyInstance } from 'fastify';
import * as z from 'zod/mini';
import { ObjectId } from '../../contract/index.js';
import type { AppContext } from '../context.js';
import { errorBody, parseInput } from '../http/errors.js';
import type { ReceiverOutcome } from './app-triggers.js';

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
    const outcome = await ctx.runtime.triggers.receive(
      params.parentWorkflowId,
      params.userId,
      request.headers,
      rawBody,
    );
    const answer = answerOf(outcome);
    return reply.status(answer.status).send(answer.body);
  });
}

/**
 * The answer an app gets. A refusal is a 401 rather than a 410, so a real sender with a wrong
 * secret is not told to stop for good; anything accepted is a 200, so the app does not redeliver.
 */
function answerOf(outcome: ReceiverOutcome): { status: number; body: Record<string, unknown> } {
  switch (outcome.kind) {
    case 'refused':
      return { status: 401, body: errorBody('unauthorized', 'The signature does not verify.') };
    case 'invalid':
      return { status: 400, body: errorBody('bad_request', outcome.message) };
    case 'ignored':
      return { status: 200, body: { received: true, ignored: outcome.reason } };
    case 'queued':
      return { status: 200, body: { received: true, runId: outcome.runId, duplicate: outcome.duplicate } };
  }
}
