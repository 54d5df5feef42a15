/**
 * Fuzzing kit for the hardening suite: JSON Schema → fast-check arbitraries, hostile values and
 * mutations, a keep-alive HTTP client with a hang bound, and the response checks every fuzzed
 * answer must pass (no 5xx, no stack trace, the error shape of its surface).
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import fc from 'fast-check';

export type JsonSchema = { [key: string]: unknown };

/** The fixed seed (FUZZ_SEED overrides it); each target derives its own so adding one moves no other. */
export const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? 0x5eed2026 : Number(process.env.FUZZ_SEED);
/** Payloads per target (FUZZ_RUNS overrides it, e.g. to go deeper by hand). */
export const FUZZ_RUNS = process.env.FUZZ_RUNS === undefined ? 1000 : Number(process.env.FUZZ_RUNS);
/** A request that has not answered after this long is a hang. */
export const HANG_MS = 5_000;

export const seedFor = (name: string, seed = FUZZ_SEED): number =>
  (createHash('sha256').update(`${seed}:${name}`).digest().readUInt32BE(0) & 0x7fffffff) >>> 0;

// ---------------------------------------------------------------------------------------------
// Hostile values

const LONG = 'x'.repeat(100_000);
/** Strings that break naive parsers, coercions, path handling and renderers. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\n',
  'null',
  'undefined',
  'NaN',
  '-NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '0x10',
  '0b1',
  '1_000',
  '9'.repeat(400),
  '-1',
  '1.5',
  '00000000000000000000000000',
  'true',
  '[]',
  '{}',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0644\u0627',
  '\ufeff',
  '\u200b',
  '🙂'.repeat(200),
  'é'.repeat(3000),
  'Ω'.repeat(70_000),
  LONG,
  '../../../../etc/passwd',
  '..\\..\\windows',
  '%00',
  '%',
  '%zz',
  '%C0%AF',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR '1'='1' --",
  '; DROP TABLE users; --',
  '${7*7}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'javascript:alert(1)',
  'http://127.0.0.1:9/x',
  'file:///etc/passwd',
  'a'.repeat(321),
  '65a1c0de0000000000000001 ',
  'FFFFFFFFFFFFFFFFFFFFFFFF',
];

/** Raw JSON number tokens that JSON.parse turns into surprises (Infinity, lost precision, -0). */
export const NASTY_NUMBER_TOKENS: readonly string[] = [
  '1e999',
  '-1e999',
  '-0',
  '123456789012345678901234567890',
  '9007199254740993',
  '0.0000000000000000000000001',
  '1E+2',
  '4.9e-324',
];

