import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import {
  CredentialListResponse,
  InstallationListResponse,
  IntegrationListResponse,
  LogSearchResponse,
  User,
  UserListResponse,
  UserTokenResponse,
  type ConsoleUser,
  type Credential,
  type Installation,
  type LogNotification,
} from '../../../contract/index.js';
import { ConsoleDataView } from '../shared/view-element.js';
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
/** How long the search box waits after the last keystroke before it asks the server (Enter asks at once). */
export const SEARCH_DEBOUNCE_MS = 250;

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
/** The server's search (`searchUsers`) for `search`; idle while the box is empty (the list shows). */
type SearchState =
  | { kind: 'idle' }
  | { kind: 'loading'; search: string }
  | { kind: 'error'; search: string; error: ViewError }
  | { kind: 'ready'; search: string; users: ConsoleUser[]; nextCursor?: string; more?: 'loading' | ViewError };
/** A user token made on the detail page: shown once, gone when the page changes. */
type TokenState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'error'; error: ViewError }
  | { kind: 'ready'; token: string; expiresAt?: string; copy: 'idle' | 'copied' | 'failed' };

/** A JWT's `exp` as an ISO date, or undefined when the token says none (the console only shows it). */
function tokenExpiry(token: string): string | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(
      payload
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(payload.length / 4) * 4, '='),
    );
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000).toISOString() : undefined;
  } catch {
    return undefined;
  }
}

type DetailState = { kind: 'loading' } | { kind: 'error'; error: ViewError } | { kind: 'ready'; detail: UserDetail };

/**
 * `/console/users` and `/console/users/:userId` (`route` is the rest of the path: `''` or the
 * userId). The list pages through `GET /users`; typing in the search box asks the server
 * (`searchUsers`, the start of a username or full name) after SEARCH_DEBOUNCE_MS or on Enter, with
 * its own Load more. The detail shows the user's installations, credentials and recent executions;
 * "Generate link" opens the share dialog and "Generate token" shows a user token once.
 */
@customElement('alloy-console-users')
export class AlloyConsoleUsers extends ConsoleDataView {
  static override styles = usersViewStyles;

  /** The path after `/console/users/`: empty for the list, else a userId. */
  @property() route = '';

  @state() private list: ListState = { kind: 'loading' };
  @state() private detail: DetailState = { kind: 'loading' };
  @state() private search = '';
  @state() private searchState: SearchState = { kind: 'idle' };
  @state() private token: TokenState = { kind: 'idle' };
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every new search (and by load/disconnect): an older answer is dropped. */
  private searchGeneration = 0;
  /** Created here (not by a bare import and a tag), so a bundle that drops side-effect-only imports keeps it. */
  private readonly shareDialog = new AlloyConsoleShareDialog();
  private get userId(): string {
    return ConsoleDataView.routeId(this.route);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api') || changed.has('route')) void this.load();
    this.shareDialog.api = this.api;
    this.shareDialog.lang = this.lang;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.cancelSearchTimer();
    this.searchGeneration += 1;
  }

  /** Loads the list or the user the route names (again). */
  async load(): Promise<void> {
    if (!this.api) return;
    const generation = ++this.generation;
    this.token = { kind: 'idle' };
    this.cancelSearchTimer();
    this.searchGeneration += 1;
    this.search = '';
    this.searchState = { kind: 'idle' };
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

  private cancelSearchTimer(): void {
    if (this.searchTimer !== undefined) clearTimeout(this.searchTimer);
    this.searchTimer = undefined;
  }

  /** A keystroke: an empty box shows the list again at once; anything else is searched after a pause. */
  private onSearchInput(value: string): void {
    this.search = value;
    this.cancelSearchTimer();
    if (value.trim() === '') {
      this.searchGeneration += 1;
      this.searchState = { kind: 'idle' };
      return;
    }
    this.searchTimer = setTimeout(() => {
      this.searchTimer = undefined;
      void this.runSearch();
    }, SEARCH_DEBOUNCE_MS);
  }

  private onSearchKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    this.cancelSearchTimer();
    if (this.search.trim() !== '') void this.runSearch();
  }

