/** A scripted CallControl for unit tests of the session and of resume: no PBX, no simulator. */
import type { AttemptOutcome, BridgeEnd, CallControl, InboundCallInfo, LegSpec } from '../../src/call/contract.js';
import type { CallRecord } from '../../src/call/record.js';

type Step = AttemptOutcome | ((legs: LegSpec[]) => AttemptOutcome | Promise<AttemptOutcome>);

export class FakeCall implements CallControl {
  readonly info: InboundCallInfo;
  callerGone = false;
  readonly asked: string[] = [];
  readonly attempts: LegSpec[][] = [];
  readonly logContexts: Record<string, string>[] = [];
  /** What each ringAttempt returns, in order; past the end: unanswered with every leg no-answer. */
  readonly script: Step[] = [];
  bridgeEnd: BridgeEnd | (() => Promise<BridgeEnd>) = { by: 'caller' };
  voicemailError: Error | null = null;
  /** The caller's channel goes when we hang it up (what a real PBX reports right after). */
  goneOnHangup = true;

  constructor(info: Partial<InboundCallInfo> = {}) {
    this.info = { channelId: 'call-1', rawCaller: '+12025550999', rawCalled: '+12025550200', ...info };
  }

  async indicateRinging(): Promise<void> {
    this.asked.push('ring');
  }

  async ringAttempt(legs: LegSpec[]): Promise<AttemptOutcome> {
    this.asked.push(`attempt ${legs.map((l) => l.endpoint ?? l.number).join(',')}`);
    this.attempts.push(legs);
    const step = this.script.shift();
    if (step === undefined) return { kind: 'unanswered', legs: legs.map((l) => ({ key: l.key, startedAt: new Date().toISOString(), result: 'no-answer', cause: 19 })) };
    return typeof step === 'function' ? step(legs) : step;
  }

  async waitBridgeEnd(): Promise<BridgeEnd> {
    this.asked.push('wait bridge');
    return typeof this.bridgeEnd === 'function' ? this.bridgeEnd() : this.bridgeEnd;
  }

  async voicemail(mailbox: string): Promise<void> {
    this.asked.push(`voicemail ${mailbox}`);
    if (this.voicemailError) throw this.voicemailError;
  }

  async hangup(reason: 'no-route' | 'normal'): Promise<void> {
    this.asked.push(`hangup ${reason}`);
    if (this.goneOnHangup) this.callerGone = true;
  }

  snapshot(): unknown {
    return { fake: true };
  }

  setLogContext(bindings: Record<string, string>): void {
    this.logContexts.push(bindings);
  }

  dispose(): void {}
}

/** The call log as a map, and the stored states as written. */
export class MemoryCalls {
  readonly rows = new Map<string, CallRecord>();
  readonly states = new Map<string, unknown>();
  readonly stateWrites: unknown[] = [];

  async upsert(r: CallRecord): Promise<void> {
    this.rows.set(r.id, structuredClone(r));
  }
  async get(id: string): Promise<CallRecord | null> {
    const r = this.rows.get(id);
    return r ? structuredClone(r) : null;
  }
  async saveState(id: string, state: unknown): Promise<void> {
    this.states.set(id, state);
    this.stateWrites.push(structuredClone(state));
  }
  async deleteState(id: string): Promise<void> {
    this.states.delete(id);
  }
}

/** Every leg of an attempt answered by the first one. */
export const answerFirst = (legs: LegSpec[]): AttemptOutcome => ({
  kind: 'answered',
  answeredKey: legs[0]!.key,
  legs: legs.map((l, i) => ({ key: l.key, startedAt: new Date().toISOString(), result: i === 0 ? 'answered' : 'cancelled', cause: i === 0 ? null : 26 })),
});
