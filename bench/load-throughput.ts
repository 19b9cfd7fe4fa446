/**
 * Measurements 1 and 2: a fixed rate of inbound calls for a few seconds; each target answers after
 * 0-50 ms, each caller hangs up 200 ms after placing the call. A call counts when its call-log row
 * says `answered`; a call the controller bridged too late ends `abandoned` (the caller left first).
 */
import type { Child } from './load-ipc.js';
import { cpuMs, median, pollUntil, quantile } from './load-stats.js';

const HANGUP_AFTER_MS = 200;
// Calls last ~250 ms: a controller that keeps up is idle well within this after the last call.
const DRAIN_DEADLINE_MS = 5_000;

interface CtlCounters { active: number; outcomes: Record<string, number>; cpu: NodeJS.CpuUsage; elu: number; delayP99Ms: number; delayMaxMs: number; heapUsed: number }
interface SimCounters { delivered: number; stasis: number; originated: number; bridged: number; cpu: NodeJS.CpuUsage }
interface SimStats { setupMs: number[]; bridgeMs: number[]; stasis: number; originated: number; bridged: number; delivered: number }

/** One rate step, as printed and recorded. */
export interface StepResult {
  rate: number;
  placed: number;
  answered: number;
  other: Record<string, number>;
  answeredPerSec: number;
  maxActive: number;
  drainMs: number;
  drained: boolean;
  setupP50: number;
  setupP99: number;
  setupMax: number;
  bridgeP50: number;
  bridgeP99: number;
  ctlCpuPct: number;
  simCpuPct: number;
  loopDelayP99Ms: number;
  eventsPerCall: number;
  generatorLateMs: number;
}

/** Run one step at `rate` calls/s for `seconds`, then wait for every call of it to end. */
export async function runStep(sim: Child, ctl: Child, rate: number, seconds: number): Promise<StepResult> {
  await sim.call('mark');
  const since = new Date(Date.now() - 5).toISOString();
  const c0 = await ctl.call<CtlCounters>('counters');
  const s0 = await sim.call<SimCounters>('counters');
  const t0 = Date.now();
  let placing = true;
  const placed = sim
    .call<{ placed: number; errors: number; lateMs: number }>('place', { rate, durationMs: seconds * 1000, hangupAfterMs: HANGUP_AFTER_MS }, seconds * 1000 + 30_000)
    .finally(() => (placing = false));
  const perSec: number[] = [];
  const delays: number[] = [];
  let maxActive = 0;
  let prev = c0;
  let prevAt = t0;
  // CPU is taken over the placing window only (the drain wait would dilute it).
  let cpu = { ctl: 0, sim: 0 };
  while (placing) {
    await new Promise((r) => setTimeout(r, 1000));
    const [c, s] = await Promise.all([ctl.call<CtlCounters>('counters'), sim.call<SimCounters>('counters')]);
    const now = Date.now();
    cpu = { ctl: (cpuMs(c0.cpu, c.cpu) / (now - t0)) * 100, sim: (cpuMs(s0.cpu, s.cpu) / (now - t0)) * 100 };
    perSec.push((((c.outcomes.answered ?? 0) - (prev.outcomes.answered ?? 0)) * 1000) / (now - prevAt));
    delays.push(c.delayP99Ms);
    maxActive = Math.max(maxActive, c.active);
    prev = c;
    prevAt = now;
  }
  const gen = await placed;
  const placedAt = Date.now();
  const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  const drained = await pollUntil(async () => {
    const c = await ctl.call<CtlCounters>('counters');
    maxActive = Math.max(maxActive, c.active);
    delays.push(c.delayP99Ms);
    prev = c;
    // Calls an earlier overloaded step left stuck stay in `active`: compare with the step's start.
    return total(c.outcomes) - total(c0.outcomes) >= gen.placed && c.active <= c0.active;
  }, DRAIN_DEADLINE_MS, 50);
  const drainMs = Date.now() - placedAt;
  const s1 = await sim.call<SimCounters>('counters');
  const stats = await sim.call<SimStats>('stats');
  const rows = await ctl.call<Record<string, number>>('rows', { since });
  const { answered = 0, ...other } = rows;
  // The first second ramps up (calls last ~250 ms before any ends); the rest is the steady state.
  const steady = perSec.length > 2 ? perSec.slice(1) : perSec;
  return {
    rate,
    placed: gen.placed,
    answered,
    other,
    answeredPerSec: median(steady),
    maxActive,
    drainMs,
    drained,
    setupP50: quantile(stats.setupMs, 0.5),
    setupP99: quantile(stats.setupMs, 0.99),
    setupMax: quantile(stats.setupMs, 1),
    bridgeP50: quantile(stats.bridgeMs, 0.5),
    bridgeP99: quantile(stats.bridgeMs, 0.99),
    ctlCpuPct: cpu.ctl,
    simCpuPct: cpu.sim,
    loopDelayP99Ms: Math.max(0, ...delays),
    eventsPerCall: s1.delivered / Math.max(1, gen.placed),
    generatorLateMs: gen.lateMs,
  };
}

/** True when every call of the step was answered and the controller was idle again within 2 s. */
export function keptUp(r: StepResult): boolean {
  return r.answered === r.placed && r.drained && r.drainMs <= 2000;
}
