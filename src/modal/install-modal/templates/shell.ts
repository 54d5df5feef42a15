import { html, nothing, type TemplateResult } from 'lit';
import type { WidgetIntegration } from '../../../contract/index.js';
import { checkIcon, closeIcon } from '../../internal/icons.js';
import { safeImageUrl } from '../../internal/safe-url.js';
import { renderBrandLine } from '../brand-header.js';
import { authIndex, isAuthStep } from '../flow-controller.js';
import { renderBody } from './steps.js';
import { STEP_TITLE_ID, type ModalView } from './view.js';

/** The dialog: header, the step's body, and its footer (or the discard question in its place). */
export function renderShell(view: ModalView): TemplateResult {
  const { m, flow, dialog } = view;
  const loading = flow.phase.kind === 'loading';
  // Without a name (the load failed and no heading was given) the step title alone names the dialog.
  const titled = loading || Boolean(view.heading);
  const labelledBy = [titled ? 'alloy-title' : '', loading ? '' : STEP_TITLE_ID].join(' ').trim();
  // While installing, the form is inert (and dimmed): what it shows is what is being stored.
  const submitting = flow.phase.kind === 'submitting';
  return html`
    <dialog
      part="panel"
      class=${view.dark ? 'dark' : 'light'}
      dir=${view.dir}
      lang=${m.locale}
      aria-labelledby=${labelledBy}
      @keydown=${dialog.onKeydown}
      @cancel=${dialog.onCancel}
      @close=${dialog.onClose}
      @pointerdown=${dialog.onPointerDown}
      @click=${dialog.onClick}
    >
      <div class="shell">
        ${renderHeader(view, titled)}
        <form novalidate aria-busy=${submitting ? 'true' : 'false'} @submit=${view.actions.submit}>
          <div class="body" part="body" ?inert=${view.confirming || submitting}>${renderBody(view)}</div>
          ${view.confirming ? renderConfirm(view) : renderFooter(view)}
        </form>
        <p class="visually-hidden" role="status">${view.status}</p>
      </div>
    </dialog>
  `;
}

function renderHeader(view: ModalView, titled: boolean): TemplateResult {
  const { m, appearance, flow } = view;
  const integration = flow.integration;
  const brandName = appearance?.brandName;
  const logo = safeImageUrl(appearance?.logoUrl, document.baseURI);
  const showLogo = logo !== undefined && !view.brokenImages.has(logo);
  const title =
    view.heading ||
    html`<span class="visually-hidden">${m.loading}</span><span class="skeleton" aria-hidden="true"></span>`;
  // After the first step the header shrinks to one line, so the steps keep the frame's room.
  const phase = flow.phase;
  const compact = phase.kind !== 'loading' && !(phase.kind === 'step' && phase.index === 0);
  return html`<header part="header" class=${compact ? 'compact' : ''}>
    ${renderBrandLine(
      {
        brandName,
        logo: showLogo ? logo : undefined,
        integrationName: integration?.name,
        onLogoError: () => view.actions.imageFailed(logo!),
      },
      m,
    )}
    ${
      titled
        ? html`<div class="title-row">
            ${integration ? renderIcon(view, integration) : html`<span class="avatar skeleton"></span>`}
            <div class="titles">
              <h2 id="alloy-title" part="title" tabindex="-1">${title}</h2>
              ${
                integration?.description
                  ? html`<p class="description" part="description">${integration.description}</p>`
                  : nothing
              }
            </div>
          </div>`
        : nothing
    }
    <button
      type="button"
      class="close"
      part="button close-button"
      aria-label=${m.close}
      ?disabled=${flow.phase.kind === 'submitting'}
      ?inert=${view.confirming}
      @click=${() => view.actions.requestClose('close-button')}
    >
      ${closeIcon}
    </button>
    ${renderProgress(view)}
  </header>`;
}

function renderIcon(view: ModalView, integration: WidgetIntegration): TemplateResult {
  const icon = safeImageUrl(integration.icon);
  if (icon && !view.brokenImages.has(icon)) {
    return html`<img
      class="avatar"
      src=${icon}
      alt=""
      referrerpolicy="no-referrer"
      @error=${() => view.actions.imageFailed(icon)}
    />`;
  }
  // A refused or broken icon becomes the integration's initial, never an empty box.
  const initial = [...integration.name].find((character) => /[\p{L}\p{N}]/u.test(character)) ?? '?';
  return html`<span class="avatar letter" aria-hidden="true">${initial}</span>`;
}

