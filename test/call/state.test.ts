import { describe, expect, it } from 'vitest';
import { IllegalTransition, transition, type CallEvent, type CallState } from '../../src/call/state.js';

const run = (events: CallEvent[]): CallState => events.reduce<CallState>((s, e) => transition(s, e), { name: 'new' });

describe('call state machine', () => {
  it.each<[string, CallEvent[], CallState]>([
    ['answered on the first step', [{ type: 'start' }, { type: 'planned' }, { type: 'ring', step: 0, attempt: 0 }, { type: 'answered' }, { type: 'bridge-ended' }], { name: 'ended', outcome: 'answered' }],
    ['rings every step, then voicemail', [{ type: 'start' }, { type: 'planned' }, { type: 'ring', step: 0, attempt: 0 }, { type: 'unanswered' }, { type: 'ring', step: 1, attempt: 0 }, { type: 'unanswered' }, { type: 'final', action: 'voicemail' }, { type: 'final-done' }], { name: 'ended', outcome: 'voicemail' }],
    ['no route: straight to hangup', [{ type: 'start' }, { type: 'planned' }, { type: 'final', action: 'hangup' }, { type: 'final-done' }], { name: 'ended', outcome: 'dropped' }],
    ['caller leaves while it rings', [{ type: 'start' }, { type: 'planned' }, { type: 'ring', step: 0, attempt: 0 }, { type: 'caller-gone' }], { name: 'ended', outcome: 'abandoned' }],
    ['caller leaves before the route is built', [{ type: 'start' }, { type: 'caller-gone' }], { name: 'ended', outcome: 'abandoned' }],
    ['controller error at any point', [{ type: 'start' }, { type: 'planned' }, { type: 'ring', step: 0, attempt: 0 }, { type: 'error', callerGone: false }], { name: 'ended', outcome: 'failed' }],
    ['an error after the caller left', [{ type: 'start' }, { type: 'planned' }, { type: 'final', action: 'voicemail' }, { type: 'error', callerGone: true }], { name: 'ended', outcome: 'abandoned' }],
  ])('given %s, then the call ends in the right state', (_name, events, end) => {
    expect(run(events)).toEqual(end);
  });

  it.each<[string, CallEvent[]]>([
    ['answered before ringing', [{ type: 'start' }, { type: 'answered' }]],
    ['ringing before the route is planned', [{ type: 'start' }, { type: 'ring', step: 0, attempt: 0 }]],
    ['an event after the end', [{ type: 'start' }, { type: 'caller-gone' }, { type: 'start' }]],
    ['a bridged call that goes to voicemail', [{ type: 'start' }, { type: 'planned' }, { type: 'ring', step: 0, attempt: 0 }, { type: 'answered' }, { type: 'final', action: 'voicemail' }]],
    ['starting twice', [{ type: 'start' }, { type: 'start' }]],
  ])('given %s, then the transition is refused', (_name, events) => {
    expect(() => run(events)).toThrow(IllegalTransition);
  });
});
