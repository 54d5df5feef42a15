/**
 * What the multi-node hardening tests share: a fresh PostgreSQL schema name, the configuration every
 * node of one deployment has in common (schema, signing keys, encryption key, public URL), the
 * options of one node as crash-server.ts reads them, and (from test/helpers) the round-robin HTTP
 * proxy that is the load balancer and the nodes' public URL.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
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

export { RoundRobinProxy } from '../helpers/round-robin-proxy.js';
