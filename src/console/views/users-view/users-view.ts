import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  CredentialListResponse,
  InstallationListResponse,
  IntegrationListResponse,
  LogSearchResponse,
  User,
  UserListResponse,
  type Credential,
  type Installation,
  type LogNotification,
} from '../../../contract/index.js';
import { ConsoleViewElement } from '../shared/view-element.js';
import { linkClick } from '../shared/events.js';
import { formatDate, toViewError, type ViewError } from '../shared/format.js';
import { executionStatus } from '../shared/status.js';
import { AlloyConsoleShareDialog } from '../share-dialog/share-dialog.js';
import { usersViewStyles } from './users-view.styles.js';

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-users': AlloyConsoleUsers;
  }
}

/** Users per page of the list; "Load more" follows `nextCursor`. */
export const USERS_PAGE_SIZE = 100;
/** Executions the detail page shows. */
export const RECENT_EXECUTIONS = 10;

interface UserDetail {
  user: User;
  installations: Installation[];
  integrationNames: Map<string, string>;
  credentials: Credential[];
  executions: LogNotification[];
}

type ListState =
  | { kind: 'loading' }
  | { kind: 'error'; error: ViewError }
  | { kind: 'ready'; users: User[]; nextCursor?: string; more?: 'loading' | ViewError };
type DetailState = { kind: 'loading' } | { kind: 'error'; error: ViewError } | { kind: 'ready'; detail: UserDetail };

/**
 * `/console/users` and `/console/users/:userId` (`route` is the rest of the path: `''` or the
 * userId). The list searches the loaded users by username, name or id; the detail shows the user's
 * installations, credentials and recent executions, and "Generate link" opens the share dialog.
 */
@customElement('alloy-console-users')
export class AlloyConsoleUsers extends ConsoleViewElement {
  static override styles = usersViewStyles;

  /** The path after `/console/users/`: empty for the list, else a userId. */
  @property() route = '';

  @state() private list: ListState = { kind: 'loading' };
  @state() private detail: DetailState = { kind: 'loading' };
  @state() private search = '';
  /** Created here (not by a bare import and a tag), so a bundle that drops side-effect-only imports keeps it. */
  private readonly shareDialog = new AlloyConsoleShareDialog();
  private generation = 0;

  private get userId(): string {
    return decodeURIComponent(this.route.replace(/^\/+|\/+$/g, ''));
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api') || changed.has('route')) void this.load();
    this.shareDialog.api = this.api;
    this.shareDialog.lang = this.lang;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.generation += 1;
  }

  /** Loads the list or the user the route names (again). */
  async load(): Promise<void> {
    if (!this.api) return;
    const generation = ++this.generation;
    if (this.userId) await this.loadDetail(this.userId, generation);
    else await this.loadList(generation);
  }