/** JSON values of every type, including prototype-bearing keys. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      0,
      -1,
      1.5,
      2 ** 31,
      2 ** 53 + 2,
      1e308,
      -1e308,
      Number.MIN_VALUE,
      true,
      false,
      null,
      [],
      {},
      [[[[]]]],
      { a: { b: { c: {} } } },
      [null],
      [''],
    ),
  },
  { weight: 1, arbitrary: protoPayload() },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 64 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
);

/** `{"__proto__":{...}}` and `{"constructor":{"prototype":{...}}}`, built so the keys are own keys. */
export function protoPayload(): fc.Arbitrary<unknown> {
  return fc.constantFrom('__proto__', 'constructor', 'prototype').map((key) => {
    const inner = key === 'constructor' ? JSON.parse('{"prototype":{"polluted":1}}') : { polluted: 1 };
    return JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(inner)}}`) as unknown;
  });
}

/** Mostly modest nesting; now and then deep enough to break a recursive parser or serialiser. */
const NESTING_DEPTH = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 20, max: 500 }) },
  { weight: 1, arbitrary: fc.constantFrom(5_000, 20_000, 100_000) },
);

/** Deeply nested JSON text (arrays or objects), up to `depth` levels. */
export const deepJson = (depth: number, kind: 'array' | 'object'): string =>
  kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

// ---------------------------------------------------------------------------------------------
// JSON Schema → arbitrary

/** Known-good values by field/parameter name: they take generated requests past lookups into the handlers. */
export type Hints = Readonly<Record<string, readonly string[]>>;

/**
 * An arbitrary of values valid for `schema` (the subset zod's `toJSONSchema` emits: type, enum,
 * const, anyOf/oneOf, pattern, format, min/max, properties/required/additionalProperties, items).
 * String fields named in `hints` use the known values most of the time.
 */
export function schemaArb(schema: JsonSchema, hints: Hints = {}, name?: string): fc.Arbitrary<unknown> {
  const known = name === undefined ? undefined : hints[name];
  const generated = bareSchemaArb(schema, hints);
  if (!known || known.length === 0) return generated;
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: generated });
}

function bareSchemaArb(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...(schema.enum as unknown[]));
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union) && union.length > 0) return fc.oneof(...union.map((s) => schemaArb(s, hints)));
  const type = schema.type;
  if (Array.isArray(type)) return fc.oneof(...type.map((t) => bareSchemaArb({ ...schema, type: t }, hints)));
  switch (type) {
    case 'string':
      return stringArb(schema);
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1_000_000;
      const max = typeof schema.maximum === 'number' ? schema.maximum : 1_000_000;
      return type === 'integer'
        ? fc.integer({ min: Math.ceil(Math.max(min, -(2 ** 31))), max: Math.floor(Math.min(max, 2 ** 31)) })
        : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const items = (schema.items as JsonSchema | undefined) ?? {};
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const maxLength = Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 4, minLength + 4);
      return fc.array(schemaArb(items, hints), { minLength, maxLength });
    }
    case 'object':
      return objectArb(schema, hints);
    default:
      // `{}`: anything JSON.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Mostly plain characters, sometimes any code point (lone surrogates included). */
const STRING_UNIT = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('a', 'Z', '0', '-', '_', '.', ' ', '@') },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);

function stringArb(schema: JsonSchema): fc.Arbitrary<string> {
  if (typeof schema.pattern === 'string') {
    const pattern = schema.pattern.startsWith('^') ? schema.pattern : `^(?:${schema.pattern})$`;
    return fc.stringMatching(new RegExp(pattern));
  }
  if (schema.format === 'email') return fc.emailAddress();
  if (schema.format === 'uri') return fc.constant('http://127.0.0.1:9/fuzz');
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = Math.min(typeof schema.maxLength === 'number' ? schema.maxLength : 40, minLength + 40);
  return fc.string({ minLength, maxLength, unit: STRING_UNIT });
}

function objectArb(schema: JsonSchema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const entries = Object.entries(properties);
  const record = fc.record(Object.fromEntries(entries.map(([key, s]) => [key, schemaArb(s, hints, key)])), {
    requiredKeys: entries.map(([key]) => key).filter((key) => required.has(key)),
  }) as fc.Arbitrary<Record<string, unknown>>;
  const extra = schema.additionalProperties;
  if (entries.length === 0 && extra !== undefined && extra !== false) {
    const valueSchema = typeof extra === 'object' && extra !== null ? (extra as JsonSchema) : {};
    return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), schemaArb(valueSchema, hints), { maxKeys: 4 });
  }
  return record;
}

// ---------------------------------------------------------------------------------------------
// Requests

export interface FuzzRequest {
  method: string;
  /** Already encoded, as it goes on the request line. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Which generator made it (for the counterexample). */
  kind: string;
}

/** Percent-encodes every byte outside the unreserved set (lone surrogates become U+FFFD). */
export const pct = (value: string): string =>
  [...Buffer.from(value, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');

/** Junk that is legal on the request line but hostile to decoders and routers. */
export const PATH_JUNK: readonly string[] = [
  '%',
  '%zz',
  '%00',
  '%2F',
  '%2e%2e',
  '..',
  '.',
  '%C0%AF',
  '%E0%A4%A',
  '%FF%FE',
  '%ED%A0%80',
  '%25',
  '%u0041',
  '%F0%9F%98',
  '~',
  'a'.repeat(1100),
  '%2F..%2F..%2Fetc%2Fpasswd',
  ';a=b',
  '%3Cscript%3E',
];

export type QueryValue = string | string[];

/** Serialises a query object; arrays repeat the parameter. */
export function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${pct(key)}=${pct(v)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** Values generated for a query string: anything that is not a string is sent as its JSON text. */
export const asQueryValue = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);

/**
 * The one guard this suite puts on generated data: any http(s) URL naming a host other than
 * loopback is pointed at a closed loopback port, so nothing a fuzzed setting or subscription makes
 * the server call can leave the machine.
 */
export function keepOnLoopback<T>(value: T): T {
  if (typeof value === 'string') {
    return (
      /^\s*[a-z][a-z0-9+.-]*:/i.test(value) &&
      !/^\s*https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\])(?:[:/]|$)/i.test(value)
        ? 'http://127.0.0.1:9/fuzz'
        : value
    ) as T;
  }
  if (Array.isArray(value)) return value.map((v) => keepOnLoopback(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, key, {
        value: keepOnLoopback((value as Record<string, unknown>)[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out as T;
  }
  return value;
}

/** A random mutation of a JSON body (as text, so number tokens JSON cannot produce fit in). */
export function mutateJson(base: unknown): fc.Arbitrary<{ text: string; note: string }> {
  const text = JSON.stringify(base) ?? 'null';
  const keys = base && typeof base === 'object' && !Array.isArray(base) ? Object.keys(base) : [];
  const withKey = (key: string, value: unknown) => {
    const copy: Record<string, unknown> = {};
    for (const k of keys) copy[k] = (base as Record<string, unknown>)[k];
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    return JSON.stringify(keepOnLoopback(copy));
  };
  const options: fc.Arbitrary<{ text: string; note: string }>[] = [
    nastyValue.map((v) => ({ text: JSON.stringify(v) ?? 'null', note: 'body replaced by a hostile value' })),
    fc.constantFrom(...NASTY_NUMBER_TOKENS).map((n) => ({ text: n, note: 'top-level number token' })),
    fc
      .tuple(NESTING_DEPTH, fc.constantFrom('array' as const, 'object' as const))
      .map(([depth, kind]) => ({ text: deepJson(depth, kind), note: `nesting ${depth} (${kind})` })),
    fc.constantFrom('__proto__', 'constructor').map((key) => ({
      text:
        key === '__proto__'
          ? withKey('__proto__', { polluted: 1 })
          : withKey('constructor', { prototype: { polluted: 1 } }),
      note: `${key} key`,
    })),
    fc
      .string({ minLength: 1, maxLength: 20 })
      .chain((key) => nastyValue.map((v) => ({ text: withKey(key, v), note: `unknown key ${JSON.stringify(key)}` }))),
    fc
      .integer({ min: 0, max: Math.max(0, text.length - 1) })
      .map((cut) => ({ text: text.slice(0, cut), note: `truncated at ${cut}` })),
    fc
      .tuple(
        fc.integer({ min: 0, max: text.length }),
        fc.constantFrom(',', '}', '"', '\\', '\u0000', ':', 'NaN', '\ud800'),
      )
      .map(([at, junk]) => ({
        text: text.slice(0, at) + junk + text.slice(at),
        note: `${JSON.stringify(junk)} inserted at ${at}`,
      })),
  ];
  if (keys.length > 0) {
    options.push(
      fc
        .tuple(fc.constantFrom(...keys), nastyValue)
        .map(([key, v]) => ({ text: withKey(key, v), note: `${key} = hostile value` })),
      fc.tuple(fc.constantFrom(...keys), fc.constantFrom(...NASTY_NUMBER_TOKENS)).map(([key, n]) => ({
        text: withKey(key, '__NUM__').replace('"__NUM__"', n),
        note: `${key} = ${n}`,
      })),
      fc
        .tuple(fc.constantFrom(...keys), NESTING_DEPTH, fc.constantFrom('array' as const, 'object' as const))
        .map(([key, depth, kind]) => ({
          text: withKey(key, '__DEEP__').replace('"__DEEP__"', deepJson(depth, kind)),
          note: `${key} nested ${depth} deep (${kind})`,
        })),
      fc.constantFrom(...keys).map((key) => {
        const copy = { ...(base as Record<string, unknown>) };
        delete copy[key];
        return { text: JSON.stringify(copy), note: `${key} removed` };
      }),
      fc.constantFrom(...keys).map((key) => ({
        text: `${text.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(NASTY_STRINGS[5])}}`,
        note: `${key} duplicated`,
      })),
    );
  }
  return fc.oneof(...options);
}

/** Bodies that are not JSON at all, or JSON sent as something else. */
export const wrongBody: fc.Arbitrary<{ body: Buffer | string; contentType?: string; note: string }> = fc.oneof(
  fc
    .uint8Array({ maxLength: 2048 })
    .map((bytes) => ({ body: Buffer.from(bytes), contentType: 'application/json', note: 'random bytes as JSON' })),
  fc
    .uint8Array({ maxLength: 512 })
    .map((bytes) => ({ body: Buffer.from(bytes), note: 'random bytes, no content type' })),
  fc
    .constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/jsonx',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'application/json, text/plain',
      '*/*',
      ';;;',
      'application/merge-patch+json',
    )
    .map((contentType) => ({ body: '{"a":1}', contentType, note: `content-type ${contentType}` })),
  fc.constant({ body: '', contentType: 'application/json', note: 'empty body with a JSON content type' }),
  fc.constant({ body: '   ', contentType: 'application/json', note: 'blank body with a JSON content type' }),
  fc.constant({
    body: Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
    contentType: 'application/json',
    note: 'BOM before {}',
  }),
  fc.constant({
    body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
    contentType: 'application/json',
    note: 'invalid UTF-8 key',
  }),
  fc
    .jsonValue({ maxDepth: 4 })
    .map((v) => ({ body: JSON.stringify(v) ?? 'null', contentType: 'application/json', note: 'random JSON' })),
);

// ---------------------------------------------------------------------------------------------
// Sending

export interface FuzzResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export type SendOutcome =
  { ok: true; response: FuzzResponse } | { ok: false; hang: boolean; error: string; ms: number };

export class FuzzClient {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  constructor(readonly port: number) {}

  send(request: FuzzRequest, timeoutMs = HANG_MS): Promise<SendOutcome> {
    const started = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      const done = (outcome: SendOutcome) => {
        if (!settled) {
          settled = true;
          resolve(outcome);
        }
      };
      const headers: http.OutgoingHttpHeaders = { ...request.headers };
      if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
      let req: http.ClientRequest;
      try {
        req = http.request({
          host: '127.0.0.1',
          port: this.port,
          method: request.method,
          path: request.path,
          headers,
          agent: this.agent,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        // The client refused to send it (an illegal character): a bug of this generator, not the server.
        throw new Error(`unsendable request ${describe(request)}: ${(error as Error).message}`);
      }
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          done({
            ok: true,
            response: {
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
              ms: performance.now() - started,
            },
          }),
        );
        res.on('error', (error) =>
          done({ ok: false, hang: error.name === 'AbortError', error: String(error), ms: performance.now() - started }),
        );
      });
      req.on('error', (error) =>
        done({
          ok: false,
          hang: error.name === 'AbortError' || error.name === 'TimeoutError',
          error: `${error.name}: ${error.message}`,
          ms: performance.now() - started,
        }),
      );
      req.end(request.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Checks

/** How a surface answers errors: our JSON shape, RFC 6749's `{error, error_description}`, or an HTML page. */
export type ErrorShape = 'api' | 'oauth' | 'page';

const STACK_FRAME = /\n\s+at \S|\bat (?:async )?\S+ \((?:file:\/\/|node:|\/)[^)]*:\d+:\d+\)/;
const SOURCE_PATH = /(?:\/(?:src|node_modules|test)\/[\w@./-]+\.(?:[cm]?[jt]s)\b)|(?:file:\/\/\/)/;

/** What is wrong with this answer, or undefined. */
export function problemWith(request: FuzzRequest, response: FuzzResponse, shape: ErrorShape): string | undefined {
  if (response.status >= 500) return `status ${response.status}`;
  const sent = `${request.path}\n${request.body?.toString() ?? ''}\n${JSON.stringify(request.headers)}`;
  for (const pattern of [STACK_FRAME, SOURCE_PATH]) {
    const match = pattern.exec(response.body);
    // An answer may echo what was sent; only text the request did not carry is a leak.
    if (match && !sent.includes(match[0].trim()))
      return `stack trace or source path in the body: ${JSON.stringify(match[0])}`;
  }
  if (response.status < 400) return undefined;
  const type = String(response.headers['content-type'] ?? '');
  if (shape === 'page' && type.startsWith('text/html')) return undefined;
  if (!type.startsWith('application/json')) return `error with content-type ${JSON.stringify(type)}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    return 'error body is not JSON';
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  if (shape === 'oauth' && typeof error === 'string') return undefined;
  if (!error || typeof error !== 'object') return 'error body lacks {error:{...}}';
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || code.length === 0) return 'error.code is not a string';
  if (typeof message !== 'string' || message.length === 0) return 'error.message is not a string';
  return undefined;
}

