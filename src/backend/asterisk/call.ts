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
import { dialStringFor, safeCallerId } from '../../call/dialstring.js';
import { AriHttpError } from '../../errors.js';
import type { Device } from '../../routing/plan.js';
import type { Logger } from '../../log.js';
import type { AriRest } from './rest.js';
import type { AriEvent } from './events.js';
import { AriLeg } from './leg.js';

export const LEG_APP_ARG = 'switchboard-leg';

/** The ids of one call on Asterisk, as kept in the store. */
export interface AsteriskSnapshot {
  legs: { key: string; channelId: string; user: string | null; device: Device }[];
  winner: { key: string; channelId: string } | null;
  bridgeId: string | null;
}

export interface AsteriskCallDeps {
  rest: AriRest;
  app: string;
  voicemailContext: string;
  templates: { endpoint: string; trunk: string };
  log: Logger;
  /** Route a channel's (and bridge's) events to this call, or stop routing them. */
  register(id: string, call: AsteriskCall | null): void;
  newId(): string;
}

/** Deadline for legs to report their end after we hung them up (their cause goes in the log). */
const LEG_END_GRACE_MS = 3000;

export class AsteriskCall implements CallControl {
  readonly info: InboundCallInfo;
  private gone = false;
  /** performance.now() at creation: reconcile's snapshots taken earlier cannot know this call. */
  readonly createdAt = performance.now();
  /** This call's logger; re-made with the route step as the session moves on. */
  private logger: Logger;
  private hangupRequested = false;
  private leftOnPurpose = false;
  private legs = new Map<string, AriLeg>();
  private attemptDone: ((o: AttemptOutcome) => void) | null = null;
  private winner: AriLeg | null = null;
  private bridgeId: string | null = null;
  /** True once the answered leg and the caller are in one bridge (the attempt settled as answered). */
  private bridged = false;
  private bridgeEnded: ((e: BridgeEnd) => void) | null = null;
  private bridgeEnd: BridgeEnd | null = null;
  private transfer: string | null = null;
  /** After a transfer, the channel Asterisk swapped into our bridge in the answering phone's place. */
  private replacement: string | null = null;

  constructor(
    channel: { id: string; caller?: { number?: string }; dialplan?: { exten?: string } },
    args: string[],
    private readonly deps: AsteriskCallDeps,
  ) {
    // Spec 4: the number called is the first Stasis argument when given, else the dialplan extension.
    const firstArg = typeof args[0] === 'string' && args[0] !== '' ? args[0] : undefined;
    this.logger = deps.log;
    this.info = {
      channelId: channel.id,
      rawCaller: String(channel.caller?.number ?? ''),
      rawCalled: String(firstArg ?? channel.dialplan?.exten ?? ''),
    };
  }

  get callerGone(): boolean {
    return this.gone;
  }

  private get log(): Logger {
    return this.logger;
  }

  async indicateRinging(): Promise<void> {
    await this.deps.rest.ring(this.info.channelId).catch((err) => this.log.debug({ err: (err as Error).message }, 'ring indication failed'));
  }

