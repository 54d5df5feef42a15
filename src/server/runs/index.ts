/** The runs module's public face: intake, queue, executor, execution log and retention. */
export { RunService } from './runs.js';
export { RunQueue, type NewRun, type RunKind, type RunRow } from './run-queue.js';
export {
  ExecutionStore,
  type BlockRecord,
  type ExecutionFinish,
  type ExecutionStart,
  type LogSearch,
} from './executions.js';
export { BlockFailure, WorkflowExecutor, type RunOutcome } from './executor.js';
export { DEFAULT_RUNTIME_OPTIONS, Runtime, rerunAnswer, type RuntimeDeps, type RuntimeOptions } from './runtime.js';
export { DEFAULT_LOG_RETENTION_DAYS, IDEMPOTENCY_KEY_TTL_MS, RetentionJob, type PruneResult } from './retention.js';
export { SECRET_MASK, SecretMask } from './secret-mask.js';
export { render, type TemplateScope } from './templates.js';
export { logRoutes } from './log-routes.js';
export { runRoutes } from './run-routes.js';
export { runtimeRoutes } from './runtime-routes.js';
export { type RetentionPruners } from './retention.js';
