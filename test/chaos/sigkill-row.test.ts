/**
 * The call-log row of a call whose controller was SIGKILLed while it rang (issue 11 item 10): the
 * rules, the trace and the legs placed are in the row while it rings, so the resumed call's row
 * says who rang, not `legs: [], rules: [], trace: []`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AriSimulator } from '../../src/sim/asterisk/index.js';
import { waitFor } from '../support/wait.js';
import { killableController, type KillableController } from './killable.js';

describe('call-log row of a call ringing when the controller is SIGKILLed', () => {
  let run: KillableController;
  let sim: AriSimulator;

  beforeAll(async () => {
    run = await killableController('row-test');
    sim = run.sim;
  });
  afterAll(() => run?.stop());

  it('given two legs ringing, when the controller is killed and restarted, then the row keeps the rules, the trace and both legs', async () => {
    const first = await run.start();
    sim.setDevice('PJSIP/1001', { kind: 'noanswer' });
    sim.setDevice('PJSIP/1002', { kind: 'noanswer' });
    const call = await sim.placeInboundCall({ from: '+12025550901', to: '+12025550200' });
    await waitFor(() => sim.originates().filter((o) => o.dial.startsWith('PJSIP/')).length >= 2, 5000, 'two legs ringing');

    const store = await run.openStore();
    try {
      // While it rings, the row already holds what is known.
      const ringing = await waitFor(async () => {
        const r = await store.calls.get(call.channelId);
        return r && r.legs.length === 2 ? r : null;
      }, 5000, 'both legs in the row while ringing');
      expect(ringing.rules).toEqual(['number-user']);
      expect(ringing.trace.length).toBeGreaterThan(0);

      await run.kill(first);
      await run.start();
      const row = await waitFor(async () => {
        const r = await store.calls.get(call.channelId);
        return r?.outcome ? r : null;
      }, 10_000, 'resumed call finished');
      expect(row.outcome).toBe('voicemail');
      expect(row.rules).toEqual(['number-user']);
      expect(row.trace.length).toBeGreaterThan(0);
      expect(row.legs.map((l) => [l.endpoint, l.result])).toEqual([
        ['1001', 'cancelled'],
        ['1002', 'cancelled'],
      ]);
    } finally {
      await store.close();
      await sim.hangup(call.pstnChannelId).catch(() => undefined);
    }
  });
});
