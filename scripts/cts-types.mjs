// Mirrors the declarations of the `./node` entry (and the contract it uses) as `.d.cts`, so
// TypeScript projects compiled as CommonJS under `module: node16` get CommonJS-flavoured types
// for `require('alloy-embedded-kit/node')`: in a `"type": "module"` package a `.d.ts` is ESM.
// Run after `tsc -p tsconfig.build.json`: `node scripts/cts-types.mjs [dist/types]`.
import fs from 'node:fs';
import path from 'node:path';

const typesDir = process.argv[2] ?? 'dist/types';
const RELATIVE_JS = /(from\s+['"]\.{1,2}\/[^'"]+)\.js(['"])/g;

for (const dir of ['node', 'contract'].map((name) => path.join(typesDir, name))) {
  if (!fs.existsSync(dir)) throw new Error(`${dir} is missing: run tsc -p tsconfig.build.json first`);
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.d.ts'))) {
    const text = fs
      .readFileSync(path.join(dir, file), 'utf8')
      .replace(RELATIVE_JS, '$1.cjs$2')
      .replace(/^\/\/# sourceMappingURL=.*$/m, '');
    fs.writeFileSync(path.join(dir, file.replace(/\.d\.ts$/, '.d.cts')), text);
  }
}
