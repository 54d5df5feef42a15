import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import * as z from 'zod/mini';
import type { ServerConfig } from './config.js';
import type { AppContext } from './context.js';
import { openDatabase } from './db.js';
import { loadDefinitions } from './definitions.js';
import { installErrorHandling } from './http-errors.js';
import { isvRoutes } from './routes/isv.js';
import { widgetRoutes } from './routes/widget.js';
import { registerSandbox, type SandboxOptions } from './sandbox/index.js';
import { loadSecrets } from './secrets.js';
import { IntegrationService } from './services/integrations.js';
import { UserService } from './services/users.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SEED_DEFINITIONS_DIR = path.join(here, 'seed');
const STATIC_DIR = path.join(here, 'static');

/** Requests are JSON objects; anything bigger than this is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** API paths carry a dated version (`/2024-03/users`); every date routes to the same handlers. */
const VERSIONED_PATH = /^\/(\d{4}-\d{2})(\/[^?#]*)?(\?.*)?$/;
/** Internal prefix the versioned paths are rewritten to. */
const API_PREFIX = '/_api';

export interface EmbeddedServer {
  app: FastifyInstance;
  ctx: AppContext;
  /** Stops accepting connections, finishes in-flight requests, closes the database. */
  close(): Promise<void>;
}

export interface CreateServerOptions extends Partial<ServerConfig> {
  dataDir: string;
  definitionsDir?: string;
  /** Tuning for the Demo Store sandbox app (tests shorten its webhook retries). */
  sandbox?: Pick<SandboxOptions, 'webhookDelivery'>;
}

export async function createServer(options: CreateServerOptions): Promise<EmbeddedServer> {
  // zod/mini ships without messages; the server wants readable ones in its 400s.
  z.config(z.locales.en());
  const config = {
    port: 0,
    host: '127.0.0.1',
    pinnedDevApiKey: undefined,
    publicUrl: undefined,
    cdnDir: path.resolve(here, '../../dist/cdn'),
    logger: false,
    ...options,
  } satisfies ServerConfig & { definitionsDir?: string };

  const db = openDatabase(config.dataDir);
  const secrets = loadSecrets(db, config.pinnedDevApiKey);
  const definitions = loadDefinitions(config.definitionsDir ?? SEED_DEFINITIONS_DIR);

  const app = Fastify({
    logger: config.logger ? { level: process.env.ALLOY_LOG_LEVEL ?? 'warn' } : false,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    return503OnClosing: true,
    rewriteUrl(req) {
      const url = req.url ?? '/';
      const match = VERSIONED_PATH.exec(url);
      if (match) return `${API_PREFIX}${match[2] ?? '/'}${match[3] ?? ''}`;
      // The newer header form: `x-api-version: 2025-09` on an unprefixed path.
      const version = req.headers['x-api-version'];
      if (typeof version === 'string' && /^\d{4}-\d{2}$/.test(version)) return `${API_PREFIX}${url}`;
      return url;
    },
  });

  // The public URL is only known after listen() when the port is 0, so it is read lazily.
  const publicUrl = (): string => config.publicUrl ?? `http://localhost:${addressPort(app) ?? config.port}`;
  const ctx: AppContext = {
    db,
    secrets,
    users: new UserService(db),
    integrations: new IntegrationService(db, definitions, (p) => (/^https?:/.test(p) ? p : `${publicUrl()}${p}`)),
    get publicUrl() {
      return publicUrl();
    },
  };

  installErrorHandling(app);
  // JSON only: any other body type is a 415 rather than a string handed to the handlers.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  await app.register(cors, {
    origin: true,
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    allowedHeaders: ['content-type', 'authorization', 'x-alloy-user-token', 'idempotency-key', 'x-api-version'],
    maxAge: 600,
  });

  await app.register(
    async (api) => {
      isvRoutes(api, ctx);
      widgetRoutes(api, ctx);
    },
    { prefix: API_PREFIX },
  );
  await registerSandbox(app, { db, publicUrl, webhookDelivery: options.sandbox?.webhookDelivery });

  if (fs.existsSync(config.cdnDir)) {
    await app.register(fastifyStatic, {
      root: config.cdnDir,
      prefix: '/scripts/',
      decorateReply: false,
      // Versioned files are immutable; the unversioned alias revalidates.
      cacheControl: false,
      setHeaders(reply) {
        reply.header('cache-control', 'no-cache');
        reply.header('access-control-allow-origin', '*');
      },
    });
  }
  await app.register(fastifyStatic, { root: STATIC_DIR, prefix: '/static/', decorateReply: false });
  app.get('/health', async () => ({ ok: true }));

  return {
    app,
    ctx,
    async close() {
      await app.close();
      db.close();
    },
  };
}

function addressPort(app: FastifyInstance): number | undefined {
  const address = app.server.address();
  return address && typeof address === 'object' ? address.port : undefined;
}
