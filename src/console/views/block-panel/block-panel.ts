import { html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ConsoleLanguage } from '../../api-types.js';
import type {
  BuilderBlock,
  BuilderField,
  BuilderTrigger,
  ConsoleConnector,
} from '../../../contract/console-builder.js';
import type { ValidationIssue } from '../../../contract/errors.js';
import { messagesFor } from '../../i18n/index.js';
import { AlloyConsoleFieldEditor, type AlloyConsoleFieldChangeEvent } from '../field-editor/field-editor.js';
import {
  actionFields,
  BLOCK_TYPES,
  issuesUnder,
  newBlock,
  newTrigger,
  SCHEMA_TYPES,
  TRIGGER_TYPES,
  type BlockType,
  type TriggerType,
} from '../workflow-builder/model.js';
import { blockPanelStyles } from './block-panel.styles.js';

/** The trigger or block as edited (`detail.item`; `null` never: a trigger once picked stays). */
export type AlloyConsoleItemChangeEvent = CustomEvent<{ item: BuilderTrigger | BuilderBlock }>;

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-block-panel': AlloyConsoleBlockPanel;
  }
}

type Item = BuilderTrigger | BuilderBlock;

/**
 * The panel of the trigger or of one block: its name and type and what the type needs (the app
 * event, a custom event's name and data schema, the app action, Stream Data's URL…) and its fields,
 * each in a field editor. Fires `alloy-console-item-change` with the whole new item and
 * `alloy-console-panel-close`. `issues` are relative to the item.
 */
@customElement('alloy-console-block-panel')
export class AlloyConsoleBlockPanel extends LitElement {
  static override styles = blockPanelStyles;

  @property() kind: 'trigger' | 'block' = 'block';
  /** The trigger (null: not picked yet) or the block. */
  @property({ attribute: false }) item: Item | null = null;
  /** The integration's app. */
  @property() app = '';
  @property({ attribute: false }) connector: ConsoleConnector | undefined;
  @property({ attribute: false }) variables: readonly string[] = [];
  @property({ attribute: false }) issues: readonly ValidationIssue[] = [];
  @property({ reflect: true }) override lang: ConsoleLanguage = 'en';

  private get b() {
    return messagesFor(this.lang).builder;
  }

  private emit(item: Item): void {
    this.dispatchEvent(new CustomEvent('alloy-console-item-change', { detail: { item } }));
  }

  private patch(patch: Record<string, unknown>): void {
    if (this.item) this.emit({ ...this.item, ...patch } as Item);
  }

  private changeType(type: string): void {
    const item = this.item;
    if (this.kind === 'trigger') {
      if (!(TRIGGER_TYPES as readonly string[]).includes(type)) return;
      const t = type as TriggerType;
      this.emit(newTrigger(t, item?.id ?? 'trigger', item?.name || this.b.triggerTypes[t], this.app));
    } else if (item) {
      if (!(BLOCK_TYPES as readonly string[]).includes(type)) return;
      const t = type as BlockType;
      this.emit(newBlock(t, item.id, item.name, this.app));
    }
  }

  private get fields(): BuilderField[] {
    return this.item?.fields ?? [];
  }

  private setFields(fields: BuilderField[]): void {
    this.patch({ fields });
  }

  private schemaOf(): Record<string, unknown> | undefined {
    const item = this.item;
    return item && (item.type === 'customEvent' || item.type === 'webhook') ? (item.schema ?? {}) : undefined;
  }

  /** Rewrites the schema's entry at `index` (keeping the order); `undefined` removes it. */
  private setSchemaEntry(index: number, entry: [string, unknown] | undefined): void {
    const entries = Object.entries(this.schemaOf() ?? {});
    if (entry) entries[index] = entry;
    else entries.splice(index, 1);
    this.patch({ schema: Object.fromEntries(entries) });
  }

  private addSchemaEntry(): void {
    const schema = this.schemaOf() ?? {};
    let n = Object.keys(schema).length + 1;
    while (`field${n}` in schema) n += 1;
    this.patch({ schema: { ...schema, [`field${n}`]: 'String' } });
  }

  protected override render() {
    const b = this.b;
    const item = this.item;
    const name = item?.name || (this.kind === 'trigger' ? b.triggerLabel : b.untitled);
    const ownIssues = this.issues.filter((i) => i.path[0] !== 'fields' || i.path.length < 2);
    const types = this.kind === 'trigger' ? TRIGGER_TYPES : BLOCK_TYPES;
    const typeNames: Record<string, string> = this.kind === 'trigger' ? b.triggerTypes : b.blockTypes;
    return html`<section aria-labelledby="panel-title">
      <div class="head">
        <h2 id="panel-title">${b.panelTitle(name)}</h2>
        <button
          type="button"
          class="secondary"
          @click=${() => this.dispatchEvent(new CustomEvent('alloy-console-panel-close'))}
        >
          ${b.closePanel}
        </button>
      </div>
      ${ownIssues.map(
        (i) => html`<p class="issue" role="note">${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}</p>`,
      )}
      <div class="grid">
        <div class="control">
          <label for="type">${b.type}</label>
          <select id="type" @change=${(e: Event) => this.changeType((e.target as HTMLSelectElement).value)}>
            ${item ? nothing : html`<option value="" selected>${b.chooseType}</option>`}
            ${types.map((t) => html`<option value=${t} ?selected=${item?.type === t}>${typeNames[t]}</option>`)}
          </select>
        </div>
        ${
          item
            ? html`<div class="control">
                <label for="name">${b.name}</label>
                <input
                  id="name"
                  .value=${item.name}
                  @input=${(e: Event) => this.patch({ name: (e.target as HTMLInputElement).value })}
                />
              </div>`
            : nothing
        }
        ${this.renderTypeControls()}
      </div>
      ${this.renderSchema()} ${item ? this.renderFields() : nothing}
    </section>`;
  }

