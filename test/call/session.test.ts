/**
 * The call session on its own, against a scripted CallControl: the route is carried out step by
 * step, the state machine is walked (planned, error), and every path ends with one record.
 */
import { describe, expect, it } from 'vitest';
import { runCall, type SessionDeps } from '../../src/call/session.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';
import { answerFirst, FakeCall, MemoryCalls } from './fake-call.js';

const config = configSchema.parse(SCENARIO_CONFIG);

/** Session deps around an in-memory call log; `debug` collects the `from -> event -> to` lines. */
function deps(calls = new MemoryCalls()) {
  const transitions: string[] = [];
  const log = silentLogger();
  const spy = Object.assign(Object.create(log), {
    child() {
      return spy;
    },
    debug(msg: unknown) {
      if (typeof msg === 'string' && msg.includes(' -> ')) transitions.push(msg);
    },
  });
  const d: SessionDeps = {
    config,
    backend: 'asterisk',
    lookupContact: async () => null,
    cursors: { take: async (decide) => decide(new Map()).result },
    calls,
    log: spy,
  };
  return { d, calls, transitions };
}

describe('call session (fake CallControl)', () => {
  it('given alice answers the first step, then the call is answered and the machine walks start, planned, ring, answered, bridge-ended', async () => {
    const call = new FakeCall();
    call.script.push(answerFirst);
    const { d, transitions, calls } = deps();
    const r = await runCall(call, d);
    expect(r.outcome).toBe('answered');
    expect(r.answeredBy).toEqual({ user: 'alice', device: 'desk' });
    expect(r.detail).toBe('ended by caller');
    expect(transitions).toEqual(['new -> start -> planning', 'planning -> planned -> planned', 'planned -> ring -> ringing(0.0)', 'ringing(0.0) -> answered -> bridged(0)', 'bridged(0) -> bridge-ended -> ended(answered)']);
    expect(call.asked).toEqual(['ring', 'attempt 1001,1002', 'wait bridge']);
    expect(calls.rows.get('call-1')?.outcome).toBe('answered');
    expect(calls.states.has('call-1')).toBe(false); // the resume state is gone once the call is over
    expect(call.logContexts.map((c) => c.step)).toEqual(['plan', 'ring 1.1', 'bridged 1']);
  });

  it('given nobody answers any step, then the final action runs: voicemail', async () => {
    const call = new FakeCall();
    const { d, transitions } = deps();
    const r = await runCall(call, d);
    expect(r.outcome).toBe('voicemail');
    expect(call.asked.at(-1)).toBe('voicemail 1001');
    expect(transitions.slice(-2)).toEqual(['ringing(0.0) -> final -> final(voicemail)', 'final(voicemail) -> final-done -> ended(voicemail)']);
  });

  it('given a number with no route and unanswered hangup, then planned goes straight to the final hangup', async () => {
    const call = new FakeCall({ rawCalled: '+12025550250' });
    const { d, transitions } = deps();
    const r = await runCall(call, d);
    expect(r.outcome).toBe('dropped');
    expect(call.asked).toEqual(['ring', 'hangup no-route']);
    expect(transitions).toContain('planned -> final -> final(hangup)');
  });

  it('given the caller leaves while it rings, then the call is abandoned and nothing else is asked', async () => {
    const call = new FakeCall();
    call.script.push((legs) => {
      call.callerGone = true;
      return { kind: 'caller-gone', legs: legs.map((l) => ({ key: l.key, startedAt: new Date().toISOString(), result: 'cancelled', cause: 16 })) };
    });
    const { d } = deps();
    const r = await runCall(call, d);
    expect(r.outcome).toBe('abandoned');
    expect(r.legs.map((l) => l.result)).toEqual(['cancelled', 'cancelled']);
    expect(call.asked).toEqual(['ring', 'attempt 1001,1002']);
  });

  it('given the PBX fails in the final action, then the error event ends the call as failed (not abandoned, though our own hangup then removes the caller)', async () => {
    const call = new FakeCall();
    call.voicemailError = new Error('connection lost');
    const { d, transitions } = deps();
    const r = await runCall(call, d);
    expect(r.outcome).toBe('failed');
    expect(r.detail).toBe('controller error: connection lost');
    expect(transitions.at(-1)).toBe('final(voicemail) -> error -> ended(failed)');
    expect(call.asked.at(-1)).toBe('hangup normal');
  });

  it('given the caller is already gone when the PBX fails, then the error event ends the call as abandoned', async () => {
    const call = new FakeCall();
    call.script.push(() => {
      call.callerGone = true;
      throw new Error('socket closed');
    });
    const { d, transitions } = deps();
    const r = await runCall(call, d);
    expect(r.outcome).toBe('abandoned');
    expect(transitions.at(-1)).toBe('ringing(0.0) -> error -> ended(abandoned)');
    expect(call.asked).not.toContain('hangup normal');
  });

  it('given a failed attempt (every originate errored), then the session moves on to the next step', async () => {
    const call = new FakeCall({ rawCalled: '+12025550210' });
    call.script.push((legs) => ({ kind: 'failed', reason: 'every originate failed', legs: legs.map((l) => ({ key: l.key, startedAt: new Date().toISOString(), result: 'unreachable', cause: null })) }));
    call.script.push(answerFirst);
    const { d } = deps();
    const r = await runCall(call, d);
    expect(r.rules).toEqual(['number-user', 'forwarding']);
    expect(r.answeredBy).toEqual({ user: null, device: 'forward' });
  });

  it('given the call rings, then the stored state names the phase and the final action, with the backend snapshot', async () => {
    const call = new FakeCall();
    call.script.push(answerFirst);
    let release!: () => void;
    call.bridgeEnd = () => new Promise((r) => (release = () => r({ by: 'callee' })));
    const { d, calls } = deps();
    const done = runCall(call, d);
    await new Promise<void>((r) => {
      const tick = () => (call.asked.includes('wait bridge') ? r() : setImmediate(tick));
      tick();
    });
    await Promise.resolve();
    expect(calls.stateWrites.map((s) => (s as { phase: string }).phase)).toEqual(expect.arrayContaining(['ringing', 'bridged']));
    expect(calls.states.get('call-1')).toMatchObject({ id: 'call-1', phase: 'bridged', final: { action: 'voicemail', mailbox: '1001' }, pbx: { fake: true } });
    release();
    expect((await done).detail).toBe('ended by callee');
  });
});
