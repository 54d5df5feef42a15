import { html, LitElement, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { ConsoleLanguage } from '../../api-types.js';
import type { BuilderField } from '../../../contract/console-builder.js';
import type { ValidationIssue } from '../../../contract/errors.js';
import { CONFIG_FIELD_TYPES, type FieldRules } from '../../../contract/integrations.js';
import { messagesFor } from '../../i18n/index.js';
import { AlloyConsoleVariablePicker, type AlloyConsoleVariablePickEvent } from '../variable-picker/variable-picker.js';
import { parseValue, valueText } from '../workflow-builder/model.js';
import { fieldEditorStyles } from './field-editor.styles.js';

/** The field as edited (`detail.field`); fired on every change. */
export type AlloyConsoleFieldChangeEvent = CustomEvent<{ field: BuilderField }>;

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-field-editor': AlloyConsoleFieldEditor;
  }
}

const RULE_NUMBERS = ['minLength', 'maxLength', 'min', 'max'] as const;
/** What the "Rules, help text, options" disclosure holds: it opens by itself when an issue points there. */
const DETAIL_KEYS = new Set(['rules', 'help', 'placeholder', 'options']);

/**
 * One field of a trigger or block: key, display name, type, required, user-configurable, help,
 * placeholder, rules, options, and its value with a variable picker that inserts a template at the
 * caret. Shows the server's issues for the field (`issues`, paths relative to the field). Fires
 * `alloy-console-field-change` and `alloy-console-field-remove`.
 */
@customElement('alloy-console-field-editor')
export class AlloyConsoleFieldEditor extends LitElement {
  static override styles = fieldEditorStyles;

  @property({ attribute: false }) field!: BuilderField;
  @property({ attribute: false }) variables: readonly string[] = [];
  @property({ attribute: false }) issues: readonly ValidationIssue[] = [];
  /** Fields a connector action defines (its inputs) keep their key and cannot be removed. */
  @property({ type: Boolean }) fixed = false;
  @property({ reflect: true }) override lang: ConsoleLanguage = 'en';

  @state() private pickerOpen = false;
  @query('#value') private valueInput?: HTMLInputElement;
  /** Where the caret was in the value when the picker opened. */
  private caret: number | undefined;

  private change(patch: Partial<BuilderField>): void {
    const field = { ...this.field, ...patch };
    for (const key of Object.keys(patch) as (keyof BuilderField)[]) if (patch[key] === undefined) delete field[key];
    this.dispatchEvent(new CustomEvent('alloy-console-field-change', { detail: { field } }));
  }

  private changeRule(name: keyof FieldRules, text: string): void {
    const rules: FieldRules = { ...this.field.rules };
    if (text === '') delete rules[name];
    else if (name === 'pattern' || name === 'patternMessage') rules[name] = text;
    else rules[name] = Number(text);
    this.change({ rules: Object.keys(rules).length ? rules : undefined });
  }

