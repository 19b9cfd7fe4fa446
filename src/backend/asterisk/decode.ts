/**
 * The pure ARI event decoder: one WebSocket frame (already JSON) in, one typed call event out,
 * no I/O and no state. What an AsteriskCall reacts to is decided on these types only; anything
 * malformed or of no interest decodes to `ignored`, never throws (a hostile or buggy frame must
 * not take a call down). Shapes as recorded (../shared/asterisk-reference traces a-p):
 * - `Dial` names the dialled channel as `peer` (its `caller` is the originator, often absent);
 * - `StasisStart` of a transfer target carries `replace_channel`: the channel it replaces in a
 *   Stasis bridge (res/stasis/stasis_bridge.c);
 * - `ChannelHangupRequest` may come without `cause` (a soft hangup), `ChannelDestroyed` always has one.
 */
import type { AriEvent } from './events.js';

export type CallEvent =
  | { type: 'hangup-request'; channelId: string; cause: number | null }
  | { type: 'destroyed'; channelId: string; cause: number | null }
  | { type: 'stasis-start'; channelId: string; args: string[]; replaces: string | null }
  | { type: 'stasis-end'; channelId: string }
  | { type: 'dial'; channelId: string; dialstatus: string | null }
  /** A key pressed on a channel in Stasis (one event per key, at its end: `digit`, `duration_ms`). */
  | { type: 'dtmf'; channelId: string; digit: string }
  /** A playback on a channel is over (done, stopped or failed); `target_uri` is `channel:<id>`. */
  | { type: 'playback-finished'; channelId: string; playbackId: string }
  | { type: 'transfer'; bridgeId: string | null; attended: boolean; exten: string | null; context: string | null }
  | { type: 'ignored'; name: string };

/** Decode one ARI event for a call. */
export function decodeEvent(event: AriEvent | null | undefined): CallEvent {
  if (!event || typeof event !== 'object' || typeof event.type !== 'string') return { type: 'ignored', name: '' };
  const name = event.type;
  switch (name) {
    case 'BridgeBlindTransfer':
    case 'BridgeAttendedTransfer':
      return {
        type: 'transfer',
        bridgeId: idOf(event.bridge),
        attended: name === 'BridgeAttendedTransfer',
        exten: nonEmpty(event.exten),
        context: nonEmpty(event.context),
      };
    case 'Dial': {
      const peer = idOf(event.peer);
      return peer ? { type: 'dial', channelId: peer, dialstatus: nonEmpty(event.dialstatus) } : { type: 'ignored', name };
    }
    case 'PlaybackFinished': {
      const channelId = playbackChannel(event.playback);
      const playbackId = idOf(event.playback);
      return channelId && playbackId ? { type: 'playback-finished', channelId, playbackId } : { type: 'ignored', name };
    }
  }
  const channelId = idOf(event.channel) ?? idOf(event.peer);
  if (!channelId) return { type: 'ignored', name };
  switch (name) {
    case 'ChannelHangupRequest':
      return { type: 'hangup-request', channelId, cause: numberOrNull(event.cause) };
    case 'ChannelDestroyed':
      return { type: 'destroyed', channelId, cause: numberOrNull(event.cause) };
    case 'StasisStart':
      return { type: 'stasis-start', channelId, args: Array.isArray(event.args) ? event.args.map(String) : [], replaces: idOf(event.replace_channel) };
    case 'StasisEnd':
      return { type: 'stasis-end', channelId };
    case 'ChannelDtmfReceived': {
      const digit = nonEmpty(event.digit);
      return digit && /^[0-9A-D*#]$/.test(digit) ? { type: 'dtmf', channelId, digit } : { type: 'ignored', name };
    }
    default:
      return { type: 'ignored', name };
  }
}

/** The channel a playback plays on: its `target_uri` `channel:<id>` (bridge playbacks: null). */
export function playbackChannel(v: unknown): string | null {
  const uri = v && typeof v === 'object' ? (v as { target_uri?: unknown }).target_uri : undefined;
  return typeof uri === 'string' && uri.startsWith('channel:') && uri.length > 8 ? uri.slice(8) : null;
}

/** The `id` of an ARI object (channel, bridge), or null. */
function idOf(v: unknown): string | null {
  const id = v && typeof v === 'object' ? (v as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== '' ? id : null;
}

function nonEmpty(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function numberOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
