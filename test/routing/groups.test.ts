/**
 * Spec section 2, "Ring groups": strategies and cursors, passed-over members, the same group twice.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { planRoute } from '../../src/routing/route.js';
import { CALLER, TO, makeConfig, stepSummary } from './fixtures.js';

type GroupInput = NonNullable<ConfigInput['ringGroups']>[number];
type StepInput = NonNullable<ConfigInput['distributions']>[number]['steps'][number];

interface Case {
  sentence: string;
  groups: GroupInput[];
  steps: StepInput[];
  cursors?: Record<string, number>;
  expectSteps: string[];
  strategies?: string[];
  moves: Array<{ group: string; from: number; to: number }>;
  trace?: string[];
}

const RR: GroupInput = { id: 'rr', strategy: 'round-robin', members: ['alice', 'bob', 'carol'] };
const LIN: GroupInput = { id: 'lin', strategy: 'linear', members: ['alice', 'bob', 'carol'] };

const CASES: Case[] = [
  {
    sentence: 'simultaneous: every member who can be rung rings at once, members who cannot are passed over',
    groups: [{ id: 's', strategy: 'simultaneous', members: ['alice', 'dave', 'carol'] }],
    steps: ['s'],
    expectSteps: ['distribution:alice+carol'],
    strategies: ['simultaneous'],
    moves: [],
    trace: ['dave is passed over: no device'],
  },
  {
    sentence: 'round-robin: one member per call, the one at the cursor; the cursor moves to the member after her',
    groups: [RR],
    steps: ['rr'],
    cursors: { rr: 1 },
    expectSteps: ['distribution:bob'],
    strategies: ['simultaneous'],
    moves: [{ group: 'rr', from: 1, to: 2 }],
    trace: ['round-robin group rr: cursor 1 -> bob; cursor moves to 2'],
  },
  {
    sentence: 'round-robin: a missing cursor is 0',
    groups: [RR],
    steps: ['rr'],
    expectSteps: ['distribution:alice'],
    moves: [{ group: 'rr', from: 0, to: 1 }],
  },
  {
    sentence: 'round-robin: the cursor wraps from the last member to the first',
    groups: [RR],
    steps: ['rr'],
    cursors: { rr: 2 },
    expectSteps: ['distribution:carol'],
    moves: [{ group: 'rr', from: 2, to: 0 }],
  },
  {
    sentence: 'round-robin: the cursor index is taken modulo the member count',
    groups: [RR],
    steps: ['rr'],
    cursors: { rr: 7 },
    expectSteps: ['distribution:bob'],
    moves: [{ group: 'rr', from: 7, to: 2 }],
  },
  {
    sentence: 'round-robin: takes the first member who can be rung from the cursor; the cursor moves past the one taken',
    groups: [{ id: 'rr', strategy: 'round-robin', members: ['alice', 'dave', 'carol'] }],
    steps: ['rr'],
    cursors: { rr: 1 },
    expectSteps: ['distribution:carol'],
    moves: [{ group: 'rr', from: 1, to: 0 }],
    trace: ['dave is passed over: no device'],
  },
  {
    sentence: 'round-robin: nobody can be rung, the step is left out and the cursor does not move',
    groups: [{ id: 'rr', strategy: 'round-robin', members: ['dave', 'zoe'] }],
    steps: ['rr'],
    cursors: { rr: 1 },
    expectSteps: [],
    moves: [],
    trace: ['round-robin group rr: nobody can be rung: step left out, cursor stays at 1'],
  },
  {
    sentence: 'round-robin: the same group twice in one distribution takes twice (different members)',
    groups: [RR],
    steps: ['rr', 'rr'],
    cursors: { rr: 2 },
    expectSteps: ['distribution:carol', 'distribution:alice'],
    moves: [{ group: 'rr', from: 2, to: 0 }, { group: 'rr', from: 0, to: 1 }],
  },
  {
    sentence: 'linear: members one at a time (sequential), starting at the cursor; the cursor moves on by one',
    groups: [LIN],
    steps: ['lin'],
    cursors: { lin: 1 },
    expectSteps: ['distribution:bob+carol+alice'],
    strategies: ['sequential'],
    moves: [{ group: 'lin', from: 1, to: 2 }],
  },
  {
    sentence: 'linear: members who cannot be rung are passed over; the cursor still moves on by one',
    groups: [{ id: 'lin', strategy: 'linear', members: ['alice', 'dave', 'carol'] }],
    steps: ['lin'],
    cursors: { lin: 1 },
    expectSteps: ['distribution:carol+alice'],
    strategies: ['sequential'],
    moves: [{ group: 'lin', from: 1, to: 2 }],
  },
  {
    sentence: 'linear: the same group twice starts one further on the second time',
    groups: [LIN],
    steps: ['lin', 'lin'],
    expectSteps: ['distribution:alice+bob+carol', 'distribution:bob+carol+alice'],
    moves: [{ group: 'lin', from: 0, to: 1 }, { group: 'lin', from: 1, to: 2 }],
  },
  {
    sentence: 'a step with no member who can be rung is left out, and the trace says why',
    groups: [{ id: 's', strategy: 'simultaneous', members: ['dave'] }, { id: 't', strategy: 'simultaneous', members: ['bob'] }],
    steps: ['s', 't'],
    expectSteps: ['distribution:bob'],
    moves: [],
    trace: ['simultaneous group s: nobody can be rung: step left out'],
  },
  {
    sentence: 'a user may belong to several groups and steps',
    groups: [RR, { id: 'all', strategy: 'simultaneous', members: ['alice', 'bob'] }],
    steps: ['rr', 'all'],
    expectSteps: ['distribution:alice', 'distribution:alice+bob'],
    moves: [{ group: 'rr', from: 0, to: 1 }],
  },
  {
    sentence: 'nobody rings twice in one group step (a member listed twice rings once)',
    groups: [{ id: 's', strategy: 'simultaneous', members: ['bob', 'bob'] }],
    steps: ['s'],
    expectSteps: ['distribution:bob'],
    moves: [],
  },
];

describe('planRoute: ring groups', () => {
  it.each(CASES)('$sentence', (c) => {
    // given
    const config = makeConfig({
      numbers: [{ number: TO, distribution: 'd' }],
      ringGroups: c.groups,
      distributions: [{ id: 'd', steps: c.steps }],
    });
    const cursors = new Map(Object.entries(c.cursors ?? {}));
    // when
    const { plan, cursorMoves } = planRoute({ from: CALLER, to: TO }, config, { contact: null, cursors });
    // then
    expect(stepSummary(plan)).toEqual(c.expectSteps);
    if (c.strategies) expect(plan.steps.map((s) => s.strategy)).toEqual(c.strategies);
    expect(plan.steps.every((s) => s.group !== undefined)).toBe(true);
    expect(cursorMoves).toMatchObject(c.moves);
    for (const line of c.trace ?? []) expect(plan.trace).toContain(line);
  });

  it('given three calls in a row with the cursor committed each time, then each member is taken once', () => {
    const config = makeConfig({ numbers: [{ number: TO, distribution: 'd' }], ringGroups: [RR], distributions: [{ id: 'd', steps: ['rr'] }] });
    const cursors = new Map<string, number>();
    const taken: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { plan, cursorMoves } = planRoute({ from: CALLER, to: TO }, config, { contact: null, cursors });
      taken.push(plan.steps[0]!.members[0]!.user!);
      for (const m of cursorMoves) cursors.set(m.group, m.to);
    }
    expect(taken).toEqual(['alice', 'bob', 'carol']);
  });
});
