/**
 * Recovery of an Asterisk call, as pure decisions the call then carries out: what to do after a
 * WebSocket gap (resync: Asterisk does not replay lost events, trace g) and how to take over a
 * call a previous controller left (adopt, from the snapshot kept in the store).
 */
import type { Device } from '../../routing/plan.js';
import { AriLeg } from './leg.js';

/** The ids of one call on Asterisk, as kept in the store. */
export interface AsteriskSnapshot {
  legs: { key: string; channelId: string; user: string | null; device: Device }[];
  winner: { key: string; channelId: string } | null;
  bridgeId: string | null;
}

/** The snapshot of a call's legs, winner and bridge. */
export function snapshotOf(legs: Iterable<AriLeg>, winner: AriLeg | null, bridgeId: string | null): AsteriskSnapshot {
  return {
    legs: [...legs].map((l) => ({ key: l.spec.key, channelId: l.channelId, user: l.spec.user, device: l.spec.device })),
    winner: winner ? { key: winner.spec.key, channelId: winner.channelId } : null,
    bridgeId,
  };
}

/** What the call must do once it has compared itself with what Asterisk holds now. */
export type ResyncAction =
  | { do: 'caller-left'; by: 'caller' | 'transfer' }
  | { do: 'winner-gone' }
  | { do: 'leg-ended'; leg: AriLeg; result: 'no-answer' | 'cancelled' | 'failed' }
  | { do: 'leg-answered'; leg: AriLeg }
  | { do: 'leg-ringing'; leg: AriLeg; state: string | undefined; inApp: boolean }
  | { do: 'check-attempt' };

export interface ResyncView {
  callerId: string;
  /** performance.now() at the call's creation. */
  createdAt: number;
  transferring: boolean;
  winner: AriLeg | null;
  legs: Iterable<AriLeg>;
}

/**
 * After a WebSocket gap: legs that vanished have ended, a leg that is Up in our app answered, a
 * caller that vanished hung up (or was transferred). `takenAt` is when the PBX snapshot was asked
 * for: a call or leg that came into being after it is simply not in it, and is left alone.
 */
export function resyncActions(call: ResyncView, live: ReadonlyMap<string, { state?: string }>, inApp: ReadonlySet<string>, takenAt: number): ResyncAction[] {
  if (call.createdAt > takenAt) return [];
  if (!live.has(call.callerId)) return [{ do: 'caller-left', by: call.transferring ? 'transfer' : 'caller' }];
  if (call.winner) return live.has(call.winner.channelId) ? [] : [{ do: 'winner-gone' }];
  const out: ResyncAction[] = [];
  for (const leg of call.legs) {
    if (leg.ended || !leg.wasOriginated || leg.originatedAt > takenAt) continue;
    const ch = live.get(leg.channelId);
    if (!ch) out.push({ do: 'leg-ended', leg, result: leg.ours === 'timeout' ? 'no-answer' : leg.ours ? 'cancelled' : 'failed' });
    else if (ch.state === 'Up' && inApp.has(leg.channelId)) out.push({ do: 'leg-answered', leg });
    else out.push({ do: 'leg-ringing', leg, state: ch.state, inApp: inApp.has(leg.channelId) });
  }
  out.push({ do: 'check-attempt' });
  return out;
}

/** How to take over a stored call. */
export type Adoption =
  | { kind: 'bridged'; winner: AriLeg; bridgeId: string; winnerGone: boolean }
  | { kind: 'clean-up'; hangup: string[]; destroyBridge: string | null };

/**
 * A bridged call is tracked to its end (the answering leg rebuilt from the snapshot); a ringing
 * call's live legs are hung up and its bridge destroyed, so the session can take the final action.
 */
export function adoption(snap: AsteriskSnapshot, phase: 'ringing' | 'bridged' | 'final', live: ReadonlyMap<string, unknown>): Adoption {
  if (phase === 'bridged' && snap.winner && snap.bridgeId) {
    const known = snap.legs.find((l) => l.channelId === snap.winner!.channelId);
    const winner = new AriLeg({ key: snap.winner.key, user: known?.user ?? null, device: known?.device ?? 'desk', rule: 'number-user', callerId: null }, snap.winner.channelId);
    winner.originated();
    winner.answer();
    return { kind: 'bridged', winner, bridgeId: snap.bridgeId, winnerGone: !live.has(winner.channelId) };
  }
  return { kind: 'clean-up', hangup: snap.legs.filter((l) => live.has(l.channelId)).map((l) => l.channelId), destroyBridge: snap.bridgeId };
}
