import type {
  IntegrationListResponse,
  UninstallResponse,
  WidgetApi,
  WidgetAppsResponse,
  WidgetIntegration,
} from '../contract/index.js';
import type * as ModalModule from '../modal/index.js';
import type {
  AlloyInstallModal,
  CloseReason,
  InstallOutcome,
  ModalAppearance,
  ModalOperation,
  PrefilledValue,
} from '../modal/index.js';
import { ApiClient, type UserWorkflowList, type WorkflowActivated, type WorkflowDeactivated } from './api-client.js';
import { AlloyError } from './errors.js';
import { Emitter, toAlloyError, type AlloyEventListener, type AlloyEventMap, type AlloyEventType } from './events.js';
import {
  AUTO_CLOSE_MS,
  AuthenticateOptionsSchema,
  ConfigureOptionsSchema,
  InstallOptionsSchema,
  KNOWN_AUTHENTICATE_OPTIONS,
  KNOWN_INSTALL_OPTIONS,
  UninstallOptionsSchema,
  WorkflowSelectorSchema,
  parseOptions,
  warnUnknownOptions,
  type Appearance,
  type ConfigureOptions,
  type Operation,
} from './options.js';
import { keepScrollPosition, pageRegistry, registerCopy, whenBodyReady, type ActiveSession } from './page.js';
import { TokenStore, type TokenProvider } from './token.js';
import { SDK_VERSION } from './version.js';

export { SDK_VERSION };

/**
 * alloy-frontend's regions. Their base URLs are whatever this deployment declares (`configure({
 * regions })`, or the server's `GET /widget/regions`), never the vendor's hosted API: a user token
 * only goes to a host the operator configured.
 */
export type Region = 'us' | 'eu';

export type InstallResult = InstallOutcome;
/** What `callback` receives: the outcome, or `{ success: false, reason: 'error', error }` when the call failed. */
export type InstallCallbackResult = InstallResult | { success: false; reason: 'error'; error: AlloyError };

export interface InstallOptions {
  /** The integration to install (from `GET /integrations`). Required unless `workflowIds` is given. */
  integrationId?: string;
  /** Install only these workflows (one id or a list). Without `integrationId`, the integration is looked up. */
  workflowIds?: string | string[];
  /** Called once with the outcome; the returned Promise resolves with the same value. */
  callback?: (result: InstallCallbackResult) => void;
  /** Let the user toggle which workflows to install. */
  workflowSelection?: boolean;
  /** Show the authentication step even when the user's apps are already connected. */
  alwaysShowAuthentication?: boolean;
  /** Install silently when nothing needs the user's input; show the modal otherwise. */
  hide?: boolean;
  /** The modal's heading. */
  title?: string;
  operation?: Operation;
  /** Accepted for alloy-frontend compatibility; this server installs the released version (a warning says so). */
  versionIds?: string[];
  /** Values to fill in for the user; fields match by name, narrowed by workflowId/blockId. */
  preFilledValues?: PrefilledValue[];
  /** Accepted for alloy-frontend compatibility; has no effect here (a warning says so). */
  outputOverride?: unknown[];
  /** The modal's language (BCP 47); defaults to `configure({ locale })`, then the page's `lang`. */
  locale?: string;
  appearance?: Appearance;
  /**
   * Close the success step by itself: `true` after 4 s, or after this many milliseconds (1000–60000).
   * By default it stays until the user presses Done, so they can read what now happens.
   */
  autoClose?: boolean | number;
}

/** What `Alloy.uninstall` resolves with: what the server removed. */
export type UninstallResult = { success: true } & UninstallResponse;
/** What an uninstall `callback` receives: the result, or the error the Promise rejects with. */
export type UninstallCallbackResult = UninstallResult | { success: false; reason: 'error'; error: AlloyError };

export interface UninstallOptions {
  integrationId: string;
  callback?: (result: UninstallCallbackResult) => void;
}

