// The Demo Store dashboard. The owner signs in with a store's owner secret (an HttpOnly session
// cookie, and a CSRF token this page keeps in memory and sends on every change); it reads the
// signed-in stores from the dashboard API and does everything else through the store's public API
// with the store's key, like any other client. Data is rendered with textContent only.

const BASE = '/sandbox/demo-store';
const REFRESH_MS = 3000;
const STATUS_LABELS = {
  pending: 'Pending',
  paid: 'Paid',
  fulfilled: 'Fulfilled',
  shipped: 'Shipped',
  cancelled: 'Cancelled',
};
const STATUS_RANK = { pending: 0, paid: 1, fulfilled: 2, shipped: 3 };

const $ = (id) => document.getElementById(id);
const state = { stores: [], store: null, revealed: false, orderLimit: 25, refreshTimer: 0, csrfToken: null };

const dateTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const money = (cents, currency) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== undefined && child !== null));
  return node;
}

class RequestError extends Error {
  constructor(message, status, issues) {
    super(message);
    this.status = status;
    this.issues = issues ?? [];
  }
}

async function call(path, { method = 'GET', body, apiKey } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (apiKey) headers['x-store-api-key'] = apiKey;
  else if (method !== 'GET' && state.csrfToken) headers['x-csrf-token'] = state.csrfToken;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new RequestError('Cannot reach the server. Is it running?', 0);
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    throw new RequestError(
      data?.error?.message ?? `Request failed (${response.status})`,
      response.status,
      data?.error?.issues,
    );
  }
  return data;
}

const storeApi = (path, options = {}) =>
  call(`${BASE}/api/v1/stores/${encodeURIComponent(state.store.id)}${path}`, {
    ...options,
    apiKey: state.store.apiKey,
  });

function showPageError(message) {
  const banner = $('page-error');
  banner.textContent = message;
  banner.hidden = !message;
}

// ---- Owner session --------------------------------------------------------------------------

function showSignIn(another = false) {
  clearTimeout(state.refreshTimer);
  $('sign-in').hidden = false;
  $('sign-in-cancel').hidden = !another;
  $('dashboard').hidden = another ? $('dashboard').hidden : true;
  $('owner-actions').hidden = another ? $('owner-actions').hidden : true;
  const form = $('sign-in-form');
  form.elements.secret.value = '';
  $('sign-in-status').textContent = '';
  (form.elements.shop.value ? form.elements.secret : form.elements.shop).focus();
}

function showDashboard() {
  $('sign-in').hidden = true;
  $('dashboard').hidden = false;
  $('owner-actions').hidden = false;
}

/** Starts from the session the cookie holds, or asks to sign in. */
async function start() {
  const session = await call(`${BASE}/admin/api/session`);
  state.csrfToken = session.csrfToken;
  if (!session.csrfToken) return showSignIn();
  showDashboard();
  await loadStores();
}

async function signIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const status = $('sign-in-status');
  const shop = form.elements.shop.value.trim().toLowerCase();
  const secret = form.elements.secret.value;
  if (!shop || !secret) {
    status.textContent = 'Enter the shop subdomain and its owner secret.';
    return;
  }
  try {
    const session = await call(`${BASE}/admin/api/session`, { method: 'POST', body: { shop, secret } });
    state.csrfToken = session.csrfToken;
    form.elements.secret.value = '';
    showDashboard();
    const store = session.stores.find((s) => s.subdomain === shop);
    await loadStores(store?.id);
  } catch (error) {
    status.textContent = error.message;
  }
}

async function signOut() {
  try {
    await call(`${BASE}/admin/api/session`, { method: 'DELETE' });
  } catch (error) {
    if (error.status !== 401) return showPageError(error.message);
  }
  state.csrfToken = null;
  state.store = null;
  state.stores = [];
  showSignIn();
}

// ---- Stores ---------------------------------------------------------------------------------

async function loadStores(selectId) {
  const { data } = await call(`${BASE}/admin/api/stores`);
  state.stores = data;
  const wanted = selectId ?? new URLSearchParams(location.search).get('store') ?? state.store?.id;
  const store = data.find((s) => s.id === wanted) ?? data[0];
  const select = $('store-select');
  select.replaceChildren(...data.map((s) => el('option', { value: s.id, text: s.name })));
  if (store) selectStore(store);
}

