import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One temporary root per run, removed at its end (test/support/temp.mjs).
    globalSetup: ['test/support/global-setup.mjs'],
    // End-to-end tests start moto, kubectl and servers: generous, but bounded.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // e2e suites each start their own loopback world; two cores are shared.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
