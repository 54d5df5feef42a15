import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { isAllowedWebhookUrl, Settings } from '../../contract/settings.js';
import {
  CONSOLE_ENVIRONMENTS,
  ConsoleApiError,
  type ConsoleApi,
  type ConsoleEnvironment,
  type ConsoleLanguage,
} from '../api-types.js';
import { messagesFor, type ConsoleMessages } from '../i18n/index.js';
import type { ConsoleKey, CreatedConsoleKey } from '../session-schemas.js';
import { consoleBaseStyles } from '../styles/tokens.styles.js';
import { settingsHostStyles, settingsStyles } from './settings.styles.js';

/** The key calls of `ConsoleClient` (src/console/api.ts): what settings needs, so tests pass a fake. */
export interface ConsoleKeysApi {
  listKeys(): Promise<ConsoleKey[]>;
  createKey(env: ConsoleEnvironment): Promise<CreatedConsoleKey>;
  revokeKey(env: ConsoleEnvironment): Promise<void>;
}

type KeyAction = { kind: 'rotate' | 'revoke'; env: ConsoleEnvironment };
type UrlField = 'installationWebhookUrl' | 'errorStreamUrl';

const SETTINGS_PATH = '/2024-03/settings';

/**
 * Settings: both environments' API keys (create; rotate and revoke after a confirmation; a new key
 * shown once with Copy), and the current environment's webhook URLs and signing material
 * (`GET|PUT /settings`: the webhook secret is hidden until asked for).
 */
@customElement('alloy-console-settings')
export class AlloyConsoleSettings extends LitElement {
  static override styles = [consoleBaseStyles, settingsHostStyles, settingsStyles];

  @property({ attribute: false }) api!: ConsoleApi;
  @property({ attribute: false }) keysApi!: ConsoleKeysApi;
  @property() override lang: ConsoleLanguage = 'en';

  @state() private keys: ConsoleKey[] | undefined;
  @state() private keysError: ConsoleApiError | Error | undefined;
  @state() private settings: Settings | undefined;
  @state() private settingsError: ConsoleApiError | Error | undefined;
  @state() private confirming: KeyAction | undefined;
  @state() private keyBusy = false;
  @state() private keyActionError = '';
  @state() private newKey: CreatedConsoleKey | undefined;
  @state() private copyStatus = '';
  @state() private status = '';
  @state() private urlErrors: Partial<Record<UrlField, string>> = {};
  @state() private formError = '';
  @state() private saving = false;
  @state() private showSecret = false;

  @query('#confirm-dialog') private confirmDialog!: HTMLDialogElement;
  @query('#key-dialog') private keyDialog!: HTMLDialogElement;

  private settingsRequest = 0;

