import crypto, { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Conn } from '../platform/db/index.js';
import { isSealedText, openText, sealText, type SecretBox } from '../platform/encryption.js';
import { ENVIRONMENTS, type Environment } from './environment.js';
import { deleteSetting, readSettings, settingOnce, writeSetting } from './settings-repository.js';

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
  /**
   * The stored digests of the API keys. Held in memory: a rotation in this process applies at
   * once, one by another process within DIGEST_REREAD_MS.
   */
  apiKeyDigests(): Promise<Readonly<Record<Environment, Buffer>>>;
}

/** The secrets and whether loading them deleted plaintext left by an older version (the caller then empties the WAL). */
export interface LoadedSecrets {
  secrets: ServerSecrets;
  deletedPlaintext: boolean;
}

/** How long the API key digests are trusted before being read again (another process may rotate a key). */
export const DIGEST_REREAD_MS = 2000;

const JWT_SECRET = 'jwt_secret_sealed';
/** Where versions before hashing kept the plaintext (migrated away on start). */
const LEGACY_JWT_SECRET = 'jwt_secret';
const apiKeyDigestSetting = (env: Environment) => `api_key_sha256_${env}`;
const legacyApiKeySetting = (env: Environment) => `api_key_${env}`;
/** The associated data binding the sealed JWT secret to its settings row. */
const JWT_SECRET_AAD = `settings:${JWT_SECRET}`;

/** Bumped by every rotation in this process, so the digests each ServerSecrets holds are read again. */
let rotations = 0;

function generateApiKey(env: Environment): string {
  return `ak_${env === 'development' ? 'dev' : 'prod'}_${randomBytes(24).toString('base64url')}`;
}

