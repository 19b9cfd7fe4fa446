/**
 * Spec section 2, "The chain": one case per sentence, named by the sentence it checks.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { planRoute } from '../../src/routing/route.js';
import type { ContactRef } from '../../src/routing/plan.js';
import { CALLER, TO, finalSummary, makeConfig, stepSummary } from './fixtures.js';

type NumberInput = Partial<NonNullable<ConfigInput['numbers']>[number]>;

interface Case {
  sentence: string;
  number?: NumberInput | null; // null: the number is not in the config
  owner?: string; // the caller is a known contact owned by this user
  extra?: Partial<ConfigInput>;
  steps: string[];
  final: string;
  trace?: string[];
}

const GROUPS: Partial<ConfigInput> = {
  ringGroups: [
    { id: 'sales-rr', strategy: 'round-robin', members: ['alice', 'bob', 'carol'], ringSeconds: 40 },
    { id: 'closers', strategy: 'simultaneous', members: ['alice', 'carol'] },
  ],
  distributions: [{ id: 'sales', steps: ['sales-rr', { group: 'closers', ringSeconds: 30 }], voicemail: '8000' }],
};

const CASES: Case[] = [
  // 1. Distribution
  {
    sentence: 'Distribution: its steps are the whole route (steps 2 to 4 do not apply), followed by its unanswered action',
    number: { user: 'bob', forwardTo: '+12025550300', distribution: 'sales' },
    extra: GROUPS,
    steps: ['distribution:alice', 'distribution:alice+carol'],
    final: 'voicemail 8000',
    trace: ['the number uses distribution sales: its steps are the whole route, all of them in turn'],
  },
  // 2. A user
  {
    sentence: 'preferContactOwner is true and the caller is a known contact whose owner can be rung: the owner (contact-owner)',
    number: { user: 'alice', preferContactOwner: true },
    owner: 'bob',
    steps: ['contact-owner:bob'],
    final: 'voicemail 1002',
  },
  {
    sentence: 'preferContactOwner is true but the owner cannot be rung: the number user (number-user)',
    number: { user: 'alice', preferContactOwner: true },
    owner: 'dave',
    steps: ['number-user:alice'],
    final: 'voicemail 1001',
    trace: ['dave is passed over: no device'],
  },
  {
    sentence: 'Else, if the number is assigned to a user who can be rung: that user (number-user)',
    number: { user: 'alice' },
    owner: 'bob',
    steps: ['number-user:alice'],
    final: 'voicemail 1001',
    trace: ['number +12025550200 is assigned to alice'],
  },
  {
    sentence: 'Else, if the caller is a known contact whose owner can be rung: the owner (contact-owner)',
    number: { user: 'dave' },
    owner: 'bob',
    steps: ['contact-owner:bob'],
    final: 'voicemail 1002',
  },
  {
    sentence: 'The alsoRing users who can be rung ring in the same step, at the same time',
    number: { user: 'alice', alsoRing: ['bob', 'carol'] },
    steps: ['number-user:alice+bob+carol'],
    final: 'voicemail 1001',
  },
  {
    sentence: 'If no user was chosen above, the alsoRing users alone make the step (also-ring)',
    number: { alsoRing: ['bob'] },
    steps: ['also-ring:bob'],
    final: 'voicemail 9000',
  },
  {
    sentence: 'A user who cannot be rung is passed over, and the trace says so',
    number: { user: 'dave', alsoRing: ['dave', 'bob'] },
    steps: ['also-ring:bob'],
    final: 'voicemail 9000',
    trace: ['dave is passed over: no device'],
  },
  {
    sentence: 'A user who is not in the config is passed over, and the trace says so',
    number: { user: 'zoe' },
    steps: ['company:+12025550100'],
    final: 'voicemail 9000',
    trace: ['zoe is passed over: not a user in the config'],
  },
  {
    sentence: 'Nobody is rung twice in one step (an alsoRing user who is also the chosen user rings once)',
    number: { user: 'alice', alsoRing: ['alice', 'bob', 'bob'] },
    steps: ['number-user:alice+bob'],
    final: 'voicemail 1001',
  },
  {
    sentence: 'No user and no alsoRing: the user step is left out',
    number: {},
    steps: ['company:+12025550100'],
    final: 'voicemail 9000',
    trace: ['no user can be rung: the user step is left out'],
  },
  // 3. Forwarding
  {
    sentence: 'Forwarding: if the number has forwardTo, that number through the trunk (forwarding)',
    number: { forwardTo: '+12025550300' },
    steps: ['forwarding:+12025550300'],
    final: 'voicemail 9000',
  },
  // 4. Company
  {
    sentence: 'Company: forwardToCompany not false and the company has a phone: the company phone (company)',
    number: { user: 'dave' },
    steps: ['company:+12025550100'],
    final: 'voicemail 9000',
  },
  {
    sentence: 'Company: forwardToCompany false leaves the company step out',
    number: { forwardToCompany: false },
    steps: [],
    final: 'voicemail 9000',
  },
  {
    sentence: 'Company: no company phone, no company step',
    number: {},
    extra: { company: { voicemail: '9000' } },
    steps: [],
    final: 'voicemail 9000',
  },
  // 5. Final action
  {
    sentence: "Final voicemail: the mailbox of the user chosen in step 2 (her `voicemail`)",
    number: { user: 'erin' },
    steps: ['number-user:erin'],
    final: 'voicemail 7005',
  },
  {
    sentence: 'Final voicemail: the chosen user mailbox defaults to her extension',
    number: { user: 'bob' },
    steps: ['number-user:bob'],
    final: 'voicemail 1002',
  },
  {
    sentence: 'Final voicemail: no user chosen, the company mailbox',
    number: { forwardTo: '+12025550300' },
    steps: ['forwarding:+12025550300'],
    final: 'voicemail 9000',
  },
  {
    sentence: 'Final voicemail: with no mailbox at all, hang up',
    number: { forwardTo: '+12025550300' },
    extra: { company: { phone: '+12025550100' } },
    steps: ['forwarding:+12025550300'],
    final: 'hangup',
  },
  {
    sentence: 'Final voicemail: for rule also-ring nobody was chosen, so the company mailbox',
    number: { alsoRing: ['erin'] },
    steps: ['also-ring:erin'],
    final: 'voicemail 9000',
  },
  {
    sentence: 'A user who is passed over (cannot be rung) is not chosen: her mailbox is not used',
    number: { user: 'dave', forwardTo: '+12025550300' },
    steps: ['forwarding:+12025550300'],
    final: 'voicemail 9000',
  },
  {
    sentence: 'Final hangup: unanswered hangup drops the call even with a chosen user',
    number: { user: 'alice', unanswered: 'hangup' },
    steps: ['number-user:alice'],
    final: 'hangup',
  },
  {
    sentence: 'A distribution uses its own voicemail',
    number: { distribution: 'sales' },
    extra: GROUPS,
    steps: ['distribution:alice', 'distribution:alice+carol'],
    final: 'voicemail 8000',
  },
  {
    sentence: 'A distribution without its own voicemail uses the company mailbox',
    number: { distribution: 'd' },
    extra: { ringGroups: [{ id: 'g', strategy: 'simultaneous', members: ['bob'] }], distributions: [{ id: 'd', steps: ['g'] }] },
    steps: ['distribution:bob'],
    final: 'voicemail 9000',
  },
  {
    sentence: 'A distribution with unanswered hangup hangs up',
    number: { distribution: 'd' },
    extra: { ringGroups: [{ id: 'g', strategy: 'simultaneous', members: ['bob'] }], distributions: [{ id: 'd', steps: ['g'], unanswered: 'hangup', voicemail: '8000' }] },
    steps: ['distribution:bob'],
    final: 'hangup',
  },
  {
    sentence: 'A distribution with no mailbox at all hangs up',
    number: { distribution: 'd' },
    extra: { company: { phone: '+12025550100' }, ringGroups: [{ id: 'g', strategy: 'simultaneous', members: ['bob'] }], distributions: [{ id: 'd', steps: ['g'] }] },
    steps: ['distribution:bob'],
    final: 'hangup',
  },
  // A number not in the config
  {
    sentence: 'A number not in the config: the contact owner for a known caller who can be rung, then her mailbox',
    number: null,
    owner: 'carol',
    steps: ['contact-owner:carol'],
    final: 'voicemail 1003',
  },
  {
    sentence: "A number not in the config: the owner cannot be rung, so the company phone, then the company's mailbox",
    number: null,
    owner: 'dave',
    steps: ['company:+12025550100'],
    final: 'voicemail 9000',
  },
  {
    sentence: "A number not in the config: an unknown caller gets the company phone, then the company's mailbox",
    number: null,
    steps: ['company:+12025550100'],
    final: 'voicemail 9000',
    trace: ['number +12025550200 is not in the config: no user, no forwarding, default options'],
  },
  // Fallthrough
  {
    sentence: 'fallthrough false (the default): only the FIRST step that applies is rung, then the final action',
    number: { user: 'alice', forwardTo: '+12025550300' },
    steps: ['number-user:alice'],
    final: 'voicemail 1001',
    trace: ['fallthrough is off: only the first step rings (number-user); left out: forwarding, company'],
  },
  {
    sentence: 'fallthrough false: the first step that applies may be forwarding when no user can be rung',
    number: { user: 'dave', forwardTo: '+12025550300' },
    steps: ['forwarding:+12025550300'],
    final: 'voicemail 9000',
  },
  {
    sentence: 'fallthrough true: every applicable step is rung in turn',
    number: { user: 'alice', forwardTo: '+12025550300', fallthrough: true },
    steps: ['number-user:alice', 'forwarding:+12025550300', 'company:+12025550100'],
    final: 'voicemail 1001',
  },
  {
    sentence: 'A distribution always rings all of its steps in turn (fallthrough does not apply to it)',
    number: { distribution: 'sales', fallthrough: false },
    extra: GROUPS,
    steps: ['distribution:alice', 'distribution:alice+carol'],
    final: 'voicemail 8000',
  },
];

describe('planRoute: spec section 2, the chain', () => {
  it.each(CASES)('$sentence', (c) => {
    // given
    const numbers = c.number === null ? [] : [{ number: TO, ...c.number }];
    const config = makeConfig({ numbers, ...c.extra });
    const contact: ContactRef | null = c.owner ? { phone: CALLER, owner: c.owner } : null;
    // when
    const { plan } = planRoute({ from: CALLER, to: TO }, config, { contact, cursors: new Map() });
    // then
    expect(stepSummary(plan)).toEqual(c.steps);
    expect(finalSummary(plan)).toBe(c.final);
    for (const line of c.trace ?? []) expect(plan.trace).toContain(line);
  });
});
