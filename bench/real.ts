/**
 * `npm run bench -- real`: Switchboard against the PBX's own static dialplan on a real Asterisk
 * (and FreeSWITCH), interleaved rate by rate in one run. Knobs: BENCH_REAL_FLOWS
 * (asterisk-local,freeswitch; asterisk-sip: SIPp carrier and registered desks), BENCH_REAL_START (50), BENCH_REAL_STEP (25),
 * BENCH_REAL_MAX (500), BENCH_REAL_SECONDS (10), BENCH_REAL_UNFILTERED (1: also Switchboard without
 * its ARI event filter), BENCH_REAL_FS_START / BENCH_REAL_FS_STEP (10 / 10).
 */
import os from 'node:os';
import { locateAsterisk } from '../test/pbx/support/locate.js';
import { Child } from './load-ipc.js';
import { AsteriskBench, asteriskStep, startAsteriskController, type AsteriskFlow } from './real-asterisk.js';
import { printLadder, printTraffic, runLadder } from './real-ladder.js';
import { loadAverage } from './real-stats.js';

const num = (v: string | undefined, d: number) => (v ? Number(v) : d);
const START = num(process.env.BENCH_REAL_START, 50);
const STEP = num(process.env.BENCH_REAL_STEP, 25);
const MAX = num(process.env.BENCH_REAL_MAX, 500);
const SECONDS = num(process.env.BENCH_REAL_SECONDS, 10);
// BENCH_REAL_UNFILTERED=1: also the controller without its ARI event filter, rate by rate.
const UNFILTERED = process.env.BENCH_REAL_UNFILTERED === '1';
// FreeSWITCH runs out of CPU near 80 calls/s on this machine: a finer ladder.
const FS_START = num(process.env.BENCH_REAL_FS_START, 10);
const FS_STEP = num(process.env.BENCH_REAL_FS_STEP, 10);
const FLOWS = (process.env.BENCH_REAL_FLOWS ?? 'asterisk-local,freeswitch').split(',');
const say = (s: string): void => void process.stdout.write(`${s}\n`);

async function asteriskLocal(): Promise<void> {
  const install = locateAsterisk();
  if ('missing' in install) return say(`asterisk-local: skipped (${install.missing})`);
  const b = await AsteriskBench.start(install);
  let ctl: Child | null = null;
  try {
    // BENCH_REAL_CPU_PROF=<dir>: a V8 CPU profile of the controller, written when it exits.
    ctl = await startAsteriskController(b.inst, 'Local/{endpoint}@bench-desk', process.env.BENCH_REAL_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_REAL_CPU_PROF] : []);
    const c = ctl;
    say(`asterisk-local: Asterisk pid ${b.pid}, controller pid ${(c.ready as { pid: number }).pid}; ${SECONDS} s per rate, desk answers at once and hangs up after 1 s`);
    say('warm-up: 2 s at 20/s of each flow (not reported)');
    await asteriskStep(b, c, 'static Dial()', 20, 2);
    await asteriskStep(b, c, 'Switchboard', 20, 2);
    if (UNFILTERED) await asteriskStep(b, c, 'Switchboard, every event', 20, 2);
    const flows: AsteriskFlow[] = ['static Dial()', 'Switchboard', ...(UNFILTERED ? ['Switchboard, every event' as const] : [])];
    const steps = await runLadder({
      start: START, step: STEP, max: MAX, reference: 'static Dial()', flows,
      run: (flow, rate) => asteriskStep(b, c, flow as AsteriskFlow, rate, SECONDS),
    });
    printLadder(steps, { reference: 'static Dial()', flows });
    for (const flow of flows.slice(1)) {
      const first = steps.find((s) => s.flow === flow);
      if (first) printTraffic(first);
    }
  } finally {
    await ctl?.stop().catch(() => undefined);
    await b.stop();
  }
}

// Ctrl-C or a timeout: exit normally so that the PBX instances' exit hooks end their process groups.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

export async function run(): Promise<void> {
  say(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}; load average before: ${loadAverage()}`);
  if (FLOWS.includes('asterisk-local')) await asteriskLocal();
  if (FLOWS.includes('asterisk-sip')) await (await import('./real-sip.js')).runAsteriskSip({ start: START, step: STEP, max: MAX, seconds: SECONDS });
  if (FLOWS.includes('freeswitch')) await (await import('./real-freeswitch.js')).runFreeswitch({ start: FS_START, step: FS_STEP, max: MAX, seconds: SECONDS });
}
