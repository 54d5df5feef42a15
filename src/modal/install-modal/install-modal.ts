import { LitElement, type PropertyValues, type TemplateResult } from 'lit';
import type { InstallationResponse, WidgetApi, WidgetApp, WidgetIntegration } from '../../contract/index.js';
import { configFieldStyles } from '../config-fields/config-fields.styles.js';
import type { InstallOutcome, ModalEventDetails } from '../events.js';
import type { AuthHost } from '../auth-step/auth-step.js';
import { en } from '../i18n/en.js';
import { loadMessages, MESSAGE_TABLES, resolveLocale, type ResolvedLocale } from '../i18n/locale.js';
import type { ModalMessages } from '../i18n/messages.js';
import type { ModalAppearance, ModalOperation, PrefilledValue } from '../options.js';
import { DialogController, type Dismissal } from './dialog-controller.js';
import { authIndex, FlowController, isAuthStep, type Failure, type Phase } from './flow-controller.js';
import { FormState } from './form-state.js';
import { installModalStyles } from './install-modal.styles.js';
import { LazySteps } from './lazy-steps-controller.js';
import { renderShell } from './templates/shell.js';
import { loadChunk } from '../internal/lazy-chunk.js';
import { successStyles } from './success-view.js';
import type { UninstallConfirm, UninstallHost } from './uninstall-confirm.js';
import type { ModalActions } from './templates/view.js';
import { ThemeController } from './theme-controller.js';
import { ErrorView } from '../internal/error-view.js';

/**
 * The install modal: a native `<dialog>` that loads an integration for the token's user, walks them
 * through choosing workflows and filling in its settings, and stores the installation when they
 * press Finish Installation. Every close path (close button, Esc, backdrop) goes through one request
 * that asks first when the user would lose input.
 *
 * @fires alloy-ready - the integration loaded and the first step is on screen (or, hidden, is being installed)
 * @fires alloy-step - the step changed: loading, workflows, config, success or error
 * @fires alloy-installed - the installation was stored; detail is the API's answer
 * @fires alloy-uninstalled - the user confirmed Uninstall in an edit and it was removed; the modal then closes
 * @fires alloy-error - an error is on screen; detail.error is what went wrong
 * @fires alloy-close - the modal closed; detail.reason says why
 * @fires alloy-focus-return - after a shown modal closed, focus went back; detail.to says where: the
 *   opener (at once, or once the host enabled it again, within 3 s), its nearest focusable ancestor, or none
 * @csspart panel - the dialog box (box styles only: text styles go through `--alloy-*` or inner parts)
 * @csspart header
 * @csspart brand - the ISV's logo and name
 * @csspart title
 * @csspart description
 * @csspart steps - the progress list
 * @csspart body
 * @csspart footer
 * @csspart button - every button; also primary-button, secondary-button, close-button, finish-button,
 *   retry-button, back-button, done-button, reveal-button, keep-editing-button, discard-button,
 *   uninstall-button, cancel-uninstall-button, confirm-uninstall-button, change-connection-button
 * @csspart field - each field wrapper; also label, input, help, field-error, form-error
 * @csspart workflow - each workflow choice
 * @csspart confirm - the discard-changes question
 * @csspart success
 * @csspart next-steps - on success, what the installed workflows now do
 * @csspart uninstall-confirm - the uninstall question in an edit
 * @csspart error
 * @cssprop --alloy-color-primary - buttons and accents (each `--alloy-color-*` has an `--alloy-dark-color-*` twin)
 * @cssprop --alloy-color-on-primary - text on primary buttons
 * @cssprop --alloy-color-surface - panel background
 * @cssprop --alloy-color-text - text colour
 * @cssprop --alloy-color-text-muted - help text and secondary copy
 * @cssprop --alloy-color-border - field and card borders
 * @cssprop --alloy-color-danger - errors
 * @cssprop --alloy-color-success - the success mark
 * @cssprop --alloy-focus-ring - focus outline colour
 * @cssprop --alloy-radius - corner radius of the panel (controls use 60%); `appearance.radius` takes a length or px number
 * @cssprop --alloy-font-family - font stack
 * @cssprop --alloy-font-size - base font size (a px length)
 * @cssprop --alloy-width - panel width on wide screens
 * @cssprop --alloy-backdrop - backdrop colour
 */
