/**
 * Availability when a step (or a sequential member's turn) starts (spec section 6): the plan was
 * made a moment or a whole ring time ago; who can take the call is asked again now, from memory.
 */
import type { Config } from '../config/schema.js';
import { checkUser, type Availability, type PassedOver } from '../routing/availability.js';
import type { Member, RingStep } from '../routing/plan.js';
import { passedOver } from '../routing/trace.js';

export interface Turn {
  /** The members to ring now, each with the targets to dial and the ones skipped. */
  members: Member[];
  passed: PassedOver[];
  trace: string[];
}

/** Check each user of this attempt again; forwarding and company members (no user) always ring. */
export function turnNow(config: Config, step: RingStep, members: readonly Member[], avail: Availability): Turn {
  const out: Turn = { members: [], passed: [], trace: [] };
  const group = step.group !== undefined ? config.ringGroups.find((g) => g.id === step.group) : undefined;
  for (const m of members) {
    if (m.user === null) {
      out.members.push(m);
      continue;
    }
    const r = checkUser(config, m.user, avail, { skipBusy: step.skipBusy ?? false, ...(group ? { group } : {}) });
    if (r.ok) out.members.push(r.member);
    else {
      out.passed.push({ user: m.user, step: step.group ?? step.rule, reason: r.reason });
      out.trace.push(`${passedOver(m.user, r.reason)} (when her turn came)`);
    }
  }
  return out;
}

/**
 * The attempts of a step: all its members at once (simultaneous), or one member each in ring
 * order (sequential). A user the planner passed over for her state is in her place with no
 * targets yet: turnNow asks again and fills them in.
 */
export function stepAttempts(step: RingStep): Member[][] {
  const members = step.turns ? step.turns.map((user) => step.members.find((m) => m.user === user) ?? { user, targets: [] }) : step.members;
  return step.strategy === 'simultaneous' ? [members] : members.map((m) => [m]);
}

/**
 * The plan-time passes of users asked again at their turn (RingStep.turns): held until the turn
 * comes, so one who rings then is not logged as passed over; one whose turn never came (the call
 * was answered first) is logged with the plan's reason when the call ends.
 */
export class HeldPasses {
  private readonly held = new Map<string, PassedOver>();
  private readonly later = new Set<string>();

  constructor(steps: readonly RingStep[]) {
    for (const s of steps) for (const user of s.turns ?? []) if (!s.members.some((m) => m.user === user)) this.later.add(key(s.group ?? s.rule, user));
  }

  /** The plan's passes to record now; the others are held. */
  recordNow(passed: readonly PassedOver[]): PassedOver[] {
    return passed.filter((p) => {
      if (!this.later.has(key(p.step, p.user))) return true;
      this.held.set(key(p.step, p.user), p);
      return false;
    });
  }

  /** Her turn came (turnNow has asked again): true if she had been held. */
  turnCame(step: RingStep, user: string): boolean {
    return this.held.delete(key(step.group ?? step.rule, user));
  }

  /** The held passes whose turn never came; empties the hold. */
  release(): PassedOver[] {
    const out = [...this.held.values()];
    this.held.clear();
    return out;
  }
}

function key(step: string, user: string): string {
  return `${step}\u0000${user}`;
}
