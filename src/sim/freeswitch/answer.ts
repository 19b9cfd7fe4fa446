/** The `answer` application, on its own: `bridge` answers the caller too, and apps.ts runs bridge. */
import type { AppRunner } from './host.js';

/** Answer the channel if it is not answered yet (CHANNEL_ANSWER). */
export function answer(runner: AppRunner): void {
  const { sim, ch } = runner;
  if (!ch.up || ch.answerState === 'answered') return;
  ch.answerState = 'answered';
  ch.callState = 'ACTIVE';
  ch.vars.set('answer_epoch', String(Math.floor(Date.now() / 1000)));
  ch.vars.set('endpoint_disposition', 'ANSWER');
  sim.emitEvent(ch, 'CHANNEL_ANSWER');
}