export class AlloyInstallModal extends LitElement {
  static override styles = [installModalStyles, configFieldStyles, successStyles];

  // Reactive properties are declared here rather than with decorators: the same behaviour, and about
  // half a kilobyte less in the CDN chunk, whose whole budget (Lit included) is 20 KB gzip.
  static override properties = {
    integrationId: { attribute: 'integration-id' },
    heading: {},
    api: { attribute: false },
    workflowIds: { attribute: false },
    locale: {},
    appearance: { attribute: false },
    operation: {},
    alwaysShowAuthentication: { type: Boolean, attribute: 'always-show-authentication' },
    hideWhenNoInput: { type: Boolean, attribute: 'hide-when-no-input' },
    workflowSelection: { type: Boolean, attribute: 'workflow-selection' },
    preFilledValues: { attribute: false },
    messages: { attribute: false },
    successDuration: { type: Number, attribute: 'success-duration' },
    confirmingDiscard: { state: true },
    status: { state: true },
    brokenImages: { state: true },
  };

  /** The integration to install. */
  integrationId = '';
  /** Replaces the integration's name as the heading (the SDK's `title` option). */
  heading: string | undefined;
  /** The network side; the SDK passes its API client. */
  api: WidgetApi | undefined;
  /** Install only these workflows of the integration (all of them when unset). */
  workflowIds: string[] | undefined;
  /** BCP 47 language tag; defaults to the nearest `lang` attribute, then the browser's languages. */
  locale: string | undefined;
  /** Colours, radius, font, light/dark/auto (the default), and the ISV's name and logo. */
  appearance: ModalAppearance | undefined;
  /** A first install, changing an installation, or moving it to the latest version. */
  operation: ModalOperation = 'install';
  /** Ask for credentials even when a connection exists (takes effect with the auth step). */
  alwaysShowAuthentication = false;
  /** Install without showing anything when nothing needs input; otherwise show the modal. */
  hideWhenNoInput = false;
  /** Let the user choose which workflows to turn on. */
  workflowSelection = false;
  /** Values the ISV fills in for the user. */
  preFilledValues: PrefilledValue[] | undefined;
  /** Replaces the built-in message tables (for wording the ISV wants to own). */
  messages: ModalMessages | undefined;
  /**
   * Closes the modal by itself this many milliseconds after success. Unset (the default), success
   * stays until Done, so the user can read what now happens.
   */
  successDuration: number | undefined;

  private confirmingDiscard = false;
  private status = '';
  private brokenImages = new Set<string>();

  private readonly lazy = new LazySteps(this);
  private readonly flow = new FlowController(this, this.lazy, {
    workflowSelection: () => this.workflowSelection,
    workflowIds: () => this.workflowIds,
    stepChanged: (step) => this.emit('alloy-step', { step }),
  });
  private readonly form = new FormState(this, () => this.text);
  /** The error state's sentence and its lazily loaded Details. */
  private readonly errorView = new ErrorView(this);
  private readonly dialog = new DialogController(this, {
    active: () => Boolean(this.settle),
    confirming: () => this.confirmingDiscard,
    requestClose: (source) => this.requestClose(source),
    keepEditing: () => this.keepEditing(),
    focusSoon: (selector) => this.focusSoon(selector),
    focusReturned: (detail) => this.emit('alloy-focus-return', detail),
  });
  private readonly theme = new ThemeController(
    this,
    () => this.appearance,
    () => this.renderRoot?.querySelector('dialog'),
  );
  /** Uninstall from an edit: the entry on the settings step and its confirmation (loaded for edits). */
  private uninstall: UninstallConfirm | undefined;
  private readonly actions: ModalActions = {
    submit: (event) => void this.onSubmit(event),
    requestClose: (source) => this.requestClose(source),
    close: () => this.close(),
    back: (index) => this.flow.phase.kind !== 'submitting' && this.enterStep(index),
    retry: () =>
      void (this.flow.phase.kind === 'error' && this.flow.phase.failure === 'load' ? this.load() : this.install()),
    keepEditing: () => this.keepEditing(),
    discard: () => this.discard(),
    imageFailed: (url) => (this.brokenImages = new Set(this.brokenImages).add(url)),
  };

