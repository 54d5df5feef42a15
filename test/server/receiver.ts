import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './support.js';

/** One request a test receiver got, with its raw body. */
export interface Received {
  method: string;
  /** The path and query, as sent. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/** What the receiver does with a request: answer with a status (and headers), or hold it until released. */
export type Reaction = number | { status: number; headers: Record<string, string> } | 'hang';

/**
 * A real HTTP server on loopback standing in for an ISV's endpoint: it records every request and
 * answers what `react` says (200 by default).
 */
export class TestReceiver {
  readonly requests: Received[] = [];
  react: (request: Received, index: number) => Reaction = () => 200;
  private readonly held: http.ServerResponse[] = [];

  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Received = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      this.requests.push(request);
      const reaction = this.react(request, this.requests.length - 1);
      if (reaction === 'hang') {
        this.held.push(res);
        return;
      }
      const status = typeof reaction === 'number' ? reaction : reaction.status;
      const headers = typeof reaction === 'number' ? {} : reaction.headers;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ ok: status < 300 }));
    });
  });

  private constructor() {}

  static async start(): Promise<TestReceiver> {
    const receiver = new TestReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Requests to one path. */
  at(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Waits until `count` requests reached `path`. */
  waitFor(path: string, count = 1): Promise<Received[]> {
    return waitFor(`${count} request(s) to ${path}`, () => {
      const got = this.at(path);
      return got.length >= count ? got : undefined;
    });
  }

  /** Answers the requests held by a `hang` reaction. */
  release(status = 200): void {
    for (const res of this.held.splice(0)) {
      if (!res.writableEnded && !res.destroyed) res.writeHead(status).end();
    }
  }

  async close(): Promise<void> {
    this.release(503);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
