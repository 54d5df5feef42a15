import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import esbuild, { minify } from 'rollup-plugin-esbuild';
import ts from 'typescript';

const pkg = JSON.parse(fs.readFileSync('./package.json', 'utf8'));
const dependencies = Object.keys(pkg.dependencies ?? {});
/** `lit`, `lit/decorators.js`, `zod/mini`...: every dependency and its subpaths stay imports in the ESM build. */
const isDependency = (id) => dependencies.some((dep) => id === dep || id.startsWith(`${dep}/`));
const MODAL_SOURCE = path.resolve('src/modal/index.ts');

const esbuildOptions = { target: 'es2022', tsconfig: 'tsconfig.json' };

// Every build starts clean, so dist/cdn holds exactly one runtime and the tarball no stale files.
// dist/types is written before rollup runs (tsc), so it stays; everything rollup writes starts clean.
for (const dir of ['esm', 'cjs', 'cdn', 'node', 'console'])
  fs.rmSync(path.join('dist', dir), { recursive: true, force: true });

const sri = (code) => `sha384-${createHash('sha384').update(code).digest('base64')}`;
const gzipKb = (code) => (gzipSync(code, { level: 9 }).length / 1024).toFixed(2);

/** What the runtime build produced; the loader build (which rollup runs after it) embeds it. */
const runtime = { entry: '', chunks: [] };

function captureRuntime() {
  return {
    name: 'alloy-capture-runtime',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((output) => output.type === 'chunk');
      runtime.entry = chunks.find((chunk) => chunk.isEntry).fileName;
      // The runtime and the modal are fetched on first use; any other chunk only when the modal asks
      // for it by name (loadChunk in src/modal/internal/lazy-chunk.ts), with the chunks it imports.
      const firstUse = (chunk) => chunk.isEntry || chunk.moduleIds.includes(MODAL_SOURCE);
      const names = new Set();
      for (const chunk of chunks.filter((c) => !firstUse(c))) {
        if (names.has(chunk.name)) this.error(`two on-demand chunks are named ${chunk.name}`);
        names.add(chunk.name);
      }
      const byFile = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
      runtime.chunks = chunks.map((chunk) => ({
        file: chunk.fileName,
        integrity: sri(chunk.code),
        gzipKb: Number(gzipKb(chunk.code)),
        modules: Object.keys(chunk.modules).length,
        lit: Object.keys(chunk.modules).some((id) => id.includes('/lit-html/')),
        ...(firstUse(chunk)
          ? {}
          : {
              lazy: chunk.name,
              needs: chunk.imports.filter((file) => !firstUse(byFile.get(file))),
              // A language table only for a modal in that language; the others also on idle warm-up.
              language: Boolean(chunk.facadeModuleId?.includes(`${path.sep}i18n${path.sep}`)),
            }),
      }));
    },
  };
}

/** Writes the loader a second time under an immutable versioned name, then prints and records the SRI hashes. */
function versionedLoader() {
  return {
    name: 'alloy-versioned-loader',
    generateBundle(_options, bundle) {
      const loader = bundle['embedded.js'];
      if (loader.code.includes('__ALLOY_RUNTIME_MANIFEST__'))
        this.error('the runtime manifest was not written into the loader');
      const hash = createHash('sha256').update(loader.code).digest('hex').slice(0, 10);
      const fileName = `embedded-${pkg.version}-${hash}.js`;
      this.emitFile({ type: 'asset', fileName, source: loader.code });
      const manifest = {
        version: pkg.version,
        loader: { file: fileName, integrity: sri(loader.code), gzipKb: Number(gzipKb(loader.code)) },
        alias: 'embedded.js',
        runtimeEntry: runtime.entry,
        chunks: runtime.chunks.map(({ file, integrity, gzipKb, lazy }) => ({
          file,
          integrity,
          gzipKb,
          load: lazy ? `on demand (${lazy})` : 'first use',
        })),
      };
      this.emitFile({ type: 'asset', fileName: 'manifest.json', source: `${JSON.stringify(manifest, null, 2)}\n` });
      const row = (name, kb, note) => `  ${name.padEnd(34)} ${`${kb.toFixed(2)} KB gzip`.padStart(14)}  ${note}`;
      const total = runtime.chunks.reduce((sum, chunk) => sum + chunk.gzipKb, 0);
      const firstUse = runtime.chunks.filter((chunk) => !chunk.lazy).reduce((sum, chunk) => sum + chunk.gzipKb, 0);
      console.log(
        [
          `Alloy SDK ${pkg.version}: CDN files in dist/cdn (immutable names; serve with CORS; integrity = SRI)`,
          row(manifest.loader.file, manifest.loader.gzipKb, `loader  ${manifest.loader.integrity}`),
          ...runtime.chunks.map((chunk) =>
            row(
              chunk.file,
              chunk.gzipKb,
              `${chunk.lit ? 'modal  ' : chunk.file === runtime.entry ? 'runtime' : 'lazy   '} ${chunk.integrity}`,
            ),
          ),
          `  ${'embedded.js'.padEnd(34)} ${'alias'.padStart(14)}  the loader under its evergreen name (revalidate; no SRI)`,
          `  first install() or idle warm-up: loader + runtime + modal = ${(manifest.loader.gzipKb + firstUse).toFixed(2)} KB gzip`,
          ...runtime.chunks
            .filter((chunk) => chunk.lazy)
            .map(
              (chunk) =>
                `  + ${chunk.lazy} ${chunk.language ? 'for a modal in that language' : 'when the integration needs it'}: ${chunk.gzipKb.toFixed(2)} KB gzip`,
            ),
          `  every chunk: ${total.toFixed(2)} KB gzip in all`,
        ].join('\n'),
      );
    },
  };
}

