import { css, html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { errorDetailsMessages } from './i18n/error-details-messages.js';
import type { ModalMessages } from './i18n/messages.js';
import { fieldsOf } from './internal/error-copy.js';

/**
 * The error chunk: the sentence a failure gets in the user's terms (error-copy.ts, with its English
 * table) and the Details view of it: status, call, message and request id behind a disclosure, with a
 * copy button, for the user to hand to support. Loaded with `import()` when a failure is shown (the
 * CDN build makes it its own chunk and fetches it on idle warm-up, so it is at hand before anything
 * fails), so a first install that goes well carries none of it.
 */
export { humanErrorSentence } from './internal/error-copy.js';

/** The technical part of a failure, each line only when known. */
export interface ErrorDetailsData {
  status?: number;
  /** Method and path of the call that failed. */
  request?: string;
  message?: string;
  requestId?: string;
}

/** What the Details view shows; undefined when there is nothing technical to show. */
export function errorDetailsOf(error: unknown): ErrorDetailsData | undefined {
  const { status, request, message, requestId } = fieldsOf(error);
  const details: ErrorDetailsData = {
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof request === 'string' && request ? { request } : {}),
    ...(typeof message === 'string' && message ? { message } : {}),
    ...(typeof requestId === 'string' && requestId ? { requestId } : {}),
  };
  return Object.keys(details).length > 0 ? details : undefined;
}

export const errorDetailsStyles = css`
  .error-details {
    justify-self: stretch;
    color: var(--_muted);
    font-size: 13.5px;
  }
  .error-details summary {
    width: fit-content;
    margin-inline: auto;
    color: var(--_text);
    font-weight: 600;
    cursor: pointer;
  }
  .error-details dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 4px 12px;
    margin: 10px 0;
    padding: 12px;
    border: 1px solid var(--_line);
    border-radius: var(--_radius-small);
  }
  .error-details dt {
    color: var(--_text);
    font-weight: 600;
  }
  .error-details dd {
    margin: 0;
    overflow-wrap: anywhere;
    unicode-bidi: plaintext;
  }
  .error-details code {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 12.5px;
    user-select: all;
  }
  .error-details .copy {
    min-height: 36px;
    padding: 6px 14px;
  }
`;

type Copy = 'idle' | 'copied' | 'failed';

export class ErrorDetailsView {
  private copy: Copy = 'idle';
  private shown: unknown;

  constructor(
    private readonly host: ReactiveControllerHost,
    root: ShadowRoot,
  ) {
    const sheet = errorDetailsStyles.styleSheet;
    if (sheet && !root.adoptedStyleSheets.includes(sheet))
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  }

  render(error: unknown, messages: ModalMessages): TemplateResult | typeof nothing {
    const details = errorDetailsOf(error);
    if (!details) return nothing;
    const m = errorDetailsMessages(messages);
    if (error !== this.shown) {
      this.shown = error;
      this.copy = 'idle';
    }
    const rows: [string, string | number | undefined, boolean][] = [
      [m.status, details.status, false],
      [m.request, details.request, true],
      [m.message, details.message, false],
      [m.requestId, details.requestId, true],
    ];
    const shownRows = rows.filter(([, value]) => value !== undefined);
    const report = shownRows.map(([label, value]) => `${label}: ${value}`).join('\n');
    return html`<details class="error-details" part="error-details">
      <summary>${m.details}</summary>
      <dl>
        ${shownRows.map(
          ([label, value, code]) =>
            html`<dt>${label}</dt>
              <dd>${code ? html`<code>${value}</code>` : value}</dd>`,
        )}
      </dl>
      <button
        type="button"
        class="secondary copy"
        part="button secondary-button copy-details-button"
        @click=${() => void this.copyReport(report)}
      >
        ${m.copy}
      </button>
      <span class="visually-hidden" aria-live="polite"
        >${this.copy === 'copied' ? m.copied : this.copy === 'failed' ? m.copyFailed : ''}</span
      >
    </details>`;
  }

  private async copyReport(report: string): Promise<void> {
    try {
      // Absent outside secure contexts (a host page on plain http), or refused by permissions.
      await navigator.clipboard.writeText(report);
      this.copy = 'copied';
    } catch {
      // The user copies by hand: the call and request id select whole on one click (user-select: all).
      this.copy = 'failed';
    }
    this.host.requestUpdate();
  }
}
