/**
 * The call-log row (spec section 3): one per call, the same words on every backend.
 * `switchboard calls --json` prints these objects.
 */
import type { PassedOver } from '../routing/availability.js';
import type { Device, Rule } from '../routing/plan.js';

/**
 * A leg's result, the same word on every backend. `skipped`: not dialled, the PBX reports the
 * device unavailable. `unconfirmed`: an outside leg answered but did not press the confirmation
 * key in time (another key, silence, or it hung up: section 8).
 */
export type LegResult = 'answered' | 'no-answer' | 'busy' | 'rejected' | 'unreachable' | 'cancelled' | 'unconfirmed' | 'skipped' | 'failed';

export type CallOutcome = 'answered' | 'voicemail' | 'abandoned' | 'dropped' | 'blocked' | 'failed';

export interface LegRecord {
  user: string | null;
  device: Device;
  endpoint?: string;
  number?: string;
  /** The rule of the step this leg belongs to. */
  rule: Rule;
  startedAt: string;
  result: LegResult;
  /** The Q.850 cause the PBX reported, or null where it reported none. */
  cause: number | null;
  answeredAt?: string;
  endedAt?: string;
}

export interface CallRecord {
  /** Our id for the call: the inbound channel's id on the PBX. */
  id: string;
  backend: 'asterisk' | 'freeswitch';
  startedAt: string;
  from: string | null;
  to: string;
  outcome: CallOutcome | null;
  answeredBy: { user: string | null; device: Device } | null;
  legs: LegRecord[];
  /** The rules of the steps rung, in order. */
  rules: Rule[];
  durationSeconds: number | null;
  /** Seconds from the call's start to the answer, when answered. */
  ringSeconds: number | null;
  /** Seconds from the answer to the end, when answered. */
  talkSeconds: number | null;
  answeredAt: string | null;
  endedAt: string | null;
  /** Where the call ended: voicemail mailbox, transfer target, or hangup reason. */
  detail: string | null;
  trace: string[];
  /** Users passed over, when planning or when their turn came (section 6). */
  passedOver: PassedOver[];
  /** The controller that handled the call (`node` in its config, section 10); the store sets it. */
  node?: string | null;
}

/** Seconds rounded to the millisecond, as the call log keeps durations. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
