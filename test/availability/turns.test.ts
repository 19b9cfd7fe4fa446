/**
 * Spec section 6: "Availability is read when each step starts (for a sequential step, when each
 * member's turn starts)". The call session against a scripted call: the second member of a linear
 * group changes state while the first one rings, both ways.
 */
import { describe, expect, it } from 'vitest';
import { runCall, type SessionDeps } from '../../src/call/session.js';
import type { AttemptOutcome, LegSpec } from '../../src/call/contract.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import type { Availability, DeviceState } from '../../src/routing/availability.js';
import { planRoute } from '../../src/routing/route.js';
import { planToJson } from '../../src/routing/format.js';
import { answerFirst, FakeCall, MemoryCalls } from '../call/fake-call.js';

const config = configSchema.parse({
  company: { name: 'Acme', voicemail: '9000' },
  users: [
    { id: 'alice', name: 'Alice', extension: '1001' },
    { id: 'bob', name: 'Bob', extension: '1002' },
  ],
  numbers: [{ number: '+12025550200', distribution: 'line' }],
  ringGroups: [{ id: 'lin', strategy: 'linear', members: ['alice', 'bob'], ringSeconds: 5, skipBusy: true }],
  distributions: [{ id: 'line', steps: ['lin'], unanswered: 'hangup' }],
});

/** What the controller's memory says now; the test changes it while a phone rings. */
class Memory {
  readonly dnd = new Set<string>();
  readonly devices = new Map<string, DeviceState>([['1001', 'idle'], ['1002', 'idle']]);
  availability(): Availability {
    return { dnd: new Set(this.dnd), device: (ep) => this.devices.get(ep) ?? 'unknown', bridged: new Set() };
  }
  answered(): void {}
  ended(): void {}
}

function deps(memory: Memory): SessionDeps {
  return {
    config,
    backend: 'asterisk',
    lookupContact: async () => null,
    cursors: { take: async (decide) => decide(new Map()).result },
    calls: new MemoryCalls(),
    log: silentLogger(),
    presence: memory,
  };
}

const noAnswer = (legs: LegSpec[]): AttemptOutcome => ({ kind: 'unanswered', legs: legs.map((l) => ({ key: l.key, startedAt: new Date().toISOString(), result: 'no-answer', cause: 19 })) });

/** Alice's attempt: `change` runs while her phone rings, then she does not answer. */
const whileAliceRings = (change: () => void) => (legs: LegSpec[]): AttemptOutcome => {
  expect(legs.map((l) => l.endpoint)).toEqual(['1001']);
  change();
  return noAnswer(legs);
};

const CHANGES: [string, (m: Memory, on: boolean) => void, string][] = [
  ['goes on do-not-disturb', (m, on) => (on ? m.dnd.add('bob') : m.dnd.delete('bob')), 'do-not-disturb'],
  ['takes a call on his desk phone (in use)', (m, on) => m.devices.set('1002', on ? 'in-use' : 'idle'), 'on a call'],
  ['unregisters his only phone', (m, on) => m.devices.set('1002', on ? 'unavailable' : 'idle'), 'not registered'],
];

describe('a sequential step reads availability when each member’s turn starts', () => {
  for (const [what, set, reason] of CHANGES) {
    it(`given bob ${what} while alice rings, then he is passed over when his turn comes`, async () => {
      const memory = new Memory();
      const call = new FakeCall();
      call.script.push(whileAliceRings(() => set(memory, true)));
      const r = await runCall(call, deps(memory));
      expect(call.asked.filter((a) => a.startsWith('attempt'))).toEqual(['attempt 1001']);
      expect(r.passedOver).toEqual([{ user: 'bob', step: 'lin', reason }]);
      expect(r.trace).toContain(`bob is passed over: ${reason} (when her turn came)`);
      expect(r.legs.map((l) => [l.user, l.result])).toEqual([['alice', 'no-answer']]);
    });

    it(`given bob ${what} before the call and back while alice rings, then he rings at his turn and is not passed over`, async () => {
      const memory = new Memory();
      set(memory, true);
      const call = new FakeCall();
      call.script.push(whileAliceRings(() => set(memory, false)), answerFirst);
      const r = await runCall(call, deps(memory));
      expect(call.asked.filter((a) => a.startsWith('attempt'))).toEqual(['attempt 1001', 'attempt 1002']);
      expect(r.answeredBy).toEqual({ user: 'bob', device: 'desk' });
      expect(r.passedOver).toEqual([]);
      // The plan said why he was passed over then; the row says he was asked again.
      expect(r.trace).toEqual(expect.arrayContaining([`bob is passed over: ${reason}`, 'group lin: bob is asked again when her turn comes', 'bob can be rung now (when her turn came)']));
    });
  }

  it('given bob on do-not-disturb and alice answers, then his turn never comes and the row keeps the plan’s reason', async () => {
    const memory = new Memory();
    memory.dnd.add('bob');
    const call = new FakeCall();
    call.script.push(answerFirst);
    const r = await runCall(call, deps(memory));
    expect(call.asked.filter((a) => a.startsWith('attempt'))).toEqual(['attempt 1001']);
    expect(r.passedOver).toEqual([{ user: 'bob', step: 'lin', reason: 'do-not-disturb' }]);
  });

  it('given bob still on do-not-disturb at his turn, then he is passed over once, with no leg', async () => {
    const memory = new Memory();
    memory.dnd.add('bob');
    const call = new FakeCall();
    const r = await runCall(call, deps(memory));
    expect(call.asked.filter((a) => a.startsWith('attempt'))).toEqual(['attempt 1001']);
    expect(r.passedOver).toEqual([{ user: 'bob', step: 'lin', reason: 'do-not-disturb' }]);
    expect(r.legs.map((l) => l.user)).toEqual(['alice']);
  });
});

