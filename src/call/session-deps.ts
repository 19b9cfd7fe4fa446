/** What a call session is given (its dependencies) and whom it tells what happens (its observer). */
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { BlockMatcher } from '../routing/blocked.js';
import type { ScheduleOverride } from '../routing/schedule.js';
import type { Availability, PassedOver } from '../routing/availability.js';
import type { ContactRef, CursorMove, RoutePlan } from '../routing/plan.js';
import type { LegSpec } from './contract.js';
import type { CallRecord, LegRecord } from './record.js';

export interface CallObserver {
  callStarted?(record: CallRecord): void;
  /** StasisStart / socket connect to the first originate, in ms. */
  setupLatency?(ms: number): void;
  /** The route is planned (schedule state, blocked) before anything rings. */
  routePlanned?(plan: RoutePlan): void;
  /** An attempt starts ringing these legs (for live views). */
  attemptStarted?(record: CallRecord, legs: readonly LegSpec[]): void;
  legEnded?(leg: LegRecord): void;
  /** A user was passed over (section 6). */
  passedOver?(p: PassedOver): void;
  callEnded?(record: CallRecord): void;
}

/** Who can take a call now (src/runtime/presence.ts), and what to tell it about this call. */
export interface PresenceView {
  availability(): Availability;
  answered(callId: string, user: string | null, group: string | undefined): void;
  ended(callId: string): void;
  /** On a shared store: read these groups' answer history from every node (one statement) before planning. */
  refreshHistory?(groups: readonly string[]): Promise<void>;
}

export interface SessionDeps {
  /** The config in force when the call arrived; the call keeps it to its end. */
  config: Config;
  backend: 'asterisk' | 'freeswitch';
  lookupContact(phone: string | null): Promise<ContactRef | null>;
  /** The known caller's name from the contact store, for the caller label (section 9). */
  lookupContactName?(phone: string): Promise<string | null>;
  /** The block list in force now: the config's and the run-time entries (default: the config's). */
  blockList?(): BlockMatcher;
  /** Schedule overrides in force now. */
  overrides?(): ReadonlyMap<string, ScheduleOverride>;
  cursors: { take<T>(decide: (c: ReadonlyMap<string, number>) => { result: T; moves: readonly CursorMove[] }): Promise<T> };
  calls: {
    upsert(record: CallRecord): Promise<void>;
    saveState(id: string, state: unknown): Promise<void>;
    deleteState(id: string): Promise<void>;
  };
  log: Logger;
  observer?: CallObserver;
  /** Availability (section 6); absent: nobody is known to be unavailable. */
  presence?: PresenceView;
  now?: () => number;
  /** Aborted at a stopping controller's drain deadline (see drain.ts). */
  drainDeadline?: AbortSignal;
  /** Aborted when the PBX has been gone 30 s: the call is closed as failed (src/runtime/pbx-outage.ts). */
  pbxLost?: AbortSignal;
  toFailsafe?: () => Promise<void>;
}
