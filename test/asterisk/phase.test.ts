/**
 * The Asterisk call's phase machine (src/backend/asterisk/phase.ts), apart from any socket: which
 * event in which phase goes where, and that an event meaning nothing in a phase (late, repeated,
 * out of order) leaves it as it is.
 */
import { describe, expect, it } from 'vitest';
import { callerLeftBy, nextPhase, type CallPhase, type PhaseEvent } from '../../src/backend/asterisk/phase.js';

const phone = { channelId: 'leg-1' };
const other = { channelId: 'leg-2' };
const ringing: CallPhase = { name: 'ringing' };
const bridging: CallPhase = { name: 'bridging', winner: phone, bridgeId: null };
const bridgingWithBridge: CallPhase = { name: 'bridging', winner: phone, bridgeId: 'br-1' };
const bridged: CallPhase = { name: 'bridged', winner: phone, bridgeId: 'br-1', transferTo: null };
const bridgedTransferring: CallPhase = { ...bridged, transferTo: '2000@internal' };
const transferred: CallPhase = { name: 'transferred', winner: phone, bridgeId: 'br-1', transferTo: '2000@internal', replacement: 'target-1' };
const endedByUs: CallPhase = { name: 'ended', callerGone: false, end: null, winner: null, bridgeId: null };
const endedAfterBridge: CallPhase = { name: 'ended', callerGone: false, end: { by: 'callee' }, winner: phone, bridgeId: 'br-1' };
const endedCallerGone: CallPhase = { name: 'ended', callerGone: true, end: null, winner: null, bridgeId: null };

const ALL: [string, CallPhase][] = [
  ['ringing', ringing],
  ['bridging', bridging],
  ['bridging (bridge made)', bridgingWithBridge],
  ['bridged', bridged],
  ['bridged (transfer noted)', bridgedTransferring],
  ['transferred', transferred],
  ['ended (sent on by us)', endedByUs],
  ['ended (bridge over)', endedAfterBridge],
  ['ended (caller gone)', endedCallerGone],
];