/**
 * The modal's static css`...` stylesheets (in `*.styles.ts`, and the few a lazily loaded view keeps
 * beside its code) lose their comments and the
 * whitespace CSS does not need, for the CDN chunks. Only what is safe without a CSS parser: runs
 * of whitespace become one space, none around `{ } ; , >` or after `:` (before `:` it may be a
 * descendant selector such as `.body :is(...)`), no `;` before `}`. `+`, `-`, `*` keep their
 * spaces (calc() needs them); strings are left alone (the build checks there is no `${`).
 */
function minifyStyles() {
  return {
    name: 'alloy-minify-styles',
    transform(code, id) {
      if (!id.startsWith(path.resolve('src/modal')) || !id.endsWith('.ts') || !code.includes('css`')) return null;
      return code.replace(/\bcss`([^`]*)`/g, (_match, text) => {
        if (text.includes('${')) this.error(`${id}: css\` with an expression; the minifier handles static styles only`);
        const parts = text.split(/('[^']*'|"[^"]*")/);
        const minified = parts
          .map((part, index) =>
            index % 2 === 1
              ? part
              : part
                  .replace(/\/\*[\s\S]*?\*\//g, '')
                  .replace(/\s+/g, ' ')
                  .replace(/ ?([{};,>]) ?/g, '$1')
                  .replace(/: /g, ':')
                  .replace(/;}/g, '}'),
          )
          .join('')
          .trim();
        return `css\`${minified}\``;
      });
    },
  };
}

/**
 * The modal's `html` templates lose the indentation between their lines, for the CDN chunks: each
 * run of whitespace that holds a line break becomes one space, which renders the same (HTML
 * collapses such runs outside `<pre>`, and a template with `<pre>` is left alone). The templates are
 * found with TypeScript's parser, so `${…}` expressions and nested templates are never touched.
 */
