/**
 * The config schema of spec sections 7 and 9: schedules (weekly open periods, closed exceptions),
 * a number's `whenClosed` route, caller labels and block-list patterns. Part of the config schema
 * (src/config/schema.ts composes these); kept apart so the calendar rules read in one place.
 * Messages name the offending value, as every config message does.
 */
import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `HH:MM`, 00:00 to 23:59. */
export const TIME_RE = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
/** `YYYY-MM-DD`. */
const DATE_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
/** `MM-DD`: a month-day that repeats every year. */
const MONTH_DAY_RE = /^([0-9]{2})-([0-9]{2})$/;
/** `YYYY-MM-DDTHH:MM`, local time of the schedule's zone. */
const DATE_TIME_RE = /^([0-9]{4}-[0-9]{2}-[0-9]{2})T(([01][0-9]|2[0-3]):[0-5][0-9])$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when `y-m-d` is a day of the Gregorian calendar (`y` null: any year, so 02-29 counts). */
function isCalendarDay(y: number | null, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  if (m === 2 && y !== null) return d <= (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28);
  return d <= DAYS_IN_MONTH[m - 1]!;
}

/** A `YYYY-MM-DD` that exists. */
export function isDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  return m !== null && isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** A `MM-DD` that exists in some year. */
export function isMonthDay(s: string): boolean {
  const m = MONTH_DAY_RE.exec(s);
  return m !== null && isCalendarDay(null, Number(m[1]), Number(m[2]));
}

/** A `YYYY-MM-DDTHH:MM` whose date exists. */
export function isDateTime(s: string): boolean {
  const m = DATE_TIME_RE.exec(s);
  return m !== null && isDate(m[1]!);
}

/** True for an IANA time zone this Node's ICU knows (`Intl` throws a RangeError for the rest). */
export function isTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const q = (v: unknown) => JSON.stringify(v);

const timeOfDay = (allow2400: boolean) =>
  z.string({ error: (i) => `must be a time HH:MM in quotes, not ${q(i.input)}` }).refine((s) => TIME_RE.test(s) || (allow2400 && s === '24:00'), {
    error: (i) => `${q(i.input)} is not a time: write HH:MM from 00:00 to ${allow2400 ? '24:00' : '23:59'}`,
  });

export const openPeriodSchema = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1, 'must name at least one day (mon ... sun)'),
    from: timeOfDay(false),
    to: timeOfDay(true).describe('exclusive; may be 24:00; before `from` means the period ends the next day'),
  })
  .superRefine((p, ctx) => {
    // Equal ends would mean either nothing or the whole day: make the admin say which.
    if (p.from === p.to) ctx.addIssue({ code: 'custom', path: ['to'], message: `${q(p.to)} equals from: an open period needs a length (00:00 to 24:00 is a whole day)` });
  });

export const closedExceptionSchema = z
  .strictObject({
    date: z.string().optional().describe('YYYY-MM-DD, or MM-DD for a day that repeats every year'),
    from: z.string().optional().describe('YYYY-MM-DDTHH:MM local time, start of a closed range'),
    to: z.string().optional().describe('YYYY-MM-DDTHH:MM local time, end of a closed range (exclusive)'),
    name: z.string().min(1).max(100).optional().describe('shown in the trace: "closed: Christmas Day"'),
  })
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (c.date !== undefined) {
      if (c.from !== undefined || c.to !== undefined) issue('date', 'write either date or from/to, not both');
      else if (!isDate(c.date) && !isMonthDay(c.date)) issue('date', `${q(c.date)} is not a date: write YYYY-MM-DD, or MM-DD for every year`);
      return;
    }
    if (c.from === undefined && c.to === undefined) return issue('date', 'is required (or from and to for a date-time range)');
    for (const key of ['from', 'to'] as const) {
      const v = c[key];
      if (v === undefined) issue(key, 'is required in a date-time range');
      else if (!isDateTime(v)) issue(key, `${q(v)} is not a local date-time: write YYYY-MM-DDTHH:MM`);
    }
    // Same-shape strings compare in time order.
    if (c.from && c.to && isDateTime(c.from) && isDateTime(c.to) && c.from >= c.to) issue('from', `${q(c.from)} is not before to ${q(c.to)}`);
  });

export const scheduleSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1 to 64 letters, digits, "_", "." or "-"'),
  timezone: z
    .string()
    .refine(isTimeZone, { error: (i) => `unknown timezone ${q(i.input)}: use an IANA name such as America/New_York` })
    .describe('IANA time zone; daylight saving follows it'),
  open: z.array(openPeriodSchema).default([]).describe('weekly open periods, local time'),
  closed: z.array(closedExceptionSchema).default([]).describe('exceptions that close an open period'),
});

/** Characters a caller label may hold (spec section 9): letters of any script, digits, spaces and `.-'&:`. */
export const LABEL_CHARS = /^[\p{L}\p{M}\p{Nd} .\-'&:]+$/u;
export const LABEL_MAX = 40;

export const labelSchema = z
  .string()
  .refine((s) => LABEL_CHARS.test(s) && s.trim() === s && !s.includes('  '), {
    error: (i) => `${q(i.input)}: a label may hold only letters, digits, single spaces and . - ' & :`,
  })
  .refine((s) => [...s].length <= LABEL_MAX, { error: (i) => `${q(i.input)} is longer than ${LABEL_MAX} characters` })
  .describe('the caller ID name on desk and softphone legs: "Sales", or "Sales: <contact name>"');

/** A block-list entry: an E.164 number, or a prefix `+`, 1 to 14 digits and `*`. */
export const BLOCK_PATTERN_RE = /^\+[0-9]{8,15}$|^\+[0-9]{1,14}\*$/;

export const blockPatternSchema = z
  .string()
  .regex(BLOCK_PATTERN_RE, { error: (i) => `${q(i.input)} is neither an E.164 number nor a prefix such as "+1900*"` });

export const whenClosedSchema = z
  .strictObject({
    forwardTo: z
      .string()
      .regex(/^\+[0-9]{8,15}$/, { error: (i) => `${q(i.input)} must be an E.164 number: "+" and 8 to 15 digits` })
      .optional()
      .describe('an answering service, through the trunk'),
    distribution: z.string().optional().describe('instead of forwardTo: a distribution rings'),
    ringSeconds: z.number().int('must be a whole number of seconds').min(1, 'must be 1 to 600 seconds').max(600, 'must be 1 to 600 seconds').optional(),
    unanswered: z.enum(['voicemail', 'hangup']).optional(),
    voicemail: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, { error: (i) => `${q(i.input)} must be a mailbox of letters, digits, "_" or "-"` })
      .optional()
      .describe('default: the distribution\'s, else the company mailbox'),
  })
  .superRefine((w, ctx) => {
    if (w.forwardTo !== undefined && w.distribution !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['distribution'], message: `${q(w.distribution)}: write forwardTo or distribution, not both` });
    }
  });

export type Schedule = z.output<typeof scheduleSchema>;
export type OpenPeriod = z.output<typeof openPeriodSchema>;
export type ClosedException = z.output<typeof closedExceptionSchema>;
export type WhenClosed = z.output<typeof whenClosedSchema>;
