// AcmeCo's integrations page: cards from GET /integrations (through the demo backend, which holds
// the API key), and buttons that open the Alloy modal with a fresh user token.
import { el, json, mountShell, postJson, signIn } from './shell.js';
import { uninstallControls } from './uninstall.js';

const { username } = mountShell('index.html');
const list = document.getElementById('integrations');
const statusLine = document.getElementById('status');

async function withFreshToken() {
  window.Alloy.setToken(await signIn(username));
}

function stateOf(integration) {
  const installed = integration.workflows.filter((w) => w.installed);
  const installedVersion = installed.length ? Math.min(...installed.map((w) => w.installedVersion)) : null;
  const updateAvailable = installed.some((w) => w.version > w.installedVersion);
  const active = installed.length > 0 && installed.every((w) => w.active);
  return { installed, installedVersion, updateAvailable, active };
}

function card(integration) {
  const { installed, installedVersion, updateAvailable, active } = stateOf(integration);
  const latest = Math.max(...integration.workflows.map((w) => w.version));
  const badges = el('div', { class: 'badges' });
  if (!integration.installed) badges.append(el('span', { class: 'badge' }, 'Not installed'));
  else {
    badges.append(
      el(
        'span',
        { class: `badge ${active ? 'on' : 'off'}` },
        `${active ? 'Active' : 'Deactivated'} · v${installedVersion}`,
      ),
    );
    if (updateAvailable) badges.append(el('span', { class: 'badge update' }, `Update available · v${latest}`));
  }
  const action = (label, handler, kind = 'secondary') => {
    const button = el('button', { type: 'button', class: kind }, label);
    button.dataset.integrationId = integration.integrationId;
    button.addEventListener('click', () => run(button, () => handler(integration)));
    return button;
  };
  const actions = el('div', { class: 'card-actions' });
  const confirmation = el('div', {
    class: 'confirm',
    role: 'group',
    'aria-label': 'Confirm deactivation',
    hidden: true,
  });
  const removal = integration.installed
    ? uninstallControls(integration, installed.length, () => uninstall(integration))
    : undefined;
  if (!integration.installed) actions.append(action('Install', install, 'primary'));
  else {
    if (updateAvailable) actions.append(action('Update', update, 'primary'));
    actions.append(action('Edit', edit));
    if (active) {
      // Deactivating stops every workflow of the integration for this user: ask first.
      const deactivate = el('button', { type: 'button', class: 'secondary' }, 'Deactivate');
      deactivate.addEventListener('click', () => askToDeactivate(integration, installed, deactivate, confirmation));
      actions.append(deactivate);
    } else actions.append(action('Reactivate', (i) => toggle(i, installed, 'activate')));
    actions.append(removal.trigger);
  }
  return el(
    'li',
    { class: 'card' },
    el('img', { src: integration.icon, alt: '', width: '48', height: '48' }),
    el(
      'div',
      { class: 'card-body' },
      el('h2', {}, integration.name),
      el('p', {}, integration.description),
      el('p', { class: 'meta' }, `${integration.workflows.length} workflows · latest v${latest}`),
      badges,
      confirmation,
      removal?.question,
    ),
    actions,
  );
}

function askToDeactivate(integration, workflows, trigger, confirmation) {
  const cancel = el('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const confirm = el('button', { type: 'button', class: 'secondary danger' }, `Deactivate ${integration.name}`);
  cancel.addEventListener('click', () => {
    confirmation.hidden = true;
    trigger.focus();
  });
  confirm.addEventListener('click', () => run(confirm, () => toggle(integration, workflows, 'deactivate')));
  confirmation.replaceChildren(
    el(
      'p',
      {},
      `Deactivate ${integration.name}? Its ${workflows.length} workflows stop running for you until you reactivate them; your settings are kept.`,
    ),
    el('div', { class: 'row' }, confirm, cancel),
  );
  confirmation.hidden = false;
  cancel.focus();
}

async function run(button, work) {
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    statusLine.textContent = `${button.textContent} failed: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

async function afterModal(integration, result, verb) {
  await render();
  statusLine.textContent = result.success
    ? `${integration.name} ${verb}.`
    : result.reason === 'uninstalled'
      ? `${integration.name} is uninstalled.`
      : `${integration.name} was not changed.`;
}

async function uninstall(integration) {
  try {
    await withFreshToken();
    const result = await window.Alloy.uninstall(integration.integrationId);
    await render();
    statusLine.textContent = `${integration.name} is uninstalled (${result.workflowIds.length} workflows removed).`;
    // The card was drawn anew: focus its Install button rather than losing focus to the page.
    list.querySelector(`button[data-integration-id="${integration.integrationId}"]`)?.focus();
  } catch (error) {
    statusLine.textContent = `Uninstall failed: ${error.message}`;
  }
}

/** AcmeCo's name and logo in the modal header ("AcmeCo uses Alloy to connect Demo Store"). */
const appearance = { brandName: 'AcmeCo', logoUrl: new URL('/demo/acmeco-logo.svg', location.href).href };

async function install(integration) {
  await withFreshToken();
  const result = await window.Alloy.install({
    integrationId: integration.integrationId,
    appearance,
    callback: (outcome) => console.info('[AcmeCo] Alloy callback', outcome),
  });
  await afterModal(integration, result, 'is installed');
}

async function edit(integration) {
  await withFreshToken();
  const result = await window.Alloy.edit({ integrationId: integration.integrationId, appearance });
  await afterModal(integration, result, 'settings are saved');
}

async function update(integration) {
  await withFreshToken();
  const result = await window.Alloy.update({ integrationId: integration.integrationId, appearance });
  await afterModal(integration, result, 'is up to date');
}

async function toggle(integration, workflows, action) {
  for (const workflow of workflows) {
    await postJson(`/demo/api/workflows/${action}`, { workflowId: workflow.workflowId }, 'PUT');
  }
  await render();
  statusLine.textContent = `${integration.name} ${action === 'activate' ? 'reactivated' : 'deactivated'}.`;
}

async function render() {
  const { data } = await json(await fetch('/demo/api/integrations'));
  list.replaceChildren(...data.map(card));
}

statusLine.textContent = 'Loading integrations…';
signIn(username)
  .then(render)
  .then(
    () => (statusLine.textContent = ''),
    (error) => (statusLine.textContent = `Could not load integrations: ${error.message}`),
  );
