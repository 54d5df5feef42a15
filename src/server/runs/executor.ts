import { createHash, randomUUID } from 'node:crypto';
import type { ExecutionMode, StreamDataPayload, TestRunBlock, TestRunResponse } from '../../contract/index.js';
import {
  ConnectorError,
  findConnector,
  MissingConnectionError,
  type Connections,
  type CredentialData,
} from '../connections/index.js';
import { inTransaction, nowIso, type Database } from '../platform/db/index.js';
import {
  blockConnector,
  findVersion,
  type ActionBlock,
  type DefinitionSet,
  type TriggerDefinition,
  type WorkflowEntry,
  type WorkflowVersionDefinition,
  userConfigurableFields,
  versionBlocks,
  versionConnectors,
} from '../definitions/index.js';
import { DomainError } from '../platform/errors.js';
import type { Environment } from '../users/index.js';
import type { ExecutionStore } from './executions.js';
import type { InstalledWorkflow, StoredConfig } from '../installs/index.js';
import type { DeliveryOutbox } from '../deliveries/index.js';
import type { RunKind, RunRow } from './run-queue.js';
import { isCleanOwnPath, type OutboundHttp } from '../platform/outbound-http.js';
import type { SendResult, SignedSender } from '../deliveries/index.js';
import { type TargetBudget, TargetBusy, targetOf } from '../platform/target-budget.js';
import { SECRET_MASK, SecretMask } from './secret-mask.js';
import { render, type TemplateScope } from './templates.js';
import type { SecretBox } from '../platform/encryption.js';
import { openConfig } from '../installs/index.js';

/** What a test run's Stream Data payloads give as workflowId and integrationId (there is no workflow yet). */
const TEST_RUN = 'test-run';

/** What a block needs to know about the run it belongs to. */
interface BlockRun {
  env: Environment;
  userId: string;
  /** What Stream Data payloads name (`test-run` in a test run). */
  workflowId: string;
  integrationId: string;
  /**
   * The installed workflow whose linked connections the blocks use; undefined in a test run,
   * which uses the user's newest connection to each app.
   */
  installedWorkflowId: string | undefined;
  trigger: TriggerDefinition;
  executionId: string;
  triggerData: unknown;
  signal: AbortSignal;
  /** The run's secrets (answers and credentials); tokens a refresh brings are added to it. */
  mask: SecretMask;
  /** The user's connection to each app of the workflow, resolved once for the run. */
  links: ResolvedConnections;
}

/** A connection resolved for a run, or why there is none (thrown again by the block that needs it). */
type ResolvedConnection = { ok: true; credentialId: string; data: CredentialData } | { ok: false; error: unknown };
type ResolvedConnections = Map<string, ResolvedConnection>;

/** Why a block did not finish; `retryable` failures are tried again later with backoff. */
export class BlockFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    readonly aborted = false,
  ) {
    super(message);
  }
}

/** How one run ended for now. */
export type RunOutcome =
  | { kind: 'done'; failed: boolean }
  | { kind: 'retry'; error: string; retryAfterMs?: number | undefined }
  /**
   * Nothing failed; the run waits in the queue for a while: a target was at its budget, or this
   * node lacks a workflow version the run needs because another node made newer definitions
   * current and this one has not taken them up (a node on the current definitions runs it).
   */
  | { kind: 'deferred'; target: string }
  /** The server is stopping: nothing was decided, the run goes back to the queue. */
  | { kind: 'released' };

export interface ExecutorOptions {
  /** Per outgoing request (Stream Data, HTTP request blocks, app calls). */
  requestTimeoutMs: number;
  /** Requests open at once per target, shared by all runs of this process. */
  budget: TargetBudget;
  /** Paths of this server an ISV-authored relative URL may name (see RuntimeOptions). */
  relativeUrlPrefixes: readonly string[];
}

/** The users' installed workflows (the installs module's WorkflowService). */
export interface InstalledWorkflows {
  installedWorkflow(userId: string, workflowId: string): Promise<InstalledWorkflow | undefined>;
  installedWorkflows(userId: string): Promise<InstalledWorkflow[]>;
}