  private renderTypeControls() {
    const b = this.b;
    const item = this.item;
    if (!item) return nothing;
    const connector = this.connector;
    if (item.type === 'appEvent')
      return html`<div class="control">
        <label for="event">${b.event}</label>
        <select id="event" @change=${(e: Event) => this.patch({ event: (e.target as HTMLSelectElement).value })}>
          <option value="" ?selected=${!item.event}>${b.chooseEvent}</option>
          ${(connector?.events ?? []).map(
            (ev) => html`<option value=${ev.name} ?selected=${ev.name === item.event}>${ev.name}</option>`,
          )}
        </select>
      </div>`;
    if (item.type === 'customEvent')
      return html`<div class="control">
        <label for="event-name">${b.eventName}</label>
        <input
          id="event-name"
          .value=${item.event}
          @input=${(e: Event) => this.patch({ event: (e.target as HTMLInputElement).value })}
        />
      </div>`;
    if (item.type === 'connectorAction')
      return html`<div class="control">
        <label for="action">${b.action}</label>
        <select
          id="action"
          @change=${(e: Event) => {
            const action = (e.target as HTMLSelectElement).value;
            this.patch({ action, fields: actionFields(connector, action, item.fields) });
          }}
        >
          <option value="" ?selected=${!item.action}>${b.chooseAction}</option>
          ${(connector?.actions ?? []).map(
            (a) => html`<option value=${a.name} ?selected=${a.name === item.action}>${a.name}</option>`,
          )}
        </select>
      </div>`;
    return nothing;
  }

  private renderSchema() {
    const b = this.b;
    const schema = this.schemaOf();
    if (!schema) return nothing;
    const entries = Object.entries(schema);
    return html`<fieldset class="schema">
      <legend><h3>${b.schemaTitle}</h3></legend>
      <ul>
        ${entries.map(([key, value], index) => {
          const text = typeof value === 'string' ? value : undefined;
          const optional = text?.endsWith('?') ?? false;
          const type = text?.replace(/\?$/, '');
          return html`<li class="schema-row">
            <div class="control">
              <label for=${`schema-name-${index}`}>${b.schemaField}</label>
              <input
                id=${`schema-name-${index}`}
                .value=${key}
                @change=${(e: Event) => this.setSchemaEntry(index, [(e.target as HTMLInputElement).value, value])}
              />
            </div>
            ${
              text === undefined
                ? html`<code>${JSON.stringify(value)}</code>`
                : html`<div class="control">
                      <label for=${`schema-type-${index}`}>${b.schemaType}</label>
                      <select
                        id=${`schema-type-${index}`}
                        @change=${(e: Event) =>
                          this.setSchemaEntry(index, [
                            key,
                            `${(e.target as HTMLSelectElement).value}${optional ? '?' : ''}`,
                          ])}
                      >
                        ${SCHEMA_TYPES.map((t) => html`<option value=${t} ?selected=${t === type}>${t}</option>`)}
                      </select>
                    </div>
                    <label class="check"
                      ><input
                        type="checkbox"
                        .checked=${optional}
                        @change=${(e: Event) =>
                          this.setSchemaEntry(index, [
                            key,
                            `${type}${(e.target as HTMLInputElement).checked ? '?' : ''}`,
                          ])}
                      />${b.optional}</label
                    >`
            }
            <button type="button" class="secondary" @click=${() => this.setSchemaEntry(index, undefined)}>
              ${b.removeSchemaField(key)}
            </button>
          </li>`;
        })}
      </ul>
      <button type="button" class="secondary" @click=${this.addSchemaEntry}>${b.addSchemaField}</button>
    </fieldset>`;
  }

  private renderFields() {
    const b = this.b;
    const fields = this.fields;
    const item = this.item;
    const fixedNames =
      item?.type === 'connectorAction'
        ? new Set(this.connector?.actions.find((a) => a.name === item.action)?.inputs.map((i) => i.name))
        : new Set<string>();
    return html`<h3>${b.fieldsTitle}</h3>
      <ul>
        ${fields.map(
          (field, index) =>
            html`<li>
              <alloy-console-field-editor
                .field=${field}
                .variables=${this.variables}
                .issues=${issuesUnder(this.issues, ['fields', index])}
                .lang=${this.lang}
                ?fixed=${fixedNames.has(field.name)}
                @alloy-console-field-change=${(e: AlloyConsoleFieldChangeEvent) =>
                  this.setFields(fields.map((f, i) => (i === index ? e.detail.field : f)))}
                @alloy-console-field-remove=${() => this.setFields(fields.filter((_, i) => i !== index))}
              ></alloy-console-field-editor>
            </li>`,
        )}
      </ul>
      <div>
        <button type="button" class="secondary" @click=${this.addField}>${b.addField}</button>
      </div>`;
  }

  private readonly addField = (): void => {
    const names = new Set(this.fields.map((f) => f.name));
    let n = this.fields.length + 1;
    while (names.has(`field${n}`)) n += 1;
    this.setFields([...this.fields, { name: `field${n}`, displayName: `Field ${n}`, type: 'text' }]);
  };
}

/** Keeps the field editor's module in a bundle that drops side-effect-only imports. */
export const BLOCK_PANEL_PARTS = [AlloyConsoleFieldEditor];