export interface AuthenticateOptions {
  /** The app to connect, e.g. `"shopify"`; the first integration using it provides the auth step. */
  app?: string;
  /** Connect the apps of this integration. */
  integrationId?: string;
  /** Unified API only; not provided by this server. */
  category?: string;
  useUnifiedSettings?: boolean;
  callback?: (result: AuthenticateCallbackResult) => void;
  title?: string;
  locale?: string;
  appearance?: Appearance;
}

export type AuthenticateResult =
  | {
      success: true;
      integrationId: string;
      app?: string;
      /** The stored credential, when the user connected one in this session. */
      credentialId?: string;
      /** alloy-frontend's name for the same id. */
      connectionId?: string;
    }
  | { success: false; reason: Exclude<CloseReason, 'installed'> };
export type AuthenticateCallbackResult = AuthenticateResult | { success: false; reason: 'error'; error: AlloyError };

export type WorkflowTarget = { workflowId: string } | { workflowName: string };

export interface AlloyInstance {
  readonly version: string;
  /**
   * The user token from your backend (`GET /users/:userId/token`), or a function that fetches a
   * fresh one: it is called when needed, ~60 s before `exp` and when the API says `token_expired`.
   */
  setToken(token: string | TokenProvider): void;
  /**
   * `'us'` or `'eu'`: the base URL `configure({ regions })` or the server declares for it. With none
   * declared, requests stay on the current server (the origin that served the SDK) and a warning says so once.
   */
  setRegion(region: Region | (string & {})): void;
  /** A self-hosted server (`baseUrl`), region base URLs, and defaults for `locale` / `appearance`. */
  configure(options: ConfigureOptions): void;
  /** Opens the install modal; resolves when it closes. */
  install(options: InstallOptions): Promise<InstallResult>;
  /** `install` with `operation: 'edit'` and the authentication step shown. */
  edit(options: InstallOptions): Promise<InstallResult>;
  /** `install` with `operation: 'update'` and the authentication step shown. */
  update(options: InstallOptions): Promise<InstallResult>;
  /** Connects an app (the modal's authentication step only); resolves with the credential. */
  authenticate(options: AuthenticateOptions): Promise<AuthenticateResult>;
  /** Integrations with the token user's install state (`GET /2024-03/integrations`). */
  getIntegrations(): Promise<IntegrationListResponse>;
  /** The token user's workflows (`GET /2024-03/workflows`). */
  getWorkflows(): Promise<UserWorkflowList>;
  /** `PUT /2024-03/workflows/deactivate`. */
  deactivate(target: WorkflowTarget): Promise<WorkflowDeactivated>;
  /** `PUT /2024-03/workflows/activate`. */
  reactivate(target: WorkflowTarget): Promise<WorkflowActivated>;
  /**
   * Uninstalls the integration for the token's user: its workflows stop and are removed, the
   * installation goes, the user's connections stay. Resolves with what was removed and emits
   * `uninstalled`; rejects with an AlloyError (`NOT_FOUND` when it is not installed, `TOKEN_MISSING`, …).
   * No confirmation is shown: ask the user first (the edit modal's Uninstall asks itself).
   */
  uninstall(target: string | UninstallOptions): Promise<UninstallResult>;
  /** Closes the open modal (its Promise resolves with `{ success: false, reason: 'api' }`). */
  close(): void;
  on<K extends AlloyEventType>(type: K, listener: AlloyEventListener<K>): () => void;
  off<K extends AlloyEventType>(type: K, listener: AlloyEventListener<K>): void;
}

export interface CreateAlloyOptions {
  baseUrl?: string;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  /** How this copy was loaded; only named in the two-copies warning. */
  kind?: string;
}

/** The properties the SDK sets on `<alloy-install-modal>` (the modal's public interface). */
interface InstallModalProps {
  integrationId: string;
  heading: string | undefined;
  api: WidgetApi;
  workflowIds: string[] | undefined;
  locale: string | undefined;
  appearance: ModalAppearance | undefined;
  operation: ModalOperation;
  alwaysShowAuthentication: boolean;
  hideWhenNoInput: boolean;
  workflowSelection: boolean;
  preFilledValues: PrefilledValue[] | undefined;
  successDuration: number | undefined;
}

