/**
 * Chaos on Asterisk: the event WebSocket dropped while a call rings and while it is bridged,
 * Asterisk (the simulator) restarted under the controller, and a flood of caller hang-ups during
 * originate. After each: no channel or bridge left on the PBX, one call-log row per call, and no
 * unhandled rejection. (The SIGKILL restart has its own file: it runs the controller as a process.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AsteriskHarness } from '../scenarios/asterisk-harness.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { AriSimulator } from '../../src/sim/asterisk/index.js';
import type { AsteriskBackend } from '../../src/backend/asterisk/backend.js';
import { waitFor } from '../support/wait.js';

const CALLER = '+12025550999';
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

describe('chaos on Asterisk', () => {
  const h = new AsteriskHarness();

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    await h.start(SCENARIO_CONFIG);
  });
  afterAll(async () => {
    await h.stop();
    process.off('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    // Every scenario leaves the PBX empty and the controller with nothing in progress.
    await waitFor(() => h.live().channels === 0 && h.live().bridges === 0, 5000, 'no channel or bridge left');
    await waitFor(() => h.controller.activeCalls === 0, 5000, 'no call in progress');
    // Per-channel event routes go with their channels: nothing is left registered.
    await waitFor(() => (h.controller.backend as AsteriskBackend).activeCalls() === 0, 5000, 'no event route left');
    expect(unhandled).toEqual([]);
  });

  const connected = () => waitFor(() => h.sim.connectedApps().includes('switchboard'), 10_000, 'controller reconnected');

  it('given the WebSocket drops while it rings, then an answer after the reconnect is bridged', async () => {
    h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 600 });
    h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
    const originates = h.sim.originates().length;
    const call = await h.placeCall({ from: CALLER, to: '+12025550200', hangupAfterMs: 1500 });
    await waitFor(() => h.sim.originates().length >= originates + 2, 3000, 'legs originated');
    h.sim.dropWebSockets();
    const r = await h.waitForRecord(call, 10_000);
    expect(r.outcome).toBe('answered');
    expect(r.answeredBy).toEqual({ user: 'alice', device: 'desk' });
    await connected();
  });

  it('given a phone answers inside the WebSocket gap, then that leg is lost but the call goes on to its final action', async () => {
    // With no socket the app is inactive: the answered leg cannot enter Stasis and Asterisk hangs it
    // up (trace g2's "not active"); the StasisStart is never sent. The call must not hang on it.
    h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 30 });
    h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
    const originates = h.sim.originates().length;
    const call = await h.placeCall({ from: CALLER, to: '+12025550200' });
    await waitFor(() => h.sim.originates().length >= originates + 2, 3000, 'legs originated');
    h.sim.dropWebSockets();
    const r = await h.waitForRecord(call, 10_000);
    expect(r.outcome).toBe('voicemail');
    expect(r.legs.map((l) => [l.user, l.result])).toEqual([
      ['alice', 'failed'],
      ['bob', 'no-answer'],
    ]);
    await h.hangupCaller(call);
    await connected();
  });

  it('given the WebSocket drops while the call is bridged, then the call goes on and ends normally', async () => {
    h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 20 });
    h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
    const call = await h.placeCall({ from: CALLER, to: '+12025550200' });
    await h.waitForAnswer(call);
    h.sim.dropWebSockets();
    await h.hangupCaller(call); // the hang-up event may be lost in the gap: reconcile finds it
    const r = await h.waitForRecord(call, 10_000);
    expect(r.outcome).toBe('answered');
    await connected();
  });

  it('given Asterisk restarts under the controller, then the lost call is closed and new calls work', async () => {
    h.setDevice({ endpoint: '1001' }, { kind: 'noanswer' });
    h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
    const call = await h.placeCall({ from: CALLER, to: '+12025550200' });
    await waitFor(() => h.sim.channels().length >= 4, 3000, 'legs ringing');
    const port = Number(new URL(h.sim.url).port);
    await h.sim.stop();
    h.sim = await AriSimulator.start({ port, username: 'switchboard', password: 'test-secret' });
    await connected();
    const lost = await h.waitForRecord(call, 10_000);
    expect(lost.outcome).toBe('abandoned');

    h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 20 });
    h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
    const next = await h.placeCall({ from: CALLER, to: '+12025550200', hangupAfterMs: 300 });
    expect((await h.waitForRecord(next)).outcome).toBe('answered');
  });

  it('given calls arriving while the controller reconciles after a reconnect, then no new call is taken for a lost one', async () => {
    // Reconcile compares tracked calls with a snapshot of Asterisk; calls and legs that appear while
    // the snapshot is in flight are not in it and must not be taken for hung up (the soak found this).
    h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 150 });
    h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
    const calls = [];
    for (let i = 0; i < 40; i++) {
      if (i === 10) h.sim.dropWebSockets();
      // While no socket is connected, Stasis() fails and the call takes the fail-safe route: no row.
      if (!h.sim.connectedApps().includes('switchboard')) {
        await connected();
      }
      calls.push(await h.placeCall({ from: CALLER, to: '+12025550200', hangupAfterMs: 4000 }));
      await new Promise((r) => setImmediate(r));
    }
    // A call that met the app with no socket took the fail-safe route: no row for it.
    const handled = calls.filter((c) => !h.sim.failsafeCalls().some((f) => f.channelId === c.callId));
    expect(handled.length).toBeGreaterThan(20);
    const records = await Promise.all(handled.map((c) => h.waitForRecord(c, 15_000)));
    // Answered, or (a leg whose answer fell into the gap is lost) voicemail after the ring time;
    // never abandoned: every caller stays on the line for 4 s.
    for (const r of records) expect(['answered', 'voicemail'], `${r.id}: ${r.outcome}`).toContain(r.outcome);
    for (const c of calls) await h.hangupCaller(c).catch(() => undefined);
  });
  // The flood of caller hang-ups during originate is in the shared suite (test/scenarios/suite.ts, chaos).
});
