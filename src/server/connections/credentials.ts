import type { Credential, ValidationIssue } from '../../contract/index.js';
import { findConnector, type Connector, type ConnectorProperty } from './connectors/index.js';
import { afterCommit, nowIso, type Conn, type Database } from '../platform/db/index.js';
import type { SecretBox } from '../platform/encryption.js';
import { checkTextRules } from '../definitions/index.js';
import { DomainError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import {
  deleteCredential,
  findCredential,
  findSealedCredential,
  insertCredential,
  listCredentials,
  newestCredential,
  otherKeyId,
  updateCredentialData,
  type CredentialRecord,
} from './credential-repository.js';

const toCredential = (record: CredentialRecord): Credential => ({
  credentialId: record.id,
  type: record.connector,
  name: record.name,
  createdAt: record.createdAt,
  updatedAt: record.updatedAt,
});

/**
 * What must follow a change to a user's connections (the app-trigger subscriptions), given to the
 * service at start-up: the service runs it, so no route can forget it.
 */
export interface ConnectionChangeHooks {
  /** In the change's transaction: the user's app-event triggers owe a sync (AppTriggers.owe). */
  owe(conn: Conn, userId: string): Promise<void>;
  /** After a credential was added or removed (and committed): subscribe or move app-event triggers. */
  settle(userId: string): Promise<void>;
  /** Before a credential is deleted, while it still works: unsubscribe what it is used for. */
  releaseCredential(userId: string, credentialId: string): Promise<void>;
}

const NO_HOOKS: ConnectionChangeHooks = {
  owe: async () => {},
  settle: async () => {},
  releaseCredential: async () => {},
};

/**
 * Users' connections to third-party apps. The whole `data` object is sealed with AES-256-GCM
 * (associated data: credential id + user id); only metadata ever leaves through the API.
 */
export class CredentialService {
  private constructor(
    private readonly database: Database,
    private readonly box: SecretBox,
    private readonly hooks: ConnectionChangeHooks,
  ) {}

  /** The service, once no stored credential was sealed with another key (that key must be restored first). */
  static async open(
    database: Database,
    box: SecretBox,
    hooks: ConnectionChangeHooks = NO_HOOKS,
  ): Promise<CredentialService> {
    const other = await otherKeyId(database, box.keyId);
    if (other !== undefined) {
      throw new Error(
        `stored credentials were encrypted with another key (${other}); set ALLOY_ENCRYPTION_KEY or restore encryption.key`,
      );
    }
    return new CredentialService(database, box, hooks);
  }

  /** Checks `data` against the connector's properties, then stores it encrypted (no call to the app). */
  async create(
    userId: string,
    type: string,
    data: Record<string, string>,
    conn: Conn = this.database,
  ): Promise<string> {
    return this.save(userId, this.validate(type, data), conn);
  }

  /** Checks `data` against the connector's properties: the cleaned data, or a 400 naming each bad field. */
  validate(
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

  /**
   * Stores a prepared credential (after the app accepted it); returns its id. The user's app
   * triggers are settled once it is committed: awaited here outside a transaction, in the
   * background after the commit of a caller's transaction.
   */
  async save(
    userId: string,
    prepared: { connector: Connector; data: Record<string, string> },
    conn: Conn = this.database,
  ): Promise<string> {
    const { connector, data: clean } = prepared;
    const id = newId();
    const now = nowIso();
    await insertCredential(conn, {
      id,
      userId,
      connector: connector.id,
      name: connector.credentialLabel(clean),
      createdAt: now,
      updatedAt: now,
      sealed: this.box.seal(JSON.stringify(clean), `${id}:${userId}`),
    });
    await this.afterChange(conn, userId);
    return id;
  }

  /** Replaces a credential's data (rotated OAuth tokens), sealed again with the same binding. */
  async replaceData(
    userId: string,
    credentialId: string,
    data: Record<string, string>,
    conn: Conn = this.database,
  ): Promise<void> {
    const sealed = this.box.seal(JSON.stringify(data), `${credentialId}:${userId}`);
    if (!(await updateCredentialData(conn, userId, credentialId, sealed, nowIso()))) throw notFound('The credential');
  }

  async list(userId: string, conn: Conn = this.database): Promise<Credential[]> {
    return (await listCredentials(conn, userId)).map(toCredential);
  }

  /** The user's credentials for one connector, oldest first. */
  async forConnector(userId: string, connector: string, conn: Conn = this.database): Promise<Credential[]> {
    return (await listCredentials(conn, userId, connector)).map(toCredential);
  }

  /** The user's newest credential for one connector (the one a run uses when nothing else is recorded). */
  async newest(userId: string, connector: string, conn: Conn = this.database): Promise<Credential | undefined> {
    const record = await newestCredential(conn, userId, connector);
    return record && toCredential(record);
  }

  /** A credential of this user, or undefined (another user's id is indistinguishable from an unknown one). */
  async find(userId: string, credentialId: string, conn: Conn = this.database): Promise<Credential | undefined> {
    const record = await findCredential(conn, userId, credentialId);
    return record && toCredential(record);
  }

  /** A credential of this user; another user's id is indistinguishable from an unknown one. */
  async require(userId: string, credentialId: string, conn: Conn = this.database): Promise<Credential> {
    const credential = await this.find(userId, credentialId, conn);
    if (!credential) throw notFound('The credential');
    return credential;
  }

  /**
   * Deletes the credential: the app-trigger subscriptions made with it are removed first while it
   * still works (this calls the apps, so it runs outside any transaction), then it is deleted
   * (installations that used it lose the link; the runtime reports it) and the triggers settle on
   * another connection. Of two concurrent deletes one succeeds and the other finds nothing (404).
   */
  async remove(userId: string, credentialId: string): Promise<void> {
    await this.require(userId, credentialId);
    await this.hooks.releaseCredential(userId, credentialId);
    if (!(await deleteCredential(this.database, userId, credentialId))) throw notFound('The credential');
    await this.afterChange(this.database, userId);
  }

  /** The decrypted data, for the runtime calling the app. Never sent through the API. */
  async reveal(userId: string, credentialId: string, conn: Conn = this.database): Promise<Record<string, string>> {
    const row = await findSealedCredential(conn, userId, credentialId);
    if (!row) throw notFound('The credential');
    return JSON.parse(this.box.open(row.sealed, `${row.id}:${row.userId}`)) as Record<string, string>;
  }

  /**
   * The user's connections changed: once `conn` commits, their app triggers settle. Outside a
   * transaction that is now, and the caller waits for it (bounded by AppTriggers.settle); inside
   * one it starts after the outermost commit, never after a rollback, and nobody waits (no
   * transaction may stay open across the calls to apps it makes).
   */
  private async afterChange(conn: Conn, userId: string): Promise<void> {
    await this.hooks.owe(conn, userId);
    let settling: Promise<void> | undefined;
    afterCommit(conn, () => {
      settling = this.hooks.settle(userId);
    });
    if (settling) await settling;
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
