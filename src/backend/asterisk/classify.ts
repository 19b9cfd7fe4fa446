/**
 * How an ARI leg's end maps to the call log's result words. Asterisk reports the same outcome in
 * two places and neither is always right:
 * - The Dial event's `dialstatus` (BUSY, CONGESTION, NOANSWER, CHANUNAVAIL) is right for Local
 *   channels, whose `;1` half is destroyed with cause 0 "Unknown" when the far side was busy or
 *   congested (reference traces c, d1).
 * - The ChannelDestroyed / ChannelHangupRequest `cause` is right for PJSIP: SIP 603 Decline comes
 *   as dialstatus NOANSWER but cause 21 (trace p), which is a rejection, not a ring-out.
 * So: our own reason for hanging the leg up wins, then the cause, then the dialstatus.
 */
import type { LegResult } from '../../call/record.js';

/** Why the controller itself hung a leg up, if it did. */
export type OurHangup = 'timeout' | 'answered-elsewhere' | 'caller-gone' | 'shutdown' | 'unconfirmed';

/** The result word of a leg that ended without being the answered one. */
export function classifyLegEnd(input: { ours: OurHangup | null; dialstatus: string | null; cause: number | null }): LegResult {
  const { ours, dialstatus, cause } = input;
  if (ours === 'answered-elsewhere' || ours === 'caller-gone' || ours === 'shutdown') return 'cancelled';
  if (ours === 'timeout') return 'no-answer';
  if (ours === 'unconfirmed') return 'unconfirmed';
  if (cause === 17 || dialstatus === 'BUSY') return 'busy';
  if (cause === 21) return 'rejected';
  if (dialstatus === 'CHANUNAVAIL' || dialstatus === 'CONGESTION') return 'unreachable';
  // 1 unallocated, 3 no route, 20 subscriber absent, 27 destination out of order,
  // 34/38/41/42 network trouble (congestion), 18 no user responding.
  if (cause !== null && [1, 3, 18, 20, 27, 34, 38, 41, 42].includes(cause)) return 'unreachable';
  // 19: alerting, no answer (also a dead contact whose INVITE timed out, trace d2).
  if (cause === 19 || dialstatus === 'NOANSWER') return 'no-answer';
  if (cause === 16) return 'no-answer';
  return 'failed';
}

/** Q.850 cause to report: Local `;1` halves say 0 "Unknown", which is no cause at all. */
export function reportedCause(cause: number | null | undefined): number | null {
  return typeof cause === 'number' && cause > 0 ? cause : null;
}
