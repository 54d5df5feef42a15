// AcmeCo's integrations page: cards from GET /integrations (through the demo backend, which holds
// the API key), and the Install button opening the Alloy modal with a fresh user token.

const list = document.getElementById('integrations');
const statusLine = document.getElementById('status');
const signin = document.getElementById('signin');
const usernameInput = document.getElementById('username');

let username = new URLSearchParams(location.search).get('user') || usernameInput.value;
usernameInput.value = username;

async function json(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body?.error?.message || `Request failed (${response.status})`);
  return body;
}

/** Signs in (creating the end user the first time) and gives the SDK a fresh token. */
async function refreshToken() {
  const session = await json(
    await fetch('/demo/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username }),
    }),
  );
  window.Alloy.setToken(session.token);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function card(integration) {
  const latest = Math.max(...integration.workflows.map((w) => w.version));
  const installedVersions = integration.workflows.map((w) => w.installedVersion).filter((v) => v !== null);
  const installedVersion = installedVersions.length ? Math.min(...installedVersions) : null;
  const badge = integration.installed
    ? el('span', { class: 'badge on' }, `Installed · v${installedVersion}`)
    : el('span', { class: 'badge' }, 'Not installed');
  const button = el(
    'button',
    { class: 'primary', type: 'button', onclick: () => install(integration, button) },
    integration.installed ? 'Edit' : 'Install',
  );
  button.dataset.integrationId = integration.integrationId;
  return el(
    'li',
    { class: 'card' },
    el('img', { src: integration.icon, alt: '', width: '48', height: '48' }),
    el(
      'div',
      { class: 'card-body' },
      el('h2', {}, integration.name),
      el('p', {}, integration.description),
      el('p', { class: 'meta' }, `${integration.workflows.length} workflow(s) · latest v${latest}`),
    ),
    el('div', { class: 'card-actions' }, badge, button),
  );
}

async function render() {
  statusLine.textContent = 'Loading integrations…';
  try {
    const { data } = await json(await fetch(`/demo/api/integrations?username=${encodeURIComponent(username)}`));
    list.replaceChildren(...data.map(card));
    statusLine.textContent = '';
  } catch (error) {
    statusLine.textContent = `Could not load integrations: ${error.message}`;
  }
}

async function install(integration, button) {
  button.disabled = true;
  try {
    await refreshToken();
    const result = await window.Alloy.install({
      integrationId: integration.integrationId,
      callback: (outcome) => console.info('[AcmeCo] Alloy callback', outcome),
    });
    await render();
    statusLine.textContent = result.success
      ? `${integration.name} is installed.`
      : `${integration.name} was not installed.`;
  } catch (error) {
    statusLine.textContent = `Install failed: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

signin.addEventListener('submit', async (event) => {
  event.preventDefault();
  username = usernameInput.value.trim() || 'gregg';
  history.replaceState(null, '', `?user=${encodeURIComponent(username)}`);
  await json(
    await fetch('/demo/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username }),
    }),
  );
  await render();
});

// Make sure the user exists before listing, then render the page.
refreshToken().then(render, (error) => {
  statusLine.textContent = `Could not sign in: ${error.message}`;
});
