import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface SizeRow {
  name: string;
  file: string;
  bytes: number;
  gzipBytes: number;
  note: string;
}

const gzipSize = (buffer: Buffer): number => gzipSync(buffer, { level: 9 }).length;

function row(name: string, file: string, buffer: Buffer, note: string): SizeRow {
  return { name, file, bytes: buffer.length, gzipBytes: gzipSize(buffer), note };
}

/** Our CDN files, as the build's manifest lists them (loader first, then the lazily loaded chunks). */
export function ourSizes(cdnDir: string): SizeRow[] {
  const manifestPath = path.join(cdnDir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    const file = path.join(cdnDir, 'embedded.js');
    return [row('ours: embedded.js (single bundle)', 'embedded.js', fs.readFileSync(file), 'first load')];
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
    loader: { file: string };
    chunks: { file: string; load?: string }[];
  };
  return [
    row('ours: loader', manifest.loader.file, fs.readFileSync(path.join(cdnDir, manifest.loader.file)), 'first load'),
    ...manifest.chunks.map((chunk) =>
      row(
        `ours: ${chunk.file.replace(/-[\w-]{8}\.js$/, '')}`,
        chunk.file,
        fs.readFileSync(path.join(cdnDir, chunk.file)),
        chunk.load === undefined || chunk.load === 'first use' ? 'on first install() or idle' : chunk.load,
      ),
    ),
  ];
}

/** The shipped browser entry of each peer SDK (as in reference/peers.md), fetched with npm pack. */
export const PEERS: { pkg: string; entry: string; note: string }[] = [
  { pkg: 'alloy-frontend', entry: 'src/index.js', note: 'loader; UI in a remote iframe' },
  { pkg: '@nangohq/frontend', entry: 'dist/index.js', note: 'loader; UI in a remote iframe' },
  { pkg: '@apideck/vault-js', entry: 'dist/vault-js.umd.production.min.js', note: 'loader; UI in a remote iframe' },
  { pkg: '@useparagon/connect', entry: 'dist/src/index.js', note: 'bundle; UI in a remote iframe' },
  { pkg: '@prismatic-io/embedded', entry: 'dist/index.umd.js', note: 'loader; UI in a remote iframe' },
];

export function peerSizes(): SizeRow[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-peers-'));
  try {
    return PEERS.flatMap(({ pkg, entry, note }) => {
      try {
        const tarball = execFileSync('npm', ['pack', pkg, '--silent', '--pack-destination', dir], {
          cwd: dir,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        })
          .trim()
          .split('\n')
          .pop()!;
        const unpack = path.join(dir, tarball.replace(/\.tgz$/, ''));
        fs.mkdirSync(unpack);
        execFileSync('tar', ['-xzf', path.join(dir, tarball), '-C', unpack]);
        const version = (
          JSON.parse(fs.readFileSync(path.join(unpack, 'package/package.json'), 'utf8')) as { version: string }
        ).version;
        return [row(`${pkg}@${version}`, entry, fs.readFileSync(path.join(unpack, 'package', entry)), note)];
      } catch (error) {
        console.warn(`bench: could not measure ${pkg}: ${(error as Error).message.split('\n')[0]}`);
        return [];
      }
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
