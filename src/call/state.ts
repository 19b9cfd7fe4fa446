/**
 * The call state machine. Each call moves through these states only; every transition is a
 * pure function returning the next state, and the session logs `from -> event -> to`.
 */
export type CallState =
  | { name: 'new' }
  | { name: 'planning' }
  /** The route is planned (and stored): next, its first step rings or the final action runs. */
  | { name: 'planned' }
  | { name: 'ringing'; step: number; attempt: number }
  | { name: 'bridged'; step: number }
  | { name: 'final'; action: 'voicemail' | 'hangup' }
  | { name: 'ended'; outcome: 'answered' | 'voicemail' | 'abandoned' | 'dropped' | 'blocked' | 'failed' };

export type CallEvent =
  | { type: 'start' }
  | { type: 'planned' }
  | { type: 'ring'; step: number; attempt: number }
  | { type: 'answered' }
  | { type: 'unanswered' }
  | { type: 'caller-gone' }
  | { type: 'final'; action: 'voicemail' | 'hangup' }
  | { type: 'bridge-ended' }
  | { type: 'final-done' }
  /** The caller is on the block list (or withheld where the number refuses that): hung up, cause 21. */
  | { type: 'blocked' }
  /** The controller or the PBX failed mid-call; a caller already gone makes it abandoned. */
  | { type: 'error'; callerGone: boolean };

/** Thrown for a transition the machine does not allow: a bug, never a caller's doing. */
export class IllegalTransition extends Error {}

/** The next state after `event`, or IllegalTransition. */
export function transition(state: CallState, event: CallEvent): CallState {
  if (state.name === 'ended') throw new IllegalTransition(`call already ended; got ${event.type}`);
  if (event.type === 'error') return { name: 'ended', outcome: event.callerGone ? 'abandoned' : 'failed' };
  switch (state.name) {
    case 'new':
      if (event.type === 'start') return { name: 'planning' };
      break;
    case 'planning':
      if (event.type === 'planned') return { name: 'planned' };
      if (event.type === 'caller-gone') return { name: 'ended', outcome: 'abandoned' };
      // Blocked before any look-up or plan (section 9): the session refuses it at once.
      if (event.type === 'blocked') return { name: 'ended', outcome: 'blocked' };
      break;
    case 'planned':
      if (event.type === 'ring') return { name: 'ringing', step: event.step, attempt: event.attempt };
      if (event.type === 'final') return { name: 'final', action: event.action };
      if (event.type === 'caller-gone') return { name: 'ended', outcome: 'abandoned' };
      if (event.type === 'blocked') return { name: 'ended', outcome: 'blocked' };
      break;
    case 'ringing':
      if (event.type === 'answered') return { name: 'bridged', step: state.step };
      if (event.type === 'ring') return { name: 'ringing', step: event.step, attempt: event.attempt };
      if (event.type === 'unanswered') return state;
      if (event.type === 'final') return { name: 'final', action: event.action };
      if (event.type === 'caller-gone') return { name: 'ended', outcome: 'abandoned' };
      break;
    case 'bridged':
      if (event.type === 'bridge-ended') return { name: 'ended', outcome: 'answered' };
      break;
    case 'final':
      if (event.type === 'final-done') return { name: 'ended', outcome: state.action === 'voicemail' ? 'voicemail' : 'dropped' };
      if (event.type === 'caller-gone') return { name: 'ended', outcome: 'abandoned' };
      break;
  }
  throw new IllegalTransition(`${describe(state)} does not take ${event.type}`);
}

/** Short label of a state for logs: `ringing(1.0)`. */
export function describe(state: CallState): string {
  switch (state.name) {
    case 'ringing':
      return `ringing(${state.step}.${state.attempt})`;
    case 'bridged':
      return `bridged(${state.step})`;
    case 'final':
      return `final(${state.action})`;
    case 'ended':
      return `ended(${state.outcome})`;
    default:
      return state.name;
  }
}
