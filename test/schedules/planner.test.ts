/**
 * The planner with schedules, block lists and labels (spec sections 7 and 9): the order of checks,
 * the whenClosed route and its final action, and what explain --json shows.
 */
import { describe, expect, it } from 'vitest';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { planToJson } from '../../src/routing/format.js';
import { planRoute } from '../../src/routing/route.js';
import { localTimeToInstant } from '../../src/routing/schedule.js';
import { BlockList } from '../../src/routing/blocked.js';

const INPUT: ConfigInput = {
  company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
  users: [
    { id: 'alice', name: 'Alice', extension: '1001' },
    { id: 'bob', name: 'Bob', extension: '1002' },
  ],
  ringGroups: [{ id: 'crew', strategy: 'round-robin', members: ['alice', 'bob'], ringSeconds: 15 }],
  distributions: [
    { id: 'on-call', steps: ['crew'], voicemail: '9100' },
    { id: 'pager', steps: ['crew'], unanswered: 'hangup' },
  ],
  schedules: [
    {
      id: 'office',
      timezone: 'America/New_York',
      open: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:30' }],
      closed: [{ date: '12-25', name: 'Christmas Day' }],
    },
  ],
  numbers: [
    { number: '+12025550200', user: 'alice', schedule: 'office', ringSeconds: 25, label: 'Sales', whenClosed: { forwardTo: '+12025550399', ringSeconds: 30, unanswered: 'voicemail', voicemail: '9000' } },
    { number: '+12025550201', user: 'alice', schedule: 'office', ringSeconds: 25 },
    { number: '+12025550202', user: 'alice', schedule: 'office', whenClosed: { distribution: 'on-call' } },
    { number: '+12025550203', user: 'alice', schedule: 'office', whenClosed: { distribution: 'pager' } },
    { number: '+12025550204', user: 'alice', schedule: 'office', whenClosed: { distribution: 'on-call', unanswered: 'voicemail', voicemail: '9200' } },
    { number: '+12025550205', user: 'alice', schedule: 'office', ringSeconds: 12, whenClosed: { forwardTo: '+12025550399', unanswered: 'hangup' } },
    { number: '+12025550206', user: 'alice', withheld: 'block' },
    { number: '+12025550207', distribution: 'on-call', schedule: 'office' },
  ],
  blocked: ['+12025550666', '+1900*'],
};
const config = configSchema.parse(INPUT);
const at = (local: string) => localTimeToInstant('America/New_York', local)!;
const CHRISTMAS = at('2026-12-25T10:00');
const TUESDAY_NOON = at('2026-12-01T12:00');
const TUESDAY_NIGHT = at('2026-12-01T20:00');
const plan = (to: string, when: number, extra: Partial<Parameters<typeof planRoute>[2]> = {}, from: string | null = '+12025550999', withheld?: boolean) =>
  planRoute({ from, to, ...(withheld !== undefined ? { withheld } : {}) }, config, { contact: null, cursors: new Map(), at: when, ...extra });

