import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';

export type Environment = 'development' | 'production';

export interface ServerSecrets {
  jwtSecret: Uint8Array;
  apiKeys: Record<Environment, string>;
}

function readSetting(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

function writeSetting(db: Db, key: string, value: string): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}

function generateApiKey(env: Environment): string {
  return `ak_${env === 'development' ? 'dev' : 'prod'}_${randomBytes(24).toString('base64url')}`;
}

/**
 * Loads the JWT signing secret and the two API keys, creating them on first start.
 * A pinned key (ALLOY_API_KEY, ALLOY_PRODUCTION_API_KEY) replaces the stored one.
 */
export function loadSecrets(
  db: Db,
  pinnedDevApiKey: string | undefined,
  pinnedProdApiKey: string | undefined = undefined,
): ServerSecrets {
  return db.transaction(() => {
    let jwtSecret = readSetting(db, 'jwt_secret');
    if (!jwtSecret) {
      jwtSecret = randomBytes(32).toString('hex');
      writeSetting(db, 'jwt_secret', jwtSecret);
    }
    const keys = {} as Record<Environment, string>;
    for (const env of ['development', 'production'] as const) {
      const settingKey = `api_key_${env}`;
      const pinned = env === 'development' ? pinnedDevApiKey : pinnedProdApiKey;
      let key = pinned ?? readSetting(db, settingKey);
      if (!key) key = generateApiKey(env);
      writeSetting(db, settingKey, key);
      keys[env] = key;
    }
    if (keys.development === keys.production) {
      throw new Error('the development and production API keys must differ');
    }
    return { jwtSecret: Buffer.from(jwtSecret, 'hex'), apiKeys: keys };
  })();
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Which environment a presented API key belongs to, compared in constant time. */
export function environmentForApiKey(secrets: ServerSecrets, presented: string): Environment | undefined {
  const presentedDigest = digest(presented);
  let match: Environment | undefined;
  for (const env of ['development', 'production'] as const) {
    if (timingSafeEqual(presentedDigest, digest(secrets.apiKeys[env]))) match = env;
  }
  return match;
}
