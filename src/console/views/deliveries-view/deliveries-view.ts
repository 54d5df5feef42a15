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
import { ConsoleDataView } from '../shared/view-element.js';
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
 * (`POST /webhook-deliveries/:deliveryId/retry`) on the failed ones. Under 640 px each delivery is a
 * card.
 */
@customElement('alloy-console-deliveries')
export class AlloyConsoleDeliveries extends ConsoleDataView {
  static override styles = deliveriesViewStyles;

  @state() private list: ListState = { kind: 'loading' };
  @state() private status: '' | DeliveryStatus = '';
  @state() private deliveryKind: '' | DeliveryKind = '';
  @state() private retrying = new Set<string>();
  @state() private notice = '';
  @state() private retryError?: ViewError;
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('api')) void this.load();
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
      // The row's Retry button is gone (the delivery is pending again): focus goes to what happened.
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.notice')?.focus();
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
      <p role="status" class="notice" tabindex="-1">${this.notice}</p>
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
    const columns = [t.kind, t.status, t.url, t.attempts, t.response, t.created, `${t.delivered} / ${t.nextAttempt}`];
    return html`<div class="table-wrap" role="region" tabindex="0" aria-labelledby="deliveries-title">
      <table>
        <thead>
          <tr>
            ${columns.map((c) => html`<th scope="col">${c}</th>`)}
            <th scope="col"><span class="visually-hidden">${t.retryDelivery}</span></th>
          </tr>
        </thead>
        ${deliveries.map((d) => this.renderDelivery(d, columns))}
      </table>
    </div>`;
  }

  /**
   * One delivery is one `<tbody>`: its row, and its last error on a full-width row under it. On a
   * narrow screen the styles turn each `<tbody>` into a card with the column names as labels.
   */
  private renderDelivery(d: WebhookDelivery, columns: string[]) {
    const t = this.t;
    const [kind, status, url, attempts, response, created, deliveredOrNext] = columns;
    return html`<tbody class="delivery">
      <tr class="delivery-row">
        <td class="kind" data-label=${kind!}>
          ${t.kindNames[d.kind]}
          <div><code class="muted">${d.deliveryId}</code></div>
        </td>
        <td data-label=${status!}>
          <span class="status status-${d.status}">${t.deliveryStatusNames[d.status]}</span>
        </td>
        <td class="url" data-label=${url!}><code title=${d.url}>${breakAtSlashes(d.url)}</code></td>
        <td class="number" data-label=${attempts!}>${d.attempts}</td>
        <td class="number" data-label=${response!}>${d.responseStatus ?? t.dash}</td>
        <td class="date" data-label=${created!}>${formatDate(d.createdAt, this.lang)}</td>
        <td class="date" data-label=${deliveredOrNext!}>
          ${
            d.deliveredAt
              ? formatDate(d.deliveredAt, this.lang)
              : d.nextAttemptAt
                ? html`<span class="next">${t.nextAttempt}:</span> ${formatDate(d.nextAttemptAt, this.lang)}`
                : t.dash
          }
        </td>
        <td class="actions${retryable(d) ? '' : ' empty'}">
          ${
            retryable(d)
              ? html`<button
                  type="button"
                  class="secondary"
                  aria-label=${t.retryLabel(d.deliveryId)}
                  ?disabled=${this.retrying.has(d.deliveryId)}
                  @click=${() => void this.retry(d)}
                >
                  ${t.retryDelivery}
                </button>`
              : nothing
          }
        </td>
      </tr>
      ${
        d.lastError
          ? html`<tr class="error-row">
              <td colspan="8"><span class="error-label">${t.lastError}:</span> ${d.lastError}</td>
            </tr>`
          : nothing
      }
    </tbody>`;
  }
}

/**
 * Retry is offered where it helps: a delivery that gave up (`failed`). The server also requeues a
 * delivered or pending one (and answers 409 for one being sent now), but re-sending a delivered
 * event or hurrying a scheduled attempt is not what the button is for.
 */
export function retryable(delivery: WebhookDelivery): boolean {
  return delivery.status === 'failed';
}

/**
 * The URL with a line-break opportunity before each `/` of its path, so it wraps between path
 * segments (never inside `scheme://host`).
 */
function breakAtSlashes(url: string) {
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(url)?.[0] ?? '';
  const segments = url.slice(origin.length).split(/(?=\/)/);
  return [origin, ...segments.map((segment) => html`<wbr />${segment}`)];
}
