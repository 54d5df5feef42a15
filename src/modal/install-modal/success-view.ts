import { css, html, nothing, type TemplateResult } from 'lit';
import type { WidgetIntegration } from '../../contract/index.js';
import type { ModalMessages } from '../i18n/messages.js';
import { checkIcon } from '../internal/icons.js';

/**
 * What now happens, one line per installed workflow: its own description from the definition
 * ("New orders will appear in AcmeCo."), else its name, which definitions write as a sentence.
 */
export function whatHappensNext(integration: WidgetIntegration | undefined, workflowIds: readonly string[]): string[] {
  return (integration?.workflows ?? [])
    .filter((workflow) => workflowIds.includes(workflow.workflowId))
    .map((workflow) => workflow.description || workflow.name);
}

/**
 * The success step: it stays until Done (unless the host asked to close it by itself), so it can
 * say what now happens.
 */
export function renderSuccess(
  m: ModalMessages,
  title: string,
  next: readonly string[],
  titleId: string,
): TemplateResult {
  return html`<div class="result success" part="success">
    <span class="result-icon">${checkIcon}</span>
    <h3 id=${titleId} class="step-title" tabindex="-1">${title}</h3>
    ${
      next.length > 0
        ? html`<section class="next-steps" part="next-steps" aria-labelledby="alloy-next-title">
            <h4 id="alloy-next-title">${m.whatHappensNow}</h4>
            <ul>
              ${next.map((line) => html`<li>${line}</li>`)}
            </ul>
          </section>`
        : nothing
    }
  </div>`;
}

/** Styles of the success step's list. */
export const successStyles = css`
  .next-steps {
    justify-self: stretch;
    margin-top: 8px;
    padding: 14px 16px;
    border: 1px solid var(--_line);
    border-radius: var(--_radius-small);
    text-align: start;
  }
  .next-steps h4 {
    margin: 0 0 6px;
    font-size: 1em;
  }
  .next-steps ul {
    display: grid;
    gap: 6px;
    margin: 0;
    padding-inline-start: 20px;
  }
`;
