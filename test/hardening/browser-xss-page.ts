/**
 * Page-side code of the XSS test, installed with `addInitScript` before any page script runs: the
 * execution sentinels and the helpers the scene drivers use to walk the modal's shadow DOM.
 * Everything here runs in the browser; it must not close over module scope.
 */

export interface XssKit {
  modal(): (HTMLElement & { updateComplete: Promise<unknown> }) | null;
  root(): ShadowRoot | null;
  /** Resolves with `probe()`'s first truthy value, checked on every animation frame and task. */
  until<T>(probe: () => T | undefined | null | false, label: string, timeoutMs?: number): Promise<T>;
  /** Every text node, attribute value and control value in the modal's shadow root, joined. */
  haystack(): string;
  /** Clicks the modal's primary button (Continue, Finish, Try again, Done). */
  primary(): void;
  /** Waits for Lit to finish rendering. */
  settled(): Promise<void>;
}

export function installXssSentinels(sentinelHost: string): void {
  const w = window as unknown as Record<string, unknown> & { __xssHits: string[]; __xssViolations: string[] };
  w.__xssHits = [];
  w.__xssViolations = [];
  const report = (how: string) => (n: unknown) => {
    w.__xssHits.push(`${how}(${String(n)})`);
  };
  w.__xss = report('__xss');
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    Object.defineProperty(window, name, { value: report(name), configurable: false, writable: false });
  }
  document.addEventListener(
    'securitypolicyviolation',
    (event) => w.__xssViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`),
    true,
  );
  // A javascript: navigation of this page, an iframe or a form would land here if it ran.
  window.addEventListener('beforeunload', () => w.__xssHits.push('beforeunload'));
  void sentinelHost;

  const modal = () => document.querySelector('alloy-install-modal') as ReturnType<XssKit['modal']>;
  const root = () => modal()?.shadowRoot ?? null;
  const kit: XssKit = {
    modal,
    root,
    until(probe, label, timeoutMs = 10_000) {
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const tick = () => {
          let value;
          try {
            value = probe();
          } catch {
            value = undefined;
          }
          if (value) return resolve(value);
          if (performance.now() - started > timeoutMs) {
            const text = (root()?.textContent ?? '(no modal)').replace(/\s+/g, ' ').slice(0, 600);
            return reject(new Error(`timed out waiting for ${label}; the modal shows: ${text}`));
          }
          setTimeout(tick, 4);
        };
        tick();
      });
    },
    haystack() {
      const shadow = root();
      if (!shadow) return '';
      const parts: string[] = [];
      const walker = document.createTreeWalker(shadow, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.nodeType === Node.TEXT_NODE) {
          parts.push((node as Text).data);
          continue;
        }
        const element = node as Element;
        for (const attribute of element.attributes) parts.push(attribute.value);
        if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) parts.push(element.value);
      }
      return parts.join('\u0001');
    },
    primary() {
      const button = root()?.querySelector<HTMLButtonElement>('footer .primary');
      if (!button) throw new Error('no primary button');
      button.click();
    },
    async settled() {
      await modal()?.updateComplete;
    },
  };
  (window as unknown as { __kit: XssKit }).__kit = kit;
}