  ringAttempt(specs: LegSpec[], ringSeconds: number): Promise<AttemptOutcome> {
    if (this.gone) return Promise.resolve({ kind: 'caller-gone', legs: [] });
    const legs = specs.map((spec) => new AriLeg(spec, this.deps.newId()));
    this.legs = new Map(legs.map((l) => [l.channelId, l]));
    const done = new Promise<AttemptOutcome>((resolve) => (this.attemptDone = resolve));
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
    // Only an E.164 number (validated upstream) or nothing: no caller text reaches Asterisk.
    const callerId = safeCallerId(leg.spec.callerId);
    try {
      await this.deps.rest.originate({
        endpoint,
        app: this.deps.app,
        appArgs: LEG_APP_ARG,
        channelId: leg.channelId,
        callerId,
        // Asterisk gives up by itself a little after us, so a lost controller leaks no ringing leg.
        timeout: ringSeconds + 5,
        originator: this.info.channelId,
        // A withheld caller stays withheld on the leg.
        ...(callerId === 'anonymous' ? { variables: { 'CALLERID(pres)': 'prohib' } } : {}),
      });
      leg.originated();
      // The caller may have gone, or someone answered, while the request was in flight.
      if (leg.ended) return;
      if (this.gone) await this.hangupLeg(leg, 'caller-gone');
      else if (this.winner && this.winner !== leg) await this.hangupLeg(leg, 'answered-elsewhere');
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
    const channel = (event.channel ?? event.peer) as { id?: string; state?: string } | undefined;
    const id = event.type === 'Dial' ? (event.peer as { id?: string } | undefined)?.id : channel?.id;
    if (event.type === 'BridgeBlindTransfer' || event.type === 'BridgeAttendedTransfer') return this.onTransfer(event);
    if (id === this.info.channelId) return this.onCallerEvent(event);
    if (event.type === 'StasisStart' && this.isReplacing(event)) return this.onReplacement(id!);
    if (id && id === this.replacement) return this.onReplacementEvent(event);
    const leg = id ? this.legs.get(id) ?? (this.winner?.channelId === id ? this.winner : undefined) : undefined;
    if (leg) this.onLegEvent(leg, event);
  }

  private onCallerEvent(event: AriEvent): void {
    switch (event.type) {
      case 'ChannelHangupRequest':
        this.hangupRequested = true;
        return this.callerLeft('caller');
      case 'ChannelDestroyed':
        return this.callerLeft('caller');
      case 'StasisEnd':
        if (this.leftOnPurpose) return;
        // Without a hangup request the channel left Stasis alive: the answering phone sent it on.
        return this.callerLeft(this.hangupRequested ? 'caller' : this.winner ? 'transfer' : 'caller');
      default:
        return;
    }
  }

  private onLegEvent(leg: AriLeg, event: AriEvent): void {
    switch (event.type) {
      case 'Dial':
        leg.dialstatus = typeof event.dialstatus === 'string' && event.dialstatus !== '' ? event.dialstatus : leg.dialstatus;
        return;
      case 'ChannelHangupRequest':
        if (typeof event.cause === 'number') leg.cause = event.cause;
        return;
      case 'StasisStart':
        return void this.onLegAnswered(leg);
      case 'StasisEnd':
        if (leg === this.winner) return this.onWinnerGone();
        return;
      case 'ChannelDestroyed':
        leg.destroyed(typeof event.cause === 'number' ? event.cause : null);
        this.deps.register(leg.channelId, null);
        if (leg === this.winner) return this.onWinnerGone();
        return this.checkAttempt();
      default:
        return;
    }
  }

  private async onLegAnswered(leg: AriLeg): Promise<void> {
    if (this.gone) return this.hangupLeg(leg, 'caller-gone');
    if (this.winner) return this.hangupLeg(leg, 'answered-elsewhere');
    this.winner = leg;
    leg.answer();
    this.log.info({ leg: leg.spec.key, legChannel: leg.channelId }, 'leg answered: bridging');
    for (const other of this.legs.values()) if (other !== leg && !other.ended) void this.hangupLeg(other, 'answered-elsewhere');
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
      await this.hangupLeg(leg, 'caller-gone');
      void this.destroyBridge();
      return this.settle({ kind: 'caller-gone', legs: this.outcomes() });
    }
    if (!joined) {
      // The phone hung up right after answering, or Asterisk refused the bridge.
      await this.hangupLeg(leg, 'shutdown');
      void this.destroyBridge();
      this.winner = null;
      return this.settle({ kind: 'failed', legs: this.outcomes(), reason: 'the answered leg could not be bridged' });
    }
    this.bridged = true;
    this.settle({ kind: 'answered', answeredKey: leg.spec.key, legs: this.outcomes() });
    // The phone may already have left (hung up or transferred) while the bridge was being made.
    if (leg.ended && !this.replacement) this.onWinnerGone();
  }

  /**
   * A transfer by the answering phone: Asterisk swaps a channel to the transfer target into our
   * bridge in the phone's place, and because the bridge is a Stasis bridge that channel enters our
   * app; its StasisStart carries `replace_channel` = the phone's channel (res/stasis/stasis_bridge.c).
   * The caller stays in our bridge, now talking to the target; the call goes on until one of them
   * hangs up.
   */
  private isReplacing(event: AriEvent): boolean {
    const replaced = (event.replace_channel as { id?: unknown } | undefined)?.id;
    return typeof replaced === 'string' && replaced === this.winner?.channelId;
  }

  private onReplacement(channelId: string): void {
    this.replacement = channelId;
    this.deps.register(channelId, this);
    this.transfer ??= 'transfer';
    this.log.info({ replacement: channelId }, 'transfer: the target took the answering phone\'s place in the bridge');
  }

  private onReplacementEvent(event: AriEvent): void {
    if (event.type !== 'StasisEnd' && event.type !== 'ChannelDestroyed' && event.type !== 'ChannelHangupRequest') return;
    if (event.type === 'ChannelDestroyed') this.deps.register(this.replacement!, null);
    if (this.bridgeEnd) return;
    // The transfer target hung up: the caller's call is over.
    if (!this.gone) void this.deps.rest.hangup(this.info.channelId, { reason: 'normal' }).catch(() => undefined);
    this.leftOnPurpose = true;
    void this.destroyBridge();
    this.finishBridge({ by: 'transfer', transferTo: this.transfer ?? 'transfer' });
  }