/** SHA-256 in one call where Node has it (20.12+): every API-key request hashes the key it presents. */
const digest: (value: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (value) => crypto.hash('sha256', value, 'buffer')
    : (value) => createHash('sha256').update(value).digest();
/** A generated key has 192 random bits, so a fast hash is enough; a pinned key is the operator's choice (at least 16 characters). */
const storedDigest = (key: string): string => `sha256:${digest(key).toString('hex')}`;
const parseDigest = (value: string | undefined): Buffer | undefined =>
  value?.startsWith('sha256:') ? Buffer.from(value.slice('sha256:'.length), 'hex') : undefined;

/**
 * Loads the JWT signing secret (sealed with the credential key) and the two API keys' digests,
 * creating them on first start. A pinned key (ALLOY_API_KEY, ALLOY_PRODUCTION_API_KEY) replaces
 * the stored one; a data dir from before hashing has its plaintext key hashed and its JWT secret
 * sealed, and the plaintext rows are deleted (secure_delete zeroes them; `deletedPlaintext` tells
 * the caller to empty the WAL).
 *
 * Every write is one statement that is right whoever else starts on the same database at the same
 * time: what is created on first start is inserted only when absent and then read back, so two
 * servers starting together sign with the same secret and agree on the keys.
 */
export async function loadSecrets(
  database: Conn,
  box: SecretBox,
  pinnedDevApiKey: string | undefined,
  pinnedProdApiKey: string | undefined = undefined,
): Promise<LoadedSecrets> {
  const stored = await readSettings(database, [
    JWT_SECRET,
    LEGACY_JWT_SECRET,
    ...ENVIRONMENTS.flatMap((env) => [apiKeyDigestSetting(env), legacyApiKeySetting(env)]),
  ]);

  // The keys to store (pinned, or plaintext from before hashing): refused before anything is written when both are one.
  const replacing: Partial<Record<Environment, string>> = {};
  for (const env of ENVIRONMENTS) {
    const key = (env === 'development' ? pinnedDevApiKey : pinnedProdApiKey) ?? stored.get(legacyApiKeySetting(env));
    if (key !== undefined) replacing[env] = key;
  }
  const digestAfter = (env: Environment): Buffer | undefined => {
    const key = replacing[env];
    return key === undefined ? parseDigest(stored.get(apiKeyDigestSetting(env))) : digest(key);
  };
  const [devDigest, prodDigest] = [digestAfter('development'), digestAfter('production')];
  if (devDigest && prodDigest && devDigest.equals(prodDigest)) {
    throw new Error('the development and production API keys must differ');
  }

  let sealed = stored.get(JWT_SECRET);
  if (sealed === undefined || !isSealedText(sealed)) {
    const jwtHex = stored.get(LEGACY_JWT_SECRET) ?? randomBytes(32).toString('hex');
    const candidate = sealText(box, jwtHex, JWT_SECRET_AAD);
    if (sealed === undefined) {
      sealed = await settingOnce(database, JWT_SECRET, candidate);
    } else {
      await writeSetting(database, JWT_SECRET, candidate);
      sealed = candidate;
    }
  }
  const jwtSecret = Buffer.from(openText(box, sealed, JWT_SECRET_AAD), 'hex');
  let deletedPlaintext = await deleteSetting(database, LEGACY_JWT_SECRET);

  const known: Partial<Record<Environment, string>> = {};
  const generated: Environment[] = [];
  for (const env of ENVIRONMENTS) {
    const key = replacing[env];
    if (key !== undefined) {
      await writeSetting(database, apiKeyDigestSetting(env), storedDigest(key));
      known[env] = key;
    } else if (!stored.has(apiKeyDigestSetting(env))) {
      const fresh = generateApiKey(env);
      // Another server starting now may store its own first: then that one is the key, and this process does not know it.
      if ((await settingOnce(database, apiKeyDigestSetting(env), storedDigest(fresh))) === storedDigest(fresh)) {
        known[env] = fresh;
        generated.push(env);
      }
    }
    deletedPlaintext = (await deleteSetting(database, legacyApiKeySetting(env))) || deletedPlaintext;
  }
  return { secrets: serverSecrets(database, jwtSecret, known, generated), deletedPlaintext };
}

function serverSecrets(
  database: Conn,
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
  let cached: { digests: Record<Environment, Buffer>; readAt: number; rotations: number } | undefined;
  return {
    jwtSecret,
    apiKeys,
    knownApiKey: (env) => known[env],
    generatedApiKeys: generated,
    async apiKeyDigests() {
      if (cached && cached.rotations === rotations && Date.now() - cached.readAt < DIGEST_REREAD_MS) {
        return cached.digests;
      }
      const seenRotations = rotations;
      const values = await readSettings(database, ENVIRONMENTS.map(apiKeyDigestSetting));
      const digests = {} as Record<Environment, Buffer>;
      for (const env of ENVIRONMENTS) {
        const value = parseDigest(values.get(apiKeyDigestSetting(env)));
        if (!value) throw new Error(`the ${env} API key digest is missing`);
        digests[env] = value;
      }
      cached = { digests, readAt: Date.now(), rotations: seenRotations };
      return digests;
    },
  };
}

/**
 * Replaces `env`'s API key with a fresh one and returns it: the only time it is seen. The old key
 * stops working at once in this process, and within DIGEST_REREAD_MS in a server running elsewhere.
 */
export async function rotateApiKey(database: Conn, env: Environment): Promise<string> {
  const key = generateApiKey(env);
  await writeSetting(database, apiKeyDigestSetting(env), storedDigest(key));
  rotations += 1;
  return key;
}

/** Which environment a presented API key belongs to, compared in constant time. */
export async function environmentForApiKey(
  secrets: ServerSecrets,
  presented: string,
): Promise<Environment | undefined> {
  const presentedDigest = digest(presented);
  const digests = await secrets.apiKeyDigests();
  let match: Environment | undefined;
  for (const env of ENVIRONMENTS) {
    if (timingSafeEqual(presentedDigest, digests[env])) match = env;
  }
  return match;
}
