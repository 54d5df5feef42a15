// The AcmeCo app frame shared by every demo page: brand, navigation and the signed-in end user.
// Built with DOM calls (never innerHTML), like everything in the demo.

const PAGES = [
  ['index.html', 'Integrations'],
  ['react/', 'React page'],
  ['events.html', 'Event console'],
  ['inbox.html', 'Webhook inbox'],
  ['logs.html', 'Logs & errors'],
  ['link.html', 'Embedded Link'],
];

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export async function json(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body?.error?.message || `Request failed (${response.status})`);
  return body;
}

/** A button that copies `text()` to the clipboard and says so on itself for a moment. */
export function copyButton(label, text) {
  const button = el('button', { type: 'button', class: 'secondary small' }, label);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Copy failed: select the text';
    }
    setTimeout(() => (button.textContent = label), 1500);
  });
  return button;
}

export const postJson = (url, body, method = 'POST') =>
  fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(json);

/** The end user the visitor plays: `?user=` wins, then the last one used, then "gregg". */
export function currentUser() {
  return new URLSearchParams(location.search).get('user') || localStorage.getItem('acmeco-user') || 'gregg';
}

/** Signs the visitor in (the demo backend creates the end user once) and returns a fresh user token. */
export async function signIn(username) {
  const session = await postJson('/demo/api/session', { username });
  return session.token;
}

export function mountShell(activeHref) {
  const username = currentUser();
  localStorage.setItem('acmeco-user', username);
  const base = '/demo/';
  const nav = el(
    'nav',
    { class: 'nav', id: 'site-nav', 'aria-label': 'AcmeCo' },
    ...PAGES.map(([href, label]) =>
      el('a', { href: `${base}${href}`, 'aria-current': href === activeHref ? 'page' : undefined }, label),
    ),
    el('a', { href: '/sandbox/demo-store/', target: '_blank', rel: 'noopener' }, 'Demo Store admin ↗'),
  );
  const input = el('input', { id: 'username', name: 'username', autocomplete: 'off', required: true, value: username });
  const form = el(
    'form',
    { class: 'signin' },
    el('label', { for: 'username' }, 'Signed in as'),
    input,
    el('button', { type: 'submit' }, 'Switch'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = input.value.trim() || 'gregg';
    localStorage.setItem('acmeco-user', next);
    const url = new URL(location.href);
    url.searchParams.set('user', next);
    location.assign(url);
  });
  // On narrow screens the links fold behind a Menu button (CSS shows it below 1100 px).
  const menu = el(
    'button',
    { type: 'button', class: 'secondary nav-toggle', 'aria-expanded': 'false', 'aria-controls': 'site-nav' },
    'Menu',
  );
  const header = el(
    'header',
    { class: 'topbar' },
    el('a', { class: 'brand', href: base }, el('span', { class: 'logo', 'aria-hidden': 'true' }, 'A'), ' AcmeCo'),
    menu,
    nav,
    form,
  );
  menu.addEventListener('click', () => {
    const open = menu.getAttribute('aria-expanded') !== 'true';
    menu.setAttribute('aria-expanded', String(open));
    header.classList.toggle('nav-open', open);
  });
  document.body.prepend(header);
  return { username };
}
