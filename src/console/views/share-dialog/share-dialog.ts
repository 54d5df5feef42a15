import { html, nothing, type PropertyValues } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import {
  CreateUserResponse,
  DEFAULT_LINK_TTL_SECONDS,
  InstallUrlResponse,
  IntegrationListResponse,
  UserListResponse,
  type IntegrationSummary,
  type User,
} from '../../../contract/index.js';
import type { ConsoleLink } from '../../../contract/console.js';
import { ConsoleViewElement } from '../shared/view-element.js';
import { formatDate, toViewError, type ViewError } from '../shared/format.js';
import { shareDialogStyles } from './share-dialog.styles.js';

/** The expiry choices in days; `createInstallUrl` takes seconds (`expiresIn`, 60 s to 30 days). */
export const LINK_EXPIRY_DAYS = [1, 3, 7, 14, 30] as const;
const DEFAULT_DAYS = DEFAULT_LINK_TTL_SECONDS / 86_400;
const SECONDS_PER_DAY = 86_400;
/** How many of the chosen user's recent links to the integration the dialog shows. */
export const RECENT_LINKS_SHOWN = 5;
/** How many matching users the picker lists at once; the search narrows the rest. */
const SHOWN_USERS = 50;

export interface ShareIntegration {
  integrationId: string;
  name: string;
}

export interface ShareOptions {
  /** The integration to share; without it the dialog offers the user's integrations. */
  integration?: ShareIntegration;
  /** The user the link is for; without it the dialog offers an existing or a new user. */
  user?: User;
}

/** Fired after a link was created; the dialog stays open showing it. */
export type AlloyConsoleLinkCreatedEvent = CustomEvent<{
  userId: string;
  integrationId: string;
  url: string;
  expiresAt: string;
}>;

declare global {
  interface GlobalEventHandlersEventMap {
    'alloy-console-link-created': AlloyConsoleLinkCreatedEvent;
  }
  interface HTMLElementTagNameMap {
    'alloy-console-share-dialog': AlloyConsoleShareDialog;
  }
}

/**
 * Creates an Embedded Link (single-use install URL) for one user and integration: pick an existing
 * user (search over `GET /users`) or create one (`POST /users`), pick the expiry, then
 * `GET /users/:userId/integrations/:integrationId/install-url?expiresIn=`; the link is shown
 * read-only with a Copy button. Open it with `show(options)`.
 */
@customElement('alloy-console-share-dialog')
export class AlloyConsoleShareDialog extends ConsoleViewElement {
  static override styles = shareDialogStyles;

  @state() private options: ShareOptions = {};
  @state() private open = false;
  @state() private mode: 'existing' | 'new' = 'existing';
  @state() private users?: User[];
  @state() private usersError?: ViewError;
  @state() private search = '';
  @state() private selectedUserId = '';
  @state() private username = '';
  @state() private fullName = '';
  /** The user this dialog created (now the chosen existing user), until another choice is made. */
  @state() private createdUser?: User;
  @state() private integrations?: IntegrationSummary[];
  @state() private selectedIntegrationId = '';
  @state() private days: number = DEFAULT_DAYS;
  @state() private busy = false;
  @state() private error?: ViewError;
  @state() private problem = '';
  @state() private link?: InstallUrlResponse;
  @state() private copyState: 'idle' | 'copied' | 'failed' = 'idle';
  /** The chosen user's recent links to the chosen integration (`ConsoleApi.links`), for the pair `key`. */
  @state() private recent?: { key: string; links?: ConsoleLink[]; error?: ViewError };

  @query('dialog') private dialog!: HTMLDialogElement;
  private generation = 0;

  /** Opens the dialog afresh for `options`. */
  async show(options: ShareOptions = {}): Promise<void> {
    this.generation += 1;
    this.options = options;
    this.mode = 'existing';
    this.users = undefined;
    this.usersError = undefined;
    this.search = '';
    this.selectedUserId = options.user?.userId ?? '';
    this.username = '';
    this.fullName = '';
    this.createdUser = undefined;
    this.integrations = undefined;
    this.selectedIntegrationId = options.integration?.integrationId ?? '';
    this.days = DEFAULT_DAYS;
    this.busy = false;
    this.error = undefined;
    this.problem = '';
    this.link = undefined;
    this.copyState = 'idle';
    this.recent = undefined;
    this.open = true;
    await this.updateComplete;
    if (!this.dialog.open) this.dialog.showModal();
    if (!options.user) void this.loadUsers(this.generation);
    if (!options.integration && options.user) void this.loadIntegrations(options.user.userId, this.generation);
  }

