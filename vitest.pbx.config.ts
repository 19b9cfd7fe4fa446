import { defineConfig } from 'vitest/config';

// `npm run test:pbx` (and :asterisk / :freeswitch): the suites that run on a real PBX, built by
// scripts/pbx/*.sh into the cache (or SWITCHBOARD_ASTERISK / SWITCHBOARD_FREESWITCH). Without a
// PBX they skip with a notice; SWITCHBOARD_REQUIRE_PBX=1 (CI) turns that into a failure.
export default defineConfig({
  test: {
    include: ['test/pbx/**/*.test.ts'],
    // Real calls ring real timers and a PBX takes seconds to start.
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    // One PBX-backed file at a time: each starts its own PBX on a 2-core machine.
    fileParallelism: false,
    // A real PBX on a loaded 2-core machine can miss a scenario's timing window (seen: a caller who
    // hangs up 2 s in, before the first step's set-up is over). One retry; a scenario that fails
    // twice fails the run, and the report still shows the first failure.
    retry: 1,
  },
});
