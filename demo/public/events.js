import { el, mountShell, postJson, signIn } from './shell.js';

const { username } = mountShell('events.html');
// The demo API answers signed-in pages only (the session cookie names the user events are fired for).
const signedIn = signIn(username);
const statusLine = document.getElementById('status');
const SAMPLE = { orderId: '', status: 'fulfilled' };

const eventInput = el('input', { id: 'event-name', value: 'Fulfillment Updated', required: true });
const editor = el('textarea', { id: 'event-data', rows: '10', spellcheck: 'false', class: 'code' });
editor.value = JSON.stringify(SAMPLE, null, 2);
const output = el('pre', { class: 'code output', 'aria-label': 'Response' });
const fire = el('button', { type: 'submit', class: 'primary' }, 'Fire event');
const form = el(
  'form',
  { class: 'panel form' },
  el('label', { for: 'event-name' }, 'Event'),
  eventInput,
  el('label', { for: 'event-data' }, 'Data (JSON, must match the event schema)'),
  editor,
  el('p', { class: 'hint' }, `Fired for user "${username}". Take an order id from the Demo Store admin.`),
  el('div', { class: 'row' }, fire),
);
document.getElementById('content').append(form, el('h2', {}, 'Response'), output);

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
    statusLine.textContent = 'Event accepted. Its run shows up under Logs & errors.';
  } catch (error) {
    output.textContent = '';
    statusLine.textContent = `Not accepted: ${error.message}`;
  } finally {
    fire.disabled = false;
  }
});
