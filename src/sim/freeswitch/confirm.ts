/**
 * A confirming leg in the simulated `bridge` (spec section 8): `group_confirm_key=exec` with
 * `group_confirm_file=sleep N` runs the sleep on the answered leg, and the leg is the winner only
 * when the sleep returns with the leg up (switch_ivr_originate.c, collect_thread_run). As on the
 * real switch: `uuid_break` ends the sleep (CF_BREAK), a key pressed on the phone is a DTMF event
 * on the inbound connection (eaten by the sleep: sleep_eat_digits), `group_confirm_timeout` hangs
 * the leg up that many seconds after its answer, and a sleep that runs out makes the leg win.
 */
import type { DeviceBehaviour } from '../devices.js';
import type { SimChannel } from './channel.js';
import type { SimHost } from './host.js';

/** Recorded on the real 1.10.12 (test/fixtures/freeswitch-real/confirm-sip.jsonl): an RFC 2833 key from SIPp. */
const DTMF_DURATION = '2240';

export function holdForConfirm(
  sim: SimHost,
  ch: SimChannel,
  vars: Record<string, string>,
  phone: DeviceBehaviour | undefined,
  timers: NodeJS.Timeout[],
  then: { win: () => void; fail: (cause: string) => void },
): void {
  const sleepMs = Number(/^sleep (\d+)$/.exec(vars.group_confirm_file ?? '')?.[1] ?? 0);
  sim.emitEvent(ch, 'CHANNEL_EXECUTE', [['Application', 'sleep'], ['Application-Data', String(sleepMs)]]);
  const limitS = Number(vars.group_confirm_timeout ?? 0);
  ch.onBreak = () => then.win();
  // A key that is not eaten ends a plain sleep: any key would confirm (mod_dptools sleep_function).
  const eats = vars.sleep_eat_digits === 'true';
  timers.push(sim.later(sleepMs, () => ch.up && then.win()));
  if (limitS > 0) timers.push(sim.later(limitS * 1000, () => then.fail('ALLOTTED_TIMEOUT')));
  if (phone?.kind !== 'answer') return;
  const press = phone.press;
  if (press) {
    timers.push(
      sim.later(press.afterMs, () => {
        if (!ch.up) return;
        sim.emitEvent(ch, 'DTMF', [['DTMF-Digit', press.key], ['DTMF-Duration', DTMF_DURATION], ['DTMF-Source', 'RTP']]);
        if (!eats) then.win();
      }),
    );
  }
  // The person who answered hangs up without a key.
  if (phone.talkMs !== undefined) timers.push(sim.later(phone.talkMs, () => then.fail('NORMAL_CLEARING')));
}