interface ModalRequest {
  kind: Operation | 'authenticate';
  integrationId: () => Promise<string>;
  props: Omit<InstallModalProps, 'integrationId' | 'api'>;
  /** Lets authenticate() end the session early; gets every modal event. */
  watch?: (type: string, detail: unknown, close: () => void) => void;
}

const MODAL_EVENTS = {
  'alloy-ready': 'ready',
  'alloy-step': 'step',
  'alloy-auth-started': 'auth-started',
  'alloy-auth-succeeded': 'auth-succeeded',
  'alloy-auth-failed': 'auth-failed',
  'alloy-installed': 'installed',
  'alloy-uninstalled': 'uninstalled',
  'alloy-error': 'error',
  'alloy-close': 'close',
} as const satisfies Record<string, AlloyEventType>;

class Cancelled {}

/** Identifies this copy of the SDK code (not an instance): `Alloy()` may make many instances of one copy. */
const COPY_ID = Symbol('alloy-sdk-copy');

let modalModule: Promise<typeof ModalModule> | undefined;

/** Loads the modal once; a failed load is forgotten so the next call tries again. */
function loadModalModule(): Promise<typeof ModalModule> {
  modalModule ??= import('../modal/index.js').catch((error: unknown) => {
    modalModule = undefined;
    throw new AlloyError('LOAD_FAILED', `The install modal could not be loaded${trustedTypesHint(error)}.`, {
      cause: error,
    });
  });
  return modalModule;
}

function trustedTypesHint(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return /policy|trusted/i.test(text)
    ? ` (the page's Trusted Types policy refused Lit: add "lit-html" to the trusted-types directive, and 'allow-duplicates' if the page ships its own Lit)`
    : '';
}

/**
 * The API the modal gets, with the two reads of its first load already on the way: its first
 * `getIntegration` and `getApps` for `integrationId` get the requests started here (each once;
 * Try again and later loads ask anew). If the modal never asks (closed first, or it failed to
 * load), the answers are dropped; a request it no longer wants is left to finish, as a GET may.
 */
function prefetchFirstLoad(client: ApiClient, integrationId: string): ApiClient {
  let integration: Promise<WidgetIntegration> | undefined = client.getIntegration(integrationId);
  let apps: Promise<WidgetAppsResponse> | undefined = client.getApps(integrationId);
  integration.catch(() => undefined);
  apps.catch(() => undefined);
  const api = Object.create(client) as ApiClient;
  api.getIntegration = (id, signal) => {
    const pending = id === integrationId ? integration : undefined;
    integration = undefined;
    return pending ?? client.getIntegration(id, signal);
  };
  api.getApps = (id, signal) => {
    const pending = id === integrationId ? apps : undefined;
    apps = undefined;
    return pending ?? client.getApps(id, signal);
  };
  return api;
}