  close(): void {
    if (this.dialog?.open) this.dialog.close();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.generation += 1;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // A new API object (environment switch) makes what the dialog loaded stale: close it.
    if (changed.has('api') && changed.get('api') !== undefined) this.close();
  }

  protected override willUpdate(): void {
    // Before rendering, so the list's state changes in this update, not in another one.
    this.loadRecentLinksIfChosen();
  }

  /** The user and integration chosen now, when both are. */
  private get chosenPair(): { userId: string; integrationId: string } | undefined {
    const userId = this.options.user?.userId ?? (this.mode === 'existing' ? this.selectedUserId : '');
    const integrationId = this.options.integration?.integrationId ?? this.selectedIntegrationId;
    return this.open && userId && integrationId ? { userId, integrationId } : undefined;
  }

  /** Loads the recent links of the chosen pair when it changed (or `force`, after a new link). */
  private loadRecentLinksIfChosen(force = false): void {
    const pair = this.chosenPair;
    const key = pair ? `${this.generation} ${pair.userId} ${pair.integrationId}` : '';
    if (!pair || !this.api) {
      if (this.recent) this.recent = undefined;
      return;
    }
    if (!force && this.recent?.key === key) return;
    this.recent = { key };
    void this.api.links(pair).then(
      (answer) => {
        if (this.recent?.key === key) this.recent = { key, links: answer.data.slice(0, RECENT_LINKS_SHOWN) };
      },
      (error: unknown) => {
        if (this.recent?.key === key) this.recent = { key, error: toViewError(error) };
      },
    );
  }

  private async loadUsers(generation: number): Promise<void> {
    if (!this.api) return;
    try {
      const answer = await this.api.isv({ method: 'GET', path: '/2024-03/users' }, UserListResponse);
      if (generation !== this.generation) return;
      this.users = answer.data;
      this.selectedUserId = answer.data[0]?.userId ?? '';
      if (answer.data.length === 0) this.mode = 'new';
    } catch (error) {
      if (generation === this.generation) this.usersError = toViewError(error);
    }
  }

  private async loadIntegrations(userId: string, generation: number): Promise<void> {
    if (!this.api) return;
    try {
      const answer = await this.api.isv(
        { method: 'GET', path: '/2024-03/integrations', query: { userId } },
        IntegrationListResponse,
      );
      if (generation !== this.generation) return;
      this.integrations = answer.data;
      this.selectedIntegrationId = answer.data[0]?.integrationId ?? '';
    } catch (error) {
      if (generation === this.generation) this.error = toViewError(error);
    }
  }

  private get matchingUsers(): User[] {
    const needle = this.search.trim().toLowerCase();
    const all = this.users ?? [];
    const found = needle
      ? all.filter((u) => [u.username, u.fullName ?? '', u.userId].some((text) => text.toLowerCase().includes(needle)))
      : all;
    return found.slice(0, SHOWN_USERS);
  }

