import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/**
 * Verifiers for the requests our server sends to an ISV (Stream Data, installation webhook, error
 * stream). Each request carries two independent signatures:
 *
 * - `X-Alloy-Signature`: hex RSA-SHA256 (PKCS#1 v1.5) over `METHOD + URL + body`, checked with the
 *   environment's public key (`publicKeyUrl` in `GET /settings`), the scheme Alloy documents.
 *   It has no timestamp, so it cannot stop a replay.
 * - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`): HMAC-SHA256 over
 *   `id.timestamp.body` with the endpoint secret (`whsec_...`), with a ±5 minute window, so a
 *   captured request cannot be replayed later. Deduplicate on `webhook-id`.
 *
 * Development and production sign with different material (each environment's `GET /settings`
 * gives its own `webhookSecret` and `publicKeyUrl`). Every request names its environment in the
 * `x-alloy-environment` header and in the body's `environment` field; `verifyAlloyRequest` picks
 * the material by the header, checks both signatures with it, then checks the signed field agrees,
 * so a request signed with development's material is never taken for a production one.
 *
 * Always verify against the raw body bytes as received, never a re-serialised JSON object.
 */

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

export type HeaderBag = Record<string, string | string[] | undefined> | Headers;

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

const toBuffer = (body: string | Uint8Array): Buffer =>
  typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);

export interface AlloySignatureInput {
  method: string;
  /** The full URL the request was sent to, as the sender used it (scheme, host, path and query). */
  url: string;
  body: string | Uint8Array;
  /** The `X-Alloy-Signature` header value (hex). */
  signature: string | undefined;
}

/** Checks `X-Alloy-Signature` with the server's RSA public key (PEM or KeyObject). */
export function verifyAlloySignature(publicKey: string | KeyObject, input: AlloySignatureInput): boolean {
  const signature = input.signature?.trim() ?? '';
  if (!/^(?:[0-9a-f]{2})+$/i.test(signature)) return false;
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const signed = Buffer.concat([
    Buffer.from(`${input.method.toUpperCase()}${input.url}`, 'utf8'),
    toBuffer(input.body),
  ]);
  try {
    return verify('sha256', signed, key, Buffer.from(signature, 'hex'));
  } catch {
    return false;
  }
}

/** Default and smallest replay window, in seconds. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export interface StandardWebhookOptions {
  /** Replay window in seconds, both directions; it cannot be turned off. */
  toleranceSeconds?: number;
  /** Current time in ms, for tests. */
  now?: number;
}

function secretBytes(secret: string): Buffer {
  if (secret !== secret.trim()) throw new WebhookVerificationError('The webhook secret has surrounding whitespace.');
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length < 16) throw new WebhookVerificationError('The webhook secret is too short.');
  return bytes;
}

/** The v1 signature Standard Webhooks defines: base64 HMAC-SHA256 of `id.timestamp.body`. */
export function standardWebhookSignature(
  secret: string,
  id: string,
  timestamp: number,
  body: string | Uint8Array,
): string {
  const mac = createHmac('sha256', secretBytes(secret));
  mac.update(`${id}.${timestamp}.`);
  mac.update(toBuffer(body));
  return `v1,${mac.digest('base64')}`;
}

/**
 * Verifies Standard Webhooks headers; throws WebhookVerificationError saying what is wrong, and
 * returns the message id (use it to drop duplicates: retries keep the same id).
 */
export function verifyStandardWebhook(
  secret: string,
  headers: HeaderBag,
  body: string | Uint8Array,
  options: StandardWebhookOptions = {},
): { id: string; timestamp: number } {
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestampText || !signatures) {
    throw new WebhookVerificationError('Missing webhook-id, webhook-timestamp or webhook-signature header.');
  }
  if (!/^\d{1,12}$/.test(timestampText)) throw new WebhookVerificationError('webhook-timestamp is not a number.');
  const timestamp = Number(timestampText);
  const tolerance = Math.max(1, options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS);
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance) {
    throw new WebhookVerificationError('webhook-timestamp is outside the allowed window (replay?).');
  }
  const expected = Buffer.from(standardWebhookSignature(secret, id, timestamp, body).slice(3), 'base64');
  // Several space-separated signatures are allowed (secret rotation); any v1 match is enough.
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { id, timestamp };
  }
  throw new WebhookVerificationError(
    'No signature matches. Verify the raw request body exactly as received, with the endpoint secret.',
  );
}

export const ALLOY_ENVIRONMENTS = ['development', 'production'] as const;
export type AlloyEnvironment = (typeof ALLOY_ENVIRONMENTS)[number];
/** The header naming the environment whose material signed a request. */
export const ENVIRONMENT_HEADER = 'x-alloy-environment';

/** One environment's verification material, from that environment's `GET /settings`. */
export interface EnvironmentVerificationKeys {
  /** The PEM at `publicKeyUrl` (or a KeyObject of it). */
  publicKey: string | KeyObject;
  /** `webhookSecret`. */
  webhookSecret: string;
}

export interface AlloyRequest {
  method: string;
  /** The full URL the request was sent to, as the sender used it. */
  url: string;
  headers: HeaderBag;
  body: string | Uint8Array;
}

/**
 * Verifies a request our server sent with the material of the environment it names: both
 * signatures (`X-Alloy-Signature`, Standard Webhooks with its replay window) and the body's
 * signed `environment` field. Pass only the environments this receiver accepts; a request for
 * another is refused. Throws WebhookVerificationError; returns the environment (act on this,
 * never on an unverified claim), the message id (deduplicate on it) and the timestamp.
 */
export function verifyAlloyRequest(
  keys: Partial<Record<AlloyEnvironment, EnvironmentVerificationKeys>>,
  request: AlloyRequest,
  options: StandardWebhookOptions = {},
): { environment: AlloyEnvironment; id: string; timestamp: number } {
  const named = header(request.headers, ENVIRONMENT_HEADER);
  const environment = ALLOY_ENVIRONMENTS.find((env) => env === named);
  if (!environment) throw new WebhookVerificationError(`Missing or unknown ${ENVIRONMENT_HEADER} header.`);
  const material = keys[environment];
  if (!material)
    throw new WebhookVerificationError(
      `This receiver has no ${environment} keys; it does not accept ${environment} requests.`,
    );
  const signatureOk = verifyAlloySignature(material.publicKey, {
    method: request.method,
    url: request.url,
    body: request.body,
    signature: header(request.headers, 'x-alloy-signature'),
  });
  if (!signatureOk) {
    throw new WebhookVerificationError(`X-Alloy-Signature does not verify with the ${environment} public key.`);
  }
  const { id, timestamp } = verifyStandardWebhook(material.webhookSecret, request.headers, request.body, options);
  const claimed = bodyEnvironment(request.body);
  if (claimed !== undefined && claimed !== environment) {
    throw new WebhookVerificationError(
      `The body says ${String(claimed)} but the request is signed for ${environment}.`,
    );
  }
  return { environment, id, timestamp };
}

/** The body's `environment` field when it is a JSON object that has one (HTTP request blocks' bodies are the ISV's own). */
function bodyEnvironment(body: string | Uint8Array): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch {
    return undefined;
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && 'environment' in parsed
    ? (parsed as { environment: unknown }).environment
    : undefined;
}
