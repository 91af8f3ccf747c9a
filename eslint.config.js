// ESLint (flat config): typescript-eslint's recommended rules without type information (fast enough
// to run in every `npm test`), plus the house rules DESIGN.md states: no `any`, type-only imports
// marked as such, no unused code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/api/gen/**', 'test/images/**/rootfs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // `let x = fallback; try { x = ... } catch { ... }` is the house idiom for parse-or-default
      'no-useless-assignment': 'off',
      // tests match command output with literal runs of spaces (table columns)
      'no-regex-spaces': 'off',
      // a timer read by a closure declared before it is set
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // tree walks over FieldSet start from `this`
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', module: 'writable', require: 'readonly', URL: 'readonly' } },
  },
);
