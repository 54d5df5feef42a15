import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** Names each request on every response, so a user's "Details" and the server log meet. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What a caller's (or a proxy's) own id may look like to be kept: short, printable, no spaces, so it
 * cannot forge log lines or carry a payload. Anything else gets a fresh UUID.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Fastify's `genReqId`: the incoming `x-request-id` when it is sane, else a random UUID. */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Answers `x-request-id` on every response; registered before any hook that may answer early. */
export function registerRequestIdHeader(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
