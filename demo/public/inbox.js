import { el, json, mountShell, signIn } from './shell.js';

const { username } = mountShell('inbox.html');
const statusLine = document.getElementById('status');
const list = el('ol', { class: 'inbox', 'aria-label': 'Received requests' });
document.getElementById('content').append(list);

const badge = (ok, label) =>
  el('span', { class: `badge ${ok ? 'on' : 'bad'}` }, `${label} ${ok ? 'verified' : 'NOT verified'}`);

/** What a request is, from where Alloy was told to send it. */
const KINDS = [
  ['/demo/api/inbox/installations', 'Installation webhook'],
  ['/demo/api/inbox/orders', 'Stream Data: new order'],
];
const kindOf = (entry) => KINDS.find(([path]) => entry.path.startsWith(path))?.[1] ?? 'Request';

function item(entry) {
  return el(
    'li',
    { class: 'panel' },
    el(
      'div',
      { class: 'row spread' },
      el('strong', {}, `${kindOf(entry)} · ${entry.method} ${entry.path}`),
      el('time', { datetime: entry.receivedAt }, new Date(entry.receivedAt).toLocaleTimeString()),
    ),
    el(
      'div',
      { class: 'badges' },
      badge(entry.verified.alloySignature, 'X-Alloy-Signature'),
      badge(entry.verified.standardWebhooks, 'webhook-signature'),
    ),
    el('p', { class: 'meta' }, `webhook-id ${entry.webhookId ?? '—'}`),
    el('pre', { class: 'code' }, JSON.stringify(entry.body, null, 2)),
  );
}

let last = '';
async function refresh() {
  try {
    const { data } = await json(await fetch('/demo/api/inbox'));
    const signature = JSON.stringify(data.map((d) => `${d.webhookId}@${d.receivedAt}`));
    if (signature !== last) {
      last = signature;
      list.replaceChildren(...data.map(item));
    }
    statusLine.textContent = data.length
      ? ''
      : `Nothing received for "${username}" yet. Install Demo Store (an installation webhook arrives), then create an order in the Demo Store admin.`;
  } catch (error) {
    statusLine.textContent = `Could not load the inbox: ${error.message}`;
  }
}
// The demo API answers signed-in pages only.
await signIn(username).catch((error) => (statusLine.textContent = `Could not sign in: ${error.message}`));
await refresh();
setInterval(refresh, 2000);
