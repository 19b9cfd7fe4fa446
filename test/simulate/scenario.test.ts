/** The scenario file format and the expectation check, without a PBX. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/call/record.js';
import { ConfigError } from '../../src/errors.js';
import { checkExpectation } from '../../src/simulate/expect.js';
import { formatLegs } from '../../src/simulate/report.js';
import { parseScenarioText, type Expectation } from '../../src/simulate/scenario.js';
import { REPO_ROOT } from '../support/shared.js';

function issuesOf(text: string): string[] {
  try {
    parseScenarioText(text, 'calls.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected the scenario to be refused');
}

const ONE = (extra: string) => `calls:\n  - name: a\n    to: "+12025550200"\n    from: "+12025550111"\n${extra}`;

describe('scenario file', () => {
  it('given the docker harness scenario, when parsed, then every call is read with its expectations', () => {
    const text = readFileSync(resolve(REPO_ROOT, 'docker/scenarios/chain.yaml'), 'utf8');
    const scenario = parseScenarioText(text, 'chain.yaml');
    expect(scenario.calls.length).toBeGreaterThan(5);
    expect(scenario.calls[0]).toMatchObject({ to: '+12025550200', expect: { outcome: 'answered', answeredBy: { user: 'alice', device: 'desk' } } });
    expect(scenario.calls.some((c) => c.from === 'anonymous')).toBe(true);
  });

  it('given at, legs and answeredBy null, when parsed, then they are kept', () => {
    const s = parseScenarioText(ONE('    at: 1.5\n    expect: { answeredBy: null, legs: 2 }\n'), 'calls.yaml');
    expect(s.calls[0]).toMatchObject({ at: 1.5, expect: { answeredBy: null, legs: 2 } });
  });

  it.each([
    ['a misspelt call key', ONE('    hangupAfter: 3\n'), 'calls.yaml:5: calls[0].hangupAfter: unknown key "hangupAfter"'],
    ['a bad outcome', ONE('    expect:\n      outcome: answred\n'), 'calls.yaml:6: calls[0].expect.outcome: must be one of answered, voicemail, abandoned, dropped, failed, not "answred"'],
    ['a number as to', 'calls:\n  - name: a\n    to: 12025550200x\n    from: ""\n', 'calls.yaml:3: calls[0].to: must be the number called'],
    ['a missing from', 'calls:\n  - name: a\n    to: "+12025550200"\n', 'calls.yaml:2: calls[0].from: is required'],
    ['a negative hang-up time', ONE('    hangupAfterSeconds: -1\n'), 'calls.yaml:5: calls[0].hangupAfterSeconds: must be more than 0'],
    ['an unknown device', ONE('    expect: { answeredBy: { user: alice, device: phone } }\n'), 'calls.yaml:5: calls[0].expect.answeredBy.device: must be one of'],
    ['duplicate names', `${ONE('')}  - name: a\n    to: "+12025550201"\n    from: ""\n`, 'calls.yaml:5: calls[1].name: duplicate name "a"'],
    ['no calls', 'calls: []\n', 'calls.yaml:1: calls: must list at least one call'],
    ['a list at the top', '- a\n', 'calls.yaml:1: a scenario file is a YAML map'],
    ['a YAML syntax error', 'calls: [\n', 'calls.yaml:2: YAML syntax error'],
    ['a duplicate key', ONE('    to: "+12025550201"\n'), 'calls.yaml:5: calls[0].to: duplicate key'],
  ])('given %s, when parsed, then the issue names line and key', (_what, text, issue) => {
    expect(issuesOf(text)).toContainEqual(expect.stringMatching(`^${issue.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
});

const RECORD: CallRecord = {
  id: 'c1', backend: 'asterisk', startedAt: '2026-01-01T00:00:00Z', from: '+12025550111', to: '+12025550202',
  outcome: 'answered', answeredBy: { user: null, device: 'forward' },
  legs: [
    { user: 'carol', device: 'desk', rule: 'number-user', startedAt: '', result: 'no-answer', cause: 16 },
    { user: null, device: 'forward', rule: 'forwarding', startedAt: '', result: 'answered', cause: null },
  ],
  rules: ['number-user', 'forwarding'], durationSeconds: 3, ringSeconds: 1, talkSeconds: 2,
  answeredAt: null, endedAt: null, detail: null, trace: [], passedOver: [],
};

describe('checkExpectation', () => {
  it.each<[string, Expectation | undefined, CallRecord | null, string[]]>([
    ['no expectation', undefined, RECORD, []],
    ['all matching', { outcome: 'answered', answeredBy: { user: null, device: 'forward' }, rules: ['number-user', 'forwarding'], legs: 2 }, RECORD, []],
    ['another outcome', { outcome: 'voicemail' }, RECORD, ['outcome: expected voicemail, got answered']],
    ['nobody expected to answer', { answeredBy: null }, RECORD, ['answeredBy: expected -, got -/forward']],
    ['another answerer', { answeredBy: { user: 'alice', device: 'desk' } }, RECORD, ['answeredBy: expected alice/desk, got -/forward']],
    ['other rules', { rules: ['number-user'] }, RECORD, ['rules: expected [number-user], got [number-user, forwarding]']],
    ['fewer legs', { legs: 1 }, RECORD, ['legs: expected 1, got 2']],
    ['no row', {}, null, ['no call-log row for this call']],
    ['a call still in progress', undefined, { ...RECORD, outcome: null }, ['the call did not end (no outcome in the call log)']],
  ])('given %s, then the mismatches are as listed', (_what, expectation, record, mismatches) => {
    expect(checkExpectation(expectation, record)).toEqual({ ok: mismatches.length === 0, mismatches });
  });

  it('formats the legs rung with their results', () => {
    expect(formatLegs(RECORD)).toBe('carol/desk:no-answer -/forward:answered');
    expect(formatLegs(null)).toBe('-');
  });
});
