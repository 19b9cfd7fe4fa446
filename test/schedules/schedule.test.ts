/**
 * The schedule evaluator (spec section 7): weekly periods (past midnight, 24:00), closed dates,
 * yearly month-days and date-time ranges, overrides, and daylight saving on both changes of a
 * year in a northern (America/New_York) and a southern (Australia/Sydney) zone.
 */
import { describe, expect, it } from 'vitest';
import { scheduleSchema, type Schedule } from '../../src/config/schedules.js';
import { localTimeToInstant, parseAt, scheduleSentence, scheduleState, wallClock } from '../../src/routing/schedule.js';

const office = (zone = 'America/New_York', extra: Partial<Schedule> = {}): Schedule =>
  scheduleSchema.parse({
    id: 'office',
    timezone: zone,
    open: [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:30' },
      { days: ['sat'], from: '10:00', to: '14:00' },
    ],
    closed: [
      { date: '2026-12-25', name: 'Christmas Day' },
      { date: '07-04', name: 'Independence Day' },
      { from: '2026-12-31T15:00', to: '2027-01-02T09:00', name: 'New Year' },
    ],
    ...extra,
  });

/** The instant of a local time in the schedule's zone (first occurrence). */
const at = (s: Schedule, local: string) => localTimeToInstant(s.timezone, local)!;
const isOpen = (s: Schedule, local: string) => scheduleState(s, at(s, local)).open;

/** Minutes of real time within [startUtc, startUtc + hours) during which the schedule is open. */
function openMinutes(s: Schedule, startUtc: string, hours = 30): number {
  const t0 = Date.parse(startUtc);
  let n = 0;
  for (let m = 0; m < hours * 60; m++) if (scheduleState(s, t0 + m * 60_000).open) n++;
  return n;
}

describe('weekly periods', () => {
  const s = office();
  it('given a weekday, then open from `from` (inclusive) to `to` (exclusive)', () => {
    expect(isOpen(s, '2026-12-01T08:59')).toBe(false); // a Tuesday
    expect(isOpen(s, '2026-12-01T09:00')).toBe(true);
    expect(isOpen(s, '2026-12-01T17:29')).toBe(true);
    expect(isOpen(s, '2026-12-01T17:30')).toBe(false);
    expect(scheduleState(s, at(s, '2026-12-01T12:00'))).toEqual({ id: 'office', open: true, why: 'hours' });
    expect(scheduleState(s, at(s, '2026-12-01T20:00'))).toEqual({ id: 'office', open: false, why: 'hours' });
  });

  it('given the days list, then a day not named is closed all day', () => {
    expect(isOpen(s, '2026-12-05T11:00')).toBe(true); // Saturday
    expect(isOpen(s, '2026-12-06T11:00')).toBe(false); // Sunday
  });

  it('given a period past midnight, then it ends the next morning (and only after a listed day)', () => {
    const night = office('America/New_York', { open: [{ days: ['fri'], from: '22:00', to: '06:00' }], closed: [] });
    expect(isOpen(night, '2026-12-04T21:59')).toBe(false); // Friday evening
    expect(isOpen(night, '2026-12-04T22:00')).toBe(true);
    expect(isOpen(night, '2026-12-05T00:00')).toBe(true); // Saturday morning
    expect(isOpen(night, '2026-12-05T05:59')).toBe(true);
    expect(isOpen(night, '2026-12-05T06:00')).toBe(false);
    expect(isOpen(night, '2026-12-04T03:00')).toBe(false); // Friday morning: Thursday is not listed
    expect(isOpen(night, '2026-12-05T22:30')).toBe(false); // Saturday evening
  });

  it('given a period that ends at 24:00, then open to the last minute and closed at midnight', () => {
    const late = office('America/New_York', { open: [{ days: ['mon'], from: '18:00', to: '24:00' }], closed: [] });
    expect(isOpen(late, '2026-11-30T23:59')).toBe(true);
    expect(isOpen(late, '2026-12-01T00:00')).toBe(false);
  });

  it('given 00:00 to 24:00 on every day, then always open', () => {
    const always = office('Europe/Berlin', { open: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '24:00' }], closed: [] });
    expect(openMinutes(always, '2026-03-28T00:00Z', 72)).toBe(72 * 60); // across Europe's spring forward
  });
});

