import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One file at a time: the end-to-end calls need both cores to hold 30 fps.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['tests/support/globalSetup.ts'],
    reporters: ['default', './tests/support/plainSummaryReporter.ts'],
  },
});
