import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConsoleUser } from '../../../contract/console.js';
import type {
  BuilderBlock,
  BuilderField,
  BuilderTrigger,
  TestRunBlock,
  TestRunResponse,
} from '../../../contract/console-builder.js';
import { messagesFor, type ConsoleMessages } from '../../i18n/index.js';
import { ConsoleViewElement } from '../shared/view-element.js';
import { formatJson, toViewError, type ViewError } from '../shared/format.js';
import { testRunStyles } from './test-run.styles.js';

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-test-run': AlloyConsoleTestRun;
  }
}

/** How long the user search waits after the last keystroke before it asks the server. */
export const TEST_RUN_SEARCH_DEBOUNCE_MS = 250;
/** Users the picker lists at once; the search narrows the rest. */
export const TEST_RUN_USERS = 20;

/** A value of the custom-event schema notation (`"String"`, `"Number?"`, nested objects) as sample data. */
function sampleOf(type: unknown): unknown {
  if (type !== null && typeof type === 'object' && !Array.isArray(type)) return sampleData(type);
  switch (typeof type === 'string' ? type.replace(/\?$/, '') : '') {
    case 'Number':
      return 0;
    case 'Boolean':
      return false;
    case 'Object':
      return {};
    case 'Array':
      return [];
    default:
      return '';
  }
}

/** Sample trigger data for a schema: `String` → `""`, `Number` → `0`, `Boolean` → `false`, … */
export function sampleData(schema: object | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema ?? {}).map(([name, type]) => [name, sampleOf(type)]));
}

/** The trigger's schema, when it has one (a custom event's, a webhook's, or an app event's `schema`). */
function triggerSchema(trigger: BuilderTrigger | null): object | undefined {
  if (!trigger || !('schema' in trigger)) return undefined;
  const schema: unknown = trigger.schema;
  return schema !== null && typeof schema === 'object' && !Array.isArray(schema) ? schema : undefined;
}

/** The draft's user-configurable fields (the trigger's, then each block's), one per name: the first wins, as at install. */
export function configurableFields(trigger: BuilderTrigger | null, blocks: readonly BuilderBlock[]): BuilderField[] {
  const seen = new Set<string>();
  const fields: BuilderField[] = [];
  for (const field of [...(trigger?.fields ?? []), ...blocks.flatMap((b) => b.fields)]) {
    if (field.userConfigurable !== true || !field.name || seen.has(field.name)) continue;
    seen.add(field.name);
    fields.push(field);
  }
  return fields;
}

/** A field's default value as its input shows it (a list as `a, b`). */
function defaultText(field: BuilderField): string {
  const value = field.value;
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(String).join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
}

/** What an input's text (or a checkbox's state) sends for the field; `undefined` sends nothing. */
function configValue(field: BuilderField, input: string | boolean): unknown {
  if (typeof input === 'boolean') return input;
  if (field.type === 'number') return input.trim() === '' ? undefined : Number(input);
  if (field.type === 'multiselect')
    return input
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  return input;
}

type Parsed = { ok: true; data: Record<string, unknown> } | { ok: false; message: string };

/**
 * `<alloy-console-test-run .api .trigger .blocks>`: the builder's test panel. Pick a user of the
 * environment, edit the sample trigger data (prefilled from the trigger's schema), run: the
 * draft's blocks run once on the server as that user (`api.testRun`), and each block's status,
 * mapped input, output or error and duration are shown.
 */
@customElement('alloy-console-test-run')
export class AlloyConsoleTestRun extends ConsoleViewElement {
  static override styles = testRunStyles;

  @property({ attribute: false }) trigger: BuilderTrigger | null = null;
  @property({ attribute: false }) blocks: BuilderBlock[] = [];

  @state() private search = '';
  @state() private users: ConsoleUser[] = [];
  @state() private usersError: ViewError | undefined;
  @state() private userId = '';
  @state() private sample = '{}';
  @state() private running = false;
  @state() private result: TestRunResponse | undefined;
  @state() private runError: ViewError | undefined;
  /** The configurable fields' inputs as edited, by field name (untouched ones show their default). */
  @state() private configEdits: Record<string, string | boolean> = {};

  /** Whether the sample was edited by hand (a trigger change then leaves it alone). */
  private sampleEdited = false;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every search and run, so a late answer never overwrites a newer one. */
  private searchGeneration = 0;
  private runGeneration = 0;