describe('closed exceptions', () => {
  const s = office();
  it('given a date, then that local day is closed, named', () => {
    expect(scheduleState(s, at(s, '2026-12-25T10:00'))).toEqual({ id: 'office', open: false, why: 'closed: Christmas Day' });
    expect(isOpen(s, '2026-12-24T10:00')).toBe(true);
    expect(isOpen(s, '2026-12-28T10:00')).toBe(true);
  });

  it('given a month-day, then it closes that day every year', () => {
    for (const y of [2025, 2028, 2030]) {
      const day = new Date(Date.UTC(y, 6, 4)).getUTCDay();
      const local = `${y}-07-04T${day === 0 ? '12' : '11'}:00`;
      expect(scheduleState(s, at(s, local)).why).toBe('closed: Independence Day');
    }
    expect(isOpen(s, '2026-07-03T11:00')).toBe(true);
  });

  it('given a yearly 02-29, then it closes only leap days', () => {
    const leap = office('America/New_York', { closed: [{ date: '02-29', name: 'Leap Day' }] });
    expect(scheduleState(leap, at(leap, '2028-02-29T10:00')).why).toBe('closed: Leap Day');
    expect(isOpen(leap, '2027-03-01T10:00')).toBe(true);
  });

  it('given a date-time range, then closed from `from` (inclusive) to `to` (exclusive), across the year end', () => {
    expect(isOpen(s, '2026-12-31T14:59')).toBe(true);
    expect(scheduleState(s, at(s, '2026-12-31T15:00')).why).toBe('closed: New Year');
    expect(scheduleState(s, at(s, '2027-01-01T12:00')).why).toBe('closed: New Year');
    expect(scheduleState(s, at(s, '2027-01-02T08:59')).why).toBe('closed: New Year');
    // 2027-01-02 is a Saturday: after the range the Saturday hours decide again.
    expect(scheduleState(s, at(s, '2027-01-02T09:00'))).toEqual({ id: 'office', open: false, why: 'hours' });
    expect(isOpen(s, '2027-01-02T10:00')).toBe(true);
  });

  it('given an exception without a name, then why names its date', () => {
    const unnamed = office('America/New_York', { closed: [{ date: '2026-12-01' }] });
    expect(scheduleState(unnamed, at(unnamed, '2026-12-01T10:00')).why).toBe('closed: 2026-12-01');
  });
});

describe('overrides', () => {
  const s = office();
  it('given an override, then it decides alone, over hours and exceptions', () => {
    expect(scheduleState(s, at(s, '2026-12-25T10:00'), 'open')).toEqual({ id: 'office', open: true, why: 'override' });
    expect(scheduleState(s, at(s, '2026-12-01T10:00'), 'closed')).toEqual({ id: 'office', open: false, why: 'override' });
    expect(scheduleState(s, at(s, '2026-12-01T10:00'), null).why).toBe('hours');
  });

  it('the trace sentences say which applied', () => {
    expect(scheduleSentence({ id: 'office', open: false, why: 'closed: Christmas Day' })).toBe('schedule office is closed: Christmas Day');
    expect(scheduleSentence({ id: 'office', open: true, why: 'override' })).toBe('schedule office is open: forced open by override');
    expect(scheduleSentence({ id: 'office', open: false, why: 'override' })).toBe('schedule office is closed: forced closed by override');
  });
});

