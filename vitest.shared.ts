// Shared vitest settings: tests resolve workspace packages to their TypeScript sources
// through the "@llmfs/source" export condition, so no build is needed to test.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@llmfs/source', 'module', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['@llmfs/source', 'module', 'node', 'import', 'default'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { singleFork: !!process.env.CI } },
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
  },
});
