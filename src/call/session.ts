/**
 * The backend-neutral call session: plans one inbound call and carries the plan out through a
 * CallControl, step by step, writing the call-log row when the call starts and when it ends
 * (so a call cut off mid-step still has its row). The PBX specifics live in the backends.
 */
import type { Logger } from '../log.js';
import { normalizeNumber } from '../phone.js';
import { planRoute } from '../routing/route.js';
import { historyGroupsFor } from '../routing/history-order.js';
import { blockedPlan, callerOf, lookUpCaller } from './screen.js';
import type { PassedOver } from '../routing/availability.js';
import { HeldPasses, stepAttempts, turnNow } from './turn.js';
import type { Member, RingStep, RoutePlan } from '../routing/plan.js';
import type { SessionDeps } from './session-deps.js';
import type { AttemptOutcome, CallControl, LegOutcome, LegSpec, StoredCall } from './contract.js';
import { roundSeconds, type CallRecord, type LegRecord } from './record.js';
import { describe, transition, type CallEvent, type CallState } from './state.js';
import { Detached, DrainWatch } from './drain.js';
import { legRecord, legSpecs } from './legs.js';
import { PbxLostError } from '../runtime/pbx-outage.js';

export type { CallObserver, PresenceView, SessionDeps } from './session-deps.js';

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
  private plan: RoutePlan | null = null;
  private readonly drain: DrainWatch;
  private held = new HeldPasses([]);

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
    this.drain = new DrainWatch({
      deadline: deps.drainDeadline,
      pbxLost: deps.pbxLost,
      toFailsafe: deps.toFailsafe,
      state: () => this.state.name,
      warn: (obj, msg) => this.log.warn(obj, msg),
    });
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
      return await this.runToEnd();
    } finally {
      this.drain.close();
    }
  }

  private async runToEnd(): Promise<CallRecord> {
    try {
      await this.execute();
    } catch (err) {
      this.deps.presence?.ended(this.record.id);
      if (err instanceof Detached) return this.record; // the row stays open: the next run finishes it
      this.log.error({ err: (err as Error).message }, 'call failed in the controller');
      if (err instanceof PbxLostError) this.record.detail = err.message;
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
    const { from, withheld } = callerOf(this.call.info, config.defaultCountry);
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

    // Blocked first (section 7's order): a blocked caller hears no ringing and gets no look-up.
    const blocked = this.deps.blockList?.() ?? config.blocked;
    const refused = blockedPlan({ from, to, withheld }, config, blocked, this.now(), this.deps.overrides?.());
    if (refused) return this.refuse(refused, trace);
    void this.call.indicateRinging();

    const [contact, contactName] = await lookUpCaller(this.deps, from, this.log);
    // Taking round-robin / linear members and moving the cursors is one atomic step in the store.
    // On a shared store, least-recent / fewest-calls order comes from every node's answers (section 10).
    await this.deps.presence?.refreshHistory?.(historyGroupsFor(config, to));
    const at = this.now();
    const overrides = this.deps.overrides?.();
    const plan: RoutePlan = await this.deps.cursors.take((cursors) => {
      const availability = this.deps.presence ? { availability: this.deps.presence.availability() } : {};
      const r = planRoute({ from, to, withheld }, config, { contact, cursors, at, overrides, blocked, contactName, ...availability });
      return { result: r.plan, moves: r.cursorMoves };
    });
    this.record.trace = [...trace, ...plan.trace];
    this.held = new HeldPasses(plan.steps);
    for (const p of this.held.recordNow(plan.passedOver)) this.passOver(p);
    this.final = plan.final;
    this.plan = plan;
    if (plan.blocked) return this.refuse(plan, trace); // the block list changed in between
    // The plan's trace reaches the row now, not at the end: a controller killed while the phones
    // ring still leaves a row that says why it rang whom.
    void this.save();
    this.deps.observer?.routePlanned?.(plan);
    void this.saveState('ringing');
    this.log.info({ steps: plan.steps.map((s) => s.rule), final: plan.final.action }, 'route planned');
    this.go({ type: 'planned' });
    if (this.call.callerGone) return this.go({ type: 'caller-gone' });

    for (const [stepIndex, step] of plan.steps.entries()) {
      const attempts = stepAttempts(step);
      this.record.rules.push(step.rule);
      for (const [attemptIndex, members] of attempts.entries()) {
        if (this.drain.handedOff) return this.go({ type: 'caller-gone' });
        this.go({ type: 'ring', step: stepIndex, attempt: attemptIndex });
        const outcome = await this.ring(step, stepIndex, attemptIndex, members, from, to);
        if (outcome === 'done') return;
        this.go({ type: 'unanswered' });
      }
    }
    await this.finalAction(plan);
  }

  /** A blocked caller (section 9): no leg, hung up with cause 21 (call rejected), rules ["blocked"]. */
  private async refuse(plan: RoutePlan, trace: string[]): Promise<void> {
    this.record.trace = [...trace, ...plan.trace];
    this.record.rules = ['blocked'];
    this.record.detail = 'blocked: call rejected (cause 21)';
    this.deps.observer?.routePlanned?.(plan);
    this.log.info({ from: this.record.from }, 'caller blocked: hanging up with cause 21');
    if (!this.call.callerGone) await this.call.hangup('rejected');
    this.go({ type: 'blocked' });
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
      for (const { user } of planned) if (user !== null && this.held.turnCame(step, user) && members.some((m) => m.user === user)) this.record.trace.push(`${user} can be rung now (when her turn came)`);
    }
    this.recordSkipped(step, members);
    const legs = legSpecs(this.deps.config, step, s, a, members, from, to, this.plan?.callerName ?? null);
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
    // Each placed leg is in the row at once, as it ends if this process dies now: a restarted
    // controller hangs up legs nobody owns ('cancelled'). The attempt's outcome replaces them.
    const placedAt = this.record.legs.length;
    this.record.legs.push(...legs.map((l) => legRecord(l, { key: l.key, startedAt: new Date(this.now()).toISOString(), result: 'cancelled', cause: null }, this.now())));
    void this.save();
    const outcome = await ringing;
    this.record.legs.splice(placedAt);
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
      const end = await this.drain.unlessDetached(this.call.waitBridgeEnd()).finally(() => this.deps.presence?.ended(this.record.id));
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
      const leg = legRecord(spec, byKey.get(spec.key), this.now());
      this.record.legs.push(leg);
      this.deps.observer?.legEnded?.(leg);
    }
  }

  private async finalAction(plan: RoutePlan): Promise<void> {
    const final = plan.final;
    if (this.call.callerGone || this.drain.handedOff) return this.go({ type: 'caller-gone' });
    this.go({ type: 'final', action: final.action });
    void this.saveState('final');
    if (final.action === 'voicemail') {
      this.log.info({ mailbox: final.mailbox }, 'to voicemail');
      await this.drain.unlessDetached(this.call.voicemail(final.mailbox));
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
    for (const p of this.held.release()) this.passOver(p);
    const handedOff = this.drain.handedOff && this.record.answeredBy === null;
    if (handedOff) Object.assign(this.record, { outcome: 'dropped', detail: 'controller stopping: drain deadline passed while ringing, sent to the fail-safe route' });
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
