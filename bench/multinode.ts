/**
 * `npm run bench -- multinode`: calls per second held with one node and with two, all real SIP on
 * loopback (issue 19): a SIPp carrier -> Kamailio (deploy/kamailio/kamailio.cfg) -> Asterisk(s),
 * each with its `switchboard run` -> a SIPp desk phone that answers at once. The site is
 * test/pbx/multinode/cluster.ts, the multi-node test's. At each rate the carrier places calls open
 * loop for BENCH_MN_SECONDS (default 10), each talking 1 s; the rate steps up until a step is not
 * held. Held: at least 99 % of the calls answered (SIPp saw 200 to the INVITE and to the BYE), as
 * many `answered` rows in the controllers' logs, and the carrier's INVITE-to-200 p99 under 1 s.
 * CPU per process (from /proc, sampled) shows what saturates first.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, SITE_NUMBER } from '../test/pbx/multinode/cluster.js';
import { locateAsterisk } from '../test/pbx/support/locate.js';
import { locateKamailio, locateSipp } from '../test/pbx/kamailio/locate.js';
import { waitFor } from '../test/support/wait.js';
import { fmt, printTable, quantile } from './load-stats.js';
import { loadAverage, procCpuMs } from './real-stats.js';

const say = (s: string) => process.stdout.write(`${s}\n`);
const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt);

const CONFIG = () => ({
  company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
  users: [{ id: 'alice', name: 'Alice', extension: '1001' }],
  numbers: [{ number: SITE_NUMBER, user: 'alice', ringSeconds: 10, unanswered: 'hangup', forwardToCompany: false }],
  endpoints: { asterisk: 'PJSIP/{endpoint}' },
  trunks: { default: { asterisk: 'PJSIP/{number}@carrier' } },
});

interface Step {
  nodes: number;
  rate: number;
  placed: number;
  answered: number;
  rows: number;
  latencies: number[];
  /** Cores used during the step, by process. */
  cores: Record<string, number>;
  load: string;
}

/** CPU ms of every process in a process group (Kamailio forks its workers into its group). */
function groupCpuMs(pgid: number): number {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid) total += ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    } catch { /* gone meanwhile */ }
  }
  return total;
}

/** The processes whose CPU a step reports, by name. */
function cpuNow(site: Cluster, sippPid?: number): Record<string, number> {
  const out: Record<string, number> = { kamailio: site.kam.pid ? groupCpuMs(site.kam.pid) : 0 };
  for (const n of site.nodes) {
    out[`asterisk ${n.name}`] = n.ast.pid ? safeCpu(n.ast.pid) : 0;
    out[`controller ${n.name}`] = n.controller?.proc.pid ? safeCpu(n.controller.proc.pid) : 0;
  }
  if (sippPid) out['sipp carrier'] = safeCpu(sippPid);
  return out;
}
const safeCpu = (pid: number) => { try { return procCpuMs(pid); } catch { return 0; } };

/** SIPp's per-call response times (INVITE to 200, ms) from its -trace_rtt file. */
function rtts(dir: string, pid: number | undefined): number[] {
  const file = readdirSync(dir).find((f) => f.endsWith(`_${pid}_rtt.csv`));
  if (!file) return [];
  return readFileSync(join(dir, file), 'utf8').split('\n').slice(1).map((l) => Number(l.split(';')[1])).filter((x) => Number.isFinite(x));
}

/** SIPp's successful call count from its -trace_stat file (the last line). */
function successes(dir: string, pid: number | undefined): number {
  const file = readdirSync(dir).find((f) => f.endsWith(`_${pid}_.csv`));
  if (!file) return 0;
  const lines = readFileSync(join(dir, file), 'utf8').trim().split('\n');
  const head = lines[0]!.split(';');
  return Number(lines.at(-1)!.split(';')[head.indexOf('SuccessfulCall(C)')]);
}