const MODES: Record<RunKind, ExecutionMode> = {
  event: 'trigger',
  workflow: 'webhook',
  appEvent: 'trigger',
  installation: 'internal',
  rerun: 'manual',
};

/**
 * Runs the workflows a queued run starts, one execution per workflow, recording each block's
 * input, output, timing and status as it goes. A run resumed after a crash or a retry continues
 * its executions after the last recorded block, so a block that finished is never done twice
 * (one that was cut off is redone: Stream Data keeps its webhook-id so receivers can dedupe).
 */
export class WorkflowExecutor {
  constructor(
    private readonly database: Database,
    private readonly definitions: () => DefinitionSet,
    private readonly executions: ExecutionStore,
    private readonly connections: Connections,
    private readonly outbox: DeliveryOutbox,
    private readonly sender: SignedSender,
    /** The guarded client, here to build this server's URLs and to hand to connectors. */
    private readonly http: OutboundHttp,
    private readonly publicUrl: () => string,
    private readonly options: ExecutorOptions,
    /** Opens the users' sealed configuration answers. */
    private readonly box: SecretBox,
    private readonly installs: InstalledWorkflows,
    /**
     * Whether this node runs the definitions made current last (by any node). Asked only when a
     * run names a workflow or version this node does not have: if it is behind, the run is
     * rescheduled, not failed; if it is current, the version is gone and the run fails as before.
     */
    private readonly definitionsCurrent: () => Promise<boolean> = async () => true,
  ) {}

  async runRow(row: RunRow, signal: AbortSignal, lastAttempt: boolean): Promise<RunOutcome> {
    const definitions = this.definitions();
    const { targets, unknown } = await this.targets(row, definitions);
    if (unknown !== undefined && !(await this.definitionsCurrent())) return { kind: 'deferred', target: unknown };
    let failed = false;
    let retry: RunOutcome | undefined;
    let deferred: RunOutcome | undefined;
    for (const target of targets) {
      const outcome = await this.runWorkflow(row, target, definitions, signal, lastAttempt);
      if (outcome.kind === 'released') return outcome;
      if (outcome.kind === 'retry') retry ??= outcome;
      else if (outcome.kind === 'deferred') deferred ??= outcome;
      else failed ||= outcome.failed;
    }
    // A retry counts an attempt and backs off; a deferred workflow simply comes along with it.
    return retry ?? deferred ?? { kind: 'done', failed };
  }

  /**
   * The workflows this run starts or continues, in a stable order; and `unknown`, the first
   * workflow version it may need that this node's definitions lack (`<workflowId>@<version>`).
   */
  private async targets(
    row: RunRow,
    definitions: DefinitionSet,
  ): Promise<{ targets: { workflowId: string; resumeVersion?: number }[]; unknown?: string }> {
    const targets = new Map<string, { workflowId: string; resumeVersion?: number }>();
    let unknown: string | undefined;
    const lacks = (workflowId: string, version: number) => {
      const entry = definitions.workflow(workflowId);
      return !entry || !findVersion(entry.workflow, version);
    };
    for (const running of await this.executions.runningForRun(row.id)) {
      targets.set(running.workflowId, { workflowId: running.workflowId, resumeVersion: running.version });
      if (lacks(running.workflowId, running.version)) unknown ??= `${running.workflowId}@${running.version}`;
    }
    const installed = await this.installs.installedWorkflows(row.user_id);
    for (const uw of installed) {
      if (targets.has(uw.workflowId)) continue;
      if (row.kind === 'event' ? false : uw.workflowId !== row.workflow_id) continue;
      const entry = definitions.workflow(uw.workflowId);
      const version = entry && findVersion(entry.workflow, uw.version);
      // Without the version its trigger is unknown here, so the run may need it.
      if (!version && uw.active) unknown ??= `${uw.workflowId}@${uw.version}`;
      if (!version || !triggerMatches(row, version.trigger)) continue;
      targets.set(uw.workflowId, { workflowId: uw.workflowId });
    }
    return { targets: [...targets.values()], unknown };
  }

