import path from 'node:path';
import * as z from 'zod/mini';
import { isAllowedWebhookUrl } from '../contract/index.js';
import { isValidPathPrefix, PRIVATE_TARGET_POLICIES, type PrivateTargetPolicy } from './runtime/outbound-http.js';
import { MIN_OWNER_SECRET_LENGTH } from './sandbox/owners.js';

export const DEFAULT_PORT = 4000;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Slow-client bounds (milliseconds). Headers are a few hundred bytes: 10 s is generous and stops slowloris early. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** The whole request, body included (bodies are at most 1 MiB). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A connection with no traffic at all is closed after this. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

const Millis = (name: string) =>
  z.optional(
    z.string().check(z.regex(/^[1-9]\d{2,6}$/, `${name} must be a whole number of milliseconds (100-9999999)`)),
  );

const WebhookUrlEnv = z.optional(
  z.string().check(z.refine(isAllowedWebhookUrl, 'must be an https URL (http only for localhost)')),
);

const Env = z.object({
  PORT: z.optional(z.string().check(z.regex(/^\d{1,5}$/, 'PORT must be a number'))),
  HOST: z.optional(z.string()),
  ALLOY_DATA_DIR: z.optional(z.string().check(z.minLength(1))),
  ALLOY_API_KEY: z.optional(z.string().check(z.minLength(16, 'ALLOY_API_KEY must be at least 16 characters'))),
  ALLOY_PRODUCTION_API_KEY: z.optional(
    z.string().check(z.minLength(16, 'ALLOY_PRODUCTION_API_KEY must be at least 16 characters')),
  ),
  ALLOY_PUBLIC_URL: z.optional(z.string()),
  ALLOY_DEFINITIONS_DIR: z.optional(z.string().check(z.minLength(1))),
  ALLOY_ENCRYPTION_KEY: z.optional(z.string().check(z.minLength(1))),
  ALLOY_LOG_RETENTION_DAYS: z.optional(
    z.string().check(z.regex(/^[1-9]\d{0,3}$/, 'ALLOY_LOG_RETENTION_DAYS must be a whole number of days (1-9999)')),
  ),
  ALLOY_INSTALLATION_WEBHOOK_URL: WebhookUrlEnv,
  ALLOY_ERROR_STREAM_URL: WebhookUrlEnv,
  ALLOY_LOG_LEVEL: z.optional(z.enum(LOG_LEVELS, `ALLOY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)),
  ALLOY_LOG_FILE: z.optional(z.string().check(z.minLength(1))),
  ALLOY_HEADERS_TIMEOUT_MS: Millis('ALLOY_HEADERS_TIMEOUT_MS'),
  ALLOY_REQUEST_TIMEOUT_MS: Millis('ALLOY_REQUEST_TIMEOUT_MS'),
  ALLOY_IDLE_TIMEOUT_MS: Millis('ALLOY_IDLE_TIMEOUT_MS'),
  ALLOY_ALLOW_PRIVATE_TARGETS: z.optional(
    z.enum(PRIVATE_TARGET_POLICIES, `ALLOY_ALLOW_PRIVATE_TARGETS must be one of ${PRIVATE_TARGET_POLICIES.join(', ')}`),
  ),
  ALLOY_SANDBOX: z.optional(z.enum(['0', '1'], 'ALLOY_SANDBOX must be 1 (mount the Demo Store sandbox) or 0')),
  ALLOY_SANDBOX_OWNER_SECRET: z.optional(
    z
      .string()
      .check(
        z.minLength(
          MIN_OWNER_SECRET_LENGTH,
          `ALLOY_SANDBOX_OWNER_SECRET must be at least ${MIN_OWNER_SECRET_LENGTH} characters`,
        ),
        z.maxLength(200, 'ALLOY_SANDBOX_OWNER_SECRET must be at most 200 characters'),
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

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Pins the development API key; otherwise one is generated and persisted. */
  pinnedDevApiKey: string | undefined;
  /** Pins the production API key; otherwise one is generated and persisted. */
  pinnedProdApiKey: string | undefined;
  /** Base URL printed and used in generated links; defaults to http://localhost:PORT. */
  publicUrl: string | undefined;
  /** Directory holding the built browser bundles (dist/cdn). */
  cdnDir: string;
  /** Where the `*.integration.json` definition files are; the bundled seed when absent. */
  definitionsDir: string | undefined;
  /** The credential encryption key (hex or base64 of 32 bytes); else `<dataDir>/encryption.key`. */
  encryptionKey: string | undefined;
  /** Executions older than this are deleted by the pruning job. */
  logRetentionDays: number;
  installationWebhookUrl: string | undefined;
  errorStreamUrl: string | undefined;
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
  defaults: { allowPrivateTargets?: PrivateTargetPolicy; sandbox?: boolean; relativeUrlPrefixes?: string[] } = {},
): ServerConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${message}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT === undefined ? DEFAULT_PORT : Number(e.PORT),
    host: e.HOST ?? '127.0.0.1',
    dataDir: path.resolve(root, e.ALLOY_DATA_DIR ?? '.data'),
    pinnedDevApiKey: e.ALLOY_API_KEY,
    pinnedProdApiKey: e.ALLOY_PRODUCTION_API_KEY,
    publicUrl: e.ALLOY_PUBLIC_URL,
    cdnDir: path.resolve(root, 'dist/cdn'),
    definitionsDir: e.ALLOY_DEFINITIONS_DIR === undefined ? undefined : path.resolve(root, e.ALLOY_DEFINITIONS_DIR),
    encryptionKey: e.ALLOY_ENCRYPTION_KEY,
    logRetentionDays: e.ALLOY_LOG_RETENTION_DAYS === undefined ? 60 : Number(e.ALLOY_LOG_RETENTION_DAYS),
    installationWebhookUrl: e.ALLOY_INSTALLATION_WEBHOOK_URL,
    errorStreamUrl: e.ALLOY_ERROR_STREAM_URL,
    allowPrivateTargets: e.ALLOY_ALLOW_PRIVATE_TARGETS ?? defaults.allowPrivateTargets ?? 'none',
    sandbox: e.ALLOY_SANDBOX === undefined ? (defaults.sandbox ?? false) : e.ALLOY_SANDBOX === '1',
    sandboxOwnerSecret: e.ALLOY_SANDBOX_OWNER_SECRET,
    relativeUrlPrefixes:
      e.ALLOY_RELATIVE_URL_PREFIXES === undefined
        ? (defaults.relativeUrlPrefixes ?? [])
        : splitList(e.ALLOY_RELATIVE_URL_PREFIXES),
    headersTimeoutMs: optionalNumber(e.ALLOY_HEADERS_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS),
    requestTimeoutMs: optionalNumber(e.ALLOY_REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS),
    idleTimeoutMs: optionalNumber(e.ALLOY_IDLE_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS),
    validateResponses: false,
    logger: true,
    logLevel: e.ALLOY_LOG_LEVEL,
    logFile: e.ALLOY_LOG_FILE === undefined ? undefined : path.resolve(root, e.ALLOY_LOG_FILE),
  };
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
