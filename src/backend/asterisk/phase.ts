/**
 * The progress of one Asterisk call as one discriminated union, and its transitions as one pure
 * function: `nextPhase(phase, event)` is the next phase, or the same object when the event means
 * nothing in that phase (late, repeated or out of order: a leg's hang-up after the bridge ended,
 * a transfer of a bridge not yet made, a second StasisEnd). The call (call.ts) carries out what a
 * transition asks of Asterisk; each variant holds only what exists in its phase.
 */
import type { BridgeEnd } from '../../call/contract.js';

/** The answering leg as the phases see it (an AriLeg in the call). */
export interface Winner {
  readonly channelId: string;
}

export type CallPhase<W extends Winner = Winner> =
  /** Nobody has answered (ring attempts come and go). */
  | { name: 'ringing' }
  /** A leg answered: the caller is being answered and the bridge made (`bridgeId` once created). */
  | { name: 'bridging'; winner: W; bridgeId: string | null }
  /** The caller and the answering leg talk in our bridge; `transferTo` once the phone transferred. */
  | { name: 'bridged'; winner: W; bridgeId: string; transferTo: string | null }
  /** The phone's transfer target took its place in our bridge (transfer.ts). */
  | { name: 'transferred'; winner: W; bridgeId: string; transferTo: string; replacement: string }
  /**
   * Over for the controller. `callerGone`: the caller left by themselves (hung up, or was sent on
   * by the phone), not by our doing; `end`: how the bridge ended, when there was one. The winner
   * and bridge stay known: their last events still arrive, and the snapshot names them.
   */
  | { name: 'ended'; callerGone: boolean; end: BridgeEnd | null; winner: W | null; bridgeId: string | null };

export type PhaseEvent<W extends Winner = Winner> =
  /** A leg answered (and confirmed, section 8): it is the one bridged. */
  | { type: 'answered'; winner: W }
  | { type: 'bridge-created'; bridgeId: string }
  /** The caller and the answering leg are both in the bridge. */
  | { type: 'joined' }
  /** The bridge could not be made (the phone hung up at once, Asterisk refused): ringing again. */
  | { type: 'bridge-failed' }
  /** A restarted controller takes over a bridged call from its snapshot. */
  | { type: 'adopted'; winner: W; bridgeId: string }
  /** The answering phone transferred the caller (a BridgeBlindTransfer/AttendedTransfer of our bridge). */
  | { type: 'transfer'; to: string }
  /** A channel to the transfer target took the answering phone's place in our bridge. */
  | { type: 'replaced'; channelId: string }
  /** The caller hung up (hang-up request, destroyed, or gone while the event connection was down). */
  | { type: 'caller-hangup' }
  /** The caller's channel left our app without a hang-up. */
  | { type: 'caller-left-stasis' }
  /** The answering phone hung up or left our app. */
  | { type: 'winner-left' }
  /** The transfer target hung up or left our app. */
  | { type: 'target-left' }
  /** We send the caller out of our app ourselves (voicemail, our hang-up). */
  | { type: 'sent-on' };

/** The answering leg, from the moment one answered. */
export function winnerOf<W extends Winner>(p: CallPhase<W>): W | null {
  return p.name === 'ringing' ? null : p.winner;
}

/** Where the answering phone sent the caller, once known. */
export function transferToOf(p: CallPhase): string | null {
  return p.name === 'bridged' || p.name === 'transferred' ? p.transferTo : null;
}

/**
 * Whether the caller, leaving, was handed on by the phone: a caller that leaves Stasis alive while
 * answered was transferred by the phone into the dialplan, and so is one that leaves after a transfer.
 */
export function callerLeftBy(p: CallPhase, ev: 'caller-hangup' | 'caller-left-stasis'): 'caller' | 'transfer' {
  return (ev === 'caller-left-stasis' && winnerOf(p) !== null) || transferToOf(p) !== null ? 'transfer' : 'caller';
}

const ended = <W extends Winner>(p: CallPhase<W>, callerGone: boolean, end: BridgeEnd | null): CallPhase<W> => ({
  name: 'ended',
  callerGone,
  end,
  winner: winnerOf(p),
  bridgeId: p.name === 'ringing' ? null : p.bridgeId,
});

/** The phase after `ev`; `p` itself when `ev` means nothing in `p`. */
export function nextPhase<W extends Winner>(p: CallPhase<W>, ev: PhaseEvent<W>): CallPhase<W> {
  switch (ev.type) {
    case 'answered':
      return p.name === 'ringing' ? { name: 'bridging', winner: ev.winner, bridgeId: null } : p;
    case 'bridge-created':
      return p.name === 'bridging' && p.bridgeId === null ? { ...p, bridgeId: ev.bridgeId } : p;
    case 'joined':
      return p.name === 'bridging' && p.bridgeId !== null ? { name: 'bridged', winner: p.winner, bridgeId: p.bridgeId, transferTo: null } : p;
    case 'bridge-failed':
      return p.name === 'bridging' ? { name: 'ringing' } : p;
    case 'adopted':
      return p.name === 'ringing' ? { name: 'bridged', winner: ev.winner, bridgeId: ev.bridgeId, transferTo: null } : p;
    case 'transfer':
      return p.name === 'bridged' || p.name === 'transferred' ? { ...p, transferTo: ev.to } : p;
    case 'replaced':
      return p.name === 'bridged' ? { ...p, name: 'transferred', transferTo: p.transferTo ?? 'transfer', replacement: ev.channelId } : p;
    case 'caller-hangup':
    case 'caller-left-stasis':
      return callerLeft(p, ev.type);
    case 'winner-left':
      // Before the bridge the answering code sees the leg gone itself; after a transfer the phone
      // leaving is expected (the caller talks to the target).
      if (p.name !== 'bridged') return p;
      return ended(p, false, p.transferTo ? { by: 'transfer', transferTo: p.transferTo } : { by: 'callee' });
    case 'target-left':
      return p.name === 'transferred' ? ended(p, false, { by: 'transfer', transferTo: p.transferTo }) : p;
    case 'sent-on':
      // Only with nobody bridged: a hang-up of ours while bridged ends the bridge through the
      // caller's ChannelHangupRequest, which Asterisk sends before the StasisEnd.
      return p.name === 'ringing' ? ended(p, false, null) : p;
    default:
      return p;
  }
}

function callerLeft<W extends Winner>(p: CallPhase<W>, ev: 'caller-hangup' | 'caller-left-stasis'): CallPhase<W> {
  switch (p.name) {
    case 'ringing':
    case 'bridging':
      return ended(p, true, null);
    case 'bridged':
    case 'transferred': {
      const by = callerLeftBy(p, ev);
      return ended(p, true, by === 'transfer' ? { by, transferTo: p.transferTo ?? 'dialplan' } : { by });
    }
    case 'ended':
      // Leaving Stasis after the call ended is our own doing (we sent the caller on, or hung up).
      return p.callerGone || ev === 'caller-left-stasis' ? p : { ...p, callerGone: true };
  }
}

/** `from -> event -> to`, for the log. */
export function describeTransition(from: CallPhase, ev: PhaseEvent, to: CallPhase): string {
  return `${from.name} -> ${ev.type} -> ${to.name}`;
}
