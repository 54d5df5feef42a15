import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { ConsoleRateLimitedError, type ConsoleClient } from '../api.js';
import { ConsoleApiError, type ConsoleLanguage } from '../api-types.js';
import '../app/events.js';
import { messagesFor } from '../i18n/index.js';
import { consoleBaseStyles } from '../styles/tokens.styles.js';
import { signInStyles } from './sign-in.styles.js';

/**
 * Username + password. A failure is announced in a live region (wrong credentials, too many
 * attempts with the wait, anything else with its request id); the password is cleared and focused so
 * the admin can type it again (the username stays as typed).
 *
 * @fires alloy-console-signed-in - signed in; detail is the session
 */
@customElement('alloy-console-sign-in')
export class AlloyConsoleSignIn extends LitElement {
  static override styles = [consoleBaseStyles, signInStyles];

  @property({ attribute: false }) client!: ConsoleClient;
  @property() override lang: ConsoleLanguage = 'en';
  /** A notice shown above the form (e.g. "your session ended"). */
  @property() notice = '';

  @state() private busy = false;
  @state() private error = '';

  @query('#username') private usernameInput!: HTMLInputElement;
  @query('#password') private passwordInput!: HTMLInputElement;
  @query('h1') private heading!: HTMLElement;

  override firstUpdated(_changed: PropertyValues): void {
    this.heading.focus();
  }

  override render() {
    const m = messagesFor(this.lang).signIn;
    return html`<main class="card stack" aria-labelledby="title">
      <h1 id="title" tabindex="-1">${m.title}</h1>
      <p class="muted">${m.intro}</p>
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
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
            aria-describedby="error"
          />
        </div>
        <div class="field">
          <label for="password">${m.password}</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            aria-describedby="error"
          />
        </div>
        <p id="error" class="error" role="alert" aria-live="assertive">${this.error}</p>
        <button type="submit" ?disabled=${this.busy}>${this.busy ? m.submitting : m.submit}</button>
      </form>
    </main>`;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const username = String(data.get('username') ?? '').trim();
    const password = String(data.get('password') ?? '');
    const m = messagesFor(this.lang);
    if (!username || !password) {
      this.error = m.setup.required;
      (username ? (form.elements.namedItem('password') as HTMLInputElement) : this.usernameInput).focus();
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      const session = await this.client.signIn(username, password);
      this.dispatchEvent(
        new CustomEvent('alloy-console-signed-in', { detail: session, bubbles: true, composed: true }),
      );
    } catch (error) {
      this.error = this.describe(error);
      this.passwordInput.value = '';
      await this.updateComplete;
      this.passwordInput.focus();
    } finally {
      this.busy = false;
    }
  }

  private describe(error: unknown): string {
    const m = messagesFor(this.lang);
    if (error instanceof ConsoleRateLimitedError) return m.signIn.rateLimited(error.retryAfterSeconds);
    if (!(error instanceof ConsoleApiError)) return m.signIn.failed;
    if (error.status === 401) return m.signIn.wrongCredentials;
    if (error.code === 'network') return m.networkError;
    return [m.signIn.failed, error.message, error.requestId ? m.requestId(error.requestId) : '']
      .filter(Boolean)
      .join(' ');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-sign-in': AlloyConsoleSignIn;
  }
}
