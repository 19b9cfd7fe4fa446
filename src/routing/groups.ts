/**
 * Ring-group strategies: which members a group's step rings for this call, and how its cursor moves.
 * Pure: the cursors come in as a working copy owned by the planner, so the same group used twice
 * in one distribution takes twice (the second use sees the first use's move).
 */
import type { Config, RingGroup } from '../config/schema.js';
import type { CursorMove, Member, RingStep } from './plan.js';
import { ringability } from './users.js';
import { passedOver } from './trace.js';

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

/** Members in cursor order (starting at `start`, wrapping), each tested once for ringability. */
function rotated(config: Config, group: RingGroup, start: number, trace: string[]): Array<{ index: number; member: Member | null }> {
  const out: Array<{ index: number; member: Member | null }> = [];
  const n = group.members.length;
  for (let k = 0; k < n; k++) {
    const index = (start + k) % n;
    const id = group.members[index]!;
    const r = ringability(config, id);
    out.push({ index, member: r.ok ? r.member : null });
    if (!r.ok) trace.push(passedOver(id, r.reason));
  }
  return out;
}

/** Keep the first occurrence of each user: nobody rings twice in one step. */
function unique(members: Member[], group: RingGroup, trace: string[]): Member[] {
  const seen = new Set<string>();
  return members.filter((m) => {
    const id = m.user ?? '';
    if (seen.has(id)) {
      trace.push(`${id} is listed twice in group ${group.id}: rings once`);
      return false;
    }
    seen.add(id);
    return true;
  });
}

/**
 * Build the step for one use of a ring group.
 * `cursors` is the planner's working copy; a move is applied to it and also returned.
 */
export function groupStep(config: Config, group: RingGroup, ringSeconds: number, cursors: Map<string, number>): GroupStep {
  const trace: string[] = [];
  const n = group.members.length;
  const base = { rule: 'distribution' as const, ringSeconds, group: group.id };
  const raw = cursors.get(group.id) ?? 0;
  const start = cursorIndex(raw, n);

  if (group.strategy === 'simultaneous') {
    const members = unique(rotated(config, group, 0, trace).flatMap((e) => (e.member ? [e.member] : [])), group, trace);
    if (members.length === 0) {
      trace.push(`simultaneous group ${group.id}: nobody can be rung: step left out`);
      return { step: null, move: null, trace };
    }
    trace.push(`simultaneous group ${group.id}: ${members.map((m) => m.user).join(', ')} ring at once`);
    return { step: { ...base, strategy: 'simultaneous', members }, move: null, trace };
  }

  if (group.strategy === 'round-robin') {
    // Take the first member who can be rung, starting at the cursor; stop looking once taken.
    for (let k = 0; k < n; k++) {
      const index = (start + k) % n;
      const id = group.members[index]!;
      const r = ringability(config, id);
      if (!r.ok) {
        trace.push(passedOver(id, r.reason));
        continue;
      }
      const to = (index + 1) % n;
      cursors.set(group.id, to);
      trace.push(`round-robin group ${group.id}: cursor ${start} -> ${id}; cursor moves to ${to}`);
      return { step: { ...base, strategy: 'simultaneous', members: [r.member] }, move: { group: group.id, from: raw, to }, trace };
    }
    trace.push(`round-robin group ${group.id}: nobody can be rung: step left out, cursor stays at ${start}`);
    return { step: null, move: null, trace };
  }

  // linear: one member at a time from the cursor on; the cursor moves on by one per call.
  const members = unique(rotated(config, group, start, trace).flatMap((e) => (e.member ? [e.member] : [])), group, trace);
  if (members.length === 0) {
    trace.push(`linear group ${group.id}: nobody can be rung: step left out, cursor stays at ${start}`);
    return { step: null, move: null, trace };
  }
  const to = (start + 1) % n;
  cursors.set(group.id, to);
  trace.push(`linear group ${group.id}: cursor ${start} -> ${members.map((m) => m.user).join(', ')} one at a time; cursor moves to ${to}`);
  return { step: { ...base, strategy: 'sequential', members }, move: { group: group.id, from: raw, to }, trace };
}
