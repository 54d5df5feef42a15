import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createServer, SEED_DEFINITIONS_DIR } from '../../src/server/app.js';
import {
  checkDefinitionSet,
  DefinitionError,
  loadDefinitions,
  parseDefinitionFile,
} from '../../src/server/definitions/definitions.js';
import { compileEventSchema } from '../../src/server/definitions/event-schema.js';
import { reloadDefinitionsOnSighup } from '../../src/server/platform/reload-signal.js';
import {
  type Api,
  EVENT_WORKFLOW_ID,
  OPS_INTEGRATION_ID,
  SETTINGS_WORKFLOW_ID,
  clone,
  definitionsDir,
  opsIntegration,
  seedDefinition,
  writeDefinition,
  startOpsApi,
  type OpsApi,
} from './support.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Json = Record<string, unknown>;
/** The seed with one change applied, as file text. */
function seedWith(change: (seed: Json & { workflows: Json[] }) => void): string {
  const seed = seedDefinition() as Json & { workflows: Json[] };
  change(seed);
  return JSON.stringify(seed);
}
const firstVersion = (seed: { workflows: Json[] }, workflow = 0) =>
  (seed.workflows[workflow] as { versions: Json[] }).versions[0] as Json & { trigger: Json; blocks: Json[] };

describe('the definition format', () => {
  test('the bundled seed is the Quick Start integration and loads', () => {
    const set = loadDefinitions(SEED_DEFINITIONS_DIR);
    assert.equal(set.integrations.length, 1);
    assert.equal(set.workflowCount, 2);
    const event = set.event('Fulfillment Updated');
    assert.ok(event);
    assert.deepEqual(event.schema, { orderId: 'String', status: 'String' });
    assert.deepEqual([...event.workflowIds], [EVENT_WORKFLOW_ID]);
  });

  test('docs/integrations.md documents the format with exactly the seed', () => {
    const doc = fs.readFileSync(path.join(root, 'docs/integrations.md'), 'utf8');
    const match = /<!-- definition-example -->\s*```json\n([\s\S]*?)\n```/.exec(doc);
    assert.ok(match, 'docs/integrations.md has the marked example');
    assert.deepEqual(JSON.parse(match[1]!), seedDefinition());
  });

  test('each mistake is refused with the file and the place', () => {
    const cases: [string, string, RegExp][] = [
      ['not json', '{', /not valid JSON/],
      ['unknown field', seedWith((s) => (s.owner = 'me')), /owner/],
      ['unknown trigger type', seedWith((s) => (firstVersion(s).trigger.type = 'cron')), /trigger/],
      [
        'bad event type',
        seedWith((s) => (firstVersion(s, 1).trigger.schema = { orderId: 'Text' })),
        /"Text" is not a type/,
      ],
      [
        'unknown connector',
        seedWith((s) => (firstVersion(s).trigger.connector = 'shopify')),
        /unknown connector "shopify"/,
      ],
      [
        'unknown app event',
        seedWith((s) => (firstVersion(s).trigger.event = 'order.deleted')),
        /no event "order.deleted"/,
      ],
      [
        'unknown action',
        seedWith((s) => ((firstVersion(s, 1).blocks[0] as Json).action = 'deleteOrder')),
        /no action "deleteOrder"/,
      ],
      [
        'missing action input',
        seedWith((s) => ((firstVersion(s, 1).blocks[0] as { fields: Json[] }).fields = [])),
        /needs a field "orderId"/,
      ],
      [
        'template off the schema',
        seedWith(
          (s) => (((firstVersion(s, 1).blocks[0] as { fields: Json[] }).fields[0] as Json).value = '{{trigger.order}}'),
        ),
        /schema has no order/,
      ],
      [
        'template to nowhere',
        seedWith(
          (s) => (((firstVersion(s, 1).blocks[0] as { fields: Json[] }).fields[0] as Json).value = '{{secrets.key}}'),
        ),
        /must start with trigger/,
      ],
      [
        'unbalanced template',
        seedWith(
          (s) => (((firstVersion(s, 1).blocks[0] as { fields: Json[] }).fields[0] as Json).value = '{{trigger.orderId'),
        ),
        /unbalanced/,
      ],
      [
        'stream without url',
        seedWith((s) => (firstVersion(s).blocks[0] as { fields: Json[] }).fields.shift()),
        /needs a "url" field/,
      ],
      [
        'duplicate block id',
        seedWith((s) => ((firstVersion(s).blocks[0] as Json).id = 'trigger-order-created')),
        /used twice/,
      ],
      [
        'bad pattern',
        seedWith(
          (s) => ((((firstVersion(s).blocks[0] as { fields: Json[] }).fields[1] as Json).rules as Json).pattern = '('),
        ),
        /invalid rules.pattern/,
      ],
      ['no blocks', seedWith((s) => (firstVersion(s).blocks = [])), /blocks/],
      [
        'dynamic select without a loader',
        seedWith((s) => (((firstVersion(s).blocks[0] as { fields: Json[] }).fields[1] as Json).type = 'dynamicSelect')),
        /needs dynamicOptions/,
      ],
      [
        'unknown option loader',
        seedWith((s) =>
          Object.assign((firstVersion(s, 1).blocks[0] as { fields: Json[] }).fields[1] as Json, {
            type: 'dynamicSelect',
            userConfigurable: true,
            dynamicOptions: { loader: 'warehouses' },
          }),
        ),
        /no option loader "warehouses" \(it has: orderStatuses\)/,
      ],
      [
        'dynamic options on a text field',
        seedWith(
          (s) =>
            (((firstVersion(s, 1).blocks[0] as { fields: Json[] }).fields[1] as Json).dynamicOptions = {
              loader: 'orderStatuses',
            }),
        ),
        /only for dynamicSelect/,
      ],
      [
        'HTTP request with an unknown field',
        seedWith((s) =>
          firstVersion(s).blocks.push({
            type: 'httpRequest',
            id: 'call',
            name: 'Call',
            fields: [
              { name: 'url', displayName: 'URL', type: 'text', value: 'https://api.example/x' },
              { name: 'timeout', displayName: 'Timeout', type: 'number', value: 5 },
            ],
          }),
        ),
        /has no field "timeout"/,
      ],
      [
        'HTTP request with a bad method',
        seedWith((s) =>
          firstVersion(s).blocks.push({
            type: 'httpRequest',
            id: 'call',
            name: 'Call',
            fields: [
              { name: 'url', displayName: 'URL', type: 'text', value: 'https://api.example/x' },
              { name: 'method', displayName: 'Method', type: 'text', value: 'TRACE' },
            ],
          }),
        ),
        /"method" must be one of GET, POST, PUT, PATCH, DELETE/,
      ],
      ['bad workflow id', seedWith((s) => ((s.workflows[0] as Json).workflowId = '101')), /24-character hex/],
    ];
    for (const [name, text, message] of cases) {
      assert.throws(
        () => parseDefinitionFile('demo.integration.json', text),
        (error: Error) => {
          assert.ok(error instanceof DefinitionError, name);
          assert.match(error.message, /^demo\.integration\.json: /, name);
          assert.match(error.message, message, name);
          return true;
        },
      );
    }
  });

  test('rules across files: unique ids and names, one schema per event', () => {
    const seed = parseDefinitionFile('a.integration.json', JSON.stringify(seedDefinition()));
    const copy = clone(seed);
    const check = () =>
      checkDefinitionSet([
        { file: 'a', definition: seed },
        { file: 'b', definition: copy },
      ]);
    assert.throws(check, /integrationId/);
    copy.integrationId = OPS_INTEGRATION_ID;
    assert.throws(check, /integration name "Demo Store"/);
    copy.name = 'Demo Store (copy)';
    assert.throws(check, /workflowId/);
    copy.workflows = copy.workflows.slice(1);
    copy.workflows[0]!.workflowId = '65a1c0de0000000000000299';
    assert.throws(check, /workflow name/);
    copy.workflows[0]!.name = 'Another fulfillment workflow';
    // The same event with the same schema in two workflows is fine: the event is reused.
    assert.equal(check().event('Fulfillment Updated')?.workflowIds.size, 2);
    const trigger = copy.workflows[0]!.versions[0]!.trigger as { schema: Json };
    trigger.schema = { orderId: 'String', status: 'String', note: 'String' };
    assert.throws(check, /different schema/);
  });

  test('event schemas: type names, optional fields, samples, nesting and lists; unknown fields refused', () => {
    const schema = compileEventSchema({
      id: 'String',
      amount: 2,
      paid: 'Boolean',
      note: 'String?',
      customer: { email: 'String', tags: ['String'] },
      lines: [{ sku: 'String', qty: 'Number' }],
      meta: 'Object',
    });
    const valid = {
      id: 'o-1',
      amount: 12.5,
      paid: true,
      customer: { email: 'a@b.c', tags: [] },
      lines: [{ sku: 'X', qty: 1 }],
      meta: { any: 'thing' },
    };
    assert.ok(schema.safeParse(valid).success);
    assert.ok(schema.safeParse({ ...valid, note: null }).success);
    const bad = schema.safeParse({ ...valid, amount: '12', customer: { email: 'a@b.c', tags: [1] }, extra: 1 });
    assert.ok(!bad.success);
    const paths = bad.error.issues.map((i) => i.path.join('.'));
    assert.ok(paths.includes('amount') && paths.includes('customer.tags.0'), paths.join(','));
    assert.throws(() => compileEventSchema({ list: ['String', 'Number'] }), /exactly one element/);
  });
});

