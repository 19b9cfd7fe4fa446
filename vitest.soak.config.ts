import { defineConfig } from 'vitest/config';

// `npm run soak`: the long, bounded load run (also run by CI after `npm test`).
export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
