/**
 * `npm run bench -- load`: the controller under load, with the ARI simulator and the controller in
 * two separate processes on loopback (bench/sim-process.ts, bench/controller-process.ts).
 * 1. answered calls per second at fixed rates; 2. StasisStart -> first originate latency;
 * 3. heap per 1,000 calls in progress; 4. ari-client's per-event cost and a CPU profile.
 * Knobs: BENCH_LOAD_RATES (100,200,250,300,500,700; stops after the first failed rate >= 500), BENCH_LOAD_SECONDS (10), BENCH_LOAD_HOLD
 * (1000,5000), BENCH_LOAD_EVENTS (200000), BENCH_LOAD_PROFILE_RATE (default: the highest rate kept up).
 */
import { rm, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Child } from './load-ipc.js';
import { BENCH_ARI, USERS } from './load-config.js';
import { keptUp, runStep, type StepResult } from './load-throughput.js';
import { measureMemory } from './load-memory.js';
import { summariseProfile } from './load-profile.js';
import { measureAriCost } from './load-aricost.js';
import { fmt, printTable } from './load-stats.js';

const list = (v: string | undefined, d: string) => (v ?? d).split(',').map(Number).filter((n) => n > 0);
const RATES = list(process.env.BENCH_LOAD_RATES, '100,200,250,300,500,700');
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const HOLD = list(process.env.BENCH_LOAD_HOLD, '1000,5000');
const EVENTS = Number(process.env.BENCH_LOAD_EVENTS ?? 200_000);
const MAX_ANSWER_MS = 50;
const say = (s: string) => process.stdout.write(`${s}\n`);

async function startController(url: string): Promise<Child> {
  return Child.start('controller', 'controller-process.ts', { execArgv: ['--expose-gc'], readyArgs: { url } });
}

function throughputTable(steps: StepResult[]): void {
  printTable(
    ['calls/s offered', 'placed', 'answered', 'not answered', 'answered/s', 'max in progress', 'drain ms', 'ctl CPU %', 'sim CPU %', 'loop delay p99 ms', 'events/call'],
    steps.map((r) => [
      String(r.rate), r.placed, r.answered,
      Object.entries(r.other).map(([k, v]) => `${v} ${k}`).join(', ') || '0',
      fmt(r.answeredPerSec, 0), r.maxActive, r.drained ? r.drainMs : `>${r.drainMs}`,
      fmt(r.ctlCpuPct, 0), fmt(r.simCpuPct, 0), fmt(r.loopDelayP99Ms, 1), fmt(r.eventsPerCall, 1),
    ]),
  );
}

function latencyTable(rows: { label: string; r: StepResult }[]): void {
  printTable(
    ['rate', 'calls', 'setup p50 ms', 'setup p99 ms', 'setup max ms', 'to bridge p50 ms', 'to bridge p99 ms'],
    rows.map(({ label, r }) => [label, r.placed, fmt(r.setupP50, 2), fmt(r.setupP99, 2), fmt(r.setupMax, 1), fmt(r.bridgeP50, 1), fmt(r.bridgeP99, 1)]),
  );
}

