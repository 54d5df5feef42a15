import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ConsoleLanguage } from '../../api-types.js';
import { messagesFor } from '../../i18n/index.js';
import { variablePickerStyles } from './variable-picker.styles.js';

/** A variable was picked (`detail.variable`, e.g. `{{trigger.orderId}}`). */
export type AlloyConsoleVariablePickEvent = CustomEvent<{ variable: string }>;

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-variable-picker': AlloyConsoleVariablePicker;
  }
}

/**
 * The templates a field's value can use, each a button: picking one fires
 * `alloy-console-variable-pick`; Escape fires `alloy-console-variable-picker-close`.
 */
@customElement('alloy-console-variable-picker')
export class AlloyConsoleVariablePicker extends LitElement {
  static override styles = variablePickerStyles;

  @property({ attribute: false }) variables: readonly string[] = [];
  @property({ reflect: true }) override lang: ConsoleLanguage = 'en';

  /** Puts focus on the first variable (or the picker). */
  override focus(): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('button, .picker')?.focus());
  }

  private pick(variable: string): void {
    this.dispatchEvent(new CustomEvent('alloy-console-variable-pick', { detail: { variable } }));
  }

  private readonly onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    this.dispatchEvent(new CustomEvent('alloy-console-variable-picker-close'));
  };

  protected override render() {
    const b = messagesFor(this.lang).builder;
    return html`<div class="picker" role="group" aria-labelledby="title" tabindex="-1" @keydown=${this.onKeydown}>
      <p class="title" id="title">${b.variablesTitle}</p>
      ${
        this.variables.length === 0
          ? html`<p class="muted">${b.noVariables}</p>`
          : html`<ul>
              ${this.variables.map(
                (variable) =>
                  html`<li>
                    <button type="button" class="secondary" @click=${() => this.pick(variable)}>${variable}</button>
                  </li>`,
              )}
            </ul>`
      }
      ${nothing}
    </div>`;
  }
}