  private async runWorkflow(
    row: RunRow,
    target: { workflowId: string; resumeVersion?: number },
    definitions: DefinitionSet,
    signal: AbortSignal,
    lastAttempt: boolean,
  ): Promise<RunOutcome> {
    const entry = definitions.workflow(target.workflowId);
    const installed = await this.installs.installedWorkflow(row.user_id, target.workflowId);
    const existing = await this.executions.forRun(row.id, target.workflowId);
    if (existing && existing.status !== 'running') return { kind: 'done', failed: existing.status === 'error' };

    // A workflow deactivated or removed after the event was accepted does not run.
    if (!entry || !installed || !installed.active) {
      if (existing) {
        await this.executions.finish(existing.id, {
          status: 'error',
          errorMessage: 'The workflow was deactivated or removed before this run finished.',
        });
      }
      return { kind: 'done', failed: false };
    }
    // Upgraded users run their new version; an execution already under way keeps its own.
    const versionNumber = existing?.version ?? target.resumeVersion ?? installed.version;
    const version = findVersion(entry.workflow, versionNumber);
    if (!version) {
      if (existing) {
        await this.executions.finish(existing.id, {
          status: 'error',
          errorMessage: `Version ${versionNumber} of the workflow is no longer defined.`,
        });
      }
      return { kind: 'done', failed: true };
    }

    const triggerData = JSON.parse(row.payload) as unknown;
    const answers = openConfig(this.box, row.user_id, target.workflowId, installed.config);
    const links = await this.resolveConnections(row.user_id, entry.workflow.workflowId, version);
    const mask = secretsOf(version, answers, triggerData, links);
    const executionId = existing?.id ?? (await this.startExecution(row, entry, version, triggerData, mask));
    const recorded = await this.executions.recordedBlocks(executionId);
    const outputs: Record<string, unknown> = {};
    for (const block of recorded) if (block.status === 'success') outputs[block.blockId] = block.output;
    const scope: TemplateScope = { trigger: triggerData, blocks: outputs, config: configValues(version, answers) };

    for (const block of version.blocks) {
      if (Object.hasOwn(outputs, block.id)) continue;
      const startedAt = nowIso();
      const { values, logged } = blockInput(block, answers, scope);
      try {
        const output = await this.runBlock(block, values, {
          env: row.env,
          userId: row.user_id,
          workflowId: entry.workflow.workflowId,
          integrationId: entry.integration.integrationId,
          installedWorkflowId: entry.workflow.workflowId,
          trigger: version.trigger,
          executionId,
          triggerData,
          signal,
          mask,
          links,
        });
        // Later blocks get the real output; the log gets it masked.
        await this.executions.recordBlock(
          executionId,
          {
            blockId: block.id,
            blockType: block.type,
            connector: blockConnector(block),
            status: 'success',
            input: logged,
            output,
            startedAt,
            stoppedAt: nowIso(),
          },
          mask,
        );
        outputs[block.id] = output;
      } catch (error) {
        if (error instanceof TargetBusy) return { kind: 'deferred', target: error.target };
        const failure = toFailure(error);
        if (failure.aborted) return { kind: 'released' };
        if (failure.retryable && !lastAttempt) {
          return {
            kind: 'retry',
            error: mask.text(`${block.name}: ${failure.message}`),
            retryAfterMs: failure.retryAfterMs,
          };
        }
        const message = mask.text(
          failure.retryable && lastAttempt
            ? `${failure.message} Gave up after ${row.attempts + 1} attempts.`
            : failure.message,
        );
        await this.failExecution(row, entry, executionId, block, mask.value(logged), message, startedAt);
        return { kind: 'done', failed: true };
      }
    }
    await this.executions.finish(executionId, { status: 'success' });
    return { kind: 'done', failed: false };
  }

