import { html, nothing, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { ConsoleIntegration } from '../../../contract/console.js';
import type { ConsoleApi, ConsoleLanguage } from '../../api-types.js';
import type { ViewStrings } from '../strings.js';
import { ConsoleDataView } from '../shared/view-element.js';
import { isImageSource, toViewError, type ViewError } from '../shared/format.js';
import { AlloyConsoleShareDialog } from '../share-dialog/share-dialog.js';
import { AlloyConsoleActiveSwitch, type AlloyConsoleActiveChangeEvent } from '../active-switch/active-switch.js';
import { AlloyConsoleNewIntegrationDialog } from '../new-integration-dialog/new-integration-dialog.js';
import { linkClick } from '../shared/events.js';
import { integrationPath } from '../../app/router.js';
import { messagesFor } from '../../i18n/index.js';
import { integrationsViewStyles } from './integrations-view.styles.js';

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-integrations': AlloyConsoleIntegrations;
  }
}

/** The integration's `*.integration.json` (a same-origin GET with the session cookie; the server names the file). */
export const exportUrl = (integrationId: string): string =>
  `/console/api/integrations/${encodeURIComponent(integrationId)}/export`;

/** An integration's Active switch, Export link and Share button: the same on its card and on its page. */
export function integrationActions(
  integration: Pick<ConsoleIntegration, 'integrationId' | 'name' | 'active'>,
  view: { api: ConsoleApi | undefined; lang: ConsoleLanguage; t: ViewStrings; share: AlloyConsoleShareDialog },
) {
  const t = view.t;
  return html`<alloy-console-active-switch
      .api=${view.api}
      .integrationId=${integration.integrationId}
      .active=${integration.active}
      lang=${view.lang}
    ></alloy-console-active-switch>
    <a
      class="export"
      href=${exportUrl(integration.integrationId)}
      download
      aria-label=${t.exportLabel(integration.name)}
      >${t.exportIntegration}</a
    >
    <button
      type="button"
      aria-label=${t.shareLabel(integration.name)}
      @click=${() =>
        void view.share.show({ integration: { integrationId: integration.integrationId, name: integration.name } })}
    >
      ${t.share}
    </button>`;
}

type ViewState =
  { kind: 'loading' } | { kind: 'error'; error: ViewError } | { kind: 'ready'; integrations: ConsoleIntegration[] };

/**
 * `/console/integrations`: the environment's integrations as defined, with their app icon, workflow
 * count and installation count (`GET /console/api/integrations`), each with a Share button that
 * opens the share dialog.
 */
@customElement('alloy-console-integrations')
export class AlloyConsoleIntegrations extends ConsoleDataView {
  static override styles = integrationsViewStyles;
  /** Each row's Active switch (referenced, so a bundle that drops side-effect-only imports keeps it). */
  static readonly activeSwitch = AlloyConsoleActiveSwitch;

  @state() private view: ViewState = { kind: 'loading' };
  /** Created here (not by a bare import and a tag), so a bundle that drops side-effect-only imports keeps it. */
  private readonly shareDialog = new AlloyConsoleShareDialog();
  private readonly newDialog = new AlloyConsoleNewIntegrationDialog();
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api')) void this.load();
    this.shareDialog.api = this.api;
    this.shareDialog.lang = this.lang;
    this.newDialog.api = this.api;
    this.newDialog.lang = this.lang;
  }

  /** Loads (again) from the API. */
  async load(): Promise<void> {
    const api = this.api;
    if (!api) return;
    const generation = ++this.generation;
    this.view = { kind: 'loading' };
    try {
      const integrations = await api.integrations();
      if (generation === this.generation) this.view = { kind: 'ready', integrations: integrations.data };
    } catch (error) {
      if (generation === this.generation) this.view = { kind: 'error', error: toViewError(error) };
    }
  }

  protected override render() {
    const t = this.t;
    return html`<section class="page" aria-busy=${this.view.kind === 'loading'}>
        <div class="page-header">
          <h1 id="integrations-title">${t.integrationsTitle}</h1>
          <button type="button" @click=${() => void this.newDialog.show()}>
            ${messagesFor(this.lang).builder.newIntegration}
          </button>
        </div>
        ${this.renderBody()}
      </section>
      ${this.shareDialog} ${this.newDialog}`;
  }

  private renderBody() {
    const t = this.t;
    const view = this.view;
    switch (view.kind) {
      case 'loading':
        return this.renderLoading();
      case 'error':
        return this.renderError(view.error, () => void this.load());
      case 'ready':
        if (view.integrations.length === 0) return html`<p class="muted">${t.integrationsEmpty}</p>`;
        return html`<ul class="grid" @alloy-console-active-change=${this.onActiveChange}>
          ${view.integrations.map((i) => this.renderIntegration(i))}
        </ul>`;
    }
  }

  /** A switch saved an integration's Active state: its row shows it from now on. */
  private readonly onActiveChange = (event: AlloyConsoleActiveChangeEvent): void => {
    const view = this.view;
    if (view.kind !== 'ready') return;
    const { integrationId, active } = event.detail;
    this.view = {
      kind: 'ready',
      integrations: view.integrations.map((i) => (i.integrationId === integrationId ? { ...i, active } : i)),
    };
  };

  private renderIntegration(integration: ConsoleIntegration) {
    const t = this.t;
    const headingId = `integration-${integration.integrationId}`;
    return html`<li class="card integration">
      <div class="head">
        ${
          isImageSource(integration.icon)
            ? html`<img class="icon" src=${integration.icon} alt="" width="40" height="40" />`
            : html`<span class="icon monogram" aria-hidden="true">${integration.name.slice(0, 1).toUpperCase()}</span>`
        }
        <div>
          <h2 id=${headingId}>
            <a href=${integrationPath(integration.integrationId)} @click=${linkClick}>${integration.name}</a>
          </h2>
          <p class="muted">${integration.appName ?? integration.app}</p>
        </div>
      </div>
      <div>
        ${integration.description ? html`<p>${integration.description}</p>` : nothing}
        <p class="counts">
          <span>${t.workflows(integration.workflows.length)}</span>
          <span>${t.installs(integration.installs)}</span>
        </p>
        ${integration.source === 'code' ? html`<p class="source muted">${t.definedInCode}</p>` : nothing}
      </div>
      <div class="foot">
        ${integrationActions(integration, { api: this.api, lang: this.lang, t, share: this.shareDialog })}
      </div>
    </li>`;
  }
}
