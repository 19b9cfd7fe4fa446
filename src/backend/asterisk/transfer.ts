/**
 * Transfers by the answering phone, on Asterisk. The phone's transfer shows as a
 * BridgeBlindTransfer / BridgeAttendedTransfer about our bridge (where to), then Asterisk swaps a
 * channel to the target into our bridge in the phone's place; because the bridge is a Stasis
 * bridge that channel enters our app, its StasisStart carrying `replace_channel` = the phone's
 * channel (res/stasis/stasis_bridge.c). The caller stays in our bridge, now talking to the target,
 * until one of them hangs up. These read the events; the call's phase (phase.ts) keeps what is known.
 */
import type { CallEvent } from './decode.js';

type TransferEvent = Extract<CallEvent, { type: 'transfer' }>;

/** Where a transfer of our bridge sends the caller; null when the event is about another bridge. */
export function transferOfOurBridge(ev: TransferEvent, ourBridge: string): string | null {
  return ev.bridgeId === ourBridge ? describeTransfer(ev) : null;
}

/** A StasisStart replacing the answering phone: that channel is now the caller's other party. */
export function replacesPhone(ev: CallEvent, phoneChannel: string): boolean {
  return ev.type === 'stasis-start' && ev.replaces !== null && ev.replaces === phoneChannel;
}

/** Whether an event about the transfer target's channel means it is gone (hung up or left our app). */
export function endsTarget(ev: CallEvent): boolean {
  return ev.type === 'stasis-end' || ev.type === 'destroyed' || ev.type === 'hangup-request';
}

/** `exten@context`, or the kind of transfer when the event names no extension. */
export function describeTransfer(ev: TransferEvent): string {
  if (ev.exten) return `${ev.exten}${ev.context ? `@${ev.context}` : ''}`;
  return ev.attended ? 'attended transfer' : 'transfer';
}
