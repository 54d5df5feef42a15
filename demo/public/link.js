import { copyButton, el, json, mountShell, postJson, signIn } from './shell.js';

const { username } = mountShell('link.html');
const statusLine = document.getElementById('status');
const select = el('select', { id: 'integration' });
// The API takes 60 s to 30 days (7 days when left out); these are the choices people make.
const EXPIRY_CHOICES = [
  [3600, '1 hour'],
  [86_400, '1 day'],
  [604_800, '7 days'],
  [2_592_000, '30 days'],
];
const expiry = el(
  'select',
  { id: 'expiry' },
  ...EXPIRY_CHOICES.map(([seconds, label]) =>
    el('option', { value: String(seconds), selected: seconds === 604_800 }, label),
  ),
);
const result = el('div');
const form = el(
  'form',
  { class: 'panel form' },
  el('label', { for: 'integration' }, 'Integration'),
  select,
  el('label', { for: 'expiry' }, 'Expires after'),
  expiry,
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
      expiresIn: Number(expiry.value),
    });
    result.replaceChildren(
      el(
        'div',
        { class: 'panel link-result' },
        el('p', {}, 'Send this link to the customer (it is a bearer secret: do not post it publicly).'),
        el('p', {}, el('a', { href: link.url, target: '_blank', rel: 'noopener noreferrer' }, link.url)),
        el(
          'div',
          { class: 'row' },
          copyButton('Copy link', () => link.url),
          el('span', { class: 'meta' }, `Expires ${new Date(link.expiresAt).toLocaleString()}`),
        ),
      ),
    );
    statusLine.textContent = 'Link generated.';
  } catch (error) {
    statusLine.textContent = `Could not generate a link: ${error.message}`;
  }
});
