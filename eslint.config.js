import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', '.data/', 'test-results/', 'playwright-report/', 'src/web/public/'] },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unnecessary-condition': ['error', { allowConstantLoopConditions: true }],
    },
  },
  // The house's boundaries (../shared/STYLE.md), held by the linter rather than by memory.
  {
    // Features meet only through services, URLs and pure rule modules; types may be imported from anywhere.
    files: ['src/*/**/*.ts'],
    ignores: ['src/web/**', 'src/platform/**', 'src/admin/**', 'src/demo/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^\.\./(?!web/|platform/)[a-z-]+/(?!(service|urls|status|policy|rules|schemas|school-visibility|attachment-rules|rich-text)\.ts$)`,
              allowTypeImports: true,
              message:
                'Features use each other only through service.ts, urls.ts and pure rule modules (or `import type`).',
            },
            {
              regex: String.raw`^\.\./(\.\./)?container\.ts$`,
              message: 'Only the composition root knows the container.',
            },
          ],
        },
      ],
    },
  },
  {
    // Routes get services: never the database, a repository or the container.
    files: ['src/*/routes.ts', 'src/*/*-routes.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`(^|/)([a-z-]+-)?repository\.ts$|^\.\./platform/(db|database-schema)\.ts$|^\.\./container\.ts$`,
              allowTypeImports: true,
              message: 'Routes call services; SQL and the database stay behind them.',
            },
            {
              regex: String.raw`^\.\./(?!web/|platform/)[a-z-]+/(?!(service|urls|status|policy|rules|schemas|school-visibility|attachment-rules|rich-text)\.ts$)`,
              allowTypeImports: true,
              message:
                'Features use each other only through service.ts, urls.ts and pure rule modules (or `import type`).',
            },
          ],
        },
      ],
    },
  },
  {
    // The web layer and the platform adapters know no feature.
    files: ['src/web/**/*.ts', 'src/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^\.\./(?!web/|platform/|config\.ts$)`,
              message: 'src/web and src/platform import no feature: the composition root hands them what they need.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      // node:test's test() and describe() return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Playwright reads a fixture's dependencies from its destructuring pattern, empty or not.
      'no-empty-pattern': 'off',
    },
  },
);
