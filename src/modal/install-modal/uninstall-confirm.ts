import { css, html, nothing, type TemplateResult } from 'lit';
import type { UninstallResponse, WidgetApi, WidgetIntegration } from '../../contract/index.js';
import type { ModalEventDetails } from '../events.js';
import { manageMessages } from '../i18n/manage-messages.js';
import type { ModalMessages } from '../i18n/messages.js';
import { alertIcon } from '../internal/icons.js';
import type { ModalOperation } from '../options.js';

/** What the uninstall entry and its confirmation need from the modal. */
export interface UninstallHost {
  readonly api: WidgetApi | undefined;
  readonly text: ModalMessages;
  readonly operation: ModalOperation;
  /** The integration as loaded (with the user's installation), once it is. */
  readonly integration: WidgetIntegration | undefined;
  /** The name the modal shows for it (the host's `title`, else the integration's name). */
  readonly integrationName: string;
  requestUpdate(): void;
  announce(text: string): void;
  focusSoon(selector: string): Promise<void>;
  emit<K extends keyof ModalEventDetails>(type: K, detail: ModalEventDetails[K]): void;
  /** Uninstalled: the modal closes with reason `uninstalled`. */
  uninstalled(result: UninstallResponse): void;
}

/** Styles of the uninstall entry and its confirmation, adopted by the modal when this module loads. */
export const uninstallStyles = css`
  .manage {
    margin-top: 24px;
    padding-top: 16px;
    border-top: 1px solid var(--_line);
  }
  .uninstall-entry {
    padding: 0;
    border: 0;
    background: none;
    color: var(--_danger);
    font-weight: 600;
    text-decoration: underline;
    text-underline-offset: 3px;
  }
  .uninstall-confirm .result-icon {
    color: var(--_danger);
  }
  .uninstall-confirm p {
    margin: 0;
    text-align: center;
  }
`;

/**
 * Uninstall from an edit or update (loaded with the lazy steps only for one): an entry at the end of the settings step, then a confirmation
 * in place of the step ("Uninstall Demo Store? Its workflows stop running…", Cancel / Uninstall).
 * Nothing is removed until the user confirms; Cancel (or Esc) goes back to the settings as they were.
 */
export class UninstallConfirm {
  /** `confirming`: the question is on screen; `working`: the request is out. */
  state: 'closed' | 'confirming' | 'working' = 'closed';
  private failed = false;

  constructor(private readonly host: UninstallHost) {}

  /** Offered only for an existing installation, and only when the API can remove it. */
  get available(): boolean {
    const host = this.host;
    return host.operation !== 'install' && Boolean(host.integration?.installation && host.api?.deleteInstallation);
  }

  get open(): boolean {
    return this.state !== 'closed';
  }

  /** A new load (Try again, another session) starts without a question on screen. */
  reset(): void {
    this.state = 'closed';
    this.failed = false;
  }

  private ask(): void {
    this.state = 'confirming';
    this.failed = false;
    const m = manageMessages(this.host.text);
    this.host.announce(`${m.uninstallTitle(this.host.integrationName)} ${m.uninstallText}`);
    this.host.requestUpdate();
    // Cancel first: the safe choice is the one a stray Enter takes.
    void this.host.focusSoon('.cancel-uninstall');
  }

  /** Back to the settings step, on the entry that opened the question. */
  cancel(): void {
    if (this.state !== 'confirming') return;
    this.reset();
    this.host.requestUpdate();
    void this.host.focusSoon('.uninstall-entry');
  }

  private async confirm(): Promise<void> {
    const { api, integration } = this.host;
    if (this.state !== 'confirming' || !api?.deleteInstallation || !integration) return;
    const m = manageMessages(this.host.text);
    this.state = 'working';
    this.failed = false;
    this.host.announce(m.uninstalling);
    this.host.requestUpdate();
    // Cancel is disabled meanwhile: keep focus in the dialog, on the button that is working.
    void this.host.focusSoon('.confirm-uninstall');
    let result: UninstallResponse;
    try {
      result = await api.deleteInstallation(integration.integrationId);
    } catch (error) {
      if (this.state !== 'working') return;
      this.state = 'confirming';
      this.failed = true;
      this.host.emit('alloy-error', { error });
      this.host.announce(m.uninstallFailed);
      this.host.requestUpdate();
      void this.host.focusSoon('.confirm-uninstall');
      return;
    }
    if (this.state !== 'working') return;
    this.host.emit('alloy-uninstalled', result);
    this.host.uninstalled(result);
  }

  /** The entry at the end of the settings step. */
  renderEntry(): TemplateResult | typeof nothing {
    if (!this.available) return nothing;
    return html`<div class="manage">
      <button type="button" class="uninstall-entry" part="button uninstall-button" @click=${() => this.ask()}>
        ${manageMessages(this.host.text).uninstall(this.host.integrationName)}
      </button>
    </div>`;
  }

  /** The question, in place of the step's body. */
  renderBody(titleId: string): TemplateResult {
    const m = manageMessages(this.host.text);
    return html`<div class="result uninstall-confirm" part="uninstall-confirm">
      <span class="result-icon">${alertIcon}</span>
      <h3 id=${titleId} class="step-title" tabindex="-1">${m.uninstallTitle(this.host.integrationName)}</h3>
      <p id="alloy-uninstall-text">${m.uninstallText}</p>
      ${this.failed ? html`<p class="form-error" part="form-error">${alertIcon}<span>${m.uninstallFailed}</span></p>` : nothing}
    </div>`;
  }

  /** Cancel and the destructive Uninstall, in place of the step's footer. */
  renderFooter(): TemplateResult {
    const m = manageMessages(this.host.text);
    const working = this.state === 'working';
    return html`<footer part="footer">
      <button
        type="button"
        class="secondary cancel-uninstall"
        part="button secondary-button cancel-uninstall-button"
        ?disabled=${working}
        @click=${() => this.cancel()}
      >
        ${m.cancel}
      </button>
      <button
        type="button"
        class="danger confirm-uninstall"
        part="button confirm-uninstall-button"
        aria-describedby="alloy-uninstall-text"
        aria-disabled=${working ? 'true' : 'false'}
        @click=${() => void this.confirm()}
      >
        ${working ? html`<span class="spinner" aria-hidden="true"></span>${m.uninstalling}` : m.uninstallConfirm}
      </button>
    </footer>`;
  }
}
