/**
 * Simulated device behaviours, shared by the ARI and ESL simulators so one scenario suite can
 * set up the same phones on either PBX. Times are in milliseconds.
 */
export type DeviceBehaviour =
  /**
   * Rings, then answers after `afterMs`; with `talkMs`, the device hangs up that long after answering.
   * With `press`, the person who answered presses a key that long after the answer (RFC 2833 /
   * SendDTMF on the real PBXs): the press-1 confirmation of section 8.
   */
  | { kind: 'answer'; afterMs: number; talkMs?: number; press?: KeyPress }
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

/** A key pressed on an answered device, `afterMs` after the answer. */
export interface KeyPress {
  key: string;
  afterMs: number;
}
