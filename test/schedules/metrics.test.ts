/** Metrics of issue 15: calls by schedule state, blocked calls. */
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import type { RoutePlan } from '../../src/routing/plan.js';

const base: RoutePlan = { from: '+12025550999', to: '+12025550200', contact: null, steps: [], final: { action: 'hangup' }, trace: [], passedOver: [], schedule: null, blocked: false, callerName: null };

describe('metrics', () => {
  it('given planned calls, then calls by schedule and state, and blocked calls by reason, are counted', async () => {
    const m = new Metrics({ connected: () => true, activeCalls: () => 0, configGeneration: () => 1 });
    m.observer.routePlanned!({ ...base, schedule: { id: 'office', open: false, why: 'closed: Christmas Day' } });
    m.observer.routePlanned!({ ...base, schedule: { id: 'office', open: false, why: 'hours' } });
    m.observer.routePlanned!({ ...base, schedule: { id: 'office', open: true, why: 'hours' } });
    m.observer.routePlanned!({ ...base, blocked: true });
    m.observer.routePlanned!({ ...base, from: null, blocked: true });
    m.observer.routePlanned!(base);
    const text = await m.registry.metrics();
    expect(text).toContain('switchboard_calls_by_schedule_total{schedule="office",state="closed"} 2');
    expect(text).toContain('switchboard_calls_by_schedule_total{schedule="office",state="open"} 1');
    expect(text).toContain('switchboard_blocked_calls_total{reason="list"} 1');
    expect(text).toContain('switchboard_blocked_calls_total{reason="withheld"} 1');
  });
});
