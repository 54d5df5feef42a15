import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type * as z from 'zod/mini';
import { NoQuery } from '../../contract/index.js';
import type { Endpoint } from '../../contract/endpoints.js';
import { callerOf, requireApiKey, requireApiKeyOrUserToken, requireUserToken, type Caller } from './auth.js';
import { parseInput } from './errors.js';
import { runIdempotent, type IdempotencyMode } from './idempotency.js';
import type { ApiKeyFailureGuard } from './rate-limits.js';
import type { Conn, Database } from '../platform/db/index.js';
import type { ServerSecrets } from '../users/index.js';

export type { AuthMode, Endpoint } from '../../contract/endpoints.js';
type Schema = z.ZodMiniType;
type Input<E, K extends 'params' | 'query' | 'body'> = E extends { [P in K]: infer S extends Schema }
  ? z.output<S>
  : undefined;
type Output<E extends Endpoint> = z.output<E['response']>;

/** What the server adds to an endpoint of the table for its documentation. */
export interface RouteDocs {
  tag: string;
  summary: string;
  description?: string;
  /** Documented error statuses besides 400/401/500, which every route may answer. */
  errors?: number[];
}

/** A preHandler that admits a request (sets `request.caller`) or throws. */
export type CredentialCheck = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Which credential a route admits instead of the endpoint's own (the console's session on the ISV
 * endpoints it mounts again under /console/api/isv); `undefined` leaves that endpoint out.
 */
export type RouteCredential = (endpoint: Endpoint) => CredentialCheck | undefined;

/** What the OpenAPI document needs to know about a route: its endpoint and its docs. */
export interface RouteDoc extends Endpoint, RouteDocs {}

export interface RouteInput<E extends Endpoint> {
  params: Input<E, 'params'>;
  query: Input<E, 'query'>;
  body: Input<E, 'body'>;
  caller: Caller;
  /**
   * Where the handler's queries go: the database, or (an idempotent endpoint in `transaction`
   * mode with an `Idempotency-Key`) the transaction that also stores the answer.
   */
  conn: Conn;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface Route<E extends Endpoint> extends RouteDocs {
  /**
   * An idempotent endpoint's key space (keys are per space and per caller: the user of a user
   * token, else the API key's environment); the operationId when absent.
   */
  idempotencyScope?: string;
  /** Where an idempotent endpoint's handler runs (see IdempotencyMode); `transaction` when absent. */
  idempotency?: IdempotencyMode;
  handler(input: RouteInput<E>): Output<E> | Promise<Output<E>>;
  /**
   * Runs after the handler's transaction (and on an idempotent replay too), before the answer is
   * sent: work that awaits the network, such as an app's trigger subscription.
   */
  after?(input: RouteInput<E>, answer: Output<E>): Promise<void>;
}

/**
 * The server's side of the endpoint table (src/contract/endpoints.ts): a route names its endpoint
 * (method, path, schemas, credential, idempotency) and adds its docs and handler. Input is parsed
 * strictly (no query schema means no query parameters), the handler only ever sees typed input,
 * `idempotent` endpoints honour `Idempotency-Key` here, and with `validateResponses` (on in tests)
 * every answer is checked against its response schema.
 */
export class ApiRouter {
  readonly docs: RouteDoc[] = [];

  constructor(
    private readonly app: FastifyInstance,
    private readonly secrets: ServerSecrets,
    private readonly database: Database,
    private readonly validateResponses: boolean,
    /** Counts wrong API keys per client IP and refuses a client that sends too many. */
    private readonly apiKeyFailures?: ApiKeyFailureGuard,
    /** Another credential than the endpoints' own (see RouteCredential); the endpoint's when absent. */
    private readonly credential?: RouteCredential,
  ) {}

  add<E extends Endpoint>(endpoint: E, route: Route<E>): void {
    const { handler, after, idempotencyScope, idempotency, ...docs } = route;
    const spec: Endpoint = endpoint;
    const preHandler = this.credential
      ? this.credential(spec)
      : {
          apiKey: requireApiKey,
          apiKeyOrUserToken: requireApiKeyOrUserToken,
          userToken: requireUserToken,
        }[spec.auth](this.secrets, this.apiKeyFailures);
    if (!preHandler) return;
    this.docs.push({ ...spec, ...docs });
    const status = spec.status ?? 200;
    this.app.route({
      method: spec.method,
      url: spec.path,
      preHandler,
      handler: async (request, reply) => {
        // No query schema means no query parameters: strict like every other input.
        if (!spec.query) parseInput(NoQuery, request.query, 'query');
        const params = spec.params ? parseInput(spec.params, request.params, 'params') : undefined;
        const query = spec.query ? parseInput(spec.query, request.query, 'query') : undefined;
        const body = spec.body ? parseInput(spec.body, request.body, 'body') : undefined;
        const caller = callerOf(request);
        const inputOn = (conn: Conn) => ({ params, query, body, caller, conn, request, reply }) as RouteInput<E>;
        const run = async (conn: Conn) => {
          reply.status(status);
          const result = await handler(inputOn(conn));
          this.checkResponse(spec, reply, result);
          return { status: reply.statusCode, body: result };
        };
        const answer = spec.idempotent
          ? await runIdempotent(
              this.database,
              {
                scope: `${idempotencyScope ?? spec.operationId}:${caller.userId ?? caller.env}`,
                key: idempotencyKey(request),
                // What a repeat must send again: the body, or all of the input when there are params or a query.
                requestBody: spec.params || spec.query ? { params, query, body } : body,
                mode: idempotency ?? 'transaction',
              },
              run,
            )
          : await run(this.database);
        if (after) await after(inputOn(this.database), answer.body);
        reply.status(answer.status);
        return answer.body;
      },
    });
  }

  private checkResponse(spec: Endpoint, reply: FastifyReply, result: unknown): void {
    if (!this.validateResponses || reply.statusCode >= 300) return;
    const checked = spec.response.safeParse(result);
    if (!checked.success) {
      const detail = checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`${spec.operationId} answered outside its response schema: ${detail}`);
    }
  }
}

/** The Idempotency-Key header, if sent (checked by runIdempotent). */
function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  return Array.isArray(key) ? key[0] : key;
}
