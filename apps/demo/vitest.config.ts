// The demo's tests: end-to-end in a real headless Chromium (test/*.test.ts), one file at a time.
import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
      testTimeout: 180_000,
      hookTimeout: 240_000,
      fileParallelism: false,
    },
  }),
);
