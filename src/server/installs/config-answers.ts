import type { Conn } from '../platform/db/index.js';
import { isSealedText, openText, sealText, type SecretBox } from '../platform/encryption.js';
import type { StoredConfig } from './integrations.js';
import { replaceConfig, unsealedConfigs } from './repository.js';

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

/**
 * Seals the answers of rows an older version wrote in plaintext; returns how many. Runs on every
 * start: it reads a partial index of the unsealed rows only, so once all are sealed it costs one
 * lookup in an empty index.
 */
export async function sealLegacyConfigs(conn: Conn, box: SecretBox): Promise<number> {
  const rows = await unsealedConfigs(conn);
  let sealed = 0;
  for (const row of rows) {
    const config = JSON.parse(row.config) as StoredConfig;
    const replaced = await replaceConfig(conn, {
      userId: row.userId,
      workflowId: row.workflowId,
      previous: row.config,
      config: sealConfig(box, row.userId, row.workflowId, config),
    });
    if (replaced) sealed += 1;
  }
  return sealed;
}
