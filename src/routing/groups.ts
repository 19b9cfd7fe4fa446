/**
 * Ring-group strategies: which members a group's step rings for this call, and how its cursor moves.
 * Pure: the cursors come in as a working copy owned by the planner, so the same group used twice
 * in one distribution takes twice (the second use sees the first use's move).
 */
import type { Config, RingGroup } from '../config/schema.js';
import type { CursorMove, Member, RingStep } from './plan.js';
import { checkUser, isConfigReason, type Availability, type PassedOver } from './availability.js';
import { historyOrder } from './history-order.js';
import { passedOver } from './trace.js';

/** What a group's step is planned against: availability now, and the `skipBusy` of the number. */
export interface GroupEnv {
  avail: Availability;
  /** The number's `skipBusy` (a group's own applies wherever it rings). */
  skipBusy: boolean;
  /** Users passed over are added here. */
  passed: PassedOver[];
}

/** The step a group gives (null: left out, nobody can be rung), its cursor move and its trace. */
export interface GroupStep {
  step: RingStep | null;
  move: CursorMove | null;
  trace: string[];
}

/** Normalise a stored cursor to a member index: taken modulo the member count, never negative. */
function cursorIndex(raw: number, count: number): number {
  if (!Number.isFinite(raw)) return 0;
  const i = Math.trunc(raw) % count;
  return i < 0 ? i + count : i;
}

/**
 * The members who can be rung, in cursor order (starting at `start`, wrapping), each once:
 * nobody rings twice in one step. Those who cannot be rung are passed over with a trace line.
 */
function ringableFrom(config: Config, group: RingGroup, order: readonly string[], env: GroupEnv, trace: string[], turns?: string[]): Member[] {
  const out: Member[] = [];
  const seen = new Set<string>();
  for (const id of order) {
    if (seen.has(id)) {
      if (out.some((m) => m.user === id)) trace.push(`${id} is listed twice in group ${group.id}: rings once`);
      continue;
    }
    seen.add(id);
    const reasons: string[] = [];
    const r = check(config, group, id, env, trace, reasons);
    if (r) out.push(r);
    // Her state may change before her turn; her config will not (no device stays no device).
    if (turns && (r || !isConfigReason(reasons[0]!))) turns.push(id);
  }
  return out;
}

/** One member now: her member entry, or null (passed over, with the trace line, the record and the reason in `why`). */
function check(config: Config, group: RingGroup, id: string, env: GroupEnv, trace: string[], why?: string[]): Member | null {
  const r = checkUser(config, id, env.avail, { skipBusy: env.skipBusy || group.skipBusy, group });
  if (r.ok) return r.member;
  trace.push(passedOver(id, r.reason));
  env.passed.push({ user: id, step: group.id, reason: r.reason });
  why?.push(r.reason);
  return null;
}

/**
 * The step, with `turns` only when someone passed over now is asked again: at her turn in a
 * sequential step, when the step starts in a simultaneous one (a later step of a distribution
 * may start a whole ring time from now).
 */
function withTurns(base: RingStep, turns: string[], trace: string[]): RingStep {
  if (turns.length === base.members.length) return base;
  const later = turns.filter((id) => !base.members.some((m) => m.user === id));
  const one = later.length === 1;
  const when = base.strategy === 'sequential' ? `when ${one ? 'her' : 'their'} turn comes` : 'when the step starts';
  trace.push(`group ${base.group}: ${later.join(', ')} ${one ? 'is' : 'are'} asked again ${when}`);
  return { ...base, turns };
}

/**
 * The member indices that can be rung now (`taken` is known to be), without trace lines: what a
 * shared store's atomic take chooses from when another node moved the cursor meanwhile.
 */
function eligibleIndices(config: Config, group: RingGroup, env: GroupEnv, taken: number): number[] {
  const out: number[] = [];
  group.members.forEach((id, i) => {
    if (i === taken || checkUser(config, id, env.avail, { skipBusy: env.skipBusy || group.skipBusy, group }).ok) out.push(i);
  });
  return out;
}

