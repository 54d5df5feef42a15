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

const readOrCreate = (file: string, create: () => string): string => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const value = create();
    // `wx`: never overwrite a key another process just wrote.
    try {
      fs.writeFileSync(file, value, { mode: 0o600, flag: 'wx' });
      return value;
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8');
      throw writeError;
    }
  }
};

export function loadSigningKeys(dataDir: string): SigningKeys {
  fs.mkdirSync(dataDir, { recursive: true });
  const privatePem = readOrCreate(path.join(dataDir, 'signing-key.pem'), () =>
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
  const webhookSecret = readOrCreate(
    path.join(dataDir, 'webhook-secret'),
    () => `whsec_${randomBytes(32).toString('base64')}`,
  ).trim();
  const privateKey = createPrivateKey(privatePem);
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKeyPem, webhookSecret };
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
