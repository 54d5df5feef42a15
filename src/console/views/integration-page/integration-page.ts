import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConsoleIntegrationDetail } from '../../../contract/console-builder.js';
import { DEFAULT_PATH, integrationPath } from '../../app/router.js';
import { messagesFor } from '../../i18n/index.js';
import { integrationActions } from '../integrations-view/integrations-view.js';
import { AlloyConsoleShareDialog } from '../share-dialog/share-dialog.js';
import { linkClick, navigate } from '../shared/events.js';
import { isImageSource, toViewError, type ViewError } from '../shared/format.js';
import { ConsoleDataView } from '../shared/view-element.js';
import { integrationPageStyles } from './integration-page.styles.js';

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-integration-page': AlloyConsoleIntegrationPage;
  }
}

type ViewState =
  { kind: 'loading' } | { kind: 'error'; error: ViewError } | { kind: 'ready'; integration: ConsoleIntegrationDetail };

/**
 * `/console/integrations/:integrationId`: one integration (`GET /console/api/integrations/:id`):
 * its icon, name, where it is defined, its Active switch (`alloy-console-active-switch`), Share and
 * Export, and its workflows (each opening the builder) with their version and unreleased changes;
 * an integration made in the console also gets **New workflow**.
 */
@customElement('alloy-console-integration-page')
export class AlloyConsoleIntegrationPage extends ConsoleDataView {
  static override styles = integrationPageStyles;

  @property() integrationId = '';

  @state() private view: ViewState = { kind: 'loading' };
  @state() private workflowName = '';
  @state() private creating = false;
  @state() private createError?: ViewError;
  private readonly shareDialog = new AlloyConsoleShareDialog();

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api') || changed.has('integrationId')) void this.load();
    this.shareDialog.api = this.api;
    this.shareDialog.lang = this.lang;
  }

  async load(): Promise<void> {
    const api = this.api;
    if (!api || !this.integrationId) return;
    const generation = ++this.generation;
    this.view = { kind: 'loading' };
    try {
      const integration = await api.integration(this.integrationId);
      if (generation === this.generation) this.view = { kind: 'ready', integration };
    } catch (error) {
      if (generation === this.generation) this.view = { kind: 'error', error: toViewError(error) };
    }
  }

  private async createWorkflow(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const api = this.api;
    const form = event.target as HTMLFormElement;
    if (!api || !form.reportValidity()) return;
    this.creating = true;
    this.createError = undefined;
    const generation = this.generation;
    try {
      const workflow = await api.createWorkflow(this.integrationId, { name: this.workflowName.trim() });
      if (generation !== this.generation) return;
      this.workflowName = '';
      navigate(this, integrationPath(workflow.integrationId, workflow.workflowId));
    } catch (error) {
      if (generation === this.generation) this.createError = toViewError(error);
    } finally {
      this.creating = false;
    }
  }

  protected override render() {
    const view = this.view;
    const b = messagesFor(this.lang).builder;
    return html`<section class="page" aria-busy=${view.kind === 'loading'}>
        <p><a href=${DEFAULT_PATH} @click=${linkClick}>${b.allIntegrations}</a></p>
        ${
          view.kind === 'loading'
            ? this.renderLoading()
            : view.kind === 'error'
              ? this.renderError(view.error, () => void this.load())
              : this.renderIntegration(view.integration)
        }
      </section>
      ${this.shareDialog}`;
  }

  private renderIntegration(integration: ConsoleIntegrationDetail) {
    const b = messagesFor(this.lang).builder;
    const t = this.t;
    return html`<div class="head">
        ${
          isImageSource(integration.icon)
            ? html`<img class="icon" src=${integration.icon} alt="" width="48" height="48" />`
            : html`<span class="icon monogram" aria-hidden="true">${integration.name.slice(0, 1).toUpperCase()}</span>`
        }
        <div>
          <h1>${integration.name}</h1>
          <p class="muted">${integration.appName ?? integration.app} · ${b.installs(integration.installs)}</p>
        </div>
        <span class="badge"
          >${integration.source === 'code' ? b.definedInCode(integration.file ?? integration.name) : b.madeInConsole}</span
        >
      </div>
      ${integration.description ? html`<p>${integration.description}</p>` : nothing}
      <div class="actions">
        ${integrationActions(integration, { api: this.api, lang: this.lang, t, share: this.shareDialog })}
      </div>
      <section class="stack" aria-labelledby="workflows-title">
        <h2 id="workflows-title">${b.workflowsTitle}</h2>
        ${
          integration.workflows.length === 0
            ? html`<p class="muted">${b.workflowsEmpty}</p>`
            : html`<ul class="workflows">
                ${integration.workflows.map(
                  (w) =>
                    html`<li class="card">
                      <a href=${integrationPath(integration.integrationId, w.workflowId)} @click=${linkClick}
                        >${w.name}</a
                      >
                      <span class="muted">${b.version(w.version)}</span>
                      ${w.unreleasedChanges ? html`<span class="badge">${b.unreleasedChanges}</span>` : nothing}
                    </li>`,
                )}
              </ul>`
        }
        ${
          integration.source === 'console'
            ? html`<form class="new-workflow" @submit=${(e: SubmitEvent) => void this.createWorkflow(e)}>
                <div class="control">
                  <label for="workflow-name">${b.workflowName}</label>
                  <input
                    id="workflow-name"
                    required
                    maxlength="300"
                    .value=${this.workflowName}
                    @input=${(e: Event) => (this.workflowName = (e.target as HTMLInputElement).value)}
                  />
                </div>
                <button type="submit" ?disabled=${this.creating}>${b.newWorkflow}</button>
              </form>`
            : nothing
        }
        ${this.createError ? this.renderError(this.createError) : nothing}
      </section>`;
  }
}
