import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type * as z from 'zod/mini';
import { NoQuery } from '../../contract/index.js';
import { callerOf, requireApiKey, requireApiKeyOrUserToken, requireUserToken, type Caller } from './auth.js';
import { parseInput } from './errors.js';
import type { ApiKeyFailureGuard } from './rate-limits.js';
import type { ServerSecrets } from '../users/index.js';

export type AuthMode = 'apiKey' | 'apiKeyOrUserToken' | 'userToken';
type Schema = z.ZodMiniType;
type Parsed<S> = S extends Schema ? z.output<S> : undefined;

/** What the OpenAPI document needs to know about a route. */
export interface RouteDoc {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify syntax (`/users/:userId`), relative to the version prefix. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  auth: AuthMode;
  params?: Schema;
  query?: Schema;
  body?: Schema;
  response: Schema;
  /** The success status; 200 when absent. */
  status?: number;
  /** Honours an `Idempotency-Key` header. */
  idempotent?: boolean;
  /** Documented error statuses besides 400/401/500, which every route may answer. */
  errors?: number[];
}

export interface RouteInput<P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  caller: Caller;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<P, Q, B, R extends Schema> extends RouteDoc {
  params?: P & Schema;
  query?: Q & Schema;
  body?: B & Schema;
  response: R;
  handler(input: RouteInput<P, Q, B>): z.output<R> | Promise<z.output<R>>;
}

/**
 * One table drives routing, input validation and the OpenAPI document: each route names its
 * schemas from src/contract, and the handler only ever sees parsed, typed input. With
 * `validateResponses` (on in tests) every answer is also checked against its response schema.
 */
export class ApiRouter {
  readonly docs: RouteDoc[] = [];

  constructor(
    private readonly app: FastifyInstance,
    private readonly secrets: ServerSecrets,
    private readonly validateResponses: boolean,
    /** Counts wrong API keys per client IP and refuses a client that sends too many. */
    private readonly apiKeyFailures?: ApiKeyFailureGuard,
  ) {}

  add<P = undefined, Q = undefined, B = undefined, R extends Schema = Schema>(spec: RouteSpec<P, Q, B, R>): void {
    const { handler, ...doc } = spec;
    this.docs.push(doc);
    const preHandler = {
      apiKey: requireApiKey,
      apiKeyOrUserToken: requireApiKeyOrUserToken,
      userToken: requireUserToken,
    }[spec.auth](this.secrets, this.apiKeyFailures);
    this.app.route({
      method: spec.method,
      url: spec.path,
      preHandler,
      handler: async (request, reply) => {
        // No query schema means no query parameters: strict like every other input.
        if (!spec.query) parseInput(NoQuery, request.query, 'query');
        const input = {
          params: (spec.params ? parseInput(spec.params, request.params, 'params') : undefined) as Parsed<P>,
          query: (spec.query ? parseInput(spec.query, request.query, 'query') : undefined) as Parsed<Q>,
          body: (spec.body ? parseInput(spec.body, request.body, 'body') : undefined) as Parsed<B>,
          caller: callerOf(request),
          request,
          reply,
        };
        if (spec.status !== undefined) reply.status(spec.status);
        const result = await handler(input);
        if (this.validateResponses && reply.statusCode < 300) {
          const checked = spec.response.safeParse(result);
          if (!checked.success) {
            const detail = checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
            throw new Error(`${spec.operationId} answered outside its response schema: ${detail}`);
          }
        }
        return result;
      },
    });
  }

  /** Documents a route registered elsewhere (the widget routes), so the OpenAPI document is complete. */
  document(doc: RouteDoc): void {
    this.docs.push(doc);
  }
}
