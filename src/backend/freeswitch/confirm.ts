/**
 * Press-1 confirmation of outside legs on FreeSWITCH (spec section 8), after reading
 * switch_ivr_originate.c (1.10.12):
 * - FreeSWITCH's own facility, `group_confirm_key=1` + `group_confirm_file`, runs a key-collect
 *   thread on the answered leg (collect_thread_run) that loops `switch_ivr_read` while the channel
 *   is up: a wrong key or silence only plays the prompt again. The spec says a wrong key ends the
 *   leg, so that mode is not usable as it is.
 * - `group_confirm_key=exec` runs `group_confirm_file` as an application on the answered leg; when
 *   it returns with the leg still up, the leg is the winner (CF_WINNER) and the bridge connects it,
 *   answering the caller only then. `group_confirm_timeout` extends that leg's own time limit from
 *   its answer (per_channel_timelimit_sec = elapsed + extend): its seconds past the ring time.
 * So each confirming leg runs `sleep` there, and the controller decides over the inbound ESL: it
 * plays the prompt (`uuid_broadcast`, every 2 s), reads the DTMF events, and on the key ends the
 * sleep with `uuid_break` (switch_ivr_sleep returns on CF_BREAK), which makes the leg the winner;
 * another key or silence is `uuid_kill`. `sleep_eat_digits` + `playback_terminators=none` keep a
 * key from ending the sleep by itself (plain `sleep` returns on any DTMF: any key would confirm).
 * The sleep and FreeSWITCH's own time limit outlast `seconds`: if the controller is gone, the leg
 * is hung up by the time limit before the sleep could return and bridge an unconfirmed leg.
 */
import { PROMPT_REPEAT_MS, type ConfirmSpec } from '../../config/confirm.js';
import type { Logger } from '../../log.js';
import type { InboundEsl } from './inbound.js';

/** Per-leg variables of a confirming leg in the bridge's `[...]` (no `,` in any value). */
export function confirmLegVars(c: ConfirmSpec): string[] {
  return [
    'group_confirm_key=exec',
    `group_confirm_file=sleep ${(c.seconds + 3) * 1000}`,
    `group_confirm_timeout=${c.seconds + 1}`,
    'sleep_eat_digits=true',
    'playback_terminators=none',
  ];
}

/** What the leg hears: `beep` is a 250 ms 800 Hz tone (no sound files here), else a wav under the sounds folder. */
export function promptFile(prompt: string): string {
  return prompt === 'beep' ? 'tone_stream://%(250,0,800)' : `${prompt}.wav`;
}

/** Hang-up causes of a leg that lost for reasons other than its own confirmation. */
const NOT_OURS = new Set(['LOSE_RACE', 'ORIGINATOR_CANCEL', 'PICKED_OFF']);
/** uuid_break is retried: a prompt playing inside the sleep takes the first CF_BREAK for itself. */
const BREAK_RETRY_MS = 300;
const BREAK_TRIES = 8;

interface Held {
  uuid: string;
  spec: ConfirmSpec;
  state: 'ringing' | 'confirming' | 'confirmed' | 'refused';
  timers: NodeJS.Timeout[];
}

/** The confirming legs of one ring attempt. */
export class FsConfirmations {
  private readonly legs = new Map<string, Held>();
  private readonly onLeg = (uuid: string) => this.check(uuid);
  private readonly onDtmf = (uuid: string, digit: string) => this.key(uuid, digit);

  constructor(
    private readonly inbound: InboundEsl,
    private readonly log: () => Logger,
  ) {}

  /** Watch these legs (uuid -> confirm spec); nothing to do for an attempt without any. */
  start(legs: { uuid: string; confirm?: ConfirmSpec }[]): void {
    for (const l of legs) if (l.confirm) this.legs.set(l.uuid, { uuid: l.uuid, spec: l.confirm, state: 'ringing', timers: [] });
    if (this.legs.size === 0) return;
    this.inbound.on('leg', this.onLeg);
    this.inbound.on('dtmf', this.onDtmf);
  }

  /** Did this leg end `unconfirmed`: refused by us, or answered and gone without its key? */
  unconfirmed(uuid: string, cause: string | null): boolean {
    const h = this.legs.get(uuid);
    if (!h) return false;
    if (h.state === 'refused') return true;
    return h.state === 'confirming' && !NOT_OURS.has(cause ?? '');
  }

  /** The attempt is over: no timer, no listener left. */
  dispose(): void {
    this.inbound.off('leg', this.onLeg);
    this.inbound.off('dtmf', this.onDtmf);
    for (const h of this.legs.values()) for (const t of h.timers) clearTimeout(t);
  }

  private check(uuid: string): void {
    const h = this.legs.get(uuid);
    const seen = this.inbound.seen(uuid);
    if (!h || !seen) return;
    if (seen.cause !== null) return this.clear(h);
    if (h.state !== 'ringing' || !seen.answered) return;
    h.state = 'confirming';
    this.log().info({ leg: uuid }, 'outside leg answered: waiting for its confirmation key');
    const play = () => void this.api(`uuid_broadcast ${uuid} ${promptFile(h.spec.prompt)} aleg`);
    play();
    h.timers.push(setInterval(play, PROMPT_REPEAT_MS));
    h.timers.push(setTimeout(() => this.refuse(h, 'no key in time'), h.spec.seconds * 1000));
  }

  private key(uuid: string, digit: string): void {
    const h = this.legs.get(uuid);
    if (!h || h.state !== 'confirming') return;
    if (digit !== h.spec.key) return this.refuse(h, `key ${digit}`);
    h.state = 'confirmed';
    this.clear(h);
    this.log().info({ leg: uuid }, 'leg confirmed: bridging');
    let tries = 0;
    const brk = () => {
      const s = this.inbound.seen(uuid);
      if (tries++ >= BREAK_TRIES || !s || s.cause !== null) return;
      void this.api(`uuid_break ${uuid} all`);
      h.timers.push(setTimeout(brk, BREAK_RETRY_MS));
    };
    brk();
  }

  private refuse(h: Held, why: string): void {
    if (h.state !== 'confirming') return;
    h.state = 'refused';
    this.clear(h);
    this.log().info({ leg: h.uuid, why }, 'leg did not confirm: hanging it up');
    void this.api(`uuid_kill ${h.uuid} CALL_REJECTED`);
  }

  private clear(h: Held): void {
    for (const t of h.timers.splice(0)) clearTimeout(t);
  }

  private async api(cmd: string): Promise<void> {
    await this.inbound.api(cmd).catch((err) => this.log().debug({ err: (err as Error).message, cmd }, 'confirm api command failed'));
  }
}
