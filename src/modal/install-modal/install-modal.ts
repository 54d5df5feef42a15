import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type {
  ConfigField,
  WidgetApp,
  CreateInstallationRequest,
  InstallationResponse,
  WidgetApi,
  WidgetIntegration,
} from '../../contract/index.js';
import { configFieldStyles } from '../config-fields/config-fields.styles.js';
import { renderConfigField } from '../config-fields/config-fields.js';
import type { CloseReason, InstallOutcome, ModalEventDetails } from '../events.js';
import { en } from '../i18n/en.js';
import { loadMessages, MESSAGE_TABLES, resolveLocale, type ResolvedLocale } from '../i18n/locale.js';
import type { ModalMessages } from '../i18n/messages.js';
import { fieldKey, initialFieldValue, toWireValue, type FieldValue } from '../internal/field-values.js';
import { deepActiveElement } from '../internal/focus.js';
import { alertIcon, checkIcon, closeIcon } from '../internal/icons.js';
import { safeImageUrl } from '../internal/safe-url.js';
import { lockPageScroll } from '../internal/scroll-lock.js';
import { checkField } from '../internal/validation.js';
import type { ModalAppearance, ModalOperation, PrefilledValue } from '../options.js';
import { installModalStyles } from './install-modal.styles.js';
import type { AuthStep, DynamicSelects } from '../lazy-steps.js';
import { loadChunk } from '../internal/lazy-chunk.js';

type Phase = 'loading' | 'step' | 'submitting' | 'success' | 'error';
/**
 * The steps a user walks through, in order: `auth-<i>` for the i-th app `getApps` names (its code is
 * loaded lazily), then workflows and config. The shell (progress, Back/Continue, focus,
 * announcements, close handling) is shared.
 */
type FlowStep = `auth-${number}` | 'workflows' | 'config';
type Failure = 'load' | 'install' | 'notInstalled' | 'noWorkflows';
type WorkflowChoice = WidgetIntegration['workflows'][number];
/** Errors are stored as functions of the message table, so switching the locale re-words them. */
type Message = (messages: ModalMessages) => string;
type Dismissal = Exclude<CloseReason, 'installed'>;

const STEP_TITLE_ID = 'alloy-step-title';

/**
 * The install modal: a native `<dialog>` that loads an integration for the token's user, walks them
 * through choosing workflows and filling in its settings, and stores the installation when they
 * press Finish Installation. Every close path (close button, Esc, backdrop) goes through one request
 * that asks first when the user would lose input.
 *
 * @fires alloy-ready - the integration loaded and the first step is on screen (or, hidden, is being installed)
 * @fires alloy-step - the step changed: loading, workflows, config, success or error
 * @fires alloy-installed - the installation was stored; detail is the API's answer
 * @fires alloy-error - an error is on screen; detail.error is what went wrong
 * @fires alloy-close - the modal closed; detail.reason says why
 * @csspart panel - the dialog box (box styles only: text styles go through `--alloy-*` or inner parts)
 * @csspart header
 * @csspart brand - the ISV's logo and name
 * @csspart title
 * @csspart description
 * @csspart steps - the progress list
 * @csspart body
 * @csspart footer
 * @csspart button - every button; also primary-button, secondary-button, close-button, finish-button,
 *   retry-button, back-button, done-button, reveal-button, keep-editing-button, discard-button
 * @csspart field - each field wrapper; also label, input, help, field-error, form-error
 * @csspart workflow - each workflow choice
 * @csspart confirm - the discard-changes question
 * @csspart success
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
 * @cssprop --alloy-radius - corner radius of the panel (controls use half)
 * @cssprop --alloy-font-family - font stack
 * @cssprop --alloy-font-size - base font size (a px length)
 * @cssprop --alloy-width - panel width on wide screens
 * @cssprop --alloy-backdrop - backdrop colour
 */
export class AlloyInstallModal extends LitElement {
  static override styles = [installModalStyles, configFieldStyles];

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
    phase: { state: true },
    failure: { state: true },
    failureDetail: { state: true },
    integration: { state: true },
    stepIndex: { state: true },
    selectedWorkflows: { state: true },
    values: { state: true },
    badNumbers: { state: true },
    fieldErrors: { state: true },
    formError: { state: true },
    revealedSecrets: { state: true },
    confirmingDiscard: { state: true },
    status: { state: true },
    systemDark: { state: true },
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
  /** Colours, radius, font, light/dark/auto, and the ISV's name and logo. */
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
  /** How long the success state stays before the modal closes by itself, in milliseconds. */
  successDuration = 1800;

  private phase: Phase = 'loading';
  private failure: Failure = 'load';
  private failureDetail = '';
  private integration: WidgetIntegration | undefined;
  private stepIndex = 0;
  private selectedWorkflows = new Set<string>();
  private values = new Map<string, FieldValue>();
  /** Number inputs holding text the browser cannot read as a number (their value reads as ''). */
  private badNumbers = new Set<string>();
  private fieldErrors = new Map<string, Message>();
  private formError: Message | undefined;
  private revealedSecrets = new Set<string>();
  private confirmingDiscard = false;
  private status = '';
  private systemDark = false;
  private brokenImages = new Set<string>();