  private onSearch(event: Event): void {
    this.search = (event.target as HTMLInputElement).value;
    const matches = this.matchingUsers;
    if (!matches.some((u) => u.userId === this.selectedUserId)) this.chooseUser(matches[0]?.userId ?? '');
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.busy || !this.api) return;
    const generation = this.generation;
    const integrationId = this.options.integration?.integrationId ?? this.selectedIntegrationId;
    this.problem = '';
    this.error = undefined;
    if (!integrationId) {
      this.problem = this.t.chooseIntegration;
      return;
    }
    let userId = this.options.user?.userId ?? (this.mode === 'existing' ? this.selectedUserId : '');
    if (!userId && (this.mode === 'existing' || !this.username.trim())) {
      this.problem = this.t.chooseUser;
      return;
    }
    this.busy = true;
    this.link = undefined;
    this.copyState = 'idle';
    try {
      if (!userId) {
        const username = this.username.trim();
        const fullName = this.fullName.trim();
        const created = await this.api.isv(
          { method: 'POST', path: '/2024-03/users', body: fullName ? { username, fullName } : { username } },
          CreateUserResponse,
        );
        if (generation !== this.generation) return;
        // The user exists now: a second try picks them instead of creating them again.
        // The radio moves to "An existing user" with them chosen, and a note says so.
        userId = created.userId;
        const user: User = { userId, username, fullName: fullName || null };
        this.users = [user, ...(this.users ?? [])];
        this.selectedUserId = userId;
        this.createdUser = user;
        this.search = '';
        this.username = '';
        this.fullName = '';
        this.mode = 'existing';
      }
      const link = await this.api.isv(
        {
          method: 'GET',
          path: `/2024-03/users/${encodeURIComponent(userId)}/integrations/${encodeURIComponent(integrationId)}/install-url`,
          query: { expiresIn: this.days * SECONDS_PER_DAY },
        },
        InstallUrlResponse,
      );
      if (generation !== this.generation) return;
      this.link = link;
      this.dispatchEvent(
        new CustomEvent('alloy-console-link-created', {
          detail: { userId, integrationId, url: link.url, expiresAt: link.expiresAt },
          bubbles: true,
          composed: true,
        }),
      );
      this.loadRecentLinksIfChosen(true);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('#share-link')?.focus();
    } catch (error) {
      if (generation === this.generation) this.error = toViewError(error);
    } finally {
      if (generation === this.generation) this.busy = false;
    }
  }

  private async copy(): Promise<void> {
    if (!this.link) return;
    try {
      await navigator.clipboard.writeText(this.link.url);
      this.copyState = 'copied';
    } catch {
      this.copyState = 'failed';
      this.renderRoot.querySelector<HTMLInputElement>('#share-link')?.select();
    }
  }

  protected override render() {
    const t = this.t;
    const title = this.options.integration ? t.shareTitle(this.options.integration.name) : t.linkTitle;
    return html`<dialog aria-labelledby="share-title" @close=${() => (this.open = false)}>
      ${
        this.open
          ? html`<form @submit=${this.onSubmit} novalidate>
              <h2 id="share-title">${title}</h2>
              ${this.renderUser()} ${this.renderIntegration()}
              <label
                >${t.expiry}
                <select
                  id="share-expiry"
                  .value=${String(this.days)}
                  @change=${(e: Event) => (this.days = Number((e.target as HTMLSelectElement).value))}
                >
                  ${LINK_EXPIRY_DAYS.map(
                    (d) => html`<option value=${d} ?selected=${d === this.days}>${t.days(d)}</option>`,
                  )}
                </select>
              </label>
              ${this.problem ? html`<p class="error-title" role="alert">${this.problem}</p>` : nothing}
              ${this.error ? this.renderError(this.error) : nothing} ${this.renderLink()} ${this.renderRecentLinks()}
              <div class="actions">
                <button type="button" class="secondary" @click=${() => this.close()}>${t.close}</button>
                <button type="submit" ?disabled=${this.busy}>${this.busy ? t.creatingLink : t.createLink}</button>
              </div>
            </form>`
          : nothing
      }
    </dialog>`;
  }

  private renderUser() {
    const t = this.t;
    const preset = this.options.user;
    if (preset) {
      return html`<p>
        <strong>${t.user}:</strong> ${preset.username}${preset.fullName ? ` (${preset.fullName})` : ''}
      </p>`;
    }
    return html`<fieldset>
      <legend>${t.userMode}</legend>
      <label class="choice"
        ><input
          type="radio"
          name="mode"
          value="existing"
          .checked=${this.mode === 'existing'}
          @change=${() => this.setMode('existing')}
        />${t.existingUser}</label
      >
      <label class="choice"
        ><input
          type="radio"
          name="mode"
          value="new"
          .checked=${this.mode === 'new'}
          @change=${() => this.setMode('new')}
        />${t.newUser}</label
      >
      ${this.mode === 'existing' ? this.renderExistingUser() : this.renderNewUser()}
    </fieldset>`;
  }

  private setMode(mode: 'existing' | 'new'): void {
    this.mode = mode;
    this.createdUser = undefined;
  }

  private chooseUser(userId: string): void {
    this.selectedUserId = userId;
    if (this.createdUser?.userId !== userId) this.createdUser = undefined;
  }

  private renderExistingUser() {
    const t = this.t;
    if (this.usersError) return this.renderError(this.usersError);
    if (!this.users) return this.renderLoading();
    const matches = this.matchingUsers;
    return html`<label
        >${t.searchUsers}
        <input id="share-search" type="search" autocomplete="off" .value=${this.search} @input=${this.onSearch} />
      </label>
      ${
        matches.length === 0
          ? html`<p class="muted" role="status">${t.noUsersMatch}</p>`
          : html`<label
              >${t.user}
              <select
                id="share-user"
                size=${Math.min(6, Math.max(2, matches.length))}
                aria-describedby=${this.createdUser ? 'share-user-created' : nothing}
                @change=${(e: Event) => this.chooseUser((e.target as HTMLSelectElement).value)}
              >
                ${matches.map((u) => {
                  const label = u.fullName ? `${u.username} (${u.fullName})` : u.username;
                  return html`<option value=${u.userId} title=${label} ?selected=${u.userId === this.selectedUserId}>
                    ${label}
                  </option>`;
                })}
              </select>
            </label>`
      }
      ${
        this.createdUser
          ? html`<p class="help created" id="share-user-created">${t.userCreated(this.createdUser.username)}</p>`
          : nothing
      }`;
  }

  private renderNewUser() {
    const t = this.t;
    return html`<label
        >${t.username}
        <input
          id="share-username"
          autocomplete="off"
          required
          maxlength="320"
          aria-describedby="share-username-help"
          .value=${this.username}
          @input=${(e: Event) => (this.username = (e.target as HTMLInputElement).value)}
        />
      </label>
      <p class="help" id="share-username-help">${t.usernameHelp}</p>
      <label
        >${t.fullName}
        <input
          id="share-fullname"
          autocomplete="off"
          maxlength="200"
          .value=${this.fullName}
          @input=${(e: Event) => (this.fullName = (e.target as HTMLInputElement).value)}
        />
      </label>`;
  }

  private renderIntegration() {
    const t = this.t;
    if (this.options.integration) return nothing;
    if (!this.integrations) return this.error ? nothing : this.renderLoading();
    return html`<label
      >${t.integration}
      <select
        id="share-integration"
        @change=${(e: Event) => (this.selectedIntegrationId = (e.target as HTMLSelectElement).value)}
      >
        ${this.integrations.map(
          (i) =>
            html`<option value=${i.integrationId} ?selected=${i.integrationId === this.selectedIntegrationId}>
              ${i.name}
            </option>`,
        )}
      </select>
    </label>`;
  }

  private renderRecentLinks() {
    const t = this.t;
    const recent = this.recent;
    if (!recent) return nothing;
    const date = (iso: string) => formatDate(iso, this.lang);
    const detail = (link: ConsoleLink) =>
      link.status === 'used'
        ? t.linkUsedAt(date(link.usedAt ?? link.expiresAt))
        : link.status === 'expired'
          ? t.linkExpiredAt(date(link.expiresAt))
          : t.linkExpiresAt(date(link.expiresAt));
    return html`<section class="recent-links" aria-labelledby="recent-links-title">
      <h3 id="recent-links-title">${t.recentLinks}</h3>
      ${
        recent.error
          ? this.renderError(recent.error, () => this.loadRecentLinksIfChosen(true))
          : !recent.links
            ? this.renderLoading()
            : recent.links.length === 0
              ? html`<p class="muted">${t.recentLinksEmpty}</p>`
              : html`<ul>
                  ${recent.links.map(
                    (link) =>
                      html`<li>
                        <span class="status link-${link.status}">${t.linkStatusNames[link.status]}</span>
                        <span class="muted">${t.linkMadeAt(date(link.createdAt))} · ${detail(link)}</span>
                      </li>`,
                  )}
                </ul>`
      }
    </section>`;
  }

  private renderLink() {
    const t = this.t;
    const link = this.link;
    return html`<div class="result" ?hidden=${!link}>
      ${
        link
          ? html`<label for="share-link">${t.link}</label>
              <div class="copy-row">
                <input
                  id="share-link"
                  readonly
                  .value=${link.url}
                  @focus=${(e: Event) => (e.target as HTMLInputElement).select()}
                />
                <button type="button" @click=${this.copy}>${t.copy}</button>
              </div>
              <p class="muted">${t.linkExpires(formatDate(link.expiresAt, this.lang))}</p>`
          : nothing
      }
      <p role="status" class=${this.copyState === 'failed' ? 'copy-failed' : 'notice'}>
        ${this.copyState === 'copied' ? t.copied : this.copyState === 'failed' ? t.copyFailed : ''}
      </p>
    </div>`;
  }
}
