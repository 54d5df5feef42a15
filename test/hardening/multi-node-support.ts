/**
 * What the multi-node hardening tests share: a fresh PostgreSQL schema name, the configuration every
 * node of one deployment has in common (schema, signing keys, encryption key, public URL), the
 * options of one node as crash-server.ts reads them, and a round-robin HTTP proxy that is the load
 * balancer and the nodes' public URL.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadSigningKeys } from '../../src/server/deliveries/index.js';

export const freshSchema = (name: string) => `t_${name}_${randomBytes(6).toString('hex')}`;

/** One deployment's shared configuration: every node gets the same, each its own data directory under `root`. */
export interface Deployment {
  databaseUrl: string;
  schema: string;
  /** A temp directory: the shared keys and each node's data directory. */
  root: string;
  keysDir: string;
  /** Hex, as ALLOY_ENCRYPTION_KEY. */
  encryptionKey: string;
}

export function newDeployment(name: string, databaseUrl: string): Deployment {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `alloy-${name}-`));
  const keysDir = path.join(root, 'keys');
  loadSigningKeys(keysDir, { create: true });
  return {
    databaseUrl,
    schema: freshSchema(name.replace(/[^a-z0-9]/g, '')),
    root,
    keysDir,
    encryptionKey: randomBytes(32).toString('hex'),
  };
}

/** CRASH_SERVER_OPTIONS for node `node` of the deployment. */
export function nodeOptions(
  deployment: Deployment,
  node: number,
  options: {
    definitionsDir: string;
    publicUrl: string;
    runtime?: Record<string, unknown>;
    /** false leaves the Demo Store sandbox out (crash-server mounts it by default). */
    sandbox?: boolean;
  },
): string {
  return JSON.stringify({
    dataDir: path.join(deployment.root, `node-${node}`),
    definitionsDir: options.definitionsDir,
    databaseUrl: deployment.databaseUrl,
    databaseSchema: deployment.schema,
    publicUrl: options.publicUrl,
    encryptionKey: deployment.encryptionKey,
    keysDir: deployment.keysDir,
    ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox }),
    ...(options.runtime === undefined ? {} : { runtime: options.runtime }),
  });
}

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
