import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_RATE_LIMIT_ENV } from '../helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a process and waits for the first `http://...` URL it prints. */
function startPrinting(
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
