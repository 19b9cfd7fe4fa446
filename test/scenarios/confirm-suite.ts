/**
 * Spec section 8 end to end, written once and run against both simulators and both real PBXs:
 * press-1 confirmation on outside legs. Outside numbers answer and press a key (DeviceBehaviour
 * `press`) the way the PBX delivers it (ChannelDtmfReceived on Asterisk, DTMF events on
 * FreeSWITCH); the call log says what happened to each leg.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import type { CallRecord } from '../../src/call/record.js';
import type { ScenarioHarness } from './harness.js';
import type { SuiteOptions } from './suite.js';

const CALLER = '+12025550999';
const MIA_DESK = { endpoint: '1011' };
const MIA_MOBILE = { number: '+12025550121' };
const NOOR_MOBILE = { number: '+12025550122' };
const DAN_DESK = { endpoint: '1012' };
/** Time allowed to press the key: short, these are real timers. */
export const CONFIRM_SECONDS = 2;

export const CONFIRM_CONFIG: ConfigInput = {
  company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
  users: [
    { id: 'mia', name: 'Mia', extension: '1011', mobile: '+12025550121' },
    { id: 'noor', name: 'Noor', mobile: '+12025550122' },
    { id: 'dan', name: 'Dan', extension: '1012' },
  ],
  numbers: [
    { number: '+12025550400', user: 'mia', ringSeconds: 4, forwardToCompany: false, unanswered: 'hangup' },
    { number: '+12025550401', user: 'mia', ringSeconds: 1, forwardToCompany: false, unanswered: 'hangup' },
    { number: '+12025550402', user: 'mia', alsoRing: ['noor'], ringSeconds: 4, forwardToCompany: false, unanswered: 'hangup' },
    { number: '+12025550403', distribution: 'seq' },
  ],
  ringGroups: [{ id: 'lin', strategy: 'linear', members: ['noor', 'dan'], ringSeconds: 1 }],
  distributions: [{ id: 'seq', steps: ['lin'], unanswered: 'hangup' }],
  confirm: { devices: ['mobile', 'forward'], key: '1', seconds: CONFIRM_SECONDS, prompt: 'beep' },
};

/** Every scenario's title, for a backend that must name them all as skips. */
export const CONFIRM_TESTS = [
  'given a mobile that answers and presses 1, then it is bridged, and the caller was not answered before the key',
  'given a mobile that answers and presses 2, then it ends unconfirmed at once while the desk phone rings on and then answers',
  'given a mobile that answers and presses nothing, then it ends unconfirmed after its seconds while the desk phone rings on and then answers',
  'given a mobile that answers and hangs up without a key, then it ends unconfirmed and the desk phone still answers',
  'given the caller hangs up while a leg is confirming, then everything ends at once',
  'given a desk phone that answers while a mobile is confirming, then the desk phone wins at once',
  'given a mobile that answers near the end of the ring time, then it keeps its seconds past the ring time and its key bridges it',
  'given two mobiles that both confirm, then the first to press the key wins and the other is hung up',
  "given a sequential step, then a member's turn lasts while her mobile is confirming",
] as const;

const legs = (r: CallRecord) => r.legs.map((l) => [l.user, l.device, l.result]);