  private resolved: ResolvedLocale = { language: 'en', messages: en, requested: 'en', dir: 'ltr' };
  /** The built-in table being loaded for the resolved language; `updateComplete` waits for it. */
  private localeLoading: Promise<void> | undefined;
  /** A language whose table could not be loaded: this modal keeps the words it has. */
  private localeFailed: string | undefined;
  private opener: HTMLElement | null = null;
  private settle: ((outcome: InstallOutcome) => void) | undefined;
  private loadAbort: AbortController | undefined;
  /** One key per session: a double click, or a retry after a lost answer, stores one installation. */
  private idempotencyKey = '';
  /** The form as it was first shown; differing from it means closing would lose input. */
  private pristine = '';
  /** Installing without showing the modal (`hideWhenNoInput` and nothing to ask). */
  private silent = false;
  private dialogShown = false;
  private successOutcome: InstallOutcome | undefined;
  private successTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingCloseReason: Dismissal = 'close-button';
  private pointerDownOnBackdrop = false;
  /** Set when we close the dialog ourselves, so its `close` event is not taken for the browser's. */
  private closingOnPurpose = false;
  private releaseScroll: (() => void) | undefined;
  private stopWatching: (() => void) | undefined;
  private themedProperties: string[] = [];
  /** The auth step and dynamic selects, present once their lazily loaded module is in. */
  private auth: AuthStep | undefined;
  private dynamic: DynamicSelects | undefined;

  /** Opens the modal and resolves when it closes, with the outcome. Never rejects once open. */
  show(): Promise<InstallOutcome> {
    if (this.settle) return Promise.reject(new Error('The install modal is already open.'));
    if (!this.isConnected) return Promise.reject(new Error('Append the element to the page before show().'));
    this.opener = deepActiveElement();
    const outcome = new Promise<InstallOutcome>((resolve) => (this.settle = resolve));
    this.idempotencyKey = randomKey();
    this.silent = this.hideWhenNoInput;
    this.dialogShown = false;
    this.successOutcome = undefined;
    this.integration = undefined;
    this.phase = 'loading';
    this.confirmingDiscard = false;
    this.watchEnvironment();
    void this.updateComplete.then(() => {
      if (!this.silent) this.openDialog();
      void this.load();
    });
    return outcome;
  }

