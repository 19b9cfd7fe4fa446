/**
 * Spec section 5: the `explain --json` shape, exactly (keys and their order), and the text form.
 */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { planRoute } from '../../src/routing/route.js';
import { formatPlanText, planToJson } from '../../src/routing/format.js';

// The config the spec example implies (section 1's alice, bob and first number).
const config = configSchema.parse({
  company: { name: 'Acme Realty', phone: '+12025550100', voicemail: '9000' },
  users: [
    { id: 'alice', name: 'Alice Adams', extension: '1001', desk: '1001', app: 'alice-app', mobile: '+12025550111', ring: ['desk', 'mobile'], voicemail: '1001' },
    { id: 'bob', name: 'Bob Brown', extension: '1002' },
  ],
  numbers: [
    {
      number: '+12025550200',
      user: 'alice',
      forwardTo: '+12025550300',
      preferContactOwner: false,
      forwardToCompany: false,
      alsoRing: ['bob'],
      ringSeconds: 25,
      fallthrough: true,
      unanswered: 'voicemail',
    },
  ],
  ringGroups: [{ id: 'closers', strategy: 'simultaneous', members: ['alice', 'bob'], ringSeconds: 20 }],
  distributions: [{ id: 'sales', steps: ['closers'] }],
});

const SPEC_EXAMPLE = {
  from: '+12025550999',
  to: '+12025550200',
  contact: { phone: '+12025550999', owner: 'bob' },
  steps: [
    {
      rule: 'number-user',
      strategy: 'simultaneous',
      ringSeconds: 25,
      members: [
        { user: 'alice', targets: [{ device: 'desk', endpoint: '1001' }, { device: 'mobile', number: '+12025550111' }] },
        { user: 'bob', targets: [{ device: 'desk', endpoint: '1002' }] },
      ],
    },
    {
      rule: 'forwarding',
      strategy: 'simultaneous',
      ringSeconds: 25,
      members: [{ user: null, targets: [{ device: 'forward', number: '+12025550300' }] }],
    },
  ],
  final: { action: 'voicemail', mailbox: '1001' },
};

describe('planToJson', () => {
  it('given the config the spec example implies, when planned, then the JSON is the spec example (keys in order) apart from trace', () => {
    // when
    const { plan } = planRoute({ from: '+12025550999', to: '+12025550200' }, config, {
      contact: { phone: '+12025550999', owner: 'bob' },
      cursors: new Map(),
    });
    const json = planToJson(plan);
    // then
    const { trace, schedule, blocked, callerName, ...rest } = json;
    expect(JSON.stringify(rest)).toBe(JSON.stringify(SPEC_EXAMPLE));
    // Section 5's keys in its order, then what sections 7 and 9 add.
    expect(Object.keys(json)).toEqual(['from', 'to', 'contact', 'steps', 'final', 'trace', 'schedule', 'blocked', 'callerName']);
    expect({ schedule, blocked, callerName }).toEqual({ schedule: null, blocked: false, callerName: null });
    expect(trace).toContain('number +12025550200 is assigned to alice');
  });

  it('given a distribution, then its steps carry group between ringSeconds and members, and a withheld caller is null', () => {
    // given
    const withDist = configSchema.parse({ ...config, numbers: [{ number: '+12025550201', distribution: 'sales' }] });
    // when
    const { plan } = planRoute({ from: null, to: '+12025550201' }, withDist, { contact: null, cursors: new Map() });
    const json = planToJson(plan) as { from: unknown; contact: unknown; steps: Array<Record<string, unknown>>; final: unknown };
    // then
    expect(json.from).toBeNull();
    expect(json.contact).toBeNull();
    expect(Object.keys(json.steps[0]!)).toEqual(['rule', 'strategy', 'ringSeconds', 'group', 'members']);
    expect(json.steps[0]!.group).toBe('closers');
    expect(json.final).toEqual({ action: 'voicemail', mailbox: '9000' });
  });

  it('given a hangup final action, then final has no mailbox key', () => {
    const hang = configSchema.parse({ ...config, numbers: [{ number: '+12025550200', unanswered: 'hangup' }] });
    const { plan } = planRoute({ from: null, to: '+12025550200' }, hang, { contact: null, cursors: new Map() });
    expect(planToJson(plan).final).toEqual({ action: 'hangup' });
    expect(Object.keys(planToJson(plan).final as object)).toEqual(['action']);
  });
});

describe('formatPlanText', () => {
  it('given a plan, then the text shows the trace, each step with rule, strategy, ring time and devices, and the final action', () => {
    const { plan } = planRoute({ from: '+12025550999', to: '+12025550200' }, config, { contact: null, cursors: new Map() });
    const text = formatPlanText(plan);
    expect(text).toContain('  - number +12025550200 is assigned to alice');
    expect(text).toContain('1. number-user (simultaneous, 25s)');
    expect(text).toContain('alice: desk 1001, mobile +12025550111');
    expect(text).toContain('2. forwarding (simultaneous, 25s)');
    expect(text).toContain('final: voicemail, mailbox 1001');
    expect(text.indexOf('trace:')).toBeLessThan(text.indexOf('steps:'));
  });
});
