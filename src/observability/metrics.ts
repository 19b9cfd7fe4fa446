/**
 * Prometheus metrics for one controller (its own registry: no process-wide default registry, so
 * two controllers in one test process do not collide). Fed through the session's CallObserver.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CallObserver } from '../call/session.js';

export interface MetricsSources {
  connected(): boolean;
  activeCalls(): number;
  configGeneration(): number;
  /** Users on do-not-disturb now (section 6). */
  dndUsers?(): number;
  /** SIP endpoints by the state the PBX reports (section 6). */
  deviceStates?(): ReadonlyMap<string, number>;
  /** The store: up, call-log writes queued while it is down, and writes dropped from a full queue (section 10). */
  store?(): { up: boolean; queued: number; overflowed: number };
}

const DEVICE_STATES = ['unavailable', 'in-use', 'ringing', 'idle', 'unknown'] as const;

export class Metrics {
  readonly registry = new Registry();
  readonly observer: CallObserver;

  constructor(sources: MetricsSources) {
    const calls = new Counter({ name: 'switchboard_calls_total', help: 'Finished calls by outcome', labelNames: ['outcome'], registers: [this.registry] });
    const legs = new Counter({ name: 'switchboard_legs_total', help: 'Legs rung, by result and Q.850 hangup cause', labelNames: ['result', 'cause'], registers: [this.registry] });
    const ring = new Histogram({
      name: 'switchboard_ring_seconds',
      help: 'Time from the call arriving to the answer',
      buckets: [1, 2, 5, 10, 15, 20, 30, 45, 60, 90],
      registers: [this.registry],
    });
    const bySchedule = new Counter({
      name: 'switchboard_calls_by_schedule_total',
      help: 'Calls to numbers with a schedule, by schedule and state at arrival (open | closed)',
      labelNames: ['schedule', 'state'],
      registers: [this.registry],
    });
    const blocked = new Counter({ name: 'switchboard_blocked_calls_total', help: 'Callers refused with cause 21, by why (list | withheld)', labelNames: ['reason'], registers: [this.registry] });
    const setup = new Histogram({
      name: 'switchboard_setup_latency_seconds',
      help: 'Time from the inbound call arriving to the first leg being originated',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [this.registry],
    });
    new Gauge({ name: 'switchboard_pbx_connected', help: '1 when the PBX event connection is up', registers: [this.registry], collect() { this.set(sources.connected() ? 1 : 0); } });
    new Gauge({ name: 'switchboard_active_calls', help: 'Calls in progress', registers: [this.registry], collect() { this.set(sources.activeCalls()); } });
    new Gauge({ name: 'switchboard_config_generation', help: 'Config generation in force (1 at start, +1 per good reload)', registers: [this.registry], collect() { this.set(sources.configGeneration()); } });
    new Gauge({ name: 'switchboard_store_up', help: '1 when the store answers (0: PostgreSQL down, calls route on memory)', registers: [this.registry], collect() { this.set(sources.store?.().up === false ? 0 : 1); } });
    new Gauge({ name: 'switchboard_store_queued_writes', help: 'Store writes (call log, group history) waiting for the store', registers: [this.registry], collect() { this.set(sources.store?.().queued ?? 0); } });
    new Gauge({ name: 'switchboard_store_dropped_writes', help: 'Store writes (call log, group history) dropped because the queue was full while the store was down', registers: [this.registry], collect() { this.set(sources.store?.().overflowed ?? 0); } });
    new Gauge({ name: 'switchboard_dnd_users', help: 'Users on do-not-disturb', registers: [this.registry], collect() { this.set(sources.dndUsers?.() ?? 0); } });
    new Gauge({
      name: 'switchboard_devices',
      help: 'SIP endpoints by the state the PBX reports',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const counts = sources.deviceStates?.();
        for (const state of DEVICE_STATES) this.set({ state }, counts?.get(state) ?? 0);
      },
    });
    const skipped = new Counter({ name: 'switchboard_legs_skipped_total', help: 'Devices not dialled, by reason (unavailable: the PBX reports it not registered)', labelNames: ['reason'], registers: [this.registry] });
    const passed = new Counter({ name: 'switchboard_passed_over_total', help: 'Users passed over (no legs at all), by reason', labelNames: ['reason'], registers: [this.registry] });
    this.observer = {
      passedOver: (p) => passed.inc({ reason: p.reason }),
      callEnded: (r) => {
        calls.inc({ outcome: r.outcome ?? 'unknown' });
        if (r.ringSeconds !== null) ring.observe(r.ringSeconds);
      },
      legEnded: (l) => {
        legs.inc({ result: l.result, cause: l.cause === null ? 'none' : String(l.cause) });
        if (l.result === 'skipped') skipped.inc({ reason: 'unavailable' });
      },
      setupLatency: (ms) => setup.observe(ms / 1000),
      routePlanned: (plan) => {
        if (plan.blocked) blocked.inc({ reason: plan.from === null ? 'withheld' : 'list' });
        else if (plan.schedule) bySchedule.inc({ schedule: plan.schedule.id, state: plan.schedule.open ? 'open' : 'closed' });
      },
    };
  }
}
