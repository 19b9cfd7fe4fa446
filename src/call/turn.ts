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
