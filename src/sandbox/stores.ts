import type { Db } from '../server/platform/db/sqlite.js';
import { DomainError } from '../server/platform/errors.js';
import { randomBytes } from 'node:crypto';
import { sha256Hex } from './crypto.js';
import { newOwnerSecret } from './owners.js';
import { newStoreApiKey } from './schema.js';

export interface Store {
  id: string;
  name: string;
  subdomain: string;
  createdAt: string;
}

/** What the store dashboard sees: the store and its API key. */
export interface StoreWithKey extends Store {
  apiKey: string;
}

/** A new store, with its owner secret (shown this once: only its digest is kept). */
export interface CreatedStore extends StoreWithKey {
  ownerSecret: string;
}

interface StoreRow {
  id: string;
  name: string;
  subdomain: string;
  api_key: string;
  created_at: string;
}

const toStore = (row: StoreRow): Store => ({
  id: row.id,
  name: row.name,
  subdomain: row.subdomain,
  createdAt: row.created_at,
});

export class StoreService {
  constructor(private readonly db: Db) {}

  /** The stores among `storeIds` (those an owner session holds), with their API keys. */
  listOwned(storeIds: readonly string[]): StoreWithKey[] {
    if (storeIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT id, name, subdomain, api_key, created_at FROM sandbox_stores
         WHERE id IN (SELECT value FROM json_each(?)) ORDER BY created_at, id`,
      )
      .all(JSON.stringify(storeIds)) as StoreRow[];
    return rows.map((row) => ({ ...toStore(row), apiKey: row.api_key }));
  }

  find(storeId: string): Store | undefined {
    const row = this.db
      .prepare('SELECT id, name, subdomain, api_key, created_at FROM sandbox_stores WHERE id = ?')
      .get(storeId) as StoreRow | undefined;
    return row && toStore(row);
  }

  require(storeId: string): Store {
    const store = this.find(storeId);
    if (!store) throw new DomainError('not_found', `Store ${storeId} was not found.`);
    return store;
  }

  findBySubdomain(subdomain: string): Store | undefined {
    const row = this.db
      .prepare('SELECT id, name, subdomain, api_key, created_at FROM sandbox_stores WHERE subdomain = ?')
      .get(subdomain) as StoreRow | undefined;
    return row && toStore(row);
  }

  /** The store an API key belongs to; the key is matched through its digest. */
  findByApiKey(apiKey: string): Store | undefined {
    const row = this.db
      .prepare('SELECT id, name, subdomain, api_key, created_at FROM sandbox_stores WHERE api_key_hash = ?')
      .get(sha256Hex(apiKey)) as StoreRow | undefined;
    return row && toStore(row);
  }

  create(name: string, subdomain: string): CreatedStore {
    const apiKey = newStoreApiKey();
    const ownerSecret = newOwnerSecret();
    const row: StoreRow = {
      id: `store_${randomBytes(6).toString('hex')}`,
      name,
      subdomain,
      api_key: apiKey,
      created_at: new Date().toISOString(),
    };
    const inserted = this.db
      .prepare(
        `INSERT INTO sandbox_stores (id, name, subdomain, api_key, api_key_hash, owner_secret_hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subdomain) DO NOTHING`,
      )
      .run(row.id, name, subdomain, apiKey, sha256Hex(apiKey), sha256Hex(ownerSecret), row.created_at);
    if (inserted.changes === 0) {
      throw new DomainError('conflict', `The subdomain "${subdomain}" is already taken by another store.`);
    }
    return { ...toStore(row), apiKey, ownerSecret };
  }

  /** Replaces the store's API key; the old one stops working at once. */
  rotateApiKey(storeId: string): StoreWithKey {
    const store = this.require(storeId);
    const apiKey = newStoreApiKey();
    this.db
      .prepare('UPDATE sandbox_stores SET api_key = ?, api_key_hash = ? WHERE id = ?')
      .run(apiKey, sha256Hex(apiKey), storeId);
    return { ...store, apiKey };
  }
}
