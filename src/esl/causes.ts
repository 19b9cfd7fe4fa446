/**
 * FreeSWITCH hangup causes: their Q.850 numbers as FreeSWITCH reports them, and what each one means
 * for a ringing leg. Shared by the backend and the simulator so both speak the recorded numbers.
 */
import type { LegResult } from '../call/record.js';

/**
 * `hangup_cause_q850` per cause name. FreeSWITCH-internal causes (ALLOTTED_TIMEOUT,
 * USER_NOT_REGISTERED, LOSE_RACE, ORIGINATOR_CANCEL) are NOT reported with their internal
 * numbers (602, 606, 502, 487): the recordings show `hangup_cause_q850=16` for all of them.
 */
export const Q850: Readonly<Record<string, number>> = {
  UNALLOCATED_NUMBER: 1,
  NO_ROUTE_DESTINATION: 3,
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  SUBSCRIBER_ABSENT: 20,
  CALL_REJECTED: 21,
  DESTINATION_OUT_OF_ORDER: 27,
  INVALID_NUMBER_FORMAT: 28,
  NORMAL_UNSPECIFIED: 31,
  NORMAL_CIRCUIT_CONGESTION: 34,
  NETWORK_OUT_OF_ORDER: 38,
  NORMAL_TEMPORARY_FAILURE: 41,
  SWITCH_CONGESTION: 42,
  INCOMPATIBLE_DESTINATION: 88,
  RECOVERY_ON_TIMER_EXPIRE: 102,
  ALLOTTED_TIMEOUT: 16,
  USER_NOT_REGISTERED: 16,
  LOSE_RACE: 16,
  ORIGINATOR_CANCEL: 16,
};

/** The Q.850 number FreeSWITCH reports for a cause name (unknown names: 16, as FreeSWITCH does). */
export function q850Of(cause: string): number {
  return Q850[cause] ?? 16;
}

/** `DIALSTATUS` as mod_dptools sets it from the originate disposition (recorded values). */
export function dialStatusOf(cause: string): string {
  switch (cause) {
    case 'SUCCESS':
      return 'SUCCESS';
    case 'USER_BUSY':
      return 'BUSY';
    case 'NO_ANSWER':
      return 'NOANSWER';
    case 'CALL_REJECTED':
      return 'DONTCALL';
    case 'ORIGINATOR_CANCEL':
      return 'CANCEL';
    default:
      return cause;
  }
}

/**
 * A ringing leg's result from its hangup cause.
 * Decision: NORMAL_TEMPORARY_FAILURE (SIP 503, congestion, unreachable port) and the other network
 * failures count as `unreachable`: the spec groups "busy, unreachable, rejected" as the failures
 * that end a step at once, and a 503 from a trunk or phone means the device cannot be reached now.
 * `failed` is kept for causes that say the PBX or the request was wrong (codec mismatch, bad
 * number format), i.e. something an admin must fix.
 */
export function legResultOf(cause: string): LegResult {
  switch (cause) {
    case 'SUCCESS':
      return 'answered';
    case 'ALLOTTED_TIMEOUT':
    case 'NO_ANSWER':
    case 'NO_USER_RESPONSE':
    case 'RECOVERY_ON_TIMER_EXPIRE':
      return 'no-answer';
    case 'USER_BUSY':
      return 'busy';
    case 'CALL_REJECTED':
      return 'rejected';
    case 'USER_NOT_REGISTERED':
    case 'NO_ROUTE_DESTINATION':
    case 'UNALLOCATED_NUMBER':
    case 'SUBSCRIBER_ABSENT':
    case 'NORMAL_TEMPORARY_FAILURE':
    case 'DESTINATION_OUT_OF_ORDER':
    case 'NETWORK_OUT_OF_ORDER':
    case 'NORMAL_CIRCUIT_CONGESTION':
    case 'SWITCH_CONGESTION':
      return 'unreachable';
    case 'LOSE_RACE':
    case 'ORIGINATOR_CANCEL':
    case 'PICKED_OFF':
      return 'cancelled';
    default:
      return 'failed';
  }
}
