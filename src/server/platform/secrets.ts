import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './db/sqlite.js';
import { isSealedText, openText, sealText, type SecretBox } from './encryption.js';

export type Environment = 'development' | 'production';
export const ENVIRONMENTS = ['development', 'production'] as const;

export interface ServerSecrets {
  jwtSecret: Uint8Array;
  /**
   * The plaintext API keys this process knows: pinned from the environment, generated at this
   * start, or read once from an older data dir while it was hashed. The database keeps only their
   * SHA-256, so a key that is none of these is not known here and reading it throws (rotate it:
   * `npm run rotate-api-key -- <environment>`).
   */
  readonly apiKeys: Readonly<Record<Environment, string>>;
  /** The plaintext key of `env` if this process knows it. */
  knownApiKey(env: Environment): string | undefined;
  /** The environments whose key was generated at this start: printed once, then gone. */
  readonly generatedApiKeys: readonly Environment[];
  /** The stored digest of `env`'s key, read at each check so a rotation by another process applies at once. */
  apiKeyDigest(env: Environment): Buffer;
}

const JWT_SECRET = 'jwt_secret_sealed';
/** Where versions before hashing kept the plaintext (migrated away on start). */
const LEGACY_JWT_SECRET = 'jwt_secret';
const apiKeyDigestSetting = (env: Environment) => `api_key_sha256_${env}`;
const legacyApiKeySetting = (env: Environment) => `api_key_${env}`;
/** The associated data binding the sealed JWT secret to its settings row. */
const JWT_SECRET_AAD = `settings:${JWT_SECRET}`;

function readSetting(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

function writeSetting(db: Db, key: string, value: string): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}

function deleteSetting(db: Db, key: string): boolean {
  return db.prepare('DELETE FROM settings WHERE key = ?').run(key).changes > 0;
}

function generateApiKey(env: Environment): string {
  return `ak_${env === 'development' ? 'dev' : 'prod'}_${randomBytes(24).toString('base64url')}`;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
/** A generated key has 192 random bits, so a fast hash is enough; a pinned key is the operator's choice (at least 16 characters). */
const storedDigest = (key: string): string => `sha256:${digest(key).toString('hex')}`;

function readDigest(db: Db, env: Environment): Buffer | undefined {
  const value = readSetting(db, apiKeyDigestSetting(env));
  return value?.startsWith('sha256:') ? Buffer.from(value.slice('sha256:'.length), 'hex') : undefined;
}

/**
 * Loads the JWT signing secret (sealed with the credential key) and the two API keys' digests,
 * creating them on first start. A pinned key (ALLOY_API_KEY, ALLOY_PRODUCTION_API_KEY) replaces
 * the stored one; a data dir from before hashing has its plaintext key hashed and its JWT secret
 * sealed, and the plaintext rows are deleted (secure_delete zeroes them, a checkpoint empties the WAL).
 */
export function loadSecrets(
  db: Db,
  box: SecretBox,
  pinnedDevApiKey: string | undefined,
  pinnedProdApiKey: string | undefined = undefined,
): ServerSecrets {
  const known: Partial<Record<Environment, string>> = {};
  const generated: Environment[] = [];
  let migrated = false;
  const jwtSecret = db.transaction(() => {
    let jwtHex: string;
    const sealed = readSetting(db, JWT_SECRET);
    if (sealed !== undefined && isSealedText(sealed)) {
      jwtHex = openText(box, sealed, JWT_SECRET_AAD);
    } else {
      jwtHex = readSetting(db, LEGACY_JWT_SECRET) ?? randomBytes(32).toString('hex');
      writeSetting(db, JWT_SECRET, sealText(box, jwtHex, JWT_SECRET_AAD));
    }
    migrated = deleteSetting(db, LEGACY_JWT_SECRET) || migrated;
    for (const env of ENVIRONMENTS) {
      const pinned = env === 'development' ? pinnedDevApiKey : pinnedProdApiKey;
      const legacy = readSetting(db, legacyApiKeySetting(env));
      let key = pinned ?? legacy;
      if (key === undefined && readDigest(db, env) === undefined) {
        key = generateApiKey(env);
        generated.push(env);
      }
      if (key !== undefined) {
        writeSetting(db, apiKeyDigestSetting(env), storedDigest(key));
        known[env] = key;
      }
      migrated = deleteSetting(db, legacyApiKeySetting(env)) || migrated;
    }
    if (readDigest(db, 'development')!.equals(readDigest(db, 'production')!)) {
      throw new Error('the development and production API keys must differ');
    }
    return Buffer.from(jwtHex, 'hex');
  })();
  // The deleted plaintext may still sit in WAL frames: copy them back and empty the WAL.
  if (migrated) db.pragma('wal_checkpoint(TRUNCATE)');
  return serverSecrets(db, jwtSecret, known, generated);
}

function serverSecrets(
  db: Db,
  jwtSecret: Uint8Array,
  known: Partial<Record<Environment, string>>,
  generated: readonly Environment[],
): ServerSecrets {
  const apiKeys = {} as Record<Environment, string>;
  for (const env of ENVIRONMENTS) {
    Object.defineProperty(apiKeys, env, {
      enumerable: true,
      get() {
        const key = known[env];
        if (key === undefined) {
          throw new Error(
            `the ${env} API key is stored only as a hash and was not pinned or generated at this start; rotate it with: npm run rotate-api-key -- ${env}`,
          );
        }
        return key;
      },
    });
  }
  const digestStatement = db.prepare('SELECT value FROM settings WHERE key = ?');
  return {
    jwtSecret,
    apiKeys,
    knownApiKey: (env) => known[env],
    generatedApiKeys: generated,
    apiKeyDigest(env) {
      const row = digestStatement.get(apiKeyDigestSetting(env)) as { value: string } | undefined;
      if (!row?.value.startsWith('sha256:')) throw new Error(`the ${env} API key digest is missing`);
      return Buffer.from(row.value.slice('sha256:'.length), 'hex');
    },
  };
}

/**
 * Replaces `env`'s API key with a fresh one and returns it: the only time it is seen. The old key
 * stops working at once, in a running server too (it reads the digest at each check).
 */
export function rotateApiKey(db: Db, env: Environment): string {
  const key = generateApiKey(env);
  writeSetting(db, apiKeyDigestSetting(env), storedDigest(key));
  return key;
}

/** Which environment a presented API key belongs to, compared in constant time. */
export function environmentForApiKey(secrets: ServerSecrets, presented: string): Environment | undefined {
  const presentedDigest = digest(presented);
  let match: Environment | undefined;
  for (const env of ENVIRONMENTS) {
    if (timingSafeEqual(presentedDigest, secrets.apiKeyDigest(env))) match = env;
  }
  return match;
}
