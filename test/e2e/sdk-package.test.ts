import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SDK_VERSION } from '../../src/sdk/version.js';
import {
  FIXTURES,
  ROOT,
  finishInstall,
  isInstalled,
  openApp,
  startHarness,
  userToken,
  type Harness,
} from './sdk-harness.js';

/**
 * npm pack, then a fresh Vite + React app in a temp folder installs the tarball and builds. The
 * install is offline: the app's lockfile is taken from this repository's (same versions), so npm
 * reads every package from the cache `npm ci` filled, and nothing leaves the machine.
 */

let harness: Harness;
let workDir: string;
const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

before(async () => {
  harness = await startHarness();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-pack-'));
});
after(async () => {
  await harness?.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

const run = (command: string, args: string[], cwd: string): string =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });

test('Alloy.version matches package.json', () => {
  assert.equal(SDK_VERSION, rootPackage.version);
});

test('npm pack → a fresh Vite + React app: offline install, no server deps, no native build; window.Alloy.install works', async () => {
  // 1. The tarball holds the browser builds only.
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', workDir], ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const files = packed[0]!.files.map((f) => f.path);
  for (const expected of [
    'dist/esm/index.js',
    'dist/esm/global.js',
    'dist/esm/modal.js',
    'dist/cjs/index.cjs',
    'dist/cjs/index.d.cts',
    'dist/types/sdk/index.d.ts',
    'dist/cdn/embedded.js',
    'dist/cdn/manifest.json',
    'dist/custom-elements.json',
  ]) {
    assert.ok(files.includes(expected), `${expected} is in the tarball`);
  }
  assert.deepEqual(
    files.filter((f) => /^(src|demo|test)\/|server|\.db$/.test(f)),
    [],
    'no sources, server, demo or tests in the tarball',
  );
  const tarball = path.join(workDir, packed[0]!.filename);

  // 2. A fresh app whose lockfile comes from ours.
  const appDir = path.join(workDir, 'app');
  fs.mkdirSync(appDir);
  for (const name of ['index.html', 'main.js']) {
    fs.copyFileSync(path.join(FIXTURES, 'vite-app', name), path.join(appDir, name));
  }
  const versionOf = (name: string) =>
    (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
      .version;
  const appPackage = {
    name: 'acme-vite-app',
    private: true,
    type: 'module',
    dependencies: {
      'alloy-embedded-kit': `file:${path.basename(tarball)}`,
      react: versionOf('react'),
      'react-dom': versionOf('react-dom'),
    },
    devDependencies: { vite: versionOf('vite') },
  };
  fs.copyFileSync(tarball, path.join(appDir, path.basename(tarball)));
  fs.writeFileSync(path.join(appDir, 'package.json'), JSON.stringify(appPackage, null, 2));
  fs.writeFileSync(path.join(appDir, 'package-lock.json'), JSON.stringify(lockfileFor(appPackage, tarball), null, 2));
  run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], appDir);

  // 3. Only the browser dependencies came with the package, none with an install step or native code.
  const installed = fs.readdirSync(path.join(appDir, 'node_modules'));
  for (const forbidden of ['fastify', 'better-sqlite3', '@fastify', 'tsx', 'playwright-core']) {
    assert.ok(!installed.includes(forbidden), `${forbidden} is not installed`);
  }
  const kit = JSON.parse(
    fs.readFileSync(path.join(appDir, 'node_modules/alloy-embedded-kit/package.json'), 'utf8'),
  ) as {
    dependencies: Record<string, string>;
    scripts?: Record<string, string>;
  };
  assert.deepEqual(Object.keys(kit.dependencies).sort(), ['jose', 'lit', 'zod']);
  for (const name of closureOf(appDir, 'alloy-embedded-kit')) {
    const dir = path.join(appDir, 'node_modules', name);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    for (const hook of ['preinstall', 'install', 'postinstall'])
      assert.equal(manifest.scripts?.[hook], undefined, `${name} ${hook}`);
    assert.ok(!fs.existsSync(path.join(dir, 'binding.gyp')), `${name} has no native addon`);
  }

  // 4. It builds, and the built app installs Demo Store through window.Alloy under StrictMode.
  run('npx', ['vite', 'build', '--base', './', '--logLevel', 'error'], appDir);
  const token = await userToken(harness.apiUrl, 'vite-user');
  const app = await openApp(harness, {}, { token, mounts: { '/': path.join(appDir, 'dist') } });
  try {
    await app.page.goto(`${app.url}index.html?api=${encodeURIComponent(harness.apiUrl)}`);
    await app.page.getByRole('button', { name: 'Install Demo Store' }).click();
    await finishInstall(app.page);
    // The app's own status line (the modal has a live region of its own).
    await app.page.locator('#root p[role="status"]').getByText('Installed', { exact: true }).waitFor();
    assert.equal(
      await app.page.evaluate(() => (window as unknown as { alloyErrorIsExported: boolean }).alloyErrorIsExported),
      true,
    );
    assert.equal(await isInstalled(harness.apiUrl, 'vite-user'), true);
    assert.equal(await app.page.locator('alloy-install-modal').count(), 0);
    assert.deepEqual(app.pageErrors, []);
    await app.assertTokenNeverLeaked(token);
  } finally {
    await app.close();
  }
});

