/**
 * Spec section 2: ring time, and which devices ring for a user (section 1: "can be rung", `ring`).
 */
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import { planRoute } from '../../src/routing/route.js';
import type { Target } from '../../src/routing/plan.js';
import { userTargets } from '../../src/routing/users.js';
import { configSchema } from '../../src/config/schema.js';
import { CALLER, TO, makeConfig } from './fixtures.js';

describe('ring time', () => {
  const groups: Partial<ConfigInput> = {
    ringGroups: [
      { id: 'g40', strategy: 'simultaneous', members: ['bob'], ringSeconds: 40 },
      { id: 'gnone', strategy: 'simultaneous', members: ['bob'] },
    ],
    distributions: [{ id: 'd', steps: [{ group: 'g40', ringSeconds: 30 }, 'g40', 'gnone'] }],
  };
  it.each([
    { sentence: "a distribution step's own ringSeconds, else its group's, else 20", number: { distribution: 'd' }, expected: [30, 40, 20] },
    { sentence: "any other step uses the number's ringSeconds", number: { user: 'bob', forwardTo: '+12025550300', fallthrough: true, ringSeconds: 25 }, expected: [25, 25, 25] },
    { sentence: "any other step without the number's ringSeconds uses 20", number: { user: 'bob', fallthrough: true }, expected: [20, 20] },
  ])('$sentence', ({ number, expected }) => {
    // given
    const config = makeConfig({ numbers: [{ number: TO, ...number }], ...groups });
    // when
    const { plan } = planRoute({ from: CALLER, to: TO }, config, { contact: null, cursors: new Map() });
    // then
    expect(plan.steps.map((s) => s.ringSeconds)).toEqual(expected);
  });
});

describe('targets of a user', () => {
  const user = (u: object) => configSchema.parse({ users: [{ id: 'u', name: 'U', extension: '1001', ...u }] }).users[0]!;
  const cases: Array<{ sentence: string; user: object; expected: Target[] }> = [
    {
      sentence: 'default ring list: every device she has, in the order desk, app, mobile',
      user: { mobile: '+12025550111', app: 'u-app' },
      expected: [{ device: 'desk', endpoint: '1001' }, { device: 'app', endpoint: 'u-app' }, { device: 'mobile', number: '+12025550111' }],
    },
    {
      sentence: 'the desk endpoint is `desk` when set, else the extension',
      user: { desk: 'desk-1001' },
      expected: [{ device: 'desk', endpoint: 'desk-1001' }],
    },
    {
      sentence: 'her ring list picks the devices, still in the order desk, app, mobile',
      user: { mobile: '+12025550111', app: 'u-app', ring: ['mobile', 'desk'] },
      expected: [{ device: 'desk', endpoint: '1001' }, { device: 'mobile', number: '+12025550111' }],
    },
    {
      sentence: 'a device in her ring list that is not configured is skipped',
      user: { ring: ['app', 'mobile'], app: 'u-app' },
      expected: [{ device: 'app', endpoint: 'u-app' }],
    },
    { sentence: 'no device in her ring list configured: no targets (she cannot be rung)', user: { ring: ['mobile'] }, expected: [] },
  ];
  it.each(cases)('$sentence', ({ user: u, expected }) => {
    expect(userTargets(user(u))).toEqual(expected);
  });

  it('forwarding and company targets are numbers with user null', () => {
    // given
    const config = makeConfig({ numbers: [{ number: TO, forwardTo: '+12025550300', fallthrough: true }] });
    // when
    const { plan } = planRoute({ from: null, to: TO }, config, { contact: null, cursors: new Map() });
    // then
    expect(plan.steps.map((s) => s.members)).toEqual([
      [{ user: null, targets: [{ device: 'forward', number: '+12025550300' }] }],
      [{ user: null, targets: [{ device: 'company', number: '+12025550100' }] }],
    ]);
    expect(plan.from).toBeNull();
  });
});

describe('purity', () => {
  it('given the same input twice, when planned, then the plans are equal and the cursors passed in are untouched', () => {
    const config = makeConfig({
      numbers: [{ number: TO, distribution: 'd' }],
      ringGroups: [{ id: 'rr', strategy: 'round-robin', members: ['alice', 'bob'] }],
      distributions: [{ id: 'd', steps: ['rr'] }],
    });
    const cursors = new Map([['rr', 1]]);
    const a = planRoute({ from: CALLER, to: TO }, config, { contact: null, cursors });
    const b = planRoute({ from: CALLER, to: TO }, config, { contact: null, cursors });
    expect(a).toEqual(b);
    expect([...cursors]).toEqual([['rr', 1]]);
  });
});
