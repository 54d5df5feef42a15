import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ConsoleClient } from '../api.js';
import { ConsoleApiError, type ConsoleLanguage } from '../api-types.js';
import '../app/events.js';
import { messagesFor } from '../i18n/index.js';
import { signInStyles } from '../sign-in/sign-in.styles.js';
import { consoleBaseStyles } from '../styles/tokens.styles.js';
import { setupStyles } from './setup.styles.js';

const MIN_PASSWORD = 12;
const MAX_PASSWORD = 256;

type Field = 'username' | 'password' | 'confirm';

/**
 * The one-time setup page (`/console/setup#token=...`): takes the token from the hash and removes
 * it from the address bar and history at once (so it is not bookmarked, shared or left in the
 * history), then asks for the admin's username and password (12–256 characters, twice) and signs in.
 *
 * @fires alloy-console-signed-in - the admin account exists and is signed in; detail is the session
 */
@customElement('alloy-console-setup')
export class AlloyConsoleSetup extends LitElement {
  static override styles = [consoleBaseStyles, signInStyles, setupStyles];

  @property({ attribute: false }) client!: ConsoleClient;
  @property() override lang: ConsoleLanguage = 'en';

  /** The setup token, read from `location.hash` when the element connects. */
  @state() token = '';
  @state() private busy = false;
  @state() private error = '';
  @state() private fieldErrors: Partial<Record<Field, string>> = {};

  @query('h1') private heading!: HTMLElement;

  override connectedCallback(): void {
    super.connectedCallback();
    const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
    if (token) {
      this.token = token;
      history.replaceState(history.state, '', `${location.pathname}${location.search}`);
    }
  }

  override firstUpdated(_changed: PropertyValues): void {
    this.heading.focus();
  }

  override render() {
    const m = messagesFor(this.lang).setup;
    if (!this.token)
      return html`<main class="card stack" aria-labelledby="title">
        <h1 id="title" tabindex="-1">${m.title}</h1>
        <p role="status">${m.noToken}</p>
        <p><a href="/console/">${messagesFor(this.lang).signIn.title}</a></p>
      </main>`;
    const errors = this.fieldErrors;
    const described = (field: Field, hint?: string) =>
      [hint, errors[field] ? `${field}-error` : undefined].filter(Boolean).join(' ') || nothing;
    return html`<main class="card stack" aria-labelledby="title">
      <h1 id="title" tabindex="-1">${m.title}</h1>
      <p class="muted">${m.intro}</p>
      <form @submit=${this.submit} novalidate>
        <div class="field">
          <label for="username">${m.username}</label>
          <input
            id="username"
            name="username"
            autocomplete="username"
            autocapitalize="none"
            spellcheck="false"
            required
            aria-invalid=${errors.username ? 'true' : 'false'}
            aria-describedby=${described('username')}
          />
          ${this.fieldError('username')}
        </div>
        <div class="field">
          <label for="password">${m.password}</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            required
            minlength=${MIN_PASSWORD}
            maxlength=${MAX_PASSWORD}
            aria-invalid=${errors.password ? 'true' : 'false'}
            aria-describedby=${described('password', 'password-hint')}
          />
          <p id="password-hint" class="help hint">${m.passwordHint}</p>
          ${this.fieldError('password')}
        </div>
        <div class="field">
          <label for="confirm">${m.confirm}</label>
          <input
            id="confirm"
            name="confirm"
            type="password"
            autocomplete="new-password"
            required
            aria-invalid=${errors.confirm ? 'true' : 'false'}
            aria-describedby=${described('confirm')}
          />
          ${this.fieldError('confirm')}
        </div>
        <p class="error" role="alert">${this.error}</p>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? m.submitting : m.submit}</button>
      </form>
    </main>`;
  }

  private fieldError(field: Field) {
    const text = this.fieldErrors[field];
    return text ? html`<p id="${field}-error" class="field-error">${text}</p>` : nothing;
  }

  private validate(username: string, password: string, confirm: string): Partial<Record<Field, string>> {
    const m = messagesFor(this.lang).setup;
    const errors: Partial<Record<Field, string>> = {};
    if (!username) errors.username = m.required;
    if (!password) errors.password = m.required;
    else if (password.length < MIN_PASSWORD) errors.password = m.tooShort;
    else if (password.length > MAX_PASSWORD) errors.password = m.tooLong;
    if (!confirm) errors.confirm = m.required;
    else if (password && confirm !== password) errors.confirm = m.mismatch;
    return errors;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const confirm = String(data.get('confirm') ?? '');
    this.fieldErrors = this.validate(username, password, confirm);
    const first = (['username', 'password', 'confirm'] as const).find((field) => this.fieldErrors[field]);
    if (first) {
      this.error = '';
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>(`#${first}`)?.focus();
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      const session = await this.client.setup(this.token, username, password);
      this.dispatchEvent(
        new CustomEvent('alloy-console-signed-in', { detail: session, bubbles: true, composed: true }),
      );
    } catch (error) {
      const m = messagesFor(this.lang);
      if (error instanceof ConsoleApiError && error.status === 403) this.error = m.setup.rejected;
      else if (error instanceof ConsoleApiError && error.code === 'network') this.error = m.networkError;
      else if (error instanceof ConsoleApiError)
        this.error = [m.setup.failed, error.message, error.requestId ? m.requestId(error.requestId) : '']
          .filter(Boolean)
          .join(' ');
      else this.error = m.setup.failed;
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-setup': AlloyConsoleSetup;
  }
}
