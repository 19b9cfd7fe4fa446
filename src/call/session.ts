/**
 * The backend-neutral call session: plans one inbound call and carries the plan out through a
 * CallControl, step by step, writing the call-log row when the call starts and when it ends
 * (so a call cut off mid-step still has its row). The PBX specifics live in the backends.
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { normalizeCaller, normalizeNumber } from '../phone.js';
import { planRoute } from '../routing/route.js';
import type { Availability, PassedOver } from '../routing/availability.js';
import { turnNow } from './turn.js';
import type { ContactRef, CursorMove, Member, RingStep, RoutePlan } from '../routing/plan.js';
import type { AttemptOutcome, CallControl, LegOutcome, LegSpec, StoredCall } from './contract.js';
import { roundSeconds, type CallRecord, type LegRecord } from './record.js';
import { describe, transition, type CallEvent, type CallState } from './state.js';

export interface CallObserver {
  callStarted?(record: CallRecord): void;
  /** StasisStart / socket connect to the first originate, in ms. */
  setupLatency?(ms: number): void;
  /** An attempt starts ringing these legs (for live views). */
  attemptStarted?(record: CallRecord, legs: readonly LegSpec[]): void;
  legEnded?(leg: LegRecord): void;
  /** A user was passed over (section 6). */
  passedOver?(p: PassedOver): void;
  callEnded?(record: CallRecord): void;
}

/** Who can take a call now (src/runtime/presence.ts), and what to tell it about this call. */
export interface PresenceView {
  availability(): Availability;
  answered(callId: string, user: string | null, group: string | undefined): void;
  ended(callId: string): void;
}

export interface SessionDeps {
  /** The config in force when the call arrived; the call keeps it to its end. */
  config: Config;
  backend: 'asterisk' | 'freeswitch';
  lookupContact(phone: string | null): Promise<ContactRef | null>;
  cursors: { take<T>(decide: (c: ReadonlyMap<string, number>) => { result: T; moves: readonly CursorMove[] }): Promise<T> };
  calls: {
    upsert(record: CallRecord): Promise<void>;
    saveState(id: string, state: unknown): Promise<void>;
    deleteState(id: string): Promise<void>;
  };
  log: Logger;
  observer?: CallObserver;
  /** Availability (section 6); absent: nobody is known to be unavailable. */
  presence?: PresenceView;
  now?: () => number;
}

/** Handle one inbound call from arrival to its call-log row. Never throws. */
export async function runCall(call: CallControl, deps: SessionDeps): Promise<CallRecord> {
  return new CallSession(call, deps).run();
}

class CallSession {
  private state: CallState = { name: 'new' };
  private readonly record: CallRecord;
  private log: Logger;
  private readonly baseLog: Logger;
  private readonly now: () => number;
  private readonly t0: number;
  private firstOriginate = true;
  private final: RoutePlan['final'] | null = null;

  constructor(
    private readonly call: CallControl,
    private readonly deps: SessionDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.t0 = this.now();
    this.baseLog = deps.log.child({ channel: call.info.channelId });
    this.log = this.baseLog;
    this.record = {
      id: call.info.channelId,
      backend: deps.backend,
      startedAt: new Date(this.t0).toISOString(),
      from: null,
      to: '',
      outcome: null,
      answeredBy: null,
      legs: [],
      rules: [],
      durationSeconds: null,
      ringSeconds: null,
      talkSeconds: null,
      answeredAt: null,
      endedAt: null,
      detail: null,
      trace: [],
      passedOver: [],
    };
  }

  private go(event: CallEvent): void {
    const from = this.state;
    this.state = transition(from, event);
    // Every later line of this call, ours and the backend's, names the route step it belongs to.
    const step = stepLabel(this.state);
    if (step) {
      this.log = this.baseLog.child({ step });
      this.call.setLogContext({ step });
    }
    this.log.debug(`${describe(from)} -> ${event.type} -> ${describe(this.state)}`);
  }

  async run(): Promise<CallRecord> {
    try {
      await this.execute();
    } catch (err) {
      this.deps.presence?.ended(this.record.id);
      this.log.error({ err: (err as Error).message }, 'call failed in the controller');
      this.record.detail ??= `controller error: ${(err as Error).message}`;
      // Whether the caller had left is read before our own hangup, which would remove them too.
      const callerGone = this.call.callerGone;
      if (this.state.name !== 'ended') this.go({ type: 'error', callerGone });
      if (!callerGone) await this.call.hangup('normal').catch(() => undefined);
    }
    return this.finish();
  }