test("CommonJS: require() gives alloy-frontend's factory", () => {
  const script = [
    "const Alloy = require('alloy-embedded-kit');",
    'const alloy = Alloy();',
    "if (typeof alloy.install !== 'function' || typeof Alloy.setToken !== 'function') throw new Error('shape');",
    "if (Alloy.version !== process.argv[2]) throw new Error('version');",
    "if (!(new Alloy.AlloyError('TIMEOUT', 'x') instanceof Alloy.AlloyError)) throw new Error('AlloyError');",
    "console.log('ok');",
  ].join('\n');
  const linkDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-cjs-'));
  try {
    fs.mkdirSync(path.join(linkDir, 'node_modules'));
    fs.symlinkSync(ROOT, path.join(linkDir, 'node_modules', 'alloy-embedded-kit'));
    fs.writeFileSync(path.join(linkDir, 'check.cjs'), script);
    assert.equal(run(process.execPath, ['check.cjs', rootPackage.version], linkDir).trim(), 'ok');
  } finally {
    fs.rmSync(linkDir, { recursive: true, force: true });
  }
});

test('SSR: importing the package in Node defines nothing and touches no DOM; install() rejects clearly', () => {
  const script = `
    const before = new Set(Object.getOwnPropertyNames(globalThis));
    const { default: Alloy } = await import(${JSON.stringify(path.join(ROOT, 'dist/esm/index.js'))});
    await import(${JSON.stringify(path.join(ROOT, 'dist/esm/global.js'))});
    // zod registers its own config and registry globals; everything else would be ours.
    const added = Object.getOwnPropertyNames(globalThis).filter((n) => !before.has(n) && !n.startsWith('__zod_'));
    const error = await Alloy.install({ integrationId: '65a1c0de0000000000000001' }).catch((e) => e);
    console.log(JSON.stringify({ added, code: error.code, window: typeof window }));
  `;
  const output = JSON.parse(run(process.execPath, ['--input-type=module', '-e', script], ROOT)) as {
    added: string[];
    code: string;
    window: string;
  };
  assert.deepEqual(output, { added: [], code: 'LOAD_FAILED', window: 'undefined' });
});

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  [key: string]: unknown;
}

/** The app's lockfile: our lockfile's entries for everything the app needs, plus the tarball. */
function lockfileFor(
  appPackage: { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string> },
  tarball: string,
) {
  const ours = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  // Our lockfile may omit `resolved`; naming each tarball lets npm find it in the cache by integrity.
  const registry = run('npm', ['config', 'get', 'registry'], ROOT).trim().replace(/\/+$/, '');
  const tarballUrl = (key: string, version: string): string => {
    const name = key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    return `${registry}/${name}/-/${name.split('/').pop()}-${version}.tgz`;
  };
  const kitEntry: LockEntry = {
    version: rootPackage.version,
    resolved: `file:${path.basename(tarball)}`,
    integrity: `sha512-${createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`,
    license: 'MIT',
    dependencies: rootPackage.dependencies,
  };
  const packages: Record<string, LockEntry> = {
    '': { name: appPackage.name, dependencies: appPackage.dependencies, devDependencies: appPackage.devDependencies },
    'node_modules/alloy-embedded-kit': kitEntry,
  };
  const resolve = (from: string, name: string): string | undefined => {
    let dir = from;
    for (;;) {
      const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
      if (ours.packages[candidate]) return candidate;
      if (!dir) return undefined;
      const index = dir.lastIndexOf('/node_modules/');
      dir = index === -1 ? '' : dir.slice(0, index);
    }
  };
  const visit = (key: string, dev: boolean): void => {
    if (packages[key] && key !== 'node_modules/alloy-embedded-kit') return;
    const entry = key === 'node_modules/alloy-embedded-kit' ? kitEntry : ours.packages[key]!;
    if (key !== 'node_modules/alloy-embedded-kit') {
      const rest = { ...entry };
      for (const flag of ['dev', 'devOptional', 'peer']) delete rest[flag];
      packages[key] = {
        ...rest,
        ...(rest.resolved || !rest.version ? {} : { resolved: tarballUrl(key, rest.version) }),
        ...(dev ? { dev: true } : {}),
      };
    }
    const required = { ...entry.dependencies, ...entry.optionalDependencies };
    for (const [peer, range] of Object.entries(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[peer]?.optional) required[peer] = range;
    }
    for (const name of Object.keys(required)) {
      const target = resolve(key, name);
      if (target) visit(target, dev);
    }
  };
  for (const name of Object.keys(appPackage.dependencies)) {
    visit(name === 'alloy-embedded-kit' ? 'node_modules/alloy-embedded-kit' : `node_modules/${name}`, false);
  }
  for (const name of Object.keys(appPackage.devDependencies)) visit(`node_modules/${name}`, true);
  return { name: appPackage.name, lockfileVersion: 3, requires: true, packages };
}

/** Package names installed for `name` (its dependencies, transitively), read from the installed tree. */
function closureOf(appDir: string, name: string, seen = new Set<string>()): Set<string> {
  const manifestPath = path.join(appDir, 'node_modules', name, 'package.json');
  if (seen.has(name) || !fs.existsSync(manifestPath)) return seen;
  seen.add(name);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { dependencies?: Record<string, string> };
  for (const dependency of Object.keys(manifest.dependencies ?? {})) closureOf(appDir, dependency, seen);
  return seen;
}

test('the CDN files keep their gzip budgets: loader ≤ 3 KB, modal chunk (Lit included) ≤ 20 KB', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/cdn/manifest.json'), 'utf8')) as {
    loader: { gzipKb: number };
    chunks: { file: string; gzipKb: number }[];
  };
  const modal = manifest.chunks.find((chunk) => chunk.file.startsWith('alloy-modal-'));
  assert.ok(modal, 'the build splits the modal chunk off');
  assert.ok(manifest.loader.gzipKb <= 3, `loader ${manifest.loader.gzipKb} KB gzip`);
  assert.ok(modal.gzipKb <= 20, `modal chunk ${modal.gzipKb} KB gzip (npm run size shows what it holds)`);
});
