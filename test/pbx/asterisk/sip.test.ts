/**
 * Real SIP on a real Asterisk: SIPp plays the carrier (a UAC sending INVITEs into the PJSIP trunk
 * endpoint) and desk phones that register with a digest REGISTER and then answer (1001), refuse
 * with 486 (1002) or 603 (1003), ring forever (1004), or never register (1005: passed over, spec
 * section 6). The call log's leg results and causes are checked against spec section 3. Everything Asterisk sends meanwhile
 * (channel, endpoint, contact and device state events as phones register, unregister and take
 * calls) is recorded; SWITCHBOARD_RECORD_FIXTURES=1 writes it to test/fixtures/asterisk-real/,
 * which test/sim-ari/real-sip-replay.test.ts replays against the simulator.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describePbx, locateAsterisk } from '../support/locate.js';
import { REPO_ROOT } from '../../support/shared.js';
import { waitFor } from '../../support/wait.js';
import type { CallRecord } from '../../../src/call/record.js';
import { RealAsteriskHarness } from './harness.js';
import { Sipp, type PhoneKind } from './sipp.js';
import { freeUdpPort } from './instance.js';
import { fixtureLines } from './fixture.js';

const asterisk = locateAsterisk();
const PHONES: Record<string, PhoneKind | 'unregistered'> = { '1001': 'answer', '1002': 'busy', '1003': 'decline', '1004': 'noanswer', '1005': 'unregistered' };
const CARRIER = '+12025550777';

const hangupOnly = { unanswered: 'hangup', forwardToCompany: false } as const;
const CONFIG = {
  company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
  users: [
    { id: 'alice', name: 'Alice', extension: '1001' },
    { id: 'bob', name: 'Bob', extension: '1002' },
    { id: 'carol', name: 'Carol', extension: '1003' },
    { id: 'dave', name: 'Dave', extension: '1004' },
    { id: 'erin', name: 'Erin', extension: '1005' },
  ],
  numbers: [
    { number: '+12025550200', user: 'alice', alsoRing: ['dave'], ringSeconds: 5, ...hangupOnly },
    { number: '+12025550201', user: 'bob', ringSeconds: 5, ...hangupOnly },
    { number: '+12025550202', user: 'carol', ringSeconds: 5, ...hangupOnly },
    { number: '+12025550203', user: 'dave', ringSeconds: 2, ...hangupOnly },
    { number: '+12025550204', user: 'erin', ringSeconds: 5, ...hangupOnly },
  ],
  // The real trunk and endpoints: PJSIP, as shipped.
  endpoints: { asterisk: 'PJSIP/{endpoint}' },
  trunks: { default: { asterisk: 'PJSIP/{number}@carrier' } },
};

describePbx('real SIP on a real Asterisk: SIPp carrier and registered SIPp desk phones', asterisk, () => {
  if ('missing' in asterisk) return;
  const passwords = Object.fromEntries(Object.keys(PHONES).map((ext) => [ext, `pw-${ext}-${Math.random().toString(36).slice(2)}`]));
  let h: RealAsteriskHarness;
  let sipp: Sipp;
  let carrierPort: number;
  const uasPort: Record<string, number> = {};
  const calls: { name: string; callId: string }[] = [];

  beforeAll(async () => {
    carrierPort = await freeUdpPort();
    h = new RealAsteriskHarness(asterisk, { sipPhones: passwords, carrierSourcePort: carrierPort });
    await h.start(CONFIG);
    sipp = new Sipp(h.inst.dir, h.inst);
    for (const [ext, kind] of Object.entries(PHONES)) {
      if (kind === 'unregistered') continue;
      uasPort[ext] = (await sipp.phone(kind, 300)).port;
      await sipp.register(ext, passwords[ext]!, uasPort[ext]!);
    }
    await waitFor(async () => (await h.inst.cli('pjsip show contacts')).match(/Contact:\s+10\d\d\//g)?.length === 4, 10_000, 'four registered contacts');
  }, 120_000);

  afterAll(async () => {
    if (process.env.SWITCHBOARD_RECORD_FIXTURES === '1' && h?.observer) {
      const dir = join(REPO_ROOT, 'test/fixtures/asterisk-real');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'sip-calls.jsonl'), fixtureLines(h.observer.events, calls, { carrierPort, sipPort: h.inst.sipPort, uasPort }).join('\n') + '\n');
    }
    await sipp?.stop();
    await h?.stop();
  });

  /** The carrier calls `to`; resolves with the finished call-log row. */
  async function carrierCall(name: string, to: string, talkMs = 1500): Promise<CallRecord> {
    // From the event log, not the live channels: a refused call can come and go between two looks.
    const from = h.observer.events.length;
    const c = await sipp.carrierCall({ to, from: CARRIER, talkMs, sourcePort: carrierPort });
    const callId = await waitFor(
      () => h.observer.events.slice(from).find((e) => e.type === 'ChannelCreated' && String(e.event.channel.name).startsWith('PJSIP/carrier-'))?.event.channel.id as string | undefined,
      10_000,
      `the carrier's INVITE for ${to} as a PJSIP/carrier channel`,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${Sipp.trace(c)}`);
    });
    calls.push({ name, callId });
    const r = await h.waitForRecord({ callId }, 20_000);
    await c.done; // the carrier's dialog is over too (BYE answered, or the refusal ACKed)
    await waitFor(() => h.live().channels === 0 && h.live().bridges === 0, 10_000, 'every channel and bridge gone');
    return r;
  }

  it('given the phones registered with digest auth, then Asterisk reported each endpoint online, and the unregistered one never', () => {
    const online = h.observer.events.filter((e) => e.type === 'PeerStatusChange' && e.event.endpoint?.state === 'online').map((e) => e.event.endpoint.resource);
    expect(online.sort()).toEqual(['1001', '1002', '1003', '1004']);
  });

  const legs = (r: CallRecord) => r.legs.map((l) => [l.endpoint, l.result, l.cause]);

  it('given the carrier calls alice, when her phone answers, then she is bridged and the alsoRing phone is cancelled', async () => {
    const r = await carrierCall('answered', '+12025550200');
    expect(r.from).toBe(CARRIER);
    expect(r.to).toBe('+12025550200');
    expect(r.outcome).toBe('answered');
    expect(r.answeredBy).toEqual({ user: 'alice', device: 'desk' });
    expect(legs(r)).toEqual([
      ['1001', 'answered', null],
      ['1004', 'cancelled', 26],
    ]);
  });

  it('given a phone that answers 486 Busy Here, then the leg is busy with cause 17 at once', async () => {
    const r = await carrierCall('busy', '+12025550201');
    expect(legs(r)).toEqual([['1002', 'busy', 17]]);
    expect(r.outcome).toBe('dropped');
    expect(r.durationSeconds!).toBeLessThan(2.5); // ring time 5 s
  });

  it('given a phone that answers 603 Decline, then the leg is rejected with cause 21', async () => {
    const r = await carrierCall('declined', '+12025550202');
    expect(legs(r)).toEqual([['1003', 'rejected', 21]]);
    expect(r.outcome).toBe('dropped');
  });

  it('given a phone that rings and never answers, then the leg is no-answer after the ring time', async () => {
    const r = await carrierCall('no answer', '+12025550203');
    expect(legs(r).map(([e, res]) => [e, res])).toEqual([['1004', 'no-answer']]);
    expect(r.durationSeconds!).toBeGreaterThanOrEqual(2);
    expect(r.outcome).toBe('dropped');
  });

  it('given a phone that is not registered, then it is never dialled: its only user is passed over (not registered) at once', async () => {
    const r = await carrierCall('unregistered', '+12025550204');
    expect(r.passedOver).toEqual([{ user: 'erin', step: 'number-user', reason: 'not registered' }]);
    expect(legs(r)).toEqual([]);
    expect(r.outcome).toBe('dropped');
    expect(r.durationSeconds!).toBeLessThan(2.5);
  });

  it('given a phone that unregisters, then Asterisk reports its endpoint offline and its user is passed over while the alsoRing phone rings', async () => {
    await sipp.register('1001', passwords['1001']!, uasPort['1001']!, 0);
    // Asterisk 22 reports it as PeerStatusChange / ContactStatusChange, not EndpointStateChange.
    await waitFor(() => h.observer.events.some((e) => e.type === 'PeerStatusChange' && e.event.endpoint?.resource === '1001' && e.event.endpoint?.state === 'offline'), 10_000, 'endpoint 1001 offline');
    const r = await carrierCall('unregistered after unregister', '+12025550200');
    expect(r.passedOver).toEqual([{ user: 'alice', step: 'number-user', reason: 'not registered' }]);
    expect(legs(r)).toEqual([['1004', 'no-answer', expect.any(Number)]]);
  });
});
