/** Helpers shared by the crash-* hardening tests: child servers, a seeded PRNG, a client over fetch. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { TEST_API_KEY } from '../helpers/server.js';
import { labIntegration } from '../server/lab-integration.js';
import { TestReceiver } from '../server/receiver.js';
import { definitionsDir } from '../server/support.js';

export const CRASH_SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-server.ts');
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** mulberry32: a small seeded PRNG, so a failing kill schedule can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ChildServer {
  child: ChildProcess;
  url: string;
  /** Resolves once the process has exited (at once if it already has). */
  exited(): Promise<void>;
  /** Everything the process wrote to stderr. */
  stderr(): string;
  /** The lines the process wrote to stdout, with when the test received each (ms since the epoch). */
  stdout(): { at: number; line: string }[];
}

/**
 * Spawns `node --import tsx <script>` and resolves once it prints a line `readyLine` recognises
 * (it returns the server's URL). Fails if the process exits first.
 */
export async function spawnServer(
  script: string,
  env: NodeJS.ProcessEnv,
  readyLine: (line: string) => string | undefined = (line) => (JSON.parse(line) as { url: string }).url,
): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const stdout: { at: number; line: string }[] = [];
  lines.on('line', (line) => stdout.push({ at: Date.now(), line }));
  const url = await new Promise<string>((resolve, reject) => {
    void exit.then(() => reject(new Error(`the server exited (${child.exitCode}) before listening: ${stderr}`)));
    lines.on('line', (line) => {
      try {
        const found = readyLine(line);
        if (found !== undefined) resolve(found);
      } catch {
        // Not the line announcing the URL.
      }
    });
  });
  return { child, url, exited: () => exit, stderr: () => stderr, stdout: () => stdout };
}

export interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** One request to the versioned API with the pinned development key; the body as text (a proxy's 502 need not be JSON). */
export async function rawRequest(
  baseUrl: string,
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  const response = await fetch(`${baseUrl}/2024-03${url}`, {
    method,
    headers: {
      authorization: `Bearer ${TEST_API_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A client of the versioned API on a running server, with the pinned development key. */
export function apiClient(baseUrl: () => string) {
  return async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const { status, headers: responseHeaders, text } = await rawRequest(baseUrl(), method, url, body, headers);
    return { status, headers: responseHeaders, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
}

/**
 * Runtime settings of the servers the kill tests start: a short lease, so the runs a killed
 * process held are taken over soon after (by its restart or another node).
 */
export const KILL_TEST_RUNTIME = {
  concurrency: 16,
  leaseMs: 1_000,
  pollIntervalMs: 50,
  retry: { baseDelayMs: 20, maxDelayMs: 200, maxAttempts: 10 },
  requestTimeoutMs: 5_000,
  shutdownGraceMs: 500,
};

/** Runs `work` over `items` with at most `concurrency` at a time. */
export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Polls until `check` returns something other than undefined/false; fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The lab integration pointed at a test receiver, and a data directory for the server under test. */
export interface Lab {
  receiver: TestReceiver;
  definitions: string;
  dataDir: string;
}

/** Sets up a Lab before the file's tests and removes it after them; its fields are set once `before` ran. */
export function useLab(name: string): Lab {
  const lab = {} as Lab;
  before(async () => {
    lab.receiver = await TestReceiver.start();
    lab.definitions = definitionsDir({ 'lab.integration.json': labIntegration((p) => lab.receiver.url(p)) });
    lab.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `alloy-${name}-`));
  });
  after(async () => {
    await lab.receiver.close();
    fs.rmSync(lab.definitions, { recursive: true, force: true });
    fs.rmSync(lab.dataDir, { recursive: true, force: true });
  });
  return lab;
}
