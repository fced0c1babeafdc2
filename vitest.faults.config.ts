import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the fault runs, one at a time (each loads the machine on its own), minutes long.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