  private changeOptions(text: string): void {
    const options = text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? { value: line, label: line } : { value: line.slice(0, at), label: line.slice(at + 1) };
      });
    this.change({ options: options.length ? options : undefined });
  }

  private togglePicker(): void {
    this.caret = this.valueInput?.selectionStart ?? undefined;
    this.pickerOpen = !this.pickerOpen;
    if (this.pickerOpen)
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<AlloyConsoleVariablePicker>('alloy-console-variable-picker')?.focus(),
      );
  }

  private closePicker(): void {
    this.pickerOpen = false;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('#insert')?.focus());
  }

  private insert(event: AlloyConsoleVariablePickEvent): void {
    const text = valueText(this.field.value);
    const at = this.caret === undefined || this.caret > text.length ? text.length : this.caret;
    const next = text.slice(0, at) + event.detail.variable + text.slice(at);
    this.change({ value: parseValue(next, this.field.type) });
    this.caret = at + event.detail.variable.length;
    this.pickerOpen = false;
    void this.updateComplete.then(() => {
      const input = this.valueInput;
      if (!input) return;
      input.focus();
      input.setSelectionRange(this.caret!, this.caret!);
    });
  }

  protected override render() {
    const b = messagesFor(this.lang).builder;
    const f = this.field;
    const label = f.displayName || f.name || b.untitled;
    const valueIssues = this.issues.filter((i) => i.path[0] === 'value');
    const otherIssues = this.issues.filter((i) => i.path[0] !== 'value');
    const input = (id: string, text: string, value: string | undefined, onInput: (v: string) => void, type = 'text') =>
      html`<div class="control">
        <label for=${id}>${text}</label>
        <input
          id=${id}
          type=${type}
          .value=${value ?? ''}
          @input=${(e: Event) => onInput((e.target as HTMLInputElement).value)}
        />
      </div>`;
    return html`<fieldset>
      <legend>${label}</legend>
      ${otherIssues.map((i) => html`<p class="issue" role="note">${i.message}</p>`)}
      <div class="grid">
        ${
          this.fixed
            ? html`<p class="fixed-key"><span class="muted">${b.fieldName}</span> <code>${f.name}</code></p>`
            : input('name', b.fieldName, f.name, (v) => this.change({ name: v }))
        }
        ${input('display-name', b.displayName, f.displayName, (v) => this.change({ displayName: v }))}
        <div class="control">
          <label for="type">${b.fieldType}</label>
          <select
            id="type"
            @change=${(e: Event) => this.change({ type: (e.target as HTMLSelectElement).value as BuilderField['type'] })}
          >
            ${CONFIG_FIELD_TYPES.map((t) => html`<option value=${t} ?selected=${t === f.type}>${t}</option>`)}
          </select>
        </div>
      </div>
      <div class="checks">
        <label class="check"
          ><input
            type="checkbox"
            .checked=${f.required !== false}
            @change=${(e: Event) => this.change({ required: (e.target as HTMLInputElement).checked })}
          />${b.required}</label
        >
        <label class="check"
          ><input
            type="checkbox"
            .checked=${f.userConfigurable === true}
            @change=${(e: Event) => this.change({ userConfigurable: (e.target as HTMLInputElement).checked || undefined })}
          />${b.userConfigurable}</label
        >
      </div>
      <div class="value-row">
        <div class="control">
          <label for="value">${b.value}</label>
          <input
            id="value"
            type="text"
            .value=${valueText(f.value)}
            aria-invalid=${valueIssues.length ? 'true' : nothing}
            aria-describedby=${valueIssues.length ? 'value-issues' : nothing}
            @input=${(e: Event) => this.change({ value: parseValue((e.target as HTMLInputElement).value, f.type) })}
          />
        </div>
        <button
          id="insert"
          type="button"
          class="secondary"
          aria-expanded=${this.pickerOpen ? 'true' : 'false'}
          aria-controls="picker"
          @click=${this.togglePicker}
        >
          <span aria-hidden="true">{{ }}</span><span class="visually-hidden">${b.insertVariable(label)}</span>
        </button>
      </div>
      ${
        valueIssues.length
          ? html`<div id="value-issues">${valueIssues.map((i) => html`<p class="issue">${i.message}</p>`)}</div>`
          : nothing
      }
      ${
        this.pickerOpen
          ? html`<alloy-console-variable-picker
              id="picker"
              .variables=${this.variables}
              .lang=${this.lang}
              @alloy-console-variable-pick=${this.insert}
              @alloy-console-variable-picker-close=${this.closePicker}
            ></alloy-console-variable-picker>`
          : nothing
      }
      <details ?open=${otherIssues.some((i) => DETAIL_KEYS.has(String(i.path[0])))}>
        <summary>${b.rules}, ${b.help.toLowerCase()}, ${b.options.toLowerCase()}</summary>
        <div class="grid">
          ${input('help', b.help, f.help, (v) => this.change({ help: v || undefined }))}
          ${input('placeholder', b.placeholder, f.placeholder, (v) => this.change({ placeholder: v || undefined }))}
          ${RULE_NUMBERS.map((rule) =>
            input(rule, b[rule], f.rules?.[rule]?.toString(), (v) => this.changeRule(rule, v), 'number'),
          )}
          ${input('pattern', b.pattern, f.rules?.pattern, (v) => this.changeRule('pattern', v))}
          ${input('pattern-message', b.patternMessage, f.rules?.patternMessage, (v) =>
            this.changeRule('patternMessage', v),
          )}
        </div>
        ${
          f.type === 'select' || f.type === 'multiselect'
            ? html`<div class="control">
                <label for="options">${b.options}</label>
                <textarea
                  id="options"
                  rows="3"
                  aria-describedby="options-help"
                  .value=${(f.options ?? []).map((o) => `${o.value}=${o.label}`).join('\n')}
                  @change=${(e: Event) => this.changeOptions((e.target as HTMLTextAreaElement).value)}
                ></textarea>
                <span class="help muted" id="options-help">${b.optionsHelp}</span>
              </div>`
            : nothing
        }
      </details>
      ${
        this.fixed
          ? nothing
          : html`<div class="actions">
              <button
                type="button"
                class="secondary"
                @click=${() => this.dispatchEvent(new CustomEvent('alloy-console-field-remove'))}
              >
                ${b.removeField(label)}
              </button>
            </div>`
      }
    </fieldset>`;
  }
}

/** Keeps the picker's module in a bundle that drops side-effect-only imports. */
export const FIELD_EDITOR_PARTS = [AlloyConsoleVariablePicker];
