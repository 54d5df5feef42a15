import path from 'node:path';
import * as z from 'zod/mini';
import { isAllowedWebhookUrl, type Region } from '../../contract/index.js';
import { isValidPathPrefix, PRIVATE_TARGET_POLICIES, type PrivateTargetPolicy } from './outbound-http.js';

export const DEFAULT_PORT = 4000;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Slow-client bounds (milliseconds). Headers are a few hundred bytes: 10 s is generous and stops slowloris early. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** The whole request, body included (bodies are at most 1 MiB). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A connection with no traffic at all is closed after this. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** Requests per minute from one client IP address, per kind of request (`ALLOY_RATE_LIMIT_*`). */
export interface RateLimits {
  /** Any request (the ceiling for everything else); `ALLOY_RATE_LIMIT`. */
  globalPerMinute: number;
  /** Requests with a wrong API key; past it, every API-key request from that IP gets 429 until the minute ends. */
  authFailuresPerMinute: number;
  /** Embedded Link opens (`GET /link/<token>`) and redemptions (`POST /link/session`), each. */
  linkPerMinute: number;
  /** The OAuth popup's start and callback pages, each. */
  oauthPerMinute: number;
  /** Each other unauthenticated page or document (`/link`, `/reference`, `/openapi.json`, page assets, public key). */
  pagesPerMinute: number;
}

/**
 * Far above what a person or an ISV backend sends (the global ceiling is 100 requests a second
 * per IP on average), far below what guessing needs. Keys are ≥128 bits and link tokens 256, so
 * the limits stop noise and scanners, not a feasible search.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  globalPerMinute: 6000,
  authFailuresPerMinute: 30,
  linkPerMinute: 60,
  oauthPerMinute: 60,
  pagesPerMinute: 300,
};

const RATE_LIMIT_ENV: Record<keyof RateLimits, string> = {
  globalPerMinute: 'ALLOY_RATE_LIMIT',
  authFailuresPerMinute: 'ALLOY_RATE_LIMIT_AUTH_FAILURES',
  linkPerMinute: 'ALLOY_RATE_LIMIT_LINKS',
  oauthPerMinute: 'ALLOY_RATE_LIMIT_OAUTH',
  pagesPerMinute: 'ALLOY_RATE_LIMIT_PAGES',
};

const PerMinute = (name: string) =>
  z.optional(
    z.string().check(z.regex(/^[1-9]\d{0,8}$/, `${name} must be a whole number of requests per minute (1-999999999)`)),
  );

const Millis = (name: string) =>
  z.optional(
    z.string().check(z.regex(/^[1-9]\d{2,6}$/, `${name} must be a whole number of milliseconds (100-9999999)`)),
  );

/** Pinned API keys: at least this long and at least this many estimated bits (see `estimateKeyBits`). */
/** The console's password rules (ALLOY_CONSOLE_PASSWORD and the setup form alike). */
export const CONSOLE_PASSWORD_MIN = 12;
export const CONSOLE_PASSWORD_MAX = 256;
/** A console username: 1-100 characters, no whitespace or control characters. */
export const CONSOLE_USERNAME = /^[^\s\p{Cc}]{1,100}$/u;
export const DEFAULT_CONSOLE_USERNAME = 'admin';

export const MIN_PINNED_KEY_LENGTH = 32;
export const MIN_PINNED_KEY_BITS = 128;

/**
 * A conservative guess at how many bits of randomness a key holds: each character is worth
 * log2 of the character classes the key uses (lower, upper, digits, other), except characters
 * that continue a run (`aaa`, `123`, `cba`) or repeat an earlier three-character piece
 * (`passwordpassword`), which are worth nothing. Random keys score about their real entropy (32
 * base64url characters ≈ 190 bits, 32 hex ≈ 165); typed ones score low.
 */
