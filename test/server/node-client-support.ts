import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TEST_ENGINE, rawRows } from '../helpers/engine.js';

/** The loopback URL a listening test server answers on. */
export function urlOf(server: { address(): AddressInfo | string | null }): string {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a TCP port');
  return `http://127.0.0.1:${address.port}`;
}

export async function startListeningServer(
  options: Parameters<typeof startTestServer>[0] = {},
): Promise<{ server: TestServer; baseUrl: string }> {
  const server = await startTestServer({ ...options, listen: true });
  return { server, baseUrl: urlOf(server.app.server) };
}

export interface QueuedRun {
  id: string;
  kind: string;
  event_name: string | null;
  workflow_id: string | null;
  payload: string;
}

/**
 * The run_queue rows of a user, read through a second connection: what is there is committed.
 * PostgreSQL: a pool connection no transaction holds, which sees committed rows only too.
 */
export async function queuedRuns(server: TestServer, userId: string): Promise<QueuedRun[]> {
  const query =
    'SELECT id, kind, event_name, workflow_id, payload FROM run_queue WHERE user_id = ? ORDER BY created_at';
  if (TEST_ENGINE === 'postgres') return rawRows<QueuedRun>(server, query, userId);
  const reader = new Database(path.join(server.dataDir, 'alloy.db'), { readonly: true });
  try {
    return reader.prepare(query).all(userId) as QueuedRun[];
  } finally {
    reader.close();
  }
}

export interface DroppingProxy {
  url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback in front of `target` that breaks its first `drops` connections:
 * `before` destroys the socket on accept (nothing reaches the server); `after` forwards the
 * request and destroys the client's socket when the server's answer starts, so the server did
 * the work but the client never hears about it. Later connections are piped through untouched.
 */
export async function startDroppingProxy(target: string, mode: 'before' | 'after', drops = 1): Promise<DroppingProxy> {
  const { hostname, port } = new URL(target);
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    const drop = connections <= drops;
    if (drop && mode === 'before') {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(port), hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    if (drop) {
      upstream.once('data', () => {
        client.destroy();
        upstream.destroy();
      });
    } else {
      upstream.pipe(client);
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: urlOf(proxy),
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        proxy.close(() => resolve());
      }),
  };
}

export interface ScriptedServer {
  url: string;
  /** Requests received so far (method and URL). */
  readonly requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/**
 * A plain HTTP server on loopback whose n-th request gets the n-th answer (the last one repeats);
 * `hang` never answers. For what the real server never does: malformed bodies, 503s, silence.
 */
export async function startScriptedServer(
  answers: ({ status: number; headers?: Record<string, string>; body: string } | 'hang')[],
): Promise<ScriptedServer> {
  const requests: ScriptedServer['requests'] = [];
  const server = http.createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    request.resume();
    const answer = answers[Math.min(requests.length, answers.length) - 1]!;
    if (answer === 'hang') return;
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: urlOf(server),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening on it. */
export async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = urlOf(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}
