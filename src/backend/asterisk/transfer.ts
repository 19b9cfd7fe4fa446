/**
 * Transfers by the answering phone, on Asterisk. The phone's transfer shows as a
 * BridgeBlindTransfer / BridgeAttendedTransfer about our bridge (where to), then Asterisk swaps a
 * channel to the target into our bridge in the phone's place; because the bridge is a Stasis
 * bridge that channel enters our app, its StasisStart carrying `replace_channel` = the phone's
 * channel (res/stasis/stasis_bridge.c). The caller stays in our bridge, now talking to the target,
 * until one of them hangs up. This keeps what is known of it; the call acts on it.
 */
import type { CallEvent } from './decode.js';

type TransferEvent = Extract<CallEvent, { type: 'transfer' }>;

export class TransferTracker {
  /** Where the answering phone sent the caller (`exten@context`, or a kind of transfer). */
  to: string | null = null;
  /** The channel Asterisk swapped into our bridge in the answering phone's place. */
  replacement: string | null = null;

  /** A transfer event: remember where to if it is about our bridge. True when it was. */
  noteTransfer(ev: TransferEvent, ourBridge: string | null): boolean {
    if (!ourBridge || ev.bridgeId !== ourBridge) return false;
    this.to = describeTransfer(ev);
    return true;
  }

  /** A StasisStart replacing the answering phone: that channel is now the caller's other party. */
  takesPlaceOf(ev: CallEvent, winnerChannel: string | undefined): boolean {
    return ev.type === 'stasis-start' && ev.replaces !== null && ev.replaces === winnerChannel;
  }

  replacedBy(channelId: string): void {
    this.replacement = channelId;
    this.to ??= 'transfer';
  }

  /** Whether an event about the replacement means it is gone (hung up or left our app). */
  static ends(ev: CallEvent): boolean {
    return ev.type === 'stasis-end' || ev.type === 'destroyed' || ev.type === 'hangup-request';
  }
}

/** `exten@context`, or the kind of transfer when the event names no extension. */
export function describeTransfer(ev: TransferEvent): string {
  if (ev.exten) return `${ev.exten}${ev.context ? `@${ev.context}` : ''}`;
  return ev.attended ? 'attended transfer' : 'transfer';
}
