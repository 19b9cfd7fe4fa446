/**
 * One inbound call on Asterisk: the CallControl the session drives.
 *
 * ARI facts this relies on (reference traces a-p):
 * - A channel originated with `app=` is subscribed to the app from birth: its Dial,
 *   ChannelHangupRequest and ChannelDestroyed events arrive, and StasisStart comes when it answers.
 * - Events for a leg can arrive before the originate's HTTP response, so the leg's id is chosen by
 *   us (`channelId`) and registered before the request is sent.
 * - The caller leaving Stasis shows as StasisEnd. Preceded by ChannelHangupRequest it is a hangup;
 *   without one (and not sent on by us) the channel left Stasis alive: a transfer.
 */
import type { AttemptOutcome, BridgeEnd, CallControl, InboundCallInfo, LegSpec } from '../../call/contract.js';
import type { Logger } from '../../log.js';
import type { AriEvent } from './events.js';
import { AriLeg } from './leg.js';
import { decodeEvent, type CallEvent } from './decode.js';
import { adoption, resyncActions, snapshotOf, type AsteriskSnapshot } from './recovery.js';
import { endsTarget, replacesPhone, transferOfOurBridge } from './transfer.js';
import { callerLeftBy, describeTransition, nextPhase, transferToOf, winnerOf, type CallPhase, type PhaseEvent } from './phase.js';
import { AttemptLegs } from './attempt.js';
import { holdForKey } from './confirm.js';
import { inboundInfo } from './caller-id.js';
import { joinCallerAndLeg } from './bridging.js';
import type { AsteriskCallDeps as Deps } from './call-deps.js';

export type { AsteriskSnapshot } from './recovery.js';
export const LEG_APP_ARG = 'switchboard-leg';

export class AsteriskCall implements CallControl {
  readonly info: InboundCallInfo;
  /** performance.now() at creation: reconcile's snapshots taken earlier cannot know this call. */
  readonly createdAt = performance.now();
  /** This call's logger; re-made with the route step as the session moves on. */
  private log: Logger;
  /** Where the call is (phase.ts): every change goes through go(). */
  private phase: CallPhase<AriLeg> = { name: 'ringing' };
  private readonly attempt: AttemptLegs;
  /** The channels and bridges whose events the backend routes here, for dispose(). */
  private readonly routed = new Set<string>();
  private bridgeEnded!: (e: BridgeEnd) => void;
  private readonly bridgeEnd = new Promise<BridgeEnd>((resolve) => (this.bridgeEnded = resolve));

  constructor(
    channel: { id: string; caller?: { number?: string }; dialplan?: { exten?: string } },
    args: string[],
    private readonly deps: Deps<AsteriskCall>,
  ) {
    this.log = deps.log;
    this.attempt = new AttemptLegs(deps.rest, () => this.log);
    this.info = inboundInfo(channel, args);
    this.routed.add(channel.id); // the backend routes the caller's events here from the start
  }

  get callerGone(): boolean {
    return this.phase.name === 'ended' && this.phase.callerGone;
  }

  /** The next phase after `ev`, or null (and nothing changed) when `ev` means nothing now. */
  private go(ev: PhaseEvent<AriLeg>): CallPhase<AriLeg> | null {
    const from = this.phase;
    const to = nextPhase(from, ev);
    if (to === from) return null;
    this.phase = to;
    this.log.debug({ phase: to.name }, describeTransition(from, ev, to));
    return to;
  }

  /** Whether the call is in phase `name` now (a method: the phase changes across awaits). */
  private at(name: CallPhase['name']): boolean {
    return this.phase.name === name;
  }

  private route(id: string, on: boolean): void {
    if (on) this.routed.add(id);
    else this.routed.delete(id);
    this.deps.register(id, on ? this : null);
  }

  async indicateRinging(): Promise<void> {
    await this.deps.rest.ring(this.info.channelId).catch((err) => this.log.debug({ err: (err as Error).message }, 'ring indication failed'));
  }

