/**
 * Spec section 6 on a real Asterisk with registered SIPp phones: device state is "seeded at start
 * and after every reconnect". The controller reaches ARI through a proxy the test cuts (a network
 * drop of the controller's connection alone); while it is down, bob's phone unregisters and alice's
 * takes a call placed outside Switchboard (the test's own ARI connection, direct, sees both
 * happen). No event about them can reach the controller then; once the proxy lets it back in, the
 * controller has both states at once, from its seed (`GET /endpoints`).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePbx, locateAsterisk } from '../support/locate.js';
import { waitFor } from '../../support/wait.js';
import { CutProxy } from '../../support/cut-proxy.js';
import { RealAsteriskHarness } from './harness.js';
import { Sipp } from './sipp.js';
import { OBSERVER_APP } from './config.js';

const asterisk = locateAsterisk();
const CONFIG = {
  company: { name: 'Acme', voicemail: '9000' },
  users: [
    { id: 'alice', name: 'Alice', extension: '1001' },
    { id: 'bob', name: 'Bob', extension: '1002' },
  ],
  numbers: [
    { number: '+12025550401', user: 'bob', ringSeconds: 3, unanswered: 'hangup' as const, forwardToCompany: false },
    { number: '+12025550402', user: 'alice', skipBusy: true, ringSeconds: 3, unanswered: 'hangup' as const, forwardToCompany: false },
  ],
  endpoints: { asterisk: 'PJSIP/{endpoint}' },
  trunks: { default: { asterisk: 'PJSIP/{number}@carrier' } },
};
const PHONES = ['1001', '1002'];

describePbx('device state seeded after a reconnect on a real Asterisk (SIPp phones, the ARI connection cut)', asterisk, () => {
  if ('missing' in asterisk) return;
  const passwords = Object.fromEntries(PHONES.map((ext) => [ext, `pw-${ext}-${Math.random().toString(36).slice(2)}`]));
  let h: RealAsteriskHarness;
  let proxy: CutProxy | undefined;
  let sipp: Sipp;
  const uasPort: Record<string, number> = {};
  const state = (ep: string) => h.controller.devices.get(ep);

  beforeAll(async () => {
    h = new RealAsteriskHarness(asterisk, { sipPhones: passwords });
    h.controllerAriUrl = async (url) => {
      proxy = await CutProxy.start({ host: '127.0.0.1', port: Number(new URL(url).port) });
      return proxy.via(url);
    };
    await h.start(CONFIG);
    sipp = new Sipp(h.inst.dir, h.inst);
    for (const ext of PHONES) {
      uasPort[ext] = (await sipp.phone('answer', 200)).port;
      await sipp.register(ext, passwords[ext]!, uasPort[ext]!);
    }
    await waitFor(() => PHONES.every((ep) => state(ep) === 'idle'), 5000, 'both phones idle in the controller');
  }, 120_000);

  afterAll(async () => {
    proxy?.restore();
    await sipp?.stop();
    await h?.stop();
    await proxy?.stop();
  });

  it('given bob unregisters and alice takes a call placed outside Switchboard while the controller is cut off, then it has both states right after it reconnects', async () => {
    const from = h.observer.events.length;
    proxy!.cut();
    await waitFor(() => h.controller.disconnectedReason() !== null, 10_000, 'the controller to see its connection gone');

    await sipp.register('1002', passwords['1002']!, uasPort['1002']!, 0);
    await waitFor(() => h.observer.events.slice(from).some((e) => e.type === 'PeerStatusChange' && e.event.endpoint?.resource === '1002' && e.event.endpoint?.state === 'offline'), 5000, 'Asterisk reporting 1002 offline');
    const res = await h.inst.ari('POST', '/channels', { endpoint: 'PJSIP/1001', app: OBSERVER_APP, callerId: '+12025550666' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const outside = String(res.body.id);
    try {
      // Answered: from here on the phone is on that call (not ringing for it).
      await waitFor(() => h.observer.events.some((e) => e.type === 'StasisStart' && e.event.channel?.id === outside), 5000, 'the outside call to 1001 answered');
      // The controller could not have heard of either.
      expect([state('1001'), state('1002')]).toEqual(['idle', 'idle']);
      expect(h.controller.disconnectedReason()).not.toBeNull();

      proxy!.restore();
      await waitFor(() => h.controller.disconnectedReason() === null, 30_000, 'the controller reconnected');
      await waitFor(() => state('1001') === 'in-use' && state('1002') === 'unavailable', 5000, 'both states after the reconnect (the seed)');

      // And calls route on it at once: nobody is rung, both are passed over for what the seed said.
      const toBob = await call('+12025550401');
      expect(toBob.passedOver).toEqual([{ user: 'bob', step: 'number-user', reason: 'not registered' }]);
      expect(toBob.legs).toEqual([]);
      const toAlice = await call('+12025550402');
      expect(toAlice.passedOver).toEqual([{ user: 'alice', step: 'number-user', reason: 'on a call' }]);
      expect(toAlice.legs).toEqual([]);
    } finally {
      await h.inst.ari('DELETE', `/channels/${outside}`);
      await sipp.register('1002', passwords['1002']!, uasPort['1002']!).catch(() => undefined);
    }
    await waitFor(() => state('1001') === 'idle' && state('1002') === 'idle', 5000, 'both phones idle again');
  });

  /** A call into the shipped [from-trunk] (a Local channel as the carrier), and its finished row. */
  async function call(to: string) {
    const placed = await h.placeCall({ from: '+12025550999', to });
    return h.waitForRecord(placed, 15_000);
  }
});
