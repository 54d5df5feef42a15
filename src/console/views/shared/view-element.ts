import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import type { ConsoleApi, ConsoleLanguage } from '../../api-types.js';
import { viewStrings, type ViewStrings } from '../strings.js';
import type { ViewError } from './format.js';

/** What every console data view takes from the shell: the API seam and the language. */
export abstract class ConsoleViewElement extends LitElement {
  /** Set by the shell; a new object on an environment switch, which reloads the view. */
  @property({ attribute: false }) api?: ConsoleApi;
  /** Reflected, so assistive technology reads the view in its language. */
  @property({ reflect: true }) override lang: ConsoleLanguage = 'en';

  protected get t(): ViewStrings {
    return viewStrings(this.lang);
  }

  /** The error block every view shows: the message, the request id, and a way to try again. */
  protected renderError(error: ViewError, retry?: () => void): TemplateResult {
    const t = this.t;
    return html`<div class="error" role="alert">
      <p class="error-title">${t.errorTitle}</p>
      <p>${error.message}</p>
      ${error.requestId ? html`<p class="request-id">${t.requestId}: <code>${error.requestId}</code></p>` : nothing}
      ${retry ? html`<button type="button" class="secondary" @click=${retry}>${t.retry}</button>` : nothing}
    </div>`;
  }

  protected renderLoading(): TemplateResult {
    return html`<p class="loading" role="status">${this.t.loading}</p>`;
  }
}

/**
 * A view that shows what it loads from `api`: it loads again when put back on the page, and drops
 * answers meant for an earlier load.
 */
export abstract class ConsoleDataView extends ConsoleViewElement {
  /**
   * Bumped by every load and when the view leaves the page: an answer that arrives for an older
   * generation is dropped, so a slow call never overwrites what a newer one showed.
   */
  protected generation = 0;

  /** Loads (again) what the view shows from `api`. */
  abstract load(): Promise<void>;

  /** A view put back on the page loads again (what it showed may be stale). */
  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.generation += 1;
  }

  /** The rest of the path a view with sub-pages gets as `route`, decoded: `''` or an id. */
  protected static routeId(route: string): string {
    return decodeURIComponent(route.replace(/^\/+|\/+$/g, ''));
  }
}