  ringAttempt(specs: LegSpec[], ringSeconds: number): Promise<AttemptOutcome> {
    if (this.callerGone) return Promise.resolve({ kind: 'caller-gone', legs: [] });
    const legs = specs.map((spec) => new AriLeg(spec, this.deps.newId()));
    const done = this.attempt.begin(legs);
    const timer = setTimeout(() => this.cancelRinging('timeout'), ringSeconds * 1000);
    const params = { templates: this.deps.templates, app: this.deps.app, appArgs: LEG_APP_ARG, ringSeconds, originator: this.info.channelId };
    for (const leg of legs) {
      this.route(leg.channelId, true);
      // Once the leg exists: the caller may have gone, or another leg answered, meanwhile.
      const unwanted = () => (this.callerGone ? 'caller-gone' : (winnerOf(this.phase) ?? leg) !== leg ? 'answered-elsewhere' : null);
      void this.attempt.originate(leg, params, unwanted, () => {
        this.route(leg.channelId, false);
        this.checkAttempt();
      });
    }
    return done.finally(() => clearTimeout(timer));
  }

  /** Every ARI event about our caller channel, one of our legs, or our bridge. */
  onEvent(event: AriEvent): void {
    const ev = decodeEvent(event);
    if (ev.type === 'ignored') return;
    const p = this.phase;
    if (ev.type === 'transfer') {
      // A transfer before the bridge is made cannot be ours (the phone is not in it yet).
      const to = p.name === 'bridged' || p.name === 'transferred' ? transferOfOurBridge(ev, p.bridgeId) : null;
      if (to !== null && this.go({ type: 'transfer', to })) this.log.info({ transfer: to }, 'answering phone transferred the caller');
      return;
    }
    const id = ev.channelId;
    if (id === this.info.channelId) return this.onCallerEvent(ev);
    if (p.name === 'bridged' && replacesPhone(ev, p.winner.channelId)) return this.onReplacement(id);
    if (p.name === 'transferred' && id === p.replacement) return this.onTargetEvent(id, ev);
    const winner = winnerOf(p);
    const leg = this.attempt.get(id) ?? (winner?.channelId === id ? winner : undefined);
    if (leg) this.onLegEvent(leg, ev);
  }

  private onCallerEvent(ev: CallEvent): void {
    if (ev.type === 'hangup-request' || ev.type === 'destroyed') this.callerLeft('caller-hangup');
    // Without a hangup request the channel left Stasis alive: the answering phone sent it on.
    else if (ev.type === 'stasis-end') this.callerLeft('caller-left-stasis');
  }

  private onLegEvent(leg: AriLeg, ev: CallEvent): void {
    const isWinner = leg === winnerOf(this.phase);
    switch (ev.type) {
      case 'dial':
        leg.dialstatus = ev.dialstatus ?? leg.dialstatus;
        return;
      case 'hangup-request':
        if (ev.cause !== null) leg.cause = ev.cause;
        return;
      case 'stasis-start':
        return void this.onLegAnswered(leg);
      case 'dtmf':
      case 'playback-finished':
        return leg.confirmation?.onEvent(ev);
      case 'stasis-end':
        if (isWinner) return this.winnerLeft();
        return;
      case 'destroyed':
        leg.destroyed(ev.cause);
        this.route(leg.channelId, false);
        if (isWinner) return this.winnerLeft();
        return this.checkAttempt();
      default:
        return;
    }
  }

