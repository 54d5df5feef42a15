import type { Db } from '../platform/db/sqlite.js';
import { isSealedText, openText, sealText, type SecretBox } from '../platform/encryption.js';
import type { StoredConfig } from './integrations.js';

/**
 * A user's configuration answers (`user_workflows.config`) are sealed like credentials: they hold
 * the user's `secret` answers, and only the user's row can open them (the associated data names
 * the user and the workflow). The whole list is sealed, so no answer is left to decide about.
 */
const aad = (userId: string, workflowId: string): string => `user_workflows:${userId}:${workflowId}:config`;

export function sealConfig(box: SecretBox, userId: string, workflowId: string, config: StoredConfig): string {
  return sealText(box, JSON.stringify(config), aad(userId, workflowId));
}

/** Reads a row's answers; plaintext JSON (a row written before sealing) still reads until it is sealed on start. */
export function openConfig(box: SecretBox, userId: string, workflowId: string, stored: string): StoredConfig {
  const text = isSealedText(stored) ? openText(box, stored, aad(userId, workflowId)) : stored;
  return JSON.parse(text) as StoredConfig;
}

/** Seals the answers of rows an older version wrote in plaintext; returns how many. */
export function sealLegacyConfigs(db: Db, box: SecretBox): number {
  const rows = db
    .prepare("SELECT user_id, workflow_id, config FROM user_workflows WHERE config NOT LIKE 'sealed:%'")
    .all() as { user_id: string; workflow_id: string; config: string }[];
  const update = db.prepare('UPDATE user_workflows SET config = ? WHERE user_id = ? AND workflow_id = ?');
  for (const row of rows) {
    const config = JSON.parse(row.config) as StoredConfig;
    update.run(sealConfig(box, row.user_id, row.workflow_id, config), row.user_id, row.workflow_id);
  }
  return rows.length;
}
