/**
 * Spec section 6 on the simulators (ARI with the real ari-client; ESL): device state is "seeded at start
 * and after every reconnect", and the controller "never waits on the PBX to plan a call".
 * - A phone that unregisters, and one that starts a call outside Switchboard, while the event
 *   WebSocket is down: the events are delivered to nobody, and the controller still has both
 *   states once it has reconnected (the seed), with no later event about them.
 * - A PBX whose `GET /endpoints` hangs (the seed): a call arriving meanwhile is planned and
 *   answered while that request is still unanswered.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsteriskHarness } from '../scenarios/asterisk-harness.js';
import { FreeswitchHarness } from '../scenarios/freeswitch-harness.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import type { SimEventRecord } from '../../src/sim/asterisk/index.js';
import { waitFor } from '../support/wait.js';

let h: AsteriskHarness;
let records: SimEventRecord[];

/** `p`, or a failure naming `what` after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Device events about `endpoint` (DeviceStateChanged, PeerStatusChange, ...) after index `from`. */
const aboutDevice = (endpoint: string, from = 0) =>
  records.slice(from).filter((r) => JSON.stringify(r.event).includes(`PJSIP/${endpoint}"`) || (r.event.endpoint as { resource?: string } | undefined)?.resource === endpoint);

describe('on the ARI simulator', () => {
  beforeEach(async () => {
    h = new AsteriskHarness();
    await h.start(SCENARIO_CONFIG);
    records = [];
    h.sim.events.on('event', (r: SimEventRecord) => records.push(r));
    for (const ep of ['1001', '1002', '1003']) h.setDevice({ endpoint: ep }, { kind: 'answer', afterMs: 50 });
  });

  afterEach(async () => {
    await h?.stop();
  });

  describe('device state seeded after every reconnect (ARI simulator)', () => {
    it('given a phone unregisters and another starts a call outside Switchboard while the WebSocket is down, then the controller has both states after it reconnects, from the seed', async () => {
      await waitFor(() => h.controller.devices.get('1003') === 'idle' && h.controller.devices.get('1001') === 'idle', 5000, 'the first seed');
      const mark = records.length;
      // Same tick: the sockets are closed before the phones change, so nobody gets those events.
      expect(h.sim.dropWebSockets()).toBeGreaterThan(0);
      h.sim.setRegistered('1003', false);
      h.sim.foreignCall('1001', true);
      const missed = [...aboutDevice('1003', mark), ...aboutDevice('1001', mark)];
      expect(missed.length).toBeGreaterThan(0);
      expect(missed.every((r) => !r.delivered)).toBe(true);

      await waitFor(() => h.controller.devices.get('1003') === 'unavailable' && h.controller.devices.get('1001') === 'in-use', 10_000, 'the states after the reconnect');
      // Nothing about either phone reached the controller since the drop: it was the seed.
      expect([...aboutDevice('1003', mark), ...aboutDevice('1001', mark)].filter((r) => r.delivered)).toEqual([]);

      // And calls route on it: carol's desk is skipped, alice is on a call for a skipBusy group.
      const call = await h.placeCall({ from: '+12025550999', to: '+12025550270', hangupAfterMs: 400 });
      const r = await h.waitForRecord(call);
      expect(r.passedOver).toEqual([{ user: 'alice', step: 'skip-busy', reason: 'on a call' }]);
      h.sim.foreignCall('1001', false);
    });
  });

  describe('a call never waits on the PBX to plan (ARI simulator)', () => {
    it("given the PBX's GET /endpoints hangs during the seed after a reconnect, then a call arriving meanwhile is planned, rung and answered before that request is answered", async () => {
      await waitFor(() => h.controller.devices.get('1003') === 'idle', 5000, 'the first seed');
      const slow = h.sim.holdRequests('GET', '/endpoints');
      try {
        h.sim.dropWebSockets();
        h.sim.setRegistered('1003', false); // delivered to nobody: only the held seed can tell
        await within(slow.held, 10_000, 'the seed request after the reconnect'); // the controller is waiting for its seed
        h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
        const call = await h.placeCall({ from: '+12025550999', to: '+12025550200' });
        await h.waitForAnswer(call);
        // The seed has not been answered yet (the controller still has 1003 as it was): the call did not wait for it.
        expect(h.controller.devices.get('1003')).toBe('idle');
        await h.hangupCaller(call);
        const r = await h.waitForRecord(call);
        expect(r.answeredBy).toEqual({ user: 'alice', device: 'desk' });
      } finally {
        slow.release();
      }
      // Once the PBX answers, the seed lands.
      await waitFor(() => h.controller.devices.get('1003') === 'unavailable', 5000, 'the seed once the PBX answered');
    });
  });
});

describe('device state seeded after every reconnect (ESL simulator)', () => {
  let fs: FreeswitchHarness;
  beforeEach(async () => {
    fs = new FreeswitchHarness();
    await fs.start(SCENARIO_CONFIG);
    for (const ep of ['1001', '1002', '1003']) fs.setDevice({ endpoint: ep }, { kind: 'answer', afterMs: 50 });
  });
  afterEach(async () => {
    await fs?.stop();
  });

  it('given a phone unregisters and another starts a call outside Switchboard while the inbound ESL connection is down, then the controller has both states after it reconnects, from the seed', async () => {
    const devices = fs.controller.devices;
    await waitFor(() => devices.get('1003') === 'idle' && devices.get('1001') === 'idle', 5000, 'the first seed');
    // Same tick: no inbound connection is left to hear these (show registrations / show channels must tell).
    expect(fs.sim.dropInbound()).toBeGreaterThan(0);
    fs.sim.setRegistered('1003', false);
    fs.sim.foreignCall('1001', true);
    expect([devices.get('1003'), devices.get('1001')]).toEqual(['idle', 'idle']);
    await waitFor(() => devices.get('1003') === 'unavailable' && devices.get('1001') === 'in-use', 10_000, 'the states after the reconnect');
    const call = await fs.placeCall({ from: '+12025550999', to: '+12025550270', hangupAfterMs: 400 });
    const r = await fs.waitForRecord(call);
    expect(r.passedOver).toEqual([{ user: 'alice', step: 'skip-busy', reason: 'on a call' }]);
    fs.sim.foreignCall('1001', false);
  });
});
