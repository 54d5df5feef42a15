import type { RunEventResponse, RunWorkflowResponse, ValidationIssue } from '../../contract/index.js';
import { inTransaction, type Conn, type Database } from '../platform/db/index.js';
import type { DefinitionRegistry } from '../definitions/index.js';
import { findVersion } from '../definitions/index.js';
import type { EventValidator } from '../definitions/index.js';
import { toValidationIssues } from '../http/errors.js';
import { DomainError } from '../platform/errors.js';
import type { RunQueue } from './run-queue.js';
import { newId } from '../platform/ids.js';
import type { Environment } from '../users/index.js';
import type { WorkflowRef, WorkflowService } from '../installs/index.js';

/**
 * Accepts runs for the workflow runtime: the run is validated, then written to the `run_queue`
 * table (WAL, synchronous=FULL) in the same transaction as its idempotency record, and only
 * then answered. A 2xx therefore means the run is on disk and happens once per Idempotency-Key;
 * whether a workflow is active is decided when it runs.
 */
export class RunService {
  constructor(
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
    conn: Conn = this.database,
  ): Promise<RunEventResponse> {
    const event = this.registry.current.event(eventName);
    if (!event) {
      throw new DomainError('validation_failed', `No workflow listens to the custom event "${eventName}".`, [
        { path: ['event'], message: 'unknown custom event' },
      ]);
    }
    checkData(event.validate, data, `"${eventName}"`);
    const id = newId();
    // Inside the caller's transaction (the router's idempotency record) when there is one.
    await inTransaction(conn, (trx) => this.queue.enqueue({ id, env, userId, kind: 'event', eventName, data }, trx));
    return { message: 'Event successfully triggered', eventId: id };
  }

  /** Runs a webhook-trigger workflow the user has installed and not deactivated. */
  async acceptWorkflowRun(
    env: Environment,
    userId: string,
    ref: WorkflowRef,
    data: Record<string, unknown>,
    conn: Conn = this.database,
  ): Promise<RunWorkflowResponse> {
    const entry = this.workflows.resolve(ref);
    const workflowId = entry.workflow.workflowId;
    const row = await this.workflows.installedWorkflow(userId, workflowId, conn);
    if (!row) throw new DomainError('not_found', 'The user has not installed this workflow.');
    const version = findVersion(entry.workflow, row.version);
    if (version?.trigger.type !== 'webhook') {
      const how = version?.trigger.type === 'customEvent' ? ' Fire its custom event with POST /run/event.' : '';
      throw new DomainError(
        'wrong_trigger',
        `"${entry.workflow.name}" (version ${row.version}) has a ${version?.trigger.type ?? 'missing'} trigger, not a webhook trigger.${how}`,
      );
    }
    if (!row.active) {
      throw new DomainError('workflow_inactive', 'This workflow is deactivated for the user; activate it first.');
    }
    const validate = this.registry.current.webhookValidator(workflowId, row.version);
    if (validate) checkData(validate, data, 'the webhook trigger');
    const id = newId();
    await inTransaction(conn, (trx) =>
      this.queue.enqueue({ id, env, userId, kind: 'workflow', workflowId, data }, trx),
    );
    return { message: 'success', runId: id };
  }
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
