import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import * as z from 'zod/mini';
import { DEFAULT_CONSOLE_USERS_PAGE_SIZE } from '../contract/index.js';
import { ApiRouter } from './http/router.js';
import {
  consoleActiveRoutes,
  consoleApiRoutes,
  consoleBuilderRoutes,
  consoleExportRoutes,
  consoleIsvCredential,
  consoleLinkRoutes,
  consoleTestRunRoutes,
  consolePageRoutes,
  ConsoleService,
  type ScryptCost,
} from './console/index.js';
import {
  checkRateLimits,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_RATE_LIMITS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  slowClientOptions,
  weakPinnedKeyReason,
  type RateLimits,
  type ServerConfig,
} from './platform/config.js';
import type { AppContext } from './context.js';
import { registerCors } from './http/cors.js';
import { registerRequestIdHeader, REQUEST_ID_HEADER, requestIdFor } from './http/request-id.js';
import { inTransaction, openStorage, type Database, type Db, type Storage } from './platform/db/index.js';
import { DefinitionBuilder, DefinitionRegistry } from './definitions/index.js';
import { loadEncryptionKey, SecretBox } from './platform/encryption.js';
import {
  errorBody,
  handleClientError,
  installErrorHandling,
  jsonNestsDeeperThan,
  MAX_JSON_DEPTH,
} from './http/errors.js';
import { DomainError } from './platform/errors.js';
import { loggerOptions } from './platform/log-redaction.js';
import { registerRateLimits } from './http/rate-limits.js';
import { buildOpenApiDocument, type OpenApiDocument } from './http/openapi.js';
import { renderReferencePage } from './http/reference-page.js';
import { pruneIdempotencyKeys } from './http/idempotency.js';
import { DEFAULT_LOG_RETENTION_DAYS, RetentionJob, type RetentionPruners } from './runs/index.js';
import { integrationRoutes } from './installs/index.js';
import { logRoutes } from './runs/index.js';
import { runRoutes } from './runs/index.js';
import { widgetRoutes } from './widget/index.js';
import { workflowRoutes } from './installs/index.js';
import { OutboundHttp, isValidPathPrefix } from './platform/outbound-http.js';
import { registerSandbox, type MountedSandbox, type SandboxOptions } from '../sandbox/index.js';
import { loadSecrets, UserService, userRoutes, type ServerSecrets } from './users/index.js';
import {
  credentialRoutes,
  CredentialService,
  OAuthClientFlow,
  oauthCallbackRoutes,
  receiverRoutes,
  sealLegacyVerifiers,
} from './connections/index.js';
import { ExecutionStore } from './runs/index.js';
import { HeadlessInstallService, type SettleUser } from './installs/index.js';
import { IntegrationService } from './installs/index.js';
import { LinkService } from './installs/index.js';
import { sealLegacyConfigs } from './installs/index.js';
import { linkPageRoutes } from './installs/index.js';
import { widgetAuthRoutes } from './widget/index.js';
import { regionRoutes } from './widget/index.js';
import { runtimeRoutes } from './runs/index.js';
import { Runtime, type RuntimeOptions } from './runs/index.js';
import { RunService } from './runs/index.js';
import { installedVersionCounts, upgradeBlockers, WorkflowService } from './installs/index.js';
import {
  accountRoutes,
  loadSigningKeys,
  securityRoutes,
  SettingsService,
  type EnvironmentSigningKeys,
} from './deliveries/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SEED_DEFINITIONS_DIR = path.join(here, 'definitions', 'seed');
const STATIC_DIR = path.join(here, 'http', 'static');

