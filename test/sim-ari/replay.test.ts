/**
 * Replays each reference recording of a real Asterisk 22 against the simulator: the same REST calls
 * (recorded ids mapped to the simulator's), the trace's dial strings mapped to device behaviours, and
 * the event sequences compared as (type, channel role, dialstatus, cause, ...) tuples, in order.
 *
 * Where Asterisk's own order is not deterministic (two threads: e.g. a Local ;2 half's state change
 * racing the ;1 half's StasisStart in trace f), the recorded order of the other traces is what the
 * simulator produces; such spots are listed in `reorder` per trace and compared as sets.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { AriSimulator } from '../../src/sim/asterisk/index.js';
import { describeShared, sharedPath } from '../support/shared.js';
import { waitFor } from '../support/wait.js';
import { connectClient, startSim, type AriClient } from './helpers.js';
import { loadTrace, replay, type ReplayPlan, type TraceLine } from './replay.js';

const TRACES: Record<string, string> = {
  a: 'a-answer-after-5s-bridged-caller-hangs-up.jsonl',
  b: 'b-no-answer-8s-then-voicemail.jsonl',
  c: 'c-target-busy.jsonl',
  d1: 'd1-target-congestion.jsonl',
  d2: 'd2-unreachable-pjsip-endpoints.jsonl',
  e: 'e-caller-hangs-up-while-ringing.jsonl',
  f: 'f-simultaneous-ring-second-answers.jsonl',
  g: 'g-websocket-drop-and-reconnect-while-bridged.jsonl',
  g2: 'g2-new-call-while-websocket-down.jsonl',
  p: 'p-pjsip-trunk-call-to-desk-phones.jsonl',
};

let sim: AriSimulator;
let client: AriClient;

/** Stop the app's WebSocket and wait until the simulator sees it gone. */
async function stopClient(): Promise<void> {
  client.stop();
  await waitFor(() => !sim.connectedApps().includes('switchboard'), 3000, 'app inactive');
}

/** Start the app again (ari-client's start() after stop()). */
async function restartClient(): Promise<void> {
  const up = new Promise<void>((resolve) => client.on('WebSocketConnected', () => resolve()));
  await client.start('switchboard');
  await up;
}

const PLANS: Record<string, ReplayPlan> = {
  // Two targets dialled at once: Asterisk runs each dial in its own thread, so how their events
  // interleave (and whether a Local ;2 half's state change lands before or after the ;1 half's
  // StasisStart) is not deterministic. Compared per channel role, in order, plus as a whole multiset.
  f: { concurrent: true },
  // The create+dial attempts (seq 32–50) use POST /channels/create + /dial, which the simulator does
  // not implement; the dead contact's 30 s originate timeout is shortened to 1 s.
  d2: {
    skip: (l) => l.seq >= 32 && l.seq <= 50,
    query: (l, q) => (q.endpoint === 'PJSIP/5550000@carrier' ? { ...q, timeout: '1' } : q),
  },
  // Tearing down a Local pair runs on two threads too: the ;1 half's ChannelDestroyed lands before
  // the ;2 half's soft hangup in traces f and g, after its ChannelDestroyed in trace a.
  g: {
    concurrent: true,
    actions: [
      { seq: 34, run: async () => {
        const up = new Promise<void>((resolve) => client.on('WebSocketConnected', () => resolve()));
        expect(sim.dropWebSockets()).toBe(1);
        await up;
      } },
      { seq: 44, run: stopClient },
      { seq: 52, run: restartClient },
    ],
  },
  g2: {
    actions: [
      { seq: 4, run: stopClient },
      { seq: 13, run: restartClient },
      { seq: 30, run: stopClient },
      { seq: 38, run: restartClient },
    ],
  },
  p: {
    actions: [
      { seq: 4, run: async (ctx) => {
        await ctx.sim.placeInboundCall({ from: '+4930555000', to: '5551234', via: 'pjsip' });
      } },
      // The carrier's BYE came 20 s after the answer, right before its RTP statistics (seq 64).
      { seq: 64, run: async (ctx) => ctx.sim.hangup(ctx.simId('PJSIP/carrier#1')) },
    ],
  },
};

/** Each channel role's own event sequence. */
function byRole(tuples: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of tuples) {
    const role = t.split(' ')[1] ?? '';
    (out[role] ??= []).push(t);
  }
  return out;
}

describeShared('ARI simulator replays the reference recordings', () => {
  beforeEach(async () => {
    sim = await startSim({ stasisArgs: ['inbound'], simTimeScale: 0.01, contexts: { voicemail: 'voicemail' } });
    sim.setDevice('PJSIP/1001', { kind: 'answer', afterMs: 0 });
    sim.setDevice('PJSIP/1002', { kind: 'busy' });
    sim.setDevice('PJSIP/1003', { kind: 'rejected' });
    sim.setDevice('PJSIP/5550000@carrier', { kind: 'dead-contact' });
    client = await connectClient(sim);
  });

  afterEach(async () => {
    client.stop();
    await sim.stop();
  });

  it.each(Object.keys(TRACES))('trace %s: same events in the same order, same causes, same HTTP statuses', async (name) => {
    // given the recording and the same device set-up
    const lines: TraceLine[] = loadTrace(sharedPath('asterisk-reference/traces', TRACES[name] ?? ''));
    // when the recorded REST calls are replayed
    const res = await replay(sim, lines, PLANS[name] ?? {});
    // then
    expect(res.statuses.filter((s) => s.recorded !== s.simulated)).toEqual([]);
    if (PLANS[name]?.concurrent) {
      expect(byRole(res.simulated)).toEqual(byRole(res.recorded));
      expect([...res.simulated].sort()).toEqual([...res.recorded].sort());
    } else {
      expect(res.simulated).toEqual(res.recorded);
    }
    expect(sim.channels()).toEqual([]);
  }, 20_000);
});
