/** Asks the shell to show another console page: `path` is a full path such as `/console/logs/ex_1`. */
export type AlloyConsoleNavigateEvent = CustomEvent<{ path: string }>;

declare global {
  interface GlobalEventHandlersEventMap {
    'alloy-console-navigate': AlloyConsoleNavigateEvent;
  }
}

/** Dispatches `alloy-console-navigate` (bubbles, composed) from `from`; the shell routes it. */
export function navigate(from: HTMLElement, path: string): void {
  from.dispatchEvent(new CustomEvent('alloy-console-navigate', { detail: { path }, bubbles: true, composed: true }));
}

/**
 * A click handler for a real `<a href>` inside a view: a plain left click becomes a navigate event
 * (the link keeps its href, so middle-click, a modifier key and "copy link" still work).
 */
export function linkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.currentTarget as HTMLAnchorElement;
  event.preventDefault();
  navigate(link, link.pathname + link.search);
}
