/**
 * Spec section 1: every device of a user is optional. One table per rule where a user can
 * appear (number-user, contact-owner, also-ring, each ring-group strategy, distributions, a
 * number not in the config), each run for a user with only a desk, only a softphone, only a
 * mobile, and none, including which mailbox takes the call.
 */
import { describe, expect, it } from 'vitest';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { planRoute } from '../../src/routing/route.js';
import type { Target } from '../../src/routing/plan.js';
import { CALLER, TO, finalSummary, stepSummary } from './fixtures.js';

type UserInput = NonNullable<ConfigInput['users']>[number];
type NumberInput = Partial<NonNullable<ConfigInput['numbers']>[number]>;

const FORWARD = '+12025550300';
const COMPANY_MAILBOX = 'voicemail 9000';

interface Kind {
  kind: string;
  /** The devices of user `u` (her id and name are added). */
  devices: Omit<UserInput, 'id' | 'name'>;
  /** What ringing her dials; empty: she cannot be rung. */
  targets: Target[];
  /** The final action when she is the chosen user and the company has mailbox 9000. */
  mailbox: string;
}

const KINDS: Kind[] = [
  { kind: 'only a desk (extension)', devices: { extension: '2001' }, targets: [{ device: 'desk', endpoint: '2001' }], mailbox: 'voicemail 2001' },
  // A desk endpoint without an extension: no mailbox of her own, so the company's.
  { kind: 'only a desk (desk endpoint, no extension)', devices: { desk: 'desk-2002' }, targets: [{ device: 'desk', endpoint: 'desk-2002' }], mailbox: COMPANY_MAILBOX },
  { kind: 'only a softphone', devices: { app: 'u-app' }, targets: [{ device: 'app', endpoint: 'u-app' }], mailbox: COMPANY_MAILBOX },
  { kind: 'only a softphone, with her own mailbox', devices: { app: 'u-app', voicemail: '7007' }, targets: [{ device: 'app', endpoint: 'u-app' }], mailbox: 'voicemail 7007' },
  { kind: 'only a mobile', devices: { mobile: '+12025550114' }, targets: [{ device: 'mobile', number: '+12025550114' }], mailbox: COMPANY_MAILBOX },
  { kind: 'no device', devices: {}, targets: [], mailbox: COMPANY_MAILBOX },
  // A mailbox but nothing to ring: passed over, so not chosen, so her mailbox is not used either.
  { kind: 'no device, with a mailbox', devices: { voicemail: '7008' }, targets: [], mailbox: COMPANY_MAILBOX },
];

const BOB = { id: 'bob', name: 'Bob', extension: '1002' };
const BOB_DESK: Target[] = [{ device: 'desk', endpoint: '1002' }];

function plan(kind: Kind, number: NumberInput | null, opts: { owner?: string; extra?: Partial<ConfigInput>; cursors?: Record<string, number> } = {}) {
  const config = configSchema.parse({
    company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
    users: [{ id: 'u', name: 'U', ...kind.devices }, BOB],
    numbers: number === null ? [] : [{ number: TO, ...number }],
    ...opts.extra,
  });
  const contact = opts.owner ? { phone: CALLER, owner: opts.owner } : null;
  return planRoute({ from: CALLER, to: TO }, config, { contact, cursors: new Map(Object.entries(opts.cursors ?? {})) });
}

const ringable = (k: Kind) => k.targets.length > 0;
const PASSED = 'u is passed over: no device';

