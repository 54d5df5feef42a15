import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const KEY_FILE = 'encryption.key';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;

export interface Sealed {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

/**
 * AES-256-GCM for third-party secrets. The key lives outside the database (a 0600 file in the
 * data dir, or ALLOY_ENCRYPTION_KEY), so a copied database alone reveals nothing. The associated
 * data binds a ciphertext to its row: moving it to another credential or user fails to decrypt.
 */
export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the encryption key must be 32 bytes');
    // Identifies the key without revealing it, so a wrong key is reported as such, not as corruption.
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  seal(plaintext: string, associatedData: string): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.keyId, iv, ciphertext, authTag: cipher.getAuthTag() };
  }

  open(sealed: Sealed, associatedData: string): string {
    if (sealed.keyId !== this.keyId) {
      throw new Error(`this secret was encrypted with another key (${sealed.keyId}); restore that key to read it`);
    }
    const decipher = createDecipheriv(ALGORITHM, this.key, sealed.iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(sealed.authTag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  }
}

/** Reads a 32-byte key written as 64 hex characters or as base64. */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error('the encryption key must be 32 bytes, written as 64 hex characters or base64');
  return key;
}

/**
 * The key from ALLOY_ENCRYPTION_KEY, else from `<dataDir>/encryption.key`, created (mode 0600)
 * on first start. A key file other users can read is refused, as ssh refuses such a private key.
 */
export function loadEncryptionKey(dataDir: string, fromEnv: string | undefined): Buffer {
  if (fromEnv !== undefined) return parseEncryptionKey(fromEnv);
  const file = path.join(dataDir, KEY_FILE);
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) {
    throw new Error(`${file} is readable by other users; run: chmod 600 ${file}`);
  }
  return parseEncryptionKey(fs.readFileSync(file, 'utf8'));
}

const SEALED_TEXT = 'sealed:v1:';

/**
 * A sealed value as one TEXT column (settings rows, JSON columns): `sealed:v1:<keyId>:<iv>:<ciphertext>:<tag>`
 * (base64url). `associatedData` names the row, as for credentials.
 */
export function sealText(box: SecretBox, plaintext: string, associatedData: string): string {
  const sealed = box.seal(plaintext, associatedData);
  const parts = [sealed.iv, sealed.ciphertext, sealed.authTag].map((b) => b.toString('base64url'));
  return `${SEALED_TEXT}${sealed.keyId}:${parts.join(':')}`;
}

export const isSealedText = (text: string): boolean => text.startsWith(SEALED_TEXT);

export function openText(box: SecretBox, text: string, associatedData: string): string {
  if (!isSealedText(text)) throw new Error('not a sealed value');
  const [keyId, iv, ciphertext, authTag] = text.slice(SEALED_TEXT.length).split(':');
  if (!keyId || iv === undefined || ciphertext === undefined || authTag === undefined) {
    throw new Error('a sealed value is malformed');
  }
  const bytes = (part: string) => Buffer.from(part, 'base64url');
  return box.open({ keyId, iv: bytes(iv), ciphertext: bytes(ciphertext), authTag: bytes(authTag) }, associatedData);
}
