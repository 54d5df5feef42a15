import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ConsoleLanguage } from '../../api-types.js';
import type { BuilderBlock, BuilderField, BuilderTrigger } from '../../../contract/console-builder.js';
import type { ValidationIssue } from '../../../contract/errors.js';
import { messagesFor } from '../../i18n/index.js';
import { issuesUnder, valueText, type Selection } from '../workflow-builder/model.js';
import { builderFlowStyles } from './builder-flow.styles.js';

export type AlloyConsoleFlowSelectEvent = CustomEvent<{ selection: Selection }>;
/** Add a block at `index` of the blocks. */
export type AlloyConsoleFlowAddEvent = CustomEvent<{ index: number }>;
export type AlloyConsoleFlowMoveEvent = CustomEvent<{ index: number; by: -1 | 1 }>;
export type AlloyConsoleFlowRemoveEvent = CustomEvent<{ index: number }>;

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-builder-flow': AlloyConsoleBuilderFlow;
  }
}

/**
 * The workflow top to bottom: the trigger's card, then each block's, with "Add block" after the
 * trigger and after every block, and Edit / Move up / Move down / Remove on each block, all real
 * buttons named after the block. Each card shows the server's issues that point into it. Fires
 * `alloy-console-flow-select|add|move|remove`; `readonly` shows the cards with their fields only.
 */
@customElement('alloy-console-builder-flow')
export class AlloyConsoleBuilderFlow extends LitElement {
  static override styles = builderFlowStyles;

  @property({ attribute: false }) trigger: BuilderTrigger | null = null;
  @property({ attribute: false }) blocks: readonly BuilderBlock[] = [];
  /** The draft's issues (paths relative to the draft). */
  @property({ attribute: false }) issues: readonly ValidationIssue[] = [];
  @property({ attribute: false }) selected: Selection | undefined;
  @property({ type: Boolean }) readonly = false;
  @property({ reflect: true }) override lang: ConsoleLanguage = 'en';

  /** Where focus goes once the blocks come back changed: the moved block's button, or after a removal the Add block above. */
  private focusAfter: { blockId: string; by: -1 | 1 } | { add: number } | undefined;

