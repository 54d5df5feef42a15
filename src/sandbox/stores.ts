import { DomainError, notFound } from '../server/platform/errors.js';
import { randomBytes } from 'node:crypto';
import { sha256Hex } from './crypto.js';
import { newOwnerSecret } from './owners.js';
import { newStoreApiKey } from './schema.js';
import type { SandboxDatabase } from './db.js';
import * as repo from './store-repository.js';
import type { StoreRow } from './store-repository.js';

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

const toStore = (row: StoreRow): Store => ({
  id: row.id,
  name: row.name,
  subdomain: row.subdomain,
  createdAt: row.created_at,
});

export class StoreService {
  constructor(private readonly database: SandboxDatabase) {}

  /** The stores among `storeIds` (those an owner session holds), with their API keys. */
  async listOwned(storeIds: readonly string[]): Promise<StoreWithKey[]> {
    const rows = await repo.storesByIds(this.database, storeIds);
    return rows.map((row) => ({ ...toStore(row), apiKey: row.api_key }));
  }

  async find(storeId: string): Promise<Store | undefined> {
    const row = await repo.storeBy(this.database, 'id', storeId);
    return row && toStore(row);
  }

  async require(storeId: string): Promise<Store> {
    const store = await this.find(storeId);
    if (!store) throw notFound(`Store ${storeId}`);
    return store;
  }

  async findBySubdomain(subdomain: string): Promise<Store | undefined> {
    const row = await repo.storeBy(this.database, 'subdomain', subdomain);
    return row && toStore(row);
  }

  /** The store an API key belongs to; the key is matched through its digest. */
  async findByApiKey(apiKey: string): Promise<Store | undefined> {
    const row = await repo.storeBy(this.database, 'api_key_hash', sha256Hex(apiKey));
    return row && toStore(row);
  }

  async create(name: string, subdomain: string): Promise<CreatedStore> {
    const apiKey = newStoreApiKey();
    const ownerSecret = newOwnerSecret();
    const row: StoreRow = {
      id: `store_${randomBytes(6).toString('hex')}`,
      name,
      subdomain,
      api_key: apiKey,
      created_at: new Date().toISOString(),
    };
    const inserted = await repo.insertStoreIfAbsent(
      this.database,
      { ...row, api_key_hash: sha256Hex(apiKey), owner_secret_hash: sha256Hex(ownerSecret) },
      'subdomain',
    );
    if (!inserted) {
      throw new DomainError('conflict', `The subdomain "${subdomain}" is already taken by another store.`);
    }
    return { ...toStore(row), apiKey, ownerSecret };
  }

  /** Replaces the store's API key; the old one stops working at once. */
  async rotateApiKey(storeId: string): Promise<StoreWithKey> {
    const apiKey = newStoreApiKey();
    const row = await repo.setApiKey(this.database, storeId, apiKey, sha256Hex(apiKey));
    if (!row) throw notFound(`Store ${storeId}`);
    return { ...toStore(row), apiKey };
  }
}
