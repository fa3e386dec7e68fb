import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__test__/**/*.spec.ts'],
    // Native kernels use every core; running spec files in parallel on a 2-core machine only
    // makes them fight. Forks keep a crashing native call from taking the runner down with it.
    pool: 'forks',
    testTimeout: 60_000,
    // Every test removes what it creates in the temp dir: the run fails otherwise.
    globalSetup: ['__test__/helpers/temp-leak-check.ts'],
  },
});
