import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { ConfigEntry, ConfigField, WidgetApi, WidgetIntegration } from '../../contract/index.js';
import type { CloseReason, InstallOutcome } from '../events.js';
import { en, type ModalMessages } from '../messages.js';
import { installModalStyles } from './install-modal.styles.js';

type Phase = 'loading' | 'load-error' | 'ready' | 'submitting' | 'done';

/** Only web URLs may become an `<img src>`: never `javascript:` or `data:` from the API. */
const safeImageUrl = (url: string): string | undefined => {
  try {
    const parsed = new URL(url, location.href);
    const localHttp = parsed.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
    return parsed.protocol === 'https:' || localHttp ? parsed.href : undefined;
  } catch {
    return undefined;
  }
};

const fieldKey = (f: { workflowId: string; blockId: string; name: string }): string =>
  `${f.workflowId}\u0000${f.blockId}\u0000${f.name}`;

/** The deepest focused element, looking through open shadow roots, so focus can go back to it. */
function deepActiveElement(): HTMLElement | null {
  let active: Element | null = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : null;
}

/**
 * The install modal: a native `<dialog>` that loads an integration for the token's user, shows its
 * configurable fields and stores the installation when the user presses Finish Installation.
 *
 * @fires alloy-installed - the installation was stored; detail is the API's answer
 * @fires alloy-close - the modal closed; detail.reason says why
 * @csspart dialog - the dialog panel
 * @csspart header
 * @csspart title
 * @csspart body
 * @csspart footer
 * @csspart close-button
 * @csspart finish-button
 * @csspart field - each field wrapper
 * @csspart input - each input
 * @cssprop --alloy-color-primary - primary button and accents
 * @cssprop --alloy-color-surface - panel background
 * @cssprop --alloy-color-text - text colour
 * @cssprop --alloy-radius - corner radius
 * @cssprop --alloy-font-family - font stack
 */
export class AlloyInstallModal extends LitElement {
  static override styles = installModalStyles;

  /** The integration to install. */
  @property({ attribute: 'integration-id' }) integrationId = '';

  /** Replaces the integration's name as the heading. */
  @property() heading: string | undefined;

  /** The network side; the SDK passes its API client. */
  @property({ attribute: false }) api: WidgetApi | undefined;

  @property({ attribute: false }) messages: ModalMessages = en;

  @state() private phase: Phase = 'loading';
  @state() private integration: WidgetIntegration | undefined;
  @state() private values = new Map<string, string>();
  @state() private fieldErrors = new Map<string, string>();
  @state() private formError = '';
  @state() private status = '';

  @query('dialog') private dialog!: HTMLDialogElement;

  private opener: HTMLElement | null = null;
  private settle: ((outcome: InstallOutcome) => void) | undefined;
  private loadAbort: AbortController | undefined;
  /** One key per modal session: a double click or a retry after a lost answer stores one installation. */
  private idempotencyKey = crypto.randomUUID();

  /** Opens the modal and resolves when it closes, with the outcome. */
  show(): Promise<InstallOutcome> {
    if (this.settle) return Promise.reject(new Error('the install modal is already open'));
    this.opener = deepActiveElement();
    const outcome = new Promise<InstallOutcome>((resolve) => (this.settle = resolve));
    void this.updateComplete.then(() => {
      if (!this.dialog.open) this.dialog.showModal();
      void this.load();
    });
    return outcome;
  }