describe('the plan of a sequential step', () => {
  it('keeps a member passed over for her state in her place (asked again at her turn), not one passed over for her config; explain --json shows neither', () => {
    const cfg = configSchema.parse({
      company: { name: 'Acme' },
      users: [{ id: 'alice', name: 'A', extension: '1001' }, { id: 'bob', name: 'B', extension: '1002' }, { id: 'nadia', name: 'N' }],
      numbers: [{ number: '+12025550200', distribution: 'line' }],
      ringGroups: [{ id: 'lin', strategy: 'linear', members: ['bob', 'nadia', 'alice'] }],
      distributions: [{ id: 'line', steps: ['lin'] }],
    });
    const { plan } = planRoute({ from: null, to: '+12025550200' }, cfg, { contact: null, cursors: new Map(), availability: { dnd: new Set(['bob']) } });
    expect(plan.steps[0]!.members.map((m) => m.user)).toEqual(['alice']);
    expect(plan.steps[0]!.turns).toEqual(['bob', 'alice']); // nadia has no device: that will not change by her turn
    expect(plan.passedOver).toEqual([{ user: 'bob', step: 'lin', reason: 'do-not-disturb' }, { user: 'nadia', step: 'lin', reason: 'no device' }]);
    expect(JSON.stringify(planToJson(plan))).not.toContain('turns');
    // Nobody passed over for her state: no turns, the members are the order.
    expect(planRoute({ from: null, to: '+12025550200' }, cfg, { contact: null, cursors: new Map() }).plan.steps[0]!.turns).toBeUndefined();
  });
});

describe('a later simultaneous step reads availability when it starts', () => {
  // Step 1 rings alice for her ring time; step 2 rings bob and carol together, a ring time later.
  const twoSteps = configSchema.parse({
    company: { name: 'Acme', voicemail: '9000' },
    users: [
      { id: 'alice', name: 'Alice', extension: '1001' },
      { id: 'bob', name: 'Bob', extension: '1002' },
      { id: 'carol', name: 'Carol', extension: '1003' },
    ],
    numbers: [{ number: '+12025550200', distribution: 'two' }],
    ringGroups: [
      { id: 'first', strategy: 'simultaneous', members: ['alice'], ringSeconds: 5 },
      { id: 'second', strategy: 'simultaneous', members: ['bob', 'carol'], ringSeconds: 5 },
    ],
    distributions: [{ id: 'two', steps: ['first', 'second'], unanswered: 'hangup' }],
  });
  const depsFor = (memory: Memory): SessionDeps => ({ ...deps(memory), config: twoSteps });

  it('given bob on do-not-disturb when the call arrives and off again while alice rings, then he rings with carol in step 2', async () => {
    const memory = new Memory();
    memory.devices.set('1003', 'idle');
    memory.dnd.add('bob');
    const call = new FakeCall();
    call.script.push(whileAliceRings(() => memory.dnd.delete('bob')), answerFirst);
    const r = await runCall(call, depsFor(memory));
    expect(call.asked.filter((a) => a.startsWith('attempt'))).toEqual(['attempt 1001', 'attempt 1002,1003']);
    expect(r.passedOver).toEqual([]);
    expect(r.trace).toEqual(expect.arrayContaining(['group second: bob is asked again when the step starts', 'bob can be rung now (when her turn came)']));
  });

  it('given bob goes on do-not-disturb while alice rings, then step 2 rings carol alone', async () => {
    const memory = new Memory();
    memory.devices.set('1003', 'idle');
    const call = new FakeCall();
    call.script.push(whileAliceRings(() => memory.dnd.add('bob')));
    const r = await runCall(call, depsFor(memory));
    expect(call.asked.filter((a) => a.startsWith('attempt'))).toEqual(['attempt 1001', 'attempt 1003']);
    expect(r.passedOver).toEqual([{ user: 'bob', step: 'second', reason: 'do-not-disturb' }]);
  });
});
