import assert from 'node:assert/strict';
import fs from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { rollup, type OutputOptions, type RollupBuild } from 'rollup';
import esbuild from 'rollup-plugin-esbuild';
import type * as NodeEntryModule from '../../src/node/index.js';
import { TEST_API_KEY, type TestServer } from '../helpers/server.js';
import { startListeningServer } from './node-client-support.js';

type NodeEntry = typeof NodeEntryModule;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};
const dependencies = Object.keys(pkg.dependencies);
const isDependency = (id: string) => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));
const isBuiltin = (id: string) => id.startsWith('node:') || builtinModules.includes(id);
const relative = (id: string) => path.relative(root, id).split(path.sep).join('/');

/** The same options as the `./node` entry proposed for rollup.config.mjs (see docs/node-client.md). */
const nodeBuild = {
  input: { index: path.join(root, 'src/node/index.ts') },
  external: (id: string) => isDependency(id) || isBuiltin(id),
  plugins: [esbuild({ target: 'es2022', tsconfig: path.join(root, 'tsconfig.json') })],
};
const nodeOutputs = (dir: string): OutputOptions[] => [
  { dir, format: 'es', entryFileNames: '[name].js', sourcemap: true },
  { dir, format: 'cjs', entryFileNames: '[name].cjs', sourcemap: true, exports: 'named' },
];

let server: TestServer;
let baseUrl: string;
let outDir: string;
let bundle: RollupBuild;

before(async () => {
  ({ server, baseUrl } = await startListeningServer());
  // Inside the repository, so the built files resolve `zod` from its node_modules like an installed package.
  fs.mkdirSync(path.join(root, '.tmp'), { recursive: true });
  outDir = fs.mkdtempSync(path.join(root, '.tmp', 'node-client-build-'));
  bundle = await rollup(nodeBuild);
  for (const output of nodeOutputs(outDir)) await bundle.write(output);
});
after(async () => {
  await bundle?.close();
  await server.dispose();
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('the ./node entry as a package build', () => {
  test('bundles only src/node and src/contract; imports only zod and node:crypto', () => {
    const modules = bundle.cache!.modules.map((m) => relative(m.id));
    assert.ok(modules.includes('src/node/index.ts'));
    assert.ok(modules.includes('src/contract/index.ts'));
    const outside = modules.filter((id) => !id.startsWith('src/node/') && !id.startsWith('src/contract/'));
    assert.deepEqual(outside, [], 'no server, SDK or modal code');
    const imports = new Set(bundle.cache!.modules.flatMap((m) => (m.resolvedIds ? Object.values(m.resolvedIds) : [])));
    const external = [...imports].filter((r) => r.external).map((r) => r.id);
    assert.deepEqual([...new Set(external)].sort(), ['node:crypto', 'zod/mini']);
    for (const file of ['index.js', 'index.cjs']) {
      const code = fs.readFileSync(path.join(outDir, file), 'utf8');
      assert.doesNotMatch(code, /fastify|better-sqlite3|from ['"]lit/, file);
    }
  });

  test('the CommonJS build works with require()', async () => {
    const require = createRequire(import.meta.url);
    const cjs = require(path.join(outDir, 'index.cjs')) as NodeEntry;
    assert.equal(cjs.default, cjs.Alloy);
    const alloy = new cjs.Alloy(TEST_API_KEY, { baseUrl });
    assert.deepEqual(
      (await alloy.getApps()).data.map((a) => a.name),
      ['demoStore'],
    );
    await assert.rejects(
      alloy.getUser('nobody'),
      (error) => error instanceof cjs.AlloyApiError && error.status === 404,
    );
    assert.equal(typeof cjs.verifyStandardWebhook, 'function');
  });

  test('the ESM build works with import', async () => {
    const esm = (await import(pathToFileURL(path.join(outDir, 'index.js')).href)) as NodeEntry;
    const alloy = new esm.default(TEST_API_KEY, { baseUrl });
    const { userId } = await alloy.createUser({ username: 'from-the-esm-build' });
    await alloy.identify('from-the-esm-build');
    assert.equal(alloy.userId, userId);
    assert.equal(typeof esm.verifyAlloySignature, 'function');
  });
});

describe('the browser entries', () => {
  test('never reach src/node (or node: built-ins)', async () => {
    const browser = await rollup({
      input: ['src/sdk/index.ts', 'src/sdk/cdn.ts', 'src/modal/index.ts'].map((p) => path.join(root, p)),
      external: isDependency,
      plugins: [esbuild({ target: 'es2022', tsconfig: path.join(root, 'tsconfig.json') })],
      onwarn: () => {},
    });
    try {
      const modules = browser.cache!.modules.map((m) => relative(m.id));
      assert.ok(modules.includes('src/sdk/index.ts'));
      assert.deepEqual(
        modules.filter((id) => id.startsWith('src/node/') || id.startsWith('src/server/')),
        [],
      );
      const external = browser.cache!.modules.flatMap((m) =>
        Object.values(m.resolvedIds ?? {}).filter((r) => r.external && isBuiltin(r.id)),
      );
      assert.deepEqual(external, []);
    } finally {
      await browser.close();
    }
  });
});