  private startExecution(
    row: RunRow,
    entry: WorkflowEntry,
    version: WorkflowVersionDefinition,
    triggerData: unknown,
    mask: SecretMask,
  ): Promise<string> {
    return inTransaction(this.database, async (trx) => {
      const id = await this.executions.start(
        {
          env: row.env,
          userId: row.user_id,
          workflowId: entry.workflow.workflowId,
          version: version.version,
          integrationId: entry.integration.integrationId,
          runId: row.id,
          mode: MODES[row.kind],
        },
        trx,
      );
      // The trigger is the first block of the log: what started the run, and when it was accepted.
      await this.executions.recordBlock(
        id,
        {
          blockId: version.trigger.id,
          blockType: version.trigger.type,
          connector: blockConnector(version.trigger),
          status: 'success',
          input: triggerData,
          output: triggerData,
          startedAt: row.created_at,
          stoppedAt: nowIso(),
        },
        mask,
        trx,
      );
      return id;
    });
  }

  private async failExecution(
    row: RunRow,
    entry: WorkflowEntry,
    executionId: string,
    block: ActionBlock,
    input: unknown,
    message: string,
    startedAt: string,
  ): Promise<void> {
    const stoppedAt = nowIso();
    await inTransaction(this.database, async (trx) => {
      await this.executions.recordBlock(
        executionId,
        {
          blockId: block.id,
          blockType: block.type,
          connector: blockConnector(block),
          status: 'error',
          input,
          output: undefined,
          error: message,
          startedAt,
          stoppedAt,
        },
        undefined,
        trx,
      );
      await this.executions.finish(
        executionId,
        { status: 'error', stoppedAt, errorBlockId: block.id, errorMessage: message },
        trx,
      );
      // In the transaction that records the failure: the error-stream post exists if and only if it does.
      await this.outbox.enqueueErrorStream(trx, row.env as Environment, {
        executionId,
        workflowId: entry.workflow.workflowId,
        workflowName: entry.workflow.name,
        integrationId: entry.integration.integrationId,
        userId: row.user_id,
        block: { id: block.id, name: block.name, type: block.type, connector: blockConnector(block) },
        message,
        errorOccurredAt: stoppedAt,
      });
    });
  }

  /**
   * The console's test run: a draft version's blocks once, now, in order, as `userId` (a user of
   * `env`) with the user's newest connection to each app, on `triggerData`. The same block code,
   * data mapping and secret masking as a run, but nothing is queued or recorded: no run, no
   * execution, no error-stream post. `config` answers the user-configurable fields by name (the
   * field's own value when absent). A failed block marks the ones after it `skipped`.
   */
  async testRun(test: {
    env: Environment;
    userId: string;
    version: WorkflowVersionDefinition;
    triggerData: unknown;
    config: Record<string, unknown>;
    signal: AbortSignal;
  }): Promise<TestRunResponse> {
    const { version, triggerData, config } = test;
    const answers: StoredConfig = userConfigurableFields(version).flatMap(({ blockId, field }) =>
      Object.hasOwn(config, field.name) ? [{ blockId, name: field.name, value: config[field.name] }] : [],
    );
    const links = await this.resolveConnections(test.userId, undefined, version);
    const mask = secretsOf(version, answers, triggerData, links);
    const outputs: Record<string, unknown> = {};
    const scope: TemplateScope = { trigger: triggerData, blocks: outputs, config: configValues(version, answers) };
    const run: BlockRun = {
      env: test.env,
      userId: test.userId,
      workflowId: TEST_RUN,
      integrationId: TEST_RUN,
      installedWorkflowId: undefined,
      trigger: version.trigger,
      // Random: each test run's requests get their own webhook-id.
      executionId: `test_${randomUUID()}`,
      triggerData,
      signal: test.signal,
      mask,
      links,
    };
    const blocks: TestRunBlock[] = [];
    let failed = false;
    for (const block of version.blocks) {
      const about = { blockId: block.id, name: block.name, type: block.type };
      if (failed) {
        blocks.push({ ...about, status: 'skipped', durationMs: 0 });
        continue;
      }
      const started = performance.now();
      const { values, logged } = blockInput(block, answers, scope);
      const input = mask.value(logged);
      try {
        const output = await this.runBlock(block, values, run);
        outputs[block.id] = output;
        const durationMs = Math.round(performance.now() - started);
        blocks.push({ ...about, status: 'success', input, output: mask.value(output), durationMs });
      } catch (error) {
        const message =
          error instanceof TargetBusy
            ? `${error.target} has as many requests open as allowed; try again in a moment.`
            : toFailure(error).message;
        const durationMs = Math.round(performance.now() - started);
        blocks.push({ ...about, status: 'error', input, error: mask.text(message), durationMs });
        failed = true;
      }
    }
    return { ok: !failed, blocks };
  }

