import { el, json, mountShell, signIn } from './shell.js';

const { username } = mountShell('logs.html');
const statusLine = document.getElementById('status');
const select = el('select', { id: 'workflow' });
const content = document.getElementById('content');
const runs = el('div');
const errors = el('div');
const detail = el('section', {
  class: 'panel detail',
  id: 'execution-detail',
  'aria-label': 'Run details',
  hidden: true,
});
content.append(
  el('div', { class: 'panel form' }, el('label', { for: 'workflow' }, 'Workflow'), select),
  el('h2', {}, 'Runs'),
  runs,
  detail,
  el('h2', {}, 'Errors'),
  errors,
);

const params = new URLSearchParams(location.search);
/** The execution whose details are open, kept across refreshes (and in the URL, to share). */
let openExecution = params.get('execution');
/** The executions last listed, by id. */
let listed = new Map();
/** What the detail view shows now (re-rendered only when it changes, so reading is not interrupted). */
let shown = '';

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const duration = (from, to) => (to ? `${Math.max(0, Date.parse(to) - Date.parse(from))} ms` : 'running');
const blockLabel = (block) => block.blockName ?? block.blockId;

function table(headers, rows) {
  if (rows.length === 0) return el('p', { class: 'meta' }, 'None yet.');
  return el(
    'div',
    { class: 'table-scroll' },
    el(
      'table',
      { class: 'table' },
      el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c) => el('td', {}, c))))),
    ),
  );
}

function detailsButton(executionId, label = 'Details') {
  const button = el('button', { type: 'button', class: 'secondary small', 'aria-controls': 'execution-detail' }, label);
  button.addEventListener('click', () => {
    openExecution = executionId;
    showDetail();
    detail.focus();
  });
  return button;
}

/** JSON as the API returned it: the API masks secrets (as "[secret]") before it stores a run. */
const jsonBlock = (label, value) =>
  el(
    'div',
    {},
    el('p', { class: 'meta' }, label),
    el('pre', { class: 'code' }, JSON.stringify(value ?? null, null, 2)),
  );

function showDetail() {
  const run = openExecution ? listed.get(openExecution) : undefined;
  detail.hidden = !run;
  if (!run) return;
  const next = JSON.stringify(run);
  if (next === shown) return;
  shown = next;
  const url = new URL(location.href);
  url.searchParams.set('workflow', select.value);
  url.searchParams.set('execution', run.executionId);
  history.replaceState(null, '', url);
  const inputOf = new Map(run.inputs.map((input) => [input.blockId, input.data]));
  const close = el('button', { type: 'button', class: 'secondary small' }, 'Close');
  close.addEventListener('click', () => {
    openExecution = null;
    shown = '';
    detail.hidden = true;
  });
  detail.setAttribute('tabindex', '-1');
  detail.replaceChildren(
    el('div', { class: 'row spread' }, el('h3', {}, `Run of ${when(run.startedAt)}`), close),
    el(
      'dl',
      {},
      ...[
        ['Status', run.status],
        ['Started', when(run.startedAt)],
        ['Finished', when(run.stoppedAt)],
        ['Duration', duration(run.startedAt, run.stoppedAt)],
        ['Version', `v${run.version}`],
        ['Started by', run.mode],
        ['Execution id', run.executionId],
        ['Run id (event id)', run.runId ?? '—'],
      ].flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
    ),
    el('h4', {}, 'Blocks'),
    el(
      'ol',
      { class: 'blocks' },
      ...run.results.map((block) =>
        el(
          'li',
          {},
          el(
            'div',
            { class: 'row spread' },
            el('h4', {}, blockLabel(block)),
            el(
              'span',
              { class: `badge ${block.status === 'success' ? 'on' : block.status === 'error' ? 'bad' : ''}` },
              block.status,
            ),
          ),
          el(
            'p',
            { class: 'meta' },
            `${block.connectorId} · ${duration(block.startedAt, block.stoppedAt)} · started ${when(block.startedAt)}`,
          ),
          block.error ? el('p', { class: 'meta' }, `Error: ${block.error}`) : null,
          jsonBlock('Input', inputOf.get(block.blockId)),
          jsonBlock('Output', block.data.length === 1 ? block.data[0].json : block.data.map((d) => d.json)),
        ),
      ),
    ),
  );
}

async function load() {
  if (!select.value) return;
  // Re-rendering would move focus away from a Details button someone is on.
  if (runs.contains(document.activeElement) || errors.contains(document.activeElement)) return;
  try {
    const result = await json(await fetch(`/demo/api/logs?workflowId=${encodeURIComponent(select.value)}`));
    listed = new Map(result.logs.data.map((run) => [run.executionId, run]));
    runs.replaceChildren(
      table(
        ['Started', 'Status', 'Duration', 'Blocks', ''],
        result.logs.data.map((run) => [
          when(run.startedAt),
          run.status ?? (run.finished ? 'success' : 'running'),
          duration(run.startedAt, run.stoppedAt),
          run.results.map(blockLabel).join(' → '),
          detailsButton(run.executionId),
        ]),
      ),
    );
    errors.replaceChildren(
      table(
        ['When', 'Block', 'Message', ''],
        result.errors.data.map((e) => [
          when(e.errorOccurredAt),
          e.blockName ?? e.block,
          e.message,
          listed.has(e.executionId) ? detailsButton(e.executionId, 'Run') : '',
        ]),
      ),
    );
    showDetail();
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
if (params.get('workflow')) select.value = params.get('workflow');
select.addEventListener('change', () => {
  openExecution = null;
  void load();
});
await load();
setInterval(load, 3000);
