import type { AlloyInstance, CreateAlloyOptions, InstallCallbackResult } from './alloy.js';
import type * as RuntimeModule from './cdn-runtime.js';
import type { AlloyGlobal } from './factory.js';
import { AlloyError } from './errors.js';
import { describeNonToken, looksLikeJwt } from './token-shape.js';
import { SDK_VERSION } from './version.js';

/**
 * `embedded.js`, the CDN loader: the one module with a side effect. It defines `window.Alloy` at
 * once, queues calls, and loads the runtime chunk (SDK + modal + Lit) on first use or when the
 * page is idle, checked against the SRI hash the build wrote in here. The API it talks to is the
 * origin that served this script, so a self-hosted `/scripts/embedded.js` needs no configuration.
 */

/**
 * Written in by the build (rollup.config.mjs): the runtime entry and every chunk with its sha384.
 * Chunks with `lazy` are fetched only when the modal asks for them by that name (with the chunks
 * they import, `needs`), those with `idle` also on idle warm-up (not the language tables); the
 * others (runtime and modal) on first use.
 */
const RUNTIME = JSON.parse('__ALLOY_RUNTIME_MANIFEST__') as {
  entry: string;
  chunks: { file: string; integrity: string; lazy?: string; needs?: string[]; idle?: true }[];
};

type Runtime = typeof RuntimeModule;
type AsyncMethod = (typeof ASYNC_METHODS)[number];
type SyncMethod = (typeof SYNC_METHODS)[number];

const ASYNC_METHODS = [
  'install',
  'edit',
  'update',
  'authenticate',
  'getIntegrations',
  'getWorkflows',
  'deactivate',
  'reactivate',
  'uninstall',
] as const;
const SYNC_METHODS = ['setToken', 'setRegion', 'configure', 'close', 'off'] as const;

interface Queued {
  run(instance: AlloyInstance): void;
  /** Set for calls that return a Promise: they fail with the load instead of waiting forever. */
  fail?(error: AlloyError): void;
}

function defineLoader(): void {
  const script = document.currentScript;
  const scriptUrl = script instanceof HTMLScriptElement && script.src ? script.src : undefined;
  const existing = window.Alloy;
  if (existing) {
    console.warn(
      `[Alloy] Two copies of the Alloy SDK are on this page: ${String(existing.version)} (window.Alloy, kept) and ` +
        `${SDK_VERSION} (${scriptUrl ?? 'this script'}, not used). Include the script once.`,
    );
    return;
  }

  // One runtime for every instance on the page; a failed load is forgotten so a later call retries.
  let runtime: Promise<Runtime> | undefined;
  const loadRuntime = (): Promise<Runtime> =>
    (runtime ??= importRuntime(scriptUrl).catch((error: unknown) => {
      runtime = undefined;
      throw error;
    }));

  const main = standIn(loadRuntime, scriptUrl, {});
  // `Alloy()` as alloy-frontend's factory: an independent instance (its own token and settings),
  // from the script tag as from npm. `Alloy.install(...)` etc. stay the page's default instance.
  const factory = ((options?: Pick<CreateAlloyOptions, 'baseUrl' | 'timeoutMs'>) =>
    standIn(loadRuntime, scriptUrl, { baseUrl: options?.baseUrl, timeoutMs: options?.timeoutMs }).alloy) as AlloyGlobal;
  const alloy = Object.assign(factory, main.alloy, { AlloyError });
  const load = main.load;

  window.Alloy = alloy;

  // Warm up when the page has nothing better to do, so the first install() opens at once: the
  // runtime and the modal, then (idle again) the chunks only some integrations need (the auth
  // step; not the language tables), fetched and checked against their hashes but not run. A click before then fetches only what it needs.
  const warmUp = (): void => {
    const idle = window.requestIdleCallback ?? ((callback: () => void) => setTimeout(callback, 200));
    const later = (): void =>
      void Promise.all(RUNTIME.chunks.filter((chunk) => chunk.idle).map((chunk) => preload(chunk, scriptUrl))).catch(
        () => undefined,
      );
    idle(
      () =>
        void load().then(
          () => idle(later, { timeout: 10_000 }),
          () => undefined,
        ),
      { timeout: 10_000 },
    );
  };
  if (document.readyState === 'complete') warmUp();
  else window.addEventListener('load', warmUp, { once: true });
}

/**
 * A stand-in for one SDK instance until the runtime is in: calls are queued in order and replayed
 * on the instance the runtime creates; Promise-returning calls fail with the load if it fails.
 */
