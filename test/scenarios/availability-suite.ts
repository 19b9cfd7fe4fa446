/**
 * Spec section 6 end to end, part of the scenario suite (suite.ts runs these on every harness):
 * where `skipBusy` applies (a number's covers its distribution and its whenClosed route, a group's
 * own applies wherever the group rings), and availability read again when each member's turn in a
 * sequential step starts, both ways. "On a call" is a Switchboard call here, so that the real-PBX
 * harnesses (Local / loopback phones, no device state) run them too; the PBX-reported kind is in
 * suite.ts and the real-PBX devices tests.
 */
import { describe, expect } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import type { PlacedCall, ScenarioHarness } from './harness.js';
import { waitFor } from '../support/wait.js';

const CALLER = '+12025550997';
const localMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/** One linear group (alice, then bob: its cursor starts at 0) per turn scenario, each called once. */
export const TURN_NUMBERS = { dnd: '+12025550361', busy: '+12025550362', free: '+12025550363', unregistered: '+12025550364', 'dnd-off': '+12025550365' } as const;
type Turn = keyof typeof TURN_NUMBERS;
const TURNS = Object.keys(TURN_NUMBERS) as Turn[];

/** What these scenarios add to the suite's config (merged into SCENARIO_CONFIG). */
export const AVAILABILITY_CONFIG = {
  numbers: [
    // A simultaneous group without skipBusy, from a number with it, open and closed, and one without.
    { number: '+12025550330', distribution: 'plain', skipBusy: true },
    { number: '+12025550340', user: 'carol', schedule: 'closed-now', whenClosed: { distribution: 'plain' }, skipBusy: true },
    { number: '+12025550370', distribution: 'plain' },
    // The group `skip-busy` (skipBusy: true) from a second number, this one with skipBusy (+12025550270 has none).
    { number: '+12025550350', distribution: 'busy-line', skipBusy: true },
    ...TURNS.map((t) => ({ number: TURN_NUMBERS[t], distribution: `turns-${t}` })),
  ],
  ringGroups: [
    { id: 'plain', strategy: 'simultaneous', members: ['alice', 'bob'], ringSeconds: 3 },
    // Long enough turns for the change made while alice rings to land before bob's turn.
    ...TURNS.map((t) => ({ id: `turns-${t}`, strategy: 'linear' as const, members: ['alice', 'bob'], ringSeconds: 4, skipBusy: true })),
  ],
  distributions: [
    { id: 'plain', steps: ['plain'], unanswered: 'hangup' },
    ...TURNS.map((t) => ({ id: `turns-${t}`, steps: [`turns-${t}`], unanswered: 'hangup' as const })),
  ],
  schedules: [
    {
      id: 'closed-now',
      timezone: 'UTC',
      open: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '24:00' }],
      // A holiday around "now" (these are real clocks): the schedule is closed while the suite runs.
      closed: [{ from: localMinute(Date.now() - 86400_000), to: localMinute(Date.now() + 2 * 86400_000), name: 'Suite Holiday' }],
    },
  ],
} satisfies Partial<ConfigInput>;

type TestFn = (name: string, fn: () => Promise<void>, timeoutMs?: number) => void;