  private onTransfer(event: AriEvent): void {
    const bridge = event.bridge as { id?: string } | undefined;
    if (!this.bridgeId || bridge?.id !== this.bridgeId) return;
    const exten = typeof event.exten === 'string' ? event.exten : undefined;
    const context = typeof event.context === 'string' ? event.context : undefined;
    this.transfer = exten ? `${exten}${context ? `@${context}` : ''}` : event.type === 'BridgeAttendedTransfer' ? 'attended transfer' : 'transfer';
    this.log.info({ transfer: this.transfer }, 'answering phone transferred the caller');
  }

  private callerLeft(by: 'caller' | 'transfer'): void {
    if (this.gone) return;
    this.gone = true;
    const transferred = by === 'transfer' || this.transfer !== null;
    this.log.info({ by: transferred ? 'transfer' : 'caller' }, 'caller left');
    if (this.winner && !this.bridged) return; // bridging in progress: onLegAnswered cleans up
    if (this.winner) {
      // Bridged: a transfer hands the caller on, the phone drops out by itself; a hangup ends the call.
      if (this.replacement) void this.deps.rest.hangup(this.replacement, { reason: 'normal' }).catch(() => undefined);
      else if (!transferred) void this.hangupLeg(this.winner, 'caller-gone');
      void this.destroyBridge();
      return this.finishBridge(transferred ? { by: 'transfer', transferTo: this.transfer ?? 'dialplan' } : { by: 'caller' });
    }
    this.cancelRinging('caller-gone');
  }

  private onWinnerGone(): void {
    if (this.bridgeEnd || !this.bridged) return; // before the bridge, onLegAnswered sees leg.ended
    if (this.replacement) return; // transferred: the phone left, the caller talks to the target
    if (!this.gone && !this.transfer) void this.deps.rest.hangup(this.info.channelId, { reason: 'normal' }).catch(() => undefined);
    this.leftOnPurpose = true;
    void this.destroyBridge();
    this.finishBridge(this.transfer ? { by: 'transfer', transferTo: this.transfer } : { by: 'callee' });
  }

  private finishBridge(end: BridgeEnd): void {
    if (this.bridgeEnd) return;
    this.bridgeEnd = end;
    this.winner?.hungUp();
    this.bridgeEnded?.(end);
  }

  private async destroyBridge(): Promise<void> {
    if (!this.bridgeId) return;
    const id = this.bridgeId;
    await this.deps.rest.destroyBridge(id).catch((err) => this.log.warn({ err: (err as Error).message, bridge: id }, 'bridge destroy failed'));
  }

  private cancelRinging(why: 'timeout' | 'caller-gone'): void {
    const cancelled = [...this.legs.values()].filter((leg) => !leg.ended && leg !== this.winner);
    for (const leg of cancelled) void this.hangupLeg(leg, why);
    this.checkAttempt();
    // Legs whose end is never reported (a lost socket) must not hold the call: settle after a grace.
    // Only the legs cancelled here: by then the next step may be ringing legs of its own, which
    // this timer once failed as "cancelled" (found on a real Asterisk: a forwarding number that
    // answered 3 s into its step lost the call to voicemail).
    setTimeout(() => {
      for (const leg of cancelled) if (!leg.ended) leg.fail(leg.ours === 'timeout' ? 'no-answer' : 'cancelled', null, 'end not reported');
      this.checkAttempt();
    }, LEG_END_GRACE_MS).unref();
  }

  private async hangupLeg(leg: AriLeg, why: 'timeout' | 'answered-elsewhere' | 'caller-gone' | 'shutdown'): Promise<void> {
    if (leg.ended) return;
    leg.ours ??= why;
    if (!leg.wasOriginated) return; // the originate response will see `ours` and hang up then
    const reason = why === 'answered-elsewhere' ? 'answered_elsewhere' : 'normal';
    await this.deps.rest.hangup(leg.channelId, { reason }).catch((err) => this.log.warn({ err: (err as Error).message, leg: leg.spec.key }, 'leg hangup failed'));
  }

  /** Settle the attempt once every leg has ended (or the winner was bridged). */
  private checkAttempt(): void {
    if (!this.attemptDone || this.winner) return;
    if ([...this.legs.values()].some((l) => !l.ended)) return;
    const legs = this.outcomes();
    if (this.gone) return this.settle({ kind: 'caller-gone', legs });
    if (legs.length > 0 && legs.every((l) => l.result === 'failed')) return this.settle({ kind: 'failed', legs, reason: 'every originate failed' });
    this.settle({ kind: 'unanswered', legs });
  }

