/**
 * The trace sentences the planner writes, in one place so the wording stays consistent
 * between the chain, the ring groups, `explain` and the call log.
 */
import type { FinalAction, RingStep } from './plan.js';

/** "erin is passed over: no device" (spec section 5: the user, then the reason). */
export function passedOver(id: string, reason: string): string {
  return `${id} is passed over: ${reason}`;
}

/** Who a step rings, for the trace: "alice, bob" or "+12025550300". */
export function stepWho(step: RingStep): string {
  return step.members
    .map((m) => m.user ?? m.targets.map((t) => ('number' in t ? t.number : t.endpoint)).join(', '))
    .join(', ');
}

/** "final action: voicemail, mailbox 1001 (alice's)" */
export function finalSentence(final: FinalAction, whose: string): string {
  return final.action === 'voicemail' ? `final action: voicemail, mailbox ${final.mailbox} (${whose})` : `final action: hang up (${whose})`;
}
