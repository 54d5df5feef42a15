import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header on every delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export const SIGNATURE_HEADER = 'x-demo-store-signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

const hmacHex = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');

export function signDemoStoreWebhook(secret: string, body: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, body)}`;
}

export interface VerifyDemoStoreWebhookInput {
  /** The subscription's `secret` returned when it was created. */
  secret: string;
  /** The raw `x-demo-store-signature` header. */
  signatureHeader: string | undefined;
  /** The raw request body, exactly as received (not re-serialised JSON). */
  body: string;
  /** Accepted clock difference in either direction. */
  toleranceSeconds?: number;
  nowSeconds?: number;
}

/**
 * Checks a delivery's signature the way a receiver should: the HMAC over the raw body and the
 * timestamp, in constant time, and the timestamp within the tolerance in both directions (a
 * signature from the future is as suspect as an old one).
 */
export function verifyDemoStoreWebhook(input: VerifyDemoStoreWebhookInput): boolean {
  if (!input.signatureHeader) return false;
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of input.signatureHeader.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) return false;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(hmacHex(input.secret, timestamp, input.body), 'hex');
  return candidates.some((candidate) => timingSafeEqual(expected, Buffer.from(candidate, 'hex')));
}
