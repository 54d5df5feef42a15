import type { Settings, UpdateSettingsRequest } from '../../contract/index.js';
import { inTransaction, type Conn, type Database } from '../platform/db/index.js';
import type { Environment } from '../users/index.js';
import { deleteSetting, readSettings, upsertSetting } from './repository.js';

/** The settings stored per environment (the signing material is the server's, added by the route). */
export type UrlSettings = Pick<Settings, 'installationWebhookUrl' | 'errorStreamUrl'>;

const KEYS = { installationWebhookUrl: 'installation_webhook_url', errorStreamUrl: 'error_stream_url' } as const;

/**
 * Per-environment settings. A value set through the API wins; otherwise the environment
 * variable (ALLOY_INSTALLATION_WEBHOOK_URL, ALLOY_ERROR_STREAM_URL) applies. The defaults may be
 * a function: read on each call, for a default on this server, known only once it listens.
 */
export class SettingsService {
  constructor(
    private readonly database: Database,
    private readonly defaults: Partial<UrlSettings> | (() => Partial<UrlSettings>),
  ) {}

  async get(env: Environment, conn: Conn = this.database): Promise<UrlSettings> {
    const stored = await readSettings(conn, env);
    const defaults = typeof this.defaults === 'function' ? this.defaults() : this.defaults;
    return {
      installationWebhookUrl: stored.get(KEYS.installationWebhookUrl) ?? defaults.installationWebhookUrl ?? null,
      errorStreamUrl: stored.get(KEYS.errorStreamUrl) ?? defaults.errorStreamUrl ?? null,
    };
  }

  /** Sets (upserts) or clears (`null`) each given value, together; answers the settings as they are now. */
  async update(env: Environment, patch: UpdateSettingsRequest, conn: Conn = this.database): Promise<UrlSettings> {
    return inTransaction(conn, async (trx) => {
      for (const name of ['installationWebhookUrl', 'errorStreamUrl'] as const) {
        const value = patch[name];
        if (value === undefined) continue;
        if (value === null) await deleteSetting(trx, env, KEYS[name]);
        else await upsertSetting(trx, env, KEYS[name], value);
      }
      return this.get(env, trx);
    });
  }
}