/** Creates an independent SDK instance. The CDN global and the default export are instances too. */
export function createAlloy(options: CreateAlloyOptions = {}): AlloyInstance {
  const tokens = new TokenStore();
  const events = new Emitter();
  let baseUrl = trimSlash(options.baseUrl ?? pageOrigin());
  let defaults: { locale?: string; appearance?: Appearance } = {};
  let timeoutMs = options.timeoutMs;
  /** Region base URLs from `configure({ regions })`. */
  let configuredRegions: Partial<Record<Region, string>> = {};
  /** A `setRegion` the server still has to be asked about (on the next request). */
  let pendingRegion: Region | undefined;
  /** What each server declared, asked once per origin. */
  const declaredRegions = new Map<string, Promise<Partial<Record<Region, string>>>>();
  const warnedRegions = new Set<string>();

  /** The base URL for the next request: a pending region is looked up at the current server first. */
  async function currentBaseUrl(): Promise<string> {
    const region = pendingRegion;
    if (region === undefined) return baseUrl;
    const asked = baseUrl;
    const configured = configuredRegions[region];
    if (configured !== undefined) {
      pendingRegion = undefined;
      return (baseUrl = trimSlash(configured));
    }
    let declared = declaredRegions.get(asked);
    if (!declared) {
      declared = client.getRegions(asked).then(
        (answer) => answer.regions,
        () => ({}), // an older server, or none: no region declared
      );
      declaredRegions.set(asked, declared);
    }
    const target = (await declared)[region];
    // A later setRegion or configure({ baseUrl }) wins over this lookup.
    if (pendingRegion !== region || baseUrl !== asked) return baseUrl;
    pendingRegion = undefined;
    if (target !== undefined && isWebUrl(target)) baseUrl = trimSlash(target);
    else warnNoRegion(region, asked);
    return baseUrl;
  }

  function warnNoRegion(region: Region, origin: string): void {
    if (warnedRegions.has(region)) return;
    warnedRegions.add(region);
    console.warn(
      `[Alloy] setRegion("${region}"): no API base URL is declared for this region (configure({ regions }) or the server's ALLOY_REGION_URLS); requests stay on ${origin}.`,
    );
  }

  const client = new ApiClient({
    baseUrl: () => (pendingRegion === undefined ? baseUrl : currentBaseUrl()),
    tokens,
    get timeoutMs() {
      return timeoutMs;
    },
  });

  function callbackFailure(error: unknown): { success: false; reason: 'error'; error: AlloyError } {
    return { success: false, reason: 'error', error: toAlloyError(error) };
  }

  /** Promise plus callback, the alloy-frontend way; no unhandled rejection for callback-only callers. */
  function settleWith<T>(
    run: () => Promise<T>,
    callback: ((value: T | ReturnType<typeof callbackFailure>) => void) | undefined,
  ): Promise<T> {
    let result: Promise<T>;
    try {
      result = run();
    } catch (error) {
      result = Promise.reject(error);
    }
    const settled = result.then(
      (value) => {
        callback?.(value);
        return value;
      },
      (error: unknown) => {
        callback?.(callbackFailure(error));
        throw error;
      },
    );
    if (callback) settled.catch(() => undefined);
    return settled;
  }

  /** One modal per page, whichever copy of the SDK asks: joins a duplicate request, refuses another. */
  function openModal(request: ModalRequest, key: string): Promise<InstallOutcome> {
    if (typeof document === 'undefined') {
      return Promise.reject(
        new AlloyError(
          'LOAD_FAILED',
          `Alloy.${request.kind}() needs a browser: call it from an event handler or effect.`,
        ),
      );
    }
    registerCopy(COPY_ID, SDK_VERSION, options.kind ?? 'npm');
    const registry = pageRegistry();
    const active = registry.active;
    if (active) {
      if (active.key === key) return active.promise as Promise<InstallOutcome>;
      return Promise.reject(
        new AlloyError('ALREADY_OPEN', 'The Alloy modal is already open; wait for it to close or call Alloy.close().'),
      );
    }
    if (!tokens.isSet) {
      return Promise.reject(
        new AlloyError(
          'TOKEN_MISSING',
          `No user token is set. Call Alloy.setToken(token) before Alloy.${request.kind}().`,
        ),
      );
    }

    let modal: AlloyInstallModal | undefined;
    let cancel: (() => void) | undefined;
    let isCancelled = false;
    const cancelled = new Promise<never>(
      (_resolve, reject) =>
        (cancel = () => {
          isCancelled = true;
          reject(new Cancelled());
        }),
    );
    cancelled.catch(() => undefined);
    const guard = <T>(step: Promise<T>): Promise<T> => Promise.race([step, cancelled]);

    const session: ActiveSession = {
      key,
      promise: undefined as unknown as Promise<unknown>,
      close(reason) {
        if (registry.active === session) registry.active = undefined;
        if (modal) modal.close(reason);
        else cancel?.();
      },
    };

    const run = async (): Promise<InstallOutcome> => {
      const cleanups: (() => void)[] = [];
      let opened = false;
      try {
        await guard(tokens.current());
        const integrationId = await guard(request.integrationId());
        // The modal's first load reads the integration and its apps: ask now, while the modal
        // chunk loads and renders, rather than after its first render (unless closed meanwhile).
        if (isCancelled) throw new Cancelled();
        const api = prefetchFirstLoad(client, integrationId);
        const [module] = await guard(Promise.all([loadModalModule(), whenBodyReady()]));
        module.defineInstallModal();
        const element = document.createElement(module.INSTALL_MODAL_TAG);
        const props: InstallModalProps = { ...request.props, integrationId, api };
        Object.assign(element, props);

        for (const [domType, sdkType] of Object.entries(MODAL_EVENTS)) {
          const listener = (event: Event): void => {
            const detail = (event as CustomEvent<unknown>).detail;
            forward(sdkType, detail);
            request.watch?.(sdkType, detail, () => queueMicrotask(() => element.close('api')));
          };
          element.addEventListener(domType, listener);
          cleanups.push(() => element.removeEventListener(domType, listener));
        }
        cleanups.push(tokens.keepFresh((error) => events.emit('error', { type: 'error', error })));
        cleanups.push(keepScrollPosition());
        modal = element;
        document.body.append(element);
        cleanups.push(() => element.remove());
        opened = true;
        events.emit('open', { type: 'open', operation: request.kind, integrationId });
        return await element.show();
      } catch (error) {
        if (error instanceof Cancelled) return { success: false, reason: 'api' };
        const alloyError = toAlloyError(error);
        events.emit('error', { type: 'error', error: alloyError });
        throw alloyError;
      } finally {
        // Undo in reverse: element out, scroll and styles back, timers and listeners gone.
        for (const cleanup of cleanups.reverse()) cleanup();
        if (registry.active === session) registry.active = undefined;
        if (opened && modal?.isConnected) modal.remove();
        modal = undefined;
      }
    };

    const promise = run();
    (session as { promise: Promise<unknown> }).promise = promise;
    registry.active = session;
    return promise;
  }

  function forward(type: (typeof MODAL_EVENTS)[keyof typeof MODAL_EVENTS], detail: unknown): void {
    const data = (detail ?? {}) as Record<string, unknown>;
    if (type === 'error') events.emit('error', { type, error: toAlloyError(data.error) });
    else events.emit(type, { ...data, type } as AlloyEventMap[typeof type]);
  }

  function installLike(operation: Operation, raw: InstallOptions, defaultsFor: Partial<InstallOptions>) {
    const method = `Alloy.${operation}`;
    let callback: InstallOptions['callback'];
    if (raw && typeof raw === 'object' && typeof raw.callback === 'function') callback = raw.callback;
    return settleWith<InstallResult>(() => {
      const parsed = parseOptions(InstallOptionsSchema, raw ?? undefined, method);
      warnUnknownOptions(raw, KNOWN_INSTALL_OPTIONS, method);
      if (parsed.versionIds?.length) {
        console.warn(
          `[Alloy] ${method}: versionIds is not supported by this server; the released version is installed.`,
        );
      }
      if (parsed.outputOverride?.length)
        console.warn(`[Alloy] ${method}: outputOverride has no effect on this server.`);
      const opts = { ...defaultsFor, ...stripUndefined(parsed) };
      const workflowIds =
        opts.workflowIds === undefined
          ? undefined
          : Array.isArray(opts.workflowIds)
            ? opts.workflowIds
            : [opts.workflowIds];
      const op = opts.operation ?? operation;
      const key = JSON.stringify([op, opts.integrationId ?? null, workflowIds ?? null]);
      return openModal(
        {
          kind: op,
          integrationId: () =>
            opts.integrationId !== undefined
              ? Promise.resolve(opts.integrationId)
              : integrationForWorkflows(workflowIds ?? [], method),
          props: {
            heading: opts.title,
            workflowIds,
            locale: opts.locale ?? defaults.locale,
            appearance: mergeAppearance(defaults.appearance, opts.appearance),
            operation: op,
            alwaysShowAuthentication: opts.alwaysShowAuthentication ?? false,
            hideWhenNoInput: opts.hide ?? false,
            workflowSelection: opts.workflowSelection ?? false,
            preFilledValues: opts.preFilledValues,
            successDuration:
              typeof opts.autoClose === 'number' ? opts.autoClose : opts.autoClose ? AUTO_CLOSE_MS : undefined,
          },
        },
        key,
      );
    }, callback);
  }

  async function integrationForWorkflows(workflowIds: string[], method: string): Promise<string> {
    const { data } = await client.getIntegrations();
    const owners = new Set(
      workflowIds.map((id) => data.find((integration) => integration.workflows.some((w) => w.workflowId === id))),
    );
    if (owners.has(undefined)) {
      throw new AlloyError('VALIDATION_FAILED', `${method}: a workflowId matches no integration of this user.`);
    }
    if (owners.size !== 1) {
      throw new AlloyError(
        'VALIDATION_FAILED',
        `${method}: the workflowIds belong to different integrations; install one at a time.`,
      );
    }
    return [...owners][0]!.integrationId;
  }

  async function integrationForApp(app: string): Promise<string> {
    const { data } = await client.getIntegrations();
    const match = data.find((integration) => integration.app.toLowerCase() === app.toLowerCase());
    if (!match) {
      throw new AlloyError(
        'VALIDATION_FAILED',
        `Alloy.authenticate: no integration uses the app "${app}"; pass integrationId or one of: ${[...new Set(data.map((i) => i.app))].join(', ') || '(none)'}.`,
      );
    }
    return match.integrationId;
  }

  const instance: AlloyInstance = {
    version: SDK_VERSION,

    setToken(token) {
      tokens.set(token);
    },

    setRegion(region) {
      const name = String(region).toLowerCase();
      if (name !== 'us' && name !== 'eu') {
        console.warn(
          `[Alloy] setRegion: unknown region "${String(region)}"; the regions are "us" and "eu". Requests stay on ${baseUrl}.`,
        );
        return;
      }
      const configured = configuredRegions[name];
      if (configured !== undefined) {
        pendingRegion = undefined;
        baseUrl = trimSlash(configured);
      } else pendingRegion = name;
    },

    configure(config) {
      const parsed = parseOptions(ConfigureOptionsSchema, config, 'Alloy.configure');
      if (parsed.regions !== undefined) configuredRegions = { ...configuredRegions, ...stripUndefined(parsed.regions) };
      if (parsed.baseUrl !== undefined) {
        pendingRegion = undefined;
        baseUrl = trimSlash(parsed.baseUrl);
      }
      if (parsed.locale !== undefined) defaults = { ...defaults, locale: parsed.locale };
      if (parsed.appearance !== undefined) defaults = { ...defaults, appearance: parsed.appearance };
      if (parsed.timeoutMs !== undefined) timeoutMs = parsed.timeoutMs;
    },

    install(raw) {
      return installLike('install', raw, {});
    },
    edit(raw) {
      return installLike('edit', raw, { alwaysShowAuthentication: true, operation: 'edit' });
    },
    update(raw) {
      return installLike('update', raw, { alwaysShowAuthentication: true, operation: 'update' });
    },

    authenticate(raw) {
      const method = 'Alloy.authenticate';
      const callback = raw && typeof raw === 'object' && typeof raw.callback === 'function' ? raw.callback : undefined;
      return settleWith<AuthenticateResult>(async () => {
        const opts = parseOptions(AuthenticateOptionsSchema, raw ?? undefined, method);
        warnUnknownOptions(raw, KNOWN_AUTHENTICATE_OPTIONS, method);
        if (opts.useUnifiedSettings)
          console.warn(`[Alloy] ${method}: useUnifiedSettings has no effect on this server.`);
        let credential: { app: string; credentialId: string } | undefined;
        let passedAuthStep = false;
        let resolvedIntegrationId = opts.integrationId;
        const wantedApp = opts.app?.toLowerCase();
        const outcome = await openModal(
          {
            kind: 'authenticate',
            integrationId: async () => (resolvedIntegrationId ??= await integrationForApp(opts.app!)),
            props: {
              heading: opts.title,
              workflowIds: undefined,
              locale: opts.locale ?? defaults.locale,
              appearance: mergeAppearance(defaults.appearance, opts.appearance),
              operation: 'install',
              alwaysShowAuthentication: true,
              hideWhenNoInput: false,
              workflowSelection: false,
              preFilledValues: undefined,
              successDuration: undefined,
            },
            // Only the authentication step: end the session as soon as the app is connected, and
            // never let it reach Finish Installation.
            watch(type, detail, close) {
              if (type === 'auth-succeeded') {
                const auth = detail as { app: string; credentialId: string };
                if (!wantedApp || auth.app.toLowerCase() === wantedApp) {
                  credential = auth;
                  close();
                }
              } else if (type === 'step') {
                const step = (detail as { step: string }).step;
                if (step === 'workflows' || step === 'config' || step === 'success') {
                  passedAuthStep = true;
                  close();
                }
              }
            },
          },
          JSON.stringify(['authenticate', opts.integrationId ?? null, wantedApp ?? null]),
        );
        if (credential || passedAuthStep) {
          return {
            success: true,
            integrationId: resolvedIntegrationId!,
            ...(opts.app !== undefined ? { app: credential?.app ?? opts.app } : {}),
            ...(credential ? { credentialId: credential.credentialId, connectionId: credential.credentialId } : {}),
          };
        }
        return { success: false, reason: outcome.success ? 'api' : outcome.reason };
      }, callback);
    },

    getIntegrations() {
      return client.getIntegrations();
    },
    getWorkflows() {
      return client.getWorkflows();
    },
    deactivate(target) {
      return Promise.resolve()
        .then(() => parseOptions(WorkflowSelectorSchema, target, 'Alloy.deactivate', 'the argument'))
        .then((selector) => client.deactivateWorkflow(selector));
    },
    reactivate(target) {
      return Promise.resolve()
        .then(() => parseOptions(WorkflowSelectorSchema, target, 'Alloy.reactivate', 'the argument'))
        .then((selector) => client.activateWorkflow(selector));
    },

    uninstall(target) {
      const callback =
        target && typeof target === 'object' && typeof target.callback === 'function' ? target.callback : undefined;
      return settleWith<UninstallResult>(async () => {
        const parsed = parseOptions(UninstallOptionsSchema, target, 'Alloy.uninstall', 'the argument');
        const integrationId = typeof parsed === 'string' ? parsed : parsed.integrationId;
        const removed = await client.deleteInstallation(integrationId);
        events.emit('uninstalled', { type: 'uninstalled', ...removed });
        return { success: true, ...removed };
      }, callback);
    },

    close() {
      pageRegistry().active?.close('api');
    },

    on(type, listener) {
      return events.on(type, listener);
    },
    off(type, listener) {
      events.off(type, listener);
    },
  };
  return instance;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** Without `baseUrl`, the API is the origin that served the page (and this bundled copy of the SDK). */
function pageOrigin(): string {
  const origin = typeof location === 'undefined' ? undefined : location.origin;
  return origin && /^https?:/.test(origin) ? origin : '';
}

function isWebUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function mergeAppearance(base: Appearance | undefined, override: Appearance | undefined): ModalAppearance | undefined {
  if (!base) return override;
  if (!override) return base;
  const merged: ModalAppearance = { ...base, ...override };
  // Palettes merge key by key; an absent one stays absent (the modal treats `darkColors: {}` as given).
  for (const palette of ['colors', 'darkColors'] as const) {
    if (base[palette] || override[palette]) merged[palette] = { ...base[palette], ...override[palette] };
  }
  return merged;
}