const clip = (text: string, max = 600): string =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

export function describe(request: FuzzRequest): string {
  const body =
    request.body === undefined
      ? ''
      : Buffer.isBuffer(request.body)
        ? `base64:${request.body.toString('base64')}`
        : request.body;
  return `${request.method} ${clip(request.path, 400)} [${request.kind}] headers=${clip(JSON.stringify(request.headers), 600)} body=${clip(body)}`;
}

export interface TargetStats {
  requests: number;
  statuses: Map<number, number>;
  maxMs: number;
  failures: string[];
  hangs: number;
  fiveHundreds: number;
  stacks: number;
}

/** Sends every request (at most `concurrency` in flight) and checks each answer. */
export async function sendAll(
  client: FuzzClient,
  requests: readonly FuzzRequest[],
  shape: ErrorShape,
  concurrency = 8,
): Promise<TargetStats> {
  const stats: TargetStats = {
    requests: 0,
    statuses: new Map(),
    maxMs: 0,
    failures: [],
    hangs: 0,
    fiveHundreds: 0,
    stacks: 0,
  };
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      const request = requests[index]!;
      const outcome = await client.send(request);
      stats.requests++;
      stats.maxMs = Math.max(stats.maxMs, outcome.ok ? outcome.response.ms : outcome.ms);
      if (!outcome.ok) {
        if (outcome.hang) stats.hangs++;
        stats.failures.push(
          `#${index} ${outcome.hang ? 'HANG' : 'connection error'} (${outcome.error}) ← ${describe(request)}`,
        );
        continue;
      }
      const { response } = outcome;
      stats.statuses.set(response.status, (stats.statuses.get(response.status) ?? 0) + 1);
      const problem = problemWith(request, response, shape);
      if (problem) {
        if (response.status >= 500) stats.fiveHundreds++;
        if (problem.startsWith('stack')) stats.stacks++;
        stats.failures.push(
          `#${index} ${problem}: ${response.status} ${clip(response.body, 400)} ← ${describe(request)}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return stats;
}

/** Own keys of the built-in prototypes, to prove none were added. */
export function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((proto) => Reflect.ownKeys(proto).map(String).sort().join(','))
    .join('|');
}
