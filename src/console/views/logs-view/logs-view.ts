import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  ExecutionResponse,
  LogSearchResponse,
  RerunResponse,
  User,
  type ExecutionLog,
  type LogFilter,
  type LogNotification,
} from '../../../contract/index.js';
import type { ConsoleQuery } from '../../api-types.js';
import { ConsoleDataView } from '../shared/view-element.js';
import { linkClick } from '../shared/events.js';
import { formatDate, formatDuration, formatJson, toViewError, type ViewError } from '../shared/format.js';
import { executionStatus, STATUS_MESSAGES } from '../shared/status.js';
import { logsViewStyles } from './logs-view.styles.js';

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-logs': AlloyConsoleLogs;
  }
}

/** Executions per page of the list; "Load more" follows `nextCursor` (keyset). */
export const LOGS_PAGE_SIZE = 25;

/** What the filter form holds; empty strings mean "any". */
export interface LogsFilters {
  status: '' | keyof typeof STATUS_MESSAGES;
  workflowId: string;
  user: string;
  order: 'desc' | 'asc';
}
const NO_FILTERS: LogsFilters = { status: '', workflowId: '', user: '', order: 'desc' };

/** The `GET /logs` query for `filters` (status is a `filters` entry on `message`, the endpoint's way). */
export function logsQuery(filters: LogsFilters, cursor?: string): ConsoleQuery {
  const entries: LogFilter[] = filters.status
    ? [
        {
          columns: { value: 'message' },
          operators: { value: 'equals' },
          userinput: { value: STATUS_MESSAGES[filters.status] },
        },
      ]
    : [];
  return {
    limit: LOGS_PAGE_SIZE,
    sortOrder: filters.order,
    ...(entries.length ? { filters: JSON.stringify(entries) } : {}),
    ...(filters.workflowId.trim() ? { workflowId: filters.workflowId.trim() } : {}),
    ...(filters.user.trim() ? { associatedUserId: filters.user.trim() } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

type ListState =
  | { kind: 'loading' }
  | { kind: 'error'; error: ViewError }
  | { kind: 'ready'; rows: LogNotification[]; nextCursor?: string; more?: 'loading' | ViewError };
type DetailState =
  { kind: 'loading' } | { kind: 'error'; error: ViewError } | { kind: 'ready'; execution: ExecutionLog };
type RerunState =
  { kind: 'idle' } | { kind: 'busy' } | { kind: 'done'; runId: string } | { kind: 'error'; error: ViewError };

/**
 * `/console/logs` and `/console/logs/:executionId` (`route`: `''` or the executionId). The list is
 * `GET /logs` with the filters that endpoint takes (status through `filters`, `workflowId`,
 * `associatedUserId`, `sortOrder`) and keyset "Load more"; the detail is `GET /logs/:executionId`
 * with each block's input, output, timing and status as text, and Rerun
 * (`POST /workflows/:workflowId/rerun/:executionId`).
 */
@customElement('alloy-console-logs')
export class AlloyConsoleLogs extends ConsoleDataView {
  static override styles = logsViewStyles;

  /** The path after `/console/logs/`: empty for the list, else an executionId. */
  @property() route = '';

  @state() private list: ListState = { kind: 'loading' };
  @state() private detail: DetailState = { kind: 'loading' };
  @state() private filters: LogsFilters = NO_FILTERS;
  @state() private draft: LogsFilters = NO_FILTERS;
  @state() private rerun: RerunState = { kind: 'idle' };
  /** The execution's user (`GET /users/:userId`) for its username; undefined until known or when gone. */
  @state() private executionUser: User | undefined;
  private get executionId(): string {
    return ConsoleDataView.routeId(this.route);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api') || changed.has('route')) void this.load();
  }

  async load(): Promise<void> {
    const api = this.api;
    if (!api) return;
    const generation = ++this.generation;
    const executionId = this.executionId;
    if (executionId) {
      this.detail = { kind: 'loading' };
      this.rerun = { kind: 'idle' };
      this.executionUser = undefined;
      let execution: ExecutionLog;
      try {
        const answer = await api.isv(
          { method: 'GET', path: `/2024-03/logs/${encodeURIComponent(executionId)}` },
          ExecutionResponse,
        );
        if (generation !== this.generation) return;
        execution = answer.data;
        this.detail = { kind: 'ready', execution };
      } catch (error) {
        if (generation === this.generation) this.detail = { kind: 'error', error: toViewError(error) };
        return;
      }
      // The execution names its user by id only: ask for the username. A deleted user (404) or
      // any failure leaves the id alone, which still links to the user's page.
      try {
        const user = await api.isv(
          { method: 'GET', path: `/2024-03/users/${encodeURIComponent(execution.userId)}` },
          User,
        );
        if (generation === this.generation) this.executionUser = user;
      } catch {
        // Shown by id.
      }
      return;
    }
    this.list = { kind: 'loading' };
    try {
      const page = await api.isv(
        { method: 'GET', path: '/2024-03/logs', query: logsQuery(this.filters) },
        LogSearchResponse,
      );
      if (generation !== this.generation) return;
      this.list = {
        kind: 'ready',
        rows: page.notifications,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    } catch (error) {
      if (generation === this.generation) this.list = { kind: 'error', error: toViewError(error) };
    }
  }

  private async loadMore(): Promise<void> {
    const list = this.list;
    if (list.kind !== 'ready' || !list.nextCursor || list.more === 'loading' || !this.api) return;
    const generation = this.generation;
    this.list = { ...list, more: 'loading' };
    try {
      const page = await this.api.isv(
        { method: 'GET', path: '/2024-03/logs', query: logsQuery(this.filters, list.nextCursor) },
        LogSearchResponse,
      );
      if (generation !== this.generation) return;
      this.list = {
        kind: 'ready',
        rows: [...list.rows, ...page.notifications],
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    } catch (error) {
      if (generation === this.generation) this.list = { ...list, more: toViewError(error) };
    }
  }

  private applyFilters(event: SubmitEvent): void {
    event.preventDefault();
    this.filters = { ...this.draft };
    void this.load();
  }

  private async doRerun(execution: ExecutionLog): Promise<void> {
    if (!this.api || this.rerun.kind === 'busy') return;
    const generation = this.generation;
    this.rerun = { kind: 'busy' };
    try {
      const answer = await this.api.isv(
        {
          method: 'POST',
          path: `/2024-03/workflows/${encodeURIComponent(execution.workflowId)}/rerun/${encodeURIComponent(execution.executionId)}`,
          body: {},
        },
        RerunResponse,
      );
      if (generation === this.generation) this.rerun = { kind: 'done', runId: answer.runId };
    } catch (error) {
      if (generation === this.generation) this.rerun = { kind: 'error', error: toViewError(error) };
    }
  }

  protected override render() {
    return this.executionId ? this.renderDetail() : this.renderList();
  }

  private setDraft<K extends keyof LogsFilters>(key: K, value: LogsFilters[K]): void {
    this.draft = { ...this.draft, [key]: value };
  }

  private renderFilters() {
    const t = this.t;
    const d = this.draft;
    return html`<form class="card filters" aria-label=${t.filters} @submit=${this.applyFilters}>
      <label
        >${t.status}
        <select
          id="logs-status"
          @change=${(e: Event) => this.setDraft('status', (e.target as HTMLSelectElement).value as LogsFilters['status'])}
        >
          <option value="" ?selected=${d.status === ''}>${t.anyStatus}</option>
          ${(['success', 'error', 'running'] as const).map(
            (s) => html`<option value=${s} ?selected=${d.status === s}>${t.statusNames[s]}</option>`,
          )}
        </select>
      </label>
      <label
        >${t.workflowId}
        <input
          id="logs-workflow"
          autocomplete="off"
          spellcheck="false"
          .value=${d.workflowId}
          @input=${(e: Event) => this.setDraft('workflowId', (e.target as HTMLInputElement).value)}
        />
      </label>
      <label
        >${t.userFilter}
        <input
          id="logs-user"
          autocomplete="off"
          spellcheck="false"
          .value=${d.user}
          @input=${(e: Event) => this.setDraft('user', (e.target as HTMLInputElement).value)}
        />
      </label>
      <label
        >${t.order}
        <select
          id="logs-order"
          @change=${(e: Event) => this.setDraft('order', (e.target as HTMLSelectElement).value as LogsFilters['order'])}
        >
          <option value="desc" ?selected=${d.order === 'desc'}>${t.newestFirst}</option>
          <option value="asc" ?selected=${d.order === 'asc'}>${t.oldestFirst}</option>
        </select>
      </label>
      <button type="submit">${t.apply}</button>
    </form>`;
  }

  private renderList() {
    const t = this.t;
    const list = this.list;
    return html`<section class="page" aria-busy=${list.kind === 'loading'}>
      <div class="page-header"><h1 id="logs-title">${t.logsTitle}</h1></div>
      ${this.renderFilters()}
      ${
        list.kind === 'loading'
          ? this.renderLoading()
          : list.kind === 'error'
            ? this.renderError(list.error, () => void this.load())
            : list.rows.length === 0
              ? html`<p class="muted">${t.logsEmpty}</p>`
              : this.renderRows(list)
      }
    </section>`;
  }

  private renderRows(list: Extract<ListState, { kind: 'ready' }>) {
    const t = this.t;
    return html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="logs-title">
        <table>
          <thead>
            <tr>
              <th scope="col">${t.workflow}</th>
              <th scope="col">${t.status}</th>
              <th scope="col">${t.user}</th>
              <th scope="col">${t.started}</th>
              <th scope="col">${t.duration}</th>
            </tr>
          </thead>
          <tbody>
            ${list.rows.map((n) => {
              const status = executionStatus(n.message);
              return html`<tr>
                <td class="workflow">
                  <a href=${`/console/logs/${encodeURIComponent(n.data.executionId)}`} @click=${linkClick}
                    >${n.forgeWorkflow?.name ?? n.workflowId}</a
                  >
                  ${n.forgeWorkflow ? html`<div class="muted">${n.forgeWorkflow.integrationId.name}</div>` : nothing}
                </td>
                <td><span class="status status-${status}">${t.statusNames[status]}</span></td>
                <td>${n.user?.email ?? n.userId}</td>
                <td class="date">${formatDate(n.startedAt, this.lang)}</td>
                <td>${formatDuration(n.startedAt, n.completedAt) ?? t.dash}</td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      ${list.more && list.more !== 'loading' ? this.renderError(list.more, () => void this.loadMore()) : nothing}
      ${
        list.nextCursor
          ? html`<button
              type="button"
              class="secondary more"
              ?disabled=${list.more === 'loading'}
              @click=${this.loadMore}
            >
              ${list.more === 'loading' ? t.loading : t.loadMore}
            </button>`
          : nothing
      }`;
  }

  private renderDetail() {
    const t = this.t;
    const state = this.detail;
    const back = html`<a href="/console/logs" @click=${linkClick}>← ${t.allExecutions}</a>`;
    if (state.kind !== 'ready') {
      return html`<section class="page" aria-busy=${state.kind === 'loading'}>
        ${back}
        <h1 id="execution-title">${t.executionTitle} <code>${this.executionId}</code></h1>
        ${state.kind === 'loading' ? this.renderLoading() : this.renderError(state.error, () => void this.load())}
      </section>`;
    }
    const ex = state.execution;
    const rerun = this.rerun;
    return html`<section class="page">
      ${back}
      <div class="page-header">
        <h1 id="execution-title">${t.executionTitle} <code>${ex.executionId}</code></h1>
        <div class="actions">
          <button type="button" ?disabled=${rerun.kind === 'busy'} @click=${() => void this.doRerun(ex)}>
            ${rerun.kind === 'busy' ? t.rerunning : t.rerun}
          </button>
        </div>
      </div>
      <p role="status" class="notice">${rerun.kind === 'done' ? t.rerunQueued(rerun.runId) : ''}</p>
      ${rerun.kind === 'error' ? this.renderError(rerun.error) : nothing}
      <dl class="facts card">
        <div>
          <dt>${t.status}</dt>
          <dd><span class="status status-${ex.status}">${t.statusNames[ex.status]}</span></dd>
        </div>
        <div>
          <dt>${t.workflowId}</dt>
          <dd><code>${ex.workflowId}</code></dd>
        </div>
        <div class="user-fact">
          <dt>${t.user}</dt>
          <dd class="user">
            <a href=${`/console/users/${encodeURIComponent(ex.userId)}`} @click=${linkClick}
              >${this.executionUser?.username ?? html`<code>${ex.userId}</code>`}</a
            >
            ${this.executionUser ? html`<code class="muted user-id">${ex.userId}</code>` : nothing}
          </dd>
        </div>
        <div>
          <dt>${t.mode}</dt>
          <dd>${ex.mode}</dd>
        </div>
        <div>
          <dt>${t.version}</dt>
          <dd>${ex.version}</dd>
        </div>
        <div>
          <dt>${t.started}</dt>
          <dd>${formatDate(ex.startedAt, this.lang)}</dd>
        </div>
        <div>
          <dt>${t.duration}</dt>
          <dd>${formatDuration(ex.startedAt, ex.stoppedAt) ?? t.dash}</dd>
        </div>
      </dl>
      <section class="blocks" aria-labelledby="blocks-title">
        <h2 id="blocks-title">${t.blocks}</h2>
        ${
          ex.results.length === 0
            ? html`<p class="muted">${t.blocksEmpty}</p>`
            : ex.results.map((block, index) => {
                const input = ex.inputs.find((i) => i.blockId === block.blockId);
                const id = `block-${index}`;
                return html`<article class="card block" aria-labelledby=${id}>
                  <div class="block-head">
                    <h3 id=${id}>${block.blockName ?? block.blockId}</h3>
                    <span class="status status-${block.status}">${t.statusNames[block.status]}</span>
                    <span class="muted">${block.connectorId} · ${block.blockType}</span>
                    <span class="muted"
                      >${formatDate(block.startedAt, this.lang)} ·
                      ${formatDuration(block.startedAt, block.stoppedAt) ?? t.dash}</span
                    >
                  </div>
                  ${block.error ? html`<p class="block-error"><strong>${t.error}:</strong> ${block.error}</p>` : nothing}
                  <div class="io">
                    <div>
                      <h4>${t.input}</h4>
                      ${
                        input
                          ? html`<pre tabindex="0">${formatJson(input.data)}</pre>`
                          : html`<p class="muted">${t.noInput}</p>`
                      }
                    </div>
                    <div>
                      <h4>${t.output}</h4>
                      <pre tabindex="0">${formatJson(block.data.map((d) => d.json))}</pre>
                    </div>
                  </div>
                </article>`;
              })
        }
      </section>
    </section>`;
  }
}