  private get m(): ConsoleMessages['testRun'] {
    return messagesFor(this.lang).testRun;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) void this.loadUsers();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.searchTimer);
    this.searchGeneration += 1;
    this.runGeneration += 1;
    this.running = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('trigger') && !this.sampleEdited) {
      this.sample = JSON.stringify(sampleData(triggerSchema(this.trigger)), null, 2);
    }
    // Another environment: other users, and the last answer no longer applies.
    if (changed.has('api') && changed.get('api') !== undefined) {
      this.userId = '';
      this.result = undefined;
      this.runError = undefined;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('api') && this.api) void this.loadUsers();
  }

  private async loadUsers(): Promise<void> {
    const api = this.api;
    if (!api) return;
    const generation = ++this.searchGeneration;
    try {
      const answer = await api.searchUsers({ search: this.search.trim(), limit: TEST_RUN_USERS });
      if (generation !== this.searchGeneration) return;
      this.users = answer.data;
      this.usersError = undefined;
      if (!this.users.some((u) => u.userId === this.userId)) this.userId = this.users[0]?.userId ?? '';
    } catch (error) {
      if (generation !== this.searchGeneration) return;
      this.usersError = toViewError(error);
    }
  }

  private onSearch(event: Event): void {
    this.search = (event.target as HTMLInputElement).value;
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.loadUsers(), TEST_RUN_SEARCH_DEBOUNCE_MS);
  }

  private onSample(event: Event): void {
    this.sample = (event.target as HTMLTextAreaElement).value;
    this.sampleEdited = true;
  }

  private parsed(): Parsed {
    let value: unknown;
    try {
      value = JSON.parse(this.sample);
    } catch (error) {
      return { ok: false, message: this.m.invalidJson((error as Error).message) };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, message: this.m.notAnObject };
    }
    return { ok: true, data: value as Record<string, unknown> };
  }

  private get fields(): BuilderField[] {
    return configurableFields(this.trigger, this.blocks);
  }

  /** What the input of `field` holds: the edit, else the field's default. */
  private configInput(field: BuilderField): string | boolean {
    const edited = this.configEdits[field.name];
    if (edited !== undefined) return edited;
    return field.type === 'boolean' ? field.value === true : defaultText(field);
  }

  /** `config` for the run: every configurable field's input, by name. */
  private config(): Record<string, unknown> | undefined {
    const entries = this.fields
      .map((field) => [field.name, configValue(field, this.configInput(field))] as const)
      .filter(([, value]) => value !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }

  private editConfig(name: string, value: string | boolean): void {
    this.configEdits = { ...this.configEdits, [name]: value };
  }

  private async run(): Promise<void> {
    const api = this.api;
    const data = this.parsed();
    if (!api || !this.trigger || this.blocks.length === 0 || !this.userId || !data.ok || this.running) return;
    const generation = ++this.runGeneration;
    this.running = true;
    this.runError = undefined;
    this.result = undefined;
    try {
      const config = this.config();
      const answer = await api.testRun({
        userId: this.userId,
        trigger: this.trigger,
        blocks: this.blocks,
        data: data.data,
        ...(config ? { config } : {}),
      });
      if (generation === this.runGeneration) this.result = answer;
    } catch (error) {
      if (generation === this.runGeneration) this.runError = toViewError(error);
    } finally {
      if (generation === this.runGeneration) this.running = false;
    }
  }

  override render(): TemplateResult {
    const m = this.m;
    const data = this.parsed();
    const ready = this.trigger !== null && this.blocks.length > 0;
    const disabled = !ready || !this.userId || !data.ok || this.running;
    return html`<section class="card test-run" aria-labelledby="test-run-title">
      <h2 id="test-run-title">${m.title}</h2>
      <p class="muted">${m.intro}</p>
      ${this.renderUserPicker()}
      <label for="test-run-sample">${m.sampleData}</label>
      <p id="test-run-sample-help" class="muted help">${m.sampleDataHelp}</p>
      <textarea
        id="test-run-sample"
        spellcheck="false"
        rows="8"
        .value=${this.sample}
        aria-invalid=${data.ok ? 'false' : 'true'}
        aria-describedby=${data.ok ? 'test-run-sample-help' : 'test-run-sample-help test-run-sample-error'}
        @input=${this.onSample}
      ></textarea>
      ${data.ok ? nothing : html`<p id="test-run-sample-error" class="field-error">${data.message}</p>`}
      ${this.renderConfig()}
      <div class="actions">
        <button type="button" ?disabled=${disabled} aria-describedby="test-run-hint" @click=${this.run}>
          ${this.running ? m.running : m.run}
        </button>
        <p id="test-run-hint" class="muted">${!ready ? m.needBlocks : !this.userId ? m.needUser : ''}</p>
      </div>
      <div class="outcome" aria-live="polite" aria-busy=${this.running ? 'true' : 'false'}>
        ${this.running ? html`<p class="loading">${m.running}</p>` : nothing}
        ${this.runError ? this.renderError(this.runError) : nothing} ${this.renderResult()}
      </div>
    </section>`;
  }

  private renderConfig(): TemplateResult | typeof nothing {
    const m = this.m;
    const fields = this.fields;
    if (fields.length === 0) return nothing;
    return html`<fieldset class="config" aria-describedby="test-run-config-help">
      <legend>${m.configTitle}</legend>
      <p id="test-run-config-help" class="muted help">${m.configHelp}</p>
      <div class="config-grid">${fields.map((field, index) => this.renderConfigField(field, index))}</div>
    </fieldset>`;
  }

  private renderConfigField(field: BuilderField, index: number): TemplateResult {
    const id = `test-run-config-${index}`;
    const label = field.displayName || field.name;
    const value = this.configInput(field);
    if (field.type === 'boolean')
      return html`<label class="check" for=${id}
        ><input
          id=${id}
          type="checkbox"
          .checked=${value === true}
          @change=${(e: Event) => this.editConfig(field.name, (e.target as HTMLInputElement).checked)}
        />${label}</label
      >`;
    const text = typeof value === 'string' ? value : '';
    const onInput = (e: Event) =>
      this.editConfig(field.name, (e.target as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement).value);
    const control =
      field.type === 'select' && field.options?.length
        ? html`<select id=${id} @change=${onInput}>
            ${field.options.some((o) => o.value === text) ? nothing : html`<option value="" selected></option>`}
            ${field.options.map((o) => html`<option value=${o.value} ?selected=${o.value === text}>${o.label}</option>`)}
          </select>`
        : field.type === 'textarea'
          ? html`<textarea id=${id} class="config-text" rows="3" .value=${text} @input=${onInput}></textarea>`
          : html`<input
              id=${id}
              type=${field.type === 'number' ? 'number' : field.type === 'secret' ? 'password' : 'text'}
              autocomplete="off"
              aria-describedby=${field.type === 'multiselect' ? `${id}-help` : nothing}
              .value=${text}
              @input=${onInput}
            />`;
    const list = field.type === 'multiselect';
    return html`<div class="control">
      <label for=${id}>${label}</label>
      ${control} ${list ? html`<span id=${`${id}-help`} class="muted help">${this.m.configListHelp}</span>` : nothing}
    </div>`;
  }

  private renderUserPicker(): TemplateResult {
    const m = this.m;
    return html`<div class="users">
      <label for="test-run-search">${m.searchUsers}</label>
      <input
        id="test-run-search"
        type="search"
        autocomplete="off"
        .value=${this.search}
        @input=${this.onSearch}
        @keydown=${(event: KeyboardEvent) => {
          if (event.key !== 'Enter') return;
          clearTimeout(this.searchTimer);
          void this.loadUsers();
        }}
      />
      <label for="test-run-user">${m.user}</label>
      <select
        id="test-run-user"
        ?disabled=${this.users.length === 0}
        @change=${(event: Event) => (this.userId = (event.target as HTMLSelectElement).value)}
      >
        ${this.users.length === 0 ? html`<option value="">${m.noUsers}</option>` : nothing}
        ${this.users.map(
          (u) =>
            html`<option value=${u.userId} ?selected=${u.userId === this.userId}>
              ${u.fullName ? `${u.username} (${u.fullName})` : u.username}
            </option>`,
        )}
      </select>
      ${this.usersError ? this.renderError(this.usersError, () => void this.loadUsers()) : nothing}
    </div>`;
  }

  private renderResult(): TemplateResult | typeof nothing {
    const result = this.result;
    if (!result) return nothing;
    const m = this.m;
    return html`<h3>${m.results}</h3>
      <p class=${result.ok ? 'notice' : 'field-error'}>${result.ok ? m.succeeded : m.failed}</p>
      <ol class="blocks">
        ${result.blocks.map((block) => this.renderBlock(block))}
      </ol>`;
  }

  private renderBlock(block: TestRunBlock): TemplateResult {
    const m = this.m;
    return html`<li class="block block-${block.status}">
      <div class="block-header">
        <h4>${block.name}</h4>
        <span class="status status-${block.status}">${m.statuses[block.status]}</span>
        ${block.status === 'skipped' ? nothing : html`<span class="muted">${m.duration(block.durationMs)}</span>`}
      </div>
      ${
        block.input === undefined
          ? nothing
          : html`<p class="label">${m.input}</p>
              <pre tabindex="0" role="group" aria-label=${m.inputOf(block.name)}>${formatJson(block.input)}</pre>`
      }
      ${
        block.output === undefined
          ? nothing
          : html`<p class="label">${m.output}</p>
              <pre tabindex="0" role="group" aria-label=${m.outputOf(block.name)}>${formatJson(block.output)}</pre>`
      }
      ${
        block.error === undefined
          ? nothing
          : html`<p class="label">${m.error}</p>
              <p class="field-error">${block.error}</p>`
      }
    </li>`;
  }
}