  /**
   * The user's connection to each app the workflow version uses, resolved once for the run: the
   * secrets mask reads them, and each connector block uses its app's (refreshed when due).
   */
  private async resolveConnections(
    userId: string,
    workflowId: string | undefined,
    version: WorkflowVersionDefinition,
  ): Promise<ResolvedConnections> {
    const links: ResolvedConnections = new Map();
    for (const id of versionConnectors(version)) {
      const connector = findConnector(id);
      if (!connector) continue;
      links.set(id, await this.resolveConnection(userId, workflowId, connector));
    }
    return links;
  }

  private async resolveConnection(
    userId: string,
    workflowId: string | undefined,
    connector: NonNullable<ReturnType<typeof findConnector>>,
  ): Promise<ResolvedConnection> {
    try {
      const resolved = await this.connections.resolve(
        userId,
        connector,
        workflowId === undefined ? {} : { workflowId },
      );
      return { ok: true, credentialId: resolved.credentialId, data: resolved.data };
    } catch (error) {
      // No connection: nothing of it can reach a log (the block that needs it fails on its own).
      if (!(error instanceof MissingConnectionError) && !(error instanceof DomainError)) throw error;
      return { ok: false, error };
    }
  }

  private async runBlock(block: ActionBlock, input: Record<string, unknown>, run: BlockRun): Promise<unknown> {
    switch (block.type) {
      case 'streamData':
        return this.streamData(block, input, run);
      case 'httpRequest':
        return this.httpRequest(block, input, run);
      case 'connectorAction':
        return this.connectorAction(block, input, run);
    }
  }

  private async streamData(block: ActionBlock, input: Record<string, unknown>, run: BlockRun): Promise<unknown> {
    const body = input.body;
    const fields = Object.fromEntries(Object.entries(input).filter(([name]) => name !== 'url' && name !== 'body'));
    const payload: StreamDataPayload = {
      environment: run.env,
      workflowId: run.workflowId,
      executionId: run.executionId,
      userId: run.userId,
      integrationId: run.integrationId,
      trigger: {
        type: run.trigger.type,
        event: 'event' in run.trigger ? run.trigger.event : null,
      },
      data: body === undefined ? run.triggerData : body,
      fields,
    };
    const result = await this.send(block, input.url, 'POST', JSON.stringify(payload), {}, run);
    return responseOutput(result);
  }

