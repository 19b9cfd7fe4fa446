/**
 * Putting the caller together with the leg that answered, on Asterisk: answer the caller, create
 * our bridge, add both channels. Each step awaits Asterisk and the caller or the phone may hang up
 * in between, so before each next step `stillWanted()` is asked again; the call (call.ts) then
 * cleans up whatever is left, in one place.
 */
import type { Logger } from '../../log.js';
import type { AriLeg } from './leg.js';
import type { AriRest } from './rest.js';

export interface BridgingDeps {
  rest: AriRest;
  newId(): string;
  log: Logger;
  /** The bridge's id is chosen: its events are routed to the call from now on. */
  created(bridgeId: string): void;
  /** Whether the call still wants this leg bridged (the caller is there, the phone too). */
  stillWanted(): boolean;
}

/** The bridge made (if one was) and whether both channels are in it. */
export async function joinCallerAndLeg(callerId: string, leg: AriLeg, d: BridgingDeps): Promise<{ bridgeId: string | null; joined: boolean }> {
  let bridgeId: string | null = null;
  try {
    // Answer the caller only now: the caller is billed from the moment someone picks up.
    await d.rest.answer(callerId);
    if (!d.stillWanted()) return { bridgeId, joined: false };
    bridgeId = d.newId();
    d.created(bridgeId);
    await d.rest.createBridge(bridgeId, `call-${callerId}`);
    if (!d.stillWanted()) return { bridgeId, joined: false };
    await d.rest.addChannels(bridgeId, [callerId, leg.channelId]);
    return { bridgeId, joined: true };
  } catch (err) {
    d.log.warn({ err: (err as Error).message }, 'bridging failed');
    return { bridgeId, joined: false };
  }
}