function selectStore(store) {
  const changed = state.store?.id !== store.id;
  state.store = store;
  $('store-select').value = store.id;
  $('store-name').textContent = store.name;
  $('store-meta').textContent = `Store id ${store.id} · shop subdomain ${store.subdomain}`;
  renderKey();
  if (changed) {
    state.orderLimit = 25;
    const url = new URL(location.href);
    url.searchParams.set('store', store.id);
    history.replaceState(null, '', url);
    $('orders-body').replaceChildren();
    $('webhooks-body').replaceChildren();
    $('deliveries-body').replaceChildren();
    void loadCustomers();
  }
  void refresh();
}

function renderKey() {
  const key = $('api-key');
  key.textContent = state.revealed ? state.store.apiKey : `${state.store.apiKey.slice(0, 8)}${'•'.repeat(24)}`;
  $('reveal-key').textContent = state.revealed ? 'Hide' : 'Show';
  $('reveal-key').setAttribute('aria-pressed', String(state.revealed));
}

async function copyKey() {
  const button = $('copy-key');
  try {
    await navigator.clipboard.writeText(state.store.apiKey);
    button.textContent = 'Copied';
  } catch {
    button.textContent = 'Copy failed';
  }
  setTimeout(() => (button.textContent = 'Copy'), 1500);
}

async function rotateKey() {
  if (!confirm(`Rotate the API key of ${state.store.name}? Apps using the current key stop working at once.`)) return;
  try {
    const store = await call(`${BASE}/admin/api/stores/${encodeURIComponent(state.store.id)}/rotate-key`, {
      method: 'POST',
    });
    state.stores = state.stores.map((s) => (s.id === store.id ? store : s));
    state.revealed = true;
    selectStore(store);
  } catch (error) {
    showPageError(error.message);
  }
}

function openNewStore() {
  const form = $('new-store-form');
  form.reset();
  $('new-store-status').textContent = '';
  $('new-store-dialog').showModal();
  form.elements.name.focus();
}

async function createStore(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const status = $('new-store-status');
  const name = form.elements.name.value.trim();
  const subdomain = form.elements.subdomain.value.trim().toLowerCase();
  if (!name || !subdomain) {
    status.textContent = 'Give the store a name and a subdomain.';
    return;
  }
  try {
    const store = await call(`${BASE}/admin/api/stores`, { method: 'POST', body: { name, subdomain } });
    $('new-store-dialog').close();
    // Shown this once: only its digest is kept.
    const banner = $('owner-secret-banner');
    banner.textContent = `Owner secret of ${store.name} (shop ${store.subdomain}), shown only now: ${store.ownerSecret}`;
    banner.hidden = false;
    await loadStores(store.id);
  } catch (error) {
    status.textContent = error.message;
  }
}

// ---- New order form -------------------------------------------------------------------------

function itemRow() {
  const row = el('div', { class: 'item-row' });
  const remove = el('button', {
    type: 'button',
    class: 'button ghost remove',
    'aria-label': 'Remove item',
    title: 'Remove item',
    text: '×',
    onclick: () => {
      row.remove();
      if ($('items').children.length === 0) $('items').append(itemRow());
      updateTotal();
    },
  });
  row.append(
    el(
      'label',
      { class: 'field grow' },
      el('span', { text: 'Item' }),
      el('input', {
        name: 'itemName',
        type: 'text',
        maxlength: 200,
        required: true,
        autocomplete: 'off',
        placeholder: 'Blue mug',
      }),
    ),
    el(
      'label',
      { class: 'field qty' },
      el('span', { text: 'Qty' }),
      el('input', { name: 'quantity', type: 'number', min: 1, max: 1000, step: 1, value: 1, required: true }),
    ),
    el(
      'label',
      { class: 'field price' },
      el('span', { text: 'Unit price' }),
      el('input', {
        name: 'unitPrice',
        type: 'text',
        inputmode: 'decimal',
        required: true,
        autocomplete: 'off',
        placeholder: '12.50',
      }),
    ),
    remove,
  );
  row.addEventListener('input', updateTotal);
  return row;
}

