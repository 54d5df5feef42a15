import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimits } from '../platform/config.js';
import { DomainError } from '../platform/errors.js';

/** Every limit counts over a fixed window of one minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;

/** Counts failed API-key authentications per client IP and refuses a client that has failed too often. */
export interface ApiKeyFailureGuard {
  /** Throws 429 (with Retry-After) while this client is over its failure limit. */
  refuseIfBlocked(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Records one failed authentication (a wrong or malformed key). */
  recordFailure(request: FastifyRequest): Promise<void>;
}

export interface RateLimiting {
  apiKeyFailures: ApiKeyFailureGuard;
  /**
   * An onRequest hook limiting each route it runs on to `perMinute` requests per client IP (on
   * top of the global ceiling), with its own counters per route.
   */
  perRoute(perMinute: number): RequestLimit;
}

/** A hook (onRequest or preHandler) that throws 429 when the client is over a limit. */
export type RequestLimit = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

const tooMany = (reply: FastifyReply, retryAfterSeconds: number, what: string): DomainError => {
  const seconds = Math.max(1, retryAfterSeconds);
  reply.header('retry-after', String(seconds));
  return new DomainError('rate_limited', `Too many ${what} from this address; retry in ${seconds} s.`);
};

/**
 * Registers @fastify/rate-limit (the global per-IP ceiling on every route registered after this
 * call, the 404 handler included) and returns the stricter limiters the routes use. Register it
 * before any route. Counters are per process (in memory), like the other in-process guards.
 */
export async function registerRateLimits(app: FastifyInstance, limits: RateLimits): Promise<RateLimiting> {
  await app.register(rateLimit, {
    global: true,
    max: limits.globalPerMinute,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    // Only a refused request says how long to wait; ordinary answers carry no rate headers.
    addHeadersOnExceeding: {
      'x-ratelimit-limit': false,
      'x-ratelimit-remaining': false,
      'x-ratelimit-reset': false,
    },
    addHeaders: {
      'x-ratelimit-limit': false,
      'x-ratelimit-remaining': false,
      'x-ratelimit-reset': false,
      'retry-after': true,
    },
    errorResponseBuilder: (_request, context) =>
      new DomainError('rate_limited', `Too many requests from this address; retry in ${context.after}.`),
  });

  const failures: Limiter = app.createRateLimit({
    max: limits.authFailuresPerMinute,
    timeWindow: RATE_LIMIT_WINDOW_MS,
    keyGenerator: (request) => request.ip,
  });
  const apiKeyFailures: ApiKeyFailureGuard = {
    async refuseIfBlocked(request, reply) {
      const state = await failures(request, { increment: false });
      if (!state.isAllowed && state.remaining === 0)
        throw tooMany(reply, state.ttlInSeconds, 'failed API-key attempts');
    },
    async recordFailure(request) {
      await failures(request);
    },
  };

  return {
    apiKeyFailures,
    perRoute(perMinute) {
      // Its own counters, per route and IP: opening links does not use up the OAuth pages' budget.
      const limiter: Limiter = app.createRateLimit({
        max: perMinute,
        timeWindow: RATE_LIMIT_WINDOW_MS,
        keyGenerator: (request) => `${request.ip} ${request.routeOptions.url ?? ''}`,
      });
      return async (request, reply) => {
        const state = await limiter(request);
        if (!state.isAllowed && state.isExceeded) throw tooMany(reply, state.ttlInSeconds, 'requests');
      };
    },
  };
}
