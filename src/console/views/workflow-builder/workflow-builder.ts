import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { ConsoleApiError } from '../../api-types.js';
import type {
  BuilderBlock,
  BuilderTrigger,
  ConsoleConnector,
  ConsoleIntegrationDetail,
  ConsoleWorkflowDetail,
  ConsoleWorkflowVersion,
  WorkflowDraft,
} from '../../../contract/console-builder.js';
import type { ValidationIssue } from '../../../contract/errors.js';
import { messagesFor } from '../../i18n/index.js';
import type { BuilderMessages } from '../../i18n/messages.js';
import { integrationPath } from '../../app/router.js';
import { AlloyConsoleBlockPanel, type AlloyConsoleItemChangeEvent } from '../block-panel/block-panel.js';
import {
  AlloyConsoleBuilderFlow,
  type AlloyConsoleFlowAddEvent,
  type AlloyConsoleFlowMoveEvent,
  type AlloyConsoleFlowRemoveEvent,
  type AlloyConsoleFlowSelectEvent,
} from '../builder-flow/builder-flow.js';
import { linkClick } from '../shared/events.js';
import { formatDate, toViewError, type ViewError } from '../shared/format.js';
import { ConsoleDataView } from '../shared/view-element.js';
import { freshId, issuesUnder, moved, newBlock, variablesFor, type Selection } from './model.js';
import { workflowBuilderStyles } from './workflow-builder.styles.js';

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-workflow-builder': AlloyConsoleWorkflowBuilder;
  }
}

/** How long the builder waits after the last edit before it saves the draft. */
export const AUTOSAVE_DELAY_MS = 700;

type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'failed' | 'conflict';

type ViewState =
  | { kind: 'loading' }
  | { kind: 'error'; error: ViewError }
  | {
      kind: 'ready';
      detail: ConsoleWorkflowDetail;
      integration: ConsoleIntegrationDetail;
      connector: ConsoleConnector | undefined;
    };

/**
 * `/console/integrations/:integrationId/workflows/:workflowId`: the workflow builder. A console
 * workflow's draft is edited in the flow and the panel of the picked card, autosaved
 * (`AUTOSAVE_DELAY_MS` after the last edit, with the `draftSavedAt` it started from, so a save
 * made elsewhere meanwhile is a conflict and not silently overwritten), its issues are shown on
 * the card and field they point to and in a list at the top, and **Release this Version** (after
 * a confirm) makes it the next version. A workflow defined in code shows its latest version
 * read-only. Both list the released versions with their installations and whether moving users
 * to them needs a reinstall.
 */
@customElement('alloy-console-workflow-builder')
export class AlloyConsoleWorkflowBuilder extends ConsoleDataView {
  static override styles = workflowBuilderStyles;

  @property() integrationId = '';
  @property() workflowId = '';

  @state() private view: ViewState = { kind: 'loading' };
  @state() private draft: WorkflowDraft | undefined;
  @state() private issues: ValidationIssue[] = [];
  @state() private saveState: SaveState = 'idle';
  @state() private saveError: ViewError | undefined;
  @state() private unreleased = false;
  @state() private selected: Selection | undefined;
  @state() private releasing = false;
  @state() private releaseMessage = '';
  @state() private releaseError: ViewError | undefined;
  @query('dialog') private confirmDialog?: HTMLDialogElement;

  /** The `draftSavedAt` the next save starts from. */
  private baseSavedAt: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> | undefined;
  /** An edit arrived while a save was in flight: save again when it ends. */
  private again = false;

