import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// The demo's React page, built into dist/demo-react and served by the demo server at /demo/react/.
export default defineConfig({
  root: here,
  base: '/demo/react/',
  logLevel: 'warn',
  build: { outDir: path.resolve(here, '../../dist/demo-react'), emptyOutDir: true, sourcemap: true },
  oxc: { jsx: { runtime: 'automatic' } },
});