async function step(site: Cluster, nodes: number, rate: number, seconds: number): Promise<Step> {
  const callers = site.callers(rate * seconds);
  const before = cpuNow(site);
  const t0 = Date.now();
  const b = site.carrier(callers, {
    talkMs: 1000, rate, port: site.carrierPorts[0]!,
    extra: ['-trace_rtt', '-rtt_freq', '1', '-trace_stat', '-fd', '1'],
  });
  // SIPp's own CPU is read while it runs: once it exits, /proc forgets it.
  let sippCpu = 0;
  const sampler = setInterval(() => { if (b.pid) sippCpu = Math.max(sippCpu, safeCpu(b.pid)); }, 250);
  await Promise.race([b.done, new Promise((r) => setTimeout(r, (seconds + 90) * 1000))]);
  clearInterval(sampler);
  b.kill();
  const wall = Date.now() - t0;
  const after = cpuNow(site);
  const cores: Record<string, number> = {};
  for (const k of Object.keys(after)) cores[k] = (after[k]! - (before[k] ?? 0)) / wall;
  cores['sipp carrier'] = sippCpu / wall;
  const answered = successes(site.dir, b.pid);
  // Rows: every call's `call ended` line, from every controller (a few ms after SIPp's BYE).
  let rows = 0;
  await waitFor(() => {
    const calls = site.callsOf(callers);
    rows = calls.filter((c) => c.outcome === 'answered').length;
    return calls.length >= callers.length && calls.every((c) => c.outcome);
  }, 10_000, 'rows').catch(() => undefined);
  return { nodes, rate, placed: callers.length, answered, rows, latencies: rtts(site.dir, b.pid), cores, load: loadAverage() };
}

const held = (s: Step) => s.answered >= 0.99 * s.placed && s.rows >= s.answered && quantile(s.latencies, 0.99) < 1000;
const busiest = (s: Step) => Object.entries(s.cores).sort((a, b) => b[1] - a[1]).slice(0, 2).map(([k, v]) => `${k} ${fmt(v, 2)}`).join(', ');

export async function run(): Promise<void> {
  const asterisk = locateAsterisk();
  const kamailio = locateKamailio();
  const sipp = locateSipp();
  const missing = [asterisk, kamailio, sipp].find((x) => 'missing' in x) as { missing: string } | undefined;
  if (missing) return void say(`multinode: skipped: ${missing.missing}`);
  const [start, inc, max, seconds] = [num('BENCH_MN_START', 10), num('BENCH_MN_STEP', 10), num('BENCH_MN_MAX', 120), num('BENCH_MN_SECONDS', 10)];
  const steps: Step[] = [];
  for (const nodes of (process.env.BENCH_MN_NODES ?? '1,2').split(',').map(Number)) {
    say(`${nodes} node(s): starting the site (load ${loadAverage()})`);
    const site = new Cluster(asterisk as never, kamailio as never, CONFIG, { nodes, answerMs: 0 });
    try {
      await site.start();
      for (let rate = start; rate <= max; rate += inc) {
        const s = await step(site, nodes, rate, seconds);
        steps.push(s);
        say(`  ${nodes} node(s) ${rate}/s: ${s.answered}/${s.placed} answered, ${s.rows} rows, p50 ${fmt(quantile(s.latencies, 0.5), 1)} ms, p99 ${fmt(quantile(s.latencies, 0.99), 1)} ms, busiest: ${busiest(s)} (load ${s.load})`);
        if (!held(s)) break;
      }
    } finally {
      await site.stop();
    }
  }
  printTable(
    ['nodes', 'rate', 'placed', 'answered', 'rows', 'p50 ms', 'p99 ms', 'held', 'cores: kamailio', 'asterisk (each)', 'controller (each)', 'sipp', 'load avg'],
    steps.map((s) => {
      const each = (prefix: string) => Object.entries(s.cores).filter(([k]) => k.startsWith(prefix)).map(([, v]) => fmt(v, 2)).join(' / ');
      return [s.nodes, `${s.rate}/s`, s.placed, s.answered, s.rows, fmt(quantile(s.latencies, 0.5), 1), fmt(quantile(s.latencies, 0.99), 1), held(s) ? 'yes' : 'no',
        fmt(s.cores.kamailio ?? 0, 2), each('asterisk'), each('controller'), fmt(s.cores['sipp carrier'] ?? 0, 2), s.load];
    }),
  );
  const top = (n: number) => Math.max(0, ...steps.filter((s) => s.nodes === n && held(s)).map((s) => s.rate));
  say(`held: 1 node ${top(1)}/s, 2 nodes ${top(2)}/s, ratio ${top(1) ? fmt(top(2) / top(1), 2) : 'n/a'}`);
}