  /** Closes the modal as if the user dismissed it. */
  close(reason: Exclude<CloseReason, 'installed'> = 'api'): void {
    this.finish({ success: false, reason });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.loadAbort?.abort();
    // Removed from the page while open: still settle, so callers never wait forever.
    if (this.settle) this.finish({ success: false, reason: 'api' });
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('phase') && this.phase === 'ready' && changed.get('phase') === 'loading') {
      const first = this.renderRoot.querySelector<HTMLElement>('input, textarea, .primary');
      first?.focus();
    }
  }

  private async load(): Promise<void> {
    if (!this.api) {
      this.phase = 'load-error';
      this.formError = this.messages.loadFailed;
      return;
    }
    this.loadAbort?.abort();
    this.loadAbort = new AbortController();
    this.phase = 'loading';
    this.status = this.messages.loading;
    try {
      const integration = await this.api.getIntegration(this.integrationId, this.loadAbort.signal);
      this.integration = integration;
      const values = new Map<string, string>();
      for (const field of integration.fields) {
        const saved = integration.installation?.values.find((v) => fieldKey(v) === fieldKey(field))?.value;
        const initial = saved ?? field.defaultValue;
        values.set(fieldKey(field), initial === undefined || initial === null ? '' : String(initial));
      }
      this.values = values;
      this.phase = 'ready';
      this.status = '';
    } catch (error) {
      if (this.loadAbort.signal.aborted) return;
      this.phase = 'load-error';
      this.formError = `${this.messages.loadFailed} ${errorMessage(error)}`;
      this.status = this.formError;
    }
  }

  private validate(fields: readonly ConfigField[]): Map<string, string> {
    const errors = new Map<string, string>();
    for (const field of fields) {
      const raw = (this.values.get(fieldKey(field)) ?? '').trim();
      if (field.required && raw === '') errors.set(fieldKey(field), this.messages.required);
      else if (field.type === 'number' && raw !== '' && !Number.isFinite(Number(raw))) {
        errors.set(fieldKey(field), this.messages.mustBeNumber);
      }
    }
    return errors;
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const integration = this.integration;
    if (!integration || !this.api || this.phase === 'submitting') return;
    const errors = this.validate(integration.fields);
    this.fieldErrors = errors;
    if (errors.size > 0) {
      this.formError = this.messages.fixErrors;
      this.status = this.messages.fixErrors;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    this.phase = 'submitting';
    this.formError = '';
    this.status = this.messages.installing;
    const values: ConfigEntry[] = integration.fields
      .map((field) => ({ field, raw: (this.values.get(fieldKey(field)) ?? '').trim() }))
      .filter(({ raw }) => raw !== '')
      .map(({ field, raw }) => ({
        workflowId: field.workflowId,
        blockId: field.blockId,
        name: field.name,
        value: field.type === 'number' ? Number(raw) : raw,
      }));
    try {
      const result = await this.api.createInstallation(
        { integrationId: integration.integrationId, values },
        this.idempotencyKey,
      );
      this.phase = 'done';
      this.status = this.messages.installed;
      this.dispatchEvent(new CustomEvent('alloy-installed', { detail: result, bubbles: true, composed: true }));
      this.finish({ success: true, ...result });
    } catch (error) {
      this.phase = 'ready';
      this.fieldErrors = serverFieldErrors(error, integration.fields);
      this.formError = `${this.messages.installFailed} ${errorMessage(error)}`;
      this.status = this.formError;
    }
  }

  private finish(outcome: InstallOutcome): void {
    const settle = this.settle;
    if (!settle) return;
    this.settle = undefined;
    this.loadAbort?.abort();
    if (this.dialog?.open) this.dialog.close();
    const reason: CloseReason = outcome.success ? 'installed' : outcome.reason;
    this.dispatchEvent(new CustomEvent('alloy-close', { detail: { reason }, bubbles: true, composed: true }));
    // Give focus back to whatever opened the modal (a button on the host page, usually).
    if (this.opener?.isConnected) this.opener.focus();
    this.opener = null;
    settle(outcome);
  }

  private onCancel(event: Event): void {
    // ESC: the browser would close the dialog itself; route it through the one close path instead.
    event.preventDefault();
    this.close('escape');
  }

  private onInput(field: ConfigField, event: Event): void {
    const value = (event.target as HTMLInputElement | HTMLTextAreaElement).value;
    this.values = new Map(this.values).set(fieldKey(field), value);
    if (this.fieldErrors.has(fieldKey(field))) {
      const errors = new Map(this.fieldErrors);
      errors.delete(fieldKey(field));
      this.fieldErrors = errors;
    }
  }

  override render(): TemplateResult {
    const integration = this.integration;
    const title = this.heading ?? integration?.name ?? this.messages.loading;
    const icon = integration ? safeImageUrl(integration.icon) : undefined;
    return html`
      <dialog part="dialog" aria-labelledby="alloy-title" @cancel=${this.onCancel}>
        <header part="header">
          ${icon ? html`<img src=${icon} alt="" width="40" height="40" />` : nothing}
          <h2 id="alloy-title" part="title">${title}</h2>
          <button
            class="close"
            part="close-button"
            type="button"
            aria-label=${this.messages.close}
            @click=${() => this.close('close-button')}
          >
            <span aria-hidden="true">×</span>
          </button>
        </header>
        <form novalidate @submit=${this.submit}>
          <div class="body" part="body">${this.renderBody()}</div>
          ${
            this.phase === 'ready' || this.phase === 'submitting'
              ? html`<footer part="footer">
                  <button class="primary" part="finish-button" type="submit" ?disabled=${this.phase === 'submitting'}>
                    ${this.phase === 'submitting' ? this.messages.installing : this.messages.finishInstallation}
                  </button>
                </footer>`
              : nothing
          }
          ${
            this.phase === 'load-error'
              ? html`<footer part="footer">
                  <button class="primary" part="retry-button" type="button" @click=${() => void this.load()}>
                    ${this.messages.retry}
                  </button>
                </footer>`
              : nothing
          }
        </form>
        <p class="visually-hidden" role="status" aria-live="polite">${this.status}</p>
      </dialog>
    `;
  }

  private renderBody(): TemplateResult {
    if (this.phase === 'loading') {
      return html`<div aria-hidden="true">
        <div class="skeleton"></div>
        <div class="skeleton short"></div>
        <div class="skeleton"></div>
      </div>`;
    }
    if (this.phase === 'load-error') return html`<p class="error" role="alert">${this.formError}</p>`;
    const integration = this.integration!;
    return html`
      <p class="intro">
        ${
          integration.fields.length > 0 ? this.messages.configureIntro(integration.name) : this.messages.noConfiguration
        }
      </p>
      ${integration.fields.map((field) => this.renderField(field))}
      ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
    `;
  }

  private renderField(field: ConfigField): TemplateResult {
    const key = fieldKey(field);
    const id = `field-${integrationFieldIndex(this.integration!, field)}`;
    const error = this.fieldErrors.get(key);
    const describedBy = [field.help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
    const common = {
      id,
      value: this.values.get(key) ?? '',
      invalid: error ? 'true' : 'false',
      describedBy: describedBy || undefined,
    };
    const input =
      field.type === 'textarea'
        ? html`<textarea
            id=${common.id}
            part="input"
            rows="3"
            .value=${common.value}
            ?required=${field.required}
            aria-invalid=${common.invalid}
            aria-describedby=${common.describedBy ?? nothing}
            placeholder=${field.placeholder ?? nothing}
            @input=${(e: Event) => this.onInput(field, e)}
          ></textarea>`
        : html`<input
            id=${common.id}
            part="input"
            type=${field.type === 'secret' ? 'password' : field.type === 'number' ? 'number' : 'text'}
            autocomplete=${field.type === 'secret' ? 'off' : nothing}
            .value=${common.value}
            ?required=${field.required}
            aria-invalid=${common.invalid}
            aria-describedby=${common.describedBy ?? nothing}
            placeholder=${field.placeholder ?? nothing}
            @input=${(e: Event) => this.onInput(field, e)}
          />`;
    return html`<div class="field" part="field">
      <label for=${id}>
        ${field.displayName}${field.required ? html`<span class="required-mark" aria-hidden="true"> *</span>` : nothing}
      </label>
      ${input} ${field.help ? html`<p class="help" id="${id}-help">${field.help}</p>` : nothing}
      ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : nothing}
    </div>`;
  }
}

const integrationFieldIndex = (integration: WidgetIntegration, field: ConfigField): number =>
  integration.fields.findIndex((f) => fieldKey(f) === fieldKey(field));

function errorMessage(error: unknown): string {
  return error instanceof Error && error.message ? error.message : '';
}

/** Puts the server's per-field messages next to the right inputs. */
function serverFieldErrors(error: unknown, fields: readonly ConfigField[]): Map<string, string> {
  const result = new Map<string, string>();
  const issues = (error as { issues?: { path: (string | number)[]; message: string }[] } | null)?.issues ?? [];
  for (const issue of issues) {
    const named = fields.find((f) => issue.path.includes(f.name));
    if (named) result.set(fieldKey(named), issue.message);
  }
  return result;
}
