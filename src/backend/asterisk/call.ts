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
import { dialStringFor } from '../../call/dialstring.js';
import { AriHttpError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { AriEvent } from './events.js';
import { AriLeg } from './leg.js';
import { decodeEvent, type CallEvent } from './decode.js';
import { adoption, resyncActions, snapshotOf, type AsteriskSnapshot } from './recovery.js';
import { TransferTracker } from './transfer.js';
import { AttemptLegs, originateParams } from './attempt.js';
import { holdForKey } from './confirm.js';
import { presentationRestricted } from './caller-id.js';
import type { AsteriskCallDeps as Deps } from './call-deps.js';

export type { AsteriskSnapshot } from './recovery.js';
export const LEG_APP_ARG = 'switchboard-leg';

export class AsteriskCall implements CallControl {
  readonly info: InboundCallInfo;
  private gone = false;
  /** performance.now() at creation: reconcile's snapshots taken earlier cannot know this call. */
  readonly createdAt = performance.now();
  /** This call's logger; re-made with the route step as the session moves on. */
  private log: Logger;
  private hangupRequested = false;
  private leftOnPurpose = false;
  private readonly attempt: AttemptLegs;
  private winner: AriLeg | null = null;
  private bridgeId: string | null = null;
  /** True once the answered leg and the caller are in one bridge (the attempt settled as answered). */
  private bridged = false;
  private bridgeDestroyed = false;
  private bridgeEnded: ((e: BridgeEnd) => void) | null = null;
  private bridgeEnd: BridgeEnd | null = null;
  /** What is known of a transfer by the answering phone (where to, who replaced the phone). */
  private readonly transfers = new TransferTracker();

  constructor(
    channel: { id: string; caller?: { number?: string }; dialplan?: { exten?: string } },
    args: string[],
    private readonly deps: Deps<AsteriskCall>,
  ) {
    // Spec 4: the number called is the first Stasis argument when given, else the dialplan extension.
    const firstArg = typeof args[0] === 'string' && args[0] !== '' ? args[0] : undefined;
    this.log = deps.log;
    this.attempt = new AttemptLegs(deps.rest, () => this.log);
    this.info = {
      channelId: channel.id,
      rawCaller: String(channel.caller?.number ?? ''),
      rawCalled: String(firstArg ?? channel.dialplan?.exten ?? ''),
      presentationRestricted: presentationRestricted(args),
    };
  }

  get callerGone(): boolean {
    return this.gone;
  }

  async indicateRinging(): Promise<void> {
    await this.deps.rest.ring(this.info.channelId).catch((err) => this.log.debug({ err: (err as Error).message }, 'ring indication failed'));
  }

  ringAttempt(specs: LegSpec[], ringSeconds: number): Promise<AttemptOutcome> {
    if (this.gone) return Promise.resolve({ kind: 'caller-gone', legs: [] });
    const legs = specs.map((spec) => new AriLeg(spec, this.deps.newId()));
    const done = this.attempt.begin(legs);
    const timer = setTimeout(() => this.cancelRinging('timeout'), ringSeconds * 1000);
    for (const leg of legs) {
      this.deps.register(leg.channelId, this);
      void this.originate(leg, ringSeconds);
    }
    return done.finally(() => clearTimeout(timer));
  }

  private async originate(leg: AriLeg, ringSeconds: number): Promise<void> {
    let endpoint: string;
    try {
      endpoint = dialStringFor(leg.spec, this.deps.templates);
    } catch (err) {
      leg.fail('failed', null, (err as Error).message);
      return this.checkAttempt();
    }
    try {
      await this.deps.rest.originate(originateParams(leg, { endpoint, app: this.deps.app, appArgs: LEG_APP_ARG, ringSeconds, originator: this.info.channelId }));
      leg.originated();
      // The caller may have gone, or someone answered, while the request was in flight.
      if (leg.ended) return;
      if (this.gone) await this.attempt.hangup(leg, 'caller-gone');
      else if (this.winner && this.winner !== leg) await this.attempt.hangup(leg, 'answered-elsewhere');
    } catch (err) {
      // Asterisk answers an originate to an unregistered or unknown endpoint with HTTP 500
      // "Allocation failed" and creates no channel (trace d2): unreachable, no cause.
      const unreachable = err instanceof AriHttpError && err.status === 500;
      leg.fail(unreachable ? 'unreachable' : 'failed', null, (err as Error).message);
      this.deps.register(leg.channelId, null);
      this.log.info({ leg: leg.spec.key, endpoint, err: (err as Error).message }, 'originate failed');
      this.checkAttempt();
    }
  }

  /** Every ARI event about our caller channel, one of our legs, or our bridge. */
  onEvent(event: AriEvent): void {
    const ev = decodeEvent(event);
    if (ev.type === 'ignored') return;
    if (ev.type === 'transfer') {
      if (this.transfers.noteTransfer(ev, this.bridgeId)) this.log.info({ transfer: this.transfers.to }, 'answering phone transferred the caller');
      return;
    }
    const id = ev.channelId;
    if (id === this.info.channelId) return this.onCallerEvent(ev);
    if (this.transfers.takesPlaceOf(ev, this.winner?.channelId)) return this.onReplacement(id);
    if (id === this.transfers.replacement) return this.onReplacementEvent(ev);
    const leg = this.attempt.get(id) ?? (this.winner?.channelId === id ? this.winner : undefined);
    if (leg) this.onLegEvent(leg, ev);
  }

  private onCallerEvent(ev: CallEvent): void {
    switch (ev.type) {
      case 'hangup-request':
        this.hangupRequested = true;
        return this.callerLeft('caller');
      case 'destroyed':
        return this.callerLeft('caller');
      case 'stasis-end':
        if (this.leftOnPurpose) return;
        // Without a hangup request the channel left Stasis alive: the answering phone sent it on.
        return this.callerLeft(this.hangupRequested ? 'caller' : this.winner ? 'transfer' : 'caller');
      default:
        return;
    }
  }

  private onLegEvent(leg: AriLeg, ev: CallEvent): void {
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
        if (leg === this.winner) return this.onWinnerGone();
        return;
      case 'destroyed':
        leg.destroyed(ev.cause);
        this.deps.register(leg.channelId, null);
        if (leg === this.winner) return this.onWinnerGone();
        return this.checkAttempt();
      default:
        return;
    }
  }

  private async onLegAnswered(leg: AriLeg): Promise<void> {
    if (this.gone) return this.attempt.hangup(leg, 'caller-gone');
    if (this.winner) return this.attempt.hangup(leg, 'answered-elsewhere');
    // Section 8: a leg that must confirm stays in Stasis until its key; the caller keeps ringing.
    if (leg.spec.confirm && !leg.confirmed) return holdForKey(leg, { ...this.deps, log: () => this.log }, { bridge: () => void this.onLegAnswered(leg), refuse: () => void this.attempt.hangup(leg, 'unconfirmed') });
    this.winner = leg;
    leg.answer();
    this.log.info({ leg: leg.spec.key, legChannel: leg.channelId }, 'leg answered: bridging');
    for (const other of this.attempt.values()) if (other !== leg && !other.ended) void this.attempt.hangup(other, 'answered-elsewhere');
    // Each step awaits Asterisk; the caller (or the phone) may hang up in between. After every
    // step the state is checked again, and whoever is left is cleaned up here, in one place.
    let joined = false;
    try {
      // Answer the caller only now: the caller is billed from the moment someone picks up.
      await this.deps.rest.answer(this.info.channelId);
      if (!this.gone && !leg.ended) {
        this.bridgeId = this.deps.newId();
        this.deps.register(this.bridgeId, this);
        await this.deps.rest.createBridge(this.bridgeId, `call-${this.info.channelId}`);
      }
      if (!this.gone && !leg.ended) {
        await this.deps.rest.addChannels(this.bridgeId!, [this.info.channelId, leg.channelId]);
        joined = true;
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'bridging failed');
    }
    if (this.gone) {
      // The caller left while we were bridging: the phone that answered is hung up.
      await this.attempt.hangup(leg, 'caller-gone');
      void this.destroyBridge();
      return this.attempt.settle({ kind: 'caller-gone', legs: this.attempt.outcomes() });
    }
    if (!joined) {
      // The phone hung up right after answering, or Asterisk refused the bridge.
      await this.attempt.hangup(leg, 'shutdown');
      void this.destroyBridge();
      this.winner = null;
      return this.attempt.settle({ kind: 'failed', legs: this.attempt.outcomes(), reason: 'the answered leg could not be bridged' });
    }
    this.bridged = true;
    this.attempt.settle({ kind: 'answered', answeredKey: leg.spec.key, legs: this.attempt.outcomes() });
    // The phone may already have left (hung up or transferred) while the bridge was being made.
    if (leg.ended && !this.transfers.replacement) this.onWinnerGone();
  }

  /** The transfer target took the answering phone's place in our bridge (transfer.ts). */
  private onReplacement(channelId: string): void {
    this.transfers.replacedBy(channelId);
    this.deps.register(channelId, this);
    this.log.info({ replacement: channelId }, 'transfer: the target took the answering phone\'s place in the bridge');
  }

  private onReplacementEvent(ev: CallEvent): void {
    if (!TransferTracker.ends(ev)) return;
    if (ev.type === 'destroyed') this.deps.register(this.transfers.replacement!, null);
    if (this.bridgeEnd) return;
    // The transfer target hung up: the caller's call is over.
    if (!this.gone) void this.deps.rest.hangup(this.info.channelId, { reason: 'normal' }).catch(() => undefined);
    this.leftOnPurpose = true;
    void this.destroyBridge();
    this.finishBridge({ by: 'transfer', transferTo: this.transfers.to ?? 'transfer' });
  }

  private callerLeft(by: 'caller' | 'transfer'): void {
    if (this.gone) return;
    this.gone = true;
    const transferred = by === 'transfer' || this.transfers.to !== null;
    this.log.info({ by: transferred ? 'transfer' : 'caller' }, 'caller left');
    if (this.winner && !this.bridged) return; // bridging in progress: onLegAnswered cleans up
    if (this.winner) {
      // Bridged: a transfer hands the caller on, the phone drops out by itself; a hangup ends the call.
      if (this.transfers.replacement) void this.deps.rest.hangup(this.transfers.replacement, { reason: 'normal' }).catch(() => undefined);
      else if (!transferred) void this.attempt.hangup(this.winner, 'caller-gone');
      void this.destroyBridge();
      return this.finishBridge(transferred ? { by: 'transfer', transferTo: this.transfers.to ?? 'dialplan' } : { by: 'caller' });
    }
    this.cancelRinging('caller-gone');
  }

  private onWinnerGone(): void {
    if (this.bridgeEnd || !this.bridged) return; // before the bridge, onLegAnswered sees leg.ended
    if (this.transfers.replacement) return; // transferred: the phone left, the caller talks to the target
    if (!this.gone && !this.transfers.to) void this.deps.rest.hangup(this.info.channelId, { reason: 'normal' }).catch(() => undefined);
    this.leftOnPurpose = true;
    void this.destroyBridge();
    this.finishBridge(this.transfers.to ? { by: 'transfer', transferTo: this.transfers.to } : { by: 'callee' });
  }

  private finishBridge(end: BridgeEnd): void {
    if (this.bridgeEnd) return;
    this.bridgeEnd = end;
    this.winner?.hungUp();
    this.bridgeEnded?.(end);
  }

  private async destroyBridge(): Promise<void> {
    // Once per call: the phone's hang-up and then the caller's StasisEnd both end the bridge, and
    // a second DELETE was one REST request in eight on a real Asterisk (answered 404/409).
    if (!this.bridgeId || this.bridgeDestroyed) return;
    this.bridgeDestroyed = true;
    const id = this.bridgeId;
    await this.deps.rest.destroyBridge(id).catch((err) => this.log.warn({ err: (err as Error).message, bridge: id }, 'bridge destroy failed'));
  }

  private cancelRinging(why: 'timeout' | 'caller-gone'): void {
    this.attempt.cancel(why, this.winner, () => this.checkAttempt());
  }

  /** Settle the attempt once every leg has ended (a winner settles it itself, once bridged). */
  private checkAttempt(): void {
    if (!this.winner) this.attempt.settleIfAllEnded(this.gone);
  }

  waitBridgeEnd(): Promise<BridgeEnd> {
    if (this.bridgeEnd) return Promise.resolve(this.bridgeEnd);
    return new Promise((resolve) => (this.bridgeEnded = resolve));
  }

  async voicemail(mailbox: string): Promise<void> {
    this.leftOnPurpose = true;
    await this.deps.rest.continueInDialplan(this.info.channelId, this.deps.voicemailContext, mailbox, 1);
  }

  async hangup(reason: 'no-route' | 'normal' | 'rejected'): Promise<void> {
    this.leftOnPurpose = true;
    // Q.850 3 "no route to destination" for a call nobody can take; 21 "call rejected" for a blocked caller.
    await this.deps.rest.hangup(this.info.channelId, reason === 'no-route' ? { reasonCode: 3 } : reason === 'rejected' ? { reasonCode: 21 } : { reason: 'normal' });
  }

  /** Our ids on Asterisk, kept in the store so a restarted controller can find this call again. */
  snapshot(): AsteriskSnapshot {
    return snapshotOf(this.attempt.values(), this.winner, this.bridgeId);
  }

  /** After a WebSocket gap: settle what happened meanwhile (recovery.ts decides, this carries it out). */
  resync(live: ReadonlyMap<string, { state?: string }>, inApp: ReadonlySet<string>, takenAt: number): void {
    const view = { callerId: this.info.channelId, createdAt: this.createdAt, transferring: this.transfers.to !== null, winner: this.winner, legs: this.attempt.values() };
    for (const a of resyncActions(view, live, inApp, takenAt)) {
      if (a.do === 'caller-left') this.callerLeft(a.by);
      else if (a.do === 'winner-gone') {
        this.winner!.destroyed(null);
        this.onWinnerGone();
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
    this.leftOnPurpose = phase === 'final';
    const plan = adoption(snap, phase, live);
    if (plan.kind === 'bridged') {
      this.winner = plan.winner;
      this.bridgeId = plan.bridgeId;
      this.bridged = true;
      this.deps.register(plan.winner.channelId, this);
      this.deps.register(plan.bridgeId, this);
      if (plan.winnerGone) this.onWinnerGone();
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
    this.deps.register(this.info.channelId, null);
    if (this.bridgeId) this.deps.register(this.bridgeId, null);
    for (const leg of this.attempt.values()) this.deps.register(leg.channelId, null);
  }
}

