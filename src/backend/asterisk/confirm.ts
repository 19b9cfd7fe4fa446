/**
 * Press-1 confirmation of one answered outside leg on Asterisk (spec section 8). The leg answered
 * into our Stasis app (StasisStart) and stays there, in no bridge, while the caller is not
 * answered and keeps hearing ringing. The leg hears the prompt (`POST /channels/{id}/play`),
 * started again every 2 s; keys come as ChannelDtmfReceived, one event per key at its end.
 *
 * Why the prompt is started again from PlaybackFinished and not from a bare 2-s timer: ARI runs a
 * channel's playbacks and its bridge join one after the other on the channel's control queue, so
 * prompts started faster than they end would pile up and hold the bridge back once the key comes.
 * At most one playback is running; the next one starts 2 s after the last one started, or when it
 * ends if it is longer. The running one is stopped before the leg is bridged.
 */
import { PROMPT_REPEAT_MS, type ConfirmSpec } from '../../config/confirm.js';
import type { Logger } from '../../log.js';
import type { AriRest } from './rest.js';
import type { CallEvent } from './decode.js';
import type { AriLeg } from './leg.js';

type Deps = { rest: AriRest; newId: () => string; log: () => Logger };

/**
 * Start confirming an answered leg (once): `bridge` once its key came and the prompt is stopped,
 * `refuse` for another key or silence (the leg is then hung up, result `unconfirmed`).
 */
export function holdForKey(leg: AriLeg, deps: Deps, then: { bridge: () => void; refuse: () => void }): void {
  if (leg.confirmation || !leg.spec.confirm) return;
  deps.log().info({ leg: leg.spec.key }, 'outside leg answered: waiting for its confirmation key');
  leg.confirmation = new LegConfirmation(leg.channelId, leg.spec.confirm, deps, (r) => {
    deps.log().info({ leg: leg.spec.key, result: r }, r === 'confirmed' ? 'leg confirmed: bridging' : 'leg did not confirm: hanging it up');
    if (r !== 'confirmed') return then.refuse();
    leg.confirmed = true;
    void leg.confirmation!.stop().then(then.bridge);
  });
}

export type ConfirmResult = 'confirmed' | 'wrong-key' | 'timeout';

/** The ARI media of a prompt: `beep` is Asterisk's core sound `beep`, any other name that sound file. */
export function promptMedia(prompt: string): string {
  return `sound:${prompt}`;
}

export class LegConfirmation {
  private playing: string | null = null;
  private due = false;
  private over = false;
  private readonly repeat: NodeJS.Timeout;
  private readonly deadline: NodeJS.Timeout;

  constructor(
    private readonly channelId: string,
    private readonly spec: ConfirmSpec,
    private readonly deps: Deps,
    private readonly done: (r: ConfirmResult) => void,
  ) {
    this.repeat = setInterval(() => (this.playing ? (this.due = true) : this.play()), PROMPT_REPEAT_MS);
    // The leg's own time, counted from its answer: it may run past the step's ring time.
    this.deadline = setTimeout(() => this.finish('timeout'), spec.seconds * 1000);
    this.play();
  }

  /** The leg's key and playback events. */
  onEvent(ev: CallEvent): void {
    if (ev.type === 'dtmf') this.key(ev.digit);
    else if (ev.type === 'playback-finished') this.playbackFinished(ev.playbackId);
  }

  /** A key on the leg: the right one confirms it, any other ends it. */
  key(digit: string): void {
    this.finish(digit === this.spec.key ? 'confirmed' : 'wrong-key');
  }

  /** A playback on the leg is over: start the prompt again if its 2 s are up. */
  playbackFinished(playbackId: string): void {
    if (playbackId !== this.playing) return;
    this.playing = null;
    if (this.due && !this.over) this.play();
  }

  /** Stop everything (the leg is gone, or is being bridged): no timer, no prompt left running. */
  async stop(): Promise<void> {
    this.over = true;
    clearInterval(this.repeat);
    clearTimeout(this.deadline);
    const id = this.playing;
    this.playing = null;
    if (id) await this.deps.rest.stopPlayback(id).catch((err) => this.deps.log().debug({ err: (err as Error).message }, 'prompt stop failed'));
  }

  private play(): void {
    if (this.over) return;
    this.due = false;
    const id = this.deps.newId();
    this.playing = id;
    this.deps.rest.play(this.channelId, id, promptMedia(this.spec.prompt)).catch((err) => {
      // A channel that has just gone answers 404; the leg's end is reported by its own events.
      if (this.playing === id) this.playing = null;
      this.deps.log().debug({ err: (err as Error).message, leg: this.channelId }, 'prompt playback failed');
    });
  }

  private finish(r: ConfirmResult): void {
    if (this.over) return;
    this.over = true;
    this.done(r);
  }
}
