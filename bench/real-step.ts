/**
 * One measured step of the real-PBX benchmark, the same loop on Asterisk and FreeSWITCH: place
 * the calls at a fixed rate, wait (bounded) until the PBX has no channel left, then read the CPU
 * each side spent, the controller's counters and rows, and the setup latency of each call.
 */
import type { Child } from './load-ipc.js';
import { loadAverage, procCpuMs, type FlowStep } from './real-stats.js';

/** How long a step waits for the PBX to be empty again (every call hangs up 1 s after its desk). */
const DRAIN_MS = 30_000;

/** What a step needs of its PBX and flow. */
export interface StepPlan {
  flow: string;
  rate: number;
  /** The PBX's process, for its CPU time. */
  pid: number;
  /** Whether the calls go through the controller (its call-log rows are read). */
  routed: boolean;
  /** Whether the controller's ARI traffic counts (Asterisk; on FreeSWITCH it is none). */
  ariTraffic: boolean;
  /** Place the step's calls; resolves with how many were placed. */
  place(): Promise<number>;
  channelCount(): Promise<number>;
  /** Once drained and the PBX's CPU read (e.g. stop a profiler). */
  drained?(): Promise<void>;
  /** Once drained: the setup latency of each call that reached the desk, ms. */
  latencies(): number[];
}

interface Counters { events: number; requests: number; cpu: NodeJS.CpuUsage; byType: Record<string, number> }

/** Open loop: call i is placed at start + i / rate, whatever happened to the calls before it. */
export async function openLoop(rate: number, seconds: number, place: (n: number) => Promise<void>): Promise<number> {
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  let n = 0;
  while (n < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
    for (; n < due; n++) pending.push(place(n));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  return total;
}

/**
 * The calls of an open loop placed one request each, with the time each was sent kept by its key
 * (for latencies read from the PBX's log). An originate the PBX refused counts as placed and never
 * reaches the desk.
 */
export function openLoopCalls(rate: number, seconds: number, placeOne: (n: number) => Promise<{ key: string; sentAt: number; ok: boolean }>): { place(): Promise<number>; sent: ReadonlyMap<string, number> } {
  const sent = new Map<string, number>();
  return {
    sent,
    place: () =>
      openLoop(rate, seconds, async (n) => {
        const r = await placeOne(n);
        if (r.ok) sent.set(r.key, r.sentAt);
      }),
  };
}

/** Run one step of one flow at one rate and collect its figures. */
export async function measureStep(ctl: Child, p: StepPlan): Promise<FlowStep> {
  const load = loadAverage();
  const since = new Date().toISOString();
  const c0 = await ctl.call<Counters>('counters');
  const pbx0 = procCpuMs(p.pid);
  const placed = await p.place();
  let left = -1;
  const end = Date.now() + DRAIN_MS;
  while (Date.now() < end && (left = await p.channelCount()) !== 0) await new Promise((r) => setTimeout(r, 250));
  const pbx1 = procCpuMs(p.pid);
  await p.drained?.();
  const c1 = await ctl.call<Counters>('counters');
  const latencies = p.latencies();
  const rows = p.routed ? await ctl.call<Record<string, number>>('rows', { since }) : undefined;
  return {
    flow: p.flow, rate: p.rate, placed, reached: latencies.length, latencies, load, leftOver: Math.max(0, left),
    pbxCpuMs: pbx1 - pbx0,
    ctlCpuMs: (c1.cpu.user - c0.cpu.user + c1.cpu.system - c0.cpu.system) / 1000,
    events: p.ariTraffic ? c1.events - c0.events : 0,
    requests: p.ariTraffic ? c1.requests - c0.requests : 0,
    ...(rows ? { rows } : {}),
    ...(p.ariTraffic ? { traffic: Object.fromEntries(Object.entries(c1.byType).map(([k, v]) => [k, v - (c0.byType[k] ?? 0)]).filter(([, v]) => (v as number) > 0)) } : {}),
  };
}