  /** Asks the server for the first page of what the box holds (again, for Retry). */
  private async runSearch(): Promise<void> {
    const search = this.search.trim();
    if (!search || !this.api) return;
    const generation = ++this.searchGeneration;
    this.searchState = { kind: 'loading', search };
    try {
      const page = await this.api.searchUsers({ search });
      if (generation !== this.searchGeneration) return;
      this.searchState = {
        kind: 'ready',
        search,
        users: page.data,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    } catch (error) {
      if (generation === this.searchGeneration) this.searchState = { kind: 'error', search, error: toViewError(error) };
    }
  }

  private async loadMoreFound(): Promise<void> {
    const found = this.searchState;
    if (found.kind !== 'ready' || !found.nextCursor || found.more === 'loading' || !this.api) return;
    const generation = this.searchGeneration;
    this.searchState = { ...found, more: 'loading' };
    try {
      const page = await this.api.searchUsers({ search: found.search, cursor: found.nextCursor });
      if (generation !== this.searchGeneration) return;
      this.searchState = {
        kind: 'ready',
        search: found.search,
        users: [...found.users, ...page.data],
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
    } catch (error) {
      if (generation === this.searchGeneration) this.searchState = { ...found, more: toViewError(error) };
    }
  }

  /** `GET /users/:userId/token`: a fresh user token, shown once with its expiry. */
  private async generateToken(userId: string): Promise<void> {
    if (!this.api || this.token.kind === 'loading') return;
    const generation = this.generation;
    this.token = { kind: 'loading' };
    try {
      const { token } = await this.api.isv(
        { method: 'GET', path: `/2024-03/users/${encodeURIComponent(userId)}/token` },
        UserTokenResponse,
      );
      if (generation !== this.generation) return;
      const expiresAt = tokenExpiry(token);
      this.token = { kind: 'ready', token, ...(expiresAt ? { expiresAt } : {}), copy: 'idle' };
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('#user-token')?.focus();
    } catch (error) {
      if (generation === this.generation) this.token = { kind: 'error', error: toViewError(error) };
    }
  }

  private async copyToken(): Promise<void> {
    const token = this.token;
    if (token.kind !== 'ready') return;
    let copy: 'copied' | 'failed';
    try {
      await navigator.clipboard.writeText(token.token);
      copy = 'copied';
    } catch {
      copy = 'failed';
    }
    if (this.token === token) this.token = { ...token, copy };
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
    const found = this.searchState;
    return html`<label class="search"
        >${t.search}
        <input
          id="users-search"
          type="search"
          autocomplete="off"
          aria-describedby="users-search-hint"
          aria-controls="users-results"
          .value=${this.search}
          @input=${(e: Event) => this.onSearchInput((e.target as HTMLInputElement).value)}
          @keydown=${this.onSearchKeydown}
        />
      </label>
      <p id="users-search-hint" class="muted hint">${t.usersSearchHint}</p>
      <div id="users-results" aria-busy=${found.kind === 'loading'}>
        ${
          found.kind === 'idle'
            ? this.renderRows(list.users, list.nextCursor, list.more, this.loadMore)
            : found.kind === 'loading'
              ? this.renderLoading()
              : found.kind === 'error'
                ? this.renderError(found.error, () => void this.runSearch())
                : found.users.length === 0
                  ? html`<p class="muted" role="status">${t.usersSearchEmpty(found.search)}</p>`
                  : this.renderRows(found.users, found.nextCursor, found.more, this.loadMoreFound)
        }
      </div>`;
  }

  /** A page of users (the list's or the search's) and its Load more. */
  private renderRows(
    users: readonly User[],
    nextCursor: string | undefined,
    more: 'loading' | ViewError | undefined,
    loadMore: () => Promise<void>,
  ) {
    const t = this.t;
    return html`<ul class="rows">
        ${users.map(
          (u) =>
            html`<li>
              <a href=${`/console/users/${encodeURIComponent(u.userId)}`} @click=${linkClick}>${u.username}</a>
              ${u.fullName ? html`<span>${u.fullName}</span>` : nothing}
              <code class="muted">${u.userId}</code>
            </li>`,
        )}
      </ul>
      ${more && more !== 'loading' ? this.renderError(more, () => void loadMore.call(this)) : nothing}
      ${
        nextCursor
          ? html`<button type="button" class="secondary more" ?disabled=${more === 'loading'} @click=${loadMore}>
              ${more === 'loading' ? t.loading : t.loadMore}
            </button>`
          : nothing
      }`;
  }

  /** Generate token, and once made: the token (read-only) with Copy, its expiry and what it is for. */
  private renderToken(user: User) {
    const t = this.t;
    const token = this.token;
    return html`<section class="card token" aria-labelledby="token-title">
      <h2 id="token-title">${t.tokenTitle}</h2>
      <p class="muted">${t.tokenNote}</p>
      ${
        token.kind === 'ready'
          ? html`<div class="copy-row">
                <input
                  id="user-token"
                  readonly
                  aria-labelledby="token-title"
                  .value=${token.token}
                  @focus=${(e: Event) => (e.target as HTMLInputElement).select()}
                />
                <button type="button" class="copy" @click=${this.copyToken}>${t.copy}</button>
              </div>
              ${token.expiresAt ? html`<p class="muted">${t.tokenExpires(formatDate(token.expiresAt, this.lang))}</p>` : nothing}`
          : token.kind === 'error'
            ? this.renderError(token.error, () => void this.generateToken(user.userId))
            : html`<div>
                <button
                  type="button"
                  class="generate-token"
                  ?disabled=${token.kind === 'loading'}
                  @click=${() => void this.generateToken(user.userId)}
                >
                  ${token.kind === 'loading' ? t.generatingToken : t.generateToken}
                </button>
              </div>`
      }
      <p role="status" class=${token.kind === 'ready' && token.copy === 'failed' ? 'copy-failed' : 'notice'}>
        ${token.kind === 'ready' && token.copy === 'copied' ? t.tokenCopied : token.kind === 'ready' && token.copy === 'failed' ? t.tokenCopyFailed : ''}
      </p>
    </section>`;
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
      ${this.renderToken(user)}
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
