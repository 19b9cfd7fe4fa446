/**
 * Device state on a real Asterisk with real SIP phones (spec section 6): SIPp desk phones REGISTER
 * with digest auth; the controller subscribes to their device and endpoint state. An unregistered
 * desk phone is never rung, a phone on a call Switchboard never placed (a CLI originate to it) is
 * passed over by skipBusy and the next member rings at once, a phone that registers again rings.
 * With SWITCHBOARD_RECORD_FIXTURES=1 the device events of the first test are written to
 * test/fixtures/asterisk-real/devices.jsonl; test/sim-ari/devices-replay.test.ts replays them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePbx, locateAsterisk } from '../support/locate.js';
import { REPO_ROOT } from '../../support/shared.js';
import { waitFor } from '../../support/wait.js';
import type { CallRecord } from '../../../src/call/record.js';
import { RealAsteriskHarness } from './harness.js';
import { Sipp } from './sipp.js';
import { freeUdpPort } from './instance.js';
import { OBSERVER_APP } from './config.js';
import { ariDeviceRecord, isAriDeviceEvent } from '../../support/device-record.js';

const asterisk = locateAsterisk();
const CARRIER = '+12025550777';
const hangupOnly = { unanswered: 'hangup', forwardToCompany: false } as const;
const CONFIG = {
  company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
  users: [
    // 150 users whose phones pjsip.conf does not define, listed first: their sources make the
    // subscription longer than Asterisk's 4,095-byte request line, and each is refused (422)
    // when its turn comes; the phones after them must still be followed (subscribe.ts).
    ...Array.from({ length: 150 }, (_, i) => ({ id: `x${i}`, name: `Not provisioned ${i}`, extension: String(3000 + i) })),
    { id: 'alice', name: 'Alice', extension: '1001', ring: ['desk' as const] },
    { id: 'bob', name: 'Bob', extension: '1002' },
    // carol's desk phone (1003) never registers; her softphone (1005) does.
    { id: 'carol', name: 'Carol', extension: '1003', app: '1005' },
    { id: 'dave', name: 'Dave', extension: '1004' },
  ],
  numbers: [
    { number: '+12025550401', user: 'carol', ringSeconds: 3, ...hangupOnly },
    { number: '+12025550402', user: 'dave', ringSeconds: 3, ...hangupOnly },
    { number: '+12025550403', distribution: 'busy' },
    { number: '+12025550404', user: 'bob', ringSeconds: 3, ...hangupOnly },
  ],
  ringGroups: [{ id: 'desks', strategy: 'linear' as const, members: ['alice', 'bob'], ringSeconds: 5, skipBusy: true }],
  distributions: [{ id: 'busy', steps: ['desks'], unanswered: 'hangup' as const }],
  endpoints: { asterisk: 'PJSIP/{endpoint}' },
  trunks: { default: { asterisk: 'PJSIP/{number}@carrier' } },
};
const REGISTERED = ['1001', '1002', '1005'];

describePbx('device state on a real Asterisk (registered SIPp desk phones)', asterisk, () => {
  if ('missing' in asterisk) return;
  const passwords = Object.fromEntries(['1001', '1002', '1003', '1004', '1005'].map((ext) => [ext, `pw-${ext}-${Math.random().toString(36).slice(2)}`]));
  let h: RealAsteriskHarness;
  let sipp: Sipp;
  let carrierPort: number;
  const uasPort: Record<string, number> = {};
  let recorded: Record<string, unknown>[] = [];
  const state = (ep: string) => h.controller.devices.get(ep);

  beforeAll(async () => {
    carrierPort = await freeUdpPort();
    h = new RealAsteriskHarness(asterisk, { sipPhones: passwords, carrierSourcePort: carrierPort });
    await h.start(CONFIG);
    sipp = new Sipp(h.inst.dir, h.inst);
    for (const ext of REGISTERED) uasPort[ext] = (await sipp.phone('answer', 200)).port;
  }, 120_000);

  afterAll(async () => {
    if (process.env.SWITCHBOARD_RECORD_FIXTURES === '1' && recorded.length > 0) {
      writeFileSync(join(REPO_ROOT, 'test/fixtures/asterisk-real/devices.jsonl'), recorded.map((r) => JSON.stringify(r)).join('\n') + '\n');
    }
    await sipp?.stop();
    await h?.stop();
  });

  /** The carrier calls `to`; `others`: channels that stay up meanwhile (a call placed outside Switchboard). */
  async function carrierCall(to: string, others = 0): Promise<CallRecord> {
    const from = h.observer.events.length;
    const c = await sipp.carrierCall({ to, from: CARRIER, talkMs: 1500, sourcePort: carrierPort });
    const callId = await waitFor(
      () => h.observer.events.slice(from).find((e) => e.type === 'ChannelCreated' && String(e.event.channel.name).startsWith('PJSIP/carrier-'))?.event.channel.id as string | undefined,
      10_000,
      `the carrier's INVITE for ${to}`,
    );
    const r = await h.waitForRecord({ callId }, 20_000);
    await c.done;
    await waitFor(() => h.live().channels === others && h.live().bridges === 0, 10_000, 'every channel and bridge of the call gone');
    return r;
  }

  /** A call Switchboard never placed: another ARI app (the test's observer) rings the phone, which answers. */
  async function foreignCall(ext: string): Promise<() => Promise<void>> {
    const res = await h.inst.ari('POST', '/channels', { endpoint: `PJSIP/${ext}`, app: OBSERVER_APP, callerId: '+12025550666' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const id = String(res.body.id);
    // The phone answers 200 ms after it rings, and Asterisk may report the device in use before
    // it reports it ringing: wait for the answer (the channel enters the observer's app when it
    // is up), so that a state seen afterwards is the call's, not its ringing.
    await waitFor(() => h.observer.events.some((e) => e.type === 'StasisStart' && e.event.channel?.id === id), 5000, `the call to ${ext} answered`);
    return async () => {
      await h.inst.ari('DELETE', `/channels/${id}`);
    };
  }

  it('given phones that register, take a call placed directly, unregister and register again, then the controller follows each step', async () => {
    const from = h.observer.events.length;
    // Seeded at connect (GET /endpoints, and the device state of an endpoint Asterisk calls unknown).
    await waitFor(() => ['1001', '1003'].every((ep) => state(ep) === 'unavailable'), 5000, 'unregistered phones unavailable after the seed');
    for (const ext of REGISTERED) await sipp.register(ext, passwords[ext]!, uasPort[ext]!);
    await waitFor(() => REGISTERED.every((ep) => state(ep) === 'idle'), 5000, 'three phones idle in the controller');
    expect([state('1003'), state('1004')]).toEqual(['unavailable', 'unavailable']);

    const end = await foreignCall('1001');
    await waitFor(() => state('1001') === 'in-use', 5000, '1001 in use');
    await end();
    await waitFor(() => state('1001') === 'idle', 5000, '1001 idle again');

    await sipp.register('1002', passwords['1002']!, uasPort['1002']!, 0);
    await waitFor(() => state('1002') === 'unavailable', 5000, '1002 unregistered');
    await sipp.register('1002', passwords['1002']!, uasPort['1002']!);
    await waitFor(() => state('1002') === 'idle', 5000, '1002 registered again');
    // The observer's own connection may see the last events after the controller's did.
    const mine = () => h.observer.events.slice(from).filter((e) => isAriDeviceEvent(e.type, e.event, ['1001', '1002', '1005']));
    await waitFor(() => mine().filter((e) => e.type === 'ContactStatusChange' && e.event.endpoint?.resource === '1002').length >= 3, 5000, 'the recording complete');
    recorded = mine().map((e) => ariDeviceRecord(e.type, e.event));
  });

  it('given a desk phone that is not registered, then it is never rung: a skipped leg beside her softphone, and a user with no other device is passed over', async () => {
    const r1 = await carrierCall('+12025550401');
    expect(r1.legs.map((l) => [l.device, l.result, l.cause])).toEqual([
      ['desk', 'skipped', null],
      ['app', 'answered', null],
    ]);
    const r2 = await carrierCall('+12025550402');
    expect(r2.passedOver).toEqual([{ user: 'dave', step: 'number-user', reason: 'not registered' }]);
    expect(r2.legs).toEqual([]);
    expect(h.observer.events.some((e) => e.type === 'ChannelCreated' && /^PJSIP\/100[34]-/.test(String(e.event.channel.name)))).toBe(false);
  });

  it('given alice on a call Switchboard never placed, then the skipBusy group passes her over and rings bob at once', async () => {
    const end = await foreignCall('1001');
    try {
      await waitFor(() => state('1001') === 'in-use', 5000, '1001 in use');
      const r = await carrierCall('+12025550403', 1);
      expect(r.passedOver).toEqual([{ user: 'alice', step: 'desks', reason: 'on a call' }]);
      expect(r.legs.map((l) => [l.user, l.result])).toEqual([['bob', 'answered']]);
      expect(r.ringSeconds!).toBeLessThan(2);
    } finally {
      await end().catch(() => {});
    }
    await waitFor(() => state('1001') === 'idle', 5000, '1001 idle again');
    await waitFor(() => h.live().channels === 0, 5000, 'the outside call gone');
  });

  it('given bob unregisters, then he is passed over; given he registers again, then his phone rings and answers', async () => {
    await sipp.register('1002', passwords['1002']!, uasPort['1002']!, 0);
    await waitFor(() => state('1002') === 'unavailable', 5000, '1002 unregistered');
    const r1 = await carrierCall('+12025550404');
    expect(r1.passedOver).toEqual([{ user: 'bob', step: 'number-user', reason: 'not registered' }]);
    expect(r1.legs).toEqual([]);
    await sipp.register('1002', passwords['1002']!, uasPort['1002']!);
    await waitFor(() => state('1002') === 'idle', 5000, '1002 registered again');
    const r2 = await carrierCall('+12025550404');
    expect(r2.passedOver).toEqual([]);
    expect(r2.legs.map((l) => [l.device, l.result])).toEqual([['desk', 'answered']]);
  });
});