  private async execute(): Promise<void> {
    const { config } = this.deps;
    this.go({ type: 'start' });
    const from = normalizeCaller(this.call.info.rawCaller, config.defaultCountry);
    let to: string;
    const trace: string[] = [];
    try {
      to = normalizeNumber(this.call.info.rawCalled, config.defaultCountry);
    } catch {
      // A called number we cannot read is routed like a number that is not in the config.
      to = '';
      trace.push('the number called is not a valid phone number: routed as a number not in the config');
    }
    Object.assign(this.record, { from, to });
    void this.save();
    this.deps.observer?.callStarted?.(this.record);
    this.log.info({ from, to }, 'inbound call');
    void this.call.indicateRinging();

    const contact = await this.deps.lookupContact(from).catch((err) => {
      this.log.warn({ err: (err as Error).message }, 'contact look-up failed: unknown caller');
      return null;
    });
    // Taking round-robin / linear members and moving the cursors is one atomic step in the store.
    const plan: RoutePlan = await this.deps.cursors.take((cursors) => {
      const r = planRoute({ from, to }, config, { contact, cursors, ...(this.deps.presence ? { availability: this.deps.presence.availability() } : {}) });
      return { result: r.plan, moves: r.cursorMoves };
    });
    this.record.trace = [...trace, ...plan.trace];
    for (const p of plan.passedOver) this.passOver(p);
    this.final = plan.final;
    void this.saveState('ringing');
    this.log.info({ steps: plan.steps.map((s) => s.rule), final: plan.final.action }, 'route planned');
    this.go({ type: 'planned' });
    if (this.call.callerGone) return this.go({ type: 'caller-gone' });

    for (const [stepIndex, step] of plan.steps.entries()) {
      const attempts = step.strategy === 'simultaneous' ? [step.members] : step.members.map((m) => [m]);
      this.record.rules.push(step.rule);
      for (const [attemptIndex, members] of attempts.entries()) {
        this.go({ type: 'ring', step: stepIndex, attempt: attemptIndex });
        const outcome = await this.ring(step, stepIndex, attemptIndex, members, from, to);
        if (outcome === 'done') return;
        this.go({ type: 'unanswered' });
      }
    }
    await this.finalAction(plan);
  }

  /** Ring one attempt; 'done' when the call is over (answered and ended, or the caller left). */
  private async ring(step: RingStep, s: number, a: number, planned: Member[], from: string | null, to: string): Promise<'done' | 'next'> {
    let members = planned;
    if (this.deps.presence) {
      // Asked again now: the plan may be a ring time old (section 6).
      const turn = turnNow(this.deps.config, step, planned, this.deps.presence.availability());
      members = turn.members;
      this.record.trace.push(...turn.trace);
      for (const p of turn.passed) this.passOver(p);
    }
    this.recordSkipped(step, members);
    const legs = this.legSpecs(step, s, a, members, from, to);
    if (legs.length === 0) return 'next';
    if (this.firstOriginate) {
      this.firstOriginate = false;
      this.deps.observer?.setupLatency?.(this.now() - this.t0);
    }
    this.log.info({ rule: step.rule, legs: legs.map((l) => l.endpoint ?? l.number) }, 'ringing');
    this.deps.observer?.attemptStarted?.(this.record, legs);
    const ringing = this.call.ringAttempt(legs, step.ringSeconds);
    // The leg ids exist once ringAttempt has started: keep them, so a restart can find the legs.
    void this.saveState('ringing');
    const outcome = await ringing;
    this.recordLegs(legs, outcome);
    void this.save();
    if (outcome.kind === 'answered') {
      const leg = legs.find((l) => l.key === outcome.answeredKey)!;
      const answeredAt = this.now();
      Object.assign(this.record, {
        answeredBy: { user: leg.user, device: leg.device },
        answeredAt: new Date(answeredAt).toISOString(),
        ringSeconds: roundSeconds((answeredAt - this.t0) / 1000),
      });
      this.go({ type: 'answered' });
      this.deps.presence?.answered(this.record.id, leg.user, step.group);
      void this.save();
      void this.saveState('bridged');
      const end = await this.call.waitBridgeEnd().finally(() => this.deps.presence?.ended(this.record.id));
      this.record.talkSeconds = roundSeconds((this.now() - answeredAt) / 1000);
      this.record.detail = end.by === 'transfer' ? `transferred to ${end.transferTo ?? 'unknown'}` : `ended by ${end.by}`;
      this.log.info({ by: end.by, transferTo: end.transferTo }, 'bridged call ended');
      this.go({ type: 'bridge-ended' });
      return 'done';
    }
    if (outcome.kind === 'caller-gone') {
      this.go({ type: 'caller-gone' });
      return 'done';
    }
    if (outcome.kind === 'failed') this.log.warn({ reason: outcome.reason }, 'attempt failed in the PBX: moving on');
    return 'next';
  }

  private legSpecs(step: RingStep, s: number, a: number, members: Member[], from: string | null, to: string): LegSpec[] {
    const trunk = this.deps.config.trunks.default!;
    // Legs through the trunk show what the trunk's `callerId` says; SIP endpoints show the caller.
    const external = trunk.callerId === 'called' ? to || null : trunk.callerId === 'company' ? this.deps.config.company.phone ?? from : from;
    const legs: LegSpec[] = [];
    members.forEach((m, mi) =>
      m.targets.forEach((t, ti) => {
        const base = { key: `s${s}.a${a}.m${mi}.t${ti}`, user: m.user, device: t.device, rule: step.rule };
        legs.push('endpoint' in t ? { ...base, endpoint: t.endpoint, callerId: from } : { ...base, number: t.number, callerId: external });
      }),
    );
    return legs;
  }

