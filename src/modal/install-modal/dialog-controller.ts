import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AlloyFocusReturnEvent, CloseReason } from '../events.js';
import { deepActiveElement } from '../internal/focus.js';
import { lockPageScroll } from '../internal/scroll-lock.js';

/** Every way a modal that has not installed can close. */
export type Dismissal = Exclude<CloseReason, 'installed'>;

/** The element that renders the `<dialog>`. */
export type DialogHost = ReactiveControllerHost & { readonly renderRoot: HTMLElement | DocumentFragment };

/** What the dialog asks the modal. */
export interface DialogOwner {
  /** Whether a session is going on (the dialog should be up). */
  active(): boolean;
  /** Whether the discard-changes question is on screen (Esc then answers "keep editing"). */
  confirming(): boolean;
  /** The user asked to close: ask first or close, the host decides. */
  requestClose(source: Dismissal): void;
  keepEditing(): void;
  focusSoon(selector: string): Promise<void>;
  /** Focus went back after the modal closed. */
  focusReturned(detail: AlloyFocusReturnEvent['detail']): void;
}

/** How long focus waits for a disabled or detached opener to take it again, and how often it looks. */
export const focusReturnTiming = { waitMs: 3000, pollMs: 50 };

/**
 * The native `<dialog>` shell: `showModal()`, page scroll lock, Esc / cancel / backdrop clicks turned
 * into one close request with its source, the browser's own closes put back, and focus returned to
 * what had it when the modal opened. Which requests close, and when, is the host's decision.
 */
export class DialogController implements ReactiveController {
  /** Whether the dialog has been on screen in this session (a hidden install never shows it). */
  shown = false;
  private opener: HTMLElement | null = null;
  /** The opener's ancestors (through shadow roots), for when it cannot take focus back. */
  private openerAncestors: HTMLElement[] = [];
  private stopWaiting: (() => void) | undefined;
  private releaseScroll: (() => void) | undefined;
  private pointerDownOnBackdrop = false;
  /** Set when we close the dialog ourselves, so its `close` event is not taken for the browser's. */
  private closingOnPurpose = false;

  constructor(
    private readonly host: DialogHost,
    private readonly owner: DialogOwner,
  ) {
    host.addController(this);
  }

  get element(): HTMLDialogElement {
    return this.host.renderRoot.querySelector('dialog')!;
  }

  /** A new session: remember where focus is, to give it back at the end. */
  begin(): void {
    this.stopWaiting?.();
    this.opener = deepActiveElement();
    this.openerAncestors = [];
    for (let node = this.opener?.parentNode; node;) {
      if (node instanceof HTMLElement) this.openerAncestors.push(node);
      node = node instanceof ShadowRoot ? node.host : node.parentNode;
    }
    this.shown = false;
  }

  open(): void {
    const dialog = this.element;
    if (!dialog.open) {
      dialog.showModal();
      // Start on the title rather than the first button (close), so an early Enter closes nothing.
      this.host.renderRoot.querySelector('h2')?.focus();
    }
    this.shown = true;
    this.releaseScroll ??= lockPageScroll();
  }

  /** Closes the dialog (if open) and releases the page's scroll. */
  close(): void {
    this.releaseScroll?.();
    this.releaseScroll = undefined;
    const dialog = this.element;
    if (dialog?.open) {
      this.closingOnPurpose = true;
      dialog.close();
    }
  }

  hostDisconnected(): void {
    this.releaseScroll?.();
    this.releaseScroll = undefined;
  }

  /**
   * Gives focus back to what had it when the session began. An opener the host disabled meanwhile
   * gets it once it can take it again (within `focusReturnTiming.waitMs`); until then, after that,
   * or when the opener left the page, focus is on its nearest focusable ancestor, never lost to
   * `<body>` unless no ancestor takes it. Reports where focus went, once, either way.
   */
  returnFocus(): void {
    const opener = this.opener;
    const ancestors = this.openerAncestors;
    this.opener = null;
    this.openerAncestors = [];
    if (!this.shown) return;
    if (opener && tryFocus(opener)) return this.owner.focusReturned({ to: 'opener', element: opener });
    const fallback = ancestors.find((ancestor) => ancestor.isConnected && tryFocus(ancestor)) ?? null;
    const settle = () => {
      this.stopWaiting = undefined;
      this.owner.focusReturned({ to: fallback ? 'ancestor' : 'none', element: fallback });
    };
    // An opener taken off the page is not coming back as the same element: no point waiting.
    if (!opener?.isConnected) return settle();
    const started = Date.now();
    const timer = setInterval(() => {
      const active = deepActiveElement();
      // The user (or the page) has put focus somewhere else meanwhile: leave it there.
      const untouched = active === fallback || active === null || active === document.body;
      if (untouched && tryFocus(opener)) {
        this.stopWaiting?.();
        this.owner.focusReturned({ to: 'opener', element: opener });
      } else if (!untouched || Date.now() - started >= focusReturnTiming.waitMs) {
        this.stopWaiting?.();
        settle();
      }
    }, focusReturnTiming.pollMs);
    this.stopWaiting = () => {
      clearInterval(timer);
      this.stopWaiting = undefined;
    };
  }

  onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    // Handled here rather than in `cancel`: Chrome lets a second Esc in a row skip a cancelable `cancel`.
    event.preventDefault();
    if (this.owner.confirming()) this.owner.keepEditing();
    else this.owner.requestClose('escape');
  };

  onCancel = (event: Event): void => {
    // Esc while focus is outside our content: the browser would close the dialog; route it instead.
    event.preventDefault();
    this.owner.requestClose('escape');
  };

  onClose = (): void => {
    if (this.closingOnPurpose || !this.owner.active()) {
      this.closingOnPurpose = false;
      return;
    }
    // The browser closed the dialog without asking us (an uncancelable close request): put it back
    // and ask the same question a cancelable one would have.
    this.element.showModal();
    if (this.owner.confirming()) void this.owner.focusSoon('.keep-editing');
    else this.owner.requestClose('escape');
  };

  onPointerDown = (event: PointerEvent): void => {
    this.pointerDownOnBackdrop = event.target === this.element;
  };

  onClick = (event: MouseEvent): void => {
    // The panel fills the dialog box, so a click on the dialog itself landed on the backdrop. A drag
    // that started inside (selecting text) and ended outside is not a dismissal.
    if (event.target === this.element && this.pointerDownOnBackdrop) this.owner.requestClose('backdrop');
    this.pointerDownOnBackdrop = false;
  };
}

/** Focuses `element` if it can take focus now (connected, enabled, not inert or hidden). */
function tryFocus(element: HTMLElement): boolean {
  if (!element.isConnected) return false;
  element.focus();
  return deepActiveElement() === element;
}