/** Run the confirmation scenarios against the harness `make` builds, minus the named skips. */
export function confirmSuite(make: () => ScenarioHarness, options: SuiteOptions = {}): void {
  const skipReason = new Map<string, string>();
  for (const s of options.skip ?? []) for (const t of s.tests) skipReason.set(t, s.reason);
  const test = (name: string, fn: () => Promise<void>): void => {
    if (!(CONFIRM_TESTS as readonly string[]).includes(name)) throw new Error(`confirm suite: ${name} is missing from CONFIRM_TESTS`);
    const reason = skipReason.get(name);
    if (reason !== undefined) it.skip(`${name} [skipped: ${reason}]`, fn);
    else it(name, fn, 30_000);
  };
  const unknown = [...skipReason.keys()].filter((t) => !(CONFIRM_TESTS as readonly string[]).includes(t));
  if (unknown.length > 0) throw new Error(`confirm suite: skip list names unknown tests: ${unknown.join('; ')}`);
  let h: ScenarioHarness;
  beforeAll(async () => {
    if (skipReason.size === CONFIRM_TESTS.length) return; // nothing runs: start no PBX
    h = make();
    await h.start(CONFIRM_CONFIG);
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });
  const noLeaks = async () => {
    const deadline = Date.now() + 3000;
    while ((h.live().channels > 0 || h.live().bridges > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(h.live()).toEqual({ channels: 0, bridges: 0 });
  };
  const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);

  describe('press-1 confirmation on outside legs', () => {
    test('given a mobile that answers and presses 1, then it is bridged, and the caller was not answered before the key', async () => {
      h.setDevice(MIA_DESK, { kind: 'noanswer' });
      h.setDevice(MIA_MOBILE, { kind: 'answer', afterMs: 200, press: { key: '1', afterMs: 700 } });
      const call = await h.placeCall({ from: CALLER, to: '+12025550400' });
      await h.waitForAnswer(call);
      await h.hangupCaller(call);
      const r = await h.waitForRecord(call);
      expect(r.outcome).toBe('answered');
      expect(r.answeredBy).toEqual({ user: 'mia', device: 'mobile' });
      expect(legs(r)).toEqual([
        ['mia', 'desk', 'cancelled'],
        ['mia', 'mobile', 'answered'],
      ]);
      // Answered by the key, 0.9 s in; not when the mobile picked up, 0.2 s in.
      expect(r.ringSeconds!).toBeGreaterThanOrEqual(0.8);
      await noLeaks();
    });

    test('given a mobile that answers and presses 2, then it ends unconfirmed at once while the desk phone rings on and then answers', async () => {
      h.setDevice(MIA_DESK, { kind: 'answer', afterMs: 2000 });
      h.setDevice(MIA_MOBILE, { kind: 'answer', afterMs: 200, press: { key: '2', afterMs: 300 } });
      const call = await h.placeCall({ from: CALLER, to: '+12025550400' });
      await h.waitForAnswer(call);
      await h.hangupCaller(call);
      const r = await h.waitForRecord(call);
      expect(r.outcome).toBe('answered');
      expect(r.answeredBy).toEqual({ user: 'mia', device: 'desk' });
      expect(legs(r)).toEqual([
        ['mia', 'desk', 'answered'],
        ['mia', 'mobile', 'unconfirmed'],
      ]);
      const mobile = r.legs[1]!;
      // The wrong key ended it there and then, not at the end of its 2 s, and well before the desk answered.
      expect(ms(mobile.endedAt) - ms(r.startedAt)).toBeLessThan(1500);
      expect(ms(mobile.endedAt)).toBeLessThan(ms(r.answeredAt));
      await noLeaks();
    });

    test('given a mobile that answers and presses nothing, then it ends unconfirmed after its seconds while the desk phone rings on and then answers', async () => {
      h.setDevice(MIA_DESK, { kind: 'answer', afterMs: 3200 });
      h.setDevice(MIA_MOBILE, { kind: 'answer', afterMs: 200 });
      const call = await h.placeCall({ from: CALLER, to: '+12025550400' });
      await h.waitForAnswer(call, 10_000);
      await h.hangupCaller(call);
      const r = await h.waitForRecord(call);
      expect(r.answeredBy).toEqual({ user: 'mia', device: 'desk' });
      expect(legs(r)).toEqual([
        ['mia', 'desk', 'answered'],
        ['mia', 'mobile', 'unconfirmed'],
      ]);
      const confirming = ms(r.legs[1]!.endedAt) - ms(r.startedAt);
      expect(confirming).toBeGreaterThanOrEqual(CONFIRM_SECONDS * 1000);
      expect(confirming).toBeLessThan(CONFIRM_SECONDS * 1000 + 1500);
      await noLeaks();
    });

    test('given a mobile that answers and hangs up without a key, then it ends unconfirmed and the desk phone still answers', async () => {
      h.setDevice(MIA_DESK, { kind: 'answer', afterMs: 2000 });
      h.setDevice(MIA_MOBILE, { kind: 'answer', afterMs: 200, talkMs: 400 });
      const call = await h.placeCall({ from: CALLER, to: '+12025550400' });
      await h.waitForAnswer(call);
      await h.hangupCaller(call);
      const r = await h.waitForRecord(call);
      expect(legs(r)).toEqual([
        ['mia', 'desk', 'answered'],
        ['mia', 'mobile', 'unconfirmed'],
      ]);
      await noLeaks();
    });

    test('given the caller hangs up while a leg is confirming, then everything ends at once', async () => {
      h.setDevice(MIA_DESK, { kind: 'noanswer' });
      h.setDevice(MIA_MOBILE, { kind: 'answer', afterMs: 200 });
      const call = await h.placeCall({ from: CALLER, to: '+12025550400', hangupAfterMs: 800 });
      const r = await h.waitForRecord(call);
      expect(r.outcome).toBe('abandoned');
      expect(r.answeredBy).toBeNull();
      expect(legs(r)).toEqual([
        ['mia', 'desk', 'cancelled'],
        ['mia', 'mobile', 'cancelled'],
      ]);
      // Not the mobile's 2 s, not the step's 4 s: the call ended with the caller.
      expect(r.durationSeconds!).toBeLessThan(1.8);
      await noLeaks();
    });

    test('given a desk phone that answers while a mobile is confirming, then the desk phone wins at once', async () => {
      h.setDevice(MIA_DESK, { kind: 'answer', afterMs: 800 });
      h.setDevice(MIA_MOBILE, { kind: 'answer', afterMs: 200 });
      const call = await h.placeCall({ from: CALLER, to: '+12025550400' });
      await h.waitForAnswer(call);
      await h.hangupCaller(call);
      const r = await h.waitForRecord(call);
      expect(r.answeredBy).toEqual({ user: 'mia', device: 'desk' });
      expect(legs(r)).toEqual([
        ['mia', 'desk', 'answered'],
        ['mia', 'mobile', 'cancelled'],
      ]);
      expect(r.ringSeconds!).toBeLessThan(CONFIRM_SECONDS);
      await noLeaks();
    });

    test('given a mobile that answers near the end of the ring time, then it keeps its seconds past the ring time and its key bridges it', async () => {
      h.setDevice(MIA_DESK, { kind: 'noanswer' });
      h.setDevice(MIA_MOBILE, { kind: 'answer', afterMs: 700, press: { key: '1', afterMs: 900 } });
      const call = await h.placeCall({ from: CALLER, to: '+12025550401' });
      await h.waitForAnswer(call);
      await h.hangupCaller(call);
      const r = await h.waitForRecord(call);
      expect(r.answeredBy).toEqual({ user: 'mia', device: 'mobile' });
      expect(legs(r)).toEqual([
        ['mia', 'desk', 'no-answer'],
        ['mia', 'mobile', 'answered'],
      ]);
      // The step's ring time is 1 s; the key came 1.6 s in.
      expect(r.ringSeconds!).toBeGreaterThan(1.2);
      await noLeaks();
    });

    test('given two mobiles that both confirm, then the first to press the key wins and the other is hung up', async () => {
      h.setDevice(MIA_DESK, { kind: 'noanswer' });
      h.setDevice(MIA_MOBILE, { kind: 'answer', afterMs: 200, press: { key: '1', afterMs: 1300 } });
      h.setDevice(NOOR_MOBILE, { kind: 'answer', afterMs: 300, press: { key: '1', afterMs: 300 } });
      const call = await h.placeCall({ from: CALLER, to: '+12025550402' });
      await h.waitForAnswer(call);
      await h.hangupCaller(call);
      const r = await h.waitForRecord(call);
      expect(r.answeredBy).toEqual({ user: 'noor', device: 'mobile' });
      expect(legs(r)).toEqual([
        ['mia', 'desk', 'cancelled'],
        ['mia', 'mobile', 'cancelled'],
        ['noor', 'mobile', 'answered'],
      ]);
      await noLeaks();
    });

    test('given a sequential step, then a member\'s turn lasts while her mobile is confirming', async () => {
      h.setDevice(NOOR_MOBILE, { kind: 'answer', afterMs: 600, press: { key: '1', afterMs: 1000 } });
      h.setDevice(DAN_DESK, { kind: 'answer', afterMs: 100 });
      const call = await h.placeCall({ from: CALLER, to: '+12025550403' });
      await h.waitForAnswer(call);
      await h.hangupCaller(call);
      const r = await h.waitForRecord(call);
      // Her turn is 1 s; she pressed the key 1.6 s in, and dan was never rung.
      expect(r.answeredBy).toEqual({ user: 'noor', device: 'mobile' });
      expect(legs(r)).toEqual([['noor', 'mobile', 'answered']]);
      await noLeaks();
    });
  });
}
