/**
 * Everything the SDK does to the host page, kept in one place so it can be undone exactly:
 * waiting for <body>, locking and restoring scroll, and the page-wide registry that lets several
 * copies of the SDK agree on one modal.
 */

/** Resolves once `document.body` exists (the SDK may be called from a script in <head>). */
export function whenBodyReady(): Promise<HTMLElement> {
  if (document.body) return Promise.resolve(document.body);
  return new Promise((resolve) => {
    document.addEventListener('DOMContentLoaded', () => resolve(document.body), { once: true });
  });
}

interface SavedProperty {
  value: string;
  priority: string;
}

const LOCKED_PROPERTIES = ['overflow', 'scrollbar-gutter'] as const;

/**
 * Stops the page behind the modal from scrolling. Returns the function that puts back the inline
 * styles exactly as they were (through CSSOM, which a strict CSP allows) and the scroll position
 * (instantly, whatever the page's `scroll-behavior`).
 */
export function lockPageScroll(): () => void {
  const root = document.documentElement;
  const hadStyleAttribute = root.hasAttribute('style');
  const saved = new Map<string, SavedProperty>();
  for (const name of LOCKED_PROPERTIES) {
    saved.set(name, { value: root.style.getPropertyValue(name), priority: root.style.getPropertyPriority(name) });
  }
  const scrollX = window.scrollX;
  const scrollY = window.scrollY;
  const hasScrollbar = window.innerWidth - root.clientWidth > 0;

  root.style.setProperty('overflow', 'hidden', 'important');
  // Keep the scrollbar's space so the page does not shift sideways while it is hidden.
  if (hasScrollbar) root.style.setProperty('scrollbar-gutter', 'stable', 'important');

  return () => {
    for (const [name, { value, priority }] of saved) {
      if (value) root.style.setProperty(name, value, priority);
      else root.style.removeProperty(name);
    }
    if (!hadStyleAttribute && root.style.length === 0) {
      // Chrome writes CSSOM changes back to the attribute lazily; reading it first makes the
      // removal stick instead of reappearing as style="" on the next read.
      root.getAttribute('style');
      root.removeAttribute('style');
    }
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