function standIn(
  loadRuntime: () => Promise<Runtime>,
  scriptUrl: string | undefined,
  options: { baseUrl?: string | undefined; timeoutMs?: number | undefined },
): { alloy: AlloyInstance; load: () => Promise<AlloyInstance> } {
  let instance: AlloyInstance | undefined;
  let loading: Promise<AlloyInstance> | undefined;
  let queue: Queued[] = [];

  const load = (): Promise<AlloyInstance> =>
    (loading ??= loadRuntime().then(
      (runtime) => {
        // The API is the origin that served this script unless Alloy({ baseUrl }) says otherwise.
        const baseUrl = options.baseUrl ?? (scriptUrl ? new URL(scriptUrl).origin : undefined);
        const created = runtime.createAlloy({
          ...(baseUrl === undefined ? {} : { baseUrl }),
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          kind: 'cdn',
        });
        instance = created;
        for (const call of queue.splice(0)) {
          // A queued setting that fails (say configure({ baseUrl: 'nope' })) is reported like an
          // uncaught error, and the calls after it still run.
          try {
            call.run(created);
          } catch (error) {
            reportError(error);
          }
        }
        return created;
      },
      (cause: unknown) => {
        // Forget the failure so a later call tries again; settings already queued stay queued.
        loading = undefined;
        const error = new AlloyError(
          'LOAD_FAILED',
          `The Alloy runtime could not be loaded from ${chunkUrl(RUNTIME.entry, scriptUrl)}${loadHint(cause)}.`,
          { cause },
        );
        const waiting = queue.filter((call) => call.fail);
        queue = queue.filter((call) => !call.fail);
        for (const call of waiting) call.fail!(error);
        throw error;
      },
    ));

  const alloy = { version: SDK_VERSION } as AlloyInstance;
  const target = alloy as unknown as Record<string, (...args: unknown[]) => unknown>;

  for (const method of ASYNC_METHODS) {
    target[method] = (...args: unknown[]) => {
      if (instance) return (instance[method as AsyncMethod] as (...a: unknown[]) => unknown)(...args);
      return new Promise((resolve, reject) => {
        queue.push({
          run: (i) => (i[method] as (...a: unknown[]) => Promise<unknown>)(...args).then(resolve, reject),
          fail(error) {
            const options = args[0] as { callback?: unknown } | undefined;
            if (typeof options?.callback === 'function') {
              (options.callback as (r: InstallCallbackResult) => void)({ success: false, reason: 'error', error });
            }
            reject(error);
          },
        });
        load().catch(() => undefined);
      });
    };
  }

  for (const method of SYNC_METHODS) {
    target[method] = (...args: unknown[]) => {
      // A wrong token fails here and now, as it will once the runtime is in.
      if (method === 'setToken' && typeof args[0] !== 'function' && !looksLikeJwt(args[0])) {
        throw new AlloyError(
          'TOKEN_INVALID',
          `Alloy.setToken: expected the JWT string from GET /users/:userId/token, ${describeNonToken(args[0])}`,
        );
      }
      if (instance) return (instance[method as SyncMethod] as (...a: unknown[]) => unknown)(...args);
      queue.push({ run: (i) => (i[method] as (...a: unknown[]) => unknown)(...args) });
      return undefined;
    };
  }

  alloy.on = (type, listener) => {
    if (instance) return instance.on(type, listener);
    let off: (() => void) | undefined;
    const call: Queued = { run: (i) => (off = i.on(type, listener)) };
    queue.push(call);
    return () => {
      if (off) off();
      else queue = queue.filter((queued) => queued !== call);
    };
  };

  return { alloy, load };
}

const chunkUrl = (file: string, scriptUrl: string | undefined): string =>
  new URL(file, scriptUrl ?? document.baseURI).href;

/**
 * `modulepreload` links carry the SRI hashes (a bare `import()` cannot), so the module map holds
 * the checked files and `import()` (ours, and the runtime's own for the modal chunk) then evaluates
 * exactly those. The runtime and the modal are preloaded on first use; a later chunk (the auth step)
 * only when the modal asks for it, through the preloader handed to the runtime. Neither a link's
 * href nor `import()` is a Trusted Types sink: no policy needed.
 */
function importRuntime(scriptUrl: string | undefined): Promise<Runtime> {
  const preloads = RUNTIME.chunks.filter((chunk) => !chunk.lazy).map((chunk) => preload(chunk, scriptUrl));
  return Promise.all(preloads)
    .then(() => import(/* @vite-ignore */ chunkUrl(RUNTIME.entry, scriptUrl)) as Promise<Runtime>)
    .then((runtime) => {
      runtime.setChunkPreloader((name) => {
        const chunk = RUNTIME.chunks.find((candidate) => candidate.lazy === name);
        // A name the build did not split off is part of a chunk already loaded: nothing to fetch.
        if (!chunk) return Promise.resolve();
        const files = [chunk.file, ...(chunk.needs ?? [])];
        return Promise.all(
          files.map((file) =>
            preload(
              RUNTIME.chunks.find((candidate) => candidate.file === file)!,
              scriptUrl,
            ),
          ),
        ).then(() => undefined);
      });
      return runtime;
    });
}

/** One preload per chunk file; a failed one is forgotten, so a later call fetches it again. */
const preloaded = new Map<string, Promise<void>>();

function preload(chunk: { file: string; integrity: string }, scriptUrl: string | undefined): Promise<void> {
  let loading = preloaded.get(chunk.file);
  if (!loading) {
    loading = new Promise<void>((resolve, reject) => {
      const link = document.createElement('link');
      link.rel = 'modulepreload';
      link.crossOrigin = 'anonymous';
      link.integrity = chunk.integrity;
      link.href = chunkUrl(chunk.file, scriptUrl);
      link.onload = () => {
        link.remove();
        resolve();
      };
      link.onerror = () => {
        link.remove();
        preloaded.delete(chunk.file);
        reject(new Error(`${chunk.file} could not be fetched, or does not match its integrity hash`));
      };
      (document.head ?? document.documentElement).append(link);
    });
    preloaded.set(chunk.file, loading);
  }
  return loading;
}

function loadHint(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  if (/policy|trusted/i.test(text)) {
    return ` (the page's Trusted Types policy refused Lit: add "lit-html" to the trusted-types directive, and 'allow-duplicates' if the page ships its own Lit)`;
  }
  return `: ${text}`;
}

defineLoader();
