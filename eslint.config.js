// Lint rules for the whole workspace: ESLint's and typescript-eslint's recommended sets,
// without the type-aware rules (they need a full program per file and are too slow here;
// `pnpm typecheck` covers types).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'docs/api/**',
      '**/.wrangler/**',
      '**/.switchyard-tmp/**',
      '**/.pg-embedded/**',
      'examples/prisma/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      // `DB = any` is Kysely's own default for a database whose schema is not typed.
      '@typescript-eslint/no-explicit-any': 'off',
      // An options interface that only extends a base keeps its own name to grow into.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      // Control characters in a pattern are meant: the JSON grammar, stripping NUL.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // What ships never reaches into test/: helpers there import engines and vitest.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)test/', message: 'Only tests import from test/.' }] }],
    },
  },
  {
    // Files short enough to read in one sitting: a longer one holds more than one concern.
    files: ['packages/*/src/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 300 }] },
  },
  {
    files: ['**/*.test.ts'],
    // Expected terminal output is written with its spaces as they appear on screen.
    rules: { 'no-regex-spaces': 'off' },
  },
);
