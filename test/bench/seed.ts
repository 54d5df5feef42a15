/**
 * Fills a database with a realistic tenant population, through the storage seam (Kysely, the same
 * migrations the server runs), in big batched transactions:
 *
 *   npm run seed -- --users 100000 --executions 1000000 --backlog 100000
 *     [--backlog-users 300] [--data-dir D | --database-url U [--schema S]] [--definitions-dir DIR]
 *
 * Every user has the integration (the first in the definitions dir, or `--integration`) installed
 * with all its workflows at their latest version, configuration answers sealed as the server seals
 * them; the executions (one block each per workflow block, ~9 % failed) are spread over the users
 * and the last 59 days (inside the default 60-day log retention, so the retention pass keeps them);
 * the backlog is queued custom-event runs of `--backlog-users` users. SQLite writes into
 * `<data dir>/alloy.db` and creates the data dir's encryption key file when missing, as the server
 * would; PostgreSQL needs ALLOY_ENCRYPTION_KEY (the one the server will run with). The database
 * should be empty (usernames are `seed-…`; a second run with the same numbers collides).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql, type Insertable } from 'kysely';
import { sealConfig } from '../../src/server/installs/index.js';
import { inTransaction, openStorage, type Conn, type DB } from '../../src/server/platform/db/index.js';
import { loadEncryptionKey, parseEncryptionKey, SecretBox } from '../../src/server/platform/encryption.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SeedOptions {
  users: number;
  executions: number;
  backlog: number;
  backlogUsers: number;
  dataDir: string;
  databaseUrl?: string | undefined;
  schema?: string | undefined;
  definitionsDir?: string | undefined;
  integrationId?: string | undefined;
  env?: 'development' | 'production';
  log?: (message: string) => void;
  /** Users already in the database that the executions and the backlog go to (with `users: 0`). */
  existingUserIds?: string[];
  /** Seed nothing new of users and executions: read the users (and count the executions) already there. */
  reuse?: boolean;
}

export interface SeedResult {
  users: number;
  executions: number;
  blocks: number;
  backlog: number;
  seconds: number;
  /** The seeded users' ids, in creation order (the bench picks from them). */
  userIds: string[];
  /** The workflows every user has, and the custom event the backlog runs carry. */
  workflowIds: string[];
  backlogEvent: string | undefined;
}

interface WorkflowDef {
  workflowId: string;
  versions: {
    version: number;
    trigger: { type: string; event?: string };
    blocks: {
      id: string;
      type: string;
      connector?: string;
      fields?: { name: string; userConfigurable?: boolean; placeholder?: string; value?: unknown }[];
    }[];
  }[];
}
interface IntegrationDef {
  integrationId: string;
  workflows: WorkflowDef[];
}

function readIntegration(dir: string, integrationId: string | undefined): IntegrationDef {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.integration.json'))
    .sort();
  const integrations = files.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as IntegrationDef);
  const found = integrationId ? integrations.find((i) => i.integrationId === integrationId) : integrations[0];
  if (!found) throw new Error(`no integration ${integrationId ?? ''} in ${dir}`);
  return found;
}

/** Rows per INSERT (under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters) and per transaction. */
const ROWS_PER_STATEMENT = 1000;
const ROWS_PER_TRANSACTION = 50_000;
const DAY_MS = 24 * 60 * 60 * 1000;

const id = (): string => randomBytes(12).toString('hex');
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

async function insertChunks<T extends keyof DB & string>(
  conn: Conn,
  table: T,
  rows: Insertable<DB[T]>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    // Kysely cannot relate a generic table name to its row type: the caller's rows are typed above.
    await conn
      .insertInto(table)
      .values(rows.slice(i, i + ROWS_PER_STATEMENT) as never)
      .execute();
  }
}

