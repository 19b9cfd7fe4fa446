/**
 * Spec section 7: the route of a number whose schedule is closed. Its `whenClosed` replaces
 * everything else: one `closed` step to the forwarding number (an answering service), or a
 * distribution's steps, then `unanswered`; with no `whenClosed`, straight to the company mailbox.
 * Also which schedule applies to a call and what it says, for the planner.
 */
import type { Config, InboundNumber } from '../config/schema.js';
import type { CursorMove, Cursors, FinalAction, RingStep } from './plan.js';
import { DEFAULT_RING_SECONDS, distributionSteps } from './distribution.js';
import { clockSentence, scheduleSentence, scheduleState, wallClock, type ScheduleOverride, type ScheduleState } from './schedule.js';
import { finalSentence } from './trace.js';
import type { GroupEnv } from './groups.js';

/**
 * The schedule state of a configured number at `at`, with its trace sentences; null for a number
 * without a schedule (always open). `at` undefined: the caller gave no clock, the number counts as open.
 */
export function numberSchedule(
  number: InboundNumber | undefined,
  config: Config,
  at: number | undefined,
  overrides: ReadonlyMap<string, ScheduleOverride> | undefined,
  trace: string[],
): ScheduleState | null {
  if (!number?.schedule) return null;
  const schedule = config.schedules.find((s) => s.id === number.schedule);
  if (!schedule) {
    // The loader refuses this; a hand-built config in a test may not have been loaded.
    trace.push(`schedule ${number.schedule} is not in the config: the number counts as open`);
    return { id: number.schedule, open: true, why: 'hours' };
  }
  const override = overrides?.get(schedule.id) ?? null;
  if (at === undefined && !override) {
    trace.push(`no arrival time given: schedule ${schedule.id} is not checked, the number counts as open`);
    return { id: schedule.id, open: true, why: 'hours' };
  }
  const state = scheduleState(schedule, at ?? 0, override);
  if (at !== undefined) trace.push(clockSentence(schedule.timezone, wallClock(schedule.timezone, at)));
  trace.push(scheduleSentence(state));
  return state;
}

/** The whenClosed route of a closed number (spec section 7). */
export function planClosed(number: InboundNumber, config: Config, cursors: Cursors, trace: string[], env: GroupEnv): { steps: RingStep[]; final: FinalAction; cursorMoves: CursorMove[] } {
  const w = number.whenClosed;
  if (!w) {
    trace.push('the number has no whenClosed: straight to the company mailbox');
    const final: FinalAction = config.company.voicemail ? { action: 'voicemail', mailbox: config.company.voicemail } : { action: 'hangup' };
    trace.push(finalSentence(final, config.company.voicemail ? 'the company mailbox' : 'the company has no mailbox'));
    return { steps: [], final, cursorMoves: [] };
  }
  let steps: RingStep[] = [];
  let cursorMoves: CursorMove[] = [];
  const dist = w.distribution ? config.distributions.find((d) => d.id === w.distribution) : undefined;
  if (w.forwardTo) {
    const ringSeconds = w.ringSeconds ?? number.ringSeconds ?? DEFAULT_RING_SECONDS;
    steps = [{ rule: 'closed', strategy: 'simultaneous', ringSeconds, members: [{ user: null, targets: [{ device: 'forward', number: w.forwardTo }] }] }];
    trace.push(`whenClosed forwards to ${w.forwardTo}`, `step 1: closed rings ${w.forwardTo} for ${ringSeconds}s`);
  } else if (w.distribution) {
    trace.push(`whenClosed rings distribution ${w.distribution}: its steps, all of them in turn`);
    ({ steps, cursorMoves } = distributionSteps(w.distribution, config, cursors, trace, env));
  } else trace.push('whenClosed rings nobody: straight to its final action');

  // whenClosed's unanswered and voicemail where written, else the distribution's, else the company mailbox, else hang up.
  const unanswered = w.unanswered ?? dist?.unanswered ?? 'voicemail';
  let final: FinalAction;
  let whose: string;
  if (unanswered === 'hangup') [final, whose] = [{ action: 'hangup' }, w.unanswered ? 'whenClosed unanswered: hangup' : `distribution ${dist!.id}: unanswered: hangup`];
  else if (w.voicemail) [final, whose] = [{ action: 'voicemail', mailbox: w.voicemail }, "whenClosed's mailbox"];
  else if (dist?.voicemail) [final, whose] = [{ action: 'voicemail', mailbox: dist.voicemail }, `distribution ${dist.id}'s mailbox`];
  else if (config.company.voicemail) [final, whose] = [{ action: 'voicemail', mailbox: config.company.voicemail }, 'the company mailbox'];
  else [final, whose] = [{ action: 'hangup' }, 'no mailbox at all'];
  trace.push(finalSentence(final, whose));
  return { steps, final, cursorMoves };
}
