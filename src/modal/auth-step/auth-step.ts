import { html, nothing, type ReactiveController, type TemplateResult } from 'lit';
import type {
  AuthField,
  ConfigField,
  OAuthSession,
  OAuthSessionView,
  WidgetApi,
  WidgetApp,
} from '../../contract/index.js';
import { renderConfigField } from '../config-fields/config-fields.js';
import type { ModalEventDetails } from '../events.js';
import { authMessages } from '../i18n/auth-messages.js';
import type { ModalMessages } from '../i18n/messages.js';
import { alertIcon, checkIcon } from '../internal/icons.js';
import { checkField } from '../internal/validation.js';
import type { ModalOperation } from '../options.js';
import { authStepStyles } from './auth-step.styles.js';

export { authStepStyles };

type Message = (messages: ModalMessages) => string;

/** What the auth step needs from the modal that shows it. */
export interface AuthHost {
  readonly api: WidgetApi;
  readonly text: ModalMessages;
  readonly alwaysShowAuthentication: boolean;
  /** An edit or update starts from the connection the installation uses (absent: a first install). */
  readonly operation?: ModalOperation;
  requestUpdate(): void;
  emit<K extends keyof ModalEventDetails>(type: K, detail: ModalEventDetails[K]): void;
  announce(text: string): void;
  focusSoon(selector: string): Promise<void>;
  /**
   * The user finished app `index`'s step (a connection in hand): the modal moves on, if that step
   * is still the one on screen (an OAuth sign-in can finish after the user went elsewhere).
   */
  advance(index: number): void;
}

/**
 * How an app's step connects: `oauth` signs in through a popup (its pre-OAuth fields inline),
 * `fields` sends typed credentials such as an API key. One is shown at a time; only its fields are
 * checked and sent.
 */
export type AuthMethod = 'oauth' | 'fields';

/** The footer's primary button on an app's step: what it says, and whether it waits (spinner, aria-disabled). */
export interface AuthAction {
  label: string;
  busy: boolean;
}

/**
 * How long the OAuth watch waits. Polling backs off from `pollMs` to `maxPollMs`; a popup seen
 * closed is believed only after `closedGraceMs` more of server polls (the callback may have just
 * finished); `closed` reading true within `severedMs` of navigating is COOP cutting the opener link,
 * not the user, so from then on only the server (or Cancel) ends the wait.
 */
export const oauthTiming = { pollMs: 1500, maxPollMs: 4000, closedCheckMs: 250, closedGraceMs: 1500, severedMs: 1500 };

interface Connection {
  credentialId: string;
  name: string;
}

interface AppState {
  readonly app: WidgetApp;
  /** Its place among the apps, which is also its step's place in the modal's flow. */
  readonly index: number;
  /** The method on screen; starts with the one the app prefers. */
  method: AuthMethod;
  /** The connection this install will use; unset while the user is connecting one. */
  chosen: Connection | undefined;
  /** In an edit or update, the connection the installation uses now (shown as "Connected to … · Change"). */
  current: Connection | undefined;
  values: Map<string, string>;
  revealed: Set<string>;
  errors: Map<string, Message>;
  message: Message | undefined;
  busy: 'none' | 'checking' | 'oauth';
  /** window.open was refused: the footer button now says "Open sign-in window" and opens it from that click. */
  blocked: boolean;
  stop: (() => void) | undefined;
}

const POPUP_NAME = 'alloy-oauth';

/** Picks the shape the callback page posts; the server's answer to the poll it triggers is what counts. */
function isCompletion(data: unknown, session: OAuthSession): boolean {
  const message = data as Record<string, unknown> | null;
  return (
    typeof message === 'object' &&
    message !== null &&
    message.type === 'alloy:oauth-complete' &&
    message.sessionId === session.sessionId &&
    message.state === session.state &&
    typeof message.status === 'string'
  );
}

const asConfigField = (field: AuthField): ConfigField => ({ ...field, workflowId: '', blockId: '' });

