// ESLint (flat config): typescript-eslint's recommended rules, formatting left to Prettier, and
// Temporal's determinism rules for workflow code.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** What workflow code may import: the workflow API, and our own deterministic contract. */
const WORKFLOW_IMPORTS = {
  patterns: [
    {
      regex: '^(?!@temporalio/(workflow|common)$|\\.\\./shared/(order-workflow|contract/[a-z-]+)$|\\./[a-z.-]+$)',
      message:
        'Workflow code is deterministic: import only @temporalio/workflow, @temporalio/common and ../shared/{order-workflow,contract/*}.',
      allowTypeImports: true,
    },
  ],
};
/** What the files workflow code imports may import: each other, TypeBox, zod and Temporal's definitions. */
const DETERMINISTIC_IMPORTS = {
  patterns: [
    {
      regex: '^(?!@temporalio/(workflow|common)$|@sinclair/typebox$|zod$|\\./)',
      message: 'Imported by workflow code: no Node built-ins or other packages.',
      allowTypeImports: true,
    },
  ],
};
/** Node's globals, and Node's or the platform's sources of time and randomness the sandbox does not replace. */
const NON_DETERMINISTIC_GLOBALS = ['process', 'Buffer', 'require', 'setImmediate', 'fetch', 'crypto', 'performance'].map((name) => ({
  name,
  message: 'Not deterministic in workflow code; use the @temporalio/workflow equivalent (sleep, uuid4, workflowInfo).',
}));

export default tseslint.config(
  {
    ignores: ['node_modules/', 'generated/', 'web/build/', '.data/', '.tools/', '.artifacts/', 'scratch/', 'dist/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Plain scripts run by Node (the image's build and health check).
    files: ['**/*.{js,mjs}'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
  {
    // Untyped Kubernetes YAML, read field by field.
    files: ['tests/support/k8s-manifests.ts', 'tests/unit/k8s-manifests.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', WORKFLOW_IMPORTS],
      'no-restricted-globals': ['error', ...NON_DETERMINISTIC_GLOBALS],
    },
  },
  {
    files: ['shared/order-workflow.ts', 'shared/contract/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', DETERMINISTIC_IMPORTS],
      'no-restricted-globals': ['error', ...NON_DETERMINISTIC_GLOBALS.filter(({ name }) => name !== 'performance')],
    },
  },
);
