/**
 * Simulated device behaviours, shared by the ARI and ESL simulators so one scenario suite can
 * set up the same phones on either PBX. Times are in milliseconds.
 */
export type DeviceBehaviour =
  /** Rings, then answers after `afterMs`; with `talkMs`, the device hangs up that long after answering. */
  | { kind: 'answer'; afterMs: number; talkMs?: number }
  /** Rings until it is hung up or the originate times out. */
  | { kind: 'noanswer' }
  /** SIP 486 Busy Here: Q.850 17. */
  | { kind: 'busy'; afterMs?: number }
  /** Network congestion / SIP 503: Q.850 34 on Asterisk, 41 on FreeSWITCH. */
  | { kind: 'congestion'; afterMs?: number }
  /** SIP 603 Decline: Q.850 21. */
  | { kind: 'rejected'; afterMs?: number }
  /** Not registered: Asterisk answers the originate with HTTP 500, FreeSWITCH with USER_NOT_REGISTERED. */
  | { kind: 'unreachable' }
  /** A dead static contact: INVITEs go unanswered until the originate/dial timeout (Q.850 19). */
  | { kind: 'dead-contact' };
