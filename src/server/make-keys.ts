/**
 * `npm run keys -- <dir>`: makes the webhook signing keys of both environments in `dir` (mode
 * 0700, files 0600) and prints a fresh credential encryption key. For PostgreSQL mode, where every
 * node must sign and decrypt with the same material: mount `dir` on each node as ALLOY_KEYS_DIR
 * and give each the same ALLOY_ENCRYPTION_KEY. Existing files are kept, never overwritten.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSigningKeys, signingKeyFiles } from './deliveries/index.js';

export function makeKeys(dir: string, out: (line: string) => void): void {
  loadSigningKeys(dir, { create: true });
  out(`Signing keys in ${dir}: ${signingKeyFiles().join(', ')} (existing files kept)`);
  out(`Set on every node: ALLOY_KEYS_DIR=${dir}`);
  out(`A new encryption key, if you have none yet (keep it secret and the same on every node):`);
  out(`  ALLOY_ENCRYPTION_KEY=${randomBytes(32).toString('base64')}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.log('usage: npm run keys -- <dir>');
    process.exitCode = 2;
  } else {
    makeKeys(path.resolve(dir), (line) => console.log(line));
  }
}