/** The members from `start` on, wrapping. */
function rotated(group: RingGroup, start: number): string[] {
  const n = group.members.length;
  return Array.from({ length: n }, (_, k) => group.members[(start + k) % n]!);
}

/**
 * Build the step for one use of a ring group.
 * `cursors` is the planner's working copy; a move is applied to it and also returned.
 */
export function groupStep(config: Config, group: RingGroup, ringSeconds: number, cursors: Map<string, number>, env: GroupEnv): GroupStep {
  const trace: string[] = [];
  const n = group.members.length;
  // Built field by field: an object spread here cost ~2 µs per step in V8 (see BENCHMARKS.md).
  const skipBusy = env.skipBusy || group.skipBusy || undefined;
  const step = (strategy: RingStep['strategy'], members: Member[]): RingStep => ({ rule: 'distribution', strategy, ringSeconds, group: group.id, skipBusy, members });
  const raw = cursors.get(group.id) ?? 0;
  const start = cursorIndex(raw, n);

  if (group.strategy === 'simultaneous') {
    const turns: string[] = [];
    const members = ringableFrom(config, group, group.members, env, trace, turns);
    if (members.length === 0) {
      trace.push(`simultaneous group ${group.id}: nobody can be rung: step left out`);
      return { step: null, move: null, trace };
    }
    trace.push(`simultaneous group ${group.id}: ${members.map((m) => m.user).join(', ')} ring at once`);
    return { step: withTurns(step('simultaneous', members), turns, trace), move: null, trace };
  }

  if (group.strategy === 'round-robin') {
    // Take the first member who can be rung, starting at the cursor; stop looking once taken.
    for (let k = 0; k < n; k++) {
      const index = (start + k) % n;
      const id = group.members[index]!;
      const member = check(config, group, id, env, trace);
      if (!member) continue;
      const to = (index + 1) % n;
      cursors.set(group.id, to);
      trace.push(`round-robin group ${group.id}: cursor ${start} -> ${id}; cursor moves to ${to}`);
      const move: CursorMove = { group: group.id, from: raw, to, strategy: 'round-robin', members: n, eligible: eligibleIndices(config, group, env, index) };
      return { step: step('simultaneous', [member]), move, trace };
    }
    trace.push(`round-robin group ${group.id}: nobody can be rung: step left out, cursor stays at ${start}`);
    return { step: null, move: null, trace };
  }

  if (group.strategy === 'least-recent' || group.strategy === 'fewest-calls') {
    // Ordered by the group's answer history now; nothing moves (explain can plan it freely).
    const { order, why } = historyOrder(group, env.avail);
    const turns: string[] = [];
    const members = ringableFrom(config, group, order, env, trace, turns);
    if (members.length === 0) {
      trace.push(`${group.strategy} group ${group.id}: nobody can be rung: step left out`);
      return { step: null, move: null, trace };
    }
    trace.push(`${group.strategy} group ${group.id}: ${members.map((m) => m.user).join(', ')} one at a time (${why})`);
    return { step: withTurns(step('sequential', members), turns, trace), move: null, trace };
  }

  // linear: one member at a time from the cursor on; the cursor moves on by one per call.
  const turns: string[] = [];
  const members = ringableFrom(config, group, rotated(group, start), env, trace, turns);
  if (members.length === 0) {
    trace.push(`linear group ${group.id}: nobody can be rung: step left out, cursor stays at ${start}`);
    return { step: null, move: null, trace };
  }
  const to = (start + 1) % n;
  cursors.set(group.id, to);
  trace.push(`linear group ${group.id}: cursor ${start} -> ${members.map((m) => m.user).join(', ')} one at a time; cursor moves to ${to}`);
  return { step: withTurns(step('sequential', members), turns, trace), move: { group: group.id, from: raw, to, strategy: 'linear', members: n }, trace };
}