describe('releasing and reloading', () => {
  let served: OpsApi;
  let api: Api;
  before(async () => {
    served = await startOpsApi();
    api = served.api;
  });
  after(() => served.dispose());

  test('a new version is released by reload; a released version cannot change', async () => {
    const ops = opsIntegration() as { workflows: { name: string; versions: Json[] }[] };
    const v2 = clone(ops.workflows[1]!.versions[0]!);
    v2.version = 2;
    ops.workflows[1]!.versions.push(v2);
    ops.workflows[1]!.name = 'Nightly summary (renamed)';
    writeDefinition(served.dir, 'ops.integration.json', ops);
    const reload = await api.call('POST', '/admin/definitions/reload', { key: 'prod' });
    assert.equal(reload.statusCode, 200, reload.body);
    assert.deepEqual(reload.json(), {
      integrations: 2,
      workflows: 4,
      versions: 5,
      newlyReleased: [{ workflowId: SETTINGS_WORKFLOW_ID, version: 2 }],
    });
    const versions = await api.call('GET', `/workflows/${SETTINGS_WORKFLOW_ID}/versions`);
    assert.deepEqual(
      versions.json().data.map((v: { version: number }) => v.version),
      [1, 2],
    );

    // Editing version 1 in place is refused; the running definitions stay as they were.
    const edited = clone(ops);
    (edited.workflows[1]!.versions[0]!.blocks as { name: string }[])[0]!.name = 'Changed after release';
    edited.workflows[1]!.name = 'Should not appear';
    writeDefinition(served.dir, 'ops.integration.json', edited);
    const refused = await api.call('POST', '/admin/definitions/reload', { key: 'prod' });
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().error.code, 'definitions_invalid');
    assert.match(refused.json().error.message, new RegExp(`${SETTINGS_WORKFLOW_ID} version 1 was released`));
    const userId = await api.createUser('reload-viewer');
    const names = (await api.call('GET', `/integrations?userId=${userId}`))
      .json()
      .data.flatMap((i: { workflows: { name: string }[] }) => i.workflows.map((w) => w.name));
    assert.ok(names.includes('Nightly summary (renamed)') && !names.includes('Should not appear'));

    // A broken file is refused the same way.
    writeDefinition(served.dir, 'ops.integration.json', '{ "integrationId": ');
    assert.equal((await api.call('POST', '/admin/definitions/reload', { key: 'prod' })).statusCode, 409);
    writeDefinition(served.dir, 'ops.integration.json', ops);
    assert.equal((await api.call('POST', '/admin/definitions/reload', { key: 'prod' })).statusCode, 200);
    assert.equal(
      (await api.call('POST', '/admin/definitions/reload', { body: { force: true }, key: 'prod' })).statusCode,
      400,
    );
    assert.equal((await api.call('POST', '/admin/definitions/reload', { key: 'wrong' })).statusCode, 401);
  });

  test('a version someone installed cannot be removed; an uninstalled workflow can', async () => {
    const userId = await api.createUser('reload-installer');
    await api.installWithWidget(userId);
    const seed = seedDefinition() as { workflows: unknown[] };
    writeDefinition(served.dir, 'demo-store.integration.json', { ...seed, workflows: seed.workflows.slice(1) });
    const refused = await api.call('POST', '/admin/definitions/reload', { key: 'prod' });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.json().error.message, /installed by 1 user\(s\) and cannot be removed/);
    writeDefinition(served.dir, 'demo-store.integration.json', seed);

    const ops = opsIntegration() as { workflows: { versions: Json[] }[] };
    const v2 = clone(ops.workflows[1]!.versions[0]!);
    v2.version = 2;
    ops.workflows[1]!.versions.push(v2);
    ops.workflows = ops.workflows.slice(1);
    writeDefinition(served.dir, 'ops.integration.json', ops);
    const ok = await api.call('POST', '/admin/definitions/reload', { key: 'prod' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().workflows, 3);
  });

  /**
   * The signal handler reloads asynchronously: waits (up to 5 s) until it has logged `count` lines.
   * On PostgreSQL the reload's queries go over the network, so this waits on the clock, not on turns.
   */
  const reloaded = async (lines: string[], count: number): Promise<void> => {
    const deadline = Date.now() + 5_000;
    while (lines.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  };

  test('SIGHUP reloads too, and a refused reload is reported without stopping the server', async () => {
    const lines: string[] = [];
    const stop = reloadDefinitionsOnSighup(api.server, (line) => lines.push(line));
    try {
      process.emit('SIGHUP', 'SIGHUP');
      await reloaded(lines, 1);
      assert.match(lines[0]!, /^Definitions reloaded: 2 integrations/);
      writeDefinition(served.dir, 'broken.integration.json', '[]');
      process.emit('SIGHUP', 'SIGHUP');
      await reloaded(lines, 2);
      assert.match(lines[1]!, /^Definitions NOT reloaded .*broken\.integration\.json/);
      fs.rmSync(path.join(served.dir, 'broken.integration.json'));
    } finally {
      stop();
    }
  });

  test('a server does not start on invalid definitions, and says which file and why', async () => {
    const bad = definitionsDir({ 'bad.integration.json': { integrationId: 'x' } });
    const dataDir = fs.mkdtempSync(path.join(bad, 'data-'));
    await assert.rejects(createServer({ dataDir, definitionsDir: bad }), /bad\.integration\.json: integrationId/);
    fs.rmSync(bad, { recursive: true, force: true });
  });
});
