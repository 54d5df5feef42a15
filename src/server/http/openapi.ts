import * as z from 'zod/mini';
import { ApiErrorBody } from '../../contract/index.js';
import type { AuthMode, RouteDoc } from './router.js';

/** The subset of JSON Schema the document and the reference page use. */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  additionalProperties?: boolean | JsonSchema;
  [key: string]: unknown;
};

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security: Record<string, string[]>[];
  parameters: OpenApiParameter[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<
    string,
    {
      description: string;
      headers?: Record<string, { $ref: string }>;
      content?: { 'application/json': { schema: JsonSchema } };
    }
  >;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    securitySchemes: Record<string, Record<string, string>>;
    schemas: Record<string, JsonSchema>;
    headers: Record<string, { description: string; schema: JsonSchema }>;
  };
}

/** Every response names its request (src/server/http/request-id.ts). */
const REQUEST_ID_HEADERS = { 'X-Request-Id': { $ref: '#/components/headers/RequestId' } };

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: `error.issues` lists each problem with its field path',
  401: 'Missing or invalid API key (or user token)',
  403: 'A user token acting for another user',
  404: 'Unknown id, or one of the other environment',
  409: 'Conflicts with the current state (see `error.code`)',
  413: 'Body larger than 1 MiB',
  415: 'Body is not application/json',
  422: 'Idempotency-Key reused with a different body',
  500: 'Our bug: `error.requestId` identifies it in the server log; no details leak',
};

const SECURITY: Record<AuthMode, Record<string, string[]>[]> = {
  apiKey: [{ apiKey: [] }],
  apiKeyOrUserToken: [{ apiKey: [] }, { userToken: [] }],
  userToken: [{ userToken: [] }],
};

/** JSON Schema (2020-12, which OpenAPI 3.1 uses) of a contract schema, as a request sends it. */
export function jsonSchema(schema: z.ZodMiniType): JsonSchema {
  const result = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete result.$schema;
  return result;
}

function parametersOf(schema: z.ZodMiniType | undefined, where: 'path' | 'query'): OpenApiParameter[] {
  if (!schema) return [];
  const object = jsonSchema(schema);
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** Builds the OpenAPI 3.1 document from the route table: the same schemas that validate requests. */
export function buildOpenApiDocument(routes: readonly RouteDoc[], publicUrl: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const status = String(route.status ?? 200);
    const parameters = [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')];
    if (route.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: '1-255 visible ASCII characters. Same key and body: same answer, no second run (for 24 hours).',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      });
    }
    const errorStatuses = [...new Set([400, 401, ...(route.errors ?? []), 500])].sort((a, b) => a - b);
    const operation: OpenApiOperation = {
      operationId: route.operationId,
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      security: SECURITY[route.auth],
      parameters,
      responses: {
        [status]: {
          description: route.summary,
          headers: REQUEST_ID_HEADERS,
          content: { 'application/json': { schema: jsonSchema(route.response) } },
        },
        ...Object.fromEntries(
          errorStatuses.map((code) => [
            String(code),
            {
              description: ERROR_DESCRIPTIONS[code] ?? 'Error',
              headers: REQUEST_ID_HEADERS,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } },
            },
          ]),
        ),
      },
    };
    if (route.body) {
      const body = jsonSchema(route.body);
      // An optional body (bodyless POST/PUT) is described as `{}` or nothing.
      const optional = route.body.safeParse(undefined).success;
      operation.requestBody = { required: !optional, content: { 'application/json': { schema: body } } };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  const tags = [...new Set(routes.map((r) => r.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Alloy Embedded API',
      version: '2024-03',
      description:
        'The Embedded API: ISV calls with `Authorization: Bearer <API key>`, browser calls with `x-alloy-user-token`. Every dated prefix (`/2022-09`, `/2023-12`, `/2024-03`, ...) reaches the same handlers, as does an unprefixed path with an `x-api-version: YYYY-MM` header. Errors are `{ "message", "error": { "code", "message", "issues?" } }` (the top-level `message` repeats `error.message`, which is what alloy-node throws); unknown fields are refused. Every response carries `X-Request-Id` (readable cross-origin): the id the server logged the request under, which a support request should quote; send your own `X-Request-Id` (8-128 of `A-Z a-z 0-9 . _ : -`) to have the server use it.',
    },
    servers: [{ url: `${publicUrl}/2024-03`, description: 'Any YYYY-MM prefix works the same' }],
    tags,
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Your development or production API key' },
        userToken: { type: 'apiKey', in: 'header', name: 'x-alloy-user-token', description: 'A user token (JWT)' },
      },
      schemas: { ApiError: jsonSchema(ApiErrorBody) },
      headers: {
        RequestId: {
          description:
            "The request's id in the server log: the caller's own `X-Request-Id` when it sent a well-formed one, else a UUID",
          schema: { type: 'string', minLength: 8, maxLength: 128 },
        },
      },
    },
  };
}
