import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeKeys } from '../../src/server/make-keys.js';
import { TEST_RATE_LIMIT_ENV } from '../helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a process and waits for the first URL `pattern` finds in what it prints. */
export function startPrinting(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  pattern: RegExp,
): Promise<RunningProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) {
        child.stdout!.off('data', onData);
        resolve({
          url: match[1]!,
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before it was ready:\n${output}`)));
  });
}

export const BENCH_API_KEY = 'ak_dev_bench_m8w_JVu2ftoxzL26VAS_akAEsTwRzQgq';

/** The real server (API + demo), in its own process as in production, on a fresh data dir. */
export async function startServerProcess(): Promise<RunningProcess & { dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-bench-'));
  const running = await startPrinting(
    process.execPath,
    ['--import', 'tsx', 'demo/server.ts'],
    // The load tool sends everything from 127.0.0.1: the per-IP limits would measure themselves.
    {
      PORT: '0',
      ALLOY_DATA_DIR: dataDir,
      ALLOY_API_KEY: BENCH_API_KEY,
      ALLOY_LOG_LEVEL: 'error',
      ...TEST_RATE_LIMIT_ENV,
    },
    /AcmeCo demo:\s+(http:\/\/[^/\s]+)/,
  );
  return {
    ...running,
    dataDir,
    async stop() {
      await running.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The ceiling: a bare node:http server answering a small JSON body, same machine, same load tool. */
export function startBareServer(): Promise<RunningProcess> {
  const code = `
    const http = require('node:http');
    const body = JSON.stringify({ ok: true, token: 'x'.repeat(200) });
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    server.listen(0, '127.0.0.1', () => console.log('bare http://127.0.0.1:' + server.address().port));
  `;
  return startPrinting(process.execPath, ['-e', code], {}, /bare (http:\/\/[^\s]+)/);
}

/**
 * The framework's own ceiling: a bare Fastify route answering the same JSON as the bare node:http
 * server (no plugins, no logger), in its own process, same load tool.
 */
export function startBareFastifyServer(): Promise<RunningProcess> {
  const code = `
    const app = require('fastify')({ logger: false });
    const body = { ok: true, token: 'x'.repeat(200) };
    app.get('/', async () => body);
    app.listen({ port: 0, host: '127.0.0.1' }).then(() => console.log('fastify http://127.0.0.1:' + app.server.address().port));
  `;
  return startPrinting(process.execPath, ['-e', code], {}, /fastify (http:\/\/[^\s]+)/);
}

/** A free loopback port (main.ts prints its configured port, so the bench picks it rather than PORT=0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The bare API server (src/server/main.ts) on PostgreSQL, `count` nodes sharing `databaseUrl`,
 * the signing keys and the encryption key, as in a several-node deployment. Node 1's URL is the
 * public URL of all of them.
 */
export async function startPostgresNodes(
  databaseUrl: string,
  count: number,
): Promise<{ urls: string[]; stop(): Promise<void> }> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-bench-pg-'));
  const keysDir = path.join(scratch, 'keys');
  makeKeys(keysDir, () => {});
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const shared = {
    ALLOY_DATABASE_URL: databaseUrl,
    ALLOY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ALLOY_KEYS_DIR: keysDir,
    ALLOY_PUBLIC_URL: urls[0]!,
    ALLOY_API_KEY: BENCH_API_KEY,
    ALLOY_LOG_LEVEL: 'error',
    ...TEST_RATE_LIMIT_ENV,
  };
  const nodes: RunningProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  try {
    // One after the other: the first node creates the schema, the next finds it.
    for (const [i, port] of ports.entries()) {
      const dataDir = path.join(scratch, `node-${i + 1}`);
      fs.mkdirSync(dataDir);
      const node = await startPrinting(
        process.execPath,
        ['--import', 'tsx', 'src/server/main.ts'],
        { ...shared, PORT: String(port), ALLOY_DATA_DIR: dataDir },
        /this node on (\S+:\d+)/,
      );
      nodes.push({ ...node, url: urls[i]! });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, stop };
}