export function availabilityScenarios(h: () => ScenarioHarness, test: TestFn, noLeaks: () => Promise<void>): void {
  /** A Switchboard call to `to` (a number that rings only that user) answered and bridged. */
  const onACall = async (endpoint: string, to: string): Promise<PlacedCall> => {
    h().setDevice({ endpoint }, { kind: 'answer', afterMs: 50 });
    const call = await h().placeCall({ from: '+12025550998', to });
    await h().waitForAnswer(call);
    return call;
  };
  const aliceOnACall = () => onACall('1001', '+12025550220');
  const bobOnACall = () => onACall('1002', '+12025550240');
  const endCall = async (call: PlacedCall) => {
    await h().hangupCaller(call);
    await h().waitForRecord(call);
  };
  /** Resolves once the controller has asked the PBX to ring `endpoint` for a call placed after `before` dial strings. */
  const ringing = (endpoint: string, before: number) => waitFor(() => h().dialed().slice(before).some((d) => d.dial.includes(endpoint)), 5000, `${endpoint} ringing`);
  /** A call that is answered; its caller hangs up once it is (not after a fixed time a loaded machine may need for the answer). */
  const answered = async (to: string) => {
    const call = await h().placeCall({ from: CALLER, to });
    await h().waitForAnswer(call);
    await h().hangupCaller(call);
    return h().waitForRecord(call);
  };
  const who = (r: { legs: { user: string | null; result: string }[] }) => r.legs.map((l) => [l.user, l.result]);

  describe('skipBusy wherever the group rings (section 6)', () => {
    test("given alice on a Switchboard call, then a number's skipBusy passes her over in its distribution and in its whenClosed route, though the group has no skipBusy", async () => {
      const first = await aliceOnACall();
      h().setDevice({ endpoint: '1002' }, { kind: 'answer', afterMs: 50 });
      for (const to of ['+12025550330', '+12025550340']) {
        const r = await answered(to);
        expect(r.passedOver, to).toEqual([{ user: 'alice', step: 'plain', reason: 'on a call' }]);
        expect(who(r), to).toEqual([['bob', 'answered']]);
      }
      await endCall(first);
      await noLeaks();
    });

    test("given alice on a Switchboard call, then a group's own skipBusy passes her over from a number with skipBusy and from one without; a group without it rings her (call waiting)", async () => {
      const first = await aliceOnACall();
      h().setDevice({ endpoint: '1001' }, { kind: 'noanswer' });
      h().setDevice({ endpoint: '1002' }, { kind: 'answer', afterMs: 50 });
      for (const to of ['+12025550270', '+12025550350']) {
        const r = await answered(to);
        expect(r.passedOver, to).toEqual([{ user: 'alice', step: 'skip-busy', reason: 'on a call' }]);
        expect(who(r), to).toEqual([['bob', 'answered']]);
      }
      // The same "busy" alice with neither skipBusy: she rings too (bob answers first).
      const r = await answered('+12025550370');
      expect(r.passedOver).toEqual([]);
      expect(r.legs.map((l) => l.user).sort()).toEqual(['alice', 'bob']);
      expect(r.answeredBy?.user).toBe('bob');
      await endCall(first);
      await noLeaks();
    });
  });

  describe("availability read when each member's turn starts (section 6)", () => {
    /** A call to the turn scenario's group, started once alice's phone rings; `during` runs then. */
    const whileAliceRings = async (turn: Turn, during: () => Promise<void>): Promise<PlacedCall> => {
      h().setDevice({ endpoint: '1001' }, { kind: 'noanswer' });
      const before = h().dialed().length;
      const call = await h().placeCall({ from: CALLER, to: TURN_NUMBERS[turn] });
      await ringing('1001', before);
      await during();
      return call;
    };
    /** bob was not rung: alice's turn rang out, he was passed over at his, the call hung up. */
    const passedAtHisTurn = async (call: PlacedCall, reason: string) => {
      const r = await h().waitForRecord(call, 15_000);
      expect(who(r)).toEqual([['alice', 'no-answer']]);
      expect(r.passedOver).toEqual([{ user: 'bob', step: expect.stringMatching(/^turns-/), reason }]);
      expect(r.trace).toContain(`bob is passed over: ${reason} (when her turn came)`);
      expect(r.outcome).toBe('dropped');
    };
    /** bob rang at his turn and answered; nobody was passed over. */
    const rangAtHisTurn = async (call: PlacedCall) => {
      await h().waitForAnswer(call, 15_000);
      await h().hangupCaller(call);
      const r = await h().waitForRecord(call);
      expect(who(r)).toEqual([['alice', 'no-answer'], ['bob', 'answered']]);
      expect(r.passedOver).toEqual([]);
      expect(r.trace).toContain('bob can be rung now (when her turn came)');
    };

    test('given bob goes on do-not-disturb while alice rings, then he is passed over when his turn comes', async () => {
      h().setDevice({ endpoint: '1002' }, { kind: 'answer', afterMs: 50 });
      try {
        const call = await whileAliceRings('dnd', () => h().setDnd('bob', true));
        await passedAtHisTurn(call, 'do-not-disturb');
      } finally {
        await h().setDnd('bob', false);
      }
      await noLeaks();
    });

    test('given bob takes a Switchboard call while alice rings (skipBusy), then he is passed over when his turn comes', async () => {
      let other: PlacedCall | undefined;
      const call = await whileAliceRings('busy', async () => {
        other = await bobOnACall();
      });
      await passedAtHisTurn(call, 'on a call');
      await endCall(other!);
      await noLeaks();
    });

    test('given bob unregisters while alice rings, then he is passed over (not registered) when his turn comes', async () => {
      h().setDevice({ endpoint: '1002' }, { kind: 'answer', afterMs: 50 });
      try {
        const call = await whileAliceRings('unregistered', () => h().setRegistered('1002', false));
        await passedAtHisTurn(call, 'not registered');
      } finally {
        await h().setRegistered('1002', true);
      }
      await noLeaks();
    });

    test('given bob on a Switchboard call when the call arrives and free again while alice rings, then he rings at his turn', async () => {
      const other = await bobOnACall(); // and he answers again later
      const call = await whileAliceRings('free', () => endCall(other));
      await rangAtHisTurn(call);
      await noLeaks();
    });

    test('given bob on do-not-disturb when the call arrives and off again while alice rings, then he rings at his turn', async () => {
      h().setDevice({ endpoint: '1002' }, { kind: 'answer', afterMs: 50 });
      await h().setDnd('bob', true);
      try {
        const call = await whileAliceRings('dnd-off', () => h().setDnd('bob', false));
        await rangAtHisTurn(call);
      } finally {
        await h().setDnd('bob', false);
      }
      await noLeaks();
    });
  });
}
