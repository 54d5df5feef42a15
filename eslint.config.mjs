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
    files: ['src/modal/**/*.ts', 'test/browser/**/*.ts'],
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
    files: ['src/sdk/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/server/**', '**/node/**'] }] },
  },
  {
    // The Node client: contract only, never the server (fastify, better-sqlite3) or browser code.
    files: ['src/node/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/server/**', '**/sdk/**', '**/modal/**'] }] },
  },
  {
    files: ['src/server/**/*.ts'],
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