  private async onLegAnswered(leg: AriLeg): Promise<void> {
    if (this.at('ended')) return this.attempt.hangup(leg, 'caller-gone');
    if (!this.at('ringing')) return this.attempt.hangup(leg, 'answered-elsewhere');
    // Section 8: a leg that must confirm stays in Stasis until its key; the caller keeps ringing.
    if (leg.spec.confirm && !leg.confirmed) return holdForKey(leg, { ...this.deps, log: () => this.log }, { bridge: () => void this.onLegAnswered(leg), refuse: () => void this.attempt.hangup(leg, 'unconfirmed') });
    this.go({ type: 'answered', winner: leg });
    leg.answer();
    this.log.info({ leg: leg.spec.key, legChannel: leg.channelId }, 'leg answered: bridging');
    for (const other of this.attempt.values()) if (other !== leg && !other.ended) void this.attempt.hangup(other, 'answered-elsewhere');
    const { bridgeId, joined } = await joinCallerAndLeg(this.info.channelId, leg, {
      rest: this.deps.rest,
      newId: this.deps.newId,
      log: this.log,
      created: (id) => {
        this.route(id, true);
        this.go({ type: 'bridge-created', bridgeId: id });
      },
      // The phase is 'ended' once the caller left meanwhile.
      stillWanted: () => this.at('bridging') && !leg.ended,
    });
    if (this.at('ended')) {
      // The caller left while we were bridging: the phone that answered is hung up.
      await this.attempt.hangup(leg, 'caller-gone');
      if (bridgeId) void this.destroyBridge(bridgeId);
      return this.attempt.settle({ kind: 'caller-gone', legs: this.attempt.outcomes() });
    }
    if (!joined) {
      // The phone hung up right after answering, or Asterisk refused the bridge.
      await this.attempt.hangup(leg, 'shutdown');
      if (bridgeId) void this.destroyBridge(bridgeId);
      this.go({ type: 'bridge-failed' });
      return this.attempt.settle({ kind: 'failed', legs: this.attempt.outcomes(), reason: 'the answered leg could not be bridged' });
    }
    this.go({ type: 'joined' });
    this.attempt.settle({ kind: 'answered', answeredKey: leg.spec.key, legs: this.attempt.outcomes() });
    // The phone may already have left (hung up or transferred) while the bridge was being made.
    if (leg.ended) this.winnerLeft();
  }

  /** The transfer target took the answering phone's place in our bridge (transfer.ts). */
  private onReplacement(channelId: string): void {
    this.go({ type: 'replaced', channelId });
    this.route(channelId, true);
    this.log.info({ replacement: channelId }, 'transfer: the target took the answering phone\'s place in the bridge');
  }

  private onTargetEvent(channelId: string, ev: CallEvent): void {
    if (!endsTarget(ev)) return;
    if (ev.type === 'destroyed') this.route(channelId, false);
    const from = this.phase;
    const to = this.go({ type: 'target-left' });
    if (from.name !== 'transferred' || to?.name !== 'ended' || !to.end) return;
    // The transfer target hung up: the caller's call is over.
    void this.deps.rest.hangup(this.info.channelId, { reason: 'normal' }).catch(() => undefined);
    this.closeBridge(from.bridgeId, from.winner, to.end);
  }

  private callerLeft(ev: 'caller-hangup' | 'caller-left-stasis'): void {
    const from = this.phase;
    const to = this.go({ type: ev });
    if (!to) return;
    this.log.info({ by: callerLeftBy(from, ev) }, 'caller left');
    if (!winnerOf(from)) return this.cancelRinging('caller-gone');
    // Bridging: onLegAnswered cleans up. Ended: the bridge is already over.
    if (from.name !== 'bridged' && from.name !== 'transferred') return;
    if (to.name !== 'ended' || !to.end) return;
    // Bridged: a transfer hands the caller on, the phone drops out by itself; a hangup ends the call.
    if (from.name === 'transferred') void this.deps.rest.hangup(from.replacement, { reason: 'normal' }).catch(() => undefined);
    else if (to.end.by !== 'transfer') void this.attempt.hangup(from.winner, 'caller-gone');
    this.closeBridge(from.bridgeId, from.winner, to.end);
  }

  /** The answering phone hung up or left: while bridged (and not transferred) the call is over. */
  private winnerLeft(): void {
    const from = this.phase;
    const to = this.go({ type: 'winner-left' });
    if (from.name !== 'bridged' || to?.name !== 'ended' || !to.end) return;
    if (to.end.by !== 'transfer') void this.deps.rest.hangup(this.info.channelId, { reason: 'normal' }).catch(() => undefined);
    this.closeBridge(from.bridgeId, from.winner, to.end);
  }

  /**
   * The bridge is over: destroy it and tell the session how it ended. Once per bridge: only the
   * one transition out of 'bridged' or 'transferred' leads here (a second DELETE was one REST
   * request in eight on a real Asterisk, answered 404/409).
   */
  private closeBridge(bridgeId: string, winner: AriLeg, end: BridgeEnd): void {
    void this.destroyBridge(bridgeId);
    winner.hungUp();
    this.bridgeEnded(end);
  }