/** Requests are JSON objects; anything bigger than this is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** API paths carry a dated version (`/2024-03/users`); every date routes to the same handlers. */
const VERSIONED_PATH = /^\/(\d{4}-(?:0[1-9]|1[0-2]))(\/[^?#]*)?(\?.*)?$/;
/** How often the retention job looks for expired logs. */
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
/** Build outputs whose names carry their content hash (`alloy-modal-<hash>.js`, `embedded-<version>-<hash>.js`). */
const CONTENT_HASHED_FILE = /^(?:alloy-[\w]+-[\w-]{8,}|embedded-\d+\.\d+\.\d+[\w.-]*-[0-9a-f]{10})\.js(?:\.map)?$/;
/** Internal prefix the versioned paths are rewritten to. */
const API_PREFIX = '/_api';
/** The ISV endpoints again, with the console's session as the credential; dated or not. */
const CONSOLE_ISV_PREFIX = '/console/api/isv';
const CONSOLE_ISV_VERSIONED_PATH = /^\/console\/api\/isv\/\d{4}-(?:0[1-9]|1[0-2])(\/[^?#]*)?(\?.*)?$/;

export interface EmbeddedServer {
  app: FastifyInstance;
  ctx: AppContext;
  /** The storage behind the seam (its engine, erasing traces, the cross-node lock and wake-ups). */
  storage: Storage;
  /**
   * SQLite's raw better-sqlite3 handle, outside AppContext so no module reaches it: tests that
   * inspect or age rows. Throws on PostgreSQL.
   */
  readonly db: Db;
  /** The Demo Store sandbox, when mounted (`sandbox: true`): the seeded store's owner secret. */
  sandbox: MountedSandbox | undefined;
  /** The OpenAPI 3.1 document served at /openapi.json. */
  openApi(): OpenApiDocument;
  /**
   * The console's one-time setup token, made at this start because no admin exists and no
   * ALLOY_CONSOLE_PASSWORD was given; printed once as `<url>/console/setup#token=<token>`.
   */
  consoleSetupToken: string | undefined;
  /** Stops accepting connections, finishes in-flight requests, closes the database. */
  close(): Promise<void>;
}

export interface CreateServerOptions extends Partial<Omit<ServerConfig, 'rateLimits'>> {
  dataDir: string;
  /** Per-IP limits; the ones left out keep their defaults (DEFAULT_RATE_LIMITS). */
  rateLimits?: Partial<RateLimits>;
  /** Tuning for the Demo Store sandbox app when mounted (tests shorten its webhook retries). */
  sandboxTuning?: Pick<SandboxOptions, 'webhookDelivery'>;
  /** Tuning for the workflow runtime (tests shorten retries and leases). */
  runtime?: Partial<Omit<RuntimeOptions, 'relativeUrlPrefixes'>>;
  /**
   * scrypt's cost for the console's passwords: tests lower it here, and only here (no environment
   * variable can); the memory-hard default otherwise.
   */
  consoleScryptCost?: ScryptCost;
}

export async function createServer(options: CreateServerOptions): Promise<EmbeddedServer> {
  // zod/mini ships without messages; the server wants readable ones in its 400s.
  z.config(z.locales.en());
  const config = {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: undefined,
    databasePoolSize: undefined,
    databaseSchema: undefined,
    keysDir: undefined,
    pinnedDevApiKey: undefined,
    pinnedProdApiKey: undefined,
    publicUrl: undefined,
    cdnDir: path.resolve(here, '../../dist/cdn'),
    consoleDir: path.resolve(here, '../../dist/console'),
    consolePassword: undefined,
    consoleUsername: undefined,
    serveSourceMaps: false,
    definitionsDir: undefined,
    encryptionKey: undefined,
    logRetentionDays: DEFAULT_LOG_RETENTION_DAYS,
    installationWebhookUrl: undefined,
    errorStreamUrl: undefined,
    brand: { name: undefined, logoUrl: undefined },
    regionUrls: {},
    allowPrivateTargets: 'none',
    sandbox: false,
    sandboxOwnerSecret: undefined,
    relativeUrlPrefixes: [],
    headersTimeoutMs: DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
    idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
    validateResponses: true,
    logger: false,
    logLevel: undefined,
    logFile: undefined,
    trustProxy: undefined,
    ...options,
    rateLimits: checkRateLimits({ ...DEFAULT_RATE_LIMITS, ...options.rateLimits }),
  } satisfies ServerConfig;
  // The same rule as for the environment variables, for keys pinned in code.
  for (const [name, key] of [
    ['ALLOY_API_KEY (pinnedDevApiKey)', config.pinnedDevApiKey],
    ['ALLOY_PRODUCTION_API_KEY (pinnedProdApiKey)', config.pinnedProdApiKey],
  ] as const) {
    const weak = key === undefined ? undefined : weakPinnedKeyReason(name, key);
    if (weak) throw new Error(weak);
  }

  const slowClients = slowClientOptions(config);
  // The storage seam; `ALLOY_TRANSACTION_GUARD=1` (the test scripts) fails a SQLite transaction that awaits anything but the database.
  const storage = await openStorage({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    poolSize: config.databasePoolSize,
    schema: config.databaseSchema,
    guardTransactions: process.env.ALLOY_TRANSACTION_GUARD === '1',
  });
  const database: Database = storage.database;
  // Refuse to start on bad definitions, a wrong encryption key or a bad pinned key, and say why.
  let definitions: DefinitionRegistry;
  let credentials: CredentialService;
  let secrets: ServerSecrets;
  let box: SecretBox;
  let signingKeys: EnvironmentSigningKeys;
  let consoleService: ConsoleService;
  let consoleSetupToken: string | undefined;
  // The runtime's app triggers, built below; the credential service's change hooks reach them here.
  const late: { triggers?: Runtime['triggers'] } = {};
  try {
    // The installs module owns who installed what; the registry asks it before dropping a version.
    definitions = await DefinitionRegistry.open(
      database,
      config.definitionsDir ?? SEED_DEFINITIONS_DIR,
      () => installedVersionCounts(database),
      storage,
    );
    box = new SecretBox(loadEncryptionKey(config.dataDir, config.encryptionKey));
    // A change to a user's connections settles their app triggers (after the commit, in the service).
    credentials = await CredentialService.open(database, box, {
      owe: async (conn, userId) => late.triggers?.owe(conn, userId),
      settle: async (userId) => late.triggers?.settle(userId),
      releaseCredential: async (userId, credentialId) => late.triggers?.releaseCredential(userId, credentialId),
    });
    const loaded = await loadSecrets(database, box, config.pinnedDevApiKey, config.pinnedProdApiKey);
    secrets = loaded.secrets;
    // The deleted plaintext may still sit in WAL frames: copy them back and empty the WAL.
    if (loaded.deletedPlaintext) await storage.eraseTraces();
    await sealLegacyPlaintext(storage, box);
    // A shared keys directory (every PostgreSQL node mounts it) is read, never written: a node that
    // made a missing key would sign with one the others do not have.
    signingKeys = loadSigningKeys(config.keysDir ?? config.dataDir, { create: config.keysDir === undefined });
    // The console's first admin from ALLOY_CONSOLE_PASSWORD, or else a one-time setup token.
    consoleService = new ConsoleService(database, secrets, { scryptCost: options.consoleScryptCost });
    ({ setupToken: consoleSetupToken } = await consoleService.prepare({
      username: config.consoleUsername,
      password: config.consolePassword,
    }));
  } catch (error) {
    await storage.close();
    throw error;
  }

  const app = Fastify({
    logger: config.logger
      ? loggerOptions(config.logLevel ?? process.env.ALLOY_LOG_LEVEL ?? 'warn', config.logFile)
      : false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Only the configured proxies' X-Forwarded-For is believed: anyone else could pick an address per request.
    ...(config.trustProxy === undefined ? {} : { trustProxy: trustProxyOption(config.trustProxy) }),
    // Slow clients (slowloris, a body dribbled byte by byte) get a 408 and a closed socket.
    http: slowClients,
    requestTimeout: slowClients.requestTimeout,
    connectionTimeout: config.idleTimeoutMs,
    return503OnClosing: true,
    clientErrorHandler: handleClientError,
    // A caller's sane `x-request-id` is kept (one id across its logs and ours), else a UUID.
    genReqId: requestIdFor,
    // Path params hold usernames (up to 320 characters, more once percent-encoded).
    routerOptions: { maxParamLength: 1000 },
    // Router-level failures get the same JSON error shape as everything else.
    frameworkErrors(error, request, routerReply) {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      const reply = routerReply as unknown as FastifyReply;
      void reply
        .header(REQUEST_ID_HEADER, request.id)
        .status(tooLong ? 414 : 400)
        .send(
          errorBody(
            'bad_request',
            tooLong ? 'A path segment is longer than 1000 characters.' : 'The URL is malformed.',
          ),
        );
    },
    rewriteUrl(req) {
      const url = req.url ?? '/';
      const consoleMatch = CONSOLE_ISV_VERSIONED_PATH.exec(url);
      if (consoleMatch) return `${CONSOLE_ISV_PREFIX}${consoleMatch[1] ?? '/'}${consoleMatch[2] ?? ''}`;
      const match = VERSIONED_PATH.exec(url);
      if (match) return `${API_PREFIX}${match[2] ?? '/'}${match[3] ?? ''}`;
      // The newer header form: `x-api-version: 2025-09` on an unprefixed path.
      const version = req.headers['x-api-version'];
      if (typeof version === 'string' && /^\d{4}-\d{2}$/.test(version)) return `${API_PREFIX}${url}`;
      return url;
    },
  });

  registerRequestIdHeader(app);

  // The public URL is only known after listen() when the port is 0, so it is read lazily.
  // Kept once listening: absoluteUrl runs for every icon of every integration listed.
  let listeningUrl: string | undefined;
  const publicUrl = (): string => {
    if (config.publicUrl !== undefined) return config.publicUrl;
    if (listeningUrl !== undefined) return listeningUrl;
    const port = addressPort(app);
    if (port === undefined) return `http://localhost:${config.port}`;
    listeningUrl = `http://localhost:${port}`;
    return listeningUrl;
  };
  const absoluteUrl = (p: string): string => (/^https?:/.test(p) ? p : `${publicUrl()}${p}`);
  const currentDefinitions = () => definitions.current;
  const users = new UserService(database);
  // After a change to a user's installed workflows commits, their app-event triggers follow (the
  // installs services call this; `runtime` exists by the time anything is installed).
  const settleUser: SettleUser = {
    owe: (trx, userId) => runtime.triggers.owe(trx, userId),
    settle: (userId) => runtime.triggers.settle(userId),
  };
  const integrations = new IntegrationService(database, currentDefinitions, absoluteUrl, box, credentials, settleUser);
  const workflows = new WorkflowService(database, definitions, absoluteUrl, box, settleUser);
  // Integrations made in the console: per-environment counts from the installs module, and its
  // upgrade rule (PUT /workflows/:id/upgrade) says which version needs a reinstall.
  const builder = new DefinitionBuilder(database, definitions, {
    integrationState: (env, integrationId) => integrations.state(env, integrationId),
    versionInstalls: async (env, workflowId) => {
      const counts = new Map<number, number>();
      // A console workflow before its first release has no users (nor a definition to resolve).
      if (!definitions.current.workflow(workflowId)) return counts;
      for (const user of await workflows.users(env, workflowId)) {
        counts.set(user.installedVersion, (counts.get(user.installedVersion) ?? 0) + 1);
      }
      return counts;
    },
    reinstallReasons: (from, to) => upgradeBlockers(from, to, []).map((issue) => issue.message),
    absoluteUrl,
  });
  const executions = new ExecutionStore(database, currentDefinitions, absoluteUrl, users);
  // A default given as a path of this server (the demo's own inbox, under relativeUrlPrefixes) is
  // resolved against the public URL, known only once the server listens.
  const ownPathOrUrl = (value: string | undefined): string | null =>
    value === undefined
      ? null
      : value.startsWith('/') && config.relativeUrlPrefixes.some((prefix) => value.startsWith(prefix))
        ? absoluteUrl(value)
        : value;
  const settings = new SettingsService(database, () => ({
    installationWebhookUrl: ownPathOrUrl(config.installationWebhookUrl),
    errorStreamUrl: ownPathOrUrl(config.errorStreamUrl),
  }));
  for (const prefix of config.relativeUrlPrefixes) {
    if (!isValidPathPrefix(prefix)) {
      await storage.close();
      throw new Error(`relativeUrlPrefixes: "${prefix}" must be a path that starts and ends with /`);
    }
  }
  // The one outgoing HTTP client of the process: everything that calls out goes through it.
  const http = new OutboundHttp(config.allowPrivateTargets, { ownBaseUrl: publicUrl });
  // The Demo Store sandbox (mounted further down) hands over this server's OAuth client there.
  let sandbox: MountedSandbox | undefined = undefined;
  const oauth = new OAuthClientFlow(
    database,
    credentials,
    publicUrl,
    http,
    box,
    async () => sandbox?.embeddedClient(),
    (name, work) => storage.withLock(name, work),
  );
  const runtime = new Runtime(
    {
      refreshCredential: (userId, credentialId, connector, data) => oauth.fresh(userId, credentialId, connector, data),
      database,
      coordination: storage,
      definitions: currentDefinitions,
      definitionsCurrent: async () => (await definitions.readiness()).ready,
      users,
      executions,
      credentials,
      integrations,
      workflows,
      settings,
      box,
      keys: signingKeys,
      publicUrl,
      http,
      log: app.log,
    },
    {
      ...options.runtime,
      relativeUrlPrefixes: config.relativeUrlPrefixes,
    },
  );
  late.triggers = runtime.triggers;
  const headless = new HeadlessInstallService(database, currentDefinitions, integrations, credentials);
  const links = new LinkService(database, publicUrl);
  // Retention deletes each module's expired rows through that module (one statement per batch).
  const retentionPruners: RetentionPruners = {
    idempotencyKeys: (cutoff, limit) => pruneIdempotencyKeys(database, cutoff, limit),
    linkTokens: (cutoff, limit) => links.pruneExpiredLinks(cutoff, limit),
    oauthSessions: (cutoff, limit) => oauth.pruneSessions(cutoff, limit),
    linkSessions: (cutoff, limit) => links.pruneExpiredPageSessions(cutoff, limit),
    pendingInstallations: (cutoff, limit) => headless.pruneExpired(cutoff, limit),
    deliveries: (cutoff, limit) => runtime.outbox.pruneFinished(cutoff, limit),
  };
  const ctx: AppContext = {
    database,
    secrets,
    definitions,
    users,
    integrations,
    workflows,
    runs: new RunService(database, definitions, workflows, runtime.queue),
    executions,
    credentials,
    headless,
    links,
    oauth,
    settings,
    runtime,
    signingKeys,
    retention: new RetentionJob(
      database,
      retentionPruners,
      config.logRetentionDays,
      PRUNE_INTERVAL_MS,
      (error) => app.log.error({ err: error }, 'pruning expired data failed'),
      undefined,
      async (work) => {
        const pass = await storage.exclusive('retention', work);
        return pass.ran ? pass.value : undefined;
      },
    ),
    get publicUrl() {
      return publicUrl();
    },
    absoluteUrl,
    brand: config.brand,
  };

  // Before any route: the global per-IP ceiling is attached to each route as it is registered.
  const limiting = await registerRateLimits(app, config.rateLimits);
  const linkLimit = limiting.perRoute(config.rateLimits.linkPerMinute);
  const oauthLimit = limiting.perRoute(config.rateLimits.oauthPerMinute);
  const pageLimit = limiting.perRoute(config.rateLimits.pagesPerMinute);
  installErrorHandling(app, { notFoundPreHandler: app.rateLimit() });
  // JSON only: any other non-empty body is a 415 rather than a string handed to the handlers.
  app.removeAllContentTypeParsers();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // An empty body is no body, as for any other content type below.
    if (body === '') {
      done(null, undefined);
      return;
    }
    // Found by the fuzzer: POST /users/batch echoed a 100 000-deep array and the reply overflowed the stack.
    if (jsonNestsDeeperThan(body as string, MAX_JSON_DEPTH)) {
      done(new DomainError('bad_request', `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep.`));
      return;
    }
    void parseJson(request, body as string, done);
  });
  // An empty body is an empty body whatever its content type: axios (alloy-node's disableAllWorkflows)
  // labels a bodyless PUT `application/x-www-form-urlencoded`. Only a non-empty non-JSON body is a 415.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    if ((body as Buffer).length === 0) done(null, undefined);
    else done(new DomainError('unsupported_media_type', 'Send the body as application/json.'));
  });
  // CORS only for what the browser SDK calls with the user token (src/server/cors.ts); API-key
  // routes answer none, so a page on another origin cannot use an API key it should not have.
  registerCors(app);

  /** Every endpoint of the table, on a router (the public API's, or the console's). */
  const apiRoutes = (router: ApiRouter): void => {
    userRoutes(router, ctx);
    integrationRoutes(router, ctx);
    workflowRoutes(router, ctx);
    runRoutes(router, ctx);
    logRoutes(router, ctx);
    credentialRoutes(router, ctx);
    accountRoutes(router, ctx);
    runtimeRoutes(router, ctx);
    widgetRoutes(router, ctx);
    widgetAuthRoutes(router, ctx);
    regionRoutes(router, ctx, config.regionUrls);
  };
  // Every API route must be in the route table (schemas + OpenAPI); checked once all are registered.
  const registered: string[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method !== 'HEAD' && route.url.startsWith(`${API_PREFIX}/`)) {
        registered.push(`${method} ${route.url.slice(API_PREFIX.length)}`);
      }
    }
  });
  let router: ApiRouter | undefined;
  await app.register(
    async (api) => {
      // API answers are per user and per key, and many carry secrets (user tokens, install links,
      // webhook secrets, credentials): none may sit in a browser or proxy cache.
      api.addHook('onRequest', async (_request, reply) => {
        reply.header('cache-control', 'no-store');
      });
      router = new ApiRouter(api, secrets, database, config.validateResponses, limiting.apiKeyFailures);
      apiRoutes(router);
    },
    { prefix: API_PREFIX },
  );
  // The console's API: its session, setup and keys, and the ISV endpoints again under /isv with the
  // session as the credential (left out of /openapi.json: that router's docs are not read).
  await app.register(
    async (consoleApi) => {
      consoleApiRoutes(
        consoleApi,
        consoleService,
        publicUrl,
        async (env) => integrations.catalogue(env, await builder.consoleMade()),
        (env, query) =>
          users.search(env, {
            search: query.search,
            limit: query.limit ?? DEFAULT_CONSOLE_USERS_PAGE_SIZE,
            cursor: query.cursor,
          }),
      );
      // An integration's file as loaded (so the export loads back unchanged); a console-made one's
      // released workflows as a file would say them (409 before its first release).
      consoleExportRoutes(consoleApi, consoleService, async (integrationId) => {
        const made = await builder.exportOf(integrationId);
        if (made && 'notReleased' in made) {
          throw new DomainError('conflict', 'Nothing of this integration is released yet.');
        }
        if (made) return made.exported;
        const source = definitions.current.source(integrationId);
        return source && { slug: source.file.replace(/\.integration\.json$/, ''), text: source.text };
      });
      // An integration's Active toggle per environment, kept by the installs module.
      // A console-made integration has its toggle before its first release too.
      consoleActiveRoutes(consoleApi, consoleService, async (env, integrationId, active) =>
        integrations.setActive(env, integrationId, active, {
          unreleased: await builder.isConsoleIntegration(integrationId),
        }),
      );
      // The integration builder: connectors, console-made integrations, drafts and releases.
      consoleBuilderRoutes(consoleApi, consoleService, builder);
      // The Embedded Links made, with their status; a user filter must name a user of the environment.
      consoleLinkRoutes(consoleApi, consoleService, async (env, filter) => {
        const user = filter.userId === undefined ? undefined : await users.require(env, filter.userId);
        return links.list(env, { userId: user?.userId, integrationId: filter.integrationId });
      });
      // A draft's blocks run once in memory as a user of the environment (the builder's test run).
      consoleTestRunRoutes(consoleApi, consoleService, (env, body, signal) => runtime.testRun(env, body, signal));
      await consoleApi.register(
        async (isv) => {
          apiRoutes(
            new ApiRouter(
              isv,
              secrets,
              database,
              config.validateResponses,
              undefined,
              consoleIsvCredential(consoleService),
            ),
          );
        },
        { prefix: CONSOLE_ISV_PREFIX.slice('/console/api'.length) },
      );
    },
    { prefix: '/console/api' },
  );
  await app.register(async (pages) => {
    pages.addHook('onRequest', pageLimit);
    consolePageRoutes(pages, { dir: config.consoleDir, serveSourceMaps: config.serveSourceMaps });
  });
  // A demo third party with its own admin API and OAuth provider: mounted only when asked for.
  sandbox = config.sandbox
    ? await registerSandbox(app, {
        dataDir: config.dataDir,
        guardTransactions: process.env.ALLOY_TRANSACTION_GUARD === '1',
        publicUrl,
        http,
        ownerSecret: config.sandboxOwnerSecret,
        // The consent page names the ISV, as a real app shows the name its OAuth app was registered under.
        embeddedClientName: config.brand.name,
        ownerFailuresPerMinute: config.rateLimits.authFailuresPerMinute,
        webhookDelivery: options.sandboxTuning?.webhookDelivery,
      })
    : undefined;
  await app.register(async (receiver) => receiverRoutes(receiver, ctx));
  await app.register(async (scope) => {
    scope.addHook('onRequest', pageLimit);
    securityRoutes(scope, ctx);
  });
  await app.register(async (pages) => {
    // Link opens and redemptions, and the OAuth popup's pages, have their own (lower) limits.
    pages.addHook('onRequest', async (request, reply) => {
      const route = `${request.method} ${request.routeOptions.url ?? ''}`;
      if (route === 'GET /link/:token' || route === 'POST /link/session') return linkLimit(request, reply);
      if (route === 'GET /oauth/start/:sessionId' || route === 'GET /oauth/callback') {
        return oauthLimit(request, reply);
      }
      return pageLimit(request, reply);
    });
    oauthCallbackRoutes(pages, ctx);
    linkPageRoutes(pages, ctx);
  });
  const routeDocs = router!.docs;
  const documented = new Set(routeDocs.map((d) => `${d.method} ${d.path}`));
  const undocumented = registered.filter((r) => !documented.has(r));
  if (undocumented.length > 0) throw new Error(`API routes without a contract entry: ${undocumented.join(', ')}`);
  const openApi = (): OpenApiDocument => buildOpenApiDocument(routeDocs, publicUrl());

  if (fs.existsSync(config.cdnDir)) {
    await app.register(fastifyStatic, {
      root: config.cdnDir,
      prefix: '/scripts/',
      decorateReply: false,
      // The maps carry the full sources (audit issue 13 item 17a): a 404 unless configured.
      allowedPath: (pathName) => config.serveSourceMaps || !/\.map$/i.test(pathName),
      // Versioned files are immutable; the unversioned alias revalidates.
      cacheControl: false,
      setHeaders(reply, filePath) {
        const hashed = CONTENT_HASHED_FILE.test(path.basename(filePath));
        reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
        // SRI on a cross-origin script needs CORS.
        reply.header('access-control-allow-origin', '*');
      },
    });
  }
  await app.register(fastifyStatic, { root: STATIC_DIR, prefix: '/static/', decorateReply: false });
  // Ready when this node runs the definitions the last reload (on any node) made current: a load
  // balancer keeps a node whose files lag behind out of rotation.
  app.get('/health', async (_request, reply) => {
    const definitions = await ctx.definitions.readiness();
    if (!definitions.ready) return reply.status(503).send({ ok: false, definitions });
    return { ok: true };
  });
  app.get('/openapi.json', { onRequest: pageLimit }, async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
    return openApi();
  });
  app.get('/reference', { onRequest: pageLimit }, async (_request, reply) => {
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
      )
      .header('x-content-type-options', 'nosniff');
    return renderReferencePage(openApi());
  });

  // The first pass is done before the server answers anything.
  await ctx.retention.start();
  // The runtime calls apps served here (the sandbox), so it starts once the server listens.
  app.addHook('onListen', async () => runtime.start());
  let closing: Promise<void> | undefined;
  return {
    app,
    ctx,
    storage,
    get db(): Db {
      if (!storage.sqlite) throw new Error('This server runs on PostgreSQL: it has no SQLite handle.');
      return storage.sqlite;
    },
    sandbox,
    openApi,
    consoleSetupToken,
    close() {
      closing ??= (async () => {
        await ctx.retention.stop();
        // Workers first: running work finishes (or gives its row back) while the apps it calls are up.
        await runtime.close();
        await app.close();
        http.close();
        await storage.close();
      })();
      return closing;
    },
  };
}

/** Fastify's form: the nearest `hops` proxies trusted, or the listed proxy addresses. */
function trustProxyOption(trust: number | string[]): string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/**
 * Seals what an older version stored in plaintext (configuration answers, pending PKCE
 * verifiers), then empties the WAL so the plaintext does not linger in its frames.
 */
async function sealLegacyPlaintext(storage: Storage, box: SecretBox): Promise<void> {
  const configs = await inTransaction(storage.database, (trx) => sealLegacyConfigs(trx, box));
  const verifiers = await sealLegacyVerifiers(storage.database, box);
  if (configs + verifiers > 0) await storage.eraseTraces();
}

function addressPort(app: FastifyInstance): number | undefined {
  const address = app.server.address();
  return address && typeof address === 'object' ? address.port : undefined;
}
