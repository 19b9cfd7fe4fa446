/**
 * A dialled channel answering, on its own so that originate and the dialplan (which answers the
 * PSTN half of an inbound call) both use it without importing each other.
 */
import type { SimChannel } from './channels.js';
import type { SimCore } from './core.js';

/** The dialled channel answered: Up, Dial ANSWER, then StasisStart (or the dialplan, for context originates). */
export function answered(core: SimCore, ch: SimChannel): void {
  const { pbx } = core;
  pbx.setState(ch, 'Up');
  const d = ch.dialing;
  if (!d) {
    const after = ch.afterAnswer;
    ch.afterAnswer = undefined;
    after?.();
    return;
  }
  pbx.emitDial(ch, 'ANSWER', d.dialstring);
  d.answered = true;
  ch.dialing = undefined;
  if (d.app && !pbx.enterStasis(ch, d.app, d.appArgs)) pbx.hangup(ch, { cause: 16 });
}
