/**
 * Is a schedule open at an instant? Spec section 7 as pure functions over the wall clock.
 *
 * Everything is decided on the LOCAL wall clock of the schedule's zone, read with `Intl` (Node's
 * ICU time-zone data), never by adding fixed offsets: that is what makes daylight saving follow
 * the zone. An instant is turned into its local date, weekday and minute, and the periods and
 * exceptions are compared with that. So on the spring-forward day no instant has a local time
 * between 02:00 and 03:00 (a period "02:00"-"03:00" is empty), and on the fall-back day two
 * instants have each local time of the repeated hour (both passes count).
 */
import type { ClosedException, OpenPeriod, Schedule, Weekday } from '../config/schedules.js';
import { WEEKDAYS } from '../config/schedules.js';

/** A manual override from the store (`switchboard schedule ID open|closed`). */
export type ScheduleOverride = 'open' | 'closed';

/** What the schedule says at one instant: the `schedule` object of `explain --json`. */
export interface ScheduleState {
  id: string;
  open: boolean;
  /** `hours` (the weekly periods decided), `closed: NAME` (an exception), or `override`. */
  why: string;
}

/** A local wall-clock reading. */
export interface WallClock {
  /** `YYYY-MM-DD` */
  date: string;
  /** `MM-DD` */
  monthDay: string;
  /** `YYYY-MM-DDTHH:MM` */
  dateTime: string;
  weekday: Weekday;
  /** Minutes since local midnight, 0 to 1439. */
  minute: number;
}

// Building a DateTimeFormat costs far more than using one (tens of µs): one per zone, kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

interface Fields {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

function fields(zone: string, at: number): Fields {
  const out: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(at)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { y: out.year!, mo: out.month!, d: out.day!, h: out.hour!, mi: out.minute!, s: out.second! };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The local wall clock of `zone` at the instant `at` (ms since the epoch). */
export function wallClock(zone: string, at: number): WallClock {
  const f = fields(zone, at);
  const date = `${pad(f.y, 4)}-${pad(f.mo)}-${pad(f.d)}`;
  // The weekday of a calendar date does not depend on the zone: read it from the date itself.
  const weekday = WEEKDAYS[(new Date(Date.UTC(f.y, f.mo - 1, f.d)).getUTCDay() + 6) % 7]!;
  return { date, monthDay: date.slice(5), dateTime: `${date}T${pad(f.h)}:${pad(f.mi)}`, weekday, minute: f.h * 60 + f.mi };
}

/** The zone's offset from UTC at `at`, in ms (local = UTC + offset). */
function offsetAt(zone: string, at: number): number {
  const f = fields(zone, at);
  const local = Date.UTC(f.y, f.mo - 1, f.d, f.h, f.mi, f.s);
  return local - (at - (((at % 1000) + 1000) % 1000));
}

const LOCAL_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?$/;

/**
 * The instant of a local time `YYYY-MM-DDTHH:MM[:SS]` in `zone`. A local time that occurs twice
 * (fall-back) means its first occurrence; one that does not exist (spring-forward) is read with
 * the offset in force before the gap, so it lands as far past the gap as it was into it (02:30
 * becomes 03:30), as Temporal's `compatible` does. Returns null for text that is not such a time.
 */
export function localTimeToInstant(zone: string, local: string): number | null {
  const m = LOCAL_RE.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(asUtc).getUTCDate() !== d) return null; // 2026-02-30 and the like
  // Every offset in force within a day and a half either side: a transition, if any, is among them.
  const offsets = new Set([offsetAt(zone, asUtc - 36 * 3600_000), offsetAt(zone, asUtc), offsetAt(zone, asUtc + 36 * 3600_000)]);
  const matches = [...offsets].map((o) => asUtc - o).filter((t) => offsetAt(zone, t) === asUtc - t);
  if (matches.length > 0) return Math.min(...matches);
  return asUtc - offsetAt(zone, asUtc - 36 * 3600_000);
}

const OFFSET_RE = /(Z|[+-][0-9]{2}:?[0-9]{2})$/i;

/**
 * `explain --at TEXT`: ISO 8601 with an offset (`Z`, `+01:00`) is that instant; without one it is
 * local time of `zone` (the number's schedule; UTC when it has none, where the time matters to
 * nothing). Null for text that is neither.
 */
export function parseAt(text: string, zone: string | null): number | null {
  const t = text.trim();
  if (OFFSET_RE.test(t)) {
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})$/i.test(t)) return null;
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? ms : null;
  }
  const local = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(t) ? `${t}T00:00` : t;
  return localTimeToInstant(zone ?? 'UTC', local);
}

function minutes(hm: string): number {
  return Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
}

/** The weekday before `day`. */
function dayBefore(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7]!;
}

/** Does the weekly period cover this wall-clock reading? A period whose `to` is not after `from` ends the next day. */
export function periodCovers(p: OpenPeriod, clock: WallClock): boolean {
  const from = minutes(p.from);
  const to = minutes(p.to); // 24:00 -> 1440
  if (from < to) return p.days.includes(clock.weekday) && clock.minute >= from && clock.minute < to;
  // Past midnight: the evening part on a listed day, the morning part on the day after one.
  return (p.days.includes(clock.weekday) && clock.minute >= from) || (p.days.includes(dayBefore(clock.weekday)) && clock.minute < to);
}

/** Does the closed exception cover this wall-clock reading? */
export function exceptionCovers(c: ClosedException, clock: WallClock): boolean {
  if (c.date !== undefined) return c.date.length === 5 ? c.date === clock.monthDay : c.date === clock.date;
  // Local date-times of one shape compare in time order as strings; `to` is exclusive.
  return c.from !== undefined && c.to !== undefined && clock.dateTime >= c.from && clock.dateTime < c.to;
}

/** What the trace and `why` call an exception: its name, else its date or range. */
export function exceptionName(c: ClosedException): string {
  return c.name ?? c.date ?? `${c.from} to ${c.to}`;
}

/**
 * The schedule's state at `at`. An override in force decides alone; else a closed exception that
 * covers the moment closes it (named, also where the weekly hours would be closed anyway: the
 * trace then says the real reason, "Christmas Day"); else the weekly periods decide.
 */
export function scheduleState(schedule: Schedule, at: number, override?: ScheduleOverride | null): ScheduleState {
  if (override) return { id: schedule.id, open: override === 'open', why: 'override' };
  const clock = wallClock(schedule.timezone, at);
  const exception = schedule.closed.find((c) => exceptionCovers(c, clock));
  if (exception) return { id: schedule.id, open: false, why: `closed: ${exceptionName(exception)}` };
  return { id: schedule.id, open: schedule.open.some((p) => periodCovers(p, clock)), why: 'hours' };
}

/** The trace sentence: `schedule office is closed: Christmas Day`, `schedule office is open: forced open by override`. */
export function scheduleSentence(state: ScheduleState): string {
  const word = state.open ? 'open' : 'closed';
  if (state.why === 'override') return `schedule ${state.id} is ${word}: forced ${word} by override`;
  if (state.why === 'hours') return `schedule ${state.id} is ${word}: ${state.open ? 'within' : 'outside'} its weekly hours`;
  return `schedule ${state.id} is closed: ${state.why.slice('closed: '.length)}`;
}

/** The trace sentence that says which local time decided: `local time in America/New_York: 2026-12-25 10:00 fri`. */
export function clockSentence(zone: string, clock: WallClock): string {
  return `local time in ${zone}: ${clock.dateTime.replace('T', ' ')} ${clock.weekday}`;
}
