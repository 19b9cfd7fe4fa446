/**
 * Availability (spec section 6): can a user be rung right now, and which of her devices. Pure:
 * do-not-disturb, the PBX's device states, who is on a Switchboard call and the ring groups'
 * answer history come in as a snapshot (the controller's memory; for `explain`, DND from the store
 * and every device `unknown`). The planner asks when it plans, the call session asks again when
 * each step (or sequential member's turn) starts.
 */
import type { Config, RingGroup, User } from '../config/schema.js';
import type { Member, PassedOver, Target } from './plan.js';
import { NO_DEVICE, NOT_A_USER, ringability } from './users.js';

/** A device's state as the PBX reports it (section 6). */
export type DeviceState = 'unavailable' | 'in-use' | 'ringing' | 'idle' | 'unknown';
export const DEVICE_STATES: readonly DeviceState[] = ['unavailable', 'in-use', 'ringing', 'idle', 'unknown'];

export const DO_NOT_DISTURB = 'do-not-disturb';
export const ON_A_CALL = 'on a call';
export const WRAP_UP = 'wrap-up';
export const NOT_REGISTERED = 'not registered';

/** The reasons of `passedOver` in the call log (section 6). */
export type PassReason = typeof NO_DEVICE | typeof DO_NOT_DISTURB | typeof ON_A_CALL | typeof WRAP_UP | typeof NOT_REGISTERED;

// PassedOver is part of the plan (plan.ts); re-exported here where its reasons are decided.
export type { PassedOver } from './plan.js';

/** One member's history in one ring group (section 6 wrap-up, section 10 strategies). */
export interface MemberHistory {
  /** When her last answered call from this group ended (ms since the epoch); undefined: never. */
  lastEnded?: number;
  /** A call from this group she answered is still in progress. */
  inProgress: boolean;
  /** When she answered calls from this group (ms), at least those of the last 24 hours. */
  answered: readonly number[];
}

/** group id -> user id -> her history there. */
export type GroupHistory = ReadonlyMap<string, ReadonlyMap<string, MemberHistory>>;

/** What the controller knows now. Every part is optional: absent means nothing known. */
export interface Availability {
  /** Users on do-not-disturb. */
  dnd?: { has(user: string): boolean };
  /** The PBX's state of a SIP endpoint (desk phone, softphone); absent or unknown: `unknown`. */
  device?(endpoint: string): DeviceState;
  /** Users bridged on a Switchboard call right now. */
  bridged?: { has(user: string): boolean };
  history?: GroupHistory;
  /** The clock (ms) for wrap-up and the 24-hour window; default: the history is not consulted. */
  now?: number;
}

/** Where the user would ring: the `skipBusy` in force there, and the group (for wrap-up). */
export interface RingPlace {
  skipBusy: boolean;
  group?: Pick<RingGroup, 'id' | 'wrapUpSeconds'>;
}

export type Check =
  | { ok: true; member: Member; user: User }
  /** `keepsMailbox`: she stays chosen for the final action (every reason but `no device`, section 2). */
  | { ok: false; reason: string; keepsMailbox: boolean; user?: User };

function targetState(t: Target, avail: Availability): DeviceState {
  return 'endpoint' in t && avail.device ? avail.device(t.endpoint) : 'unknown';
}

/**
 * Can `id` be rung at this place now? The order of the reasons is the order a person would ask:
 * has she a device, is she on DND, is any of her phones up, is she on a call, is she wrapping up.
 * An unavailable device of a user who is rung is kept in `member.skipped` (a `skipped` leg).
 */
export function checkUser(config: Config, id: string, avail: Availability, place: RingPlace): Check {
  const base = ringability(config, id);
  if (!base.ok) return { ok: false, reason: base.reason, keepsMailbox: false };
  const { user, member } = base;
  if (avail.dnd?.has(id)) return { ok: false, reason: DO_NOT_DISTURB, keepsMailbox: true, user };
  const states = member.targets.map((t) => targetState(t, avail));
  if (states.every((s) => s === 'unavailable')) return { ok: false, reason: NOT_REGISTERED, keepsMailbox: true, user };
  // Ringing for another call is not "on a call" (section 6): call waiting rings it.
  if (place.skipBusy && (states.includes('in-use') || avail.bridged?.has(id))) return { ok: false, reason: ON_A_CALL, keepsMailbox: true, user };
  const wrapUp = place.group?.wrapUpSeconds ?? 0;
  if (wrapUp > 0 && avail.now !== undefined) {
    const ended = avail.history?.get(place.group!.id)?.get(id)?.lastEnded;
    if (ended !== undefined && avail.now - ended < wrapUp * 1000) return { ok: false, reason: WRAP_UP, keepsMailbox: true, user };
  }
  if (!states.includes('unavailable')) return { ok: true, member, user };
  const targets = member.targets.filter((_, i) => states[i] !== 'unavailable');
  const skipped = member.targets.filter((_, i) => states[i] === 'unavailable');
  return { ok: true, member: { user: member.user, targets, skipped }, user };
}

/** True for a reason that is about the user's config, not her state now. */
export function isConfigReason(reason: string): boolean {
  return reason === NO_DEVICE || reason === NOT_A_USER;
}

/** What `explain` says about device state: it has no PBX (section 6). */
export const EXPLAIN_DEVICES_UNKNOWN = 'explain has no PBX: every device is treated as unknown (do-not-disturb is read from the store)';
