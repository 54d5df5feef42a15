/** An execution's status from the `message` `GET /logs` lists it with (`executionSuccess`, ...). */
export function executionStatus(message: string): 'success' | 'error' | 'running' {
  if (message === 'executionSuccess') return 'success';
  if (message === 'executionError') return 'error';
  return 'running';
}

/** The `GET /logs` message for an execution status (what a `filters` entry on `message` matches). */
export const STATUS_MESSAGES = {
  success: 'executionSuccess',
  error: 'executionError',
  running: 'executionRunning',
} as const;
