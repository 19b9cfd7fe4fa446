/**
 * Spec section 2 step 1: a distribution's ring-group steps, all of them in turn, then its own
 * unanswered action. Used by the chain and by a closed number's `whenClosed` route.
 */
import type { Config } from '../config/schema.js';
import type { CursorMove, Cursors, FinalAction, RingStep } from './plan.js';
import { groupStep, type GroupEnv } from './groups.js';
import { finalSentence, stepWho } from './trace.js';

export const DEFAULT_RING_SECONDS = 20;

/** Step 1: a distribution's steps are the whole route, then its own unanswered action. */
export function planDistribution(id: string, config: Config, cursors: Cursors, trace: string[], env: GroupEnv): { steps: RingStep[]; final: FinalAction; cursorMoves: CursorMove[] } {
  trace.push(`the number uses distribution ${id}: its steps are the whole route, all of them in turn`);
  const { steps, cursorMoves } = distributionSteps(id, config, cursors, trace, env);
  const dist = config.distributions.find((d) => d.id === id);
  let final: FinalAction;
  let whose: string;
  if (dist && dist.unanswered === 'hangup') [final, whose] = [{ action: 'hangup' }, 'unanswered: hangup'];
  else if (dist?.voicemail) [final, whose] = [{ action: 'voicemail', mailbox: dist.voicemail }, `distribution ${id}'s mailbox`];
  else if (config.company.voicemail) [final, whose] = [{ action: 'voicemail', mailbox: config.company.voicemail }, 'the company mailbox'];
  else [final, whose] = [{ action: 'hangup' }, 'no mailbox at all'];
  trace.push(finalSentence(final, whose));
  return { steps, final, cursorMoves };
}

/** A distribution's ring-group steps and the cursor moves they take, with their trace; no final action. */
export function distributionSteps(id: string, config: Config, cursors: Cursors, trace: string[], env: GroupEnv): { steps: RingStep[]; cursorMoves: CursorMove[] } {
  const dist = config.distributions.find((d) => d.id === id);
  const working = new Map(cursors);
  const steps: RingStep[] = [];
  const cursorMoves: CursorMove[] = [];
  for (const entry of dist?.steps ?? []) {
    const groupId = typeof entry === 'string' ? entry : entry.group;
    const group = config.ringGroups.find((g) => g.id === groupId);
    if (!group) {
      trace.push(`ring group ${groupId} is not in the config: step left out`);
      continue;
    }
    const own = typeof entry === 'string' ? undefined : entry.ringSeconds;
    const r = groupStep(config, group, own ?? group.ringSeconds ?? DEFAULT_RING_SECONDS, working, env);
    trace.push(...r.trace);
    if (r.move) cursorMoves.push(r.move);
    if (r.step) {
      steps.push(r.step);
      trace.push(`step ${steps.length}: group ${group.id} rings ${stepWho(r.step)} for ${r.step.ringSeconds}s${r.step.strategy === 'sequential' ? ' each' : ''}`);
    }
  }
  if (!dist) trace.push(`distribution ${id} is not in the config: nothing to ring`);
  return { steps, cursorMoves };
}
