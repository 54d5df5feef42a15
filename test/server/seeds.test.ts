import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { rawRow } from '../helpers/engine.js';
import { type Api, EVENT_WORKFLOW_ID, INTEGRATION_ID, PREFIX_FIELD, startApi, waitFor } from './support.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

interface CurlRequest {
  method: string;
  url: string;
  headers: [string, string][];
  data?: string;
}

/**
 * Reads the docs' curl commands into requests. Lines ending in `\` continue; a line starting
 * with `--` also continues the command (the docs' integrations example lost a backslash).
 */
function parseSteps(text: string): Map<string, CurlRequest> {
  const steps = new Map<string, CurlRequest>();
  for (const chunk of text.split(/^# step: /m).slice(1)) {
    const [name, ...lines] = chunk.split('\n');
    const command = lines
      .filter((line) => !line.startsWith('#'))
      .join('\n')
      .replace(/\\\n/g, ' ')
      .replace(/\n(?=\s*--)/g, ' ')
      .trim();
    steps.set(name!.trim(), toRequest(shellWords(command)));
  }
  return steps;
}

/** Splits a command line as a POSIX shell would for the quoting the docs use. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      word = (word ?? '') + command.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

function toRequest(words: string[]): CurlRequest {
  assert.equal(words[0], 'curl');
  const request: CurlRequest = { method: 'GET', url: '', headers: [] };
  for (let i = 1; i < words.length; i += 2) {
    const [flag, value] = [words[i], words[i + 1]!];
    if (flag === '--request') request.method = value;
    else if (flag === '--url') request.url = value;
    else if (flag === '--header') {
      const colon = value.indexOf(':');
      request.headers.push([value.slice(0, colon).trim(), value.slice(colon + 1).trim()]);
    } else if (flag === '--data') request.data = value;
    else assert.fail(`unexpected curl flag ${flag}`);
  }
  return request;
}

/** Sends a docs request to our server: host swapped, placeholders filled, nothing else changed. */
async function send(api: Api, request: CurlRequest, values: { userId?: string }) {
  const fill = (text: string) =>
    text
      .replace('https://embedded.runalloy.com', api.server.ctx.publicUrl)
      .replace('YOUR_API_KEY', api.server.ctx.secrets.apiKeys.development)
      .replace('<YOUR_USER_ID>', values.userId ?? '')
      .replaceAll(':userId', values.userId ?? '')
      .replaceAll(':workflowId', EVENT_WORKFLOW_ID)
      .replaceAll('"00001"', JSON.stringify(values.userId ?? ''))
      .replaceAll('632531cf3beb6c98611abd09', EVENT_WORKFLOW_ID);
  const response = await fetch(fill(request.url), {
    method: request.method,
    headers: request.headers.map(([name, value]) => [name, fill(value)] as [string, string]),
    ...(request.data === undefined ? {} : { body: fill(request.data) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const isTimestamp = (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value));

for (const fixture of ['quickstart-2023-12.txt', 'quickstart-2022-09.txt']) {
  describe(`the Quick Start's curl sequence (${fixture})`, () => {
    let api: Api;
    before(async () => {
      api = await startApi({ listen: true });
    });
    after(async () => {
      await api.server.dispose();
    });

    test('create user → integrations → token → run event → deactivate → logs → errors → delete logs', async () => {
      const steps = parseSteps(fs.readFileSync(path.join(fixtures, fixture), 'utf8'));
      assert.deepEqual(
        [...steps.keys()],
        ['create-user', 'list-integrations', 'user-token', 'run-event', 'deactivate', 'logs', 'errors', 'delete-logs'],
      );
      const step = (name: string, values: { userId?: string } = {}) => send(api, steps.get(name)!, values);

      const created = await step('create-user');
      assert.equal(created.status, 200);
      assert.deepEqual(Object.keys(created.body), ['userId']);
      const userId = created.body.userId as string;
      assert.match(userId, /^[0-9a-f]{24}$/);

      const integrations = await step('list-integrations', { userId });
      assert.equal(integrations.status, 200);
      const [integration] = integrations.body.data as Record<string, unknown>[];
      assert.equal(integration!.integrationId, INTEGRATION_ID);
      assert.equal(typeof integration!.app, 'string');
      assert.equal(integration!.installed, false);
      assert.match(integration!.icon as string, /^http/);
      for (const workflow of integration!.workflows as Record<string, unknown>[]) {
        assert.deepEqual(
          ['workflowId', 'name', 'installed', 'version', 'installedVersion', 'active', 'blocks'].map(
            (k) => typeof workflow[k],
          ),
          ['string', 'string', 'boolean', 'number', 'object', 'boolean', 'object'],
        );
        for (const block of workflow.blocks as Record<string, unknown>[]) {
          assert.deepEqual(Object.keys(block).sort(), ['icon', 'id', 'name', 'type']);
        }
      }

      const token = await step('user-token', { userId });
      assert.equal(token.status, 200);
      assert.deepEqual(Object.keys(token.body), ['token']);
      assert.equal(decodeJwt(token.body.token as string).sub, userId);

      // The user connects their store (the modal's auth step), then the docs render the modal
      // here: Alloy.install() with this token, then Finish Installation.
      await api.createCredential(userId);
      const install = await api.call('POST', '/widget/installations', {
        token: token.body.token as string,
        body: { integrationId: INTEGRATION_ID, values: [{ ...PREFIX_FIELD, value: 'DS-' }] },
      });
      assert.equal(install.statusCode, 201, install.body);

      const event = await step('run-event', { userId });
      assert.equal(event.status, 200);
      assert.equal(event.body.message, 'Event successfully triggered');
      const queued = (await rawRow<{ event_name: string; payload: string }>(
        api.server,
        'SELECT event_name, payload FROM run_queue WHERE id = ?',
        event.body.eventId,
      ))!;
      assert.equal(queued.event_name, 'Fulfillment Updated');
      assert.deepEqual(JSON.parse(queued.payload), { orderId: '123', status: 'FULFILLED' });
      // The runtime runs it: the store has no order 123, so the Update Order Status block fails.
      await waitFor('the event to run', async () => {
        const run = await api.server.ctx.runtime.queue.get(event.body.eventId as string);
        return run?.status === 'failed' || run?.status === 'done';
      });

      const deactivated = await step('deactivate', { userId });
      assert.equal(deactivated.status, 200);
      assert.deepEqual(deactivated.body, { deactivated: true });
      const state = (await api.call('GET', `/workflows/${EVENT_WORKFLOW_ID}?userId=${userId}`)).json().data;
      assert.equal(state.active, false);

      const logs = await step('logs', { userId });
      assert.equal(logs.status, 200);
      const [execution] = logs.body.data as Record<string, unknown>[];
      assert.equal(execution!.status, 'error');
      assert.ok(isTimestamp(execution!.startedAt) && isTimestamp(execution!.stoppedAt));
      const [trigger, result] = execution!.results as Record<string, unknown>[];
      assert.deepEqual([trigger!.blockId, trigger!.status], ['trigger-fulfillment-updated', 'success']);
      assert.deepEqual([result!.blockId, result!.connectorId], ['update-order-status', 'demoStore']);
      assert.ok(isTimestamp(result!.startedAt) && isTimestamp(result!.stoppedAt));

      const errors = await step('errors');
      assert.equal(errors.status, 200);
      const [error] = errors.body.data as Record<string, unknown>[];
      assert.equal(error!.workflowId, EVENT_WORKFLOW_ID);
      assert.equal(error!.block, 'demoStore');
      assert.ok(isTimestamp(error!.errorOccurredAt));
      assert.equal(error!.executionId, execution!.executionId);
      assert.equal(error!.message, 'Order 123 was not found.');

      const erased = await step('delete-logs', { userId });
      assert.equal(erased.status, 200);
      assert.deepEqual(erased.body, { message: 'Success' });
      assert.deepEqual((await step('logs', { userId })).body.data, []);
      assert.deepEqual((await step('errors')).body, { data: [] });
    });
  });
}
