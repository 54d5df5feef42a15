import type { FastifyBaseLogger } from 'fastify';
import type {
  FieldOptionsParams,
  FieldOptionsResponse,
  RerunResponse,
  TestRunBody,
  TestRunResponse,
} from '../../contract/index.js';
import {
  AppTriggers,
  ConnectorError,
  Connections,
  findConnector,
  MissingConnectionError,
  type Connector,
  type CredentialData,
  type CredentialRefresher,
  type CredentialService,
} from '../connections/index.js';
import type { Conn, Database, Storage } from '../platform/db/index.js';
import type { DefinitionSet } from '../definitions/index.js';
import type { SecretBox } from '../platform/encryption.js';
import { DomainError, notFound } from '../platform/errors.js';
import type { Environment, UserService } from '../users/index.js';
import type { ExecutionStore } from './executions.js';
import type { InstalledEvent, IntegrationService, WorkflowService } from '../installs/index.js';
import type { SettingsService } from '../deliveries/index.js';
import {
  checkDraftVersion,
  DefinitionError,
  findVersion,
  latestVersion,
  optionsConnector,
  versionBlocks,
} from '../definitions/index.js';
import type { EnvironmentSigningKeys } from '../deliveries/index.js';
import { DeliveryOutbox, type OutboundDelivery } from '../deliveries/index.js';
import { WorkflowExecutor } from './executor.js';
import { LeaseWorker } from '../platform/lease-worker.js';
import type { OutboundHttp } from '../platform/outbound-http.js';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from '../platform/retry.js';
import { RunQueue, type RunRow } from './run-queue.js';
import { SignedSender } from '../deliveries/index.js';
import { TargetBudget } from '../platform/target-budget.js';

export interface RuntimeOptions {
  /** Runs executed at the same time. */
  concurrency: number;
  /**
   * Runs of one tenant (environment + user) leased at the same time, by every worker together.
   * Below `concurrency`, so a tenant whose receiver hangs leaves the other slots to other tenants.
   */
  tenantConcurrency: number;
  /**
   * Requests open at the same time to one target (an origin, or the app a connector calls) from
   * this process's runs. Below `concurrency`, so one slow host cannot hold every slot whatever
   * the number of users whose runs reach it; runs beyond it wait in the queue, not in a slot.
   */
  targetConcurrency: number;
  /** Deliveries (installation webhook, error stream) sent at the same time. */
  deliveryConcurrency: number;
  /**
   * Deliveries to one URL sent at the same time. With both environments' installation webhook
   * and error stream (four URLs) at most `deliveryConcurrency`, a receiver that hangs delays no
   * other receiver's deliveries.
   */
  deliveryTargetConcurrency: number;
  /** How long a claimed row is held before another worker may take it over; renewed while running. */
  leaseMs: number;
  /** The longest the workers sleep without looking at the queue. */
  pollIntervalMs: number;
  /** Retries of a run whose block failed transiently (app or receiver down, 429, 5xx, timeout). */
  retry: RetryPolicy;
  /** Retries of installation-webhook and error-stream deliveries. */
  deliveryRetry: RetryPolicy;
  /** Per outgoing request. */
  requestTimeoutMs: number;
  /**
   * How long close() lets running work finish before aborting it (it resumes after the next
   * start). Well under 10 s, so that a SIGTERM with deliveries hanging still exits within the
   * usual 10 s a supervisor waits before SIGKILL, HTTP drain included.
   */
  shutdownGraceMs: number;
  /**
   * Paths of this server that ISV-authored relative Stream Data / HTTP request URLs may go to
   * (each ends with `/`); empty: relative URLs are refused.
   */
  relativeUrlPrefixes: readonly string[];
}

