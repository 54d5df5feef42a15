import { html, nothing, type TemplateResult } from 'lit';
import type { ConfigField } from '../../contract/index.js';
import type { ModalMessages } from '../i18n/messages.js';
import type { FieldValue } from '../internal/field-values.js';
import { alertIcon, eyeIcon, eyeOffIcon } from '../internal/icons.js';

/** Everything a field needs from the form that owns its value. */
export interface FieldContext {
  /** Unique DOM id of the control; `-help` and `-error` suffixes name its descriptions. */
  id: string;
  value: FieldValue | undefined;
  error: string | undefined;
  /** For secrets: whether the value is shown as plain text. */
  revealed: boolean;
  /**
   * For secrets: a value is saved on the server. It is never sent back, so the field starts empty;
   * left empty it keeps the saved value (and is not required), typed into it replaces it.
   */
  secretSet?: boolean;
  messages: ModalMessages;
  /** `badInput` is true when a number input holds text the browser cannot read as a number. */
  setValue(value: FieldValue, badInput?: boolean): void;
  toggleReveal(): void;
}

/**
 * Config fields are native controls inside the modal's one `<form>`, rendered from a function per
 * field type, so labels, `aria-describedby`, keyboard use and autofill come from the platform.
 * Every string from the definition is bound as text.
 */
export function renderConfigField(field: ConfigField, ctx: FieldContext): TemplateResult {
  if (field.type === 'multiselect') return renderMultiselect(field, ctx);
  if (field.type === 'boolean') return renderCheckbox(field, ctx);
  return html`<div class="field" part="field">
    ${renderLabel(field, ctx)} ${renderHelp(field, ctx)}
    ${field.type === 'secret' ? renderSecret(field, ctx) : renderControl(field, ctx)} ${renderError(ctx)}
  </div>`;
}

const savedSecret = (field: ConfigField, ctx: FieldContext): boolean => field.type === 'secret' && !!ctx.secretSet;

const describedBy = (field: ConfigField, ctx: FieldContext): string | typeof nothing =>
  [
    field.help ? `${ctx.id}-help` : '',
    savedSecret(field, ctx) ? `${ctx.id}-saved` : '',
    ctx.error ? `${ctx.id}-error` : '',
  ]
    .filter(Boolean)
    .join(' ') || nothing;

const renderOptionalMark = (field: ConfigField, ctx: FieldContext) =>
  field.required ? nothing : html` <span class="optional">(${ctx.messages.optional})</span>`;

const renderLabel = (field: ConfigField, ctx: FieldContext) =>
  html`<label for=${ctx.id} part="label"><span>${field.displayName}</span>${renderOptionalMark(field, ctx)}</label>`;

const renderHelp = (field: ConfigField, ctx: FieldContext) =>
  field.help ? html`<p class="help" id="${ctx.id}-help" part="help">${field.help}</p>` : nothing;

const renderError = (ctx: FieldContext) =>
  ctx.error
    ? html`<p class="field-error" id="${ctx.id}-error" part="field-error">${alertIcon}<span>${ctx.error}</span></p>`
    : nothing;

const textOf = (value: FieldValue | undefined): string => (typeof value === 'string' ? value : '');

