/**
 * The legs of one ring attempt on Asterisk and the attempt's settling: which legs exist, hanging
 * them up with the right reason, the outcome once every leg has ended. The call (call.ts) decides
 * when; this keeps the bookkeeping in one place.
 */
import { ariCallerId } from './caller-id.js';
import type { AttemptOutcome, LegOutcome } from '../../call/contract.js';
import { dialStringFor, safeCallerId } from '../../call/dialstring.js';
import { AriHttpError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { AriRest, OriginateParams } from './rest.js';
import type { AriLeg } from './leg.js';

/** Deadline for legs to report their end after we hung them up (their cause goes in the log). */
const LEG_END_GRACE_MS = 3000;

/** Why we hang a leg up (its result follows from it: classify.ts). */
export type LegHangup = 'timeout' | 'answered-elsewhere' | 'caller-gone' | 'shutdown' | 'unconfirmed';

/** The originate of a leg into our app: only config and validated values reach Asterisk. */
export function originateParams(leg: AriLeg, o: { endpoint: string; app: string; appArgs: string; ringSeconds: number; originator: string }): OriginateParams {
  // Only an E.164 number (validated upstream) or nothing: no caller text reaches Asterisk.
  const callerId = safeCallerId(leg.spec.callerId);
  return {
    endpoint: o.endpoint,
    app: o.app,
    appArgs: o.appArgs,
    channelId: leg.channelId,
    // The label (section 9) as the caller ID name: `"name" <number>` (see caller-id.ts).
    callerId: ariCallerId(leg.spec.callerName ?? null, callerId),
    // Asterisk gives up by itself a little after us, so a lost controller leaks no ringing leg.
    timeout: o.ringSeconds + 5,
    originator: o.originator,
    // A withheld caller stays withheld on the leg.
    ...(callerId === 'anonymous' ? { variables: { 'CALLERID(pres)': 'prohib' } } : {}),
  };
}

export class AttemptLegs {
  private legs = new Map<string, AriLeg>();
  private done: ((o: AttemptOutcome) => void) | null = null;

  constructor(
    private readonly rest: AriRest,
    private readonly log: () => Logger,
  ) {}

  /** A new attempt ringing `legs`; resolves when it is settled. */
  begin(legs: AriLeg[]): Promise<AttemptOutcome> {
    this.legs = new Map(legs.map((l) => [l.channelId, l]));
    return new Promise<AttemptOutcome>((resolve) => (this.done = resolve));
  }

  get(channelId: string): AriLeg | undefined {
    return this.legs.get(channelId);
  }

  values(): IterableIterator<AriLeg> {
    return this.legs.values();
  }

  outcomes(): LegOutcome[] {
    return [...this.legs.values()].map((l) => l.outcome());
  }

  settle(outcome: AttemptOutcome): void {
    const done = this.done;
    this.done = null;
    done?.(outcome);
  }

  /** Settle once every leg has ended: caller gone, every originate failed, or unanswered. */
  settleIfAllEnded(callerGone: boolean): void {
    if (!this.done || [...this.legs.values()].some((l) => !l.ended)) return;
    const legs = this.outcomes();
    if (callerGone) return this.settle({ kind: 'caller-gone', legs });
    if (legs.length > 0 && legs.every((l) => l.result === 'failed')) return this.settle({ kind: 'failed', legs, reason: 'every originate failed' });
    this.settle({ kind: 'unanswered', legs });
  }

  /**
   * Originate `leg` into our app. Once its channel exists, `unwanted()` says whether it must go at
   * once (the caller left, or another leg answered, while the request was in flight); `failed`
   * runs when no channel came of it.
   */
  async originate(leg: AriLeg, o: { templates: { endpoint: string; trunk: string }; app: string; appArgs: string; ringSeconds: number; originator: string }, unwanted: () => LegHangup | null, failed: () => void): Promise<void> {
    let endpoint: string;
    try {
      endpoint = dialStringFor(leg.spec, o.templates);
    } catch (err) {
      leg.fail('failed', null, (err as Error).message);
      return failed();
    }
    try {
      await this.rest.originate(originateParams(leg, { endpoint, ...o }));
      leg.originated();
      if (leg.ended) return;
      const why = unwanted();
      if (why) await this.hangup(leg, why);
    } catch (err) {
      // Asterisk answers an originate to an unregistered or unknown endpoint with HTTP 500
      // "Allocation failed" and creates no channel (trace d2): unreachable, no cause.
      const unreachable = err instanceof AriHttpError && err.status === 500;
      leg.fail(unreachable ? 'unreachable' : 'failed', null, (err as Error).message);
      this.log().info({ leg: leg.spec.key, endpoint, err: (err as Error).message }, 'originate failed');
      failed();
    }
  }

  async hangup(leg: AriLeg, why: LegHangup): Promise<void> {
    leg.ours ??= why;
    if (!leg.wasOriginated) return; // the originate response will see `ours` and hang up then
    // Not `leg.ended`: a leg given up as "end not reported" (the grace below) may still exist and
    // answer later; only a leg Asterisk said is gone, or one we already hung up, is left alone.
    // (The soak found such a leg left up in Stasis, answered, after its call had ended.)
    if (leg.gone || leg.hangupSent) return;
    leg.hangupSent = true;
    const reason = why === 'answered-elsewhere' ? 'answered_elsewhere' : 'normal';
    await this.rest.hangup(leg.channelId, { reason }).catch((err) => this.log().warn({ err: (err as Error).message, leg: leg.spec.key }, 'leg hangup failed'));
  }

  /**
   * The ring time is over or the caller left: hang up every leg still ringing but the winner. A
   * leg that answered and is confirming keeps its own time past the ring time (section 8).
   */
  cancel(why: 'timeout' | 'caller-gone', winner: AriLeg | null, recheck: () => void): void {
    const cancelled = [...this.legs.values()].filter((leg) => !leg.ended && leg !== winner && !(why === 'timeout' && leg.confirming));
    for (const leg of cancelled) void this.hangup(leg, why);
    recheck();
    // Legs whose end is never reported (a lost socket) must not hold the call: settle after a grace.
    // Only the legs cancelled here: by then the next step may be ringing legs of its own, which
    // this timer once failed as "cancelled" (found on a real Asterisk: a forwarding number that
    // answered 3 s into its step lost the call to voicemail).
    setTimeout(() => {
      for (const leg of cancelled) if (!leg.ended) leg.fail(leg.ours === 'timeout' ? 'no-answer' : 'cancelled', null, 'end not reported');
      recheck();
    }, LEG_END_GRACE_MS).unref();
  }
}
