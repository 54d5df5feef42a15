import { html, nothing, type ReactiveController, type TemplateResult } from 'lit';
import type { ConfigField, FieldOptionsResponse, WidgetApi } from '../../contract/index.js';
import type { FieldContext } from '../config-fields/config-fields.js';
import { authMessages } from '../i18n/auth-messages.js';
import { alertIcon } from '../internal/icons.js';

type Option = FieldOptionsResponse['data'][number];

interface Entry {
  status: 'loading' | 'ready' | 'error';
  options: Option[];
  filter: string;
  credentialId: string | undefined;
  abort: AbortController;
}

export interface DynamicSelectHost {
  readonly api: WidgetApi;
  readonly integrationId: string;
  /** The connection chosen in the auth step for this integration's app, if any. */
  credentialId(): string | undefined;
  requestUpdate(): void;
  announce(text: string): void;
}

const keyOf = (field: ConfigField) => `${field.workflowId}/${field.blockId}/${field.name}`;

/**
 * `dynamicSelect` fields: options loaded with `getFieldOptions` (with the connection chosen in the
 * auth step), a search box that filters a native `<select>` (keyboard and screen readers get the
 * platform's listbox), a reload button, and loading and error states. Loaded lazily with the auth step.
 */
export class DynamicSelects implements ReactiveController {
  private entries = new Map<string, Entry>();

  constructor(private readonly host: DynamicSelectHost) {}

  /** Loads the field's options unless they are loaded (or loading) for the current connection. */
  ensure(field: ConfigField): void {
    const entry = this.entries.get(keyOf(field));
    if (!entry || entry.credentialId !== this.host.credentialId()) this.load(field);
  }

  /** The loaded options, for validation; undefined until they are in. */
  options(field: ConfigField): Option[] | undefined {
    const entry = this.entries.get(keyOf(field));
    return entry?.status === 'ready' ? entry.options : undefined;
  }

  /** The modal left the page: its controllers stop their work. */
  hostDisconnected(): void {
    this.dispose();
  }

  dispose(): void {
    for (const entry of this.entries.values()) entry.abort.abort();
    this.entries.clear();
  }

  private load(field: ConfigField): void {
    const key = keyOf(field);
    const previous = this.entries.get(key);
    previous?.abort.abort();
    const credentialId = this.host.credentialId();
    const entry: Entry = {
      status: 'loading',
      options: previous?.options ?? [],
      filter: previous?.filter ?? '',
      credentialId,
      abort: new AbortController(),
    };
    this.entries.set(key, entry);
    this.host.requestUpdate();
    const params = {
      integrationId: this.host.integrationId,
      workflowId: field.workflowId,
      blockId: field.blockId,
      fieldName: field.name,
    };
    this.host.api.getFieldOptions!(params, credentialId, entry.abort.signal).then(
      (response) => {
        if (this.entries.get(key) !== entry) return;
        entry.status = 'ready';
        entry.options = response.data;
        this.host.requestUpdate();
      },
      () => {
        if (this.entries.get(key) !== entry || entry.abort.signal.aborted) return;
        entry.status = 'error';
        this.host.requestUpdate();
      },
    );
  }

  private reload(field: ConfigField, ctx: FieldContext): void {
    this.load(field);
    this.host.announce(authMessages(ctx.messages).loadingOptions);
  }

  private setFilter(field: ConfigField, filter: string): void {
    const entry = this.entries.get(keyOf(field));
    if (!entry) return;
    entry.filter = filter;
    this.host.requestUpdate();
  }

  render(field: ConfigField, ctx: FieldContext): TemplateResult {
    // Loads start from the modal (entering the step), never from render.
    const entry: Entry = this.entries.get(keyOf(field)) ?? {
      status: 'loading',
      options: [],
      filter: '',
      credentialId: undefined,
      abort: new AbortController(),
    };
    const m = ctx.messages;
    const current = typeof ctx.value === 'string' ? ctx.value : '';
    const needle = entry.filter.trim().toLocaleLowerCase();
    const matches = needle
      ? entry.options.filter((option) => option.label.toLocaleLowerCase().includes(needle))
      : entry.options;
    // The chosen option stays listed while filtering, so the select never shows a choice it does not hold.
    const chosen = entry.options.find((option) => option.value === current);
    const shown = chosen && !matches.includes(chosen) ? [chosen, ...matches] : matches;
    const stateId = `${ctx.id}-state`;
    const describedBy = [field.help ? `${ctx.id}-help` : '', ctx.error ? `${ctx.id}-error` : '', stateId]
      .filter(Boolean)
      .join(' ');
    const loading = entry.status === 'loading';
    return html`<div class="field" part="field">
      <label for=${ctx.id} part="label"
        ><span>${field.displayName}</span
        >${field.required ? nothing : html` <span class="optional">(${m.optional})</span>`}</label
      >
      ${field.help ? html`<p class="help" id="${ctx.id}-help" part="help">${field.help}</p>` : nothing}
      <div class="option-tools">
        <input
          type="search"
          id="${ctx.id}-search"
          part="input search-input"
          aria-label=${authMessages(m).filterOptions(field.displayName)}
          placeholder=${authMessages(m).filterOptions(field.displayName)}
          aria-controls=${ctx.id}
          autocomplete="off"
          .value=${entry.filter}
          ?disabled=${entry.options.length === 0}
          @input=${(event: Event) => this.setFilter(field, (event.target as HTMLInputElement).value)}
        />
        <button
          type="button"
          class="secondary reload"
          part="button secondary-button reload-button"
          aria-label=${authMessages(m).reloadOptions(field.displayName)}
          ?disabled=${loading}
          @click=${() => this.reload(field, ctx)}
        >
          <span aria-hidden="true">↻</span>
        </button>
      </div>
      <select
        id=${ctx.id}
        part="input"
        ?required=${field.required}
        aria-invalid=${ctx.error ? 'true' : 'false'}
        aria-describedby=${describedBy}
        aria-busy=${loading ? 'true' : 'false'}
        @change=${(event: Event) => ctx.setValue((event.target as HTMLSelectElement).value)}
      >
        ${
          !field.required || !chosen
            ? html`<option value="" ?selected=${!chosen}>${m.selectPlaceholder}</option>`
            : nothing
        }
        ${shown.map((option) => html`<option value=${option.value} ?selected=${option.value === current}>${option.label}</option>`)}
      </select>
      <p class="options-state" id=${stateId} aria-live="polite">
        ${
          loading
            ? html`<span class="spinner" aria-hidden="true"></span>${authMessages(m).loadingOptions}`
            : entry.status === 'error'
              ? html`<span class="field-error">${alertIcon}<span>${authMessages(m).optionsFailed}</span></span>`
              : needle && matches.length === 0
                ? authMessages(m).noMatches
                : nothing
        }
      </p>
      ${
        ctx.error
          ? html`<p class="field-error" id="${ctx.id}-error" part="field-error">
              ${alertIcon}<span>${ctx.error}</span>
            </p>`
          : nothing
      }
    </div>`;
  }
}
