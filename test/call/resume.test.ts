/**
 * Finishing calls picked up again after a reconnect or a restart (resume.ts), against a scripted
 * CallControl: no simulator, no store file.
 */
import { describe, expect, it } from 'vitest';
import { closeLostCall, resumeCall } from '../../src/call/resume.js';
import type { StoredCall } from '../../src/call/contract.js';
import type { CallRecord } from '../../src/call/record.js';
import { silentLogger } from '../../src/log.js';
import { FakeCall, MemoryCalls } from './fake-call.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');

function row(over: Partial<CallRecord> = {}): CallRecord {
  return {
    id: 'call-1', backend: 'asterisk', startedAt: new Date(T0).toISOString(), from: '+12025550999', to: '+12025550200', outcome: null,
    answeredBy: null, legs: [], rules: ['number-user'], durationSeconds: null, ringSeconds: null, talkSeconds: null,
    answeredAt: null, endedAt: null, detail: null, trace: [], passedOver: [], ...over,
  };
}

const stored = (phase: StoredCall['phase'], final: StoredCall['final'] = { action: 'voicemail', mailbox: '1001' }): StoredCall => ({ id: 'call-1', phase, final, pbx: null });

async function setup(r: CallRecord | null = row()) {
  const calls = new MemoryCalls();
  if (r) await calls.upsert(r);
  await calls.saveState('call-1', {});
  return { calls, deps: { calls, log: silentLogger(), now: () => T0 + 90_000 } };
}

describe('resume (fake CallControl)', () => {
  it('given a bridged call whose answer never reached the store, then who answered comes from the reconcile result', async () => {
    const { calls, deps } = await setup(row({ answeredAt: new Date(T0 + 30_000).toISOString() }));
    const call = new FakeCall();
    call.bridgeEnd = { by: 'callee' };
    const r = await resumeCall(call, stored('bridged'), deps, { user: 'alice', device: 'desk' });
    expect(r).toMatchObject({ outcome: 'answered', answeredBy: { user: 'alice', device: 'desk' }, talkSeconds: 60, durationSeconds: 90 });
    expect(r!.detail).toBe('ended by callee (resumed after a controller reconnect)');
    expect(calls.states.has('call-1')).toBe(false);
  });

  it('given a bridged call the store knows the answer of, then the store wins', async () => {
    const { deps } = await setup(row({ answeredBy: { user: 'bob', device: 'app' } }));
    const r = await resumeCall(new FakeCall(), stored('bridged'), deps, { user: 'alice', device: 'desk' });
    expect(r!.answeredBy).toEqual({ user: 'bob', device: 'app' });
  });

  it('given a transferred bridged call, then the detail says where to', async () => {
    const { deps } = await setup();
    const call = new FakeCall();
    call.bridgeEnd = { by: 'transfer', transferTo: '2000@internal' };
    expect((await resumeCall(call, stored('bridged'), deps))!.detail).toBe('transferred to 2000@internal (resumed after a controller reconnect)');
  });

  it('given a call that was ringing, then the caller goes to the final action: voicemail', async () => {
    const { deps } = await setup();
    const call = new FakeCall();
    const r = await resumeCall(call, stored('ringing'), deps);
    expect(call.asked).toEqual(['voicemail 1001']);
    expect(r).toMatchObject({ outcome: 'voicemail', detail: 'voicemail 1001 (resumed after a controller reconnect)' });
  });

  it('given a ringing call without a mailbox, then the caller is hung up with no route', async () => {
    const { deps } = await setup();
    const call = new FakeCall();
    const r = await resumeCall(call, stored('ringing', { action: 'hangup' }), deps);
    expect(call.asked).toEqual(['hangup no-route']);
    expect(r!.outcome).toBe('dropped');
  });

  it('given the caller left meanwhile, then the call is abandoned and nothing is asked of the PBX', async () => {
    const { deps } = await setup();
    const call = new FakeCall();
    call.callerGone = true;
    const r = await resumeCall(call, stored('ringing'), deps);
    expect(call.asked).toEqual([]);
    expect(r!.outcome).toBe('abandoned');
  });

  it('given the PBX fails while resuming, then the call is failed with the reason, never thrown', async () => {
    const { deps } = await setup();
    const call = new FakeCall();
    call.voicemailError = new Error('HTTP 500');
    const r = await resumeCall(call, stored('final'), deps);
    expect(r).toMatchObject({ outcome: 'failed', detail: 'resume failed: HTTP 500' });
  });

  it('given no call-log row, then there is nothing to finish', async () => {
    const { deps } = await setup(null);
    expect(await resumeCall(new FakeCall(), stored('bridged'), deps)).toBeNull();
  });

  it.each<[StoredCall['phase'], StoredCall['final'], string]>([
    ['bridged', { action: 'voicemail', mailbox: '1001' }, 'answered'],
    ['ringing', { action: 'voicemail', mailbox: '1001' }, 'abandoned'],
    ['final', { action: 'voicemail', mailbox: '1001' }, 'voicemail'],
    ['final', { action: 'hangup' }, 'dropped'],
  ])('given a lost call stored as %s (final %j), then its row is closed as %s', async (phase, final, outcome) => {
    const { calls, deps } = await setup();
    const r = await closeLostCall(stored(phase, final), deps);
    expect(r).toMatchObject({ outcome, durationSeconds: 90 });
    expect(r!.detail).toContain('ended while the controller was away');
    expect(calls.states.has('call-1')).toBe(false);
  });

  it('given a finished row whose state was left behind (killed between the two writes), then the row stays as it was and the state goes', async () => {
    const done = row({ outcome: 'answered', endedAt: new Date(T0 + 30_000).toISOString(), durationSeconds: 30, answeredBy: { user: 'alice', device: 'desk' } });
    const { calls, deps } = await setup(done);
    const r = await closeLostCall(stored('bridged'), deps);
    expect(r).toEqual(done);
    expect(await calls.get('call-1')).toEqual(done);
    expect(calls.states.has('call-1')).toBe(false);
  });
});
