import { html, nothing, type PropertyValues } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import type { ConsoleConnector } from '../../../contract/console-builder.js';
import { integrationPath } from '../../app/router.js';
import { messagesFor } from '../../i18n/index.js';
import { navigate } from '../shared/events.js';
import { toViewError, type ViewError } from '../shared/format.js';
import { ConsoleViewElement } from '../shared/view-element.js';
import { newIntegrationDialogStyles } from './new-integration-dialog.styles.js';

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-new-integration-dialog': AlloyConsoleNewIntegrationDialog;
  }
}

/**
 * Makes an integration in the console: pick the app (`connectors()`), a name and a description,
 * then `createIntegration` and go to the new integration's page. Open it with `show()`.
 */
@customElement('alloy-console-new-integration-dialog')
export class AlloyConsoleNewIntegrationDialog extends ConsoleViewElement {
  static override styles = newIntegrationDialogStyles;

  @state() private connectors?: ConsoleConnector[];
  @state() private loadError?: ViewError;
  @state() private app = '';
  @state() private name = '';
  @state() private description = '';
  @state() private busy = false;
  @state() private error?: ViewError;
  @query('dialog') private dialog!: HTMLDialogElement;
  private generation = 0;

  /** Opens the dialog afresh. */
  async show(): Promise<void> {
    const generation = ++this.generation;
    this.app = '';
    this.name = '';
    this.description = '';
    this.error = undefined;
    this.busy = false;
    this.loadError = undefined;
    await this.updateComplete;
    if (!this.dialog.open) this.dialog.showModal();
    if (this.connectors === undefined) void this.loadConnectors(generation);
  }

  close(): void {
    if (this.dialog?.open) this.dialog.close();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('api') && changed.get('api') !== undefined) {
      this.connectors = undefined;
      this.close();
    }
  }

  private async loadConnectors(generation: number): Promise<void> {
    const api = this.api;
    if (!api) return;
    try {
      const list = await api.connectors();
      if (generation === this.generation) this.connectors = list.data;
    } catch (error) {
      if (generation === this.generation) this.loadError = toViewError(error);
    }
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const api = this.api;
    const form = event.target as HTMLFormElement;
    if (!api || !form.reportValidity()) return;
    this.busy = true;
    this.error = undefined;
    const generation = this.generation;
    try {
      const body = {
        app: this.app,
        name: this.name.trim(),
        ...(this.description ? { description: this.description } : {}),
      };
      const created = await api.createIntegration(body);
      if (generation !== this.generation) return;
      this.close();
      navigate(this, integrationPath(created.integrationId));
    } catch (error) {
      if (generation === this.generation) this.error = toViewError(error);
    } finally {
      this.busy = false;
    }
  }

  protected override render() {
    const b = messagesFor(this.lang).builder;
    return html`<dialog aria-labelledby="new-integration-title">
      <form @submit=${(e: SubmitEvent) => void this.submit(e)}>
        <h2 id="new-integration-title">${b.newIntegration}</h2>
        ${this.loadError ? this.renderError(this.loadError, () => void this.loadConnectors(this.generation)) : nothing}
        <div class="control">
          <label for="app">${b.app}</label>
          <select id="app" required @change=${(e: Event) => (this.app = (e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${this.app === ''}>${this.connectors ? b.chooseApp : this.t.loading}</option>
            ${(this.connectors ?? []).map(
              (c) => html`<option value=${c.id} ?selected=${c.id === this.app}>${c.displayName}</option>`,
            )}
          </select>
        </div>
        <div class="control">
          <label for="name">${b.name}</label>
          <input
            id="name"
            required
            maxlength="300"
            .value=${this.name}
            @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="control">
          <label for="description">${b.description}</label>
          <textarea
            id="description"
            rows="3"
            maxlength="1000"
            .value=${this.description}
            @input=${(e: Event) => (this.description = (e.target as HTMLTextAreaElement).value)}
          ></textarea>
        </div>
        ${this.error ? this.renderError(this.error) : nothing}
        <div class="actions">
          <button type="button" class="secondary" @click=${() => this.close()}>${b.cancel}</button>
          <button type="submit" ?disabled=${this.busy}>${this.busy ? b.creating : b.create}</button>
        </div>
      </form>
    </dialog>`;
  }
}
