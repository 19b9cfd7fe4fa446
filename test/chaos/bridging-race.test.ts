/**
 * The caller hangs up while the controller is bridging the leg that answered (the soak found an
 * answered leg left up in Stasis under load). Each REST request of the bridging is held in turn
 * at the simulator; the caller hangs up while it is held; once it is answered, the call must end
 * with no channel or bridge left and one row saying abandoned.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsteriskHarness } from '../scenarios/asterisk-harness.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { waitFor } from '../support/wait.js';

let h: AsteriskHarness;

describe('the caller hangs up while the answered leg is being bridged (ARI simulator)', () => {
  beforeEach(async () => {
    h = new AsteriskHarness();
    await h.start(SCENARIO_CONFIG);
    h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 30 });
    h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
  });
  afterEach(async () => {
    await h?.stop();
  });

  for (const [method, prefix, what] of [
    ['POST', '/channels/', 'the caller answer'],
    ['POST', '/bridges', 'the bridge create or addChannel'],
  ] as const) {
    it(`given ${what} held until the caller has hung up, then nothing is left and the row says abandoned`, async () => {
      const call = await h.placeCall({ from: '+12025550999', to: '+12025550200' });
      await waitFor(() => h.dialed().some((d) => d.dial.includes('1001')), 5000, 'the desk leg placed');
      // Held from now: the originates are out, so the next request of this kind is the bridging's.
      const slow = h.sim.holdRequests(method, prefix);
      try {
        await slow.held;
        await h.hangupCaller(call);
      } finally {
        slow.release();
      }
      const r = await h.waitForRecord(call);
      expect(r.outcome).toBe('abandoned');
      await waitFor(() => h.live().channels === 0 && h.live().bridges === 0, 5000, `nothing left (live: ${JSON.stringify(h.live())})`);
    });
  }
});