function renderProgress(view: ModalView): TemplateResult | typeof nothing {
  const { m, flow } = view;
  const phase = flow.phase;
  const inFlow = phase.kind === 'step' || phase.kind === 'submitting' || phase.kind === 'success';
  if (!inFlow && !(phase.kind === 'error' && phase.failure === 'install')) return nothing;
  const names = [...flow.steps.map((step) => flow.stepName(step, m)), m.stepNames.done];
  const current = phase.kind === 'success' ? names.length - 1 : flow.index;
  return html`<ol class="steps" part="steps" aria-label=${m.progress}>
    ${names.map(
      (name, index) =>
        html`<li
          class=${index < current ? 'done' : index === current ? 'current' : ''}
          aria-current=${index === current ? 'step' : nothing}
        >
          <span class="dot" aria-hidden="true">${index < current ? checkIcon : index + 1}</span
          ><span class="label" data-count=${index === current ? `${m.stepOf(index + 1, names.length)} · ` : nothing}
            >${name}</span
          >
        </li>`,
    )}
  </ol>`;
}

function renderFooter(view: ModalView): TemplateResult | typeof nothing {
  const { m, flow, actions, operation } = view;
  const phase = flow.phase;
  const back = (index: number) =>
    html`<button
      type="button"
      class="secondary back"
      part="button secondary-button back-button"
      ?disabled=${phase.kind === 'submitting'}
      @click=${() => actions.back(index)}
    >
      ${m.back}
    </button>`;
  switch (phase.kind) {
    case 'loading':
      return nothing;
    case 'success':
      return html`<footer part="footer">
        <button type="button" class="primary" part="button primary-button done-button" @click=${actions.close}>
          ${m.stepNames.done}
        </button>
      </footer>`;
    case 'error': {
      const canRetry = phase.failure === 'load' || phase.failure === 'install';
      return html`<footer part="footer">
        ${phase.failure === 'install' ? back(flow.steps.length - 1) : nothing}
        <button
          type="button"
          class="primary"
          part="button primary-button ${canRetry ? 'retry-button' : 'close-error-button'}"
          aria-describedby="alloy-error-text"
          @click=${() => (canRetry ? actions.retry() : actions.requestClose('close-button'))}
        >
          ${canRetry ? m.retry : m.close}
        </button>
      </footer>`;
    }
    default: {
      if (view.uninstall?.open) return view.uninstall.renderFooter();
      const index = phase.index;
      const last = index === flow.steps.length - 1;
      const busy = phase.kind === 'submitting';
      // On an app's step the button does that step's action (Connect, Open sign-in window…) and waits with it.
      const step = flow.steps[index];
      const action = step && isAuthStep(step) ? view.lazy.auth?.action(authIndex(step)) : undefined;
      const waiting = busy || Boolean(action?.busy);
      return html`<footer part="footer">
        ${index > 0 ? back(index - 1) : nothing}
        <button
          type="submit"
          class="primary"
          part="button primary-button ${last ? 'finish-button' : 'next-button'}"
          aria-disabled=${waiting ? 'true' : 'false'}
        >
          ${waiting ? html`<span class="spinner" aria-hidden="true"></span>` : nothing}
          ${busy ? m.working[operation] : (action?.label ?? (last ? m.finish[operation] : m.next))}
        </button>
      </footer>`;
    }
  }
}

function renderConfirm(view: ModalView): TemplateResult {
  const { m, actions } = view;
  return html`<div
    class="confirm"
    part="confirm"
    role="group"
    aria-labelledby="alloy-confirm-title"
    aria-describedby="alloy-confirm-text"
  >
    <p id="alloy-confirm-title"><b>${m.discardTitle}</b></p>
    <p id="alloy-confirm-text">${m.discardText}</p>
    <button
      type="button"
      class="secondary keep-editing"
      part="button secondary-button keep-editing-button"
      @click=${actions.keepEditing}
    >
      ${m.keepEditing}
    </button>
    <button type="button" class="danger" part="button discard-button" @click=${actions.discard}>${m.discard}</button>
  </div>`;
}