/**
 * The auth step, one screen per app the integration needs a connection to: reuse a connection,
 * type credentials (checked by the server), or sign in with OAuth in a popup. Loaded with a dynamic
 * import only when `getApps` names an app, so the base modal chunk stays within its budget.
 */
export class AuthStep implements ReactiveController {
  readonly apps: AppState[];

  constructor(
    private readonly host: AuthHost,
    apps: WidgetApp[],
  ) {
    const editing = host.operation !== undefined && host.operation !== 'install';
    this.apps = apps.map((app, index) => {
      const newest = app.connections[0];
      // An edit starts from the installation's connection even with alwaysShowAuthentication (which
      // alloy-frontend's edit() sets): the step is shown, on the current state, not on empty fields.
      const inUse = editing ? app.connections.find((connection) => connection.inUse) : undefined;
      const current = inUse && { credentialId: inUse.credentialId, name: inUse.name };
      return {
        app,
        index,
        method: this.preferredMethod(app),
        current,
        chosen:
          current ??
          (newest && !host.alwaysShowAuthentication
            ? { credentialId: newest.credentialId, name: newest.name }
            : undefined),
        values: new Map(),
        revealed: new Set(),
        errors: new Map(),
        message: undefined,
        busy: 'none',
        blocked: false,
        stop: undefined,
      };
    });
  }

  /** The connection chosen for each app, by app key. */
  credentials(): Record<string, string> {
    return Object.fromEntries(this.apps.flatMap((s) => (s.chosen ? [[s.app.app, s.chosen.credentialId]] : [])));
  }

  /** Whether any app still needs the user (hidden installs must show the modal then). */
  needsInput(): boolean {
    return this.apps.some((state) => !state.chosen);
  }

  /** OAuth when the app offers it (one click, nothing to copy), else its typed fields. */
  private preferredMethod(app: WidgetApp): AuthMethod {
    if (app.oauth && this.host.api.startOAuth) return 'oauth';
    return app.fields && app.fields.length > 0 ? 'fields' : 'oauth';
  }

  /** Whether the user can choose between signing in and typing credentials. */
  private switchable(state: AppState): boolean {
    return Boolean(state.app.oauth && this.host.api.startOAuth && state.app.fields && state.app.fields.length > 0);
  }

  /** The fields of the method on screen: the only ones checked and sent. */
  private visibleFields(state: AppState): AuthField[] {
    return (state.method === 'oauth' ? state.app.oauth?.preOAuthFields : state.app.fields) ?? [];
  }

  /**
   * The footer's primary button on app `index`'s step: the modal shows this label and calls
   * `submit(index)` when it is pressed, so the step has one primary action, always in view.
   */
  action(index: number): AuthAction | undefined {
    const state = this.apps[index];
    if (!state) return undefined;
    const m = this.host.text;
    const t = authMessages(m);
    if (state.busy === 'oauth') return { label: t.waitingShort, busy: true };
    if (state.busy === 'checking') return { label: t.checking, busy: true };
    if (state.chosen || state.method === 'fields') return { label: m.next, busy: false };
    return { label: state.blocked ? t.openSignInWindow : t.connect(state.app.name), busy: false };
  }

  /** The modal left the page: its controllers stop their work. */
  hostDisconnected(): void {
    this.dispose();
  }

  /** Stops every OAuth watch and closes its popup (the modal closed). */
  dispose(): void {
    for (const state of this.apps) {
      state.stop?.();
      state.values = new Map();
    }
  }

  private update(): void {
    this.host.requestUpdate();
  }

  /**
   * The footer's primary button on the app's step (see `action`). Runs synchronously up to
   * `window.open`, so the popup opens inside the user's gesture (Safari refuses popups opened after
   * an await).
   */
  submit(index: number): void {
    const state = this.apps[index];
    if (!state || state.busy !== 'none') return;
    if (state.chosen) return this.host.advance(state.index);
    if (state.method === 'fields') void this.submitFields(state);
    else this.connectOAuth(state);
  }