  private get b(): BuilderMessages {
    return messagesFor(this.lang).builder;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api') || changed.has('workflowId') || changed.has('integrationId')) void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Leaving the page saves what is pending rather than dropping it.
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.save();
    }
  }

  async load(): Promise<void> {
    const api = this.api;
    if (!api || !this.workflowId || !this.integrationId) return;
    const generation = ++this.generation;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.view = { kind: 'loading' };
    try {
      const [detail, integration, connectors] = await Promise.all([
        api.workflow(this.workflowId),
        api.integration(this.integrationId),
        api.connectors(),
      ]);
      if (generation !== this.generation) return;
      this.view = {
        kind: 'ready',
        detail,
        integration,
        connector: connectors.data.find((c) => c.id === integration.app),
      };
      this.draft = detail.draft ?? undefined;
      this.issues = detail.issues;
      this.baseSavedAt = detail.draftSavedAt ?? undefined;
      this.unreleased = detail.unreleasedChanges;
      this.saveState = 'idle';
      this.saveError = undefined;
    } catch (error) {
      if (generation === this.generation) this.view = { kind: 'error', error: toViewError(error) };
    }
  }

  /** Takes an edited draft and schedules its save. */
  private edit(draft: WorkflowDraft): void {
    this.draft = draft;
    this.unreleased = true;
    this.releaseMessage = '';
    if (this.saveState === 'conflict') return; // The user chooses first; the edit stays here.
    this.saveState = 'pending';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, AUTOSAVE_DELAY_MS);
  }

  /** Saves the draft now (`force`: over a save made elsewhere). */
  private async save(force = false): Promise<void> {
    const api = this.api;
    const draft = this.draft;
    if (!api || !draft) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.saveState = 'saving';
    this.saveError = undefined;
    const body = force || this.baseSavedAt === undefined ? { draft } : { draft, baseSavedAt: this.baseSavedAt };
    const generation = this.generation;
    const run = (async () => {
      try {
        const saved = await api.saveDraft(this.workflowId, body);
        if (generation !== this.generation) return;
        this.baseSavedAt = saved.draftSavedAt;
        this.issues = saved.issues;
        this.saveState = this.draft === draft ? 'saved' : 'pending';
      } catch (error) {
        if (generation !== this.generation) return;
        this.again = false;
        const conflict = error instanceof ConsoleApiError && (error.status === 409 || error.code === 'conflict');
        this.saveState = conflict ? 'conflict' : 'failed';
        this.saveError = toViewError(error);
      }
    })();
    this.inFlight = run;
    await run;
    this.inFlight = undefined;
    const after = this.saveState as SaveState;
    const again = this.again;
    this.again = false;
    // An edit whose timer already fired while this save was in flight: save it now.
    if (again && this.timer === undefined && (after === 'saved' || after === 'pending')) await this.save();
  }

  private setTrigger(trigger: BuilderTrigger): void {
    if (this.draft) this.edit({ ...this.draft, trigger });
  }

  private setBlocks(blocks: BuilderBlock[]): void {
    if (this.draft) this.edit({ ...this.draft, blocks });
  }

  private readonly onSelect = (event: AlloyConsoleFlowSelectEvent): void => {
    this.selected = event.detail.selection;
    void this.updateComplete.then(() =>
      this.renderRoot
        .querySelector('alloy-console-block-panel')
        ?.shadowRoot?.querySelector<HTMLElement>('#type')
        ?.focus(),
    );
  };

  private readonly onAdd = (event: AlloyConsoleFlowAddEvent): void => {
    const draft = this.draft;
    if (!draft || this.view.kind !== 'ready') return;
    const block = newBlock(
      'streamData',
      freshId(draft, 'streamData'),
      this.b.blockTypes.streamData,
      this.view.integration.app,
    );
    const blocks = [...draft.blocks];
    blocks.splice(event.detail.index, 0, block);
    this.setBlocks(blocks);
    this.onSelect(new CustomEvent('select', { detail: { selection: event.detail.index } }));
  };

  private readonly onMove = (event: AlloyConsoleFlowMoveEvent): void => {
    const draft = this.draft;
    if (!draft) return;
    const { index, by } = event.detail;
    this.setBlocks(moved(draft.blocks, index, by));
    if (this.selected === index) this.selected = index + by;
    else if (this.selected === index + by) this.selected = index;
  };

  private readonly onRemove = (event: AlloyConsoleFlowRemoveEvent): void => {
    const draft = this.draft;
    if (!draft) return;
    const { index } = event.detail;
    this.setBlocks(draft.blocks.filter((_, i) => i !== index));
    if (this.selected === index) this.selected = undefined;
    else if (typeof this.selected === 'number' && this.selected > index) this.selected -= 1;
  };

  private readonly onItemChange = (event: AlloyConsoleItemChangeEvent): void => {
    const draft = this.draft;
    const selected = this.selected;
    if (!draft || selected === undefined) return;
    if (selected === 'trigger') this.setTrigger(event.detail.item as BuilderTrigger);
    else this.setBlocks(draft.blocks.map((b, i) => (i === selected ? (event.detail.item as BuilderBlock) : b)));
  };

  private get releaseBlocker(): string | undefined {
    if (this.issues.length > 0) return this.b.fixIssuesFirst;
    if (!this.unreleased) return this.b.nothingChanged;
    return undefined;
  }

  private get saveSettled(): boolean {
    return this.saveState === 'idle' || this.saveState === 'saved';
  }

  private openRelease(): void {
    this.releaseError = undefined;
    this.confirmDialog?.showModal();
  }

  private async release(): Promise<void> {
    const api = this.api;
    if (!api || this.view.kind !== 'ready') return;
    this.releasing = true;
    this.releaseError = undefined;
    const generation = this.generation;
    try {
      const released = await api.release(this.workflowId);
      const detail = await api.workflow(this.workflowId);
      if (generation !== this.generation || this.view.kind !== 'ready') return;
      this.view = { ...this.view, detail };
      this.unreleased = detail.unreleasedChanges;
      this.issues = detail.issues;
      this.releaseMessage = this.b.released(released.version);
      this.confirmDialog?.close();
    } catch (error) {
      if (generation !== this.generation) return;
      this.releaseError = toViewError(error);
      // Refused as invalid: show the saved draft's issues where they point.
      if (error instanceof ConsoleApiError && error.code === 'validation_failed') {
        const detail = await api.workflow(this.workflowId).catch(() => undefined);
        if (detail && generation === this.generation) this.issues = detail.issues;
      }
    } finally {
      this.releasing = false;
    }
  }

  protected override render() {
    const view = this.view;
    return html`<section class="page" aria-busy=${view.kind === 'loading'}>
      <p>
        <a href=${integrationPath(this.integrationId)} @click=${linkClick}
          >${view.kind === 'ready' ? view.integration.name : this.b.allIntegrations}</a
        >
      </p>
      ${
        view.kind === 'loading'
          ? this.renderLoading()
          : view.kind === 'error'
            ? this.renderError(view.error, () => void this.load())
            : view.detail.source === 'code' || !this.draft
              ? this.renderCode(view.detail, view.integration)
              : this.renderBuilder(view.detail, view.integration, view.connector, this.draft)
      }
    </section>`;
  }

  private renderCode(detail: ConsoleWorkflowDetail, integration: ConsoleIntegrationDetail) {
    const b = this.b;
    const latest = detail.versions.reduce<ConsoleWorkflowVersion | undefined>(
      (best, v) => (best === undefined || v.version > best.version ? v : best),
      undefined,
    );
    return html`<div class="page-header"><h1>${detail.name}</h1></div>
      <p class="card banner">${b.codeBanner(integration.file ?? integration.name)}</p>
      ${
        latest
          ? html`<section class="stack" aria-labelledby="latest-title">
              <h2 id="latest-title">${b.latestVersion(latest.version)}</h2>
              <alloy-console-builder-flow
                readonly
                .trigger=${latest.trigger as unknown as BuilderTrigger}
                .blocks=${latest.blocks as unknown as BuilderBlock[]}
                .lang=${this.lang}
              ></alloy-console-builder-flow>
            </section>`
          : nothing
      }
      ${this.renderVersions(detail.versions)}`;
  }

  private renderSaveStatus() {
    const b = this.b;
    const state = this.saveState;
    const text =
      state === 'saving' || state === 'pending'
        ? b.saving
        : state === 'saved'
          ? b.saved
          : state === 'failed'
            ? b.saveFailed
            : '';
    return html`<p class="save-status ${state}" role="status">${text}</p>
      ${
        state === 'failed'
          ? html`<button type="button" class="secondary" @click=${() => void this.save()}>${b.retry}</button>`
          : nothing
      }`;
  }

  private renderConflict() {
    const b = this.b;
    if (this.saveState !== 'conflict') return nothing;
    return html`<div class="error conflict-alert" role="alert">
      <p>${b.conflict}</p>
      <div class="toolbar">
        <button type="button" @click=${() => void this.save(true)}>${b.keepMine}</button>
        <button type="button" class="secondary" @click=${() => void this.load()}>${b.loadTheirs}</button>
      </div>
    </div>`;
  }

  private issueTarget(issue: ValidationIssue, draft: WorkflowDraft): { where: string; selection?: Selection } {
    const b = this.b;
    const [head, index] = issue.path;
    if (head === 'trigger') return { where: draft.trigger?.name || b.triggerLabel, selection: 'trigger' };
    if (head === 'blocks' && typeof index === 'number') {
      const block = draft.blocks[index];
      return { where: block?.name || `${b.untitled} ${index + 1}`, ...(block ? { selection: index } : {}) };
    }
    if (head === 'name') return { where: b.workflowName };
    return { where: issue.path.join('.') || b.workflowName };
  }

  private renderIssues(draft: WorkflowDraft) {
    const b = this.b;
    if (this.issues.length === 0) return nothing;
    return html`<section class="card issues" aria-labelledby="issues-title">
      <h2 id="issues-title" class="issue">${b.issuesTitle(this.issues.length)}</h2>
      <ul>
        ${this.issues.map((issue) => {
          const target = this.issueTarget(issue, draft);
          const text = b.issueOn(target.where, issue.message);
          return html`<li>
            ${
              target.selection === undefined
                ? html`<span class="issue">${text}</span>`
                : html`<button
                    type="button"
                    @click=${() => this.onSelect(new CustomEvent('select', { detail: { selection: target.selection! } }))}
                  >
                    ${text}
                  </button>`
            }
          </li>`;
        })}
      </ul>
    </section>`;
  }

  private renderBuilder(
    detail: ConsoleWorkflowDetail,
    integration: ConsoleIntegrationDetail,
    connector: ConsoleConnector | undefined,
    draft: WorkflowDraft,
  ) {
    const b = this.b;
    const blocker = this.releaseBlocker;
    const canRelease = blocker === undefined && this.saveSettled && !this.releasing;
    const nameIssues = issuesUnder(this.issues, ['name']);
    const latest = Math.max(0, ...detail.versions.map((v) => v.version));
    return html`<div class="page-header"><h1>${draft.name || detail.name}</h1></div>
      <div class="toolbar">
        <button
          type="button"
          class="release"
          ?disabled=${!canRelease}
          aria-describedby=${blocker ? 'release-blocker' : nothing}
          @click=${this.openRelease}
        >
          ${b.release}
        </button>
        ${blocker ? html`<span id="release-blocker" class="muted">${blocker}</span>` : nothing}
        ${this.renderSaveStatus()}
      </div>
      ${this.releaseMessage ? html`<p class="notice" role="status">${this.releaseMessage}</p>` : nothing}
      ${this.releaseError && !this.confirmDialog?.open ? this.renderError(this.releaseError) : nothing}
      ${this.renderConflict()}
      ${this.saveState === 'failed' && this.saveError ? html`<p class="issue">${this.saveError.message}</p>` : nothing}
      ${this.renderIssues(draft)}
      <div class="names">
        <div class="control">
          <label for="workflow-name">${b.workflowName}</label>
          <input
            id="workflow-name"
            .value=${draft.name}
            aria-invalid=${nameIssues.length ? 'true' : nothing}
            @input=${(e: Event) => this.edit({ ...draft, name: (e.target as HTMLInputElement).value })}
          />
        </div>
        <div class="control">
          <label for="workflow-description">${b.description}</label>
          <input
            id="workflow-description"
            .value=${draft.description ?? ''}
            @input=${(e: Event) => {
              const description = (e.target as HTMLInputElement).value;
              const next: WorkflowDraft = { ...draft, description };
              if (!description) delete next.description;
              this.edit(next);
            }}
          />
        </div>
      </div>
      <div class="layout ${this.selected === undefined ? '' : 'with-panel'}">
        <section aria-labelledby="flow-title">
          <h2 id="flow-title">${b.flowTitle}</h2>
          <alloy-console-builder-flow
            .trigger=${draft.trigger}
            .blocks=${draft.blocks}
            .issues=${this.issues}
            .selected=${this.selected}
            .lang=${this.lang}
            @alloy-console-flow-select=${this.onSelect}
            @alloy-console-flow-add=${this.onAdd}
            @alloy-console-flow-move=${this.onMove}
            @alloy-console-flow-remove=${this.onRemove}
          ></alloy-console-builder-flow>
        </section>
        ${this.renderPanel(draft, integration, connector)}
      </div>
      <section class="stack">
        <alloy-console-test-run
          .api=${this.api}
          lang=${this.lang}
          .trigger=${draft.trigger}
          .blocks=${draft.blocks}
        ></alloy-console-test-run>
      </section>
      ${this.renderVersions(detail.versions)} ${this.renderConfirm(latest + 1)}`;
  }

  private renderPanel(
    draft: WorkflowDraft,
    integration: ConsoleIntegrationDetail,
    connector: ConsoleConnector | undefined,
  ) {
    const selected = this.selected;
    if (selected === undefined) return nothing;
    const isTrigger = selected === 'trigger';
    const item = isTrigger ? draft.trigger : draft.blocks[selected];
    if (!isTrigger && !item) return nothing;
    return html`<alloy-console-block-panel
      class="card"
      kind=${isTrigger ? 'trigger' : 'block'}
      app=${integration.app}
      .item=${item ?? null}
      .connector=${connector}
      .variables=${variablesFor(draft, isTrigger ? 0 : selected, connector)}
      .issues=${issuesUnder(this.issues, isTrigger ? ['trigger'] : ['blocks', selected])}
      .lang=${this.lang}
      @alloy-console-item-change=${this.onItemChange}
      @alloy-console-panel-close=${() => (this.selected = undefined)}
    ></alloy-console-block-panel>`;
  }

  private renderConfirm(version: number) {
    const b = this.b;
    return html`<dialog aria-labelledby="release-title" aria-describedby="release-text">
      <h2 id="release-title">${b.releaseTitle(version)}</h2>
      <p id="release-text">${b.releaseText}</p>
      ${this.releaseError ? this.renderError(this.releaseError) : nothing}
      <div class="dialog-actions">
        <button type="button" class="secondary" @click=${() => this.confirmDialog?.close()}>${b.cancel}</button>
        <button type="button" ?disabled=${this.releasing} @click=${() => void this.release()}>
          ${this.releasing ? b.releasing : b.releaseConfirm}
        </button>
      </div>
    </dialog>`;
  }

  private renderVersions(versions: readonly ConsoleWorkflowVersion[]) {
    const b = this.b;
    const sorted = [...versions].sort((x, y) => y.version - x.version);
    return html`<section class="stack">
      <h2 id="versions-title">${b.versionsTitle}</h2>
      ${
        sorted.length === 0
          ? html`<p class="muted">${b.versionsEmpty}</p>`
          : html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="versions-title">
              <table>
                <thead>
                  <tr>
                    <th scope="col">${b.versionColumn}</th>
                    <th scope="col">${b.releasedAtColumn}</th>
                    <th scope="col">${b.installsColumn}</th>
                    <th scope="col">${b.reinstallColumn}</th>
                  </tr>
                </thead>
                <tbody>
                  ${sorted.map(
                    (v) =>
                      html`<tr>
                        <th scope="row">${v.version}</th>
                        <td>${v.releasedAt ? formatDate(v.releasedAt, this.lang) : '—'}</td>
                        <td>${v.installs}</td>
                        <td>
                          ${
                            v.requiresReinstall
                              ? html`<strong>${b.needsReinstall}</strong> ${
                                    v.reinstallReasons.length
                                      ? html`<ul class="reasons">
                                          ${v.reinstallReasons.map((r) => html`<li>${r}</li>`)}
                                        </ul>`
                                      : nothing
                                  }`
                              : v.version === 1
                                ? '—'
                                : b.upgradeInPlace
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      <alloy-console-version-users
        .api=${this.api}
        lang=${this.lang}
        .workflowId=${this.workflowId}
        .latest=${sorted[0]?.version ?? 0}
      ></alloy-console-version-users>
    </section>`;
  }
}

/** Keeps the builder's parts in a bundle that drops side-effect-only imports. */
export const WORKFLOW_BUILDER_PARTS = [AlloyConsoleBuilderFlow, AlloyConsoleBlockPanel];
