import js from '@eslint/js';
import lit from 'eslint-plugin-lit';
import litA11y from 'eslint-plugin-lit-a11y';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.data/**', '.tmp/**', 'coverage/**', 'screenshots/**', 'bench-results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/modal/**/*.ts', 'src/console/**/*.ts', 'test/browser/**/*.ts'],
    plugins: { lit, 'lit-a11y': litA11y },
    rules: {
      ...lit.configs.recommended.rules,
      ...litA11y.configs.recommended.rules,
    },
  },
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "AssignmentExpression[left.property.name='innerHTML']",
          message: 'Render data as text: no innerHTML.',
        },
      ],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'lit/directives/unsafe-html.js', message: 'No unsafeHTML: render data as text.' }] },
      ],
    },
  },
  {
    // Boundaries from ARCHITECTURE.md: arrows point inward.
    files: ['src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../sdk/*', '../modal/*', '../server/*', '../*/**'] }],
    },
  },
  {
    files: ['src/modal/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/sdk/**', '**/server/**', '**/node/**'] }] },
  },
  {
    // The console's browser code: the contract, lit and zod/mini only (never the server, the SDK,
    // the modal or the Node client); views reach the server only through ConsoleApi.
    files: ['src/console/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'lit/directives/unsafe-html.js', message: 'No unsafeHTML: render data as text.' }],
          patterns: [
            {
              group: ['**/server/**', '**/sdk/**', '**/modal/**', '**/node/**', '**/sandbox/**'],
              message: 'src/console imports only src/contract (plus lit and zod/mini).',
            },
            {
              regex: String.raw`^(?!\.|lit$|lit/|zod/mini$)`,
              message: 'src/console imports only src/contract, lit and zod/mini.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/sdk/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/server/**', '**/node/**'] }] },
  },
  {
    // The Node client: contract only, never the server (fastify, better-sqlite3) or browser code.
    files: ['src/node/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/server/**', '**/sdk/**', '**/modal/**'] }] },
  },
  {
    // The server's module boundaries (ARCHITECTURE.md, "The server's modules"): another module only
    // through its public file, storage only through platform/db, SQL only in repositories.
    files: ['src/server/**/*.ts'],
    ignores: ['src/server/platform/**', 'src/server/**/*repository.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'better-sqlite3', message: 'Storage goes through src/server/platform/db.' },
            { name: 'kysely', message: 'SQL lives in repositories (*repository.ts) and platform/db.' },
          ],
          patterns: [
            {
              group: ['**/sdk/**', '**/modal/**', '**/node/**'],
              message: 'The server never imports browser or Node-client code.',
            },
            {
              regex: String.raw`^(?:\./|(?:\.\./)+)(?:users|definitions|installs|connections|runs|deliveries|widget|console)/(?!index\.js$)`,
              message: 'Import another module through its public file (<module>/index.js).',
            },
            {
              regex: String.raw`(?:^|/)platform/db/(?!index\.js$)`,
              message: 'Import the storage seam through platform/db/index.js.',
            },
          ],
        },
      ],
    },
  },
  {
    // Platform and repositories: no browser code, and platform never reaches into a domain module.
    files: ['src/server/platform/**/*.ts', 'src/server/**/*repository.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/sdk/**', '**/modal/**', '**/node/**'] }] },
  },
  {
    // The server went async (one storage seam): a promise nobody awaits is a bug there, e.g. a
    // user check that never runs. Type-aware, so only where it matters.
    files: ['src/server/**/*.ts', 'src/sandbox/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
);