  /** Checks the fields of the method on screen with the rules the server applies; shows what to fix. */
  private checkVisible(state: AppState): boolean {
    const errors = new Map<string, Message>();
    const format = (value: number) => new Intl.NumberFormat(this.host.text.locale).format(value);
    for (const field of this.visibleFields(state)) {
      const value = state.values.get(field.name);
      if (checkField(asConfigField(field), value, this.host.text, format) !== undefined) {
        errors.set(field.name, (m) => checkField(asConfigField(field), value, m, format) ?? m.required);
      }
    }
    state.errors = errors;
    if (errors.size === 0) return true;
    state.message = (m) => m.fixErrors(errors.size);
    this.host.announce(this.host.text.fixErrors(errors.size));
    this.update();
    void this.host.focusSoon('.body [aria-invalid="true"]');
    return false;
  }

  private wireFields(state: AppState, fields: AuthField[]): Record<string, string> {
    // Secrets go as typed; other text is trimmed, like config values.
    return Object.fromEntries(
      fields.flatMap((field) => {
        const raw = state.values.get(field.name) ?? '';
        const value = field.type === 'secret' ? raw : raw.trim();
        return value === '' ? [] : [[field.name, value]];
      }),
    );
  }

  private async submitFields(state: AppState): Promise<void> {
    const fields = state.app.fields ?? [];
    state.message = undefined;
    if (!this.checkVisible(state) || !this.host.api.createCredential) return;
    state.busy = 'checking';
    this.host.announce(authMessages(this.host.text).checkingConnection);
    this.host.emit('alloy-auth-started', { app: state.app.app });
    this.update();
    try {
      const created = await this.host.api.createCredential({
        app: state.app.app,
        fields: this.wireFields(state, fields),
      });
      state.busy = 'none';
      this.connected(state, created);
      this.host.advance(state.index);
    } catch (error) {
      state.busy = 'none';
      const errors = new Map<string, Message>();
      for (const issue of issuesOf(error)) {
        const name = issue.path[0] === 'fields' ? issue.path[1] : undefined;
        if (fields.some((field) => field.name === name) && !errors.has(String(name))) {
          errors.set(String(name), () => issue.message);
        }
      }
      state.errors = errors;
      const detail = error instanceof Error ? error.message : '';
      state.message = errors.size > 0 ? (m) => m.fixErrors(errors.size) : (m) => authMessages(m).connectFailed;
      this.host.emit('alloy-auth-failed', { app: state.app.app, message: detail });
      this.host.announce(state.message(this.host.text));
      this.update();
      void this.host.focusSoon(errors.size > 0 ? '.body [aria-invalid="true"]' : '.body .form-error');
    }
  }

  private connected(state: AppState, connection: Connection): void {
    state.chosen = { credentialId: connection.credentialId, name: connection.name };
    state.errors = new Map();
    state.message = undefined;
    state.blocked = false;
    state.values = new Map();
    state.revealed = new Set();
    state.method = this.preferredMethod(state.app);
    this.host.emit('alloy-auth-succeeded', { app: state.app.app, credentialId: connection.credentialId });
    this.host.announce(authMessages(this.host.text).connectedAs(connection.name));
    this.update();
  }

  /** The Connect (or, after a block, Open sign-in window) click: opens the popup before anything awaits. */
  private connectOAuth(state: AppState): void {
    if (state.busy !== 'none' || !this.host.api.startOAuth) return;
    const preFields = state.app.oauth?.preOAuthFields ?? [];
    state.message = undefined;
    if (!this.checkVisible(state)) return;
    const width = 520;
    const height = 680;
    const left = Math.max(0, window.screenX + (window.outerWidth - width) / 2);
    const top = Math.max(0, window.screenY + (window.outerHeight - height) / 2);
    const popup = window.open('', POPUP_NAME, `popup,width=${width},height=${height},left=${left},top=${top}`);
    if (!popup) {
      state.blocked = true;
      state.message = (m) => authMessages(m).popupBlocked;
      this.host.announce(authMessages(this.host.text).popupBlocked);
      this.update();
      // The footer button, now "Open sign-in window", is the one way on: a fresh click may open it.
      void this.host.focusSoon('footer .primary');
      return;
    }
    state.blocked = false;
    state.busy = 'oauth';
    this.host.emit('alloy-auth-started', { app: state.app.app });
    this.host.announce(authMessages(this.host.text).waitingForSignIn(state.app.name));
    this.update();
    void this.host.focusSoon('.body .cancel-oauth');
    void this.runOAuth(state, popup, this.wireFields(state, preFields));
  }