  private fire(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  private move(block: BuilderBlock, index: number, by: -1 | 1): void {
    this.focusAfter = { blockId: block.id, by };
    this.fire('alloy-console-flow-move', { index, by });
  }

  private removeBlock(index: number): void {
    this.focusAfter = { add: index };
    this.fire('alloy-console-flow-remove', { index });
  }

  protected override updated(changed: PropertyValues<this>): void {
    const target = this.focusAfter;
    if (!target || !changed.has('blocks')) return;
    this.focusAfter = undefined;
    if ('add' in target) {
      this.renderRoot.querySelector<HTMLButtonElement>(`button[data-add="${target.add}"]`)?.focus();
      return;
    }
    const card = [...this.renderRoot.querySelectorAll<HTMLElement>('li[data-block]')].find(
      (li) => li.dataset['block'] === target.blockId,
    );
    const [first, other] = target.by < 0 ? ['up', 'down'] : ['down', 'up'];
    const button =
      card?.querySelector<HTMLButtonElement>(`button[data-move="${first}"]:not([disabled])`) ??
      card?.querySelector<HTMLButtonElement>(`button[data-move="${other}"]`);
    button?.focus();
  }

  protected override render() {
    const b = messagesFor(this.lang).builder;
    const blocks = this.blocks;
    return html`<ol aria-label=${b.flowTitle}>
      ${this.renderTrigger()}
      ${
        this.readonly
          ? nothing
          : html`<li class="add">
              <button
                type="button"
                class="secondary"
                data-add="0"
                @click=${() => this.fire('alloy-console-flow-add', { index: 0 })}
              >
                <span aria-hidden="true">+ ${b.addBlock}</span><span class="visually-hidden">${b.addBlockFirst}</span>
              </button>
            </li>`
      }
      ${repeat(
        blocks,
        (block) => block.id,
        (block, index) => this.renderBlock(block, index),
      )}
    </ol>`;
  }

  private renderIssues(issues: ValidationIssue[], id: string) {
    if (issues.length === 0) return nothing;
    return html`<div id=${id}>
      ${issues.map((i) => html`<p class="issue">${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}</p>`)}
    </div>`;
  }

  private renderFields(fields: readonly BuilderField[] | undefined) {
    if (!this.readonly || !fields?.length) return nothing;
    return html`<dl>
      ${fields.map(
        (f) =>
          html`<dt>${f.displayName || f.name}</dt>
            <dd>${valueText(f.value) || '—'}</dd>`,
      )}
    </dl>`;
  }

  private renderTrigger() {
    const b = messagesFor(this.lang).builder;
    const trigger = this.trigger;
    const issues = issuesUnder(this.issues, ['trigger']);
    const name = trigger?.name || b.triggerLabel;
    const selected = this.selected === 'trigger';
    return html`<li
      class="card ${selected ? 'selected' : ''} ${issues.length ? 'invalid' : ''}"
      aria-current=${selected ? 'true' : nothing}
    >
      <div class="card-head">
        <div>
          <p class="kind muted">
            ${b.triggerLabel}${trigger ? ` · ${b.triggerTypes[trigger.type] ?? trigger.type}` : ''}
          </p>
          <h3>${trigger ? name : b.noTrigger}</h3>
        </div>
        ${
          this.readonly
            ? nothing
            : html`<div class="tools">
                <button
                  type="button"
                  aria-describedby=${issues.length ? 'trigger-issues' : nothing}
                  @click=${() => this.fire('alloy-console-flow-select', { selection: 'trigger' })}
                >
                  ${
                    trigger
                      ? html`<span aria-hidden="true">${b.editShort}</span
                          ><span class="visually-hidden">${b.edit(name)}</span>`
                      : b.noTrigger
                  }
                </button>
              </div>`
        }
      </div>
      ${this.renderIssues(issues, 'trigger-issues')} ${this.renderFields(trigger?.fields)}
    </li>`;
  }

  private renderBlock(block: BuilderBlock, index: number) {
    const b = messagesFor(this.lang).builder;
    const issues = issuesUnder(this.issues, ['blocks', index]);
    const name = block.name || `${b.untitled} ${index + 1}`;
    const selected = this.selected === index;
    const last = index === this.blocks.length - 1;
    return html`<li
        data-block=${block.id}
        class="card ${selected ? 'selected' : ''} ${issues.length ? 'invalid' : ''}"
        aria-current=${selected ? 'true' : nothing}
      >
        <div class="card-head">
          <div>
            <p class="kind muted">${b.blockTypes[block.type] ?? block.type}</p>
            <h3>${name}</h3>
          </div>
          ${
            this.readonly
              ? nothing
              : html`<div class="tools">
                  <button
                    type="button"
                    aria-describedby=${issues.length ? `block-issues-${index}` : nothing}
                    @click=${() => this.fire('alloy-console-flow-select', { selection: index })}
                  >
                    <span aria-hidden="true">${b.editShort}</span><span class="visually-hidden">${b.edit(name)}</span>
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    ?disabled=${index === 0}
                    data-move="up"
                    @click=${() => this.move(block, index, -1)}
                  >
                    <span aria-hidden="true">↑ ${b.moveUpShort}</span
                    ><span class="visually-hidden">${b.moveUp(name)}</span>
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    ?disabled=${last}
                    data-move="down"
                    @click=${() => this.move(block, index, 1)}
                  >
                    <span aria-hidden="true">↓ ${b.moveDownShort}</span
                    ><span class="visually-hidden">${b.moveDown(name)}</span>
                  </button>
                  <button type="button" class="secondary" @click=${() => this.removeBlock(index)}>
                    <span aria-hidden="true">${b.removeShort}</span
                    ><span class="visually-hidden">${b.remove(name)}</span>
                  </button>
                </div>`
          }
        </div>
        ${this.renderIssues(issues, `block-issues-${index}`)} ${this.renderFields(block.fields)}
      </li>
      ${
        this.readonly
          ? nothing
          : html`<li class="add">
              <button
                type="button"
                class="secondary"
                data-add=${index + 1}
                @click=${() => this.fire('alloy-console-flow-add', { index: index + 1 })}
              >
                <span aria-hidden="true">+ ${b.addBlock}</span
                ><span class="visually-hidden">${b.addBlockAfter(name)}</span>
              </button>
            </li>`
      }`;
  }
}