export function estimateKeyBits(key: string): number {
  const chars = [...key];
  const pool =
    (/[a-z]/.test(key) ? 26 : 0) +
    (/[A-Z]/.test(key) ? 26 : 0) +
    (/\d/.test(key) ? 10 : 0) +
    (/[^a-zA-Z\d]/.test(key) ? 33 : 0);
  if (pool === 0) return 0;
  const code = (i: number): number => chars[i]!.codePointAt(0)!;
  const seenTriples = new Set<string>();
  let repeatedLeft = 0;
  let counted = 0;
  for (let i = 0; i < chars.length; i++) {
    const step = i >= 1 ? code(i) - code(i - 1) : Number.NaN;
    const continuesRun = i >= 2 && Math.abs(step) <= 1 && step === code(i - 1) - code(i - 2);
    if (i + 3 <= chars.length && seenTriples.has(chars.slice(i, i + 3).join(''))) repeatedLeft = 3;
    const repeated = repeatedLeft > 0;
    if (repeatedLeft > 0) repeatedLeft--;
    if (i >= 2) seenTriples.add(chars.slice(i - 2, i + 1).join(''));
    if (!continuesRun && !repeated) counted++;
  }
  return counted * Math.log2(pool);
}

/** Why a pinned API key is too weak to guard an API, or undefined when it is fine. */
export function weakPinnedKeyReason(name: string, key: string): string | undefined {
  const advice = 'generate one, e.g. `node -e "console.log(crypto.randomBytes(32).toString(\'base64url\'))"`';
  if (key.length < MIN_PINNED_KEY_LENGTH) {
    return `${name} must be at least ${MIN_PINNED_KEY_LENGTH} characters (it has ${key.length}); ${advice}`;
  }
  const bits = Math.floor(estimateKeyBits(key));
  if (bits < MIN_PINNED_KEY_BITS) {
    return `${name} is too guessable (about ${bits} bits of randomness, at least ${MIN_PINNED_KEY_BITS} needed: no runs like "aaaa" or "1234", no repeated pieces); ${advice}`;
  }
  return undefined;
}

const PinnedKeyEnv = (name: string) =>
  z.optional(
    z.string().check(
      z.superRefine((key, ctx) => {
        const reason = weakPinnedKeyReason(name, key);
        if (reason) ctx.addIssue({ code: 'custom', message: reason, input: key });
      }),
    ),
  );

const WebhookUrlEnv = z.optional(
  z.string().check(z.refine(isAllowedWebhookUrl, 'must be an https URL (http only for localhost)')),
);

/** A brand logo: an https URL (http only on localhost), or a path on this server (`/demo/logo.svg`). */
export function isAllowedLogoUrl(value: string): boolean {
  if (/^\/(?!\/)[^\s\\]*$/.test(value)) return true;
  return isAllowedWebhookUrl(value);
}