  private async runOAuth(state: AppState, popup: Window, fields: Record<string, string>): Promise<void> {
    const api = this.host.api;
    let stopped = false;
    const abort = new AbortController();
    state.stop = () => {
      stopped = true;
      abort.abort();
      if (!popup.closed) popup.close();
    };
    let session: OAuthSession;
    let origin: string;
    try {
      session = await api.startOAuth!({ app: state.app.app, fields, origin: location.origin });
      origin = new URL(session.authorizeUrl).origin;
    } catch (error) {
      if (stopped) return;
      state.stop();
      return this.oauthEnded(state, { failure: (m) => authMessages(m).signInFailed, error });
    }
    if (stopped) return;
    // Closed while the session was being created: nothing can be signed in there.
    if (popup.closed)
      return this.oauthEnded(state, { failure: (m) => authMessages(m).popupClosed, error: new Error('closed') });
    popup.location.href = session.authorizeUrl;
    const outcome = await watchSession(api, session, origin, popup, abort.signal);
    if (stopped && outcome.kind === 'stopped') return;
    state.stop = undefined;
    if (!popup.closed) popup.close();
    if (outcome.kind === 'succeeded') {
      state.busy = 'none';
      this.connected(state, outcome.connection);
      // Nothing is left to do on this step: the user already pressed Connect once.
      this.host.advance(state.index);
      return;
    }
    const failure: Message =
      outcome.kind === 'closed'
        ? (m) => authMessages(m).popupClosed
        : outcome.kind === 'expired'
          ? (m) => authMessages(m).signInExpired
          : outcome.kind === 'cancelled'
            ? (m) => authMessages(m).signInCancelled
            : (m) => authMessages(m).signInFailed;
    this.oauthEnded(state, { failure, error: new Error(outcome.kind === 'failed' ? outcome.message : outcome.kind) });
  }

  private oauthEnded(state: AppState, { failure, error }: { failure: Message; error: unknown }): void {
    state.busy = 'none';
    state.stop = undefined;
    state.message = failure;
    this.host.emit('alloy-auth-failed', { app: state.app.app, message: error instanceof Error ? error.message : '' });
    this.host.announce(failure(this.host.text));
    this.update();
    void this.host.focusSoon('footer .primary');
  }

  /** The user gave up waiting (e.g. a COOP host where the popup can no longer be seen). */
  private cancelOAuth(state: AppState): void {
    state.stop?.();
    state.stop = undefined;
    state.busy = 'none';
    state.message = undefined;
    this.update();
    void this.host.focusSoon('footer .primary');
  }

  private useDifferentAccount(state: AppState): void {
    state.chosen = undefined;
    state.message = undefined;
    this.update();
    void this.host.focusSoon('.body :is(input, select), footer .primary');
  }

  /**
   * The disclosure between the two methods: shows the other method's fields in place of these, and
   * moves focus into what was revealed. What was typed on either side is kept.
   */
  private switchMethod(state: AppState): void {
    if (state.busy !== 'none') return;
    state.method = state.method === 'oauth' ? 'fields' : 'oauth';
    state.errors = new Map();
    state.message = undefined;
    state.blocked = false;
    this.update();
    const region = `#alloy-auth-${state.index}-${state.method === 'fields' ? 'key' : 'oauth'}`;
    // A method without fields (OAuth alone) reveals only a hint: focus stays on the switch.
    void this.host.focusSoon(
      this.visibleFields(state).length > 0 ? `${region} :is(input, select, textarea)` : '.body .method-switch',
    );
  }

  private useExisting(state: AppState): void {
    const existing = state.current ?? state.app.connections[0];
    if (!existing) return;
    state.chosen = { credentialId: existing.credentialId, name: existing.name };
    state.errors = new Map();
    state.message = undefined;
    this.host.announce(authMessages(this.host.text).connectedAs(existing.name));
    this.update();
    void this.host.focusSoon('.primary');
  }