export async function seed(options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const env = options.env ?? 'development';
  const integration = readIntegration(
    options.definitionsDir ?? path.join(root, 'src/server/definitions/seed'),
    options.integrationId,
  );
  const workflows = integration.workflows.map((w) => ({ ...w, latest: w.versions[w.versions.length - 1]! }));
  const eventWorkflow = workflows.find((w) => w.latest.trigger.type === 'customEvent');
  const box = new SecretBox(
    options.databaseUrl
      ? parseEncryptionKey(
          process.env.ALLOY_ENCRYPTION_KEY ??
            (() => {
              throw new Error('PostgreSQL: set ALLOY_ENCRYPTION_KEY to the key the server will use');
            })(),
        )
      : (fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 }),
        loadEncryptionKey(options.dataDir, process.env.ALLOY_ENCRYPTION_KEY)),
  );
  const storage = await openStorage({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    schema: options.schema,
    poolSize: 2,
  });
  const db = storage.database;
  if (storage.engine === 'sqlite') {
    // This connection only: a big page cache for the random-id index inserts, and no fsync per
    // batch (nobody was told these rows are stored; the server reopens with synchronous=FULL).
    await sql`pragma cache_size = -524288`.execute(db);
    await sql`pragma synchronous = NORMAL`.execute(db);
    await sql`pragma secure_delete = OFF`.execute(db);
  }
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const userIds: string[] = [...(options.existingUserIds ?? [])];
  let blocks = 0;
  let executionsThere = options.executions;
  try {
    if (options.reuse) {
      const rows = await db
        .selectFrom('users')
        .select('id')
        .where('env', '=', env)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      userIds.push(...rows.map((r) => r.id));
      const counted = await db
        .selectFrom('executions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      executionsThere = Number(counted.n);
      // What an earlier bench left queued would drain while this one measures: start with none.
      await db.deleteFrom('run_queue').execute();
    }
    // Users, each with the integration installed (an installation and every workflow).
    for (let done = 0; done < options.users; done += ROWS_PER_TRANSACTION) {
      const count = Math.min(ROWS_PER_TRANSACTION, options.users - done);
      const users: Insertable<DB['users']>[] = [];
      const installations: Insertable<DB['installations']>[] = [];
      const installed: Insertable<DB['user_workflows']>[] = [];
      for (let i = 0; i < count; i++) {
        const n = done + i;
        // Oldest first, a user every ~50 s over 60 days back to now, so keyset order is creation order.
        const createdAt = iso(now - 60 * DAY_MS + Math.floor(((n + 1) / (options.users + 1)) * 60 * DAY_MS));
        const userId = id();
        userIds.push(userId);
        users.push({
          id: userId,
          env,
          username: `seed-${String(n).padStart(7, '0')}@example.com`,
          full_name: `Seed User ${n}`,
          created_at: createdAt,
        });
        const installationId = id();
        installations.push({
          id: installationId,
          user_id: userId,
          integration_id: integration.integrationId,
          created_at: createdAt,
          updated_at: createdAt,
        });
        for (const w of workflows) {
          const answers = w.latest.blocks.flatMap((b) =>
            (b.fields ?? [])
              .filter((f) => f.userConfigurable)
              .map((f) => ({ blockId: b.id, name: f.name, value: f.placeholder ?? f.value ?? 'seed' })),
          );
          installed.push({
            user_id: userId,
            workflow_id: w.workflowId,
            installation_id: installationId,
            version: w.latest.version,
            active: 1,
            config: sealConfig(box, userId, w.workflowId, answers),
            installed_at: createdAt,
          });
        }
      }
      await inTransaction(db, async (trx) => {
        await insertChunks(trx, 'users', users);
        await insertChunks(trx, 'installations', installations);
        await insertChunks(trx, 'user_workflows', installed);
      });
      log(`users ${done + count}/${options.users}`);
    }

    // Executions with their blocks, spread over the users and the last 59 days.
    for (let done = 0; done < options.executions; done += ROWS_PER_TRANSACTION) {
      const count = Math.min(ROWS_PER_TRANSACTION, options.executions - done);
      const executions: Insertable<DB['executions']>[] = [];
      const executionBlocks: Insertable<DB['execution_blocks']>[] = [];
      for (let i = 0; i < count; i++) {
        const w = pick(workflows);
        const executionId = id();
        const startedMs = now - Math.floor(Math.random() * 59 * DAY_MS);
        const failed = Math.random() < 0.09;
        const failing = w.latest.blocks[w.latest.blocks.length - 1];
        executions.push({
          id: executionId,
          env,
          user_id: pick(userIds),
          workflow_id: w.workflowId,
          workflow_version: w.latest.version,
          integration_id: integration.integrationId,
          run_id: null,
          mode: 'trigger',
          status: failed ? 'error' : 'success',
          started_at: iso(startedMs),
          stopped_at: iso(startedMs + 40 + Math.floor(Math.random() * 400)),
          error_block_id: failed && failing ? failing.id : null,
          error_message: failed ? 'The request failed with status 502.' : null,
          created_at: iso(startedMs),
        });
        w.latest.blocks.forEach((b, position) => {
          const blockFailed = failed && b === failing;
          executionBlocks.push({
            execution_id: executionId,
            position,
            block_id: b.id,
            block_type: b.type,
            connector: b.connector ?? null,
            status: blockFailed ? 'error' : 'success',
            input: JSON.stringify({ orderId: `ord_${done + i}`, status: 'paid', total: 129.5, currency: 'EUR' }),
            output: blockFailed ? null : JSON.stringify({ status: 200, body: { ok: true, id: `ext_${done + i}` } }),
            error: blockFailed ? 'The request failed with status 502.' : null,
            started_at: iso(startedMs + 5),
            stopped_at: iso(startedMs + 35),
          });
        });
      }
      blocks += executionBlocks.length;
      await inTransaction(db, async (trx) => {
        await insertChunks(trx, 'executions', executions);
        await insertChunks(trx, 'execution_blocks', executionBlocks);
      });
      log(`executions ${done + count}/${options.executions}`);
    }

    // The backlog: queued custom-event runs of a few hundred users, due now, oldest first.
    if (options.backlog > 0 && !eventWorkflow)
      throw new Error('--backlog needs a workflow with a custom event trigger');
    const backlogUsers = userIds.slice(0, Math.min(options.backlogUsers, userIds.length));
    for (let done = 0; done < options.backlog; done += ROWS_PER_TRANSACTION) {
      const count = Math.min(ROWS_PER_TRANSACTION, options.backlog - done);
      const runs: Insertable<DB['run_queue']>[] = [];
      for (let i = 0; i < count; i++) {
        const at = iso(now - (options.backlog - done - i));
        runs.push({
          id: id(),
          env,
          user_id: backlogUsers[(done + i) % backlogUsers.length]!,
          kind: 'event',
          event_name: eventWorkflow!.latest.trigger.event!,
          workflow_id: null,
          payload: JSON.stringify({ orderId: String(done + i), status: 'shipped', n: done + i }),
          status: 'queued',
          attempts: 0,
          available_at: at,
          created_at: at,
          updated_at: at,
        });
      }
      await inTransaction(db, (trx) => insertChunks(trx, 'run_queue', runs));
      log(`backlog ${done + count}/${options.backlog}`);
    }
    if (storage.engine === 'postgres') {
      // Fresh statistics, as autovacuum would gather them after a load this size.
      await sql`ANALYZE`.execute(db);
    }
  } finally {
    await storage.close();
  }
  return {
    users: userIds.length,
    executions: executionsThere,
    blocks,
    backlog: options.backlog,
    seconds: (Date.now() - started) / 1000,
    userIds,
    workflowIds: workflows.map((w) => w.workflowId),
    backlogEvent: eventWorkflow?.latest.trigger.event,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '100000' },
      executions: { type: 'string', default: '1000000' },
      backlog: { type: 'string', default: '100000' },
      'backlog-users': { type: 'string', default: '300' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      schema: { type: 'string' },
      'definitions-dir': { type: 'string' },
      integration: { type: 'string' },
      env: { type: 'string', default: 'development' },
    },
  });
  const dataDir = values['data-dir'] ?? process.env.ALLOY_DATA_DIR;
  if (!dataDir && !values['database-url']) throw new Error('give --data-dir (SQLite) or --database-url (PostgreSQL)');
  const started = Date.now();
  const result = await seed({
    users: Number(values.users),
    executions: Number(values.executions),
    backlog: Number(values.backlog),
    backlogUsers: Number(values['backlog-users']),
    dataDir: dataDir ?? '.',
    databaseUrl: values['database-url'],
    schema: values.schema,
    definitionsDir: values['definitions-dir'],
    integrationId: values.integration,
    env: values.env === 'production' ? 'production' : 'development',
    log: (message) => console.log(`[seed ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`),
  });
  console.log(
    `seeded ${result.users} users, ${result.executions} executions (${result.blocks} blocks), ${result.backlog} queued runs in ${result.seconds.toFixed(1)} s`,
  );
}
