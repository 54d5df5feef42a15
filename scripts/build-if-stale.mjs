// `npm start` / `npm run start:api`: build the SDK (`npm run build`) and the demo's React page
// (`npm run build:demo`) only when their inputs changed since the last build this script made.
// `npm run build` itself always builds.
//
// A build is up to date when its stamp (dist/.build-stamps/<name>.json) holds the SHA-256 of the
// current inputs (paths and contents, so a checkout that only touches mtimes costs nothing and a
// deleted file counts) and every output still has the mtime recorded after that build (so a build
// made by other means, a deleted dist/ or a half-written one is rebuilt rather than trusted).
//
// Usage: node scripts/build-if-stale.mjs [sdk] [demo]   (both when none is named)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stampDir = path.join(root, 'dist/.build-stamps');

/** Files every build depends on: the toolchain's versions and the package's own description. */
const SHARED_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json'];

const BUILDS = {
  sdk: {
    script: 'build',
    // src/server is not part of the browser or Node-client build (it never is imported by them:
    // see ARCHITECTURE.md, boundaries); everything else under src/ is.
    inputs: [
      ...SHARED_INPUTS,
      'src',
      'tsconfig.build.json',
      'rollup.config.mjs',
      'custom-elements-manifest.config.mjs',
    ],
    exclude: ['src/server'],
    outputs: [
      'dist/types',
      'dist/esm',
      'dist/cjs',
      'dist/cdn',
      'dist/node',
      'dist/console',
      'dist/custom-elements.json',
    ],
  },
  demo: {
    script: 'build:demo',
    // main.tsx imports the demo's shared shell from demo/public.
    inputs: [...SHARED_INPUTS, 'demo/react', 'demo/public/shell.js', 'demo/public/shell.d.ts'],
    exclude: [],
    outputs: ['dist/demo-react'],
  },
};

/** Every file under `entry` (a file or a directory), sorted, as paths relative to the root. */
function listFiles(entry, exclude) {
  const absolute = path.join(root, entry);
  if (exclude.some((skip) => entry === skip || entry.startsWith(`${skip}/`))) return [];
  let stat;
  try {
    stat = fs.statSync(absolute);
  } catch (error) {
    if (error.code === 'ENOENT') return [];
    throw error;
  }
  if (!stat.isDirectory()) return [entry];
  return fs
    .readdirSync(absolute)
    .sort()
    .flatMap((name) => listFiles(path.posix.join(entry, name), exclude));
}

function inputsHash(build) {
  const hash = createHash('sha256');
  for (const file of build.inputs.flatMap((entry) => listFiles(entry, build.exclude))) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Each output file's mtime; null when an output is missing. */
function outputsSignature(build) {
  const signature = {};
  for (const entry of build.outputs) {
    const files = listFiles(entry, []);
    if (files.length === 0) return null;
    for (const file of files) signature[file] = fs.statSync(path.join(root, file)).mtimeMs;
  }
  return signature;
}

function readStamp(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(stampDir, `${name}.json`), 'utf8'));
  } catch {
    return null;
  }
}

function isUpToDate(stamp, inputs, outputs) {
  if (!stamp || !outputs || stamp.inputs !== inputs) return false;
  const recorded = Object.keys(stamp.outputs ?? {});
  return (
    recorded.length === Object.keys(outputs).length && recorded.every((file) => stamp.outputs[file] === outputs[file])
  );
}

const requested = process.argv.slice(2);
for (const name of requested) {
  if (!(name in BUILDS)) {
    console.error(`build-if-stale: unknown build "${name}" (known: ${Object.keys(BUILDS).join(', ')})`);
    process.exit(2);
  }
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
for (const name of requested.length > 0 ? requested : Object.keys(BUILDS)) {
  const build = BUILDS[name];
  // Hashed before building: an input edited while the build runs makes the next start rebuild.
  const inputs = inputsHash(build);
  if (isUpToDate(readStamp(name), inputs, outputsSignature(build))) {
    console.log(`${name}: up to date (npm run ${build.script} rebuilds it)`);
    continue;
  }
  console.log(`${name}: building (npm run ${build.script})`);
  const result = spawnSync(npm, ['run', build.script, '--silent'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  fs.mkdirSync(stampDir, { recursive: true });
  fs.writeFileSync(
    path.join(stampDir, `${name}.json`),
    `${JSON.stringify({ inputs, outputs: outputsSignature(build) }, null, 2)}\n`,
  );
}