  render(index: number, titleId: string): TemplateResult {
    const m = this.host.text;
    const t = authMessages(m);
    const state = this.apps[index]!;
    const app = state.app;
    const heading = html`<h3 id=${titleId} class="step-title" tabindex="-1">${t.authTitle(app.name)}</h3>`;
    if (state.chosen && state.chosen.credentialId === state.current?.credentialId) {
      // "Connected to acme-shop · Change": Change opens the usual ways to connect.
      return html`${heading}
        <div class="connection" part="connection">
          <span class="connected-mark">${checkIcon}</span>
          <p id="alloy-current-connection"><span>${authMessages(m).connectedTo(state.chosen.name)}</span></p>
          <button
            type="button"
            class="secondary change"
            part="button secondary-button change-connection-button"
            aria-describedby="alloy-current-connection"
            @click=${() => this.useDifferentAccount(state)}
          >
            ${authMessages(m).change}
          </button>
        </div>`;
    }
    if (state.chosen) {
      return html`${heading}
        <div class="connection" part="connection">
          <span class="connected-mark">${checkIcon}</span>
          <p><span>${t.connectedAs(state.chosen.name)}</span></p>
        </div>
        <button
          type="button"
          class="secondary different"
          part="button secondary-button different-account-button"
          @click=${() => this.useDifferentAccount(state)}
        >
          ${t.useDifferentAccount}
        </button>`;
    }
    const busy = state.busy !== 'none';
    const existing = state.current ?? app.connections[0];
    const fields = app.fields ?? [];
    const switchable = this.switchable(state);
    const keyRegion = `alloy-auth-${index}-key`;
    // Fields keep one id whichever method shows them: typed fields first, then pre-OAuth fields.
    const renderFields = (list: AuthField[], offset: number) =>
      list.map((field, i) => this.renderField(state, field, `alloy-auth-${index}-${offset + i}`));
    const oauth =
      state.method === 'oauth'
        ? html`<fieldset class="auth-fields" id="alloy-auth-${index}-oauth" ?disabled=${busy}>
              ${renderFields(app.oauth?.preOAuthFields ?? [], fields.length)}
            </fieldset>
            ${
              state.busy === 'oauth'
                ? html`<div class="waiting" part="oauth-waiting">
                    <p><span class="spinner" aria-hidden="true"></span>${t.waitingForSignIn(app.name)}</p>
                    <button
                      type="button"
                      class="secondary cancel-oauth"
                      part="button secondary-button cancel-button"
                      @click=${() => this.cancelOAuth(state)}
                    >
                      ${t.cancel}
                    </button>
                  </div>`
                : html`<p class="hint">${t.oauthHint(app.name)}</p>`
            }`
        : nothing;
    // A disclosure: aria-expanded tells whether the typed-credentials region is the one shown.
    const toggle = switchable
      ? html`<button
          type="button"
          class="method-switch"
          part="button method-switch-button"
          aria-expanded=${state.method === 'fields' ? 'true' : 'false'}
          aria-controls=${keyRegion}
          ?disabled=${busy}
          @click=${() => this.switchMethod(state)}
        >
          <span class="chevron" aria-hidden="true"></span>${
            state.method === 'fields'
              ? t.signInInstead(app.name)
              : fields.some((field) => field.type === 'secret' && /key/i.test(field.name))
                ? t.useApiKeyInstead
                : t.useCredentialsInstead
          }
        </button>`
      : nothing;
    const typed =
      state.method === 'fields'
        ? html`<fieldset class="auth-fields" id=${keyRegion} ?disabled=${busy}>${renderFields(fields, 0)}</fieldset>`
        : nothing;
    return html`${heading}
      <p class="intro">${t.authIntro(app.name)}</p>
      ${
        state.message
          ? html`<p class="form-error" part="form-error" tabindex="-1">${alertIcon}<span>${state.message(m)}</span></p>`
          : nothing
      }
      ${existing ? html`<button type="button" class="secondary existing" part="button secondary-button use-existing-button" ?disabled=${busy} @click=${() => this.useExisting(state)}>${t.useExisting(existing.name)}</button>` : nothing}
      ${oauth} ${toggle} ${typed}`;
  }

