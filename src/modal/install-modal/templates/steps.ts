import { html, nothing, type TemplateResult } from 'lit';
import { renderConfigField } from '../../config-fields/config-fields.js';
import { fieldKey } from '../../internal/field-values.js';
import { alertIcon } from '../../internal/icons.js';
import { authIndex, isAuthStep } from '../flow-controller.js';
import { renderSuccess, whatHappensNext } from '../success-view.js';
import type { WorkflowChoice } from '../form-state.js';
import { STEP_TITLE_ID, type ModalView } from './view.js';

/** The body of the dialog for the current phase and step. */
export function renderBody(view: ModalView): TemplateResult {
  const { m, flow } = view;
  const phase = flow.phase;
  switch (phase.kind) {
    case 'loading':
      return html`<div aria-hidden="true">
        <span class="skeleton"></span><span class="skeleton short"></span><span class="skeleton short"></span
        ><span class="skeleton box"></span><span class="skeleton short"></span><span class="skeleton box"></span>
      </div>`;
    case 'success': {
      const next = whatHappensNext(flow.integration, phase.outcome.success ? phase.outcome.workflowIds : []);
      return renderSuccess(m, m.succeeded[view.operation](view.heading), next, STEP_TITLE_ID);
    }
    case 'error':
      return html`<div class="result error" part="error">
        <span class="result-icon">${alertIcon}</span>
        <h3 id=${STEP_TITLE_ID} class="step-title" tabindex="-1">${m.errorTitle}</h3>
        ${view.errorView.render(
          m,
          flow.failureHeadline(phase.failure, m, view.operation),
          flow.integration?.name ?? view.appearance?.brandName,
        )}
      </div>`;
    default: {
      if (view.uninstall?.open) return view.uninstall.renderBody(STEP_TITLE_ID);
      const step = flow.step;
      const auth = view.lazy.auth;
      if (isAuthStep(step) && auth) return auth.render(authIndex(step), STEP_TITLE_ID);
      return step === 'workflows' ? renderWorkflowsStep(view) : renderConfigStep(view);
    }
  }
}

function renderFormError(view: ModalView): TemplateResult | typeof nothing {
  const error = view.form.formError;
  return error ? html`<p class="form-error" part="form-error">${alertIcon}<span>${error(view.m)}</span></p>` : nothing;
}

function renderWorkflowsStep(view: ModalView): TemplateResult {
  const { m, form } = view;
  return html`<h3 id=${STEP_TITLE_ID} class="step-title" tabindex="-1">${m.workflowsTitle}</h3>
    <p class="intro" id="alloy-workflows-intro">${m.workflowsIntro}</p>
    ${renderFormError(view)}
    <div class="workflows" role="group" aria-labelledby=${STEP_TITLE_ID} aria-describedby="alloy-workflows-intro">
      ${view.flow.offeredWorkflows.map(
        (workflow) =>
          html`<label class="workflow" part="workflow">
            <input
              type="checkbox"
              part="input"
              .checked=${form.selectedWorkflows.has(workflow.workflowId)}
              @change=${(event: Event) =>
                form.toggleWorkflow(workflow.workflowId, (event.target as HTMLInputElement).checked)}
            />
            <span><span>${workflow.name}</span> ${renderVersionChange(view, workflow)}</span>
          </label>`,
      )}
    </div>`;
}

/** In an update, whether the server said this workflow moves to a newer version. */
function upgrades(view: ModalView, workflow: WorkflowChoice): boolean {
  const from = workflow.installedVersion;
  return view.operation === 'update' && typeof from === 'number' && from !== workflow.version;
}

function renderVersionChange(view: ModalView, workflow: WorkflowChoice): TemplateResult | typeof nothing {
  if (!upgrades(view, workflow)) return nothing;
  const format = new Intl.NumberFormat(view.m.locale);
  const [from, to] = [workflow.installedVersion ?? 0, workflow.version].map((version) => format.format(version));
  return html`<span class="version">v${from} → v${to}</span>`;
}

function renderConfigStep(view: ModalView): TemplateResult {
  const { m, form, flow } = view;
  const fields = form.activeFields;
  const dynamic = view.lazy.dynamic;
  const changes = flow.offeredWorkflows.filter(
    (workflow) => form.selectedWorkflows.has(workflow.workflowId) && upgrades(view, workflow),
  );
  return html`<h3 id=${STEP_TITLE_ID} class="step-title" tabindex="-1">${m.stepNames.config}</h3>
    <p class="intro">${fields.length > 0 ? m.configIntro : m.noConfiguration}</p>
    ${
      changes.length > 0
        ? html`<ul class="changes">
            ${changes.map(
              (workflow) => html`<li><span>${workflow.name}</span> ${renderVersionChange(view, workflow)}</li>`,
            )}
          </ul>`
        : nothing
    }
    ${renderFormError(view)}
    ${fields.map((field) => {
      const key = fieldKey(field);
      const render = field.type === 'dynamicSelect' && dynamic ? dynamic.render.bind(dynamic) : renderConfigField;
      return render(field, {
        id: `alloy-field-${flow.integration?.fields.indexOf(field) ?? 0}`,
        value: form.values.get(key),
        error: form.fieldErrors.get(key)?.(m),
        revealed: form.revealedSecrets.has(key),
        secretSet: form.secretSet(field),
        messages: m,
        setValue: (value, badInput) => form.setValue(field, value, badInput),
        toggleReveal: () => form.toggleReveal(key),
      });
    })}
    ${view.uninstall?.renderEntry() ?? nothing}`;
}
