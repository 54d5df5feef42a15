import type { Credential, ValidationIssue } from '../../contract/index.js';
import { findConnector, type Connector, type ConnectorProperty } from './connectors/index.js';
import type { Db } from '../platform/db/sqlite.js';
import { nowIso } from '../platform/db/sqlite.js';
import type { SecretBox } from '../platform/encryption.js';
import { checkTextRules } from '../definitions/field-values.js';
import { DomainError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';

interface CredentialRow {
  id: string;
  user_id: string;
  connector: string;
  name: string;
  key_id: string;
  iv: Buffer;
  ciphertext: Buffer;
  auth_tag: Buffer;
  created_at: string;
  updated_at: string;
}

const toCredential = (
  row: Pick<CredentialRow, 'id' | 'connector' | 'name' | 'created_at' | 'updated_at'>,
): Credential => ({
  credentialId: row.id,
  type: row.connector,
  name: row.name,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * Users' connections to third-party apps. The whole `data` object is sealed with AES-256-GCM
 * (associated data: credential id + user id); only metadata ever leaves through the API.
 */
export class CredentialService {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {
    const other = this.db.prepare('SELECT key_id FROM credentials WHERE key_id <> ? LIMIT 1').get(box.keyId) as
      { key_id: string } | undefined;
    if (other) {
      throw new Error(
        `stored credentials were encrypted with another key (${other.key_id}); set ALLOY_ENCRYPTION_KEY or restore encryption.key`,
      );
    }
  }

  /** Checks `data` against the connector's properties, then stores it encrypted (no call to the app). */
  create(userId: string, type: string, data: Record<string, string>): string {
    return this.save(userId, this.prepare(type, data));
  }

  /** Checks `data` against the connector's properties: the cleaned data, or a 400 naming each bad field. */
  prepare(
    type: string,
    data: Record<string, string>,
    path: readonly string[] = ['credential', 'data'],
  ): { connector: Connector; data: Record<string, string> } {
    const connector = findConnector(type);
    if (!connector) {
      throw new DomainError('validation_failed', `There is no connector "${type}".`, [
        { path: ['credential', 'type'], message: 'unknown connector' },
      ]);
    }
    if (connector.auth.type !== 'apiKey') {
      throw new DomainError('validation_failed', `${connector.displayName} connects with OAuth.`);
    }
    const clean = checkProperties(connector.displayName, connector.auth.properties, data, path);
    return { connector, data: clean };
  }

  /** Stores a prepared credential (after the app accepted it); returns its id. */
  save(userId: string, prepared: { connector: Connector; data: Record<string, string> }): string {
    const { connector, data: clean } = prepared;
    const id = newId();
    const sealed = this.box.seal(JSON.stringify(clean), `${id}:${userId}`);
    const now = nowIso();
    this.db
      .prepare(
        `INSERT INTO credentials (id, user_id, connector, name, key_id, iv, ciphertext, auth_tag, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        userId,
        connector.id,
        connector.credentialLabel(clean),
        sealed.keyId,
        sealed.iv,
        sealed.ciphertext,
        sealed.authTag,
        now,
        now,
      );
    return id;
  }

  /** Replaces a credential's data (rotated OAuth tokens), sealed again with the same binding. */
  replaceData(userId: string, credentialId: string, data: Record<string, string>): void {
    const sealed = this.box.seal(JSON.stringify(data), `${credentialId}:${userId}`);
    const changed = this.db
      .prepare(
        'UPDATE credentials SET key_id = ?, iv = ?, ciphertext = ?, auth_tag = ?, updated_at = ? WHERE id = ? AND user_id = ?',
      )
      .run(sealed.keyId, sealed.iv, sealed.ciphertext, sealed.authTag, nowIso(), credentialId, userId);
    if (changed.changes === 0) throw notFound('The credential');
  }

  list(userId: string): Credential[] {
    const rows = this.db
      .prepare(
        'SELECT id, connector, name, created_at, updated_at FROM credentials WHERE user_id = ? ORDER BY created_at, id',
      )
      .all(userId) as CredentialRow[];
    return rows.map(toCredential);
  }

  /** The user's credentials for one connector, oldest first. */
  forConnector(userId: string, connector: string): Credential[] {
    return this.list(userId).filter((c) => c.type === connector);
  }

  /** A credential of this user; another user's id is indistinguishable from an unknown one. */
  require(userId: string, credentialId: string): Credential {
    const row = this.db
      .prepare('SELECT id, connector, name, created_at, updated_at FROM credentials WHERE id = ? AND user_id = ?')
      .get(credentialId, userId) as CredentialRow | undefined;
    if (!row) throw notFound('The credential');
    return toCredential(row);
  }

  /** Deletes the credential; installations that used it lose the link (the runtime reports it). */
  remove(userId: string, credentialId: string): void {
    this.require(userId, credentialId);
    this.db.prepare('DELETE FROM credentials WHERE id = ? AND user_id = ?').run(credentialId, userId);
  }

  /** The decrypted data, for the runtime calling the app. Never sent through the API. */
  reveal(userId: string, credentialId: string): Record<string, string> {
    const row = this.db.prepare('SELECT * FROM credentials WHERE id = ? AND user_id = ?').get(credentialId, userId) as
      CredentialRow | undefined;
    if (!row) throw notFound('The credential');
    const plaintext = this.box.open(
      { keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, authTag: row.auth_tag },
      `${row.id}:${row.user_id}`,
    );
    return JSON.parse(plaintext) as Record<string, string>;
  }
}

/**
 * Checks what a user typed against a connector's properties (required, rules, no unknown names):
 * the cleaned values (text trimmed, secrets raw), or a 400 with an issue per bad field at
 * `[...path, name]`.
 */
export function checkProperties(
  appName: string,
  properties: readonly ConnectorProperty[],
  data: Record<string, string>,
  path: readonly string[],
): Record<string, string> {
  const issues: ValidationIssue[] = [];
  for (const name of Object.keys(data)) {
    if (!properties.some((p) => p.name === name)) issues.push({ path: [...path, name], message: 'unknown field' });
  }
  const clean: Record<string, string> = {};
  for (const property of properties) {
    const raw = data[property.name];
    const value = raw === undefined ? undefined : property.type === 'secret' ? raw : raw.trim();
    if (value === undefined || value === '') {
      if (property.required)
        issues.push({ path: [...path, property.name], message: `${property.displayName} is required` });
      continue;
    }
    const problem = checkTextRules(property, value);
    if (problem) {
      issues.push({ path: [...path, property.name], message: problem });
      continue;
    }
    clean[property.name] = value;
  }
  if (issues.length > 0) {
    throw new DomainError('validation_failed', `Invalid ${appName} credential: ${issues[0]!.message}.`, issues);
  }
  return clean;
}
