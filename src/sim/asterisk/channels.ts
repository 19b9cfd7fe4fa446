/** The simulated channel: its ARI snapshot plus the simulator's bookkeeping (Local pairing, Stasis, subscriptions). */
import { randomUUID } from 'node:crypto';
import { ariTimestamp } from './clock.js';
import type { CallerId, ChannelJson, ChannelState, DialplanCep } from './types.js';

/** How a channel came to be in the app: through dialplan Stasis() or an ARI originate. */
export type ChannelOrigin = 'dialplan' | 'originate' | 'internal';

/** One simulated channel. */
export class SimChannel {
  state: ChannelState = 'Down';
  caller: CallerId;
  connected: CallerId;
  /** CALLERID(pres): not in ARI's channel model; the shipped dialplan passes it to Stasis. */
  callerPres = 'allowed_not_screened';
  dialplan: DialplanCep;
  readonly creationtime = ariTimestamp();
  readonly vars = new Map<string, string>();
  /** Apps that receive this channel's events. */
  readonly subs = new Set<string>();
  /** Apps subscribed through POST /applications/{app}/subscription: they keep events after StasisEnd. */
  readonly explicitSubs = new Set<string>();
  /** The other half of a Local channel pair. */
  partner?: SimChannel;
  stasisApp?: string;
  bridgeId?: string;
  /** Set once a hangup started: further hangups are ignored (Asterisk answers 204 anyway). */
  hangingUp = false;
  destroyed = false;
  /** Cancels the pending device/dialplan timers of this channel. */
  readonly cancels: Array<() => void> = [];
  /** Dial bookkeeping for originated channels that are still being dialled. */
  dialing?: { dialstring: string; app?: string; appArgs: string[]; answered: boolean };
  /** Continuation once the channel leaves Stasis alive (dialplan after Stasis()). */
  afterStasis?: () => void;
  /** What a channel originated into the dialplan (not an app) does once answered. */
  afterAnswer?: () => void;
  /** Called once when the channel first shares a bridge with another channel. */
  onBridged?: (peer: SimChannel) => void;
  /** Called when the channel is destroyed. */
  readonly onDestroy: Array<() => void> = [];
  /** Called as the channel is destroyed, before ChannelDestroyed goes out (its playbacks fail). */
  readonly beforeDestroy: Array<() => void> = [];
  readonly protocolId: string;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly tech: 'Local' | 'PJSIP',
    readonly origin: ChannelOrigin,
    caller: CallerId,
    dialplan: DialplanCep,
  ) {
    this.caller = { ...caller };
    this.connected = { ...caller };
    this.dialplan = { ...dialplan };
    // PJSIP channels carry the SIP Call-ID as protocol_id; Local channels have none.
    this.protocolId = tech === 'PJSIP' ? randomUUID() : '';
  }

  /** ARI `Channel` JSON as of now. */
  toJson(): ChannelJson {
    return {
      id: this.id,
      name: this.name,
      state: this.state,
      protocol_id: this.protocolId,
      caller: { ...this.caller },
      connected: { ...this.connected },
      accountcode: '',
      dialplan: { ...this.dialplan },
      creationtime: this.creationtime,
      language: 'en',
    };
  }

  /** Cancel pending timers (device answer, Wait(), voicemail limit ...). */
  cancelTimers(): void {
    for (const c of this.cancels.splice(0)) c();
  }
}

/** Q.850 cause texts as Asterisk prints them in ChannelDestroyed.cause_txt. */
export const CAUSE_TXT: Record<number, string> = {
  0: 'Unknown',
  1: 'Unallocated (unassigned) number',
  3: 'No route to destination',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  27: 'Destination out of order',
  28: 'Invalid number format',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  41: 'Temporary failure',
  42: 'Switching equipment congestion',
  58: 'Bearer capability not available',
};

/** `DELETE /channels/{id}?reason=` names and their causes (ari channels.json `hangup`). */
export const REASON_CAUSE: Record<string, number> = {
  normal: 16,
  busy: 17,
  congestion: 34,
  no_answer: 19,
  timeout: 19,
  rejected: 21,
  unallocated: 1,
  normal_unspecified: 31,
  number_incomplete: 28,
  codec_mismatch: 58,
  interworking: 127,
  failure: 38,
  answered_elsewhere: 26,
};

/** ast_shrink_phone_number: the separators people write in numbers are dropped. */
const shrink = (n: string): string => n.replace(/[()\s.-]/g, '');

/**
 * Parse an ARI `callerId` as Asterisk 22 does (ast_callerid_parse, then ast_shrink_phone_number
 * on the number): `"Name" <number>` / `Name <number>` split at the last `<`; a bare value is the
 * number only when it is a phone number (digits, `+`, `*`, `#`), else it is the NAME. So
 * `callerId=anonymous` gives number "" and name "anonymous" on a real Asterisk (seen in the
 * real-Asterisk scenario suite), not number "anonymous".
 */
export function parseCallerId(raw: string | undefined): CallerId {
  if (!raw) return { name: '', number: '' };
  const lt = raw.lastIndexOf('<');
  if (lt >= 0) {
    const gt = raw.indexOf('>', lt);
    const number = shrink(raw.slice(lt + 1, gt >= 0 ? gt : undefined));
    // ast_unescape_quoted then drops each backslash and keeps the character after it.
    return { name: raw.slice(0, lt).trim().replace(/^"(.*)"$/, '$1').replace(/\\(.)/g, '$1'), number };
  }
  const text = raw.trim();
  if (text.startsWith('"')) return { name: text.replace(/^"([^"]*)"?.*$/, '$1'), number: '' };
  const n = shrink(text);
  return /^[0-9*#+]+$/.test(n) ? { name: '', number: n } : { name: text, number: '' };
}