  /** Closes the modal at once, without asking, as the host's decision. */
  close(reason: Dismissal = 'api'): void {
    this.finish(this.successOutcome ?? { success: false, reason });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Removed from the page while open: still settle, so callers never wait forever.
    this.finish(this.successOutcome ?? { success: false, reason: 'api' });
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

  protected override updated(): void {
    // Through the CSSOM rather than a style attribute, so a strict style-src CSP allows it.
    const style = this.dialog.style;
    const properties = this.themeProperties();
    for (const name of this.themedProperties) if (!(name in properties)) style.removeProperty(name);
    for (const [name, value] of Object.entries(properties)) style.setProperty(name, value);
    this.themedProperties = Object.keys(properties);
  }

  private get dialog(): HTMLDialogElement {
    return this.renderRoot.querySelector('dialog')!;
  }

  /** The message table in use: the host's own, else the one for the resolved locale. */
  private get text(): ModalMessages {
    return this.messages ?? this.resolved.messages;
  }

  private get offeredWorkflows(): WorkflowChoice[] {
    const all: WorkflowChoice[] = this.integration?.workflows ?? [];
    const only = this.workflowIds;
    return only ? all.filter((workflow) => only.includes(workflow.workflowId)) : all;
  }

  private get flow(): FlowStep[] {
    const auth = (this.auth?.apps ?? []).map((_, index): FlowStep => `auth-${index}`);
    return [
      ...auth,
      ...(this.workflowSelection && this.offeredWorkflows.length > 1 ? ['workflows' as const] : []),
      'config',
    ];
  }

  private stepName(step: FlowStep, m: ModalMessages): string {
    return step === 'workflows' || step === 'config'
      ? m.stepNames[step]
      : (this.auth?.apps[authIndex(step)]?.app.name ?? '');
  }

  /** The fields of the workflows that will be installed; the server validates exactly these. */
  private get activeFields(): ConfigField[] {
    return (this.integration?.fields ?? []).filter((field) => this.selectedWorkflows.has(field.workflowId));
  }

  private formatNumber = (value: number): string => new Intl.NumberFormat(this.text.locale).format(value);

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

  /** Follows the system colour scheme while open (for theme `auto`). */
  private watchEnvironment(): void {
    this.stopWatching?.();
    const darkScheme = matchMedia('(prefers-color-scheme: dark)');
    const onSchemeChange = () => (this.systemDark = darkScheme.matches);
    onSchemeChange();
    darkScheme.addEventListener('change', onSchemeChange);
    this.stopWatching = () => {
      darkScheme.removeEventListener('change', onSchemeChange);
      this.stopWatching = undefined;
    };
  }

  private openDialog(): void {
    if (!this.dialog.open) {
      this.dialog.showModal();
      // Start on the title rather than the first button (close), so an early Enter closes nothing.
      this.renderRoot.querySelector('h2')?.focus();
    }
    this.dialogShown = true;
    this.releaseScroll ??= lockPageScroll();
  }

  private async load(): Promise<void> {
    this.loadAbort?.abort();
    const abort = (this.loadAbort = new AbortController());
    this.phase = 'loading';
    this.emit('alloy-step', { step: 'loading' });
    this.announce(this.text.loading);
    let integration: WidgetIntegration;
    let apps: WidgetApp[];
    this.auth?.dispose();
    this.dynamic?.dispose();
    this.auth = this.dynamic = undefined;
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
      const dynamic = api.getFieldOptions && integration.fields.some((field) => field.type === 'dynamicSelect');
      if (apps.length > 0 || dynamic) {
        const lazy = await loadChunk('lazy-steps', () => import('../lazy-steps.js'));
        if (abort.signal.aborted) return;
        ({ auth: this.auth, dynamic: this.dynamic } = lazy.createLazySteps(
          this.lazyHost(api),
          this.renderRoot as ShadowRoot,
          apps,
          integration,
        ));
      }
    } catch (error) {
      if (!abort.signal.aborted) this.fail('load', error);
      return;
    }
    if (abort.signal.aborted) return;
    this.integration = integration;
    const offered = this.offeredWorkflows;
    if (offered.length === 0) return this.fail('noWorkflows', new Error(en.noWorkflows));
    if (this.operation !== 'install' && !integration.installation) {
      return this.fail('notInstalled', new Error(en.notInstalled));
    }
    // Editing keeps the user's choice of workflows when the server says which are installed.
    const installed = offered.filter((workflow) => workflow.installed !== false);
    const initial = this.operation === 'install' || installed.length === 0 ? offered : installed;
    this.selectedWorkflows = new Set(initial.map((workflow) => workflow.workflowId));
    this.values = new Map(integration.fields.map((field) => [fieldKey(field), this.initialValue(field)]));
    this.badNumbers = new Set();
    this.fieldErrors = new Map();
    this.formError = undefined;
    this.revealedSecrets = new Set();
    this.pristine = this.snapshot();

    if (this.silent) {
      if (!this.needsInput()) {
        this.emit('alloy-ready', { integrationId: integration.integrationId });
        return this.install();
      }
      this.silent = false;
      this.openDialog();
    }
    this.enterStep(0);
    this.emit('alloy-ready', { integrationId: integration.integrationId });
  }