  private async destroyBridge(id: string): Promise<void> {
    await this.deps.rest.destroyBridge(id).catch((err) => this.log.warn({ err: (err as Error).message, bridge: id }, 'bridge destroy failed'));
  }

  private cancelRinging(why: 'timeout' | 'caller-gone'): void {
    this.attempt.cancel(why, winnerOf(this.phase), () => this.checkAttempt());
  }

  /** Settle the attempt once every leg has ended (a winner settles it itself, once bridged). */
  private checkAttempt(): void {
    if (!winnerOf(this.phase)) this.attempt.settleIfAllEnded(this.callerGone);
  }

  waitBridgeEnd(): Promise<BridgeEnd> {
    return this.bridgeEnd;
  }

  async voicemail(mailbox: string): Promise<void> {
    // Before the request: the caller's StasisEnd can arrive before its answer.
    this.go({ type: 'sent-on' });
    await this.deps.rest.continueInDialplan(this.info.channelId, this.deps.voicemailContext, mailbox, 1);
  }

  async hangup(reason: 'no-route' | 'normal' | 'rejected'): Promise<void> {
    this.go({ type: 'sent-on' });
    // Q.850 3 "no route to destination" for a call nobody can take; 21 "call rejected" for a blocked caller.
    await this.deps.rest.hangup(this.info.channelId, reason === 'no-route' ? { reasonCode: 3 } : reason === 'rejected' ? { reasonCode: 21 } : { reason: 'normal' });
  }

  /** Our ids on Asterisk, kept in the store so a restarted controller can find this call again. */
  snapshot(): AsteriskSnapshot {
    const p = this.phase;
    return snapshotOf(this.attempt.values(), winnerOf(p), p.name === 'ringing' ? null : p.bridgeId);
  }

  /** After a WebSocket gap: settle what happened meanwhile (recovery.ts decides, this carries it out). */
  resync(live: ReadonlyMap<string, { state?: string }>, inApp: ReadonlySet<string>, takenAt: number): void {
    const view = { callerId: this.info.channelId, createdAt: this.createdAt, transferring: transferToOf(this.phase) !== null, winner: winnerOf(this.phase), legs: this.attempt.values() };
    for (const a of resyncActions(view, live, inApp, takenAt)) {
      if (a.do === 'caller-left') this.callerLeft('caller-hangup');
      else if (a.do === 'winner-gone') {
        winnerOf(this.phase)?.destroyed(null);
        this.winnerLeft();
      } else if (a.do === 'leg-ended') a.leg.fail(a.result, null, 'ended while the event connection was down');
      else if (a.do === 'leg-answered') {
        this.log.info({ leg: a.leg.spec.key }, 'leg answered while the event connection was down');
        void this.onLegAnswered(a.leg);
      } else if (a.do === 'leg-ringing') this.log.debug({ leg: a.leg.spec.key, state: a.state, inApp: a.inApp }, 'leg still ringing after resync');
      else this.checkAttempt();
    }
  }

  /** Take over a call a previous controller left (restart) from its stored snapshot. */
  adopt(snap: AsteriskSnapshot, phase: 'ringing' | 'bridged' | 'final', live: ReadonlyMap<string, unknown>): void {
    // The previous controller was sending the caller on: its StasisEnd is no hangup.
    if (phase === 'final') this.go({ type: 'sent-on' });
    const plan = adoption(snap, phase, live);
    if (plan.kind === 'bridged') {
      this.go({ type: 'adopted', winner: plan.winner, bridgeId: plan.bridgeId });
      this.route(plan.winner.channelId, true);
      this.route(plan.bridgeId, true);
      if (plan.winnerGone) this.winnerLeft();
      return;
    }
    for (const id of plan.hangup) void this.deps.rest.hangup(id, { reason: 'normal' }).catch(() => undefined);
    if (plan.destroyBridge) void this.deps.rest.destroyBridge(plan.destroyBridge).catch(() => undefined);
  }

  setLogContext(bindings: Record<string, string>): void {
    this.log = this.deps.log.child(bindings);
  }

  /** Stop routing this call's events; called by the backend when the session is over. */
  dispose(): void {
    for (const id of this.routed) this.deps.register(id, null);
    this.routed.clear();
  }
}
