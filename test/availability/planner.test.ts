/**
 * Spec section 6 in the planner, one test per sentence, and section 10's least-recent and
 * fewest-calls orders. Pure: availability comes in as a snapshot.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import type { Availability, DeviceState, MemberHistory } from '../../src/routing/availability.js';
import { planRoute } from '../../src/routing/route.js';
import { CALLER, TO, finalSummary, makeConfig, stepSummary } from '../routing/fixtures.js';

type NumberInput = NonNullable<ConfigInput['numbers']>[number];
type GroupInput = NonNullable<ConfigInput['ringGroups']>[number];

const devices = (states: Record<string, DeviceState>) => (ep: string): DeviceState => states[ep] ?? 'unknown';

function chain(number: Partial<NumberInput>, avail: Availability, contactOwner?: string) {
  const config = makeConfig({ numbers: [{ number: TO, ...number }] });
  const contact = contactOwner ? { phone: CALLER, owner: contactOwner } : null;
  return planRoute({ from: CALLER, to: TO }, config, { contact, cursors: new Map(), availability: avail }).plan;
}

function group(g: Partial<GroupInput>, avail: Availability, number: Partial<NumberInput> = {}, cursors: Record<string, number> = {}) {
  const config = makeConfig({
    ringGroups: [{ id: 'g', strategy: 'simultaneous', members: ['alice', 'bob', 'carol'], ...g } as GroupInput],
    distributions: [{ id: 'd', steps: ['g'] }],
    numbers: [{ number: TO, distribution: 'd', ...number }],
  });
  return planRoute({ from: CALLER, to: TO }, config, { contact: null, cursors: new Map(Object.entries(cursors)), availability: avail });
}

describe('section 6: do-not-disturb', () => {
  const dnd = { dnd: new Set(['alice']) };
  it('a user on DND is passed over as the number user, and her own mailbox takes the call', () => {
    const p = chain({ user: 'alice', fallthrough: true, forwardTo: '+12025550300' }, dnd);
    expect(stepSummary(p)).toEqual(['forwarding:+12025550300', 'company:+12025550100']);
    expect(p.trace).toContain('alice is passed over: do-not-disturb');
    expect(p.passedOver).toEqual([{ user: 'alice', step: 'number-user', reason: 'do-not-disturb' }]);
    expect(finalSummary(p)).toBe('voicemail 1001');
  });
  it('as the contact owner', () => {
    const p = chain({ preferContactOwner: true, user: 'bob' }, dnd, 'alice');
    expect(stepSummary(p)).toEqual(['number-user:bob']);
    expect(p.passedOver).toEqual([{ user: 'alice', step: 'contact-owner', reason: 'do-not-disturb' }]);
    expect(finalSummary(p)).toBe('voicemail 1002');
  });
  it('as an alsoRing user, who is not chosen for the final action', () => {
    const p = chain({ alsoRing: ['alice', 'bob'] }, dnd);
    expect(stepSummary(p)).toEqual(['also-ring:bob']);
    expect(p.passedOver).toEqual([{ user: 'alice', step: 'also-ring', reason: 'do-not-disturb' }]);
    expect(finalSummary(p)).toBe('voicemail 9000');
  });
  it('in a ring group of every strategy, with every device', () => {
    for (const strategy of ['simultaneous', 'round-robin', 'linear', 'least-recent', 'fewest-calls'] as const) {
      const { plan } = group({ strategy, members: ['alice', 'bob'] }, dnd);
      expect(stepSummary(plan), strategy).toEqual(['distribution:bob']);
      expect(plan.passedOver, strategy).toEqual([{ user: 'alice', step: 'g', reason: 'do-not-disturb' }]);
    }
  });
  it('a user with no device is passed over for that reason and is not chosen for the final action', () => {
    const config = makeConfig({ users: [{ id: 'erin', name: 'Erin' }, { id: 'bob', name: 'Bob', extension: '1002' }], numbers: [{ number: TO, user: 'erin' }] });
    const p = planRoute({ from: CALLER, to: TO }, config, { contact: null, cursors: new Map(), availability: { dnd: new Set(['erin']) } }).plan;
    expect(p.passedOver).toEqual([{ user: 'erin', step: 'number-user', reason: 'no device' }]);
    expect(finalSummary(p)).toBe('voicemail 9000');
  });
});

describe('section 6: device state', () => {
  it('an unavailable device of a user who is rung gets no target and is kept as skipped', () => {
    const p = chain({ user: 'alice' }, { device: devices({ '1001': 'unavailable' }) });
    expect(p.steps[0]!.members).toEqual([{ user: 'alice', targets: [{ device: 'mobile', number: '+12025550111' }], skipped: [{ device: 'desk', endpoint: '1001' }] }]);
    expect(p.passedOver).toEqual([]);
  });
  it('a user whose every device is unavailable is passed over (not registered) and keeps her mailbox', () => {
    const p = chain({ user: 'bob', fallthrough: true }, { device: devices({ '1002': 'unavailable' }) });
    expect(stepSummary(p)).toEqual(['company:+12025550100']);
    expect(p.passedOver).toEqual([{ user: 'bob', step: 'number-user', reason: 'not registered' }]);
    expect(finalSummary(p)).toBe('voicemail 1002');
  });
  it('mobiles are unknown: a user with a mobile is never "not registered"', () => {
    const p = chain({ user: 'alice' }, { device: devices({ '1001': 'unavailable' }) });
    expect(stepSummary(p)).toEqual(['number-user:alice']);
  });
  it('default skipBusy false: an in-use phone is rung (call waiting)', () => {
    const p = chain({ user: 'bob' }, { device: devices({ '1002': 'in-use' }), bridged: new Set(['bob']) });
    expect(stepSummary(p)).toEqual(['number-user:bob']);
  });
});

describe('section 6: skipBusy', () => {
  it('on a number: a user with a device in use is passed over (on a call) and keeps her mailbox', () => {
    const p = chain({ user: 'bob', skipBusy: true, fallthrough: true }, { device: devices({ '1002': 'in-use' }) });
    expect(stepSummary(p)).toEqual(['company:+12025550100']);
    expect(p.passedOver).toEqual([{ user: 'bob', step: 'number-user', reason: 'on a call' }]);
    expect(finalSummary(p)).toBe('voicemail 1002');
  });
  it('on a number: a user bridged on a Switchboard call is on a call, whatever her devices say', () => {
    const p = chain({ user: 'alice', alsoRing: ['bob'], skipBusy: true }, { bridged: new Set(['alice']) });
    expect(stepSummary(p)).toEqual(['also-ring:bob']);
    expect(finalSummary(p)).toBe('voicemail 1001');
  });
  it('ringing for another call does not count', () => {
    const p = chain({ user: 'bob', skipBusy: true }, { device: devices({ '1002': 'ringing' }) });
    expect(stepSummary(p)).toEqual(['number-user:bob']);
  });
  it("a number's skipBusy covers its distribution", () => {
    const { plan } = group({}, { device: devices({ '1002': 'in-use' }) }, { skipBusy: true });
    expect(stepSummary(plan)).toEqual(['distribution:alice+carol']);
    expect(plan.passedOver).toEqual([{ user: 'bob', step: 'g', reason: 'on a call' }]);
  });
  it("a group's own skipBusy applies wherever it rings; without either, busy members ring", () => {
    expect(stepSummary(group({ skipBusy: true }, { device: devices({ '1002': 'in-use' }) }).plan)).toEqual(['distribution:alice+carol']);
    expect(stepSummary(group({}, { device: devices({ '1002': 'in-use' }) }).plan)).toEqual(['distribution:alice+bob+carol']);
  });
  it('round-robin with skipBusy takes the next member at once, and its cursor moves past her', () => {
    const r = group({ strategy: 'round-robin', skipBusy: true }, { device: devices({ '1001': 'in-use' }) }, {}, { g: 0 });
    expect(stepSummary(r.plan)).toEqual(['distribution:bob']);
    expect(r.cursorMoves).toMatchObject([{ group: 'g', from: 0, to: 2 }]);
  });
});

describe('section 6: wrap-up', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  const ended = (secondsAgo: number): MemberHistory => ({ lastEnded: now - secondsAgo * 1000, inProgress: false, answered: [] });
  it('a member whose call from that group ended less than wrapUpSeconds ago is passed over by that group', () => {
    const history = new Map([['g', new Map([['alice', ended(10)], ['bob', ended(31)]])]]);
    const { plan } = group({ wrapUpSeconds: 30 }, { history, now });
    expect(stepSummary(plan)).toEqual(['distribution:bob+carol']);
    expect(plan.passedOver).toEqual([{ user: 'alice', step: 'g', reason: 'wrap-up' }]);
  });
  it('only by that group: a call from another group does not count; default 0', () => {
    const history = new Map([['other', new Map([['alice', ended(1)]])]]);
    expect(stepSummary(group({ wrapUpSeconds: 30 }, { history, now }).plan)).toEqual(['distribution:alice+bob+carol']);
    const own = new Map([['g', new Map([['alice', ended(1)]])]]);
    expect(stepSummary(group({}, { history: own, now }).plan)).toEqual(['distribution:alice+bob+carol']);
  });
});

describe('section 6: a step whose users were all passed over', () => {
  it('does not apply: with fallthrough off, the next step is the first that applies', () => {
    const p = chain({ user: 'alice', alsoRing: ['bob'], forwardTo: '+12025550300' }, { dnd: new Set(['alice', 'bob']) });
    expect(stepSummary(p)).toEqual(['forwarding:+12025550300']);
    expect(p.trace).toEqual(expect.arrayContaining(['alice is passed over: do-not-disturb', 'bob is passed over: do-not-disturb']));
  });
  it('in a distribution: the group step is left out and the final action follows', () => {
    const { plan } = group({}, { dnd: new Set(['alice', 'bob', 'carol']) });
    expect(plan.steps).toEqual([]);
    expect(finalSummary(plan)).toBe('voicemail 9000');
    expect(plan.passedOver.map((p) => p.user)).toEqual(['alice', 'bob', 'carol']);
  });
});

describe('section 10: least-recent and fewest-calls', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  const H = 3600_000;
  it('least-recent: longest since the last answered call first, never answered first of all, in progress last, ties in config order', () => {
    const history = new Map([['g', new Map<string, MemberHistory>([
      ['alice', { lastEnded: now - 1 * H, inProgress: false, answered: [] }],
      ['bob', { lastEnded: now - 5 * H, inProgress: true, answered: [] }],
      ['carol', { lastEnded: now - 3 * H, inProgress: false, answered: [] }],
    ])]]);
    const config = { strategy: 'least-recent' as const, members: ['alice', 'bob', 'carol', 'erin', 'dave'] };
    const { plan, cursorMoves } = group(config, { history, now });
    expect(plan.steps[0]!.strategy).toBe('sequential');
    // erin never answered; dave has no device (passed over); then carol (3 h), alice (1 h), bob (on a call now).
    expect(stepSummary(plan)).toEqual(['distribution:erin+carol+alice+bob']);
    expect(cursorMoves).toEqual([]);
  });
  it('least-recent with no history at all: config order', () => {
    expect(stepSummary(group({ strategy: 'least-recent' }, { now }).plan)).toEqual(['distribution:alice+bob+carol']);
  });
  it('fewest-calls: fewest answered in the 24 hours before the step; ties by least-recent, then config order', () => {
    const history = new Map([['g', new Map<string, MemberHistory>([
      ['alice', { lastEnded: now - 1 * H, inProgress: false, answered: [now - 2 * H, now - 25 * H, now - 30 * H] }],
      ['bob', { lastEnded: now - 2 * H, inProgress: false, answered: [now - 3 * H, now - 4 * H] }],
      ['carol', { lastEnded: now - 9 * H, inProgress: false, answered: [now - 10 * H] }],
    ])]]);
    // alice 1 in the window (two are older than 24 h), bob 2, carol 1: alice and carol tie, carol is less recent.
    expect(stepSummary(group({ strategy: 'fewest-calls' }, { history, now }).plan)).toEqual(['distribution:carol+alice+bob']);
    expect(stepSummary(group({ strategy: 'fewest-calls', members: ['bob', 'erin', 'alice'] }, { history, now }).plan)).toEqual(['distribution:erin+alice+bob']);
  });
});