  /** Record a user passed over once per step, however often she was asked. */
  private passOver(p: PassedOver): void {
    if (this.record.passedOver.some((q) => q.user === p.user && q.step === p.step)) return;
    this.record.passedOver.push(p);
    this.log.info({ user: p.user, reason: p.reason }, 'passed over');
    this.deps.observer?.passedOver?.(p);
  }

  /** Devices the PBX reports unavailable get no originate, only a `skipped` leg in the log. */
  private recordSkipped(step: RingStep, members: Member[]): void {
    const at = new Date(this.now()).toISOString();
    for (const m of members) {
      for (const t of m.skipped ?? []) {
        const leg: LegRecord = { user: m.user, device: t.device, ...('endpoint' in t ? { endpoint: t.endpoint } : { number: t.number }), rule: step.rule, startedAt: at, result: 'skipped', cause: null };
        this.record.legs.push(leg);
        this.deps.observer?.legEnded?.(leg);
      }
    }
  }

  private recordLegs(specs: LegSpec[], outcome: AttemptOutcome): void {
    const byKey = new Map<string, LegOutcome>(outcome.legs.map((l) => [l.key, l]));
    for (const spec of specs) {
      const o = byKey.get(spec.key);
      const leg: LegRecord = {
        user: spec.user,
        device: spec.device,
        ...(spec.endpoint !== undefined ? { endpoint: spec.endpoint } : { number: spec.number! }),
        rule: spec.rule,
        startedAt: o?.startedAt ?? new Date(this.now()).toISOString(),
        result: o?.result ?? 'failed',
        cause: o?.cause ?? null,
        ...(o?.answeredAt ? { answeredAt: o.answeredAt } : {}),
        ...(o?.endedAt ? { endedAt: o.endedAt } : {}),
      };
      this.record.legs.push(leg);
      this.deps.observer?.legEnded?.(leg);
    }
  }

  private async finalAction(plan: RoutePlan): Promise<void> {
    const final = plan.final;
    if (this.call.callerGone) return this.go({ type: 'caller-gone' });
    this.go({ type: 'final', action: final.action });
    void this.saveState('final');
    if (final.action === 'voicemail') {
      this.log.info({ mailbox: final.mailbox }, 'to voicemail');
      await this.call.voicemail(final.mailbox);
      this.record.detail = `voicemail ${final.mailbox}`;
    } else {
      this.log.info('no route left: hanging up');
      await this.call.hangup('no-route');
      this.record.detail = plan.steps.length === 0 ? 'no route' : 'nothing answered: hung up';
    }
    this.go({ type: 'final-done' });
  }

  private async finish(): Promise<CallRecord> {
    const end = this.now();
    // Every path ends the machine; a session that did not is a bug, closed as an error.
    if (this.state.name !== 'ended') this.go({ type: 'error', callerGone: this.call.callerGone });
    this.record.outcome = this.state.name === 'ended' ? this.state.outcome : 'failed';
    this.record.endedAt = new Date(end).toISOString();
    this.record.durationSeconds = roundSeconds((end - this.t0) / 1000);
    await this.save();
    await this.deps.calls.deleteState(this.record.id).catch(() => undefined);
    this.log.info({ outcome: this.record.outcome, duration: this.record.durationSeconds, answeredBy: this.record.answeredBy }, 'call ended');
    this.deps.observer?.callEnded?.(this.record);
    return this.record;
  }

  /**
   * Keep what a restarted controller needs to finish this call (see resume.ts). Mid-call writes
   * are not awaited: the store group-commits them in order (the latest per call wins), and the
   * call must not wait for the disk between a caller arriving and the phones ringing.
   */
  private async saveState(phase: StoredCall['phase']): Promise<void> {
    if (!this.final) return;
    const state: StoredCall = { id: this.record.id, phase, final: this.final, pbx: this.call.snapshot() ?? null };
    await this.deps.calls.saveState(this.record.id, state).catch((err) => this.log.error({ err: (err as Error).message }, 'call state write failed'));
  }

  /** Write the row; a store failure is logged, never allowed to end the call. */
  private async save(): Promise<void> {
    await this.deps.calls.upsert(this.record).catch((err) => this.log.error({ err: (err as Error).message }, 'call log write failed'));
  }
}

/** The route step a state belongs to, for log lines: `ring 1.1`, `bridged 1`, `final voicemail`. */
function stepLabel(state: CallState): string | null {
  switch (state.name) {
    case 'planning':
      return 'plan';
    case 'ringing':
      return `ring ${state.step + 1}.${state.attempt + 1}`;
    case 'bridged':
      return `bridged ${state.step + 1}`;
    case 'final':
      return `final ${state.action}`;
    default:
      return null;
  }
}
