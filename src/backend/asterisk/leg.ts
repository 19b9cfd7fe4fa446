/** One originated leg on Asterisk and what is known of it so far. */
import type { LegOutcome, LegSpec } from '../../call/contract.js';
import type { LegResult } from '../../call/record.js';
import { classifyLegEnd, reportedCause, type OurHangup } from './classify.js';
import type { CallEvent } from './decode.js';

/** A confirming leg's wait for its key (confirm.ts), as the leg sees it. */
export interface KeyWait {
  onEvent(ev: CallEvent): void;
  stop(): Promise<void>;
}

export class AriLeg {
  readonly startedAt = new Date().toISOString();
  dialstatus: string | null = null;
  cause: number | null = null;
  ours: OurHangup | null = null;
  wasOriginated = false;
  /** performance.now() when the originate succeeded: a PBX snapshot taken before it cannot know the leg. */
  originatedAt = Infinity;
  ended = false;
  /** ChannelDestroyed seen: the channel no longer exists. */
  gone = false;
  /** We asked Asterisk to hang it up (once is enough). */
  hangupSent = false;
  /** Section 8: the leg answered and waits for its key (null: not confirming, or not yet answered). */
  confirmation: KeyWait | null = null;
  /** The confirming leg pressed its key: it may be bridged now. */
  confirmed = false;
  private answeredAt: string | undefined;
  private endedAt: string | undefined;
  private result: LegResult | null = null;
  private failure: string | null = null;

  constructor(
    readonly spec: LegSpec,
    readonly channelId: string,
  ) {}

  /** The originate request succeeded: the channel exists. */
  originated(): void {
    this.wasOriginated = true;
    this.originatedAt = performance.now();
  }

  /** Answered and waiting for its key: not bridged, and not hung up when the ring time is over. */
  get confirming(): boolean {
    return this.confirmation !== null && !this.confirmed && !this.ended;
  }

  /** The leg answered and is the one bridged. */
  answer(): void {
    this.answeredAt = new Date().toISOString();
    this.result = 'answered';
  }

  /** The bridged leg's call is over. */
  hungUp(): void {
    this.endedAt ??= new Date().toISOString();
    this.ended = true;
  }

  /** ChannelDestroyed: the leg is gone; its result follows from what we saw. */
  destroyed(cause: number | null): void {
    if (cause !== null && cause > 0) this.cause = cause;
    this.ended = true;
    this.gone = true;
    this.endedAt = new Date().toISOString();
    // A confirming leg that hung up by itself did not confirm (section 8).
    const unconfirmed = this.confirmation !== null && !this.confirmed && this.ours === null;
    this.result ??= unconfirmed ? 'unconfirmed' : classifyLegEnd({ ours: this.ours, dialstatus: this.dialstatus, cause: this.cause });
    void this.confirmation?.stop();
  }

  /** The leg ended without a channel event (originate error, or its end was never reported). */
  fail(result: LegResult, cause: number | null, why: string): void {
    if (this.ended) return;
    this.ended = true;
    void this.confirmation?.stop();
    this.endedAt = new Date().toISOString();
    this.result = result;
    this.cause = cause;
    this.failure = why;
  }

  /** The leg's record for the call log. */
  outcome(): LegOutcome {
    const cause = reportedCause(this.cause);
    return {
      key: this.spec.key,
      startedAt: this.startedAt,
      result: this.result ?? 'failed',
      cause,
      ...(this.answeredAt ? { answeredAt: this.answeredAt } : {}),
      ...(this.endedAt ? { endedAt: this.endedAt } : {}),
      ...(this.failure ? { detail: this.failure } : {}),
    };
  }
}