  private resolved: ResolvedLocale = { language: 'en', messages: en, requested: 'en', dir: 'ltr' };
  /** The built-in table being loaded for the resolved language; `updateComplete` waits for it. */
  private localeLoading: Promise<void> | undefined;
  /** A language whose table could not be loaded: this modal keeps the words it has. */
  private localeFailed: string | undefined;
  private settle: ((outcome: InstallOutcome) => void) | undefined;
  private loadAbort: AbortController | undefined;
  /** One key per session: a double click, or a retry after a lost answer, stores one installation. */
  private idempotencyKey = '';
  /** Installing without showing the modal (`hideWhenNoInput` and nothing to ask). */
  private silent = false;
  private successTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingCloseReason: Dismissal = 'close-button';

  /** Opens the modal and resolves when it closes, with the outcome. Never rejects once open. */
  show(): Promise<InstallOutcome> {
    if (this.settle) return Promise.reject(new Error('The install modal is already open.'));
    if (!this.isConnected) return Promise.reject(new Error('Append the element to the page before show().'));
    this.dialog.begin();
    const outcome = new Promise<InstallOutcome>((resolve) => (this.settle = resolve));
    this.idempotencyKey = randomKey();
    this.silent = this.hideWhenNoInput;
    this.flow.integration = undefined;
    this.flow.phase = { kind: 'loading' };
    this.confirmingDiscard = false;
    this.theme.watch();
    void this.updateComplete.then(() => {
      if (!this.silent) this.dialog.open();
      void this.load();
    });
    return outcome;
  }

  /** Closes the modal at once, without asking, as the host's decision. */
  close(reason: Dismissal = 'api'): void {
    this.finish(this.flow.outcome ?? { success: false, reason });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Removed from the page while open: still settle, so callers never wait forever.
    this.finish(this.flow.outcome ?? { success: false, reason: 'api' });
  }

  protected override willUpdate(_changed: PropertyValues): void {
    const resolved = resolveLocale(this, this.locale);
    if (resolved.language in MESSAGE_TABLES || resolved.language === this.localeFailed) {
      this.resolved =
        resolved.language in MESSAGE_TABLES ? resolved : { ...resolved, messages: this.resolved.messages };
      return;
    }
    // Its table is not loaded yet: keep the current words until it is (show() waits for it, so a
    // modal opens in its language), then update.
    this.resolved = { ...resolved, messages: this.resolved.messages };
    const language = resolved.language;
    this.localeLoading ??= loadMessages(language).then(
      () => {
        this.localeLoading = undefined;
        this.requestUpdate();
      },
      () => {
        this.localeLoading = undefined;
        this.localeFailed = language;
        this.requestUpdate();
      },
    );
  }

  /** Also waits for a language table being loaded and the update that applies it. */
  protected override async getUpdateComplete(): Promise<boolean> {
    let complete = await super.getUpdateComplete();
    while (this.localeLoading) {
      await this.localeLoading;
      complete = await super.getUpdateComplete();
    }
    return complete;
  }

  /** The message table in use: the host's own, else the one for the resolved locale. */
  private get text(): ModalMessages {
    return this.messages ?? this.resolved.messages;
  }

