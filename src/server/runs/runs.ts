import type { RunEventResponse, RunWorkflowResponse, ValidationIssue } from '../../contract/index.js';
import { inTransaction, type Conn, type Database, type Db } from '../platform/db/index.js';
import type { DefinitionRegistry } from '../definitions/registry.js';
import { findVersion } from '../definitions/definitions.js';
import type { EventValidator } from '../definitions/event-schema.js';
import { toValidationIssues } from '../http/errors.js';
import { DomainError } from '../platform/errors.js';
import { runIdempotent, type StoredResponse } from '../http/idempotency.js';
import type { RunQueue } from './run-queue.js';
import { newId } from '../platform/ids.js';
import type { Environment } from '../platform/secrets.js';
import type { WorkflowRef, WorkflowService } from '../installs/workflows.js';

/**
 * Accepts runs for the workflow runtime: the run is validated, then written to the `run_queue`
 * table (WAL, synchronous=FULL) in the same transaction as its idempotency record, and only
 * then answered. A 2xx therefore means the run is on disk and happens once per Idempotency-Key;
 * whether a workflow is active is decided when it runs.
 */
export class RunService {
  constructor(
    /** TODO(i15): http — the raw handle only for runIdempotent until it takes a connection. */
    private readonly db: Db,
    private readonly database: Database,
    private readonly registry: DefinitionRegistry,
    private readonly workflows: WorkflowService,
    private readonly queue: RunQueue,
  ) {}

  async acceptEvent(
    env: Environment,
    userId: string,
    eventName: string,
    data: Record<string, unknown>,
    idempotencyKey: string | undefined,
    requestBody: unknown,
  ): Promise<StoredResponse<RunEventResponse>> {
    const event = this.registry.current.event(eventName);
    if (!event) {
      throw new DomainError('validation_failed', `No workflow listens to the custom event "${eventName}".`, [
        { path: ['event'], message: 'unknown custom event' },
      ]);
    }
    checkData(event.validate, data, `"${eventName}"`);
    const id = newId();
    return idempotentRun(
      this.db,
      this.database,
      { scope: `run-event:${env}`, key: idempotencyKey, requestBody },
      { message: 'Event successfully triggered', eventId: id },
      async (trx) => {
        await this.queue.enqueue({ id, env, userId, kind: 'event', eventName, data }, trx);
      },
    );
  }

  /** Runs a webhook-trigger workflow the user has installed and not deactivated. */
  async acceptWorkflowRun(
    env: Environment,
    userId: string,
    ref: WorkflowRef,
    data: Record<string, unknown>,
    idempotencyKey: string | undefined,
    requestBody: unknown,
  ): Promise<StoredResponse<RunWorkflowResponse>> {
    const entry = await this.workflows.resolve(ref);
    const workflowId = entry.workflow.workflowId;
    // TODO(i15): installs — the installed version and state of one of the user's workflows.
    const row = await this.database
      .selectFrom('user_workflows')
      .select(['version', 'active'])
      .where('user_id', '=', userId)
      .where('workflow_id', '=', workflowId)
      .executeTakeFirst();
    if (!row) throw new DomainError('not_found', 'The user has not installed this workflow.');
    const version = findVersion(entry.workflow, row.version);
    if (version?.trigger.type !== 'webhook') {
      const how = version?.trigger.type === 'customEvent' ? ' Fire its custom event with POST /run/event.' : '';
      throw new DomainError(
        'wrong_trigger',
        `"${entry.workflow.name}" (version ${row.version}) has a ${version?.trigger.type ?? 'missing'} trigger, not a webhook trigger.${how}`,
      );
    }
    if (row.active !== 1) {
      throw new DomainError('workflow_inactive', 'This workflow is deactivated for the user; activate it first.');
    }
    const validate = this.registry.current.webhookValidator(workflowId, row.version);
    if (validate) checkData(validate, data, 'the webhook trigger');
    const id = newId();
    return idempotentRun(
      this.db,
      this.database,
      { scope: `run-workflow:${env}`, key: idempotencyKey, requestBody },
      { message: 'success', runId: id },
      async (trx) => {
        await this.queue.enqueue({ id, env, userId, kind: 'workflow', workflowId, data }, trx);
      },
    );
  }
}

/**
 * Answers `body` once per Idempotency-Key and does `work` (queue the run the answer names) in the
 * same transaction as the key's record: the key is inserted first, then the run; a repeat gets the
 * stored answer and queues nothing; a failing `work` rolls the key back too.
 * TODO(i15): http — runIdempotent is synchronous on the raw handle (it joins this transaction as a
 * savepoint: one SQLite connection); once it takes a connection and async work, call it directly.
 */
export async function idempotentRun<T>(
  db: Db,
  database: Database,
  request: { scope: string; key: string | undefined; requestBody: unknown },
  body: T,
  work: (trx: Conn) => Promise<void>,
): Promise<StoredResponse<T>> {
  return inTransaction(database, async (trx) => {
    let fresh = false;
    const result = runIdempotent(db, request.scope, request.key, request.requestBody, () => {
      fresh = true;
      return { status: 200, body };
    });
    if (fresh) await work(trx);
    return result;
  });
}

/** A 400 listing every field of `data` that does not match the schema, with its path. */
function checkData(validate: EventValidator, data: unknown, what: string): void {
  const result = validate.safeParse(data);
  if (result.success) return;
  const issues: ValidationIssue[] = toValidationIssues(result.error.issues, ['data']);
  const first = issues[0]!;
  throw new DomainError(
    'validation_failed',
    `The data does not match the schema of ${what}. ${first.path.join('.')}: ${first.message}`,
    issues,
  );
}
