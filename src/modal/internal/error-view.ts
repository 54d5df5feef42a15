import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type * as ErrorChunk from '../error-details.js';
import type { ModalMessages } from '../i18n/messages.js';
import { loadChunk } from './lazy-chunk.js';

/**
 * The error state's text: what failed (the headline, always at hand), then why in the user's terms
 * and the technical part behind Details, both from the error chunk (error-details.ts). A first
 * install that goes well never needs that chunk, so the modal chunk does not carry it; the CDN
 * loader fetches it on idle warm-up, so it is there before anything can fail. When it cannot load
 * (the network failed before warm-up), the user still has the headline and Retry, and the error
 * itself went out in `alloy-error`.
 */
export class ErrorView {
  private error: unknown;
  private chunk: typeof ErrorChunk | undefined;
  private detailsView: ErrorChunk.ErrorDetailsView | undefined;

  constructor(private readonly host: ReactiveControllerHost & { renderRoot: HTMLElement | DocumentFragment }) {}

  /**
   * The failure to explain; `undefined` for one that is no error of a call (nothing to explain).
   * Settles, never rejects, once the sentence can be read (or never will be).
   */
  show(error: unknown): Promise<void> {
    this.error = error;
    if (error === undefined || this.chunk) return Promise.resolve();
    return loadChunk('error-details', () => import('../error-details.js')).then(
      (module) => {
        this.chunk ??= module;
        this.detailsView ??= new module.ErrorDetailsView(this.host, this.host.renderRoot as ShadowRoot);
        this.host.requestUpdate();
      },
      () => undefined,
    );
  }

  /** `headline` says what failed, the sentence why and what to do; `service` is whose service, when known. */
  text(m: ModalMessages, headline: string, service: string | undefined): string {
    return this.error === undefined || !this.chunk
      ? headline
      : `${headline} ${this.chunk.humanErrorSentence(this.error, m, service)}`;
  }

  render(m: ModalMessages, headline: string, service: string | undefined): TemplateResult {
    return html`<p id="alloy-error-text">${this.text(m, headline, service)}</p>
      ${this.error !== undefined && this.detailsView ? this.detailsView.render(this.error, m) : nothing}`;
  }
}
