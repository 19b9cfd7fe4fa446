/** The runner without a controller: calls that never get a row, and the order calls are placed in. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import { SimulateAri } from '../../src/simulate/ari.js';
import { runScenario } from '../../src/simulate/runner.js';
import type { Scenario } from '../../src/simulate/scenario.js';

describe('runScenario with no controller connected', () => {
  let sim: AriSimulator;
  beforeAll(async () => {
    sim = await AriSimulator.start({ port: 0, username: 'switchboard', password: 'pw' });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  const call = (name: string, at?: number) => ({ name, to: '+12025550200', from: '+12025550111', ...(at === undefined ? {} : { at }) });

  it.each([
    ['one after another', [call('a'), call('b')], 1],
    ['both at once', [call('a', 0), call('b', 0)], 2],
  ])('given calls placed %s, when Stasis fails and no row comes, then each is reported without a row', async (_what, calls, placedWhenFirstEnds) => {
    // Given no controller: Stasis() fails, the simulated dialplan takes the fail-safe route and hangs up.
    sim.reset();
    const ari = new SimulateAri({ url: sim.url, username: 'switchboard', password: 'pw' });
    let placedAtFirstEnd = -1;
    const results = await runScenario({ calls } as Scenario, {
      ari,
      calls: { get: async () => null },
      options: { trunkContext: 'from-trunk', callerContext: 'sim-caller', timeoutMs: 10_000, pollMs: 20, missingRowGraceMs: 100 },
      onResult: (_r, i) => {
        if (i === 0) placedAtFirstEnd = sim.originates().length;
      },
    });
    // Then both calls were placed as Local channels into the trunk context, with our ;2 ids ...
    expect(sim.originates().map((o) => o.dial)).toEqual(['Local/+12025550200@from-trunk', 'Local/+12025550200@from-trunk']);
    expect(sim.failsafeCalls().map((f) => f.channelId)).toEqual(results.map((r) => r.callId));
    // ... in the order asked for ...
    expect(placedAtFirstEnd).toBe(placedWhenFirstEnds);
    // ... and reported as failed long before the 10 s deadline.
    for (const r of results) {
      expect(r.record).toBeNull();
      expect(r.expectation.ok).toBe(false);
      expect(r.expectation.mismatches[0]).toMatch(/^no call-log row for channel .*did the controller/);
    }
  }, 15_000);

  it('given ARI refusing the originate (HTTP 401), when placed, then the call is reported, not thrown', async () => {
    const ari = new SimulateAri({ url: sim.url, username: 'switchboard', password: 'wrong' });
    const [r] = await runScenario({ calls: [call('x')] } as Scenario, {
      ari, calls: { get: async () => null }, options: { trunkContext: 'from-trunk', callerContext: 'sim-caller', timeoutMs: 1000 },
    });
    expect(r!.callId).toBeNull();
    expect(r!.expectation.mismatches[0]).toMatch(/^cannot place the call: ARI POST \/channels -> HTTP 401/);
  });
});
