import type { Settings, UpdateSettingsRequest } from '../../contract/index.js';
import type { Db } from '../platform/db/sqlite.js';
import type { Environment } from '../users/index.js';

/** The settings stored per environment (the signing material is the server's, added by the route). */
export type UrlSettings = Pick<Settings, 'installationWebhookUrl' | 'errorStreamUrl'>;

const KEYS = { installationWebhookUrl: 'installation_webhook_url', errorStreamUrl: 'error_stream_url' } as const;

/**
 * Per-environment settings. A value set through the API wins; otherwise the environment
 * variable (ALLOY_INSTALLATION_WEBHOOK_URL, ALLOY_ERROR_STREAM_URL) applies.
 */
export class SettingsService {
  constructor(
    private readonly db: Db,
    private readonly defaults: Partial<UrlSettings>,
  ) {}

  get(env: Environment): UrlSettings {
    const rows = this.db.prepare('SELECT key, value FROM environment_settings WHERE env = ?').all(env) as {
      key: string;
      value: string;
    }[];
    const stored = new Map(rows.map((r) => [r.key, r.value]));
    return {
      installationWebhookUrl: stored.get(KEYS.installationWebhookUrl) ?? this.defaults.installationWebhookUrl ?? null,
      errorStreamUrl: stored.get(KEYS.errorStreamUrl) ?? this.defaults.errorStreamUrl ?? null,
    };
  }

  update(env: Environment, patch: UpdateSettingsRequest): UrlSettings {
    this.db.transaction(() => {
      for (const name of ['installationWebhookUrl', 'errorStreamUrl'] as const) {
        const value = patch[name];
        if (value === undefined) continue;
        if (value === null) {
          this.db.prepare('DELETE FROM environment_settings WHERE env = ? AND key = ?').run(env, KEYS[name]);
        } else {
          this.db
            .prepare(
              `INSERT INTO environment_settings (env, key, value) VALUES (?, ?, ?)
               ON CONFLICT (env, key) DO UPDATE SET value = excluded.value`,
            )
            .run(env, KEYS[name], value);
        }
      }
    })();
    return this.get(env);
  }
}
