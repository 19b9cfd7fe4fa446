/**
 * Every config error of spec sections 7 and 9, each named with file, line, key and value.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

/** A valid config: line numbers below are counted in it (line 1 is `company`). */
const BASE = `company: { name: Acme, phone: "+12025550100", voicemail: "9000" }
users:
  - { id: alice, name: Alice, extension: "1001" }
ringGroups:
  - { id: night, strategy: simultaneous, members: [alice] }
distributions:
  - { id: on-call, steps: [night] }
schedules:
  - id: office
    timezone: America/New_York
    open:
      - { days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:30" }
    closed:
      - { date: "2026-12-25", name: Christmas Day }
      - { date: "12-26" }
      - { from: "2026-12-31T15:00", to: "2027-01-02T09:00", name: New Year }
numbers:
  - number: "+12025550200"
    user: alice
    schedule: office
    label: "O'Brien & Co: Zoë"
    withheld: block
    whenClosed: { forwardTo: "+12025550399", ringSeconds: 30, unanswered: voicemail, voicemail: "9000" }
blocked: ["+12025550666", "+1900*"]
`;

function issuesOf(text: string): string[] {
  try {
    parseConfigText(text, 'sb.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError, the config loaded');
}

describe('schedules in the config', () => {
  it('given the base config, then it loads with every key of sections 7 and 9', () => {
    const { config, warnings } = parseConfigText(BASE, 'sb.yaml', {});
    expect(warnings).toEqual([]);
    expect(config.schedules[0]!.closed).toHaveLength(3);
    expect(config.numbers[0]).toMatchObject({ schedule: 'office', label: "O'Brien & Co: Zoë", withheld: 'block', whenClosed: { forwardTo: '+12025550399' } });
    expect(config.blocked).toEqual(['+12025550666', '+1900*']);
  });

  it('defaults: withheld allow, no label, no blocked, no schedules', () => {
    const { config } = parseConfigText('numbers:\n  - { number: "+12025550200" }\n', 'sb.yaml', {});
    expect(config.numbers[0]!.withheld).toBe('allow');
    expect(config.numbers[0]!.label).toBeUndefined();
    expect(config.blocked).toEqual([]);
    expect(config.schedules).toEqual([]);
  });

  it.each([
    ['an unknown schedule', ['    schedule: office', '    schedule: ofice'], 'sb.yaml:20: numbers[0].schedule: unknown schedule "ofice" (did you mean "office"?)'],
    ['an unknown timezone', ['    timezone: America/New_York', '    timezone: America/Springfield'], 'sb.yaml:10: schedules[0].timezone: unknown timezone "America/Springfield": use an IANA name such as America/New_York'],
    ['`from` not before `to` on a date range', ['to: "2027-01-02T09:00"', 'to: "2026-12-30T09:00"'], 'sb.yaml:16: schedules[0].closed[2].from: "2026-12-31T15:00" is not before to "2026-12-30T09:00"'],
    ['a bad time', ['to: "17:30"', 'to: "25:00"'], 'sb.yaml:12: schedules[0].open[0].to: "25:00" is not a time: write HH:MM from 00:00 to 24:00'],
    ['a bad from time', ['from: "09:00"', 'from: "24:00"'], 'sb.yaml:12: schedules[0].open[0].from: "24:00" is not a time: write HH:MM from 00:00 to 23:59'],
    ['an unknown day name', ['days: [mon, tue, wed, thu, fri]', 'days: [mon, tue, wed, thr, fri]'], 'sb.yaml:12: schedules[0].open[0].days[3]: thr is not one of mon, tue, wed, thu, fri, sat, sun (did you mean "thu"?)'],
    ['a whenClosed with both forwardTo and distribution', ['forwardTo: "+12025550399",', 'forwardTo: "+12025550399", distribution: on-call,'], 'sb.yaml:23: numbers[0].whenClosed.distribution: "on-call": write forwardTo or distribution, not both'],
    ['a whenClosed.forwardTo that is one of our numbers', ['forwardTo: "+12025550399"', 'forwardTo: "+12025550200"'], 'sb.yaml:23: numbers[0].whenClosed.forwardTo: +12025550200 is one of our own inbound numbers: forwarding to it would loop'],
    ['a whenClosed with an unknown distribution', ['{ forwardTo: "+12025550399",', '{ distribution: on-cal,'], 'sb.yaml:23: numbers[0].whenClosed.distribution: unknown distribution "on-cal" (did you mean "on-call"?)'],
    ['a date that does not exist', ['date: "2026-12-25"', 'date: "2026-02-30"'], 'sb.yaml:14: schedules[0].closed[0].date: "2026-02-30" is not a date: write YYYY-MM-DD, or MM-DD for every year'],
    ['a month-day that does not exist', ['date: "12-26"', 'date: "13-01"'], 'sb.yaml:15: schedules[0].closed[1].date: "13-01" is not a date: write YYYY-MM-DD, or MM-DD for every year'],
    ['a bad date-time', ['from: "2026-12-31T15:00"', 'from: "2026-12-31 15:00"'], 'sb.yaml:16: schedules[0].closed[2].from: "2026-12-31 15:00" is not a local date-time: write YYYY-MM-DDTHH:MM'],
    ['a label with a character outside the set', [`label: "O'Brien & Co: Zoë"`, 'label: "Sales <1>"'], `sb.yaml:21: numbers[0].label: "Sales <1>": a label may hold only letters, digits, single spaces and . - ' & :`],
    ['a label that is too long', [`label: "O'Brien & Co: Zoë"`, `label: "${'x'.repeat(41)}"`], `sb.yaml:21: numbers[0].label: "${'x'.repeat(41)}" is longer than 40 characters`],
    ['a bad block-list entry', ['"+1900*"]', '"1900*"]'], 'sb.yaml:24: blocked[1]: "1900*" is neither an E.164 number nor a prefix such as "+1900*"'],
    ['a bad withheld value', ['withheld: block', 'withheld: deny'], 'sb.yaml:22: numbers[0].withheld: deny is not one of allow, block'],
  ])('given %s, then the error names file, line, key and value', (_what, [from, to], expected) => {
    const text = BASE.replace(from!, to!);
    expect(text).not.toBe(BASE);
    expect(issuesOf(text)).toContain(expected);
  });

  it('given two schedules with one id, then the second is named with the index of the first', () => {
    const text = BASE.replace('numbers:\n', '  - { id: office, timezone: Europe/Berlin }\nnumbers:\n');
    expect(issuesOf(text)).toContain('sb.yaml:17: schedules[1].id: "office" is listed twice (first at schedules[0])');
  });

  it('given an open period with from equal to to, then it is refused', () => {
    expect(issuesOf(BASE.replace('to: "17:30"', 'to: "09:00"'))).toContain('sb.yaml:12: schedules[0].open[0].to: "09:00" equals from: an open period needs a length (00:00 to 24:00 is a whole day)');
  });

  it('given a whenClosed on a number without a schedule, then a warning says it is unused', () => {
    const { warnings } = parseConfigText(BASE.replace('    schedule: office\n', ''), 'sb.yaml', {});
    expect(warnings.map((w) => `${w.line}: ${w.key}: ${w.message}`)).toContain('22: numbers[0].whenClosed: unused: the number has no schedule, so it is never closed');
  });
});