  private get headingText(): string {
    return this.heading || this.flow.integration?.name || '';
  }

  private emit<K extends keyof ModalEventDetails>(type: K, detail: ModalEventDetails[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private announce(text: string): void {
    // A live region repeats a message only when its text changes.
    this.status = this.status === text ? `${text}\u00a0` : text;
  }

  private async focusSoon(selector: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  private async load(): Promise<void> {
    this.loadAbort?.abort();
    const abort = (this.loadAbort = new AbortController());
    this.flow.go({ kind: 'loading' });
    this.announce(this.text.loading);
    let integration: WidgetIntegration;
    let apps: WidgetApp[];
    this.lazy.reset();
    try {
      const api = this.api;
      if (!api || !this.integrationId) throw new Error('integrationId and api are required.');
      [integration, apps] = await Promise.all([
        api.getIntegration(this.integrationId, abort.signal),
        api.getApps
          ? api.getApps(this.integrationId, abort.signal).then(
              (answer) => answer.data,
              // A 404 here is a server without the auth step's route (the integration's own 404 fails the
              // load through getIntegration): install as before, with the newest connection per app.
              (error: unknown) => {
                if ((error as { status?: unknown } | null)?.status === 404) return [];
                throw error;
              },
            )
          : [],
      ]);
      const host = this.lazyHost(api);
      if (!(await this.lazy.load(host, apps, integration, abort.signal))) return;
      this.uninstall = undefined;
      if (this.operation !== 'install' && integration.installation && api.deleteInstallation) {
        const lazy = await loadChunk('lazy-steps', () => import('../lazy-steps.js'));
        if (abort.signal.aborted) return;
        this.uninstall = lazy.createUninstall(host, this.renderRoot as ShadowRoot);
      }
    } catch (error) {
      if (!abort.signal.aborted) this.fail('load', error);
      return;
    }
    if (abort.signal.aborted) return;
    this.flow.integration = integration;
    const offered = this.flow.offeredWorkflows;
    if (offered.length === 0) return this.fail('noWorkflows', new Error(en.noWorkflows));
    if (this.operation !== 'install' && !integration.installation) {
      return this.fail('notInstalled', new Error(en.notInstalled));
    }
    this.form.reset(integration, offered, this.operation, this.preFilledValues);

    if (this.silent) {
      if (!this.needsInput()) {
        this.emit('alloy-ready', { integrationId: integration.integrationId });
        return this.install();
      }
      this.silent = false;
      this.dialog.open();
    }
    this.enterStep(0);
    this.emit('alloy-ready', { integrationId: integration.integrationId });
  }

  /** What the lazily loaded parts (auth step, dynamic selects, uninstall) may use of the modal. */
  private lazyHost(api: WidgetApi): AuthHost & UninstallHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- live getters (locale, integration)
    const modal = this;
    return {
      api,
      get text() {
        return modal.text;
      },
      get integration() {
        return modal.flow.integration;
      },
      get integrationName() {
        return modal.headingText;
      },
      alwaysShowAuthentication: this.alwaysShowAuthentication,
      operation: this.operation,
      requestUpdate: () => modal.requestUpdate(),
      emit: modal.emit.bind(modal),
      announce: (text: string) => modal.announce(text),
      focusSoon: (selector: string) => modal.focusSoon(selector),
      // App i's auth step is step i of the flow; move on only if the user is still there.
      advance: (index: number) => {
        const phase = modal.flow.phase;
        if (phase.kind === 'step' && phase.index === index && !modal.confirmingDiscard) modal.enterStep(index + 1);
      },
      uninstalled: () => modal.finish({ success: false, reason: 'uninstalled' }),
    };
  }

  private needsInput(): boolean {
    return (
      Boolean(this.lazy.auth?.needsInput()) || this.flow.steps.includes('workflows') || this.form.hasInvalidField()
    );
  }

  /** Whether closing now would lose something the user entered: settings, or credentials on any auth step. */
  private isDirty(): boolean {
    return this.flow.editing && (this.form.changed || this.lazy.typed);
  }

  private enterStep(index: number): void {
    this.flow.go({ kind: 'step', index });
    this.form.setFormError(undefined);
    const step = this.flow.step;
    const dynamic = this.lazy.dynamic;
    if (step === 'config' && dynamic) {
      for (const field of this.form.activeFields) if (field.type === 'dynamicSelect') dynamic.ensure(field);
    }
    this.announce(`${this.text.stepOf(index + 1, this.flow.steps.length + 1)}: ${this.flow.stepName(step, this.text)}`);
    void this.focusSoon('.body :is(input, select, textarea), .body .connect, .primary');
  }

  /** Checks the current step; returns false (errors shown, focus on the first) when the user must fix something. */
  private leaveStep(step: 'workflows' | 'config'): boolean {
    if (step === 'workflows') {
      if (this.form.selectedWorkflows.size > 0) return true;
      this.form.setFormError((m) => m.chooseOneWorkflow);
      this.announce(this.text.chooseOneWorkflow);
      void this.focusSoon('.workflow input');
      return false;
    }
    if (this.form.validateAll() === 0) return true;
    this.showFieldErrors();
    return false;
  }

  private showFieldErrors(): void {
    this.form.showFieldErrors(this.form.fieldErrors);
    this.announce(this.text.fixErrors(this.form.fieldErrors.size));
    void this.focusSoon('[aria-invalid="true"]');
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const phase = this.flow.phase;
    if (phase.kind !== 'step' || this.confirmingDiscard || this.uninstall?.open) return;
    const step = this.flow.step;
    this.form.setFormError(undefined);
    // Synchronous up to window.open: an OAuth popup must open inside this gesture.
    if (isAuthStep(step)) return this.lazy.auth?.submit(authIndex(step));
    if (!this.leaveStep(step)) return;
    if (phase.index < this.flow.steps.length - 1) this.enterStep(phase.index + 1);
    else await this.install();
  }

  private async install(): Promise<void> {
    const integration = this.flow.integration;
    const api = this.api;
    if (!integration || !api || this.flow.phase.kind === 'submitting') return;
    this.flow.go({ kind: 'submitting', index: this.flow.index });
    this.form.setFormError(undefined);
    this.announce(this.text.working[this.operation]);
    // The form goes inert: focus waits on the busy button rather than falling out of the dialog.
    void this.focusSoon('.primary');
    const { request, sentFields } = this.form.request(this.flow.offeredWorkflows);
    // The connection the user picked per app (e.g. "Use a different account"); without it the server
    // links the user's newest connection.
    const credentialIds = this.lazy.auth?.credentials() ?? {};
    if (Object.keys(credentialIds).length > 0) request.credentialIds = credentialIds;
    let result: InstallationResponse;
    try {
      result = await api.createInstallation(request, this.idempotencyKey);
    } catch (error) {
      if (this.settle) this.installFailed(error, sentFields);
      return;
    }
    if (!this.settle) return;
    const outcome: InstallOutcome = { success: true, ...result };
    this.flow.go({ kind: 'success', outcome });
    this.emit('alloy-installed', result);
    if (!this.dialog.shown) return this.finish(outcome);
    this.announce(this.text.succeeded[this.operation](this.headingText));
    void this.focusSoon('.primary');
    if (this.successDuration !== undefined)
      this.successTimer = setTimeout(() => this.finish(outcome), this.successDuration);
  }

  /** Field problems the server found go back next to their fields; anything else is the error state. */
  private installFailed(error: unknown, sentFields: Parameters<FormState['serverErrors']>[1]): void {
    const errors = this.form.serverErrors(issuesOf(error), sentFields);
    if (errors.size === 0) return this.fail('install', error);
    if (this.silent) {
      this.silent = false;
      this.dialog.open();
    }
    this.enterStep(this.flow.steps.indexOf('config'));
    this.form.showFieldErrors(errors);
    this.announce(this.text.fixErrors(errors.size));
    void this.focusSoon('[aria-invalid="true"]');
    this.emit('alloy-error', { error });
  }

  private fail(failure: Failure, error: unknown): void {
    if (this.silent || !this.dialog.shown) {
      this.silent = false;
      this.dialog.open();
    }
    const explained = this.errorView.show(failure === 'load' || failure === 'install' ? error : undefined);
    const phase: Phase = { kind: 'error', failure, index: this.flow.index };
    this.flow.go(phase);
    this.emit('alloy-error', { error });
    void this.focusSoon('.primary');
    // Announced once the sentence is at hand (at once when the error chunk is loaded), unless the
    // user has moved on meanwhile.
    void explained.then(() => {
      if (this.flow.phase !== phase) return;
      const headline = this.flow.failureHeadline(failure, this.text, this.operation);
      const service = this.flow.integration?.name ?? this.appearance?.brandName;
      this.announce(`${this.text.errorTitle}. ${this.errorView.text(this.text, headline, service)}`);
    });
  }

  /** Every way the user can dismiss the modal ends here. */
  private requestClose(source: Dismissal): void {
    if (!this.settle) return;
    const outcome = this.flow.outcome;
    if (outcome) return this.finish(outcome);
    if (this.flow.phase.kind === 'submitting' || this.confirmingDiscard || this.uninstall?.state === 'working') return;
    if (this.uninstall?.open && source === 'escape') return this.uninstall.cancel();
    if (this.isDirty()) {
      this.pendingCloseReason = source;
      this.confirmingDiscard = true;
      this.announce(`${this.text.discardTitle} ${this.text.discardText}`);
      void this.focusSoon('.keep-editing');
      return;
    }
    this.finish({ success: false, reason: this.flow.phase.kind === 'error' ? 'error' : source });
  }

  private keepEditing(): void {
    this.confirmingDiscard = false;
    void this.focusSoon(
      this.flow.phase.kind === 'error'
        ? '.primary'
        : '[aria-invalid="true"], .body :is(input, select, textarea), .primary',
    );
  }

  private discard(): void {
    this.confirmingDiscard = false;
    this.finish({ success: false, reason: this.flow.phase.kind === 'error' ? 'error' : this.pendingCloseReason });
  }

  private finish(outcome: InstallOutcome): void {
    const settle = this.settle;
    if (!settle) return;
    this.settle = undefined;
    clearTimeout(this.successTimer);
    this.loadAbort?.abort();
    this.theme.unwatch();
    this.confirmingDiscard = false;
    this.lazy.dispose();
    this.dialog.close();
    this.form.clear();
    this.emit('alloy-close', { reason: outcome.success ? 'installed' : outcome.reason });
    this.dialog.returnFocus();
    settle(outcome);
  }

  override render(): TemplateResult {
    return renderShell({
      m: this.text,
      dir: this.resolved.dir,
      dark: this.theme.dark,
      heading: this.headingText,
      operation: this.operation,
      appearance: this.appearance,
      flow: this.flow,
      form: this.form,
      lazy: this.lazy,
      dialog: this.dialog,
      confirming: this.confirmingDiscard,
      uninstall: this.uninstall,
      status: this.status,
      brokenImages: this.brokenImages,
      errorView: this.errorView,
      actions: this.actions,
    });
  }
}

/** The SDK's errors carry the server's `issues`; anything else has none. */
function issuesOf(error: unknown): { path: unknown[]; message: string }[] {
  const issues = (error as { issues?: unknown } | null)?.issues;
  return Array.isArray(issues) ? issues.filter((issue) => Array.isArray(issue?.path) && issue.message) : [];
}

/** 128 random bits as hex. Not `crypto.randomUUID()`: that exists only in secure contexts, and a host page may be plain http. */
function randomKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
