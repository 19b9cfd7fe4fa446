/**
 * The Asterisk call driven through its phases by ARI frames, against a fake REST (no socket, no
 * simulator): the bridge of every answered attempt is destroyed, and dispose() stops the routing of
 * every id the call took, a transfer target's included.
 */
import { describe, expect, it } from 'vitest';
import type { LegSpec } from '../../src/call/contract.js';
import { AsteriskCall } from '../../src/backend/asterisk/call.js';
import type { AriRest } from '../../src/backend/asterisk/rest.js';
import { silentLogger } from '../../src/log.js';
import { waitFor } from '../support/wait.js';

/** Every REST request the call made, and the ids routed to it (as the backend's table has them). */
function fakeDeps(opts: { addChannelsFails?: number } = {}) {
  const requests: string[] = [];
  const routed = new Map<string, unknown>();
  let failAdds = opts.addChannelsFails ?? 0;
  let seq = 0;
  const ok = async () => undefined;
  const rest = {
    ring: ok,
    answer: async (id: string) => void requests.push(`answer ${id}`),
    originate: async (p: { channelId: string }) => void requests.push(`originate ${p.channelId}`),
    createBridge: async (id: string) => void requests.push(`create ${id}`),
    addChannels: async (id: string) => {
      requests.push(`add ${id}`);
      if (failAdds-- > 0) throw new Error('Channel not found');
    },
    destroyBridge: async (id: string) => void requests.push(`destroy ${id}`),
    hangup: async (id: string) => void requests.push(`hangup ${id}`),
  } as unknown as AriRest;
  const deps = {
    rest,
    app: 'switchboard',
    voicemailContext: 'voicemail',
    templates: { endpoint: 'PJSIP/{endpoint}', trunk: 'PJSIP/{number}@trunk' },
    log: silentLogger(),
    register: (id: string, call: unknown) => (call ? routed.set(id, call) : routed.delete(id)),
    newId: () => `id-${seq++}`,
  };
  return { deps, requests, routed };
}

const spec = (key: string): LegSpec => ({ key, user: 'alice', device: 'desk', rule: 'number-user', endpoint: '1001', callerId: '+12025550999' });
const channel = (id: string) => ({ id });

describe('Asterisk call phases, frame by frame', () => {
  it('given a first answer that cannot be joined and a second that is, then both bridges are destroyed', async () => {
    const { deps, requests } = fakeDeps({ addChannelsFails: 1 });
    const call = new AsteriskCall({ id: 'caller' }, ['+12025550200'], deps);

    const first = call.ringAttempt([spec('a0')], 30);
    await waitFor(() => requests.includes('originate id-0'), 1000, 'first leg originated');
    call.onEvent({ type: 'StasisStart', channel: channel('id-0'), args: ['switchboard-leg'] });
    expect(await first).toMatchObject({ kind: 'failed', reason: 'the answered leg could not be bridged' });
    expect(requests).toContain('destroy id-1');

    const second = call.ringAttempt([spec('a1')], 30);
    await waitFor(() => requests.includes('originate id-2'), 1000, 'second leg originated');
    call.onEvent({ type: 'StasisStart', channel: channel('id-2'), args: ['switchboard-leg'] });
    expect(await second).toMatchObject({ kind: 'answered', answeredKey: 'a1' });

    // The phone hangs up: the call ends by the callee and the second bridge goes too.
    call.onEvent({ type: 'ChannelDestroyed', channel: channel('id-2'), cause: 16 });
    expect(await call.waitBridgeEnd()).toEqual({ by: 'callee' });
    await waitFor(() => requests.includes('destroy id-3'), 1000, 'second bridge destroyed');
    expect(requests.filter((r) => r.startsWith('destroy'))).toEqual(['destroy id-1', 'destroy id-3']);
  });

  it('given an adopted bridged call whose phone transfers, when the target hangs up, then the call ends as a transfer and dispose() routes nothing any more', async () => {
    const { deps, requests, routed } = fakeDeps();
    const call = new AsteriskCall({ id: 'caller' }, ['+12025550200'], deps);
    routed.set('caller', call); // the backend routes the caller's events from the start
    const snap = { legs: [{ key: 'a0', channelId: 'phone', user: 'alice', device: 'desk' as const }], winner: { key: 'a0', channelId: 'phone' }, bridgeId: 'br' };
    call.adopt(snap, 'bridged', new Map([['caller', {}], ['phone', {}]]));

    call.onEvent({ type: 'BridgeBlindTransfer', bridge: { id: 'br' }, exten: '2000', context: 'internal' });
    call.onEvent({ type: 'StasisStart', channel: channel('target'), replace_channel: channel('phone'), args: [] });
    // The phone leaving after its transfer ends nothing: the caller talks to the target.
    call.onEvent({ type: 'StasisEnd', channel: channel('phone') });
    expect(routed.has('target')).toBe(true);
    expect(requests).toEqual([]);

    // The target hangs up (its ChannelDestroyed may never come to us).
    call.onEvent({ type: 'ChannelHangupRequest', channel: channel('target'), cause: 16 });
    expect(await call.waitBridgeEnd()).toEqual({ by: 'transfer', transferTo: '2000@internal' });
    expect(requests).toEqual(['hangup caller', 'destroy br']);
    // Late and repeated events change nothing.
    call.onEvent({ type: 'StasisEnd', channel: channel('caller') });
    call.onEvent({ type: 'ChannelDestroyed', channel: channel('phone'), cause: 16 });
    expect(requests).toEqual(['hangup caller', 'destroy br']);

    call.dispose();
    expect([...routed.keys()]).toEqual([]);
  });
});