const Env = z.object({
  PORT: z.optional(z.string().check(z.regex(/^\d{1,5}$/, 'PORT must be a number'))),
  HOST: z.optional(z.string()),
  ALLOY_TRUST_PROXY: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^(?:[1-9]|[\d.:a-fA-F]+(?:\/\d{1,3})?(?:\s*,\s*[\d.:a-fA-F]+(?:\/\d{1,3})?)*)$/,
          'ALLOY_TRUST_PROXY must be a number of proxy hops (1-9) or a comma-separated list of proxy addresses/CIDRs',
        ),
      ),
  ),
  ALLOY_DATA_DIR: z.optional(z.string().check(z.minLength(1))),
  ALLOY_DATABASE_URL: z.optional(
    z.string().check(z.regex(/^postgres(ql)?:\/\//, 'ALLOY_DATABASE_URL must be a postgres:// URL')),
  ),
  ALLOY_DATABASE_POOL_SIZE: z.optional(
    z.string().check(z.regex(/^[1-9]\d{0,2}$/, 'ALLOY_DATABASE_POOL_SIZE must be a number of connections (1-999)')),
  ),
  ALLOY_KEYS_DIR: z.optional(z.string().check(z.minLength(1))),
  ALLOY_API_KEY: PinnedKeyEnv('ALLOY_API_KEY'),
  ALLOY_PRODUCTION_API_KEY: PinnedKeyEnv('ALLOY_PRODUCTION_API_KEY'),
  ALLOY_PUBLIC_URL: z.optional(z.string()),
  ALLOY_DEFINITIONS_DIR: z.optional(z.string().check(z.minLength(1))),
  ALLOY_ENCRYPTION_KEY: z.optional(z.string().check(z.minLength(1))),
  ALLOY_LOG_RETENTION_DAYS: z.optional(
    z.string().check(z.regex(/^[1-9]\d{0,3}$/, 'ALLOY_LOG_RETENTION_DAYS must be a whole number of days (1-9999)')),
  ),
  ALLOY_INSTALLATION_WEBHOOK_URL: WebhookUrlEnv,
  // The ISV's name and logo on the hosted pages (Embedded Link, OAuth consent).
  ALLOY_BRAND_NAME: z.optional(
    z
      .string()
      .check(
        z.regex(/^\S(?:[^\p{Cc}]{0,98}\S)?$/u, 'ALLOY_BRAND_NAME must be 1-100 characters, no control characters'),
      ),
  ),
  ALLOY_BRAND_LOGO_URL: z.optional(
    z
      .string()
      .check(
        z.maxLength(2000, 'ALLOY_BRAND_LOGO_URL must be at most 2000 characters'),
        z.refine(
          isAllowedLogoUrl,
          'ALLOY_BRAND_LOGO_URL must be an https URL (http only for localhost) or a path starting with /',
        ),
      ),
  ),
  ALLOY_ERROR_STREAM_URL: WebhookUrlEnv,
  ALLOY_REGION_URLS: z.optional(
    z
      .string()
      .check(
        z.refine(
          (value) => parseRegionUrls(value) !== undefined,
          'ALLOY_REGION_URLS must be "us=https://...,eu=https://..." (https, or http on localhost)',
        ),
      ),
  ),
  ALLOY_LOG_LEVEL: z.optional(z.enum(LOG_LEVELS, `ALLOY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)),
  ALLOY_LOG_FILE: z.optional(z.string().check(z.minLength(1))),
  ALLOY_HEADERS_TIMEOUT_MS: Millis('ALLOY_HEADERS_TIMEOUT_MS'),
  ALLOY_REQUEST_TIMEOUT_MS: Millis('ALLOY_REQUEST_TIMEOUT_MS'),
  ALLOY_IDLE_TIMEOUT_MS: Millis('ALLOY_IDLE_TIMEOUT_MS'),
  ALLOY_RATE_LIMIT: PerMinute('ALLOY_RATE_LIMIT'),
  ALLOY_RATE_LIMIT_AUTH_FAILURES: PerMinute('ALLOY_RATE_LIMIT_AUTH_FAILURES'),
  ALLOY_RATE_LIMIT_LINKS: PerMinute('ALLOY_RATE_LIMIT_LINKS'),
  ALLOY_RATE_LIMIT_OAUTH: PerMinute('ALLOY_RATE_LIMIT_OAUTH'),
  ALLOY_RATE_LIMIT_PAGES: PerMinute('ALLOY_RATE_LIMIT_PAGES'),
  ALLOY_SERVE_SOURCE_MAPS: z.optional(z.enum(['0', '1'], 'ALLOY_SERVE_SOURCE_MAPS must be 0 or 1')),
  ALLOY_ALLOW_PRIVATE_TARGETS: z.optional(
    z.enum(PRIVATE_TARGET_POLICIES, `ALLOY_ALLOW_PRIVATE_TARGETS must be one of ${PRIVATE_TARGET_POLICIES.join(', ')}`),
  ),
  ALLOY_SANDBOX: z.optional(z.enum(['0', '1'], 'ALLOY_SANDBOX must be 1 (mount the Demo Store sandbox) or 0')),
  // Stored as a plain SHA-256 like the API keys, so held to the same pinned-key check.
  ALLOY_SANDBOX_OWNER_SECRET: z.optional(
    z.string().check(
      z.maxLength(200, 'ALLOY_SANDBOX_OWNER_SECRET must be at most 200 characters'),
      z.superRefine((key, ctx) => {
        const reason = weakPinnedKeyReason('ALLOY_SANDBOX_OWNER_SECRET', key);
        if (reason) ctx.addIssue({ code: 'custom', message: reason, input: key });
      }),
    ),
  ),
  // The console's first admin, created at start when none exists yet (never changed afterwards).
  ALLOY_CONSOLE_PASSWORD: z.optional(
    z
      .string()
      .check(
        z.minLength(CONSOLE_PASSWORD_MIN, `ALLOY_CONSOLE_PASSWORD must be at least ${CONSOLE_PASSWORD_MIN} characters`),
        z.maxLength(CONSOLE_PASSWORD_MAX, `ALLOY_CONSOLE_PASSWORD must be at most ${CONSOLE_PASSWORD_MAX} characters`),
      ),
  ),
  ALLOY_CONSOLE_USERNAME: z.optional(
    z
      .string()
      .check(
        z.regex(
          CONSOLE_USERNAME,
          'ALLOY_CONSOLE_USERNAME must be 1-100 characters without spaces or control characters',
        ),
      ),
  ),
  ALLOY_RELATIVE_URL_PREFIXES: z.optional(
    z
      .string()
      .check(
        z.refine(
          (value) => value === '' || splitList(value).every(isValidPathPrefix),
          'ALLOY_RELATIVE_URL_PREFIXES must be a comma-separated list of paths that start and end with / (like /demo/api/inbox/)',
        ),
      ),
  ),
});

/** The ISV's name and logo on the pages this server hosts. */
export interface ServerBrand {
  name: string | undefined;
  /** An https URL (http on localhost) or a path on this server. */
  logoUrl: string | undefined;
}

export interface ServerConfig {
  port: number;
  host: string;
  /** SQLite's database and (without `keysDir`) the key files. */
  dataDir: string;
  /** `ALLOY_DATABASE_URL`: PostgreSQL instead of SQLite, for several stateless nodes. */
  databaseUrl: string | undefined;
  /** `ALLOY_DATABASE_POOL_SIZE`: PostgreSQL connections per node (default 10). */
  databasePoolSize: number | undefined;
  /** PostgreSQL schema (tests give each server a fresh one); the connection's default when unset. */
  databaseSchema: string | undefined;
  /**
   * `ALLOY_KEYS_DIR`: where the webhook signing keys live, when not in `dataDir`. Required on
   * PostgreSQL, where every node must sign with the same keys (`npm run keys` writes them).
   */
  keysDir: string | undefined;
  /** Pins the development API key; otherwise one is generated and persisted. */
  pinnedDevApiKey: string | undefined;
  /** Pins the production API key; otherwise one is generated and persisted. */
  pinnedProdApiKey: string | undefined;
  /** Base URL printed and used in generated links; defaults to http://localhost:PORT. */
  publicUrl: string | undefined;
  /** Directory holding the built browser bundles (dist/cdn). */
  cdnDir: string;
  /** Directory holding the built console (dist/console: index.html and assets/), read at each request. */
  consoleDir: string;
  /**
   * `ALLOY_CONSOLE_PASSWORD`: with no console admin yet, one is created at start with this password
   * (and `consoleUsername`); unset, a one-time setup token is made and printed instead.
   */
  consolePassword: string | undefined;
  /** `ALLOY_CONSOLE_USERNAME`: the first admin's username (`admin` when unset). */
  consoleUsername: string | undefined;
  /**
   * `ALLOY_SERVE_SOURCE_MAPS=1`: serve the CDN bundles' source maps (`/scripts/*.map`, which hold
   * the full TypeScript sources) too. Off by default: a public server hands out what runs, not how
   * it was written; turn it on to debug the SDK against this server.
   */
  serveSourceMaps: boolean;
  /** Where the `*.integration.json` definition files are; the bundled seed when absent. */
  definitionsDir: string | undefined;
  /** The credential encryption key (hex or base64 of 32 bytes); else `<dataDir>/encryption.key`. */
  encryptionKey: string | undefined;
  /** Executions older than this are deleted by the pruning job. */
  logRetentionDays: number;
  /**
   * The default installation webhook and error stream URLs (the API's settings override them).
   * From the environment an absolute URL; an entry point may give a path under
   * `relativeUrlPrefixes` instead (the demo's inbox), resolved against the public URL.
   */
  installationWebhookUrl: string | undefined;
  errorStreamUrl: string | undefined;
  /**
   * The ISV's brand on the hosted pages: `ALLOY_BRAND_NAME` names it on the Embedded Link pages
   * and the sandbox's OAuth consent; `ALLOY_BRAND_LOGO_URL` (https, or a path on this server) shows
   * its logo there. Unset: the pages stay neutral.
   */
  brand: ServerBrand;
  /**
   * The API base URL of each region (`ALLOY_REGION_URLS`), which the SDK's `setRegion` reads from
   * `GET /widget/regions`. A region absent here keeps the SDK on the origin it already talks to.
   */
  regionUrls: Partial<Record<Region, string>>;
  /**
   * Which non-public addresses outgoing requests (Stream Data, HTTP request blocks, installation
   * webhook, error stream) may reach: `none`, `loopback` (this machine, for development) or `all`.
   */
  allowPrivateTargets: PrivateTargetPolicy;
  /**
   * Mount the Demo Store sandbox app (a demo third party with an admin API and an OAuth
   * provider) under /sandbox/demo-store. Off unless the entry point or ALLOY_SANDBOX=1 turns it on.
   */
  sandbox: boolean;
  /** The seeded store's owner secret; a new one per start (printed) when unset. */
  sandboxOwnerSecret: string | undefined;
  /**
   * Paths of this server that relative Stream Data / HTTP request URLs may name (each ends with
   * `/`). Only ISV-authored, non-configurable URLs may be relative. Empty: none may.
   */
  relativeUrlPrefixes: readonly string[];
  /** A client must have sent all request headers within this (else 408 and the socket is closed). */
  headersTimeoutMs: number;
  /** A client must have sent the whole request, body included, within this (else 408). At least headersTimeoutMs. */
  requestTimeoutMs: number;
  /** A connection that carries no bytes for this long is closed. */
  idleTimeoutMs: number;
  /** Per-IP request limits (429 with Retry-After past them). */
  rateLimits: RateLimits;
  /**
   * Behind a reverse proxy, which `X-Forwarded-For` entries to believe for the client's address
   * (what the rate limits key on): a number of proxy hops, or the proxies' addresses/CIDRs.
   * Unset: the socket's address (every client behind a proxy would share one limit).
   */
  trustProxy: number | string[] | undefined;
  /** Check every API answer against its response schema (tests turn this on). */
  validateResponses: boolean;
  /** Log requests (off in tests unless a test captures logs); URLs and errors are redacted. */
  logger: boolean;
  /** `ALLOY_LOG_LEVEL`; `warn` when unset. `info` logs every request. */
  logLevel: LogLevel | undefined;
  /** `ALLOY_LOG_FILE`: append the log to this file instead of writing it to stdout. */
  logFile: string | undefined;
}

/**
 * The configuration from the environment. `defaults` are what this entry point assumes when a
 * variable is unset (the demo allows loopback targets, the bare API server does not).
 */
export function configFromEnv(
  env: NodeJS.ProcessEnv,
  root: string,
  defaults: {
    allowPrivateTargets?: PrivateTargetPolicy;
    sandbox?: boolean;
    relativeUrlPrefixes?: string[];
    brand?: ServerBrand;
  } = {},
): ServerConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${message}`);
  }
  const e = parsed.data;
  if (e.ALLOY_DATABASE_URL !== undefined) requireSharedConfiguration(e);
  return {
    port: e.PORT === undefined ? DEFAULT_PORT : Number(e.PORT),
    host: e.HOST ?? '127.0.0.1',
    dataDir: path.resolve(root, e.ALLOY_DATA_DIR ?? '.data'),
    databaseUrl: e.ALLOY_DATABASE_URL,
    databasePoolSize: e.ALLOY_DATABASE_POOL_SIZE === undefined ? undefined : Number(e.ALLOY_DATABASE_POOL_SIZE),
    databaseSchema: undefined,
    keysDir: e.ALLOY_KEYS_DIR === undefined ? undefined : path.resolve(root, e.ALLOY_KEYS_DIR),
    pinnedDevApiKey: e.ALLOY_API_KEY,
    pinnedProdApiKey: e.ALLOY_PRODUCTION_API_KEY,
    publicUrl: e.ALLOY_PUBLIC_URL,
    cdnDir: path.resolve(root, 'dist/cdn'),
    consoleDir: path.resolve(root, 'dist/console'),
    consolePassword: e.ALLOY_CONSOLE_PASSWORD,
    consoleUsername: e.ALLOY_CONSOLE_USERNAME,
    serveSourceMaps: e.ALLOY_SERVE_SOURCE_MAPS === '1',
    definitionsDir: e.ALLOY_DEFINITIONS_DIR === undefined ? undefined : path.resolve(root, e.ALLOY_DEFINITIONS_DIR),
    encryptionKey: e.ALLOY_ENCRYPTION_KEY,
    logRetentionDays: e.ALLOY_LOG_RETENTION_DAYS === undefined ? 60 : Number(e.ALLOY_LOG_RETENTION_DAYS),
    installationWebhookUrl: e.ALLOY_INSTALLATION_WEBHOOK_URL,
    errorStreamUrl: e.ALLOY_ERROR_STREAM_URL,
    brand: {
      name: e.ALLOY_BRAND_NAME ?? defaults.brand?.name,
      logoUrl: e.ALLOY_BRAND_LOGO_URL ?? defaults.brand?.logoUrl,
    },
    regionUrls: e.ALLOY_REGION_URLS === undefined ? {} : parseRegionUrls(e.ALLOY_REGION_URLS)!,
    allowPrivateTargets: e.ALLOY_ALLOW_PRIVATE_TARGETS ?? defaults.allowPrivateTargets ?? 'none',
    // The sandbox keeps its own SQLite file: with several nodes it runs only where ALLOY_SANDBOX=1 pins it.
    sandbox:
      e.ALLOY_SANDBOX === undefined
        ? e.ALLOY_DATABASE_URL === undefined && (defaults.sandbox ?? false)
        : e.ALLOY_SANDBOX === '1',
    sandboxOwnerSecret: e.ALLOY_SANDBOX_OWNER_SECRET,
    relativeUrlPrefixes:
      e.ALLOY_RELATIVE_URL_PREFIXES === undefined
        ? (defaults.relativeUrlPrefixes ?? [])
        : splitList(e.ALLOY_RELATIVE_URL_PREFIXES),
    headersTimeoutMs: optionalNumber(e.ALLOY_HEADERS_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS),
    requestTimeoutMs: optionalNumber(e.ALLOY_REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS),
    idleTimeoutMs: optionalNumber(e.ALLOY_IDLE_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS),
    rateLimits: rateLimitsFromEnv(e),
    trustProxy: trustProxyFromEnv(e.ALLOY_TRUST_PROXY),
    validateResponses: false,
    logger: true,
    logLevel: e.ALLOY_LOG_LEVEL,
    logFile: e.ALLOY_LOG_FILE === undefined ? undefined : path.resolve(root, e.ALLOY_LOG_FILE),
  };
}

/**
 * PostgreSQL mode runs several nodes: what a lone SQLite node may generate into its data dir (the
 * encryption key, the signing keys) or guess (its public URL) must be given to every node alike,
 * or one node could not read what another wrote. Refuses to start, naming each one missing.
 */
function requireSharedConfiguration(e: z.infer<typeof Env>): void {
  const missing: string[] = [];
  if (e.ALLOY_ENCRYPTION_KEY === undefined) {
    missing.push(
      'ALLOY_ENCRYPTION_KEY: the credential encryption key (32 bytes, hex or base64), the same on every node',
    );
  }
  if (e.ALLOY_PUBLIC_URL === undefined) {
    missing.push("ALLOY_PUBLIC_URL: the load balancer's URL, which links, OAuth callbacks and webhooks name");
  }
  if (e.ALLOY_KEYS_DIR === undefined) {
    missing.push(
      'ALLOY_KEYS_DIR: a directory every node mounts with the webhook signing keys (`npm run keys -- <dir>` makes them)',
    );
  }
  if (missing.length > 0) {
    throw new Error(
      `PostgreSQL mode (ALLOY_DATABASE_URL) needs configuration shared by every node; missing:\n  - ${missing.join('\n  - ')}`,
    );
  }
}

/** `us=https://us.example.com,eu=https://eu.example.com` → the map; undefined when malformed. */
export function parseRegionUrls(value: string): Partial<Record<Region, string>> | undefined {
  const regions: Partial<Record<Region, string>> = {};
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const match = /^(us|eu)=(.+)$/i.exec(entry);
    if (!match || !isAllowedWebhookUrl(match[2]!)) return undefined;
    const region = match[1]!.toLowerCase() as Region;
    if (regions[region] !== undefined) return undefined;
    regions[region] = match[2]!.replace(/\/+$/, '');
  }
  return regions;
}

function trustProxyFromEnv(value: string | undefined): number | string[] | undefined {
  if (value === undefined) return undefined;
  return /^[1-9]$/.test(value) ? Number(value) : value.split(',').map((entry) => entry.trim());
}

function rateLimitsFromEnv(env: Partial<Record<string, string>>): RateLimits {
  const limits = { ...DEFAULT_RATE_LIMITS };
  for (const [key, name] of Object.entries(RATE_LIMIT_ENV) as [keyof RateLimits, string][]) {
    const value = env[name];
    if (value !== undefined) limits[key] = Number(value);
  }
  return limits;
}

/** Checks limits given in code (createServer options): whole numbers of at least 1. */
export function checkRateLimits(limits: RateLimits): RateLimits {
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new Error(`rateLimits.${key} must be a whole number ≥ 1 (got ${value}).`);
  }
  return limits;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

const optionalNumber = (value: string | undefined, fallback: number): number =>
  value === undefined ? fallback : Number(value);

/**
 * Node's HTTP server options for the slow-client bounds. Node checks the bounds on a timer
 * (`connectionsCheckingInterval`, 30 s by default, which could double them); it runs here at a
 * quarter of the shorter bound, at most once a second.
 */
export function slowClientOptions(config: Pick<ServerConfig, 'headersTimeoutMs' | 'requestTimeoutMs'>): {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
} {
  const { headersTimeoutMs, requestTimeoutMs } = config;
  for (const [name, value] of Object.entries({ headersTimeoutMs, requestTimeoutMs })) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive number of milliseconds.`);
  }
  // Node refuses a headers bound above the request bound.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new Error(
      `The headers timeout (${headersTimeoutMs} ms) cannot be longer than the request timeout (${requestTimeoutMs} ms).`,
    );
  }
  return {
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(headersTimeoutMs / 4))),
  };
}