/** "12.5" → 1250 cents; undefined when it is not a price. */
function parsePrice(text) {
  const match = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

function readItems() {
  return [...$('items').children].map((row) => ({
    name: row.querySelector('[name=itemName]').value.trim(),
    quantity: Number(row.querySelector('[name=quantity]').value),
    unitPrice: parsePrice(row.querySelector('[name=unitPrice]').value),
  }));
}

function updateTotal() {
  const currency = $('order-form').elements.currency.value;
  const total = readItems().reduce(
    (sum, item) =>
      sum + (Number.isInteger(item.quantity) && item.unitPrice !== undefined ? item.quantity * item.unitPrice : 0),
    0,
  );
  $('order-total').textContent = money(total, currency);
}

async function createOrder(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const status = $('order-form-status');
  status.className = 'form-status';
  const items = readItems();
  const email = form.elements.email.value.trim();
  const name = form.elements.name.value.trim();
  const problem = !email
    ? 'Enter the customer’s email.'
    : !name
      ? 'Enter the customer’s name.'
      : items.some((item) => !item.name)
        ? 'Every item needs a name.'
        : items.some((item) => !Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > 1000)
          ? 'Quantities are whole numbers from 1 to 1000.'
          : items.some((item) => item.unitPrice === undefined)
            ? 'Prices look like 12 or 12.50.'
            : '';
  if (problem) {
    status.textContent = problem;
    status.classList.add('error');
    return;
  }
  const note = form.elements.note.value.trim();
  const submit = form.querySelector('[type=submit]');
  submit.disabled = true;
  try {
    const order = await storeApi('/orders', {
      method: 'POST',
      body: { customer: { email, name }, items, currency: form.elements.currency.value, ...(note ? { note } : {}) },
    });
    status.textContent = `Order #${order.number} (${order.id}) created.`;
    status.classList.add('success');
    $('items').replaceChildren(itemRow());
    form.elements.note.value = '';
    updateTotal();
    void loadCustomers();
    await refresh();
  } catch (error) {
    status.textContent = error.message;
    status.classList.add('error');
  } finally {
    submit.disabled = false;
  }
}

async function loadCustomers() {
  try {
    const { data } = await storeApi('/customers?limit=100');
    $('customer-emails').replaceChildren(...data.map((c) => el('option', { value: c.email, text: c.name })));
    state.customers = data;
  } catch {
    // The datalist is a convenience; the form works without it.
  }
}

function fillCustomerName() {
  const form = $('order-form');
  const match = state.customers?.find((c) => c.email.toLowerCase() === form.elements.email.value.trim().toLowerCase());
  if (match && !form.elements.name.value) form.elements.name.value = match.name;
}

// ---- Orders, webhooks, deliveries -----------------------------------------------------------

const nextStatuses = (current) =>
  Object.keys(STATUS_LABELS).filter(
    (status) =>
      status === current ||
      (current !== 'cancelled' &&
        current !== 'shipped' &&
        (status === 'cancelled' || STATUS_RANK[status] > STATUS_RANK[current])),
  );

function statusControl(order) {
  const options = nextStatuses(order.status);
  if (options.length === 1) {
    return el('span', { class: `status status-${order.status}`, text: STATUS_LABELS[order.status] });
  }
  const select = el(
    'select',
    {
      class: `status status-${order.status}`,
      'aria-label': `Status of order #${order.number}`,
      onchange: async () => {
        select.disabled = true;
        try {
          await storeApi(`/orders/${encodeURIComponent(order.id)}`, {
            method: 'PATCH',
            body: { status: select.value },
          });
          showPageError('');
        } catch (error) {
          showPageError(error.message);
        }
        select.blur();
        await refresh();
      },
    },
    ...options.map((status) =>
      el('option', { value: status, text: STATUS_LABELS[status], selected: status === order.status }),
    ),
  );
  return select;
}

function orderRow(order) {
  const items = order.items.map((item) => `${item.quantity} × ${item.name}`).join(', ');
  return el(
    'tr',
    { 'data-order-id': order.id },
    el(
      'td',
      {},
      el('strong', { text: `#${order.number}` }),
      // The id is what APIs and events name (the number is for people): both are shown.
      el('div', {}, el('code', { class: 'order-id small', text: order.id, title: 'Order id' })),
      el('div', { class: 'muted small clip', text: items, title: items }),
    ),
    el(
      'td',
      {},
      el('div', { text: order.customer.name }),
      el('div', { class: 'muted small', text: order.customer.email }),
    ),
    el('td', { class: 'num', text: money(order.totalAmount, order.currency) }),
    el('td', {}, statusControl(order)),
    el('td', { class: 'nowrap', text: dateTime.format(new Date(order.createdAt)) }),
  );
}

async function refreshOrders() {
  // Re-rendering would steal focus from a status menu someone is using.
  if ($('orders-body').contains(document.activeElement)) return;
  const page = await storeApi(`/orders?limit=${state.orderLimit}`);
  $('orders-body').replaceChildren(...page.data.map(orderRow));
  $('orders-empty').hidden = page.data.length > 0;
  $('orders-more').hidden = page.nextCursor === null || state.orderLimit >= 100;
}

async function refreshWebhooks() {
  const { data } = await storeApi('/webhooks');
  $('webhooks-body').replaceChildren(
    ...data.map((hook) =>
      el(
        'tr',
        {},
        el('td', {}, el('code', { text: hook.topic })),
        el('td', { class: 'url', text: hook.url }),
        el('td', { class: 'nowrap', text: dateTime.format(new Date(hook.createdAt)) }),
      ),
    ),
  );
  $('webhooks-empty').hidden = data.length > 0;
}

function deliveryResult(delivery) {
  const label = { pending: 'Retrying', succeeded: 'Delivered', failed: 'Failed' }[delivery.status];
  const detail =
    delivery.status === 'succeeded'
      ? `HTTP ${delivery.responseStatus}`
      : delivery.status === 'pending' && delivery.attempts === 0
        ? 'Sending…'
        : (delivery.lastError ?? '');
  return el(
    'td',
    {},
    el('span', {
      class: `status delivery-${delivery.status}`,
      text: delivery.attempts === 0 && delivery.status === 'pending' ? 'Queued' : label,
    }),
    el('div', { class: 'muted small', text: detail }),
  );
}

async function refreshDeliveries() {
  const { data } = await call(
    `${BASE}/admin/api/stores/${encodeURIComponent(state.store.id)}/webhook-deliveries?limit=20`,
  );
  $('deliveries-body').replaceChildren(
    ...data.map((delivery) =>
      el(
        'tr',
        {},
        el('td', { class: 'nowrap', text: dateTime.format(new Date(delivery.createdAt)) }),
        el('td', {}, el('code', { text: delivery.topic })),
        el('td', { class: 'url', text: delivery.url }),
        deliveryResult(delivery),
        el('td', { class: 'num', text: String(delivery.attempts) }),
      ),
    ),
  );
  $('deliveries-empty').hidden = data.length > 0;
}

async function refresh() {
  clearTimeout(state.refreshTimer);
  if (!state.store) return;
  try {
    await Promise.all([refreshOrders(), refreshWebhooks(), refreshDeliveries()]);
    $('orders-updated').textContent = `Updated ${timeOnly.format(new Date())}`;
  } catch (error) {
    // The session ended (signed out elsewhere, expired, or the secret was changed).
    if (error.status === 401 && !state.csrfToken) return;
    if (error.status === 401) {
      const signedIn = await call(`${BASE}/admin/api/session`).then(
        (session) => Boolean(session.csrfToken),
        () => false,
      );
      if (!signedIn) {
        state.csrfToken = null;
        return showSignIn();
      }
      await loadStores().catch(() => undefined);
    } else showPageError(error.message);
  }
  if (!document.hidden) state.refreshTimer = setTimeout(refresh, REFRESH_MS);
}

// ---- Wiring ---------------------------------------------------------------------------------

$('store-select').addEventListener('change', (event) => {
  const store = state.stores.find((s) => s.id === event.currentTarget.value);
  if (store) selectStore(store);
});
$('reveal-key').addEventListener('click', () => {
  state.revealed = !state.revealed;
  renderKey();
});
$('copy-key').addEventListener('click', copyKey);
$('rotate-key').addEventListener('click', rotateKey);
$('new-store-button').addEventListener('click', openNewStore);
$('new-store-cancel').addEventListener('click', () => $('new-store-dialog').close());
$('new-store-form').addEventListener('submit', createStore);
$('sign-in-form').addEventListener('submit', signIn);
$('sign-in-cancel').addEventListener('click', () => ($('sign-in').hidden = true));
$('add-sign-in-button').addEventListener('click', () => showSignIn(true));
$('sign-out-button').addEventListener('click', signOut);
$('add-item').addEventListener('click', () => {
  const row = itemRow();
  $('items').append(row);
  row.querySelector('input').focus();
});
$('order-form').addEventListener('submit', createOrder);
$('order-form').elements.currency.addEventListener('change', updateTotal);
$('order-form').elements.email.addEventListener('change', fillCustomerName);
$('orders-more').addEventListener('click', () => {
  state.orderLimit = Math.min(100, state.orderLimit + 25);
  void refresh();
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void refresh();
});

$('items').append(itemRow());
updateTotal();
start().catch((error) => showPageError(error.message));