function renderControl(field: ConfigField, ctx: FieldContext): TemplateResult {
  const invalid = ctx.error ? 'true' : 'false';
  const onInput = (event: Event) => {
    const input = event.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    ctx.setValue(input.value, input instanceof HTMLInputElement && input.validity.badInput);
  };
  if (field.type === 'textarea') {
    return html`<textarea
      id=${ctx.id}
      part="input"
      rows="3"
      maxlength=${field.rules?.maxLength ?? nothing}
      .value=${textOf(ctx.value)}
      ?required=${field.required}
      aria-invalid=${invalid}
      aria-describedby=${describedBy(field, ctx)}
      placeholder=${field.placeholder ?? nothing}
      @input=${onInput}
    ></textarea>`;
  }
  // A dynamic select without static options needs the user's credential to list them (not built
  // yet); until then it is a text input, which is exactly what the server accepts for it.
  if (field.type === 'select' || (field.type === 'dynamicSelect' && field.options)) {
    const current = textOf(ctx.value);
    return html`<select
      id=${ctx.id}
      part="input"
      ?required=${field.required}
      aria-invalid=${invalid}
      aria-describedby=${describedBy(field, ctx)}
      @change=${onInput}
    >
      ${
        !field.required || current === ''
          ? html`<option value="" ?selected=${current === ''}>${ctx.messages.selectPlaceholder}</option>`
          : nothing
      }
      ${(field.options ?? []).map(
        (option) => html`<option value=${option.value} ?selected=${option.value === current}>${option.label}</option>`,
      )}
    </select>`;
  }
  const number = field.type === 'number';
  const secret = field.type === 'secret';
  const saved = savedSecret(field, ctx);
  return html`<input
    id=${ctx.id}
    part="input"
    type=${number ? 'number' : secret && !ctx.revealed ? 'password' : 'text'}
    inputmode=${number ? 'decimal' : nothing}
    step=${number ? 'any' : nothing}
    min=${field.rules?.min ?? nothing}
    max=${field.rules?.max ?? nothing}
    maxlength=${number ? nothing : (field.rules?.maxLength ?? nothing)}
    autocomplete=${secret ? 'off' : nothing}
    spellcheck=${secret ? 'false' : nothing}
    .value=${textOf(ctx.value)}
    ?required=${field.required && !saved}
    aria-invalid=${invalid}
    aria-describedby=${describedBy(field, ctx)}
    placeholder=${saved ? ctx.messages.secretSavedPlaceholder : (field.placeholder ?? nothing)}
    @input=${onInput}
  />`;
}

/** A secret is a password input with a button that shows it as plain text, and hides it again. */
function renderSecret(field: ConfigField, ctx: FieldContext): TemplateResult {
  return html`<div class="secret">
      ${renderControl(field, ctx)}
      <button
        type="button"
        class="reveal"
        part="button reveal-button"
        aria-controls=${ctx.id}
        @click=${ctx.toggleReveal}
      >
        ${ctx.revealed ? eyeOffIcon : eyeIcon}<span>${ctx.revealed ? ctx.messages.hide : ctx.messages.show}</span
        ><span class="visually-hidden"> ${field.displayName}</span>
      </button>
    </div>
    ${savedSecret(field, ctx) ? html`<p class="help" id="${ctx.id}-saved" part="help">${ctx.messages.secretSaved}</p>` : nothing}`;
}

function renderCheckbox(field: ConfigField, ctx: FieldContext): TemplateResult {
  return html`<div class="field check" part="field">
    <input
      id=${ctx.id}
      part="input"
      type="checkbox"
      .checked=${ctx.value === true}
      aria-invalid=${ctx.error ? 'true' : 'false'}
      aria-describedby=${describedBy(field, ctx)}
      @change=${(event: Event) => ctx.setValue((event.target as HTMLInputElement).checked)}
    />
    ${renderLabel(field, ctx)} ${renderHelp(field, ctx)} ${renderError(ctx)}
  </div>`;
}

function renderMultiselect(field: ConfigField, ctx: FieldContext): TemplateResult {
  const chosen = Array.isArray(ctx.value) ? ctx.value : [];
  const toggle = (value: string, on: boolean) =>
    ctx.setValue(on ? [...chosen, value] : chosen.filter((v) => v !== value));
  return html`<fieldset class="field" part="field" aria-describedby=${describedBy(field, ctx)}>
    <legend part="label"><span>${field.displayName}</span>${renderOptionalMark(field, ctx)}</legend>
    ${renderHelp(field, ctx)}
    <div class="choices">
      ${(field.options ?? []).map(
        (option, index) =>
          html`<label class="choice"
            ><input
              id=${index === 0 ? ctx.id : `${ctx.id}-${index}`}
              part="input"
              type="checkbox"
              .checked=${chosen.includes(option.value)}
              aria-invalid=${ctx.error ? 'true' : 'false'}
              @change=${(event: Event) => toggle(option.value, (event.target as HTMLInputElement).checked)}
            /><span>${option.label}</span></label
          >`,
      )}
    </div>
    ${renderError(ctx)}
  </fieldset>`;
}
