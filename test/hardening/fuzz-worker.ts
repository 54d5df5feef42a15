/**
 * The fuzzing client, in a worker thread so generating and sending requests does not share the
 * server's event loop: one message per target (its requests are generated here from the seed),
 * answered with that target's stats.
 */
import { parentPort } from 'node:worker_threads';
import fc from 'fast-check';
import { FuzzClient, sendAll, type TargetStats } from './fuzz-support.js';
import { requestArb, type Fixture, type Target } from './fuzz-targets.js';

export interface WorkerJob {
  target: Target;
  fixture: Fixture;
  seed: number;
  runs: number;
}

let client: FuzzClient | undefined;

parentPort!.on('message', (job: WorkerJob | 'close') => {
  if (job === 'close') {
    client?.close();
    parentPort!.close();
    return;
  }
  void (async () => {
    client ??= new FuzzClient(job.fixture.port);
    try {
      const requests = fc.sample(requestArb(job.target, job.fixture), { seed: job.seed, numRuns: job.runs });
      const stats: TargetStats = await sendAll(client, requests, job.target.shape);
      parentPort!.postMessage({ ok: true, stats });
    } catch (error) {
      parentPort!.postMessage({ ok: false, error: (error as Error).stack ?? String(error) });
    }
  })();
});
