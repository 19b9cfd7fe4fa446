/** /metrics for section 6: users on DND, devices by state, legs skipped and users passed over by reason. */
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';

describe('availability metrics', () => {
  it('given DND users, device states, a skipped leg and a passed-over user, then /metrics shows each', async () => {
    const m = new Metrics({
      connected: () => true,
      activeCalls: () => 0,
      configGeneration: () => 1,
      dndUsers: () => 2,
      deviceStates: () => new Map([['unavailable', 1], ['idle', 3]]),
    });
    m.observer.legEnded?.({ user: 'carol', device: 'desk', endpoint: '1003', rule: 'number-user', startedAt: '', result: 'skipped', cause: null });
    m.observer.passedOver?.({ user: 'bob', step: 'number-user', reason: 'not registered' });
    m.observer.passedOver?.({ user: 'alice', step: 'g', reason: 'do-not-disturb' });
    const text = await m.registry.metrics();
    expect(text).toContain('switchboard_dnd_users 2');
    expect(text).toContain('switchboard_devices{state="unavailable"} 1');
    expect(text).toContain('switchboard_devices{state="idle"} 3');
    expect(text).toContain('switchboard_devices{state="in-use"} 0');
    expect(text).toContain('switchboard_legs_skipped_total{reason="unavailable"} 1');
    expect(text).toContain('switchboard_legs_total{result="skipped",cause="none"} 1');
    expect(text).toContain('switchboard_passed_over_total{reason="not registered"} 1');
    expect(text).toContain('switchboard_passed_over_total{reason="do-not-disturb"} 1');
  });
});