describe.each(KINDS)('a user with $kind', (k) => {
  it('config: she is valid', () => {
    expect(() => configSchema.parse({ users: [{ id: 'u', name: 'U', ...k.devices }] })).not.toThrow();
  });

  it('number-user: she rings on her devices and her mailbox (else the company one) takes the call; with none the forwarding number takes it', () => {
    const { plan: p } = plan(k, { user: 'u', forwardTo: FORWARD });
    if (ringable(k)) {
      expect(p.steps).toEqual([{ rule: 'number-user', strategy: 'simultaneous', ringSeconds: 20, members: [{ user: 'u', targets: k.targets }] }]);
      expect(finalSummary(p)).toBe(k.mailbox);
    } else {
      expect(stepSummary(p)).toEqual([`forwarding:${FORWARD}`]);
      expect(finalSummary(p)).toBe(COMPANY_MAILBOX);
      expect(p.trace).toContain(PASSED);
    }
  });

  it('contact-owner: as the owner of a known caller on a number with no user', () => {
    const { plan: p } = plan(k, { forwardTo: FORWARD }, { owner: 'u' });
    expect(stepSummary(p)).toEqual(ringable(k) ? ['contact-owner:u'] : [`forwarding:${FORWARD}`]);
    if (ringable(k)) expect(p.steps[0]!.members[0]!.targets).toEqual(k.targets);
    expect(finalSummary(p)).toBe(ringable(k) ? k.mailbox : COMPANY_MAILBOX);
  });

  it('contact-owner with preferContactOwner: she goes before the number user, else the number user', () => {
    const { plan: p } = plan(k, { user: 'bob', preferContactOwner: true }, { owner: 'u' });
    expect(stepSummary(p)).toEqual(ringable(k) ? ['contact-owner:u'] : ['number-user:bob']);
    expect(finalSummary(p)).toBe(ringable(k) ? k.mailbox : 'voicemail 1002');
  });

  it('number-user passed over: the contact owner is chosen next', () => {
    const { plan: p } = plan(k, { user: 'u' }, { owner: 'bob' });
    expect(stepSummary(p)).toEqual(ringable(k) ? ['number-user:u'] : ['contact-owner:bob']);
    expect(finalSummary(p)).toBe(ringable(k) ? k.mailbox : 'voicemail 1002');
  });

  it('also-ring: she rings with the chosen user; the chosen user keeps the mailbox', () => {
    const { plan: p } = plan(k, { user: 'bob', alsoRing: ['u'] });
    expect(p.steps[0]!.members).toEqual(ringable(k) ? [{ user: 'bob', targets: BOB_DESK }, { user: 'u', targets: k.targets }] : [{ user: 'bob', targets: BOB_DESK }]);
    expect(finalSummary(p)).toBe('voicemail 1002');
    if (!ringable(k)) expect(p.trace).toContain(PASSED);
  });

  it('also-ring alone (no user chosen): she makes the step; the company mailbox, never hers', () => {
    const { plan: p } = plan(k, { alsoRing: ['u'], forwardTo: FORWARD });
    expect(stepSummary(p)).toEqual(ringable(k) ? ['also-ring:u'] : [`forwarding:${FORWARD}`]);
    expect(finalSummary(p)).toBe(COMPANY_MAILBOX);
  });

  const groupCase = (strategy: 'simultaneous' | 'round-robin' | 'linear') => ({
    numbers: undefined,
    extra: {
      ringGroups: [{ id: 'g', strategy, members: ['u', 'bob'] }],
      distributions: [{ id: 'd', steps: ['g'] }],
    },
  });

  it('simultaneous group: she rings with the other members, or is passed over', () => {
    const { plan: p } = plan(k, { distribution: 'd' }, groupCase('simultaneous'));
    expect(p.steps[0]!.members.map((m) => m.user)).toEqual(ringable(k) ? ['u', 'bob'] : ['bob']);
    if (ringable(k)) expect(p.steps[0]!.members[0]!.targets).toEqual(k.targets);
    else expect(p.trace).toContain(PASSED);
    expect(finalSummary(p)).toBe(COMPANY_MAILBOX);
  });

  it('round-robin group: the cursor on her takes her, or the next member', () => {
    const { plan: p, cursorMoves } = plan(k, { distribution: 'd' }, { ...groupCase('round-robin'), cursors: { g: 0 } });
    expect(stepSummary(p)).toEqual([ringable(k) ? 'distribution:u' : 'distribution:bob']);
    expect(cursorMoves).toMatchObject([{ group: 'g', from: 0, to: ringable(k) ? 1 : 0 }]);
    if (!ringable(k)) expect(p.trace).toContain(PASSED);
  });

  it('linear group: she takes her turn, or is passed over; the cursor moves on by one either way', () => {
    const { plan: p, cursorMoves } = plan(k, { distribution: 'd' }, groupCase('linear'));
    expect(p.steps[0]!.strategy).toBe('sequential');
    expect(p.steps[0]!.members.map((m) => m.user)).toEqual(ringable(k) ? ['u', 'bob'] : ['bob']);
    expect(cursorMoves).toMatchObject([{ group: 'g', from: 0, to: 1 }]);
  });

  it.each(['simultaneous', 'round-robin', 'linear'] as const)('a %s group of her alone: the step, or none (then the distribution\'s final action)', (strategy) => {
    const extra = { ringGroups: [{ id: 'g', strategy, members: ['u'] }], distributions: [{ id: 'd', steps: ['g'], voicemail: '8000' }] };
    const { plan: p, cursorMoves } = plan(k, { distribution: 'd' }, { extra });
    expect(stepSummary(p)).toEqual(ringable(k) ? ['distribution:u'] : []);
    // A distribution's mailbox is its own, whoever rang.
    expect(finalSummary(p)).toBe('voicemail 8000');
    if (!ringable(k)) expect(cursorMoves).toEqual([]);
  });

  it('a number not in the config: she rings as the contact owner, else the company phone', () => {
    const { plan: p } = plan(k, null, { owner: 'u' });
    expect(stepSummary(p)).toEqual(ringable(k) ? ['contact-owner:u'] : ['company:+12025550100']);
    expect(finalSummary(p)).toBe(ringable(k) ? k.mailbox : COMPANY_MAILBOX);
  });
});

