/**
 * Child process of the load benchmark: the real controller (Controller.start, the Asterisk backend
 * over ari-client, a SQLite store in a temporary folder, pino at `info` like `switchboard run`,
 * written to the null device so that formatting is paid but no disk), driven over IPC.
 * Start it with `--expose-gc` so `heap` can force a collection before reading heapUsed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { devNull, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { configSchema } from '../src/config/schema.js';
import { Controller } from '../src/controller.js';
import { createLogger } from '../src/log.js';
import { Store } from '../src/store/index.js';
import { serveIpc } from './load-ipc.js';
import { benchConfig, type RealPbx } from './load-config.js';
import { countAriTraffic } from './ari-traffic.js';

// ARI events received and REST requests sent by this process, for the per-call figures.
const traffic = countAriTraffic();

let controller: Controller | null = null;
let profiler: Session | null = null;
let store: Store | null = null;
let dir = '';
const outcomes: Record<string, number> = {};
const loopDelay = monitorEventLoopDelay({ resolution: 2 });
let elu = performance.eventLoopUtilization();

/** The REST pool of the Asterisk backend: sockets open and requests waiting for one. */
function restPool(c: Controller): { sockets: number; queued: number } {
  const agent = (c.backend as { rest?: { agent?: { sockets: NodeJS.ReadOnlyDict<unknown[]>; freeSockets: NodeJS.ReadOnlyDict<unknown[]>; requests: NodeJS.ReadOnlyDict<unknown[]> } } }).rest?.agent;
  if (!agent) return { sockets: 0, queued: 0 };
  const count = (m: NodeJS.ReadOnlyDict<unknown[]>) => Object.values(m).reduce((n, l) => n + (l?.length ?? 0), 0);
  return { sockets: count(agent.sockets) + count(agent.freeSockets), queued: count(agent.requests) };
}

const gc = (globalThis as { gc?: () => void }).gc;

serveIpc({
  async ready(a: { url: string; maxSockets?: number; real?: RealPbx }) {
    dir = mkdtempSync(path.join(tmpdir(), 'switchboard-bench-'));
    const sqlitePath = path.join(dir, 'calls.db');
    store = await Store.open(sqlitePath);
    const config = configSchema.parse(benchConfig(a.url, a.maxSockets, a.real));
    // BENCH_LOAD_LOG=<file> keeps the controller's log (debugging a run); by default it goes nowhere.
    const dest = process.env.BENCH_LOAD_LOG || devNull;
    const log = createLogger({ level: process.env.BENCH_LOAD_LOG_LEVEL ?? 'info', destination: pino.destination({ dest, sync: false }) });
    controller = await Controller.start({
      loaded: { config, file: 'bench.yaml', dir, sqlitePath, warnings: [] },
      log,
      store,
      observer: { callEnded: (r) => void (outcomes[r.outcome ?? 'none'] = (outcomes[r.outcome ?? 'none'] ?? 0) + 1) },
    });
    loopDelay.enable();
    return { pid: process.pid };
  },
  /** Sampled every second: calls in progress, outcomes so far, CPU, event-loop delay since the last sample. */
  counters() {
    const next = performance.eventLoopUtilization();
    const d = performance.eventLoopUtilization(next, elu);
    elu = next;
    const out = {
      active: controller!.activeCalls,
      outcomes: { ...outcomes },
      cpu: process.cpuUsage(),
      elu: d.utilization,
      delayP99Ms: loopDelay.percentile(99) / 1e6,
      delayMaxMs: loopDelay.max / 1e6,
      heapUsed: process.memoryUsage().heapUsed,
      ...restPool(controller!),
      events: traffic.events,
      requests: traffic.requests,
      byType: { ...traffic.byType },
    };
    loopDelay.reset();
    return out;
  },
  /** heapUsed after forced full collections (needs --expose-gc). */
  async heap() {
    if (!gc) throw new Error('start the controller process with --expose-gc');
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    const m = process.memoryUsage();
    return { heapUsed: m.heapUsed, rss: m.rss, external: m.external };
  },
  /** Call-log rows that started at or after `since` (ISO), counted by outcome. */
  async rows(a: { since: string }) {
    const list = await store!.calls.list({ since: new Date(a.since) });
    const by: Record<string, number> = {};
    for (const r of list) by[r.outcome ?? 'in progress'] = (by[r.outcome ?? 'in progress'] ?? 0) + 1;
    return by;
  },
  /**
   * Start V8's CPU profiler (the one --cpu-prof uses) over the inspector protocol, so that the
   * profile covers the measured window only, not start-up (tsx compiling TypeScript).
   */
  async profileStart() {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  },
  /** Stop the profiler; write the .cpuprofile into `dir` and return its path. */
  async profileStop(a: { dir: string }) {
    if (!profiler) throw new Error('profiler not started');
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = null;
    const file = path.join(a.dir, `controller-${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  },
  async exit() {
    await controller?.stop(2000).catch(() => undefined);
    await store?.close().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
    // A normal exit, so that --cpu-prof writes its profile.
    setImmediate(() => process.exit(0));
  },
});
