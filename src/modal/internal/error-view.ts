import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { ErrorDetailsView } from '../error-details.js';
import type { ModalMessages } from '../i18n/messages.js';
import { humanErrorSentence } from './error-copy.js';
import { loadChunk } from './lazy-chunk.js';

/**
 * The error state's text: what failed, then why in the user's terms (error-copy.ts), then the
 * technical part behind Details, whose view is loaded lazily (error-details.ts). The sentence never
 * waits for that chunk: when the network is what failed, the chunk may not load either.
 */
export class ErrorView {
  private error: unknown;
  private detailsView: ErrorDetailsView | undefined;

  constructor(private readonly host: ReactiveControllerHost & { renderRoot: HTMLElement | DocumentFragment }) {}

  /** The failure to explain; `undefined` for one that is no error of a call (nothing to detail). */
  show(error: unknown): void {
    this.error = error;
    if (error === undefined || this.detailsView) return;
    loadChunk('error-details', () => import('../error-details.js')).then(
      (module) => {
        this.detailsView ??= new module.ErrorDetailsView(this.host, this.host.renderRoot as ShadowRoot);
        this.host.requestUpdate();
      },
      // Without the chunk the user still has the sentence; the error also went out in `alloy-error`.
      () => undefined,
    );
  }

  /** `headline` says what failed, the sentence why and what to do; `service` is whose service, when known. */
  text(m: ModalMessages, headline: string, service: string | undefined): string {
    return this.error === undefined ? headline : `${headline} ${humanErrorSentence(this.error, m.errors, service)}`;
  }

  render(m: ModalMessages, headline: string, service: string | undefined): TemplateResult {
    return html`<p id="alloy-error-text">${this.text(m, headline, service)}</p>
      ${this.error !== undefined && this.detailsView ? this.detailsView.render(this.error, m) : nothing}`;
  }
}
