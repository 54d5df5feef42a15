/**
 * A second process for arch-runs.test.ts: opens the database file, claims runs with its own lease
 * owner until the queue stays empty, and prints the ids it leased (one JSON line).
 */
import { createDatabase, openDatabase } from '../../src/server/platform/db/index.js';
import { RunQueue } from '../../src/server/runs/run-queue.js';

import fs from 'node:fs';
import path from 'node:path';

const [dir, owner] = process.argv.slice(2) as [string, string];
const db = openDatabase(dir);
const database = createDatabase(db);
const queue = new RunQueue(database);
// Both processes start claiming at the same instant: each says it is ready, then waits for `go`.
fs.writeFileSync(path.join(dir, `ready-${owner}`), '');
while (!fs.existsSync(path.join(dir, 'go'))) await new Promise((resolve) => setTimeout(resolve, 2));
const claimed: string[] = [];
for (let empty = 0; empty < 5;) {
  const rows = await queue.claim(owner, 2, 60_000);
  if (rows.length === 0) empty++;
  else empty = 0;
  claimed.push(...rows.map((row) => row.id));
}
await database.destroy();
process.stdout.write(`${JSON.stringify(claimed)}\n`);
