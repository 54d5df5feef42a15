/**
 * Everything the SDK does to the host page, kept in one place so it can be undone exactly:
 * waiting for <body>, keeping the scroll position, and the page-wide registry that lets several
 * copies of the SDK agree on one modal.
 */

/** Resolves once `document.body` exists (the SDK may be called from a script in <head>). */
export function whenBodyReady(): Promise<HTMLElement> {
  if (document.body) return Promise.resolve(document.body);
  return new Promise((resolve) => {
    document.addEventListener('DOMContentLoaded', () => resolve(document.body), { once: true });
  });
}

/**
 * The modal locks the page's scroll itself (CSSOM only, inline styles put back exactly); what the
 * SDK adds is the scroll position: focus moving into the dialog and back, or a host's
 * `scroll-behavior: smooth`, must not leave the page somewhere else. Returns the restore function.
 */
export function keepScrollPosition(): () => void {
  const scrollX = window.scrollX;
  const scrollY = window.scrollY;
  return () => {
    if (window.scrollX !== scrollX || window.scrollY !== scrollY) {
      window.scrollTo({ left: scrollX, top: scrollY, behavior: 'instant' });
    }
  };
}

export interface ActiveSession {
  /** Same key = same request: a double click joins the pending promise instead of failing. */
  readonly key: string;
  readonly promise: Promise<unknown>;
  close(reason: 'api'): void;
}

interface PageRegistry {
  copies: { id: symbol; version: string; kind: string }[];
  active: ActiveSession | undefined;
}

const REGISTRY = Symbol.for('alloy-embedded.page');

/** The one registry per page, shared by every copy of the SDK (CDN, npm, two versions...). */
export function pageRegistry(): PageRegistry {
  const holder = globalThis as unknown as Record<symbol, PageRegistry | undefined>;
  return (holder[REGISTRY] ??= { copies: [], active: undefined });
}

/** Records this copy; the first time another copy is seen, says so once, naming both versions. */
export function registerCopy(id: symbol, version: string, kind: string): void {
  const registry = pageRegistry();
  if (registry.copies.some((copy) => copy.id === id)) return;
  const others = registry.copies;
  registry.copies = [...others, { id, version, kind }];
  const first = others[0];
  if (first) {
    console.warn(
      `[Alloy] Two copies of the Alloy SDK are on this page: ${first.version} (${first.kind}) and ${version} (${kind}). ` +
        'They share one modal, but load the SDK once (the CDN script or the npm package) to save bytes.',
    );
  }
}
