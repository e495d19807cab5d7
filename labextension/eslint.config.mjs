// Lint rules for the lab extension: the recommended TypeScript set, type-aware, nothing project-specific.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/**', 'node_modules/**', '../jupyter_awsrole/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Lumino signals take the receiver as connect()'s second argument, so a method passed there is bound.
      '@typescript-eslint/unbound-method': 'off'
    }
  },
  { files: ['**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] }
);