export const DEFAULT_RUNTIME_OPTIONS: RuntimeOptions = {
  // Runs and deliveries wait on the network, not the CPU: slots are cheap, what matters is that
  // one tenant or target cannot take them all.
  concurrency: 16,
  tenantConcurrency: 4,
  targetConcurrency: 8,
  deliveryConcurrency: 8,
  deliveryTargetConcurrency: 2,
  leaseMs: 30_000,
  pollIntervalMs: 1_000,
  retry: DEFAULT_RETRY_POLICY,
  deliveryRetry: DEFAULT_RETRY_POLICY,
  requestTimeoutMs: 15_000,
  shutdownGraceMs: 5_000,
  relativeUrlPrefixes: [],
};

export interface RuntimeDeps {
  /** The storage seam (the connections module's services use it). */
  database: Database;
  /** Wake-ups that reach every node's workers (PostgreSQL's NOTIFY; in process on SQLite), and the one-node-at-a-time lock. */
  coordination: Pick<Storage, 'notify' | 'listen' | 'exclusive' | 'withLock'>;
  definitions: () => DefinitionSet;
  /** Whether this node runs the definitions made current last, by any node (DefinitionRegistry.readiness). */
  definitionsCurrent?: () => Promise<boolean>;
  executions: ExecutionStore;
  credentials: CredentialService;
  integrations: IntegrationService;
  /** The users module: a user's environment by id; a user of an environment by id or username. */
  users: Pick<UserService, 'envOf' | 'require'>;
  /** The users' installed workflows (the installs module owns them). */
  workflows: WorkflowService;
  settings: SettingsService;
  box: SecretBox;
  keys: EnvironmentSigningKeys;
  publicUrl: () => string;
  /** The process's one outgoing HTTP client (its policy is the server's private-target policy). */
  http: OutboundHttp;
  log: FastifyBaseLogger;
  /** Renews OAuth access tokens before they expire. */
  refreshCredential?: CredentialRefresher;
}

/** Notification channels: a run was queued, a delivery became due. */
const RUNS_CHANNEL = 'alloy_runs';
const DELIVERIES_CHANNEL = 'alloy_deliveries';

/**
 * The workflow runtime: the durable run queue and its worker, the executor, app-event triggers,
 * and the outbox of signed installation webhooks and error-stream posts with its own worker.
 * Everything it does starts from a row on disk, so a crash loses nothing that was acknowledged.
 */