describe('Asterisk call phases', () => {
  it.each<[string, CallPhase, PhaseEvent, CallPhase]>([
    ['a leg answers while ringing', ringing, { type: 'answered', winner: phone }, bridging],
    ['the bridge is created', bridging, { type: 'bridge-created', bridgeId: 'br-1' }, bridgingWithBridge],
    ['both channels are in the bridge', bridgingWithBridge, { type: 'joined' }, bridged],
    ['the bridge cannot be made', bridgingWithBridge, { type: 'bridge-failed' }, ringing],
    ['a restarted controller adopts a bridged call', ringing, { type: 'adopted', winner: phone, bridgeId: 'br-1' }, bridged],
    ['the phone transfers', bridged, { type: 'transfer', to: '2000@internal' }, bridgedTransferring],
    ['the target takes the phone\'s place', bridgedTransferring, { type: 'replaced', channelId: 'target-1' }, transferred],
    ['the target replaces the phone with no transfer event seen', bridged, { type: 'replaced', channelId: 'target-1' }, { ...transferred, transferTo: 'transfer' }],
    ['the caller hangs up while ringing', ringing, { type: 'caller-hangup' }, endedCallerGone],
    ['the caller leaves Stasis while ringing', ringing, { type: 'caller-left-stasis' }, endedCallerGone],
    ['the caller hangs up while bridging', bridgingWithBridge, { type: 'caller-hangup' }, { name: 'ended', callerGone: true, end: null, winner: phone, bridgeId: 'br-1' }],
    ['the caller hangs up while bridged', bridged, { type: 'caller-hangup' }, { name: 'ended', callerGone: true, end: { by: 'caller' }, winner: phone, bridgeId: 'br-1' }],
    ['the caller leaves Stasis alive while bridged: the phone sent it into the dialplan', bridged, { type: 'caller-left-stasis' }, { name: 'ended', callerGone: true, end: { by: 'transfer', transferTo: 'dialplan' }, winner: phone, bridgeId: 'br-1' }],
    ['the caller leaves after a transfer was noted', bridgedTransferring, { type: 'caller-hangup' }, { name: 'ended', callerGone: true, end: { by: 'transfer', transferTo: '2000@internal' }, winner: phone, bridgeId: 'br-1' }],
    ['the caller hangs up on the transfer target', transferred, { type: 'caller-hangup' }, { name: 'ended', callerGone: true, end: { by: 'transfer', transferTo: '2000@internal' }, winner: phone, bridgeId: 'br-1' }],
    ['the phone hangs up while bridged', bridged, { type: 'winner-left' }, endedAfterBridge],
    ['the phone leaves after its transfer', bridgedTransferring, { type: 'winner-left' }, { ...endedAfterBridge, end: { by: 'transfer', transferTo: '2000@internal' } }],
    ['the transfer target hangs up', transferred, { type: 'target-left' }, { ...endedAfterBridge, end: { by: 'transfer', transferTo: '2000@internal' } }],
    ['we send the caller to voicemail', ringing, { type: 'sent-on' }, endedByUs],
    ['the caller hangs up after we sent it on', endedByUs, { type: 'caller-hangup' }, { ...endedByUs, callerGone: true }],
    ['the caller hangs up after the bridge ended', endedAfterBridge, { type: 'caller-hangup' }, { ...endedAfterBridge, callerGone: true }],
  ])('given %s, then it goes where it should', (_what, from, ev, to) => {
    expect(nextPhase(from, ev)).toEqual(to);
  });

  it.each<[string, PhaseEvent, string[]]>([
    // Where each event means something; everywhere else it must leave the phase as it is.
    ['answered', { type: 'answered', winner: other }, ['ringing']],
    ['bridge-created', { type: 'bridge-created', bridgeId: 'br-2' }, ['bridging']],
    ['joined', { type: 'joined' }, ['bridging (bridge made)']],
    ['bridge-failed', { type: 'bridge-failed' }, ['bridging', 'bridging (bridge made)']],
    ['adopted', { type: 'adopted', winner: other, bridgeId: 'br-2' }, ['ringing']],
    ['transfer', { type: 'transfer', to: '3000@internal' }, ['bridged', 'bridged (transfer noted)', 'transferred']],
    ['replaced', { type: 'replaced', channelId: 'target-2' }, ['bridged', 'bridged (transfer noted)']],
    ['winner-left', { type: 'winner-left' }, ['bridged', 'bridged (transfer noted)']],
    ['target-left', { type: 'target-left' }, ['transferred']],
    ['sent-on', { type: 'sent-on' }, ['ringing']],
    ['caller-left-stasis', { type: 'caller-left-stasis' }, ['ringing', 'bridging', 'bridging (bridge made)', 'bridged', 'bridged (transfer noted)', 'transferred']],
    ['caller-hangup', { type: 'caller-hangup' }, ['ringing', 'bridging', 'bridging (bridge made)', 'bridged', 'bridged (transfer noted)', 'transferred', 'ended (sent on by us)', 'ended (bridge over)']],
  ])('given "%s" in a phase where it means nothing, then the phase is left as it is (the same object)', (_name, ev, movesIn) => {
    for (const [name, p] of ALL) {
      if (movesIn.includes(name)) expect(nextPhase(p, ev), name).not.toBe(p);
      else expect(nextPhase(p, ev), name).toBe(p);
    }
  });

  it('given an unknown event (a bad value at run time), then every phase is left as it is', () => {
    for (const [name, p] of ALL) expect(nextPhase(p, { type: 'no-such-event' } as unknown as PhaseEvent), name).toBe(p);
  });

  it('given a whole call played out of order, then nothing goes back: a late answer after the caller left is ignored', () => {
    let p: CallPhase = ringing;
    for (const ev of [{ type: 'caller-hangup' }, { type: 'answered', winner: phone }, { type: 'joined' }, { type: 'winner-left' }, { type: 'caller-left-stasis' }] as PhaseEvent[]) p = nextPhase(p, ev);
    expect(p).toEqual(endedCallerGone);
  });

  it('says how the caller left: leaving Stasis alive while answered, or after a transfer, is a transfer', () => {
    expect(callerLeftBy(ringing, 'caller-left-stasis')).toBe('caller');
    expect(callerLeftBy(bridged, 'caller-left-stasis')).toBe('transfer');
    expect(callerLeftBy(bridged, 'caller-hangup')).toBe('caller');
    expect(callerLeftBy(bridgedTransferring, 'caller-hangup')).toBe('transfer');
  });
});
