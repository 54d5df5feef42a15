import { el, json, mountShell, postJson, signIn } from './shell.js';

const { username } = mountShell('events.html');
// The demo API answers signed-in pages only (the session cookie names the user events are fired for).
const signedIn = signIn(username);
const statusLine = document.getElementById('status');

/** The Demo Store's statuses, in the order an order moves through them. */
const STATUSES = ['pending', 'paid', 'fulfilled', 'shipped', 'cancelled'];
/** What AcmeCo's fulfilment team usually does next to an order in each status. */
const NEXT_STATUS = { pending: 'fulfilled', paid: 'fulfilled', fulfilled: 'shipped' };

const money = (cents, currency) =>
  cents === null
    ? ''
    : new Intl.NumberFormat(undefined, { style: 'currency', currency: currency ?? 'USD' }).format(cents / 100);

/** "#1001 · ord_… · Pat Doe · $42.00 · pending": the number the store shows and the id events need. */
const orderLabel = (order) =>
  [
    order.number === null ? null : `#${order.number}`,
    order.id,
    order.customerName,
    money(order.totalAmount, order.currency),
    order.status,
  ]
    .filter(Boolean)
    .join(' · ');

const eventInput = el('input', { id: 'event-name', value: 'Fulfillment Updated', required: true });
const orderSelect = el('select', { id: 'order', 'aria-describedby': 'order-hint' });
const orderHint = el('p', { class: 'hint', id: 'order-hint' });
const statusSelect = el(
  'select',
  { id: 'order-status' },
  ...STATUSES.map((status) => el('option', { value: status }, status)),
);
const editor = el('textarea', { id: 'event-data', rows: '6', spellcheck: 'false', class: 'code' });
const output = el('pre', { class: 'code output', 'aria-label': 'Response' });
const fire = el('button', { type: 'submit', class: 'primary' }, 'Fire event');
const form = el(
  'form',
  { class: 'panel form' },
  el('label', { for: 'event-name' }, 'Event'),
  eventInput,
  el('label', { for: 'order' }, 'Order'),
  orderSelect,
  orderHint,
  el('label', { for: 'order-status' }, 'New status'),
  statusSelect,
  el('label', { for: 'event-data' }, 'Data (JSON, must match the event schema)'),
  editor,
  el(
    'p',
    { class: 'hint' },
    `Fired for user "${username}". Picking an order or a status fills the data; you may edit it.`,
  ),
  el('div', { class: 'row' }, fire),
);
document.getElementById('content').append(form, el('h2', {}, 'Response'), output);

/** The orders last listed (null before the first load). */
let orders = null;

/** The data for the picked order and status: what the Fulfillment Updated schema asks for. */
function fillData() {
  const data = orderSelect.value
    ? { orderId: orderSelect.value, status: statusSelect.value }
    : { orderId: '', status: statusSelect.value };
  editor.value = JSON.stringify(data, null, 2);
}

function pickOrder() {
  const order = orders.find((o) => o.id === orderSelect.value);
  statusSelect.value = (order && NEXT_STATUS[order.status]) ?? 'fulfilled';
  fillData();
}

async function loadOrders() {
  // Re-rendering would close the menu someone is using.
  if (document.activeElement === orderSelect) return;
  const { data } = await json(await fetch('/demo/api/orders'));
  const changed = JSON.stringify(data) !== JSON.stringify(orders);
  if (!changed) return;
  const picked = orderSelect.value;
  orders = data;
  orderSelect.replaceChildren(
    ...(orders.length === 0
      ? [el('option', { value: '' }, 'No orders yet')]
      : orders.map((order) => el('option', { value: order.id }, orderLabel(order)))),
  );
  orderSelect.disabled = orders.length === 0;
  orderHint.textContent =
    orders.length === 0
      ? 'Orders appear here once your Demo Store streams them to AcmeCo: install Demo Store, then create an order in the Demo Store admin.'
      : 'The orders your Demo Store streamed to AcmeCo, newest first: the store shows the number (#1001), the event needs the id (ord_…).';
  const keep = orders.some((o) => o.id === picked);
  if (keep) orderSelect.value = picked;
  // A new pick (the first load, or the picked order is gone) gets a fresh default payload.
  if (!keep) pickOrder();
}

orderSelect.addEventListener('change', pickOrder);
statusSelect.addEventListener('change', fillData);

/** The workflows' runs, searched for the one the event started (the log's runId is the eventId). */
async function followRun(eventId) {
  const { data } = await json(await fetch('/demo/api/integrations'));
  const workflows = data.flatMap((integration) => integration.workflows.filter((w) => w.installed));
  for (let attempt = 0; attempt < 40; attempt++) {
    for (const workflow of workflows) {
      const { logs } = await json(await fetch(`/demo/api/logs?workflowId=${encodeURIComponent(workflow.workflowId)}`));
      const run = logs.data.find((execution) => execution.runId === eventId);
      if (run && run.status !== 'running') return { run, workflow };
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}

function runOutcome(found) {
  if (!found) {
    statusLine.textContent = 'Event accepted. Its run has not finished yet: see Logs & errors.';
    return;
  }
  const { run, workflow } = found;
  const href = `logs.html?workflow=${encodeURIComponent(workflow.workflowId)}&execution=${encodeURIComponent(run.executionId)}`;
  const failed = run.results.find((r) => r.status === 'error');
  statusLine.replaceChildren(
    run.status === 'success'
      ? 'Event accepted and its run succeeded. '
      : `Event accepted, but its run failed: ${failed?.error ?? 'see the run'}. `,
    el('a', { href }, 'Open the run in Logs & errors'),
  );
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  let data;
  try {
    data = JSON.parse(editor.value);
  } catch (error) {
    statusLine.textContent = `The data is not valid JSON: ${error.message}`;
    editor.focus();
    return;
  }
  fire.disabled = true;
  try {
    await signedIn;
    const response = await postJson('/demo/api/events', { event: eventInput.value.trim(), data });
    output.textContent = JSON.stringify(response, null, 2);
    statusLine.textContent = 'Event accepted. Following its run…';
    runOutcome(await followRun(response.eventId));
    await loadOrders();
  } catch (error) {
    output.textContent = '';
    statusLine.textContent = `Not accepted: ${error.message}`;
  } finally {
    fire.disabled = false;
  }
});

try {
  await signedIn;
  await loadOrders();
  setInterval(() => loadOrders().catch(() => undefined), 3000);
} catch (error) {
  statusLine.textContent = `Could not load the orders: ${error.message}`;
}
