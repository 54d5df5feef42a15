import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DATA_FILE_MODE, restrictFile, secureDataDir } from '../platform/db/index.js';
import type { Environment } from '../users/index.js';

/**
 * Keys that sign every outgoing request. The RSA private key lives in a file beside the database
 * (mode 0600), not in it; the public half is served so receivers can check `X-Alloy-Signature`.
 * The Standard Webhooks secret adds a timestamp and id, which the RSA scheme lacks.
 */
export interface SigningKeys {
  privateKey: KeyObject;
  publicKeyPem: string;
  /** `whsec_<base64>`: the HMAC secret receivers use with Standard Webhooks. */
  webhookSecret: string;
}

/** Each environment signs with its own material, so the development key's holders cannot forge production requests. */
export type EnvironmentSigningKeys = Record<Environment, SigningKeys>;

/**
 * The files of each environment's material. Development keeps the names of the single pair
 * earlier versions made, so an existing data dir's keys become development's (its receivers keep
 * verifying); production's are generated fresh, because the old pair was readable with the
 * development key (GET /settings) and so cannot be trusted for production.
 */
export const SIGNING_FILES: Record<Environment, { privateKey: string; webhookSecret: string }> = {
  development: { privateKey: 'signing-key.pem', webhookSecret: 'webhook-secret' },
  production: { privateKey: 'production-signing-key.pem', webhookSecret: 'production-webhook-secret' },
};

const readOrCreate = (file: string, create: (() => string) | undefined): string => {
  try {
    const value = fs.readFileSync(file, 'utf8');
    restrictFile(file);
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!create)
      throw new Error(
        `Missing signing key file ${file}: run \`npm run keys -- ${path.dirname(file)}\` once and give every node the directory`,
      );
    const value = create();
    // `wx`: never overwrite a key another process just wrote.
    try {
      fs.writeFileSync(file, value, { mode: DATA_FILE_MODE, flag: 'wx' });
      restrictFile(file);
      return value;
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8');
      throw writeError;
    }
  }
};

const newPrivateKey = (): string =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

function loadEnvironmentKeys(dir: string, env: Environment, create: boolean): SigningKeys {
  const files = SIGNING_FILES[env];
  const privatePem = readOrCreate(path.join(dir, files.privateKey), create ? newPrivateKey : undefined);
  const webhookSecret = readOrCreate(path.join(dir, files.webhookSecret), create ? newWebhookSecret : undefined).trim();
  const privateKey = createPrivateKey(privatePem);
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem, webhookSecret };
}

/**
 * Each environment's keys from `dir`. With `create` (a lone SQLite node), missing ones are made
 * there; without (PostgreSQL's shared keys directory), a missing file is an error.
 */
export function loadSigningKeys(dir: string, options: { create: boolean } = { create: true }): EnvironmentSigningKeys {
  if (options.create) secureDataDir(dir);
  return {
    development: loadEnvironmentKeys(dir, 'development', options.create),
    production: loadEnvironmentKeys(dir, 'production', options.create),
  };
}

/** The file names one keys directory holds. */
export function signingKeyFiles(): string[] {
  return Object.values(SIGNING_FILES).flatMap((files) => [files.privateKey, files.webhookSecret]);
}

export interface OutgoingRequest {
  method: string;
  url: string;
  body: string;
  /** Stays the same across retries of one delivery, so receivers can deduplicate. */
  id: string;
  /** Seconds; fresh on every attempt. */
  timestamp: number;
}

/**
 * Names the environment of every outgoing request. Not covered by either signature: a receiver
 * picks that environment's key with it, and a request re-labelled with the other environment's
 * name fails to verify. The body's `environment` field (signed) says the same.
 */
export const ENVIRONMENT_HEADER = 'x-alloy-environment';

/** The signature headers for one attempt of an outgoing request. */
export function signatureHeaders(keys: SigningKeys, request: OutgoingRequest): Record<string, string> {
  const rsa = sign(
    'sha256',
    Buffer.from(`${request.method.toUpperCase()}${request.url}${request.body}`, 'utf8'),
    keys.privateKey,
  );
  const secret = Buffer.from(keys.webhookSecret.slice('whsec_'.length), 'base64');
  const hmac = createHmac('sha256', secret)
    .update(`${request.id}.${request.timestamp}.${request.body}`)
    .digest('base64');
  return {
    'x-alloy-signature': rsa.toString('hex'),
    'webhook-id': request.id,
    'webhook-timestamp': String(request.timestamp),
    'webhook-signature': `v1,${hmac}`,
  };
}