  private async httpRequest(
    block: ActionBlock,
    input: Record<string, unknown>,
    run: Pick<BlockRun, 'env' | 'executionId' | 'signal'>,
  ): Promise<unknown> {
    const method = typeof input.method === 'string' ? input.method : 'POST';
    const headers = Object.fromEntries(
      Object.entries((input.headers as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [
        k.toLowerCase(),
        String(v),
      ]),
    );
    const body = method === 'GET' || input.body === undefined ? undefined : JSON.stringify(input.body);
    const result = await this.send(block, input.url, method, body, headers, run);
    return responseOutput(result);
  }

  private async send(
    block: ActionBlock,
    target: unknown,
    method: string,
    body: string | undefined,
    headers: Record<string, string>,
    run: Pick<BlockRun, 'env' | 'executionId' | 'signal'>,
  ): Promise<Extract<SendResult, { ok: true }>> {
    if (typeof target !== 'string' || target === '') {
      throw new BlockFailure(`The URL is empty: the block's mapping gave ${JSON.stringify(target ?? null)}.`, false);
    }
    const relative = target.startsWith('/') && !target.startsWith('//');
    if (relative) this.checkRelativeTarget(block, target);
    const url = relative ? this.http.ownUrl(target) : target;
    const result = await this.withinBudget(targetOf(url), () =>
      this.sender.send({
        // The same on every attempt of this block in this execution: receivers deduplicate on it.
        id: messageId(run.executionId, block.id),
        env: run.env,
        method,
        url,
        body,
        headers,
        signal: run.signal,
        // Only an ISV-authored relative URL may reach this server (checked above); an absolute URL
        // is an outside address, whatever it names, and gets the private-target policy.
        ...(relative ? { ownPathPrefixes: this.options.relativeUrlPrefixes } : {}),
      }),
    );
    if (result.ok) return result;
    throw new BlockFailure(result.error, result.retryable, result.retryAfterMs, result.aborted);
  }

  /** Runs `request` in one of the target's slots; throws TargetBusy when it has none free. */
  private async withinBudget<T>(target: string, request: () => Promise<T>): Promise<T> {
    const release = this.options.budget.tryAcquire(target);
    if (!release) throw new TargetBusy(target);
    try {
      return await request();
    } finally {
      release();
    }
  }

  /**
   * A relative URL goes to this server, which also serves APIs no workflow should call. It is
   * allowed only as the ISV wrote it (the block's own literal, not a value an end user configured
   * nor one a template filled in) and only under the configured prefixes.
   */
  private checkRelativeTarget(block: ActionBlock, target: string): void {
    const field = block.fields.find((f) => f.name === 'url');
    const authored = field !== undefined && !field.userConfigurable && field.value === target;
    if (!authored) {
      throw new BlockFailure(
        'A URL that is a path on this server is allowed only as written in the workflow definition, not from a configurable field or a template.',
        false,
      );
    }
    const prefixes = this.options.relativeUrlPrefixes;
    if (!isCleanOwnPath(target) || !prefixes.some((prefix) => target.startsWith(prefix))) {
      throw new BlockFailure(
        prefixes.length === 0
          ? `The URL ${target} is a path on this server, and no paths are allowed (set ALLOY_RELATIVE_URL_PREFIXES).`
          : `The URL ${target} is a path on this server outside the allowed prefixes (${prefixes.join(', ')}).`,
        false,
      );
    }
  }

  private async connectorAction(
    block: Extract<ActionBlock, { type: 'connectorAction' }>,
    input: Record<string, unknown>,
    run: Pick<BlockRun, 'userId' | 'installedWorkflowId' | 'signal' | 'mask' | 'links'>,
  ): Promise<unknown> {
    const connector = findConnector(block.connector);
    const action = connector?.actions.find((a) => a.name === block.action);
    if (!connector || !action)
      throw new BlockFailure(`The ${block.connector} connector has no action ${block.action}.`, false);
    // The connection resolved for this run; a missing one throws before the try, as before.
    const link =
      run.links.get(connector.id) ?? (await this.resolveConnection(run.userId, run.installedWorkflowId, connector));
    if (!link.ok) throw link.error;
    try {
      // The same credential, its access token refreshed when it is about to expire (read again by
      // id: an earlier block of the run may have rotated it).
      const credential = await this.connections.resolveFresh(run.userId, connector, {
        credentialId: link.credentialId,
      });
      // A refresh may just have rotated the tokens.
      addCredentialSecrets(run.mask, connector, credential.data);
      return await this.withinBudget(`connector:${connector.id}`, () =>
        action.run(
          {
            publicUrl: this.publicUrl(),
            http: this.http,
            signal: run.signal,
            timeoutMs: this.options.requestTimeoutMs,
          },
          credential.data,
          input,
        ),
      );
    } catch (error) {
      if (error instanceof ConnectorError && error.kind === 'credential_invalid') {
        throw new BlockFailure(`${connector.displayName} refused the connection: ${error.message}`, false);
      }
      throw error;
    }
  }
}

/**
 * Every secret this run can put in a log: the secret fields' values (the user's answers, the
 * ISV's rendered values) and the secret parts of the user's connections to the workflow's apps
 * (typed secret properties, OAuth tokens).
 */
function secretsOf(
  version: WorkflowVersionDefinition,
  answers: StoredConfig,
  triggerData: unknown,
  links: ResolvedConnections,
): SecretMask {
  const mask = new SecretMask();
  const scope: TemplateScope = { trigger: triggerData, blocks: {}, config: configValues(version, answers) };
  for (const block of versionBlocks(version)) {
    for (const field of block.fields) {
      if (field.type !== 'secret') continue;
      const answer = answers.find((a) => a.blockId === block.id && a.name === field.name);
      mask.add(answer ? answer.value : render(field.value, scope));
    }
  }
  for (const [id, link] of links) {
    const connector = findConnector(id);
    if (connector && link.ok) addCredentialSecrets(mask, connector, link.data);
  }
  return mask;
}

/** Whether a workflow version's trigger is what this run fires. */
function triggerMatches(row: RunRow, trigger: TriggerDefinition): boolean {
  switch (row.kind) {
    case 'event':
      return trigger.type === 'customEvent' && trigger.event === row.event_name;
    case 'workflow':
      return trigger.type === 'webhook';
    case 'appEvent':
      return trigger.type === 'appEvent';
    case 'installation':
      return trigger.type === 'onInstallation';
    case 'rerun':
      return true;
  }
}

/** The user's answers by field name, with the ISV's defaults for fields they left empty. */
function configValues(version: WorkflowVersionDefinition, answers: StoredConfig): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const block of [version.trigger, ...version.blocks]) {
    for (const field of block.fields) {
      if (!field.userConfigurable) continue;
      const answer = answers.find((a) => a.blockId === block.id && a.name === field.name);
      config[field.name] = answer ? answer.value : field.value;
    }
  }
  return config;
}