  /** What the lazily loaded steps may use of the modal. */
  private lazyHost(api: WidgetApi) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- `text` must stay a live getter (locale switches)
    const modal = this;
    return {
      api,
      get text() {
        return modal.text;
      },
      alwaysShowAuthentication: this.alwaysShowAuthentication,
      requestUpdate: () => modal.requestUpdate(),
      emit: modal.emit.bind(modal),
      announce: (text: string) => modal.announce(text),
      focusSoon: (selector: string) => modal.focusSoon(selector),
      advance: () => modal.enterStep(modal.stepIndex + 1),
    };
  }

  private initialValue(field: ConfigField): FieldValue {
    const key = fieldKey(field);
    const entry = this.integration?.installation?.values.find((value) => fieldKey(value) === key);
    // A saved secret is not sent back: the field starts empty, which keeps it (no prefill over it).
    if (field.type === 'secret' && entry?.set) return '';
    const saved = entry?.value;
    // The most specific prefill wins: workflow and block, then one of them, then the name alone.
    const specificity = (p: PrefilledValue) => (p.workflowId ? 2 : 0) + (p.blockId ? 1 : 0);
    const prefilled = (this.preFilledValues ?? [])
      .filter(
        (p) =>
          p.name === field.name &&
          (!p.workflowId || p.workflowId === field.workflowId) &&
          (!p.blockId || p.blockId === field.blockId),
      )
      .sort((a, b) => specificity(b) - specificity(a))[0]?.value;
    return initialFieldValue(field, saved, prefilled);
  }

  private needsInput(): boolean {
    return (
      Boolean(this.auth?.needsInput()) ||
      this.flow.includes('workflows') ||
      this.activeFields.some((field) => this.validateField(field) !== undefined)
    );
  }

  private snapshot(): string {
    return JSON.stringify([[...this.selectedWorkflows].sort(), [...this.values], [...this.badNumbers]]);
  }

  /** Whether closing now would lose something the user entered (only forms hold input). */
  private isDirty(): boolean {
    const editing = this.phase === 'step' || (this.phase === 'error' && this.failure === 'install');
    return editing && this.snapshot() !== this.pristine;
  }

  /** Whether the server holds a saved value for this secret field (an empty field keeps it). */
  private secretSet(field: ConfigField): boolean {
    if (field.type !== 'secret') return false;
    const key = fieldKey(field);
    return !!this.integration?.installation?.values.some((value) => value.set && fieldKey(value) === key);
  }

  private validateField(field: ConfigField): Message | undefined {
    const key = fieldKey(field);
    const value = this.values.get(key);
    // Left empty, a saved secret is kept (the install leaves it out and the server keeps it).
    if (this.secretSet(field) && toWireValue(field, value) === undefined) return undefined;
    const badInput = this.badNumbers.has(key);
    const problem = checkField(field, value, this.text, this.formatNumber, badInput);
    return problem === undefined
      ? undefined
      : (messages) => checkField(field, value, messages, this.formatNumber, badInput) ?? problem;
  }

  private enterStep(index: number): void {
    const step = this.flow[index] ?? 'config';
    this.stepIndex = index;
    this.phase = 'step';
    this.formError = undefined;
    this.emit('alloy-step', { step: isAuthStep(step) ? 'auth' : step });
    const name = this.stepName(step, this.text);
    if (step === 'config' && this.dynamic) {
      for (const field of this.activeFields) if (field.type === 'dynamicSelect') this.dynamic.ensure(field);
    }
    this.announce(`${this.text.stepOf(index + 1, this.flow.length + 1)}: ${name}`);
    void this.focusSoon('.body :is(input, select, textarea), .body .connect, .primary');
  }

  /** Checks the current step; returns false (errors shown, focus on the first) when the user must fix something. */
  private leaveStep(step: 'workflows' | 'config'): boolean {
    if (step === 'workflows') {
      if (this.selectedWorkflows.size > 0) return true;
      this.formError = (m) => m.chooseOneWorkflow;
      this.announce(this.text.chooseOneWorkflow);
      void this.focusSoon('.workflow input');
      return false;
    }
    const errors = new Map<string, Message>();
    for (const field of this.activeFields) {
      const problem = this.validateField(field);
      if (problem) errors.set(fieldKey(field), problem);
    }
    this.fieldErrors = errors;
    if (errors.size === 0) return true;
    this.showFieldErrors();
    return false;
  }

  private showFieldErrors(): void {
    const count = this.fieldErrors.size;
    this.formError = (m) => m.fixErrors(count);
    this.announce(this.text.fixErrors(count));
    void this.focusSoon('[aria-invalid="true"]');
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (this.phase !== 'step' || this.confirmingDiscard) return;
    const step = this.flow[this.stepIndex] ?? 'config';
    this.formError = undefined;
    // Synchronous up to window.open: an OAuth popup must open inside this gesture.
    if (isAuthStep(step)) return this.auth?.submit(authIndex(step));
    if (!this.leaveStep(step)) return;
    if (this.stepIndex < this.flow.length - 1) this.enterStep(this.stepIndex + 1);
    else await this.install();
  }

  private async install(): Promise<void> {
    const integration = this.integration;
    const api = this.api;
    if (!integration || !api || this.phase === 'submitting') return;
    this.phase = 'submitting';
    this.formError = undefined;
    this.announce(this.text.working[this.operation]);
    const sent = this.activeFields.flatMap((field) => {
      const value = toWireValue(field, this.values.get(fieldKey(field)));
      return value === undefined ? [] : [{ field, value }];
    });
    const request: CreateInstallationRequest = {
      integrationId: integration.integrationId,
      workflowIds: this.offeredWorkflows
        .filter((workflow) => this.selectedWorkflows.has(workflow.workflowId))
        .map((workflow) => workflow.workflowId),
      values: sent.map(({ field, value }) => ({
        workflowId: field.workflowId,
        blockId: field.blockId,
        name: field.name,
        value,
      })),
    };
    // The connection the user picked per app (e.g. "Use a different account"); without it the server
    // links the user's newest connection.
    const credentialIds = this.auth?.credentials() ?? {};
    if (Object.keys(credentialIds).length > 0) request.credentialIds = credentialIds;
    const sentFields = sent.map(({ field }) => field);
    let result: InstallationResponse;
    try {
      result = await api.createInstallation(request, this.idempotencyKey);
    } catch (error) {
      if (this.settle) this.installFailed(error, sentFields);
      return;
    }
    if (!this.settle) return;
    const outcome: InstallOutcome = { success: true, ...result };
    this.successOutcome = outcome;
    this.phase = 'success';
    this.emit('alloy-step', { step: 'success' });
    this.emit('alloy-installed', result);
    if (!this.dialogShown) return this.finish(outcome);
    this.announce(this.text.succeeded[this.operation](this.headingText));
    void this.focusSoon('.primary');
    this.successTimer = setTimeout(() => this.finish(outcome), this.successDuration);
  }

  /** Field problems the server found go back next to their fields; anything else is the error state. */
  private installFailed(error: unknown, sentFields: ConfigField[]): void {
    const errors = new Map<string, Message>();
    for (const issue of issuesOf(error)) {
      if (issue.path[0] !== 'values') continue;
      const target = issue.path[1];
      const field =
        typeof target === 'number'
          ? sentFields[target]
          : this.activeFields.find((candidate) => candidate.name === target);
      if (field && !errors.has(fieldKey(field))) errors.set(fieldKey(field), () => issue.message);
    }
    if (errors.size === 0) return this.fail('install', error);
    if (this.silent) {
      this.silent = false;
      this.openDialog();
    }
    this.fieldErrors = errors;
    this.enterStep(this.flow.indexOf('config'));
    this.showFieldErrors();
    this.emit('alloy-error', { error });
  }

  private fail(failure: Failure, error: unknown): void {
    this.failure = failure;
    this.failureDetail = failure === 'load' || failure === 'install' ? messageOf(error) : '';
    this.phase = 'error';
    if (this.silent || !this.dialogShown) {
      this.silent = false;
      this.openDialog();
    }
    this.emit('alloy-step', { step: 'error' });
    this.emit('alloy-error', { error });
    this.announce(`${this.text.errorTitle}. ${this.failureHeadline(this.text)}`);
    void this.focusSoon('.primary');
  }

  private failureHeadline(m: ModalMessages): string {
    if (this.failure === 'load') return m.loadFailed;
    if (this.failure === 'install') return m.failed[this.operation];
    return this.failure === 'notInstalled' ? m.notInstalled : m.noWorkflows;
  }

  /** Every way the user can dismiss the modal ends here. */
  private requestClose(source: Dismissal): void {
    if (!this.settle) return;
    if (this.successOutcome) return this.finish(this.successOutcome);
    if (this.phase === 'submitting' || this.confirmingDiscard) return;
    if (this.isDirty()) {
      this.pendingCloseReason = source;
      this.confirmingDiscard = true;
      this.announce(`${this.text.discardTitle} ${this.text.discardText}`);
      void this.focusSoon('.keep-editing');
      return;
    }
    this.finish({ success: false, reason: this.phase === 'error' ? 'error' : source });
  }

  private keepEditing(): void {
    this.confirmingDiscard = false;
    void this.focusSoon(
      this.phase === 'error' ? '.primary' : '[aria-invalid="true"], .body :is(input, select, textarea), .primary',
    );
  }

  private discard(): void {
    this.confirmingDiscard = false;
    this.finish({ success: false, reason: this.phase === 'error' ? 'error' : this.pendingCloseReason });
  }

  private finish(outcome: InstallOutcome): void {
    const settle = this.settle;
    if (!settle) return;
    this.settle = undefined;
    clearTimeout(this.successTimer);
    this.loadAbort?.abort();
    this.stopWatching?.();
    this.releaseScroll?.();
    this.releaseScroll = undefined;
    this.confirmingDiscard = false;
    this.auth?.dispose();
    this.dynamic?.dispose();
    if (this.dialog?.open) {
      this.closingOnPurpose = true;
      this.dialog.close();
    }
    // What the user typed (secrets included) does not outlive the session.
    this.values = new Map();
    this.revealedSecrets = new Set();
    this.emit('alloy-close', { reason: outcome.success ? 'installed' : outcome.reason });
    if (this.dialogShown && this.opener?.isConnected) this.opener.focus();
    this.opener = null;
    settle(outcome);
  }

  private onKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    // Handled here rather than in `cancel`: Chrome lets a second Esc in a row skip a cancelable `cancel`.
    event.preventDefault();
    if (this.confirmingDiscard) this.keepEditing();
    else this.requestClose('escape');
  }

  private onCancel(event: Event): void {
    // Esc while focus is outside our content: the browser would close the dialog; route it instead.
    event.preventDefault();
    this.requestClose('escape');
  }

  private onDialogClose(): void {
    if (this.closingOnPurpose || !this.settle) {
      this.closingOnPurpose = false;
      return;
    }
    // The browser closed the dialog without asking us (an uncancelable close request): put it back
    // and ask the same question a cancelable one would have.
    this.dialog.showModal();
    if (this.confirmingDiscard) void this.focusSoon('.keep-editing');
    else this.requestClose('escape');
  }

  private onPointerDown(event: PointerEvent): void {
    this.pointerDownOnBackdrop = event.target === this.dialog;
  }

  private onDialogClick(event: MouseEvent): void {
    // The panel fills the dialog box, so a click on the dialog itself landed on the backdrop. A drag
    // that started inside (selecting text) and ended outside is not a dismissal.
    if (event.target === this.dialog && this.pointerDownOnBackdrop) this.requestClose('backdrop');
    this.pointerDownOnBackdrop = false;
  }

  private setValue(field: ConfigField, value: FieldValue, badInput = false): void {
    const key = fieldKey(field);
    this.values = new Map(this.values).set(key, value);
    if (badInput !== this.badNumbers.has(key)) {
      const bad = new Set(this.badNumbers);
      if (badInput) bad.add(key);
      else bad.delete(key);
      this.badNumbers = bad;
    }
    if (this.fieldErrors.has(key)) {
      const errors = new Map(this.fieldErrors);
      errors.delete(key);
      this.fieldErrors = errors;
      if (errors.size === 0) this.formError = undefined;
    }
  }

  private toggleWorkflow(workflowId: string, on: boolean): void {
    const selected = new Set(this.selectedWorkflows);
    if (on) selected.add(workflowId);
    else selected.delete(workflowId);
    this.selectedWorkflows = selected;
    if (selected.size > 0) this.formError = undefined;
  }

  private toggleReveal(key: string): void {
    const revealed = new Set(this.revealedSecrets);
    if (!revealed.delete(key)) revealed.add(key);
    this.revealedSecrets = revealed;
  }

  private imageFailed(url: string): void {
    this.brokenImages = new Set(this.brokenImages).add(url);
  }

  private get headingText(): string {
    return this.heading || this.integration?.name || '';
  }

  private get isDark(): boolean {
    const theme = this.appearance?.theme ?? 'light';
    return theme === 'dark' || (theme === 'auto' && this.systemDark);
  }

  /** The `appearance` option as custom properties on the dialog, where they beat the page's. */
  private themeProperties(): Record<string, string> {
    const appearance = this.appearance ?? {};
    const dark = this.isDark;
    const palette = dark
      ? (appearance.darkColors ?? (appearance.theme === 'dark' ? appearance.colors : undefined))
      : appearance.colors;
    const properties: Record<string, string> = {};
    for (const [name, value] of Object.entries(palette ?? {})) {
      // onPrimary → --alloy-color-on-primary (or --alloy-dark-color-on-primary).
      const property = name.replace(/[A-Z]/g, (upper) => `-${upper.toLowerCase()}`);
      if (typeof value === 'string' && value) properties[`--alloy-${dark ? 'dark-' : ''}color-${property}`] = value;
    }
    if (appearance.radius) properties['--alloy-radius'] = appearance.radius;
    if (appearance.fontFamily) properties['--alloy-font-family'] = appearance.fontFamily;
    return properties;
  }

  override render(): TemplateResult {
    const m = this.text;
    // Without a name (the load failed and no heading was given) the step title alone names the dialog.
    const titled = this.phase === 'loading' || Boolean(this.headingText);
    const labelledBy = [titled ? 'alloy-title' : '', this.phase === 'loading' ? '' : STEP_TITLE_ID].join(' ').trim();
    return html`
      <dialog
        part="panel"
        class=${this.isDark ? 'dark' : 'light'}
        dir=${this.resolved.dir}
        lang=${m.locale}
        aria-labelledby=${labelledBy}
        @keydown=${this.onKeydown}
        @cancel=${this.onCancel}
        @close=${this.onDialogClose}
        @pointerdown=${this.onPointerDown}
        @click=${this.onDialogClick}
      >
        <div class="shell">
          ${this.renderHeader(m, titled)}
          <form novalidate @submit=${this.onSubmit}>
            <div class="body" part="body" ?inert=${this.confirmingDiscard}>${this.renderBody(m)}</div>
            ${this.confirmingDiscard ? this.renderConfirm(m) : this.renderFooter(m)}
          </form>
          <p class="visually-hidden" role="status">${this.status}</p>
        </div>
      </dialog>
    `;
  }

  private renderHeader(m: ModalMessages, titled: boolean): TemplateResult {
    const integration = this.integration;
    const brandName = this.appearance?.brandName;
    const logo = safeImageUrl(this.appearance?.logoUrl, document.baseURI);
    const showLogo = logo !== undefined && !this.brokenImages.has(logo);
    const title =
      this.headingText ||
      html`<span class="visually-hidden">${m.loading}</span><span class="skeleton" aria-hidden="true"></span>`;
    return html`<header part="header">
      ${
        brandName || showLogo
          ? html`<p class="brand" part="brand">
              ${
                showLogo
                  ? html`<img src=${logo} alt="" referrerpolicy="no-referrer" @error=${() => this.imageFailed(logo)} />`
                  : nothing
              }
              ${brandName ? html`<span>${brandName}</span>` : nothing}
            </p>`
          : nothing
      }
      ${
        titled
          ? html`<div class="title-row">
              ${integration ? this.renderIcon(integration) : html`<span class="avatar skeleton"></span>`}
              <div class="titles">
                <h2 id="alloy-title" part="title" tabindex="-1">${title}</h2>
                ${
                  integration?.description
                    ? html`<p class="description" part="description">${integration.description}</p>`
                    : nothing
                }
              </div>
            </div>`
          : nothing
      }
      <button
        type="button"
        class="close"
        part="button close-button"
        aria-label=${m.close}
        ?disabled=${this.phase === 'submitting'}
        ?inert=${this.confirmingDiscard}
        @click=${() => this.requestClose('close-button')}
      >
        ${closeIcon}
      </button>
      ${this.renderProgress(m)}
    </header>`;
  }

  private renderIcon(integration: WidgetIntegration): TemplateResult {
    const icon = safeImageUrl(integration.icon);
    if (icon && !this.brokenImages.has(icon)) {
      return html`<img
        class="avatar"
        src=${icon}
        alt=""
        referrerpolicy="no-referrer"
        @error=${() => this.imageFailed(icon)}
      />`;
    }
    // A refused or broken icon becomes the integration's initial, never an empty box.
    const initial = [...integration.name].find((character) => /[\p{L}\p{N}]/u.test(character)) ?? '?';
    return html`<span class="avatar letter" aria-hidden="true">${initial}</span>`;
  }

  private renderProgress(m: ModalMessages): TemplateResult | typeof nothing {
    const inFlow = this.phase === 'step' || this.phase === 'submitting' || this.phase === 'success';
    if (!inFlow && !(this.phase === 'error' && this.failure === 'install')) return nothing;
    const names = [...this.flow.map((step) => this.stepName(step, m)), m.stepNames.done];
    const current = this.phase === 'success' ? names.length - 1 : this.stepIndex;
    return html`<ol class="steps" part="steps" aria-label=${m.progress}>
      ${names.map(
        (name, index) =>
          html`<li
            class=${index < current ? 'done' : index === current ? 'current' : ''}
            aria-current=${index === current ? 'step' : nothing}
          >
            <span class="dot" aria-hidden="true">${index < current ? checkIcon : index + 1}</span
            ><span class="label">${name}</span>
          </li>`,
      )}
    </ol>`;
  }

  private renderBody(m: ModalMessages): TemplateResult {
    switch (this.phase) {
      case 'loading':
        return html`<div aria-hidden="true">
          <span class="skeleton"></span><span class="skeleton short"></span><span class="skeleton short"></span
          ><span class="skeleton box"></span><span class="skeleton short"></span><span class="skeleton box"></span>
        </div>`;
      case 'success': {
        const succeeded = m.succeeded[this.operation](this.headingText);
        return html`<div class="result success" part="success">
          <span class="result-icon">${checkIcon}</span>
          <h3 id=${STEP_TITLE_ID} class="step-title" tabindex="-1">${succeeded}</h3>
        </div>`;
      }
      case 'error':
        return html`<div class="result error" part="error">
          <span class="result-icon">${alertIcon}</span>
          <h3 id=${STEP_TITLE_ID} class="step-title" tabindex="-1">${m.errorTitle}</h3>
          <p id="alloy-error-text">${this.failureHeadline(m)}</p>
          ${this.failureDetail ? html`<p class="detail">${this.failureDetail}</p>` : nothing}
        </div>`;
      default: {
        const step = this.flow[this.stepIndex] ?? 'config';
        if (isAuthStep(step) && this.auth) return this.auth.render(authIndex(step), STEP_TITLE_ID);
        return step === 'workflows' ? this.renderWorkflowsStep(m) : this.renderConfigStep(m);
      }
    }
  }

  private renderFormError(m: ModalMessages): TemplateResult | typeof nothing {
    return this.formError
      ? html`<p class="form-error" part="form-error">${alertIcon}<span>${this.formError(m)}</span></p>`
      : nothing;
  }

  private renderWorkflowsStep(m: ModalMessages): TemplateResult {
    return html`<h3 id=${STEP_TITLE_ID} class="step-title" tabindex="-1">${m.workflowsTitle}</h3>
      <p class="intro" id="alloy-workflows-intro">${m.workflowsIntro}</p>
      ${this.renderFormError(m)}
      <div class="workflows" role="group" aria-labelledby=${STEP_TITLE_ID} aria-describedby="alloy-workflows-intro">
        ${this.offeredWorkflows.map(
          (workflow) =>
            html`<label class="workflow" part="workflow">
              <input
                type="checkbox"
                part="input"
                .checked=${this.selectedWorkflows.has(workflow.workflowId)}
                @change=${(event: Event) =>
                  this.toggleWorkflow(workflow.workflowId, (event.target as HTMLInputElement).checked)}
              />
              <span><span>${workflow.name}</span> ${this.renderVersionChange(workflow)}</span>
            </label>`,
        )}
      </div>`;
  }

  /** In an update, whether the server said this workflow moves to a newer version. */
  private upgrades(workflow: WorkflowChoice): boolean {
    const from = workflow.installedVersion;
    return this.operation === 'update' && typeof from === 'number' && from !== workflow.version;
  }

  private renderVersionChange(workflow: WorkflowChoice): TemplateResult | typeof nothing {
    if (!this.upgrades(workflow)) return nothing;
    const [from, to] = [workflow.installedVersion ?? 0, workflow.version].map(this.formatNumber);
    return html`<span class="version">v${from} → v${to}</span>`;
  }

  private renderConfigStep(m: ModalMessages): TemplateResult {
    const fields = this.activeFields;
    const integration = this.integration;
    const changes = this.offeredWorkflows.filter(
      (workflow) => this.selectedWorkflows.has(workflow.workflowId) && this.upgrades(workflow),
    );
    return html`<h3 id=${STEP_TITLE_ID} class="step-title" tabindex="-1">${m.stepNames.config}</h3>
      <p class="intro">${fields.length > 0 ? m.configIntro : m.noConfiguration}</p>
      ${
        changes.length > 0
          ? html`<ul class="changes">
              ${changes.map(
                (workflow) => html`<li><span>${workflow.name}</span> ${this.renderVersionChange(workflow)}</li>`,
              )}
            </ul>`
          : nothing
      }
      ${this.renderFormError(m)}
      ${fields.map((field) => {
        const key = fieldKey(field);
        const render =
          field.type === 'dynamicSelect' && this.dynamic ? this.dynamic.render.bind(this.dynamic) : renderConfigField;
        return render(field, {
          id: `alloy-field-${integration?.fields.indexOf(field) ?? 0}`,
          value: this.values.get(key),
          error: this.fieldErrors.get(key)?.(m),
          revealed: this.revealedSecrets.has(key),
          secretSet: this.secretSet(field),
          messages: m,
          setValue: (value, badInput) => this.setValue(field, value, badInput),
          toggleReveal: () => this.toggleReveal(key),
        });
      })}`;
  }

  private renderFooter(m: ModalMessages): TemplateResult | typeof nothing {
    const back = (onClick: () => void) =>
      html`<button type="button" class="secondary back" part="button secondary-button back-button" @click=${onClick}>
        ${m.back}
      </button>`;
    switch (this.phase) {
      case 'loading':
        return nothing;
      case 'success':
        return html`<footer part="footer">
          <button type="button" class="primary" part="button primary-button done-button" @click=${() => this.close()}>
            ${m.stepNames.done}
          </button>
        </footer>`;
      case 'error': {
        const canRetry = this.failure === 'load' || this.failure === 'install';
        return html`<footer part="footer">
          ${this.failure === 'install' ? back(() => this.enterStep(this.flow.length - 1)) : nothing}
          <button
            type="button"
            class="primary"
            part="button primary-button ${canRetry ? 'retry-button' : 'close-error-button'}"
            aria-describedby="alloy-error-text"
            @click=${() =>
              canRetry
                ? void (this.failure === 'load' ? this.load() : this.install())
                : this.requestClose('close-button')}
          >
            ${canRetry ? m.retry : m.close}
          </button>
        </footer>`;
      }
      default: {
        const last = this.stepIndex === this.flow.length - 1;
        const busy = this.phase === 'submitting';
        // While an app connects, Continue waits (the auth step shows its own progress).
        const waiting = busy || Boolean(this.auth?.busy(this.stepIndex) && isAuthStep(this.flow[this.stepIndex]));
        return html`<footer part="footer">
          ${this.stepIndex > 0 ? back(() => this.enterStep(this.stepIndex - 1)) : nothing}
          <button
            type="submit"
            class="primary"
            part="button primary-button ${last ? 'finish-button' : 'next-button'}"
            aria-disabled=${waiting ? 'true' : 'false'}
          >
            ${busy ? html`<span class="spinner" aria-hidden="true"></span>${m.working[this.operation]}` : nothing}
            ${busy ? nothing : last ? m.finish[this.operation] : m.next}
          </button>
        </footer>`;
      }
    }
  }

  private renderConfirm(m: ModalMessages): TemplateResult {
    return html`<div
      class="confirm"
      part="confirm"
      role="group"
      aria-labelledby="alloy-confirm-title"
      aria-describedby="alloy-confirm-text"
    >
      <p id="alloy-confirm-title"><b>${m.discardTitle}</b></p>
      <p id="alloy-confirm-text">${m.discardText}</p>
      <button
        type="button"
        class="secondary keep-editing"
        part="button secondary-button keep-editing-button"
        @click=${this.keepEditing}
      >
        ${m.keepEditing}
      </button>
      <button type="button" class="danger" part="button discard-button" @click=${this.discard}>${m.discard}</button>
    </div>`;
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

const isAuthStep = (step: FlowStep | undefined): step is `auth-${number}` => Boolean(step?.startsWith('auth-'));
const authIndex = (step: FlowStep): number => Number(step.slice(5));

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : '';
}
