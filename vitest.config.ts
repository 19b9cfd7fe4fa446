import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The real-PBX suites have their own config (vitest.pbx.config.ts, `npm run test:pbx`).
    exclude: [...configDefaults.exclude, 'test/pbx/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each file gets its own process: simulators bind ports and the store opens files.
    pool: 'forks',
  },
});