/**
 * A block's resolved fields, and the same with secret values masked for the log. The user's
 * answers are data, never templates; the ISV's values are rendered.
 */
function blockInput(
  block: ActionBlock,
  answers: StoredConfig,
  scope: TemplateScope,
): { values: Record<string, unknown>; logged: Record<string, unknown> } {
  const values: Record<string, unknown> = {};
  const logged: Record<string, unknown> = {};
  for (const field of block.fields) {
    const answer = field.userConfigurable
      ? answers.find((a) => a.blockId === block.id && a.name === field.name)
      : undefined;
    const value = answer ? answer.value : render(field.value, scope);
    if (value === undefined) continue;
    values[field.name] = value;
    logged[field.name] = field.type === 'secret' ? SECRET_MASK : value;
  }
  return { values, logged };
}

/** The secret parts of a connection: its secret properties and OAuth tokens. */
function addCredentialSecrets(
  mask: SecretMask,
  connector: NonNullable<ReturnType<typeof findConnector>>,
  data: Record<string, unknown>,
): void {
  const properties = [...connector.auth.properties, ...(connector.oauth?.properties ?? [])];
  for (const property of properties) if (property.type === 'secret') mask.add(data[property.name]);
  mask.add(data.accessToken);
  mask.add(data.refreshToken);
}

/** The webhook-id of a block's request: stable across attempts and resumptions of the execution. */
function messageId(executionId: string, blockId: string): string {
  return `msg_${createHash('sha256').update(`${executionId}:${blockId}`).digest('hex').slice(0, 24)}`;
}

function responseOutput(result: Extract<SendResult, { ok: true }>): { status: number; body: unknown } {
  let body: unknown = result.body;
  if (result.contentType?.includes('json')) {
    try {
      body = JSON.parse(result.body);
    } catch {
      body = result.body;
    }
  }
  return { status: result.status, body: body === '' ? null : body };
}

function toFailure(error: unknown): BlockFailure {
  if (error instanceof BlockFailure) return error;
  if (error instanceof ConnectorError) {
    return new BlockFailure(error.message, error.retryable, error.retryAfterMs, error.kind === 'aborted');
  }
  if (error instanceof MissingConnectionError || error instanceof DomainError)
    return new BlockFailure(error.message, false);
  // A bug or a broken credential record: not something a retry fixes, and the log says what.
  return new BlockFailure(`Internal error: ${(error as Error).message ?? String(error)}`, false);
}