  private get m(): ConsoleMessages {
    return messagesFor(this.lang);
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('keysApi') && this.keysApi) void this.loadKeys();
    if (changed.has('api') && this.api) void this.loadSettings();
  }

  override render() {
    const m = this.m;
    return html`
      <h1 tabindex="-1">${m.settings.title}</h1>
      <p class="visually-hidden" role="status">${this.status}</p>
      ${this.renderKeys()} ${this.renderUrls()} ${this.renderConfirm()} ${this.renderNewKey()}
    `;
  }

  // ---- API keys ----

  private async loadKeys(): Promise<void> {
    this.keysError = undefined;
    try {
      this.keys = await this.keysApi.listKeys();
    } catch (error) {
      this.keys = undefined;
      this.keysError = error instanceof Error ? error : new Error(String(error));
    }
  }

  private renderKeys() {
    const m = this.m;
    return html`<section class="card stack" aria-labelledby="keys-title">
      <h2 id="keys-title">${m.settings.keysTitle}</h2>
      <p class="muted">${m.settings.keysIntro}</p>
      ${
        this.keysError
          ? this.renderError(this.keysError, () => void this.loadKeys())
          : this.keys === undefined
            ? html`<p role="status">${m.loading}</p>`
            : html`<ul class="keys">
                ${CONSOLE_ENVIRONMENTS.map((env) =>
                  this.renderKey(
                    env,
                    this.keys!.find((key) => key.env === env),
                  ),
                )}
              </ul>`
      }
    </section>`;
  }

  private renderKey(env: ConsoleEnvironment, key: ConsoleKey | undefined) {
    const m = this.m;
    const name = m.environments[env];
    const active = key?.active === true;
    return html`<li class="key">
      <div>
        <h3>${name}</h3>
        <p class=${active ? '' : 'muted'}>${active ? m.settings.keyActive(key.hint) : m.settings.keyNone}</p>
        ${active && key.createdAt ? html`<p class="help">${m.settings.keyCreated(this.formatDate(key.createdAt))}</p>` : nothing}
      </div>
      <div class="row">
        ${
          active
            ? html`<button
                  type="button"
                  class="secondary"
                  aria-label="${m.settings.rotate}: ${name}"
                  @click=${() => this.askConfirm({ kind: 'rotate', env })}
                >
                  ${m.settings.rotate}
                </button>
                <button
                  type="button"
                  class="danger secondary"
                  aria-label="${m.settings.revoke}: ${name}"
                  @click=${() => this.askConfirm({ kind: 'revoke', env })}
                >
                  ${m.settings.revoke}
                </button>`
            : html`<button
                type="button"
                aria-label="${m.settings.create}: ${name}"
                ?disabled=${this.keyBusy}
                @click=${() => void this.createKey(env)}
              >
                ${m.settings.create}
              </button>`
        }
      </div>
    </li>`;
  }

  private async askConfirm(action: KeyAction): Promise<void> {
    this.confirming = action;
    this.keyActionError = '';
    await this.updateComplete;
    if (!this.confirmDialog.open) this.confirmDialog.showModal();
    this.confirmDialog.querySelector<HTMLButtonElement>('button.cancel')?.focus();
  }

  private renderConfirm() {
    const m = this.m.settings;
    const action = this.confirming;
    const env = action ? this.m.environments[action.env] : '';
    return html`<dialog
      id="confirm-dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-text"
      @close=${this.confirmClosed}
    >
      ${
        action
          ? html`<div class="stack">
              <h2 id="confirm-title">${action.kind === 'rotate' ? m.rotateTitle(env) : m.revokeTitle(env)}</h2>
              <p id="confirm-text">${action.kind === 'rotate' ? m.rotateText : m.revokeText}</p>
              ${this.keyActionError ? html`<p class="error" role="alert">${this.keyActionError}</p>` : nothing}
              <div class="actions">
                <button type="button" class="secondary cancel" @click=${() => this.confirmDialog.close()}>
                  ${this.m.cancel}
                </button>
                <button
                  type="button"
                  class="danger confirm"
                  ?disabled=${this.keyBusy}
                  @click=${() => void this.confirmAction()}
                >
                  ${action.kind === 'rotate' ? m.rotate : m.revoke}
                </button>
              </div>
            </div>`
          : nothing
      }
    </dialog>`;
  }

  private confirmClosed(): void {
    if (!this.keyBusy) this.confirming = undefined;
  }

  private async confirmAction(): Promise<void> {
    const action = this.confirming;
    if (!action || this.keyBusy) return;
    if (action.kind === 'rotate') {
      await this.createKey(action.env);
      return;
    }
    this.keyBusy = true;
    this.keyActionError = '';
    try {
      await this.keysApi.revokeKey(action.env);
      this.keyBusy = false;
      this.confirmDialog.close();
      this.status = this.m.settings.keyRevoked(this.m.environments[action.env]);
      await this.loadKeys();
    } catch (error) {
      this.keyActionError = this.describe(error);
    } finally {
      this.keyBusy = false;
    }
  }

  private async createKey(env: ConsoleEnvironment): Promise<void> {
    if (this.keyBusy) return;
    this.keyBusy = true;
    this.keyActionError = '';
    try {
      const created = await this.keysApi.createKey(env);
      this.keyBusy = false;
      if (this.confirmDialog.open) this.confirmDialog.close();
      this.confirming = undefined;
      this.newKey = created;
      this.copyStatus = '';
      await this.updateComplete;
      this.keyDialog.showModal();
      this.keyDialog.querySelector<HTMLInputElement>('#new-key')?.select();
      this.keyDialog.querySelector<HTMLButtonElement>('button.copy')?.focus();
      void this.loadKeys();
    } catch (error) {
      if (this.confirmDialog.open) this.keyActionError = this.describe(error);
      else this.status = this.describe(error);
    } finally {
      this.keyBusy = false;
    }
  }

  private renderNewKey() {
    const m = this.m.settings;
    const key = this.newKey;
    return html`<dialog
      id="key-dialog"
      aria-labelledby="key-title"
      aria-describedby="key-warning"
      @close=${() => (this.newKey = undefined)}
    >
      ${
        key
          ? html`<div class="stack">
              <h2 id="key-title">${m.newKeyTitle(this.m.environments[key.env])}</h2>
              <p id="key-warning" class="warning">${m.newKeyWarning}</p>
              <div class="field">
                <label for="new-key">${m.newKeyLabel}</label>
                <div class="copy-row">
                  <input
                    id="new-key"
                    readonly
                    .value=${key.apiKey}
                    spellcheck="false"
                    autocomplete="off"
                    @focus=${(event: FocusEvent) => (event.target as HTMLInputElement).select()}
                  />
                  <button type="button" class="secondary copy" @click=${() => void this.copy(key.apiKey)}>
                    ${m.copy}
                  </button>
                </div>
              </div>
              <p role="status" class=${this.copyStatus === m.copied ? 'success' : 'error'}>${this.copyStatus}</p>
              <div class="actions">
                <button type="button" class="done" @click=${() => this.keyDialog.close()}>${m.done}</button>
              </div>
            </div>`
          : nothing
      }
    </dialog>`;
  }

  private async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.copyStatus = this.m.settings.copied;
    } catch {
      this.copyStatus = this.m.settings.copyFailed;
      this.keyDialog.querySelector<HTMLInputElement>('#new-key')?.select();
    }
  }

  // ---- Webhook URLs and signing material ----

  private async loadSettings(): Promise<void> {
    const request = ++this.settingsRequest;
    this.settings = undefined;
    this.settingsError = undefined;
    this.urlErrors = {};
    this.formError = '';
    this.showSecret = false;
    try {
      const settings = await this.api.isv({ method: 'GET', path: SETTINGS_PATH }, Settings);
      if (request === this.settingsRequest) this.settings = settings;
    } catch (error) {
      if (request === this.settingsRequest)
        this.settingsError = error instanceof Error ? error : new Error(String(error));
    }
  }

  private renderUrls() {
    const m = this.m;
    const env = m.environments[this.api?.env ?? 'development'];
    const settings = this.settings;
    return html`<section class="card stack" aria-labelledby="urls-title">
      <h2 id="urls-title">${m.settings.urlsTitle(env)}</h2>
      ${
        this.settingsError
          ? this.renderError(this.settingsError, () => void this.loadSettings())
          : !settings
            ? html`<p role="status">${m.loading}</p>`
            : html`<p class="muted">${m.settings.urlsIntro}</p>
                <form class="urls" novalidate @submit=${this.save}>
                  ${this.urlField('installationWebhookUrl', m.settings.installationWebhookUrl, m.settings.installationWebhookHelp, settings.installationWebhookUrl)}
                  ${this.urlField('errorStreamUrl', m.settings.errorStreamUrl, m.settings.errorStreamHelp, settings.errorStreamUrl)}
                  ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
                  <div class="row">
                    <button type="submit" ?disabled=${this.saving}>
                      ${this.saving ? m.settings.saving : m.settings.save}
                    </button>
                  </div>
                </form>
                <h3>${m.settings.signingTitle}</h3>
                <div class="field">
                  <label for="webhook-secret">${m.settings.webhookSecret}</label>
                  <div class="copy-row">
                    <input
                      id="webhook-secret"
                      readonly
                      type=${this.showSecret ? 'text' : 'password'}
                      .value=${settings.webhookSecret}
                      autocomplete="off"
                      spellcheck="false"
                      aria-describedby="webhook-secret-help"
                    />
                    <button
                      type="button"
                      class="secondary"
                      aria-pressed=${this.showSecret ? 'true' : 'false'}
                      @click=${() => (this.showSecret = !this.showSecret)}
                    >
                      ${this.showSecret ? m.settings.hide : m.settings.show}
                    </button>
                  </div>
                  <p id="webhook-secret-help" class="help">${m.settings.webhookSecretHelp}</p>
                </div>
                <div class="field">
                  <p><strong>${m.settings.publicKeyUrl}</strong></p>
                  <p>
                    <a href=${settings.publicKeyUrl} target="_blank" rel="noopener noreferrer"
                      >${settings.publicKeyUrl}</a
                    >
                  </p>
                  <p class="help">${m.settings.publicKeyHelp}</p>
                </div>`
      }
    </section>`;
  }

  private urlField(name: UrlField, label: string, help: string, value: string | null) {
    const error = this.urlErrors[name];
    return html`<div class="field">
      <label for=${name}>${label}</label>
      <input
        id=${name}
        name=${name}
        type="url"
        inputmode="url"
        autocomplete="off"
        spellcheck="false"
        .value=${value ?? ''}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${error ? `${name}-help ${name}-error` : `${name}-help`}
      />
      <p id="${name}-help" class="help">${help}</p>
      ${error ? html`<p id="${name}-error" class="field-error">${error}</p>` : nothing}
    </div>`;
  }

  private async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.saving) return;
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const body: Record<UrlField, string | null> = { installationWebhookUrl: null, errorStreamUrl: null };
    const errors: Partial<Record<UrlField, string>> = {};
    for (const name of ['installationWebhookUrl', 'errorStreamUrl'] as const) {
      const value = String(data.get(name) ?? '').trim();
      if (value && (value.length > 2048 || !isAllowedWebhookUrl(value))) errors[name] = this.m.settings.invalidUrl;
      body[name] = value || null;
    }
    this.urlErrors = errors;
    this.formError = '';
    const first = (['installationWebhookUrl', 'errorStreamUrl'] as const).find((name) => errors[name]);
    if (first) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>(`#${first}`)?.focus();
      return;
    }
    this.saving = true;
    try {
      this.settings = await this.api.isv({ method: 'PUT', path: SETTINGS_PATH, body }, Settings);
      this.status = this.m.settings.saved;
    } catch (error) {
      this.formError = this.describe(error);
    } finally {
      this.saving = false;
    }
  }

  // ---- shared ----

  private renderError(error: Error, retry: () => void) {
    return html`<div class="stack" role="alert">
      <p class="error">${this.m.loadFailed} ${this.describe(error)}</p>
      <div class="row"><button type="button" class="secondary" @click=${retry}>${this.m.retry}</button></div>
    </div>`;
  }

  private describe(error: unknown): string {
    if (!(error instanceof ConsoleApiError)) return error instanceof Error ? error.message : String(error);
    if (error.code === 'network') return this.m.networkError;
    return [error.message, error.requestId ? this.m.requestId(error.requestId) : ''].filter(Boolean).join(' ');
  }

  private formatDate(iso: string): string {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return new Intl.DateTimeFormat(this.m.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-settings': AlloyConsoleSettings;
  }
}
