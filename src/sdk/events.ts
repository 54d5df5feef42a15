import type { InstallationResponse, UninstallResponse } from '../contract/index.js';
import type { CloseReason, ModalStep } from '../modal/index.js';
import { AlloyError } from './errors.js';
import type { Operation } from './options.js';

/** One typed stream for everything the modal does; payloads carry their `type` so one handler can serve several. */
export interface AlloyEventMap {
  /** The modal is on the page (it may still be loading). */
  open: { type: 'open'; operation: Operation | 'authenticate'; integrationId: string };
  /** The integration has loaded and the first step is on screen. */
  ready: { type: 'ready'; integrationId: string };
  step: { type: 'step'; step: ModalStep };
  'auth-started': { type: 'auth-started'; app: string };
  'auth-succeeded': { type: 'auth-succeeded'; app: string; credentialId: string };
  'auth-failed': { type: 'auth-failed'; app: string; message: string };
  installed: { type: 'installed' } & InstallationResponse;
  /** The user's installation was removed: `Alloy.uninstall()`, or Uninstall confirmed in the edit modal. */
  uninstalled: { type: 'uninstalled' } & UninstallResponse;
  /** Anything that went wrong, in the modal or before it could open. */
  error: { type: 'error'; error: AlloyError };
  /** The modal closed (always follows `open`). */
  close: { type: 'close'; reason: CloseReason };
}

export type AlloyEventType = keyof AlloyEventMap;
export type AlloyEventListener<K extends AlloyEventType> = (event: AlloyEventMap[K]) => void;

export const ALLOY_EVENT_TYPES: readonly AlloyEventType[] = [
  'open',
  'ready',
  'step',
  'auth-started',
  'auth-succeeded',
  'auth-failed',
  'installed',
  'uninstalled',
  'error',
  'close',
];

/** A small typed emitter; a listener that throws is reported (window `error`) without breaking the SDK. */
export class Emitter {
  private readonly listeners = new Map<AlloyEventType, Set<(event: never) => void>>();

  on<K extends AlloyEventType>(type: K, listener: AlloyEventListener<K>): () => void {
    if (!ALLOY_EVENT_TYPES.includes(type)) {
      throw new AlloyError(
        'VALIDATION_FAILED',
        `Alloy.on: unknown event "${String(type)}"; use one of ${ALLOY_EVENT_TYPES.join(', ')}.`,
      );
    }
    if (typeof listener !== 'function') {
      throw new AlloyError('VALIDATION_FAILED', `Alloy.on("${type}"): the listener must be a function.`);
    }
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => this.off(type, listener);
  }

  off<K extends AlloyEventType>(type: K, listener: AlloyEventListener<K>): void {
    this.listeners.get(type)?.delete(listener as (event: never) => void);
  }

  emit<K extends AlloyEventType>(type: K, event: AlloyEventMap[K]): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) {
      try {
        (listener as AlloyEventListener<K>)(event);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  get size(): number {
    let total = 0;
    for (const set of this.listeners.values()) total += set.size;
    return total;
  }
}

function reportListenerError(error: unknown): void {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else
    setTimeout(() => {
      throw error;
    });
}

/** Turns whatever the modal reports into an AlloyError (the API client already throws those). */
export function toAlloyError(error: unknown): AlloyError {
  if (error instanceof AlloyError) return error;
  const message = error instanceof Error && error.message ? error.message : 'The install modal reported an error.';
  return new AlloyError('SERVER_ERROR', message, { cause: error });
}