function collapseHtmlTemplates() {
  return {
    name: 'alloy-collapse-html-templates',
    transform(code, id) {
      if (!id.startsWith(path.resolve('src/modal')) || !id.endsWith('.ts') || !code.includes('html`')) return null;
      const source = ts.createSourceFile(id, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
      /** [start, end) of each literal part's text, outside the backticks and `${` / `}`. */
      const parts = [];
      const visit = (node) => {
        if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === 'html') {
          const template = node.template;
          const literals = ts.isNoSubstitutionTemplateLiteral(template)
            ? [template]
            : [template.head, ...template.templateSpans.map((span) => span.literal)];
          if (!literals.some((literal) => literal.rawText?.includes('<pre'))) {
            for (const literal of literals) {
              const start = literal.getStart(source) + 1;
              const closing = ts.isTemplateTail(literal) || ts.isNoSubstitutionTemplateLiteral(literal) ? 1 : 2;
              parts.push([start, literal.getEnd() - closing]);
            }
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
      if (parts.length === 0) return null;
      let result = '';
      let at = 0;
      for (const [start, end] of parts.sort((a, b) => a[0] - b[0])) {
        result += code.slice(at, start) + code.slice(start, end).replace(/[ \t]*\n\s*/g, ' ');
        at = end;
      }
      return result + code.slice(at);
    },
  };
}

/**
 * `npm run size`: the same runtime chunk built with classic `zod` in place of `zod/mini`, to
 * measure what zod/mini saves (written to .tmp/, never shipped).
 */
function classicZodComparison() {
  return {
    input: 'src/sdk/cdn-runtime.ts',
    plugins: [
      {
        name: 'alloy-zod-classic',
        resolveId(source, importer) {
          return source === 'zod/mini' ? this.resolve('zod', importer, { skipSelf: true }) : null;
        },
      },
      nodeResolve({ browser: true }),
      esbuild({ ...esbuildOptions, minify: true, legalComments: 'none' }),
      {
        name: 'alloy-size-report',
        generateBundle(_options, bundle) {
          const classic = Object.values(bundle).find((output) => output.type === 'chunk' && output.isEntry);
          const mini = runtime.chunks.find((chunk) => chunk.file === runtime.entry);
          console.log(
            [
              'Runtime chunk (the SDK; the modal chunk is separate and has no zod):',
              `  with zod/mini       ${mini.gzipKb.toFixed(2)} KB gzip`,
              `  with classic zod    ${gzipKb(classic.code)} KB gzip`,
            ].join('\n'),
          );
        },
      },
    ],
    output: { dir: '.tmp/size-classic-zod', format: 'es', inlineDynamicImports: true },
  };
}

const CONSOLE_NOSCRIPT = 'The Alloy console needs JavaScript: turn it on for this site, then reload the page.';

/**
 * The console's page, `dist/console/index.html`: the entry as a module script and its static imports
 * as modulepreload links, all by absolute `/console/assets/...` URLs (the server answers this page
 * for every `/console/<path>`). No inline script or style, so the page's strict CSP holds.
 */
function consoleHtml() {
  return {
    name: 'alloy-console-html',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((output) => output.type === 'chunk');
      const entry = chunks.find((chunk) => chunk.isEntry);
      if (!entry) this.error('the console build has no entry chunk');
      const url = (file) => `/console/${file}`;
      const source = [
        '<!doctype html>',
        '<html lang="en" data-theme="auto">',
        '  <head>',
        '    <meta charset="utf-8" />',
        '    <meta name="viewport" content="width=device-width, initial-scale=1" />',
        '    <meta name="color-scheme" content="light dark" />',
        '    <meta name="referrer" content="no-referrer" />',
        '    <title>Alloy console</title>',
        ...entry.imports.map((file) => `    <link rel="modulepreload" href="${url(file)}" />`),
        `    <script type="module" src="${url(entry.fileName)}"></script>`,
        '  </head>',
        '  <body>',
        `    <noscript>${CONSOLE_NOSCRIPT}</noscript>`,
        '  </body>',
        '</html>',
        '',
      ].join('\n');
      this.emitFile({ type: 'asset', fileName: 'index.html', source });
      const lazy = chunks.filter((chunk) => chunk !== entry);
      console.log(
        [
          'Alloy console: dist/console/index.html',
          `  ${entry.fileName.padEnd(44)} ${`${gzipKb(entry.code)} KB gzip`.padStart(14)}  entry`,
          ...lazy.map(
            (chunk) =>
              `  ${chunk.fileName.padEnd(44)} ${`${gzipKb(chunk.code)} KB gzip`.padStart(14)}  ${chunk.isDynamicEntry ? 'lazy' : 'shared'}`,
          ),
        ].join('\n'),
      );
    },
  };
}

const RELATIVE_JS = /(from\s+['"]\.{1,2}\/[^'"]+)\.js(['"])/g;

/**
 * Mirrors the `./node` entry's declarations (and the contract's) as `.d.cts`, so TypeScript projects
 * compiled as CommonJS (`module: node16`) get CommonJS types for `require('alloy-embedded-kit/node')`:
 * in a `"type": "module"` package a `.d.ts` is ESM. Needs dist/types, which tsc writes first.
 */
function commonJsDeclarations() {
  return {
    name: 'alloy-node-cts-types',
    writeBundle() {
      for (const dir of ['node', 'contract'].map((name) => path.join('dist/types', name))) {
        if (!fs.existsSync(dir)) this.error(`${dir} is missing: run tsc -p tsconfig.build.json before rollup`);
        for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.d.ts'))) {
          const text = fs
            .readFileSync(path.join(dir, file), 'utf8')
            .replace(RELATIVE_JS, '$1.cjs$2')
            .replace(/^\/\/# sourceMappingURL=.*$/m, '');
          fs.writeFileSync(path.join(dir, file.replace(/\.d\.ts$/, '.d.cts')), text);
        }
      }
    },
  };
}

export default [
  {
    // Node client for ISV backends: ESM + CJS; dependencies and node: built-ins stay external.
    input: { index: 'src/node/index.ts' },
    external: (id) => isDependency(id) || id.startsWith('node:'),
    plugins: [esbuild(esbuildOptions), commonJsDeclarations()],
    output: [
      { dir: 'dist/node', format: 'es', sourcemap: true, entryFileNames: '[name].js' },
      { dir: 'dist/node', format: 'cjs', sourcemap: true, entryFileNames: '[name].cjs', exports: 'named' },
    ],
  },
  {
    // npm: ESM with dependencies external, so the app's bundler dedupes lit/zod.
    input: { index: 'src/sdk/index.ts', global: 'src/sdk/global.ts', modal: 'src/modal/index.ts' },
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
    // npm, CommonJS: `const Alloy = require('alloy-embedded-kit'); const alloy = Alloy();`. The
    // modal stays the ESM file, loaded with import().
    input: 'src/sdk/cjs.ts',
    external: (id) => isDependency(id) || id === MODAL_SOURCE,
    plugins: [
      {
        name: 'alloy-modal-external',
        resolveId: (source, importer) =>
          importer && path.resolve(path.dirname(importer), source.replace(/\.js$/, '.ts')) === MODAL_SOURCE
            ? { id: MODAL_SOURCE, external: true }
            : null,
      },
      nodeResolve({ browser: true }),
      esbuild(esbuildOptions),
      {
        name: 'alloy-cjs-types',
        generateBundle() {
          // `export =` so TypeScript sees module.exports as the callable factory.
          this.emitFile({
            type: 'asset',
            fileName: 'index.d.cts',
            source: [
              `type AlloyFactory = import('../types/sdk/factory.js', { with: { 'resolution-mode': 'import' } }).AlloyFactory;`,
              'declare const Alloy: AlloyFactory & { default: AlloyFactory };',
              'export = Alloy;',
              '',
            ].join('\n'),
          });
        },
      },
    ],
    output: {
      file: 'dist/cjs/index.cjs',
      format: 'cjs',
      exports: 'default',
      sourcemap: true,
      paths: { [MODAL_SOURCE]: '../esm/modal.js' },
      dynamicImportInCjs: true,
    },
  },
  {
    // CDN runtime: the SDK (zod/mini) and, split off, the modal chunk (Lit included), both
    // preloaded by embedded.js with their SRI hashes.
    input: 'src/sdk/cdn-runtime.ts',
    // The modal chunk imports the lazy-chunk hook the entry also exports: one runtime chunk, not a
    // facade over a shared chunk.
    preserveEntrySignatures: 'allow-extension',
    // Minify after tree-shaking: minifying each module first would drop the contract's
    // /* @__PURE__ */ annotations and keep schemas the browser never uses. Terser, not esbuild's
    // minifier, for these chunks: its second compress pass makes them about 2 % smaller (0.4 KB of
    // the modal's 20 KB budget) for a few seconds more of build.
    plugins: [
      nodeResolve({ browser: true }),
      minifyStyles(),
      collapseHtmlTemplates(),
      esbuild(esbuildOptions),
      terser({ module: true, ecma: 2020, compress: { passes: 3 }, format: { comments: false } }),
      captureRuntime(),
    ],
    output: {
      dir: 'dist/cdn',
      format: 'es',
      sourcemap: true,
      entryFileNames: 'alloy-runtime-[hash].js',
      chunkFileNames: (chunk) =>
        chunk.moduleIds.includes(MODAL_SOURCE) ? 'alloy-modal-[hash].js' : 'alloy-[name]-[hash].js',
    },
  },
  {
    // CDN loader: a classic script (works in a plain <script> tag, before or after DOMContentLoaded).
    input: 'src/sdk/cdn.ts',
    plugins: [
      replace({
        preventAssignment: true,
        values: {
          __ALLOY_RUNTIME_MANIFEST__: () =>
            JSON.stringify({
              entry: runtime.entry,
              chunks: runtime.chunks.map(({ file, integrity, lazy, needs, language }) =>
                lazy
                  ? {
                      file,
                      integrity,
                      lazy,
                      ...(needs.length > 0 ? { needs } : {}),
                      ...(language ? {} : { idle: true }),
                    }
                  : { file, integrity },
              ),
            }),
        },
      }),
      nodeResolve({ browser: true }),
      esbuild({ ...esbuildOptions, minify: true, legalComments: 'none' }),
      versionedLoader(),
    ],
    output: { file: 'dist/cdn/embedded.js', format: 'iife', sourcemap: true },
  },
  {
    // The ISV console (src/console): one entry, settings and setup as lazy chunks, and the page that
    // loads it. Served by the API server under /console (hashed assets under /console/assets).
    input: { console: 'src/console/index.ts' },
    plugins: [
      nodeResolve({ browser: true }),
      esbuild(esbuildOptions),
      minify({ legalComments: 'none' }),
      consoleHtml(),
    ],
    output: {
      dir: 'dist/console',
      format: 'es',
      sourcemap: true,
      entryFileNames: 'assets/console-[hash].js',
      chunkFileNames: 'assets/console-[name]-[hash].js',
    },
  },
  ...(process.env.ALLOY_SIZE_REPORT ? [classicZodComparison()] : []),
];
