import { html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { messagesFor } from '../../i18n/index.js';
import { ConsoleViewElement } from '../shared/view-element.js';
import { toViewError } from '../shared/format.js';
import { activeSwitchStyles } from './active-switch.styles.js';

/** Fired (bubbles, composed) once the server saved an integration's new Active state. */
export type AlloyConsoleActiveChangeEvent = CustomEvent<{ integrationId: string; active: boolean }>;

declare global {
  interface GlobalEventHandlersEventMap {
    'alloy-console-active-change': AlloyConsoleActiveChangeEvent;
  }
  interface HTMLElementTagNameMap {
    'alloy-console-active-switch': AlloyConsoleActiveSwitch;
  }
}

/**
 * An integration's Active switch for the api's environment: a `role="switch"` button named
 * "Active". Pressing it (click, Space or Enter) shows the new state as pending ("Saving…", further
 * presses ignored), calls `api.setActive(integrationId, next)` and, once saved, takes the new
 * state and fires `alloy-console-active-change`; on a failure it goes back to the saved state and
 * says why (role=alert).
 */
@customElement('alloy-console-active-switch')
export class AlloyConsoleActiveSwitch extends ConsoleViewElement {
  static override styles = activeSwitchStyles;

  @property({ attribute: false }) integrationId = '';
  /** The saved state; the switch updates it itself after a successful change. */
  @property({ type: Boolean }) active = false;

  /** The state being saved, while a call is in flight. */
  @state() private pending: boolean | undefined;
  @state() private error: string | undefined;
  /** Bumped by every change and when the integration or api changes: a late answer is dropped. */
  private generation = 0;

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Another integration or environment: whatever was in flight or failed is not about it.
    if (changed.has('integrationId') || changed.has('api')) {
      if (this.hasUpdated) {
        this.generation += 1;
        this.pending = undefined;
        this.error = undefined;
      }
    }
  }

  private async toggle(): Promise<void> {
    const api = this.api;
    if (!api || this.pending !== undefined || !this.integrationId) return;
    const integrationId = this.integrationId;
    const next = !this.active;
    const generation = ++this.generation;
    this.pending = next;
    this.error = undefined;
    try {
      const saved = await api.setActive(integrationId, next);
      if (generation !== this.generation) return;
      this.active = saved.active;
      this.pending = undefined;
      this.dispatchEvent(
        new CustomEvent('alloy-console-active-change', {
          detail: { integrationId, active: saved.active },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (error) {
      if (generation !== this.generation) return;
      this.pending = undefined;
      this.error = toViewError(error).message;
    }
  }

  protected override render() {
    const t = messagesFor(this.lang).activeSwitch;
    const shown = this.pending ?? this.active;
    const busy = this.pending !== undefined;
    return html`<div class="switch-row">
        <button
          type="button"
          role="switch"
          class="switch"
          aria-checked=${shown ? 'true' : 'false'}
          aria-disabled=${busy ? 'true' : 'false'}
          aria-describedby="active-status"
          @click=${() => void this.toggle()}
        >
          <span class="label">${t.label}</span>
          <span class="track" aria-hidden="true"><span class="thumb"></span></span>
          <span class="state" aria-hidden="true">${shown ? t.on : t.off}</span>
        </button>
        <span id="active-status" class="pending" role="status">${busy ? t.saving : ''}</span>
      </div>
      ${this.error === undefined ? nothing : html`<p class="failed" role="alert">${t.failed(this.error)}</p>`}`;
  }
}
