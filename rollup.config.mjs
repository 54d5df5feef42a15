import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';

const pkg = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync('./package.json', 'utf8')));
const dependencies = Object.keys(pkg.dependencies ?? {});
/** `lit`, `lit/decorators.js`, `zod/mini`...: every dependency and its subpaths stay imports in the ESM build. */
const isDependency = (id) => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));

const esbuildOptions = { target: 'es2022', tsconfig: 'tsconfig.json' };

export default [
  {
    // npm: ESM with dependencies external, so the app's bundler dedupes lit/zod/jose.
    input: { index: 'src/sdk/index.ts', modal: 'src/modal/index.ts' },
    external: isDependency,
    plugins: [esbuild(esbuildOptions)],
    output: {
      dir: 'dist/esm',
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
    },
  },
  {
    // CDN: one classic script that defines window.Alloy; everything bundled and minified.
    input: 'src/sdk/cdn.ts',
    plugins: [nodeResolve({ browser: true }), esbuild({ ...esbuildOptions, minify: true, legalComments: 'none' })],
    output: {
      file: 'dist/cdn/embedded.js',
      format: 'iife',
      sourcemap: true,
      inlineDynamicImports: true,
    },
  },
];
