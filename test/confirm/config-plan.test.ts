/**
 * Spec section 8, the pure parts: the `confirm` keys (defaults, config errors with file:line: key:
 * value), which legs of a plan confirm (explain --json shows `confirm: true` on them), and the legs
 * a step hands to the backend (LegSpec.confirm), also for a member re-checked when her turn comes.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { planRoute } from '../../src/routing/route.js';
import { planToJson } from '../../src/routing/format.js';
import { legSpecs } from '../../src/call/legs.js';
import { CALLER, TO, makeConfig } from '../routing/fixtures.js';

function messagesOf(text: string): string[] {
  try {
    parseConfigText(text, 'sb.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError, the config loaded');
}

const plan = (extra: Parameters<typeof makeConfig>[0], to = TO) => {
  const config = makeConfig(extra);
  return { config, plan: planRoute({ from: CALLER, to }, config, { contact: null, cursors: new Map() }).plan };
};

describe('confirm config keys', () => {
  it('given no confirm key, then nothing confirms: devices [], key 1, 10 s, prompt beep', () => {
    expect(makeConfig().confirm).toEqual({ devices: [], key: '1', seconds: 10, prompt: 'beep' });
  });

  it('given a full confirm section, then it is read as written', () => {
    const c = makeConfig({ confirm: { devices: ['mobile', 'forward', 'company'], key: '#', seconds: 30, prompt: 'custom/press-1' } }).confirm;
    expect(c).toEqual({ devices: ['mobile', 'forward', 'company'], key: '#', seconds: 30, prompt: 'custom/press-1' });
  });

  it.each([
    ['a desk phone', 'confirm:\n  devices: [mobile, desk]\n', 'sb.yaml:2: confirm.devices[1]: desk is not one of mobile, forward, company'],
    ['a softphone', 'confirm:\n  devices: [app]\n', 'sb.yaml:2: confirm.devices[0]: app is not one of mobile, forward, company'],
    ['two keys', 'confirm:\n  key: "12"\n', 'sb.yaml:2: confirm.key: 12 must be one DTMF key: 0-9, * or #'],
    ['a letter', 'confirm:\n  key: x\n', 'sb.yaml:2: confirm.key: x must be one DTMF key: 0-9, * or #'],
    ['no time', 'confirm:\n  seconds: 0\n', 'sb.yaml:2: confirm.seconds: 0 must be a whole number from 1 to 120 seconds'],
    ['too long', 'confirm:\n  seconds: 121\n', 'sb.yaml:2: confirm.seconds: 121 must be a whole number from 1 to 120 seconds'],
    ['a path out', 'confirm:\n  prompt: ../../etc/passwd\n', 'sb.yaml:2: confirm.prompt: ../../etc/passwd must be beep or a sound name of letters, digits, "_", "-" and "/"'],
    ['ESL syntax', 'confirm:\n  prompt: "beep,hangup"\n', 'sb.yaml:2: confirm.prompt: "beep,hangup" must be beep or a sound name of letters, digits, "_", "-" and "/"'],
    ['a media URI', 'confirm:\n  prompt: "tone:ring"\n', 'sb.yaml:2: confirm.prompt: tone:ring must be beep or a sound name of letters, digits, "_", "-" and "/"'],
    ['a typo', 'confirm:\n  second: 5\n', 'sb.yaml:2: confirm.second: unknown key "second" (did you mean "seconds"?)'],
  ])('given %s, then the error names file:line: key: value', (_name, text, expected) => {
    expect(messagesOf(text)).toEqual([expected]);
  });
});

describe('which legs confirm (the plan, explain --json)', () => {
  const numbers = [{ number: TO, user: 'alice', forwardTo: '+12025550300', fallthrough: true, alsoRing: ['bob'] }];

  it('given confirm.devices [mobile, forward], then her mobile and the forwarding number confirm, desk phones and the company do not', () => {
    const { plan: p } = plan({ numbers, confirm: { devices: ['mobile', 'forward'] } });
    const json = planToJson(p) as { steps: { members: { targets: Record<string, unknown>[] }[] }[]; trace: string[] };
    expect(json.steps.map((s) => s.members.map((m) => m.targets))).toEqual([
      [
        [{ device: 'desk', endpoint: '1001' }, { device: 'mobile', number: '+12025550111', confirm: true }],
        [{ device: 'desk', endpoint: '1002' }],
      ],
      [[{ device: 'forward', number: '+12025550300', confirm: true }]],
      [[{ device: 'company', number: '+12025550100' }]],
    ]);
    expect(json.trace).toContain('mobile, forward legs must press 1 within 10s of answering before they are bridged (confirm)');
  });

  it('given confirm.devices [company], then only the company leg confirms', () => {
    const { plan: p } = plan({ numbers, confirm: { devices: ['company'] } });
    const confirming = p.steps.flatMap((s) => s.members.flatMap((m) => m.targets.filter((t) => t.confirm).map((t) => t.device)));
    expect(confirming).toEqual(['company']);
  });

  it('given no confirm section, then explain --json has no confirm key and no confirm trace line', () => {
    const { plan: p } = plan({ numbers });
    expect(JSON.stringify(planToJson(p))).not.toContain('confirm');
  });

  it('given a distribution, then a member\'s mobile confirms there too', () => {
    const { plan: p } = plan({
      numbers: [{ number: TO, distribution: 'd' }],
      ringGroups: [{ id: 'g', strategy: 'simultaneous', members: ['carol'] }],
      distributions: [{ id: 'd', steps: ['g'] }],
      confirm: { devices: ['mobile'] },
    });
    expect(p.steps[0]!.members[0]!.targets).toEqual([{ device: 'desk', endpoint: '1003' }, { device: 'mobile', number: '+12025550113', confirm: true }]);
  });
});

describe('the legs a step hands to the backend', () => {
  it('given confirm on mobiles, then the mobile leg carries key, seconds and prompt and the desk leg nothing', () => {
    const { config, plan: p } = plan({ numbers: [{ number: TO, user: 'alice' }], confirm: { devices: ['mobile'], key: '5', seconds: 7, prompt: 'beep' } });
    const legs = legSpecs(config, p.steps[0]!, 0, 0, p.steps[0]!.members, CALLER, TO);
    expect(legs.map((l) => [l.device, l.confirm ?? null])).toEqual([
      ['desk', null],
      ['mobile', { key: '5', seconds: 7, prompt: 'beep' }],
    ]);
  });

  it('given a member whose targets were rebuilt when her turn came (no mark), then her mobile still confirms', () => {
    const { config } = plan({ numbers: [{ number: TO, user: 'alice' }], confirm: { devices: ['mobile'] } });
    const step = { rule: 'number-user' as const, strategy: 'simultaneous' as const, ringSeconds: 5, members: [] };
    const legs = legSpecs(config, step, 0, 0, [{ user: 'alice', targets: [{ device: 'mobile', number: '+12025550111' }] }], CALLER, TO);
    expect(legs[0]!.confirm).toEqual({ key: '1', seconds: 10, prompt: 'beep' });
  });
});