describe('mailbox choice when nobody has one', () => {
  it('the chosen user has no mailbox and the company has none: hang up, and the trace says why', () => {
    const config = configSchema.parse({ users: [{ id: 'dave', name: 'Dave Diaz', mobile: '+12025550114' }], numbers: [{ number: TO, user: 'dave' }] });
    const { plan: p } = planRoute({ from: CALLER, to: TO }, config, { contact: null, cursors: new Map() });
    expect(stepSummary(p)).toEqual(['number-user:dave']);
    expect(p.final).toEqual({ action: 'hangup' });
    expect(p.trace).toContain('final action: hang up (dave has no mailbox and the company has none)');
  });

  it('the chosen user has no mailbox: the company mailbox, and the trace says why', () => {
    const config = configSchema.parse({
      company: { voicemail: '9000' },
      users: [{ id: 'dave', name: 'Dave Diaz', mobile: '+12025550114' }],
      numbers: [{ number: TO, user: 'dave' }],
    });
    const { plan: p } = planRoute({ from: CALLER, to: TO }, config, { contact: null, cursors: new Map() });
    expect(p.trace).toContain('final action: voicemail, mailbox 9000 (dave has no mailbox: the company mailbox)');
  });

  it('the issue\'s own case: the assigned user has no device, the forwarding number takes the call', () => {
    const config = configSchema.parse({
      company: { voicemail: '9000' },
      users: [{ id: 'erin', name: 'Erin Evans' }],
      numbers: [{ number: TO, user: 'erin', forwardTo: FORWARD }],
    });
    const { plan: p } = planRoute({ from: CALLER, to: TO }, config, { contact: null, cursors: new Map() });
    expect(p.trace).toContain('erin is passed over: no device');
    expect(stepSummary(p)).toEqual([`forwarding:${FORWARD}`]);
    expect(finalSummary(p)).toBe(COMPANY_MAILBOX);
  });
});