/** Run measurements 1-4 and print their tables. */
export async function run(): Promise<void> {
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  say(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}; load average before: ${load}`);
  const sim = await Child.start('sim', 'sim-process.ts', { readyArgs: { username: BENCH_ARI.username, password: BENCH_ARI.password } });
  const { url } = sim.ready as { url: string };
  let ctl: Child | null = null;
  let frames: string[] = [];
  const steps: StepResult[] = [];
  const profDir = await mkdtemp(path.join(os.tmpdir(), 'switchboard-prof-'));
  try {
    await sim.call('devices', { users: USERS, mode: 'answer', maxAnswerMs: MAX_ANSWER_MS });
    ctl = await startController(url);
    say(`warm-up: 2 s at 100 calls/s (not reported)`);
    await runStep(sim, ctl, 100, 2);

    say(`\n1. answered calls per second (answer after 0-${MAX_ANSWER_MS} ms, caller hangs up at 200 ms; ${SECONDS} s per rate)`);
    for (const rate of RATES) {
      if (steps.length === 0) await sim.call('record', { limit: 5000 });
      const r = await runStep(sim, ctl, rate, SECONDS);
      if (steps.length === 0) frames = await sim.call<string[]>('frames');
      steps.push(r);
      say(`  ${rate}/s: ${r.answered}/${r.placed} answered, setup p99 ${fmt(r.setupP99, 2)} ms, drain ${r.drainMs} ms${r.generatorLateMs > 50 ? `, generator up to ${r.generatorLateMs} ms late` : ''}`);
      // Past saturation at or above the target rate: higher rates only add time.
      if (!keptUp(r) && rate >= 500) break;
    }
    throughputTable(steps);
    const kept = steps.filter(keptUp);
    const best = kept.at(-1);
    say(`highest rate with every call answered and drained within 2 s: ${best ? `${best.rate} calls/s` : 'none'} (target 500 calls/s)`);

    say(`\n2. setup latency: StasisStart sent -> first originate received (simulator clock)`);
    const lat = [{ label: `${steps[0]!.rate}/s`, r: steps[0]! }];
    if (best && best !== steps[0]) lat.push({ label: `${best.rate}/s (max kept up)`, r: best });
    const top = steps.at(-1)!;
    if (top !== best && top !== steps[0]) lat.push({ label: `${top.rate}/s (highest tried)`, r: top });
    latencyTable(lat);
    say('target: p99 under 5 ms');

    say(`\n3. controller heap with calls in progress (phones never answer; heapUsed after forced GC)`);
    const mem = await measureMemory(sim, ctl, HOLD);
    printTable(
      ['calls in progress', 'reached', 'heapUsed MB', 'minus idle MB', 'MB per 1,000 calls', 'RSS MB'],
      mem.rows.map((m) => [m.calls, m.reached ? 'yes' : 'NO', fmt(m.heapMb), fmt(m.deltaMb), fmt(m.perThousandMb, 2), fmt(m.rssMb, 0)]),
    );
    say(`idle baseline ${fmt(mem.baseline.heapUsed / 1048576)} MB${mem.stuck ? ` (with ${mem.stuck} calls stuck from an overloaded step)` : ''}; after releasing every call: ${fmt(mem.afterMb, 2)} MB above it${mem.released ? '' : ' (NOT all calls ended)'}; target: under 50 MB per 1,000`);

    const profRate = Number(process.env.BENCH_LOAD_PROFILE_RATE ?? best?.rate ?? RATES[0]);
    say(`\n4. where the controller's CPU goes: V8 CPU profile of the controller process, ${profRate} calls/s for 5 s`);
    await ctl.call('profileStart');
    const profStep = await runStep(sim, ctl, profRate, 5);
    const file = await ctl.call<string>('profileStop', { dir: profDir });
    await ctl.stop();
    ctl = null;
    {
      say(`(${profStep.answered}/${profStep.placed} answered; controller CPU ${fmt(profStep.ctlCpuPct, 0)} % of one core => ${fmt((profStep.ctlCpuPct * 10) / profRate, 2)} ms CPU per call)`);
      const prof = await summariseProfile(file, 15);
      say(`profile: ${fmt(prof.totalMs / 1000, 1)} s wall, ${fmt(prof.busyMs / 1000, 1)} s busy (not idle); shares are of busy time`);
      printTable(['package', 'self ms', 'share %'], prof.packages.slice(0, 10).map((e) => [e.name, fmt(e.ms, 0), fmt(e.share * 100, 1)]));
      printTable(['function', 'where', 'self ms', 'share %'], prof.functions.map((e) => [e.name, e.where, fmt(e.ms, 0), fmt(e.share * 100, 1)]));
    }
  } finally {
    await ctl?.stop().catch(() => undefined);
    await sim.stop().catch(() => undefined);
    await rm(profDir, { recursive: true, force: true });
  }

  say(`\n4b. ari-client per-event cost: ${EVENTS.toLocaleString('en-US')} recorded events replayed (${frames.length} distinct frames)`);
  const cost = await measureAriCost(frames, EVENTS);
  printTable(
    ['path', 'µs per event', 'events/s on one core'],
    [
      ['ari-client processMessage', fmt(cost.ariClientUs, 2), fmt(1e6 / cost.ariClientUs, 0)],
      ['JSON.parse alone', fmt(cost.jsonParseUs, 2), fmt(1e6 / cost.jsonParseUs, 0)],
      ['JSON.parse + one emit (plain ws)', fmt(cost.plainWsUs, 2), fmt(1e6 / cost.plainWsUs, 0)],
    ],
  );
  // Events per call from a step where every call went the whole way (answer, bridge, hang-up).
  const full = steps.find(keptUp) ?? steps[0];
  if (full) {
    const perCall = (cost.ariClientUs - cost.plainWsUs) * full.eventsPerCall;
    say(`ari-client's extra over plain ws: ${fmt(perCall, 0)} µs per call (${fmt(full.eventsPerCall, 1)} events), ${fmt((perCall * 500) / 1e4, 1)} % of one core at 500 calls/s`);
  }
}