describe('the whenClosed route (section 7)', () => {
  it('given Christmas Day, then one closed step to the forwarding number for whenClosed.ringSeconds, then its mailbox', () => {
    const { plan: p } = plan('+12025550200', CHRISTMAS);
    expect(p.schedule).toEqual({ id: 'office', open: false, why: 'closed: Christmas Day' });
    expect(p.steps).toEqual([{ rule: 'closed', strategy: 'simultaneous', ringSeconds: 30, members: [{ user: null, targets: [{ device: 'forward', number: '+12025550399' }] }] }]);
    expect(p.final).toEqual({ action: 'voicemail', mailbox: '9000' });
    expect(p.trace).toContain('schedule office is closed: Christmas Day');
  });

  it('given open hours, then the normal chain and schedule open by hours', () => {
    const { plan: p } = plan('+12025550200', TUESDAY_NOON);
    expect(p.schedule).toEqual({ id: 'office', open: true, why: 'hours' });
    expect(p.steps.map((s) => s.rule)).toEqual(['number-user']);
  });

  it('given no whenClosed, then straight to the company mailbox with no step', () => {
    const { plan: p } = plan('+12025550201', TUESDAY_NIGHT);
    expect(p.steps).toEqual([]);
    expect(p.final).toEqual({ action: 'voicemail', mailbox: '9000' });
  });

  it('given no whenClosed and no company mailbox, then hang up', () => {
    const bare = configSchema.parse({ ...INPUT, company: { name: 'Acme' } });
    const { plan: p } = planRoute({ from: null, to: '+12025550201' }, bare, { contact: null, cursors: new Map(), at: TUESDAY_NIGHT });
    expect(p.final).toEqual({ action: 'hangup' });
  });

  it('given whenClosed.distribution, then its steps (rule distribution, its own ring time, the cursor moves) and its own mailbox', () => {
    const r = plan('+12025550202', TUESDAY_NIGHT, { cursors: new Map([['crew', 1]]) });
    expect(r.plan.steps.map((s) => [s.rule, s.group, s.ringSeconds, s.members.map((m) => m.user)])).toEqual([['distribution', 'crew', 15, ['bob']]]);
    expect(r.plan.final).toEqual({ action: 'voicemail', mailbox: '9100' });
    expect(r.cursorMoves).toMatchObject([{ group: 'crew', from: 1, to: 0 }]);
  });

  it("given the distribution's unanswered is hangup, then hang up; whenClosed's own unanswered and voicemail win where written", () => {
    expect(plan('+12025550203', TUESDAY_NIGHT).plan.final).toEqual({ action: 'hangup' });
    expect(plan('+12025550204', TUESDAY_NIGHT).plan.final).toEqual({ action: 'voicemail', mailbox: '9200' });
    expect(plan('+12025550205', TUESDAY_NIGHT).plan.final).toEqual({ action: 'hangup' });
  });

  it("given no whenClosed.ringSeconds, then the number's ringSeconds applies to forwardTo", () => {
    expect(plan('+12025550205', TUESDAY_NIGHT).plan.steps[0]!.ringSeconds).toBe(12);
  });

  it('given a distribution number with a schedule, then closed it goes to the company mailbox', () => {
    const { plan: p } = plan('+12025550207', TUESDAY_NIGHT);
    expect(p.steps).toEqual([]);
    expect(p.final).toEqual({ action: 'voicemail', mailbox: '9000' });
  });

  it('given an override, then it applies at any --at, and the trace says so', () => {
    const forced = plan('+12025550200', CHRISTMAS, { overrides: new Map([['office', 'open']]) }).plan;
    expect(forced.schedule).toEqual({ id: 'office', open: true, why: 'override' });
    expect(forced.steps.map((s) => s.rule)).toEqual(['number-user']);
    expect(forced.trace).toContain('schedule office is open: forced open by override');
    expect(plan('+12025550200', TUESDAY_NOON, { overrides: new Map([['office', 'closed']]) }).plan.steps[0]!.rule).toBe('closed');
  });

  it('given numbers without a schedule, or not in the config, then always open and schedule null', () => {
    expect(plan('+12025550206', CHRISTMAS).plan.schedule).toBeNull();
    expect(plan('+12025559999', CHRISTMAS).plan.schedule).toBeNull();
    expect(plan('+12025559999', CHRISTMAS).plan.steps.map((s) => s.rule)).toEqual(['company']);
  });
});

describe('blocked callers (section 9) and the order of checks', () => {
  it('given a caller on the block list, then no steps, hang up, blocked true, even on a closed number', () => {
    const { plan: p } = plan('+12025550200', CHRISTMAS, {}, '+12025550666');
    expect(p.blocked).toBe(true);
    expect(p.steps).toEqual([]);
    expect(p.final).toEqual({ action: 'hangup' });
    expect(p.contact).toBeNull();
    expect(p.trace[0]).toBe('caller +12025550666 is on the block list: blocked');
    const json = planToJson(p);
    expect(json).toMatchObject({ blocked: true, steps: [], final: { action: 'hangup' } });
  });

  it('given a prefix, then it matches; given the run-time list, then it is used instead of the config alone', () => {
    expect(plan('+12025550200', TUESDAY_NOON, {}, '+19005550000').plan.blocked).toBe(true);
    const runtime = new BlockList([...config.blocked, '+12025550777']);
    expect(plan('+12025550200', TUESDAY_NOON, { blocked: runtime }, '+12025550777').plan.blocked).toBe(true);
    expect(plan('+12025550200', TUESDAY_NOON, {}, '+12025550777').plan.blocked).toBe(false);
  });

  it('given a withheld caller, then only withheld: block refuses it; the block list never matches', () => {
    expect(plan('+12025550206', TUESDAY_NOON, {}, null, true).plan.blocked).toBe(true);
    expect(plan('+12025550200', TUESDAY_NOON, { blocked: new BlockList(['+1*', '+2*']) }, null, true).plan.blocked).toBe(false);
    // An unreadable caller ID that is not one of the withheld words is an unknown caller, not withheld.
    expect(plan('+12025550206', TUESDAY_NOON, {}, null, false).plan.blocked).toBe(false);
  });
});

describe('caller labels in the plan', () => {
  it('given a label and a contact name, then callerName is "Label: Name"; without a name, the label; in the JSON too', () => {
    const known = plan('+12025550200', TUESDAY_NOON, { contactName: 'Jane <Doe>', contact: { phone: '+12025550999', owner: 'bob' } }).plan;
    expect(known.callerName).toBe('Sales: Jane Doe');
    expect(planToJson(known).callerName).toBe('Sales: Jane Doe');
    expect(plan('+12025550200', TUESDAY_NOON).plan.callerName).toBe('Sales');
    expect(plan('+12025550206', TUESDAY_NOON, { contactName: 'Jane Doe' }).plan.callerName).toBe('Jane Doe');
    expect(plan('+12025550206', TUESDAY_NOON).plan.callerName).toBeNull();
  });
});