  private renderField(state: AppState, field: AuthField, id: string): TemplateResult {
    return renderConfigField(asConfigField(field), {
      id,
      value: state.values.get(field.name) ?? '',
      error: state.errors.get(field.name)?.(this.host.text),
      revealed: state.revealed.has(field.name),
      messages: this.host.text,
      setValue: (value) => {
        state.values = new Map(state.values).set(field.name, typeof value === 'string' ? value : '');
        if (state.errors.delete(field.name) && state.errors.size === 0) state.message = undefined;
        this.update();
      },
      toggleReveal: () => {
        if (!state.revealed.delete(field.name)) state.revealed.add(field.name);
        this.update();
      },
    });
  }
}

type WatchOutcome =
  | { kind: 'succeeded'; connection: Connection }
  | { kind: 'failed'; message: string }
  | { kind: 'cancelled' | 'expired' | 'closed' | 'stopped' };

/**
 * Waits for the session to end: the callback page's `message` (exact origin, this session's state,
 * taken once) makes it ask the server now; otherwise it asks every ~1.5 s, backing off. The server's
 * answer decides, so a forged or lost message changes nothing but timing.
 */
async function watchSession(
  api: WidgetApi,
  session: OAuthSession,
  origin: string,
  popup: Window,
  signal: AbortSignal,
): Promise<WatchOutcome> {
  let wake: () => void = () => {};
  const onMessage = (event: MessageEvent) => {
    if (event.origin !== origin || !isCompletion(event.data, session)) return;
    window.removeEventListener('message', onMessage);
    wake();
  };
  window.addEventListener('message', onMessage);
  const navigatedAt = Date.now();
  let closedAt: number | undefined;
  let severed = false;
  const watchClosed = setInterval(() => {
    if (severed || closedAt !== undefined || !popup.closed) return;
    if (Date.now() - navigatedAt < oauthTiming.severedMs) severed = true;
    else {
      closedAt = Date.now();
      wake();
    }
  }, oauthTiming.closedCheckMs);
  const expiresAt = Date.parse(session.expiresAt);
  let delay = oauthTiming.pollMs;
  let failures = 0;
  try {
    for (;;) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, closedAt !== undefined ? Math.min(delay, oauthTiming.closedGraceMs) : delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        signal.addEventListener('abort', wake, { once: true });
      });
      if (signal.aborted) return { kind: 'stopped' };
      let view: OAuthSessionView | undefined;
      try {
        view = await api.getOAuthSession!(session.sessionId, signal);
        failures = 0;
      } catch {
        if (signal.aborted) return { kind: 'stopped' };
        if (++failures >= 5) return { kind: 'failed', message: 'The session could not be checked.' };
      }
      if (view?.status === 'succeeded' && view.credentialId) {
        return { kind: 'succeeded', connection: { credentialId: view.credentialId, name: view.name ?? '' } };
      }
      if (view?.status === 'failed') return { kind: 'failed', message: view.message ?? '' };
      if (view?.status === 'cancelled' || view?.status === 'expired') return { kind: view.status };
      if (Number.isFinite(expiresAt) && Date.now() > expiresAt) return { kind: 'expired' };
      if (closedAt !== undefined && Date.now() - closedAt >= oauthTiming.closedGraceMs) return { kind: 'closed' };
      delay = Math.min(delay * 1.5, oauthTiming.maxPollMs);
    }
  } finally {
    clearInterval(watchClosed);
    window.removeEventListener('message', onMessage);
  }
}

/** The SDK's errors carry the server's `issues`; anything else has none. */
function issuesOf(error: unknown): { path: unknown[]; message: string }[] {
  const issues = (error as { issues?: unknown } | null)?.issues;
  return Array.isArray(issues) ? issues.filter((issue) => Array.isArray(issue?.path) && issue.message) : [];
}
