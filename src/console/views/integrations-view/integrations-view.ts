import { html, nothing, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import {
  InstallationListResponse,
  IntegrationListResponse,
  UserListResponse,
  type IntegrationSummary,
} from '../../../contract/index.js';
import { ConsoleViewElement } from '../shared/view-element.js';
import { isImageSource, toViewError, type ViewError } from '../shared/format.js';
import { AlloyConsoleShareDialog } from '../share-dialog/share-dialog.js';
import { integrationsViewStyles } from './integrations-view.styles.js';

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-integrations': AlloyConsoleIntegrations;
  }
}

type ViewState =
  | { kind: 'loading' }
  | { kind: 'error'; error: ViewError }
  | { kind: 'no-users' }
  | { kind: 'ready'; integrations: IntegrationSummary[]; installs?: Map<string, number> };

/**
 * `/console/integrations`: the environment's integrations with their app icon, workflow count and
 * installation count, each with a Share button that opens the share dialog.
 *
 * `GET /integrations` requires a `userId` with an API key (and so in the console), and its answer
 * differs per user only in the installed flags, which this view does not show: it lists them for the
 * environment's first user (`GET /users?limit=1`). Counts come from `GET /installations`.
 */
@customElement('alloy-console-integrations')
export class AlloyConsoleIntegrations extends ConsoleViewElement {
  static override styles = integrationsViewStyles;

  @state() private view: ViewState = { kind: 'loading' };
  /** Created here (not by a bare import and a tag), so a bundle that drops side-effect-only imports keeps it. */
  private readonly shareDialog = new AlloyConsoleShareDialog();
  private generation = 0;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api')) void this.load();
    this.shareDialog.api = this.api;
    this.shareDialog.lang = this.lang;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.generation += 1;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) void this.load();
  }

  /** Loads (again) from the API. */
  async load(): Promise<void> {
    const api = this.api;
    if (!api) return;
    const generation = ++this.generation;
    this.view = { kind: 'loading' };
    try {
      const users = await api.isv({ method: 'GET', path: '/2024-03/users', query: { limit: 1 } }, UserListResponse);
      const first = users.data[0];
      if (!first) {
        if (generation === this.generation) this.view = { kind: 'no-users' };
        return;
      }
      const [integrations, installs] = await Promise.all([
        api.isv(
          { method: 'GET', path: '/2024-03/integrations', query: { userId: first.userId } },
          IntegrationListResponse,
        ),
        // Counts are extra: without them the list still shows.
        api.isv({ method: 'GET', path: '/2024-03/installations' }, InstallationListResponse).then(
          (answer) => {
            const counts = new Map<string, number>();
            for (const i of answer.data) counts.set(i.integrationId, (counts.get(i.integrationId) ?? 0) + 1);
            return counts;
          },
          () => undefined,
        ),
      ]);
      if (generation !== this.generation) return;
      this.view = installs
        ? { kind: 'ready', integrations: integrations.data, installs }
        : { kind: 'ready', integrations: integrations.data };
    } catch (error) {
      if (generation === this.generation) this.view = { kind: 'error', error: toViewError(error) };
    }
  }

  protected override render() {
    const t = this.t;
    return html`<section class="page" aria-busy=${this.view.kind === 'loading'}>
        <div class="page-header"><h1 id="integrations-title">${t.integrationsTitle}</h1></div>
        ${this.renderBody()}
      </section>
      ${this.shareDialog}`;
  }

  private renderBody() {
    const t = this.t;
    const view = this.view;
    switch (view.kind) {
      case 'loading':
        return this.renderLoading();
      case 'error':
        return this.renderError(view.error, () => void this.load());
      case 'no-users':
        return html`<p class="muted">${t.integrationsNeedUser}</p>`;
      case 'ready':
        if (view.integrations.length === 0) return html`<p class="muted">${t.integrationsEmpty}</p>`;
        return html`<ul class="grid">
          ${view.integrations.map((i) => this.renderIntegration(i, view.installs))}
        </ul>`;
    }
  }

  private renderIntegration(integration: IntegrationSummary, installs: Map<string, number> | undefined) {
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
          <h2 id=${headingId}>${integration.name}</h2>
          <p class="muted">${integration.app}</p>
        </div>
      </div>
      <div>
        ${integration.description ? html`<p>${integration.description}</p>` : nothing}
        <p class="counts">
          <span>${t.workflows(integration.workflows.length)}</span>
          ${installs ? html`<span>${t.installs(installs.get(integration.integrationId) ?? 0)}</span>` : nothing}
        </p>
      </div>
      <div class="foot">
        <button
          type="button"
          aria-label=${t.shareLabel(integration.name)}
          @click=${() =>
            void this.shareDialog.show({
              integration: { integrationId: integration.integrationId, name: integration.name },
            })}
        >
          ${t.share}
        </button>
      </div>
    </li>`;
  }
}
