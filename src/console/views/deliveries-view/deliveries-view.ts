import { html, nothing, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import {
  DELIVERY_KINDS,
  DELIVERY_STATUSES,
  WebhookDeliveryListResponse,
  WebhookDeliveryResponse,
  type WebhookDelivery,
} from '../../../contract/index.js';
import type { ConsoleQuery } from '../../api-types.js';
import { ConsoleViewElement } from '../shared/view-element.js';
import { formatDate, toViewError, type ViewError } from '../shared/format.js';
import { deliveriesViewStyles } from './deliveries-view.styles.js';

declare global {
  interface HTMLElementTagNameMap {
    'alloy-console-deliveries': AlloyConsoleDeliveries;
  }
}

/** Deliveries the list asks for (the endpoint's maximum; it has no cursor). */
export const DELIVERIES_LIMIT = 100;

type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
type DeliveryKind = (typeof DELIVERY_KINDS)[number];
type ListState =
  { kind: 'loading' } | { kind: 'error'; error: ViewError } | { kind: 'ready'; deliveries: WebhookDelivery[] };

/**
 * `/console/deliveries`: outgoing webhook deliveries (`GET /webhook-deliveries`, filtered by the
 * endpoint's `status` and `kind`) with their status, and Retry
 * (`POST /webhook-deliveries/:deliveryId/retry`) on any not being sent right now.
 */
@customElement('alloy-console-deliveries')
export class AlloyConsoleDeliveries extends ConsoleViewElement {
  static override styles = deliveriesViewStyles;

  @state() private list: ListState = { kind: 'loading' };
  @state() private status: '' | DeliveryStatus = '';
  @state() private deliveryKind: '' | DeliveryKind = '';
  @state() private retrying = new Set<string>();
  @state() private notice = '';
  @state() private retryError?: ViewError;
  private generation = 0;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api')) void this.load();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.generation += 1;
  }

  async load(): Promise<void> {
    const api = this.api;
    if (!api) return;
    const generation = ++this.generation;
    this.list = { kind: 'loading' };
    this.notice = '';
    this.retryError = undefined;
    const query: ConsoleQuery = {
      limit: DELIVERIES_LIMIT,
      ...(this.status ? { status: this.status } : {}),
      ...(this.deliveryKind ? { kind: this.deliveryKind } : {}),
    };
    try {
      const answer = await api.isv(
        { method: 'GET', path: '/2024-03/webhook-deliveries', query },
        WebhookDeliveryListResponse,
      );
      if (generation === this.generation) this.list = { kind: 'ready', deliveries: answer.data };
    } catch (error) {
      if (generation === this.generation) this.list = { kind: 'error', error: toViewError(error) };
    }
  }

  private async retry(delivery: WebhookDelivery): Promise<void> {
    if (!this.api || this.retrying.has(delivery.deliveryId)) return;
    const generation = this.generation;
    this.retrying = new Set([...this.retrying, delivery.deliveryId]);
    this.notice = '';
    this.retryError = undefined;
    try {
      const answer = await this.api.isv(
        {
          method: 'POST',
          path: `/2024-03/webhook-deliveries/${encodeURIComponent(delivery.deliveryId)}/retry`,
          body: {},
        },
        WebhookDeliveryResponse,
      );
      if (generation !== this.generation || this.list.kind !== 'ready') return;
      this.list = {
        kind: 'ready',
        deliveries: this.list.deliveries.map((d) => (d.deliveryId === answer.data.deliveryId ? answer.data : d)),
      };
      this.notice = this.t.retried(delivery.deliveryId);
    } catch (error) {
      if (generation === this.generation) this.retryError = toViewError(error);
    } finally {
      const rest = new Set(this.retrying);
      rest.delete(delivery.deliveryId);
      this.retrying = rest;
    }
  }

  private applyFilters(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    this.status = (form.querySelector<HTMLSelectElement>('#deliveries-status')!.value || '') as '' | DeliveryStatus;
    this.deliveryKind = (form.querySelector<HTMLSelectElement>('#deliveries-kind')!.value || '') as '' | DeliveryKind;
    void this.load();
  }

  protected override render() {
    const t = this.t;
    const list = this.list;
    return html`<section class="page" aria-busy=${list.kind === 'loading'}>
      <div class="page-header"><h1 id="deliveries-title">${t.deliveriesTitle}</h1></div>
      <form class="card filters" aria-label=${t.filters} @submit=${this.applyFilters}>
        <label
          >${t.status}
          <select id="deliveries-status">
            <option value="" ?selected=${this.status === ''}>${t.anyDeliveryStatus}</option>
            ${DELIVERY_STATUSES.map(
              (s) => html`<option value=${s} ?selected=${this.status === s}>${t.deliveryStatusNames[s]}</option>`,
            )}
          </select>
        </label>
        <label
          >${t.kind}
          <select id="deliveries-kind">
            <option value="" ?selected=${this.deliveryKind === ''}>${t.anyKind}</option>
            ${DELIVERY_KINDS.map(
              (k) => html`<option value=${k} ?selected=${this.deliveryKind === k}>${t.kindNames[k]}</option>`,
            )}
          </select>
        </label>
        <button type="submit">${t.apply}</button>
      </form>
      <p role="status" class="notice">${this.notice}</p>
      ${this.retryError ? this.renderError(this.retryError) : nothing}
      ${
        list.kind === 'loading'
          ? this.renderLoading()
          : list.kind === 'error'
            ? this.renderError(list.error, () => void this.load())
            : list.deliveries.length === 0
              ? html`<p class="muted">${t.deliveriesEmpty}</p>`
              : this.renderTable(list.deliveries)
      }
    </section>`;
  }

  private renderTable(deliveries: WebhookDelivery[]) {
    const t = this.t;
    return html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="deliveries-title">
      <table>
        <thead>
          <tr>
            <th scope="col">${t.kind}</th>
            <th scope="col">${t.status}</th>
            <th scope="col">${t.url}</th>
            <th scope="col">${t.attempts}</th>
            <th scope="col">${t.response}</th>
            <th scope="col">${t.created}</th>
            <th scope="col">${t.delivered} / ${t.nextAttempt}</th>
            <th scope="col"><span class="visually-hidden">${t.retryDelivery}</span></th>
          </tr>
        </thead>
        <tbody>
          ${deliveries.map(
            (d) =>
              html`<tr>
                <td>
                  ${t.kindNames[d.kind]}
                  <div><code class="muted">${d.deliveryId}</code></div>
                </td>
                <td>
                  <span class="status status-${d.status}">${t.deliveryStatusNames[d.status]}</span>
                  ${d.lastError ? html`<div class="muted">${t.lastError}: ${d.lastError}</div>` : nothing}
                </td>
                <td class="url"><code>${d.url}</code></td>
                <td>${d.attempts}</td>
                <td>${d.responseStatus ?? t.dash}</td>
                <td>${formatDate(d.createdAt, this.lang)}</td>
                <td>
                  ${
                    d.deliveredAt
                      ? formatDate(d.deliveredAt, this.lang)
                      : d.nextAttemptAt
                        ? `${t.nextAttempt}: ${formatDate(d.nextAttemptAt, this.lang)}`
                        : t.dash
                  }
                </td>
                <td>
                  ${
                    d.status === 'sending'
                      ? nothing
                      : html`<button
                          type="button"
                          class="secondary"
                          aria-label=${t.retryLabel(d.deliveryId)}
                          ?disabled=${this.retrying.has(d.deliveryId)}
                          @click=${() => void this.retry(d)}
                        >
                          ${t.retryDelivery}
                        </button>`
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }
}