export class Runtime {
  readonly queue: RunQueue;
  readonly outbox: DeliveryOutbox;
  readonly triggers: AppTriggers;
  readonly connections: Connections;
  readonly options: RuntimeOptions;
  private readonly executor: WorkflowExecutor;
  private readonly sender: SignedSender;
  private readonly runWorker: LeaseWorker<RunRow>;
  private readonly deliveryWorker: LeaseWorker<OutboundDelivery>;
  private started = false;
  /** The start-up walk over every user's app subscriptions (it stops early once closing). */
  private startupSync: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: RuntimeDeps,
    options: Partial<RuntimeOptions> = {},
  ) {
    this.options = { ...DEFAULT_RUNTIME_OPTIONS, ...options };
    const { database, log } = deps;
    this.sender = new SignedSender(deps.keys, deps.http, this.options.requestTimeoutMs);
    this.queue = new RunQueue(database, this.options.tenantConcurrency);
    this.outbox = new DeliveryOutbox(
      database,
      deps.settings,
      this.options.deliveryRetry,
      this.options.deliveryTargetConcurrency,
      this.options.relativeUrlPrefixes,
    );
    this.connections = new Connections(deps.database, deps.credentials, deps.refreshCredential, deps.workflows);
    this.triggers = new AppTriggers(
      deps.database,
      deps.definitions,
      this.connections,
      deps.credentials,
      deps.box,
      this.queue,
      deps.publicUrl,
      deps.http,
      this.options.requestTimeoutMs,
      log,
      deps.workflows,
      (name, work) => deps.coordination.withLock(name, work),
      // Failed syncs are retried from the database by whichever node claims them first.
      { pollIntervalMs: this.options.pollIntervalMs, claimMs: this.options.leaseMs, concurrency: 4 },
    );
    this.executor = new WorkflowExecutor(
      database,
      deps.definitions,
      deps.executions,
      this.connections,
      this.outbox,
      this.sender,
      deps.http,
      deps.publicUrl,
      {
        requestTimeoutMs: this.options.requestTimeoutMs,
        budget: new TargetBudget(this.options.targetConcurrency),
        relativeUrlPrefixes: this.options.relativeUrlPrefixes,
      },
      deps.box,
      deps.workflows,
      deps.definitionsCurrent,
    );
    const workerOptions = { leaseMs: this.options.leaseMs, pollIntervalMs: this.options.pollIntervalMs };
    this.runWorker = new LeaseWorker(
      'runs',
      this.queue,
      (row, signal) => this.handleRun(row, signal),
      { ...workerOptions, concurrency: this.options.concurrency },
      log,
    );
    this.deliveryWorker = new LeaseWorker(
      'deliveries',
      this.outbox,
      (row, signal) => this.outbox.attempt(row, this.deliveryWorker.owner, this.sender, signal),
      { ...workerOptions, concurrency: this.options.deliveryConcurrency },
      log,
    );
    // Every enqueue notifies in its transaction; each node's listener wakes its own worker (polling
    // stays as the fallback for a notification lost with a dropped connection).
    this.queue.announce = (conn) => deps.coordination.notify(conn, RUNS_CHANNEL);
    this.outbox.announce = (conn) => deps.coordination.notify(conn, DELIVERIES_CHANNEL);
    deps.integrations.onInstalled((event, trx) => this.installed(event, trx));
  }

  /** Starts the workers (once the server listens, so apps on this server can be called). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // After the response that queued the row: the worker's claim waits for the next turn.
    await this.deps.coordination.listen(RUNS_CHANNEL, () => setImmediate(() => this.runWorker.wake()));
    await this.deps.coordination.listen(DELIVERIES_CHANNEL, () => this.deliveryWorker.wake());
    this.runWorker.start();
    this.deliveryWorker.start();
    this.triggers.start();
    // One node at a time walks every user (the others' starts skip it; each user's sync is locked
    // anyway). Awaited by close(): a server closed at once must not query a closed database.
    this.startupSync = this.deps.coordination
      .exclusive('app_triggers_sync_all', () => this.triggers.syncAll())
      .then(
        () => undefined,
        (error: unknown) => this.deps.log.error({ err: error }, 'the start-up app trigger sync failed'),
      );
  }

  /** Stops claiming work; running work gets the grace period, then gives its rows back. */
  async close(): Promise<void> {
    await Promise.all([
      this.triggers.close().then(() => this.startupSync),
      this.runWorker.close(this.options.shutdownGraceMs),
      this.deliveryWorker.close(this.options.shutdownGraceMs),
    ]);
  }

  private async handleRun(row: RunRow, signal: AbortSignal): Promise<void> {
    const owner = this.runWorker.owner;
    const failedAttempts = row.attempts + 1;
    try {
      const outcome = await this.executor.runRow(row, signal, failedAttempts >= this.options.retry.maxAttempts);
      if (outcome.kind === 'released') await this.queue.release(row.id, owner);
      else if (outcome.kind === 'deferred') {
        this.deps.log.debug({ runId: row.id, waitingFor: outcome.target }, 'run deferred');
        await this.queue.defer(row.id, owner, deferDelay());
      } else if (outcome.kind === 'retry') {
        await this.queue.reschedule(
          row.id,
          owner,
          retryDelay(this.options.retry, failedAttempts, outcome.retryAfterMs),
          outcome.error,
        );
      } else await this.queue.complete(row.id, owner, outcome.failed ? 'failed' : 'done');
    } catch (error) {
      // Not a block failing (those are recorded): the database or a bug. Try again later, then stop.
      this.deps.log.error({ err: error, runId: row.id }, 'run failed unexpectedly');
      const message = `Internal error: ${(error as Error).message}`;
      if (failedAttempts >= this.options.retry.maxAttempts) await this.queue.complete(row.id, owner, 'failed', message);
      else await this.queue.reschedule(row.id, owner, retryDelay(this.options.retry, failedAttempts), message);
    }
  }

  /**
   * Inside the install transaction: on-installation runs for newly installed workflows, and the
   * installation webhook, so neither can be lost if the process dies right after the answer.
   */
  async installed(event: InstalledEvent, conn: Conn): Promise<void> {
    const env = await this.deps.users.envOf(event.userId, conn);
    if (env === undefined) return;
    const definitions = this.deps.definitions();
    for (const workflowId of event.newlyInstalled) {
      const entry = definitions.workflow(workflowId);
      const installed = await this.deps.workflows.installedWorkflow(event.userId, workflowId, conn);
      const version = entry && installed && findVersion(entry.workflow, installed.version);
      if (version?.trigger.type !== 'onInstallation') continue;
      await this.queue.enqueue(
        {
          env,
          userId: event.userId,
          kind: 'installation',
          workflowId,
          data: {
            userId: event.userId,
            integrationId: event.integrationId,
            installationId: event.installationId,
            workflowIds: event.workflowIds,
            installedAt: event.installedAt,
          },
        },
        conn,
      );
    }
    await this.outbox.enqueueInstallationWebhook(conn, env, {
      userId: event.userId,
      workflowIds: event.workflowIds,
      integrationId: event.integrationId,
      credentials: event.credentials,
      success: true,
    });
  }

  private connectorContext() {
    return { publicUrl: this.deps.publicUrl(), http: this.deps.http, timeoutMs: this.options.requestTimeoutMs };
  }

  /**
   * `POST /console/api/test-run`: checks the draft's trigger and blocks as a file's version is
   * checked (422 `validation_failed`), finds the user in `env` (404), then runs the blocks once in
   * memory (see WorkflowExecutor.testRun: nothing is queued or recorded).
   */
  async testRun(
    env: Environment,
    body: Omit<TestRunBody, 'trigger' | 'blocks'> & { trigger: unknown; blocks: unknown[] },
    signal: AbortSignal,
  ): Promise<TestRunResponse> {
    let version;
    try {
      version = checkDraftVersion({ version: 1, trigger: body.trigger, blocks: body.blocks });
    } catch (error) {
      if (!(error instanceof DefinitionError)) throw error;
      throw new DomainError('validation_failed', error.message, [{ path: [], message: error.message }]);
    }
    const user = await this.deps.users.require(env, body.userId);
    return this.executor.testRun({
      env,
      userId: user.userId,
      version,
      triggerData: body.data,
      config: body.config ?? {},
      signal,
    });
  }

  /** Checks a credential with the app before it is stored (`credential_invalid`, `app_unreachable`). */
  async testCredential(
    connector: Connector,
    data: CredentialData,
    issuePath: readonly string[] = ['credential', 'data'],
  ): Promise<void> {
    try {
      await connector.testCredential(this.connectorContext(), data);
    } catch (error) {
      const failure = connectorFailure(connector, error);
      if (failure instanceof DomainError && failure.code === 'credential_invalid' && error instanceof ConnectorError) {
        // The field the app refused, else the secret (a wrong key is the usual cause).
        const auth = connector.auth.type === 'apiKey' ? connector.auth.properties : [];
        const field = error.field ?? (auth.find((p) => p.type === 'secret') ?? auth[0])?.name;
        if (field !== undefined && field in data) {
          throw new DomainError('credential_invalid', failure.message, [
            { path: [...issuePath, field], message: error.message },
          ]);
        }
      }
      throw failure;
    }
  }

  /** The choices of a `dynamicSelect` field, loaded from the app with the user's credential. */
  async fieldOptions(
    userId: string,
    params: FieldOptionsParams,
    credentialId: string | undefined,
  ): Promise<FieldOptionsResponse> {
    const integration = this.deps.definitions().integration(params.integrationId);
    const workflow = integration?.workflows.find((w) => w.workflowId === params.workflowId);
    const block = workflow && versionBlocks(latestVersion(workflow)).find((b) => b.id === params.blockId);
    const field = block?.fields.find((f) => f.name === params.fieldName && f.userConfigurable);
    if (!block || !field) throw notFound('The field');
    const connectorId = optionsConnector(block, field);
    const connector = connectorId === null ? undefined : findConnector(connectorId);
    const loader = connector?.optionLoaders.find((l) => l.name === field.dynamicOptions?.loader);
    if (!connector || !loader) {
      throw new DomainError('bad_request', `${field.displayName} has fixed options; they are in the integration.`);
    }
    let credential: CredentialData;
    try {
      credential = (
        await this.connections.resolve(userId, connector, credentialId === undefined ? {} : { credentialId })
      ).data;
    } catch (error) {
      if (error instanceof MissingConnectionError) throw new DomainError('credential_required', error.message);
      throw error;
    }
    try {
      credential = (
        await this.connections.resolveFresh(userId, connector, credentialId === undefined ? {} : { credentialId })
      ).data;
      return { data: await loader.load(this.connectorContext(), credential) };
    } catch (error) {
      throw connectorFailure(connector, error);
    }
  }

  /** Queues a rerun of an execution with the trigger data it recorded, at the user's current version. */
  async rerun(
    env: Environment,
    workflowId: string,
    executionId: string,
    userId: string | undefined,
    /** The transaction to queue the run in, and its id when the answer already names it. */
    options: { conn?: Conn; runId?: string } = {},
  ): Promise<RerunResponse> {
    const conn = options.conn ?? this.deps.database;
    const execution = await this.deps.executions.summary(env, executionId, conn);
    if (!execution || execution.workflowId !== workflowId || (userId !== undefined && userId !== execution.userId)) {
      throw notFound('The execution');
    }
    const installed = await this.deps.workflows.installedWorkflow(execution.userId, workflowId, conn);
    if (!installed) throw new DomainError('not_found', 'The user no longer has this workflow installed.');
    if (!installed.active) {
      throw new DomainError('workflow_inactive', 'This workflow is deactivated for the user; activate it first.');
    }
    if (execution.status === 'running') {
      throw new DomainError('not_rerunnable', 'The execution is still running; rerun it once it has finished.');
    }
    const trigger = (await this.deps.executions.recordedBlocks(executionId, conn))[0];
    if (!trigger || trigger.output === null || trigger.output === undefined) {
      throw new DomainError('not_rerunnable', 'The execution recorded no trigger data to run again.');
    }
    const run = await this.queue.enqueue(
      {
        ...(options.runId === undefined ? {} : { id: options.runId }),
        env,
        userId: execution.userId,
        kind: 'rerun',
        workflowId,
        data: trigger.output,
        rerunOf: executionId,
      },
      conn,
    );
    return rerunAnswer(run.id, executionId);
  }
}

/** The answer to a rerun. */
export function rerunAnswer(runId: string, executionId: string): RerunResponse {
  return { message: 'Execution queued for rerun', runId, rerunOf: executionId };
}

/**
 * How long a run waits when its target is at its budget: 250 ms to 1 s, spread so deferred
 * runs do not come back together. Short next to a request timeout; a deferred run costs one
 * claim and a few reads each time.
 */
function deferDelay(): number {
  return 250 + Math.floor(Math.random() * 750);
}

/** A failed call to an app, as the API answers it. */
function connectorFailure(connector: Connector, error: unknown): unknown {
  if (!(error instanceof ConnectorError)) return error;
  switch (error.kind) {
    case 'credential_invalid':
      return new DomainError('credential_invalid', `${connector.displayName} refused the credential: ${error.message}`);
    case 'rejected':
      return new DomainError('app_error', `${connector.displayName} refused the request: ${error.message}`);
    default:
      return new DomainError('app_unreachable', `${connector.displayName} could not be reached: ${error.message}`);
  }
}
