/**
 * The controller killed with SIGKILL while calls ring and while one is bridged, then started again:
 * it finds its calls on Asterisk from the state kept in SQLite. Ringing calls go to their final
 * action, the bridged call is tracked to its end, and every call keeps exactly one row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AriSimulator } from '../../src/sim/asterisk/index.js';
import { waitFor } from '../support/wait.js';
import { killableController, type KillableController } from './killable.js';

describe('controller killed with SIGKILL and started again', () => {
  let run: KillableController;
  let sim: AriSimulator;

  beforeAll(async () => {
    run = await killableController('kill-test');
    sim = run.sim;
  });
  afterAll(() => run?.stop());

  it('given two ringing calls and one bridged call, when the controller is SIGKILLed and restarted, then each call is finished', async () => {
    const first = await run.start();
    sim.setDevice('PJSIP/1001', { kind: 'noanswer' });
    sim.setDevice('PJSIP/1002', { kind: 'noanswer' });
    const ringing = [await sim.placeInboundCall({ from: '+12025550901', to: '+12025550200' }), await sim.placeInboundCall({ from: '+12025550902', to: '+12025550200' })];
    await waitFor(() => sim.originates().filter((o) => o.dial.startsWith('PJSIP/')).length >= 4, 5000, 'ringing legs');
    sim.setDevice('PJSIP/1001', { kind: 'answer', afterMs: 10 });
    const bridged = await sim.placeInboundCall({ from: '+12025550903', to: '+12025550200' });
    await waitFor(() => sim.bridges().some((b) => b.channels.includes(bridged.channelId)), 5000, 'bridged');

    await run.kill(first);
    await waitFor(() => !sim.connectedApps().includes('switchboard'), 5000, 'socket gone');
    // Nothing happens to the calls on Asterisk meanwhile: the bridged pair still talks.
    expect(sim.bridges()).toHaveLength(1);

    await run.start();
    const store = await run.openStore();
    try {
      for (const c of ringing) {
        // A deadline, not a speed target: on a loaded 2-core machine the restarted process alone
        // can take seconds to start and reconcile (this failed at 10 s with the load average at 10).
        const row = await waitFor(async () => ((await store.calls.get(c.channelId))?.outcome ? store.calls.get(c.channelId) : null), 30_000, 'ringing call finished');
        expect(row?.outcome).toBe('voicemail');
      }
      expect(sim.voicemails().map((v) => v.mailbox)).toEqual(['1001', '1001']);
      // The bridged call is still up, tracked by the new process: the caller hangs up now.
      expect((await store.calls.get(bridged.channelId))?.outcome).toBeNull();
      await sim.hangup(bridged.pstnChannelId);
      const row = await waitFor(async () => ((await store.calls.get(bridged.channelId))?.outcome ? store.calls.get(bridged.channelId) : null), 30_000, 'bridged call finished');
      expect(row?.outcome).toBe('answered');
      expect(row?.answeredBy).toEqual({ user: 'alice', device: 'desk' });
      for (const c of ringing) await sim.hangup(c.pstnChannelId);
      await waitFor(() => sim.channels().length === 0 && sim.bridges().length === 0, 5000, 'nothing left on the PBX');
      const all = await store.calls.list();
      expect(all).toHaveLength(3);
      // The resumable state is deleted after the row is written (its own write): wait for it.
      await waitFor(async () => (await store.calls.listStates()).length === 0, 5000, 'no resumable state left');
    } finally {
      await store.close();
    }
  }, 90_000);
});
