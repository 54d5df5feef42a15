import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A round-robin HTTP proxy over the nodes: each request goes to the next node, a node that refuses
 * the connection (or is down) is skipped; a node that dies with the request in hand is a 502.
 * `route` may send a request elsewhere (a base URL) by its path, e.g. a third party's endpoints
 * served under the public URL.
 */
export class RoundRobinProxy {
  readonly nodes: (string | undefined)[] = [];
  /** How many requests each node was sent (by index). */
  readonly sent: number[] = [];
  private next = 0;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const elsewhere = this.route?.(req.url ?? '/');
      if (elsewhere === undefined) this.forward(req, res, Buffer.concat(chunks), 0);
      else
        this.send(elsewhere, req, res, Buffer.concat(chunks), () =>
          res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"the routed target is down"}'),
        );
    });
  });

  constructor(private readonly route?: (path: string) => string | undefined) {}

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, tried: number): void {
    if (tried >= this.nodes.length) {
      res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"no node is up"}');
      return;
    }
    const index = this.next++ % this.nodes.length;
    const target = this.nodes[index];
    if (!target) {
      this.forward(req, res, body, tried + 1);
      return;
    }
    this.sent[index] = (this.sent[index] ?? 0) + 1;
    this.send(target, req, res, body, () => this.forward(req, res, body, tried + 1));
  }

  /** Sends the request to `target`; `refused` runs when it refuses the connection. */
  private send(
    target: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Buffer,
    refused: () => void,
  ): void {
    const { port } = new URL(target);
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'content-length': String(body.length) },
        agent: this.agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
        answer.on('aborted', () => res.destroy());
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) res.destroy();
      else if (error.code === 'ECONNREFUSED') refused();
      // The node may have had the request: only the client's retry with its key can tell.
      else res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"the node went away"}');
    });
    upstream.end(body);
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
