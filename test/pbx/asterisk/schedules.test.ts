/**
 * The schedules, labels and blocked-callers suite (test/scenarios/schedules-suite.ts) on a real
 * Asterisk, exactly as on the simulators: the caller ID name of each leg and the caller's hangup
 * cause are read from what Asterisk itself reports over ARI.
 */
import type { PlacedCall } from '../../scenarios/harness.js';
import { scheduleSuite, type ScheduleHarness } from '../../scenarios/schedules-suite.js';
import { waitFor } from '../../support/wait.js';
import { describePbx, locateAsterisk } from '../support/locate.js';
import { RealAsteriskHarness } from './harness.js';

const asterisk = locateAsterisk();
const TEST_DEVICE = /^Local\/([^@]+)@(sb-test-phones|sb-test-carrier)-[0-9a-f]+;1$/;

class RealScheduleHarness extends RealAsteriskHarness implements ScheduleHarness {
  /** The cause of the caller's channel in Asterisk's own ChannelDestroyed. */
  async callerCause(call: PlacedCall): Promise<number> {
    return waitFor(() => {
      const e = this.observer.events.find((x) => x.type === 'ChannelDestroyed' && x.event.channel?.id === call.callId);
      return e ? Number(e.event.cause) : undefined;
    }, 5000, `caller channel ${call.callId} destroyed`);
  }

  /** Each test-device leg the controller originated, with the caller ID name Asterisk gave it (its last snapshot). */
  dialedNames(): { dial: string; callerName: string }[] {
    const last = new Map<string, { name: string; callerName: string }>();
    const order: string[] = [];
    for (const { event } of this.observer.events) {
      const ch = event.channel as { id?: string; name?: string; caller?: { name?: string } } | undefined;
      if (!ch?.id || !ch.name || !TEST_DEVICE.test(ch.name)) continue;
      if (!last.has(ch.id)) order.push(ch.id);
      last.set(ch.id, { name: ch.name, callerName: ch.caller?.name ?? '' });
    }
    return order.map((id) => {
      const { name, callerName } = last.get(id)!;
      const m = TEST_DEVICE.exec(name)!;
      return { dial: `Local/${m[1]}@${m[2]}`, callerName };
    });
  }
}

describePbx('schedules, labels and blocked callers on a real Asterisk (Local channels as phones)', asterisk, () => {
  if ('missing' in asterisk) return;
  scheduleSuite(() => new RealScheduleHarness(asterisk));
});