  private async loadList(generation: number): Promise<void> {
    this.list = { kind: 'loading' };
    try {
      const page = await this.api!.isv(
        { method: 'GET', path: '/2024-03/users', query: { limit: USERS_PAGE_SIZE } },
        UserListResponse,
      );
      if (generation !== this.generation) return;
      this.list = { kind: 'ready', users: page.data, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
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
        { method: 'GET', path: '/2024-03/users', query: { limit: USERS_PAGE_SIZE, cursor: list.nextCursor } },
        UserListResponse,
      );
      if (generation !== this.generation) return;
      this.list = {
        kind: 'ready',
        users: [...list.users, ...page.data],
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    } catch (error) {
      if (generation === this.generation) this.list = { ...list, more: toViewError(error) };
    }
  }

  private async loadDetail(userId: string, generation: number): Promise<void> {
    this.detail = { kind: 'loading' };
    const api = this.api!;
    const path = `/2024-03/users/${encodeURIComponent(userId)}`;
    try {
      const user = await api.isv({ method: 'GET', path }, User);
      const [installations, integrations, credentials, logs] = await Promise.all([
        api.isv(
          { method: 'GET', path: '/2024-03/installations', query: { userId: user.userId } },
          InstallationListResponse,
        ),
        api.isv(
          { method: 'GET', path: '/2024-03/integrations', query: { userId: user.userId } },
          IntegrationListResponse,
        ),
        api.isv(
          { method: 'GET', path: `/2024-03/users/${encodeURIComponent(user.userId)}/credentials` },
          CredentialListResponse,
        ),
        api.isv(
          { method: 'GET', path: '/2024-03/logs', query: { associatedUserId: user.userId, limit: RECENT_EXECUTIONS } },
          LogSearchResponse,
        ),
      ]);
      if (generation !== this.generation) return;
      this.detail = {
        kind: 'ready',
        detail: {
          user,
          installations: installations.data,
          integrationNames: new Map(integrations.data.map((i) => [i.integrationId, i.name])),
          credentials: credentials.data,
          executions: logs.notifications,
        },
      };
    } catch (error) {
      if (generation === this.generation) this.detail = { kind: 'error', error: toViewError(error) };
    }
  }

  protected override render() {
    const content = this.userId ? this.renderDetail() : this.renderList();
    return html`${content}${this.shareDialog}`;
  }

  private renderList() {
    const t = this.t;
    const list = this.list;
    return html`<section class="page" aria-busy=${list.kind === 'loading'}>
      <div class="page-header"><h1 id="users-title">${t.usersTitle}</h1></div>
      ${
        list.kind === 'loading'
          ? this.renderLoading()
          : list.kind === 'error'
            ? this.renderError(list.error, () => void this.load())
            : list.users.length === 0
              ? html`<p class="muted">${t.usersEmpty}</p>`
              : this.renderUsers(list)
      }
    </section>`;
  }

  private renderUsers(list: Extract<ListState, { kind: 'ready' }>) {
    const t = this.t;
    const needle = this.search.trim().toLowerCase();
    const shown = needle
      ? list.users.filter((u) => [u.username, u.fullName ?? '', u.userId].some((s) => s.toLowerCase().includes(needle)))
      : list.users;
    return html`<label class="search"
        >${t.search}
        <input
          id="users-search"
          type="search"
          autocomplete="off"
          .value=${this.search}
          @input=${(e: Event) => (this.search = (e.target as HTMLInputElement).value)}
        />
      </label>
      ${
        shown.length === 0
          ? html`<p class="muted" role="status">${t.usersNoMatch}</p>`
          : html`<ul class="rows">
              ${shown.map(
                (u) =>
                  html`<li>
                    <a href=${`/console/users/${encodeURIComponent(u.userId)}`} @click=${linkClick}>${u.username}</a>
                    ${u.fullName ? html`<span>${u.fullName}</span>` : nothing}
                    <code class="muted">${u.userId}</code>
                  </li>`,
              )}
            </ul>`
      }
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
    const back = html`<a href="/console/users" @click=${linkClick}>← ${t.allUsers}</a>`;
    if (state.kind !== 'ready') {
      return html`<section class="page" aria-busy=${state.kind === 'loading'}>
        ${back}
        <h1 id="user-title">${t.userTitle(this.userId)}</h1>
        ${state.kind === 'loading' ? this.renderLoading() : this.renderError(state.error, () => void this.load())}
      </section>`;
    }
    const { user, installations, integrationNames, credentials, executions } = state.detail;
    return html`<section class="page">
      ${back}
      <div class="page-header">
        <h1 id="user-title">${user.fullName ? `${user.username} (${user.fullName})` : user.username}</h1>
        <button type="button" @click=${() => void this.shareDialog.show({ user })}>${t.generateLink}</button>
      </div>
      <dl class="facts">
        <dt>${t.userId}</dt>
        <dd><code>${user.userId}</code></dd>
      </dl>
      <div class="sections">
        <section class="card" aria-labelledby="installations-title">
          <h2 id="installations-title">${t.installations}</h2>
          ${
            installations.length === 0
              ? html`<p class="muted">${t.installationsEmpty}</p>`
              : html`<ul>
                  ${installations.map(
                    (i) =>
                      html`<li>
                        <strong>${integrationNames.get(i.integrationId) ?? i.integrationId}</strong>
                        <span class="status ${i.enabled ? 'status-success' : ''}"
                          >${i.enabled ? t.enabled : t.disabled}</span
                        >
                        <p class="muted">
                          ${t.installedAt(formatDate(i.installedAt, this.lang))} · ${t.workflows(i.workflowIds.length)}
                        </p>
                      </li>`,
                  )}
                </ul>`
          }
        </section>
        <section class="card" aria-labelledby="credentials-title">
          <h2 id="credentials-title">${t.credentials}</h2>
          ${
            credentials.length === 0
              ? html`<p class="muted">${t.credentialsEmpty}</p>`
              : html`<ul>
                  ${credentials.map(
                    (c) =>
                      html`<li>
                        <strong>${c.name}</strong> <code class="muted">${c.type}</code>
                        <p class="muted">${t.createdAt(formatDate(c.createdAt, this.lang))}</p>
                      </li>`,
                  )}
                </ul>`
          }
        </section>
      </div>
      <section class="card" aria-labelledby="executions-title">
        <h2 id="executions-title">${t.recentExecutions}</h2>
        ${
          executions.length === 0
            ? html`<p class="muted">${t.executionsEmpty}</p>`
            : html`<ul>
                ${executions.map((n) => {
                  const status = executionStatus(n.message);
                  return html`<li>
                    <a href=${`/console/logs/${encodeURIComponent(n.data.executionId)}`} @click=${linkClick}
                      >${n.forgeWorkflow?.name ?? n.workflowId}</a
                    >
                    <span class="status status-${status}">${t.statusNames[status]}</span>
                    <span class="muted">${formatDate(n.startedAt, this.lang)}</span>
                  </li>`;
                })}
              </ul>`
        }
      </section>
    </section>`;
  }
}
