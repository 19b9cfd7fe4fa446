/**
 * Spec 3: after the bridge, a transfer made by the answering phone is not a hang-up: the caller
 * goes where the phone sent them, and the call log says so. On Asterisk the target is swapped
 * into our Stasis bridge in the phone's place (StasisStart with replace_channel).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsteriskHarness } from './asterisk-harness.js';
import { SCENARIO_CONFIG } from './suite.js';
import { waitFor } from '../support/wait.js';

describe('transfers on Asterisk', () => {
  const h = new AsteriskHarness();
  beforeAll(() => h.start(SCENARIO_CONFIG));
  afterAll(() => h.stop());

  it('given the answering phone blind-transfers the caller, then the caller stays connected to the target and the log says transferred', async () => {
    h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 20 });
    h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
    const call = await h.placeCall({ from: '+12025550999', to: '+12025550200' });
    await h.waitForAnswer(call);
    const phone = h.sim.bridges().find((b) => b.channels.includes(call.callId))!.channels.find((c) => c !== call.callId)!;

    await h.sim.transfer(phone, { kind: 'blind', exten: 'answer', context: 'sim' });
    // The phone is gone, the caller is still bridged: with the transfer target, not hung up.
    await waitFor(() => !h.sim.channels().some((c) => c.id === phone), 3000, 'the phone left');
    const bridge = await waitFor(() => h.sim.bridges().find((b) => b.channels.includes(call.callId) && b.channels.length === 2), 3000, 'caller bridged to the target');
    expect(bridge.channels.some((c) => c !== call.callId && c !== phone)).toBe(true);
    expect((await h.controller.store.calls.get(call.callId))?.outcome).toBeNull();

    await h.hangupCaller(call);
    const r = await h.waitForRecord(call);
    expect(r.outcome).toBe('answered');
    expect(r.answeredBy).toEqual({ user: 'alice', device: 'desk' });
    expect(r.detail).toBe('transferred to answer@sim');
    await waitFor(() => h.live().channels === 0 && h.live().bridges === 0, 3000, 'nothing left');
  });

  it('given a transferred call, when the target hangs up, then the caller is hung up and the call ends', async () => {
    h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 20 });
    const call = await h.placeCall({ from: '+12025550999', to: '+12025550200' });
    await h.waitForAnswer(call);
    const phone = h.sim.bridges().find((b) => b.channels.includes(call.callId))!.channels.find((c) => c !== call.callId)!;
    await h.sim.transfer(phone, { kind: 'blind', exten: 'answer', context: 'sim' });
    const bridge = await waitFor(() => h.sim.bridges().find((b) => b.channels.includes(call.callId) && !b.channels.includes(phone) && b.channels.length === 2), 3000, 'target bridged');
    await h.sim.hangup(bridge.channels.find((c) => c !== call.callId)!);
    const r = await h.waitForRecord(call);
    expect(r.outcome).toBe('answered');
    expect(r.detail).toBe('transferred to answer@sim');
    await waitFor(() => h.live().channels === 0 && h.live().bridges === 0, 3000, 'nothing left');
  });
});
