import { expect, waitUntil } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { WebhookDelivery } from '../../../../src/contract/index.js';
import { FakeConsoleApi, apiError, deferred } from './fake-console-api.js';
import { DELIVERIES, DELIVERY_ID, SENDING_DELIVERY_ID } from './fixtures.js';
import { button, find, mount, rootOf, settle, text, typeInto } from './dom.js';

const FAILED = DELIVERIES.data[0]!;
const DELIVERED: WebhookDelivery = {
  ...FAILED,
  deliveryId: 'whd_01JDELIVERED0000000000000',
  status: 'delivered',
  attempts: 1,
  responseStatus: 200,
  lastError: null,
  deliveredAt: '2026-12-01T10:00:02.000Z',
};
const REQUEUED: WebhookDelivery = {
  ...FAILED,
  status: 'pending',
  attempts: 0,
  nextAttemptAt: '2026-12-06T20:00:00.000Z',
  lastError: null,
  responseStatus: null,
};

function filledApi(): FakeConsoleApi {
  return new FakeConsoleApi().on('listWebhookDeliveries', DELIVERIES).on('retryWebhookDelivery', { data: REQUEUED });
}

describe('<alloy-console-deliveries>', () => {
  it('shows loading, accessibly', async () => {
    const pending = deferred();
    const el = await mount(
      'alloy-console-deliveries',
      new FakeConsoleApi().on('listWebhookDeliveries', () => pending.promise),
    );
    expect(text(rootOf(el).querySelector('.loading'))).to.equal('Loading…');
    await expect(el).to.be.accessible();
    pending.resolve(DELIVERIES);
    await find(rootOf(el), 'table');
  });

  it('lists deliveries with kind, status, attempts and response; Retry only on failed ones, accessibly', async () => {
    const api = new FakeConsoleApi().on('listWebhookDeliveries', { data: [...DELIVERIES.data, DELIVERED] });
    const el = await mount('alloy-console-deliveries', api);
    await find(rootOf(el), 'table');
    expect(api.calls).to.deep.equal([{ method: 'GET', path: '/2024-03/webhook-deliveries', query: { limit: 100 } }]);
    const [failed, sending, delivered] = [...rootOf(el).querySelectorAll('tbody.delivery')];
    expect(text(failed)).to.contain('Installation webhook').and.contain('Failed');
    expect(text(failed)).to.contain('https://acme.test/hooks/alloy').and.contain(DELIVERY_ID);
    expect(text(sending)).to.contain('Error stream').and.contain('Sending');
    expect(text(delivered)).to.contain('Delivered').and.contain('200');
    expect(failed!.querySelector('button')!.getAttribute('aria-label')).to.equal(`Retry ${DELIVERY_ID}`);
    expect(sending!.querySelector('button')).to.equal(null);
    expect(delivered!.querySelector('button')).to.equal(null);
    expect(text(sending)).to.contain(SENDING_DELIVERY_ID);
    await expect(el).to.be.accessible();
  });

  it('puts the last error on its own full-width row, keeps dates on one line and wraps the URL at slashes', async () => {
    const el = await mount('alloy-console-deliveries', filledApi());
    await find(rootOf(el), 'table');
    const failed = rootOf(el).querySelector('tbody.delivery')!;
    const errorCell = failed.querySelector('tr.error-row td')!;
    expect(errorCell.getAttribute('colspan')).to.equal('8');
    expect(text(errorCell)).to.equal('Last error: HTTP 500');
    expect(text(failed.querySelector('tr.delivery-row td:nth-child(2)'))).to.equal('Failed');
    expect(getComputedStyle(failed.querySelector('td.date')!).whiteSpace).to.equal('nowrap');
    const url = failed.querySelector('td.url code')!;
    expect(url.getAttribute('title')).to.equal('https://acme.test/hooks/alloy');
    expect(url.querySelectorAll('wbr').length).to.equal(2);
    expect(url.innerHTML.replace(/<!--[^>]*-->/g, '')).to.equal('https://acme.test<wbr>/hooks<wbr>/alloy');
    await expect(el).to.be.accessible();
  });

  it('shows each delivery as a card on a phone, with nothing cut off, accessibly', async () => {
    await setViewport({ width: 375, height: 812 });
    try {
      const el = await mount('alloy-console-deliveries', filledApi());
      await find(rootOf(el), 'table');
      const card = rootOf(el).querySelector<HTMLElement>('tbody.delivery')!;
      expect(getComputedStyle(card).display).to.equal('grid');
      const wrap = rootOf(el).querySelector<HTMLElement>('.table-wrap')!;
      expect(wrap.scrollWidth).to.be.at.most(wrap.clientWidth + 1);
      const label = getComputedStyle(card.querySelector('td.url')!, '::before').content;
      expect(label).to.equal('"URL"');
      for (const cell of card.querySelectorAll<HTMLElement>('tr.delivery-row td:not(.empty)'))
        expect(cell.getBoundingClientRect().right).to.be.at.most(card.getBoundingClientRect().right + 1);
      await expect(el).to.be.accessible();
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  it('retries a delivery, shows its new state and says so', async () => {
    const api = filledApi();
    const el = await mount('alloy-console-deliveries', api);
    await find(rootOf(el), 'table');
    rootOf(el).querySelector<HTMLButtonElement>(`button[aria-label="Retry ${DELIVERY_ID}"]`)!.click();
    await waitUntil(() => text(rootOf(el).querySelector('p[role="status"]')) === `${DELIVERY_ID} queued again.`);
    expect(api.callsTo('retryWebhookDelivery')).to.deep.equal([
      { method: 'POST', path: `/2024-03/webhook-deliveries/${DELIVERY_ID}/retry`, body: {} },
    ]);
    const row = rootOf(el).querySelector('tbody.delivery')!;
    expect(text(row)).to.contain('Pending').and.contain('Next attempt').and.not.contain('HTTP 500');
    expect(row.querySelector('button')).to.equal(null);
    // Its Retry button went away with the failure: focus is on the notice, not lost to the page.
    await waitUntil(() => rootOf(el).activeElement?.classList.contains('notice'), 'focus on the notice');
    await expect(el).to.be.accessible();
  });

  it('shows a refused retry (409 while sending) as an error with its request id', async () => {
    const api = filledApi().on('retryWebhookDelivery', () => {
      throw apiError('This delivery is being sent right now.', 409, 'conflict');
    });
    const el = await mount('alloy-console-deliveries', api);
    await find(rootOf(el), 'table');
    rootOf(el).querySelector<HTMLButtonElement>(`button[aria-label="Retry ${DELIVERY_ID}"]`)!.click();
    const alert = await find(rootOf(el), '[role="alert"]');
    expect(text(alert)).to.contain('This delivery is being sent right now.').and.contain('req_0123456789abcdef');
    expect(rootOf(el).querySelector<HTMLButtonElement>(`button[aria-label="Retry ${DELIVERY_ID}"]`)!.disabled).to.equal(
      false,
    );
    await expect(el).to.be.accessible();
  });

  it('filters by the status and kind the endpoint accepts', async () => {
    const api = filledApi();
    const el = await mount('alloy-console-deliveries', api);
    await find(rootOf(el), 'table');
    typeInto(rootOf(el).querySelector<HTMLSelectElement>('#deliveries-status')!, 'failed');
    typeInto(rootOf(el).querySelector<HTMLSelectElement>('#deliveries-kind')!, 'errorStream');
    button(rootOf(el), 'Apply').click();
    await waitUntil(() => api.calls.length === 2);
    expect(api.calls[1]).to.deep.equal({
      method: 'GET',
      path: '/2024-03/webhook-deliveries',
      query: { limit: 100, status: 'failed', kind: 'errorStream' },
    });
    await find(rootOf(el), 'table');
    expect(rootOf(el).querySelector<HTMLSelectElement>('#deliveries-status')!.value).to.equal('failed');
  });

  it('says so when there are none, accessibly', async () => {
    const el = await mount('alloy-console-deliveries', new FakeConsoleApi().on('listWebhookDeliveries', { data: [] }));
    await settle(el);
    expect(text(rootOf(el))).to.contain('No deliveries match.');
    await expect(el).to.be.accessible();
  });

  it('shows a failed list as an error, accessibly, and tries again', async () => {
    let fail = true;
    const api = filledApi().on('listWebhookDeliveries', () => {
      if (fail) throw apiError();
      return DELIVERIES;
    });
    const el = await mount('alloy-console-deliveries', api, { lang: 'es' });
    const alert = await find(rootOf(el), '[role="alert"]');
    expect(text(alert)).to.contain('Algo salió mal').and.contain('Id de la solicitud: req_0123456789abcdef');
    await expect(el).to.be.accessible();
    fail = false;
    button(rootOf(el), 'Reintentar').click();
    await find(rootOf(el), 'table');
  });
});