  private settle(outcome: AttemptOutcome): void {
    const done = this.attemptDone;
    this.attemptDone = null;
    done?.(outcome);
  }

  private outcomes() {
    return [...this.legs.values()].map((l) => l.outcome());
  }

  waitBridgeEnd(): Promise<BridgeEnd> {
    if (this.bridgeEnd) return Promise.resolve(this.bridgeEnd);
    return new Promise((resolve) => (this.bridgeEnded = resolve));
  }

  async voicemail(mailbox: string): Promise<void> {
    this.leftOnPurpose = true;
    await this.deps.rest.continueInDialplan(this.info.channelId, this.deps.voicemailContext, mailbox, 1);
  }

  async hangup(reason: 'no-route' | 'normal'): Promise<void> {
    this.leftOnPurpose = true;
    // Q.850 3 "no route to destination" for a call nobody can take.
    await this.deps.rest.hangup(this.info.channelId, reason === 'no-route' ? { reasonCode: 3 } : { reason: 'normal' });
  }

  /** Our ids on Asterisk, kept in the store so a restarted controller can find this call again. */
  snapshot(): AsteriskSnapshot {
    return {
      legs: [...this.legs.values()].map((l) => ({ key: l.spec.key, channelId: l.channelId, user: l.spec.user, device: l.spec.device })),
      winner: this.winner ? { key: this.winner.spec.key, channelId: this.winner.channelId } : null,
      bridgeId: this.bridgeId,
    };
  }

  /**
   * After a WebSocket gap, events were lost (Asterisk does not replay them: trace g). Compare with
   * what Asterisk holds now: legs that vanished have ended, a leg that is Up in our app answered,
   * a caller that vanished hung up. `takenAt` is when the snapshot was asked for: a call or leg
   * that came into being after it is simply not in it, and is left alone.
   */
  resync(live: ReadonlyMap<string, { state?: string }>, inApp: ReadonlySet<string>, takenAt: number): void {
    if (this.createdAt > takenAt) return;
    if (!live.has(this.info.channelId)) return this.callerLeft(this.transfer ? 'transfer' : 'caller');
    if (this.winner) {
      if (!live.has(this.winner.channelId)) {
        this.winner.destroyed(null);
        this.onWinnerGone();
      }
      return;
    }
    for (const leg of this.legs.values()) {
      if (leg.ended || !leg.wasOriginated || leg.originatedAt > takenAt) continue;
      const ch = live.get(leg.channelId);
      if (!ch) leg.fail(leg.ours === 'timeout' ? 'no-answer' : leg.ours ? 'cancelled' : 'failed', null, 'ended while the event connection was down');
      else if (ch.state === 'Up' && inApp.has(leg.channelId)) {
        this.log.info({ leg: leg.spec.key }, 'leg answered while the event connection was down');
        void this.onLegAnswered(leg);
      } else this.log.debug({ leg: leg.spec.key, state: ch.state, inApp: inApp.has(leg.channelId) }, 'leg still ringing after resync');
    }
    this.checkAttempt();
  }

  /**
   * Take over a call a previous controller left (restart) from its stored snapshot: a bridged call
   * is tracked to its end; a ringing call's legs are hung up so the session can take the final action.
   */
  adopt(snap: AsteriskSnapshot, phase: 'ringing' | 'bridged' | 'final', live: ReadonlyMap<string, unknown>): void {
    this.leftOnPurpose = phase === 'final';
    if (phase === 'bridged' && snap.winner && snap.bridgeId) {
      const winner = new AriLeg({ key: snap.winner.key, user: null, device: 'desk', rule: 'number-user', callerId: null }, snap.winner.channelId);
      winner.originated();
      winner.answer();
      this.winner = winner;
      this.bridgeId = snap.bridgeId;
      this.bridged = true;
      this.deps.register(winner.channelId, this);
      this.deps.register(snap.bridgeId, this);
      if (!live.has(winner.channelId)) this.onWinnerGone();
      return;
    }
    for (const leg of snap.legs) if (live.has(leg.channelId)) void this.deps.rest.hangup(leg.channelId, { reason: 'normal' }).catch(() => undefined);
    if (snap.bridgeId) void this.deps.rest.destroyBridge(snap.bridgeId).catch(() => undefined);
  }

  setLogContext(bindings: Record<string, string>): void {
    this.logger = this.deps.log.child(bindings);
  }

  /** Stop routing this call's events; called by the backend when the session is over. */
  dispose(): void {
    this.deps.register(this.info.channelId, null);
    if (this.bridgeId) this.deps.register(this.bridgeId, null);
    for (const leg of this.legs.values()) this.deps.register(leg.channelId, null);
  }
}
