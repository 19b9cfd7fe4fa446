/**
 * The route plan: what the pure planner returns and what every PBX backend carries out.
 * Its JSON form is exactly the `explain --json` shape of spec section 5.
 */
import type { ScheduleState } from './schedule.js';

/** One user passed over, as `calls --json` lists it: `step` is the ring group's id, else the rule. */
export interface PassedOver {
  user: string;
  step: string;
  reason: string;
}

/** `closed`: a closed number's whenClosed forwarding (section 7); `blocked`: the call-log rule of a refused caller (section 9). */
export type Rule = 'distribution' | 'number-user' | 'contact-owner' | 'also-ring' | 'forwarding' | 'company' | 'closed' | 'blocked';
export type Device = 'desk' | 'app' | 'mobile' | 'forward' | 'company';

/** One device to ring: a SIP endpoint (dialled through `endpoints`) or a number (through the trunk). */
export type Target = ({ device: Device; endpoint: string } | { device: Device; number: string }) & {
  /** An outside leg that must press the confirmation key before it is bridged (section 8). */
  confirm?: true;
};

export interface Member {
  /** The user rung, or null for a forwarding / company number. */
  user: string | null;
  targets: Target[];
  /** Her devices the PBX reports unavailable: not dialled, logged as `skipped` legs (section 6). */
  skipped?: Target[];
}

export interface RingStep {
  rule: Rule;
  /** `simultaneous`: all members at once; `sequential`: one member at a time, each for ringSeconds. */
  strategy: 'simultaneous' | 'sequential';
  ringSeconds: number;
  /** Set on distribution steps: the ring group this step comes from. */
  group?: string;
  /** Pass over members on a call (the number's or the group's `skipBusy`); not part of the JSON. */
  skipBusy?: boolean;
  members: Member[];
  /**
   * A group step's users in ring order, with those passed over now for their state (DND, on a
   * call, not registered, wrap-up) in their place: each is asked again when her turn comes (or, in
   * a simultaneous step, when the step starts), so one busy at plan time who is free by then rings
   * (section 6). Absent: `members` is the order. Not part of the JSON.
   */
  turns?: string[];
}

export type FinalAction = { action: 'voicemail'; mailbox: string } | { action: 'hangup' };

export interface ContactRef {
  phone: string;
  owner: string;
}

export interface RoutePlan {
  /** The caller in E.164, or null when withheld. */
  from: string | null;
  to: string;
  contact: ContactRef | null;
  steps: RingStep[];
  final: FinalAction;
  trace: string[];
  /** Users passed over while planning, with the reason (section 6). */
  passedOver: PassedOver[];
  /** The number's schedule at the call's arrival, or null for a number without one (section 7). */
  schedule: ScheduleState | null;
  /** The caller is refused (section 9): no steps, hang up with cause 21. */
  blocked: boolean;
  /** The caller ID name for desk and softphone legs (section 9), already made safe; null: none. */
  callerName: string | null;
}

/** Ring-group cursors: group id -> index of the next member to take. Missing means 0. */
export type Cursors = ReadonlyMap<string, number>;

/** What the planner decides about cursors; the caller commits these atomically with the take. */
export interface CursorMove {
  group: string;
  from: number;
  to: number;
  /**
   * What a shared store needs to make the same move in one atomic statement against the cursor
   * another node may have moved meanwhile (section 10): the strategy, the member count and, for
   * round robin, the member indices that can be rung now (ascending).
   */
  strategy?: 'round-robin' | 'linear';
  members?: number;
  eligible?: number[];
}

export interface PlanResult {
  plan: RoutePlan;
  cursorMoves: CursorMove[];
}

/** The call as the planner sees it: already normalised numbers, no raw caller text. */
export interface CallInput {
  /** E.164, or null when the caller ID is withheld or unusable. */
  from: string | null;
  /** The caller withheld the number (section 9's words, or presentation restricted). Default: `from === null`. */
  withheld?: boolean;
  /** E.164 number called. */
  to: string;
}
