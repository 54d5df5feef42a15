import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  WebhookVerificationError,
  standardWebhookSignature,
  verifyAlloySignature,
  verifyStandardWebhook,
} from '../../src/node/webhooks.js';
import { loadSigningKeys, signatureHeaders } from '../../src/server/deliveries/webhook-signing.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-sign-'));
const keys = loadSigningKeys(dataDir).development;
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const request = {
  method: 'POST',
  url: 'https://acme.example/webhooks/orders?src=alloy',
  body: JSON.stringify({ orderId: '123', status: 'FULFILLED', note: 'unicode ✓' }),
  id: 'msg_2f0c9b1a',
  timestamp: 1_790_000_000,
};
const now = request.timestamp * 1000;
const headers = signatureHeaders(keys, request);

test('keys persist: a second load reads the same files, and the private key file is 0600', () => {
  const again = loadSigningKeys(dataDir).development;
  assert.equal(again.publicKeyPem, keys.publicKeyPem);
  assert.equal(again.webhookSecret, keys.webhookSecret);
  assert.equal(fs.statSync(path.join(dataDir, 'signing-key.pem')).mode & 0o777, 0o600);
  assert.match(keys.webhookSecret, /^whsec_[A-Za-z0-9+/]+=*$/);
});

test('both signatures of a signed request verify with the published key and the secret', () => {
  assert.ok(verifyAlloySignature(keys.publicKeyPem, { ...request, signature: headers['x-alloy-signature'] }));
  assert.deepEqual(verifyStandardWebhook(keys.webhookSecret, headers, request.body, { now }), {
    id: request.id,
    timestamp: request.timestamp,
  });
});

test('the HMAC matches an independent computation of the Standard Webhooks v1 scheme', () => {
  assert.equal(
    headers['webhook-signature'],
    standardWebhookSignature(keys.webhookSecret, request.id, request.timestamp, request.body),
  );
});

test('a re-serialised body, another URL or method fails', () => {
  const reserialised = JSON.stringify(JSON.parse(request.body), null, 1);
  assert.equal(
    verifyAlloySignature(keys.publicKeyPem, {
      ...request,
      body: reserialised,
      signature: headers['x-alloy-signature'],
    }),
    false,
  );
  assert.equal(
    verifyAlloySignature(keys.publicKeyPem, {
      ...request,
      url: 'https://acme.example/other',
      signature: headers['x-alloy-signature'],
    }),
    false,
  );
  assert.equal(
    verifyAlloySignature(keys.publicKeyPem, { ...request, method: 'PUT', signature: headers['x-alloy-signature'] }),
    false,
  );
  assert.throws(() => verifyStandardWebhook(keys.webhookSecret, headers, reserialised, { now }), /raw request body/);
});

test('missing, empty, truncated or non-hex signatures and missing headers fail cleanly', () => {
  for (const signature of [undefined, '', 'zz', headers['x-alloy-signature']!.slice(0, 100)]) {
    assert.equal(verifyAlloySignature(keys.publicKeyPem, { ...request, signature }), false);
  }
  for (const drop of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const partial = { ...headers };
    delete partial[drop];
    assert.throws(
      () => verifyStandardWebhook(keys.webhookSecret, partial, request.body, { now }),
      WebhookVerificationError,
    );
  }
  assert.throws(
    () => verifyStandardWebhook(keys.webhookSecret, { ...headers, 'webhook-timestamp': 'soon' }, request.body, { now }),
    /not a number/,
  );
  assert.throws(
    () =>
      verifyStandardWebhook(keys.webhookSecret, { ...headers, 'webhook-signature': 'v0,abc' }, request.body, { now }),
    WebhookVerificationError,
  );
  assert.throws(() => verifyStandardWebhook(`${keys.webhookSecret}\n`, headers, request.body, { now }), /whitespace/);
});

test('timestamps 301 s old or ahead are rejected, 299 s accepted, and tolerance 0 cannot disable the check', () => {
  assert.ok(verifyStandardWebhook(keys.webhookSecret, headers, request.body, { now: now + 299_000 }));
  assert.ok(verifyStandardWebhook(keys.webhookSecret, headers, request.body, { now: now - 299_000 }));
  assert.throws(
    () => verifyStandardWebhook(keys.webhookSecret, headers, request.body, { now: now + 301_000 }),
    /window/,
  );
  assert.throws(
    () => verifyStandardWebhook(keys.webhookSecret, headers, request.body, { now: now - 301_000 }),
    /window/,
  );
  assert.throws(
    () => verifyStandardWebhook(keys.webhookSecret, headers, request.body, { now: now + 2_000, toleranceSeconds: 0 }),
    /window/,
  );
});

test('rotation: a header carrying an old and a new signature verifies when either matches', () => {
  const rotated = {
    ...headers,
    'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}`,
  };
  assert.ok(verifyStandardWebhook(keys.webhookSecret, rotated, request.body, { now }));
});

test('10,000 random single-bit mutations of body, signature or timestamp are all rejected', (t) => {
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const flip = (text: string, encoding: BufferEncoding) => {
    const bytes = Buffer.from(text, encoding);
    const i = random(bytes.length);
    bytes[i] = bytes[i]! ^ (1 << random(8));
    return bytes.toString(encoding);
  };
  let rejected = 0;
  const total = 10_000;
  for (let i = 0; i < total; i++) {
    const target = i % 3;
    const body = target === 0 ? flip(request.body, 'latin1') : request.body;
    const hmac =
      target === 1 ? `v1,${flip(headers['webhook-signature']!.slice(3), 'base64')}` : headers['webhook-signature']!;
    const rsa = target === 1 ? flip(headers['x-alloy-signature']!, 'hex') : headers['x-alloy-signature']!;
    const timestamp = target === 2 ? String(request.timestamp ^ (1 << random(20))) : headers['webhook-timestamp']!;
    const mutated = { ...headers, 'webhook-signature': hmac, 'webhook-timestamp': timestamp };
    let hmacOk = true;
    try {
      verifyStandardWebhook(keys.webhookSecret, mutated, body, { now: Number(timestamp) * 1000 });
    } catch {
      hmacOk = false;
    }
    // The RSA scheme has no timestamp, so a timestamp flip is caught by the HMAC alone.
    const rsaOk = target === 2 ? false : verifyAlloySignature(keys.publicKeyPem, { ...request, body, signature: rsa });
    if (!hmacOk && !rsaOk) rejected++;
  }
  t.diagnostic(
    `FIGURE webhook-mutations | ${total} single-bit mutations (body, signature, timestamp; seed 42): rejected ${rejected}/${total}`,
  );
  assert.equal(rejected, total);
});
