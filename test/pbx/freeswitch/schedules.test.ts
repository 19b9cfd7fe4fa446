/**
 * The schedules, labels and blocked-callers suite (test/scenarios/schedules-suite.ts) on a real
 * FreeSWITCH, exactly as on the simulator: the caller ID name of each leg and the call's hangup
 * cause are read from what FreeSWITCH itself reports on the inbound ESL connection.
 */
import { randomUUID } from 'node:crypto';
import type { PlacedCall } from '../../scenarios/harness.js';
import { scheduleSuite, type ScheduleHarness } from '../../scenarios/schedules-suite.js';
import { waitFor } from '../../support/wait.js';
import { describePbx } from '../support/locate.js';
import { RealFreeswitchHarness } from './harness.js';
import { locateFreeswitch, type FreeswitchInstall } from './locate.js';

const found = locateFreeswitch();
/** The `-a` half of a loopback leg the controller bridged to: `loopback/<target>-a`. */
const LEG = /^loopback\/(.+)-a$/;

class RealFreeswitchScheduleHarness extends RealFreeswitchHarness implements ScheduleHarness {
  /** The Q.850 cause FreeSWITCH gives the controlled leg when it is hung up. */
  async callerCause(call: PlacedCall): Promise<number> {
    return waitFor(() => {
      const e = this.view.events.find((x) => x.name === 'CHANNEL_HANGUP_COMPLETE' && x.headers['Unique-ID'] === call.callId);
      return e ? Number(e.headers.variable_hangup_cause_q850) : undefined;
    }, 5000, `controlled leg ${call.callId} hung up`);
  }

  /** Each leg the controller bridged to, with the caller ID name FreeSWITCH gave the channel. */
  dialedNames(): { dial: string; callerName: string }[] {
    // The controller's legs are the uuids it chose in its bridge arguments (not the carrier's calls).
    const ours = new Set(this.view.bridges.flatMap((arg) => [...arg.matchAll(/origination_uuid=([0-9a-f-]{36})/g)].map((m) => m[1])));
    return this.view.events.flatMap((e) => {
      const m = e.name === 'CHANNEL_CREATE' ? LEG.exec(e.headers['Channel-Name'] ?? '') : null;
      if (!m || !ours.has(e.headers['Unique-ID'])) return [];
      return [{ dial: `loopback/${m[1]}`, callerName: e.headers['Caller-Caller-ID-Name'] ?? '' }];
    });
  }

  /** A caller who hid the number: `origination_privacy=hide_number` on the carrier's leg. */
  async placeHiddenCall(call: { from: string; to: string }): Promise<PlacedCall> {
    const caller = randomUUID();
    const vars = `origination_uuid=${caller},origination_caller_id_number=${call.from},origination_privacy=hide_number`;
    const reply = await this.carrier.bgapi(`originate {${vars}}loopback/${call.to}/public &park()`);
    if (!reply.startsWith('+OK')) throw new Error(`originate refused: ${reply}`);
    const callId = await waitFor(() => this.view.controlled.get(caller), 5000, `call to ${call.to} reaching the socket application`);
    return { callId };
  }
}

describePbx('schedules, labels and blocked callers on a real FreeSWITCH (loopback phones)', found, () => {
  if ('missing' in found) return;
  scheduleSuite(() => new RealFreeswitchScheduleHarness(found as FreeswitchInstall));
});
