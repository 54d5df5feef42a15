import { el, json, mountShell, signIn } from './shell.js';

const { username } = mountShell('logs.html');
const statusLine = document.getElementById('status');
const select = el('select', { id: 'workflow' });
const content = document.getElementById('content');
const runs = el('div');
const errors = el('div');
content.append(
  el('div', { class: 'panel form' }, el('label', { for: 'workflow' }, 'Workflow'), select),
  el('h2', {}, 'Runs'),
  runs,
  el('h2', {}, 'Errors'),
  errors,
);

function table(headers, rows) {
  if (rows.length === 0) return el('p', { class: 'meta' }, 'None yet.');
  return el(
    'table',
    { class: 'table' },
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c) => el('td', {}, c))))),
  );
}

async function load() {
  if (!select.value) return;
  try {
    const result = await json(await fetch(`/demo/api/logs?workflowId=${encodeURIComponent(select.value)}`));
    runs.replaceChildren(
      table(
        ['Started', 'Status', 'Execution'],
        result.logs.data.map((run) => [
          new Date(run.startedAt).toLocaleString(),
          run.status ?? (run.finished ? 'success' : 'running'),
          run.executionId,
        ]),
      ),
    );
    errors.replaceChildren(
      table(
        ['When', 'Block', 'Message'],
        result.errors.data.map((e) => [new Date(e.errorOccurredAt).toLocaleString(), e.block, e.message]),
      ),
    );
    statusLine.textContent = '';
  } catch (error) {
    statusLine.textContent = `Could not load logs: ${error.message}`;
  }
}

// Signing in creates the end user on a first visit, so the list below always has someone to be about.
await signIn(username);
const { data } = await json(await fetch('/demo/api/integrations'));
for (const integration of data) {
  for (const workflow of integration.workflows) {
    select.append(el('option', { value: workflow.workflowId }, `${integration.name}: ${workflow.name}`));
  }
}
select.addEventListener('change', load);
await load();
setInterval(load, 3000);
