import { html, nothing, type PropertyValues } from 'lit';
import type * as z from 'zod/mini';
import { customElement, property, state } from 'lit/decorators.js';
import { WorkflowUsersResponse } from '../../../contract/workflows.js';
import { messagesFor } from '../../i18n/index.js';
import { linkClick } from '../shared/events.js';
import { formatDate, toViewError, type ViewError } from '../shared/format.js';
import { ConsoleDataView } from '../shared/view-element.js';
import { versionUsersStyles } from './version-users.styles.js';

type Users = z.infer<typeof WorkflowUsersResponse>['data'];

/**
 * The users of a workflow in the api's environment with the version each one runs, so the builder's
 * version list answers "who is still on version 1?" (the ISV API's `GET /workflows/:id/users`).
 * Those on an older version than `latest` are marked; whether moving them needs a reinstall is the
 * version list's own column.
 */
@customElement('alloy-console-version-users')
export class AlloyConsoleVersionUsers extends ConsoleDataView {
  static override styles = versionUsersStyles;

  @property() workflowId = '';
  /** The newest released version (0 before the first release). */
  @property({ type: Number }) latest = 0;

  @state() private users: Users | undefined;
  @state() private error: ViewError | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api') || changed.has('workflowId') || changed.has('latest')) void this.load();
  }

  override async load(): Promise<void> {
    const api = this.api;
    const generation = ++this.generation;
    if (!api || !this.workflowId || this.latest === 0) return;
    this.error = undefined;
    try {
      const answer = await api.isv(
        { method: 'GET', path: `/2024-03/workflows/${encodeURIComponent(this.workflowId)}/users` },
        WorkflowUsersResponse,
      );
      if (generation === this.generation) this.users = answer.data;
    } catch (error) {
      if (generation === this.generation) this.error = toViewError(error);
    }
  }

  protected override render() {
    if (this.latest === 0) return nothing;
    const m = messagesFor(this.lang).versionUsers;
    const users = this.users;
    return html`<h3 id="title">${m.title}</h3>
      ${
        this.error
          ? this.renderError(this.error, () => void this.load())
          : !users
            ? this.renderLoading()
            : users.length === 0
              ? html`<p class="muted">${m.empty}</p>`
              : html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="title">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">${m.user}</th>
                        <th scope="col">${m.version}</th>
                        <th scope="col">${m.state}</th>
                        <th scope="col">${m.installed}</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${users.map(
                        (u) =>
                          html`<tr>
                            <th scope="row">
                              <a href=${`/console/users/${encodeURIComponent(u.userId)}`} @click=${linkClick}
                                >${u.fullName ?? u.username}</a
                              >
                            </th>
                            <td class=${u.installedVersion < this.latest ? 'old' : ''}>
                              ${u.installedVersion === this.latest ? m.latest(u.installedVersion) : u.installedVersion}
                            </td>
                            <td>${u.workflowActive ? m.active : m.paused}</td>
                            <td>${formatDate(u.installedAt, this.lang)}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>
                </div>`
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-version-users': AlloyConsoleVersionUsers;
  }
}
