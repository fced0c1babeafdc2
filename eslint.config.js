// Lint rules on top of strict TypeScript: the recommended sets, plus the habits STYLE.md asks for.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'var/', 'test-artifacts/', 'src/web/static/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      'no-console': 'error',
      // Mail is full of control characters that must be found and removed on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests print what they measure (latencies, sizes), as the issues ask for numbers, not assertions.
    files: ['test/**'],
    rules: { 'no-console': 'off' },
  },
);