// 2026: New York springs forward on Sunday 8 March (02:00 -> 03:00) and falls back on Sunday
// 1 November (02:00 -> 01:00). Sydney falls back on Sunday 5 April (03:00 -> 02:00) and springs
// forward on Sunday 4 October (02:00 -> 03:00).
describe.each([
  { zone: 'America/New_York', springDay: '2026-03-08', springStartUtc: '2026-03-08T00:00Z', fallDay: '2026-11-01', fallStartUtc: '2026-11-01T00:00Z', gapHour: '02', repeatedHour: '01' },
  { zone: 'Australia/Sydney', springDay: '2026-10-04', springStartUtc: '2026-10-03T10:00Z', fallDay: '2026-04-05', fallStartUtc: '2026-04-04T10:00Z', gapHour: '02', repeatedHour: '02' },
])('daylight saving in $zone', ({ zone, springDay, springStartUtc, fallDay, fallStartUtc, gapHour, repeatedHour }) => {
  const next = (h: string) => String(Number(h) + 1).padStart(2, '0');
  const hourPeriod = (h: string) => office(zone, { open: [{ days: ['sun'], from: `${h}:00`, to: `${next(h)}:00` }], closed: [] });

  it('given the spring-forward day, then a period inside the missing hour is empty', () => {
    expect(openMinutes(hourPeriod(gapHour), springStartUtc)).toBe(0);
  });

  it('given the fall-back day, then both passes of the repeated hour count', () => {
    expect(openMinutes(hourPeriod(repeatedHour), fallStartUtc)).toBe(120);
  });

  it('given an ordinary Sunday, then the same hour is open for 60 minutes', () => {
    const ordinary = new Date(Date.parse(fallStartUtc) + 14 * 86400_000).toISOString().slice(0, 16) + 'Z';
    expect(openMinutes(hourPeriod(repeatedHour), ordinary)).toBe(60);
  });

  it('given a 09:00 opening on each side of a change, then it follows the wall clock, not a fixed offset', () => {
    const daily = office(zone, { open: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '09:00', to: '17:00' }], closed: [] });
    for (const day of [springDay, fallDay]) {
      const before = localTimeToInstant(zone, `${day}T08:59`)!;
      const opening = localTimeToInstant(zone, `${day}T09:00`)!;
      expect(scheduleState(daily, before).open).toBe(false);
      expect(scheduleState(daily, opening).open).toBe(true);
      expect(wallClock(zone, opening).dateTime).toBe(`${day}T09:00`);
    }
    // The opening moves by an hour of UTC across each change.
    const dayBefore = (d: string) => new Date(Date.parse(`${d}T00:00Z`) - 86400_000).toISOString().slice(0, 10);
    for (const day of [springDay, fallDay]) {
      const delta = localTimeToInstant(zone, `${day}T09:00`)! - localTimeToInstant(zone, `${dayBefore(day)}T09:00`)!;
      expect(Math.abs(delta - 86400_000)).toBe(3600_000);
    }
  });

  it('given a local time that occurs twice, then localTimeToInstant takes its first occurrence', () => {
    const t = localTimeToInstant(zone, `${fallDay}T${repeatedHour}:30`)!;
    expect(wallClock(zone, t).dateTime).toBe(`${fallDay}T${repeatedHour}:30`);
    expect(wallClock(zone, t - 3600_000).dateTime).not.toBe(`${fallDay}T${repeatedHour}:30`); // nothing earlier has it
    expect(wallClock(zone, t + 3600_000).dateTime).toBe(`${fallDay}T${repeatedHour}:30`); // the second pass
  });

  it('given a local time that does not exist, then it lands past the gap by as much as it was into it', () => {
    const t = localTimeToInstant(zone, `${springDay}T${gapHour}:30`)!;
    expect(wallClock(zone, t).dateTime).toBe(`${springDay}T${next(gapHour)}:30`);
  });
});

describe('explain --at parsing', () => {
  it('reads ISO 8601 with an offset as that instant, without one as the zone\'s local time', () => {
    expect(parseAt('2026-12-24T18:30Z', 'America/New_York')).toBe(Date.parse('2026-12-24T18:30Z'));
    expect(parseAt('2026-12-24T18:30+01:00', 'America/New_York')).toBe(Date.parse('2026-12-24T17:30Z'));
    expect(parseAt('2026-12-24T18:30', 'America/New_York')).toBe(Date.parse('2026-12-24T23:30Z'));
    expect(parseAt('2026-12-25', 'America/New_York')).toBe(Date.parse('2026-12-25T05:00Z'));
    expect(parseAt('2026-12-24T18:30', null)).toBe(Date.parse('2026-12-24T18:30Z'));
  });

  it.each([['tomorrow'], ['2026-13-01T10:00'], ['2026-02-30T10:00'], ['2026-12-24 18:30'], ['2026-12-24T25:00'], ['']])('refuses %j', (text) => {
    expect(parseAt(text, 'America/New_York')).toBeNull();
  });
});
