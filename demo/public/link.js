import { el, json, mountShell, postJson, signIn } from './shell.js';

const { username } = mountShell('link.html');
const statusLine = document.getElementById('status');
const select = el('select', { id: 'integration' });
const hours = el('input', { id: 'hours', type: 'number', min: '1', max: '720', value: '168' });
const result = el('div');
const form = el(
  'form',
  { class: 'panel form' },
  el('label', { for: 'integration' }, 'Integration'),
  select,
  el('label', { for: 'hours' }, 'Expires after (hours)'),
  hours,
  el('p', { class: 'hint' }, `The link installs for user "${username}" and works once.`),
  el('div', { class: 'row' }, el('button', { type: 'submit', class: 'primary' }, 'Generate link')),
);
document.getElementById('content').append(form, result);

// Signing in creates the end user on a first visit, so the list below always has someone to be about.
await signIn(username);
const { data } = await json(await fetch('/demo/api/integrations'));
for (const integration of data) select.append(el('option', { value: integration.integrationId }, integration.name));

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const link = await postJson('/demo/api/links', {
      integrationId: select.value,
      expiresIn: Math.round(Number(hours.value) * 3600),
    });
    result.replaceChildren(
      el(
        'div',
        { class: 'panel' },
        el('p', {}, 'Send this link to the customer (it is a bearer secret: do not post it publicly).'),
        el('p', {}, el('a', { href: link.url, target: '_blank', rel: 'noopener noreferrer' }, link.url)),
        el('p', { class: 'meta' }, `Expires ${new Date(link.expiresAt).toLocaleString()}`),
      ),
    );
    statusLine.textContent = 'Link generated.';
  } catch (error) {
    statusLine.textContent = `Could not generate a link: ${error.message}`;
  }
});
