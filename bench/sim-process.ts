/**
 * Child process of the load benchmark: the ARI simulator, driven over IPC (bench/load-ipc.ts).
 * It places inbound calls at a fixed rate and times each call with its own clock:
 * - StasisStart of the inbound channel: when the simulator emits it (right after the WebSocket send),
 * - the first originate (POST /ari/channels?originator=<that channel>): when Node hands the request
 *   to the server, seen by wrapping http.Server#emit('request') in this process only (the simulator's
 *   source stays untouched; its `originates()` timestamps have 1 ms resolution, too coarse here),
 * - the bridge: the simulator's 'bridged' event.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { AriSimulator, type SimEventRecord } from '../src/sim/asterisk/index.js';
import { serveIpc } from './load-ipc.js';
import { BENCH_ARI, callerNumber, calledNumber, deskOf } from './load-config.js';

const LEG_ARG = 'switchboard-leg';

const stasisAt = new Map<string, number>();
const originateAt = new Map<string, number>();
const bridgedAt = new Map<string, number>();
const held: string[] = [];
let sim: AriSimulator | null = null;
let delivered = 0;
let placedTotal = 0;
let placeErrors = 0;
let recording: string[] | null = null;
let recordLimit = 0;

// Wrap the request dispatch of every http.Server in this process (there is one: the simulator's).
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'request') {
    const req = args[0] as http.IncomingMessage;
    const url = req.url ?? '';
    const at = url.indexOf('originator=');
    if (req.method === 'POST' && at > 0 && url.startsWith('/ari/channels?')) {
      const end = url.indexOf('&', at);
      const id = decodeURIComponent(url.slice(at + 11, end < 0 ? undefined : end));
      if (!originateAt.has(id)) originateAt.set(id, performance.now());
    }
  }
  return (emit as (this: http.Server, e: string | symbol, ...a: unknown[]) => boolean).call(this, event, ...args);
} as typeof http.Server.prototype.emit;

function onEvent(r: SimEventRecord): void {
  if (!r.delivered) return;
  delivered++;
  const e = r.event as { type?: string; args?: string[]; channel?: { id?: string } };
  if (e.type === 'StasisStart' && e.channel?.id && !(e.args ?? []).includes(LEG_ARG)) stasisAt.set(e.channel.id, performance.now());
  if (recording && recording.length < recordLimit) recording.push(JSON.stringify(r.event));
}

function onBridged(b: { channels: string[] }): void {
  const now = performance.now();
  for (const id of b.channels) if (stasisAt.has(id) && !bridgedAt.has(id)) bridgedAt.set(id, now);
}

/** Place `count` calls (or `rate` x `durationMs`) at a fixed rate; resolves when the last is placed. */
function placeAtRate(o: { rate: number; durationMs: number; hangupAfterMs?: number; count?: number; keep?: boolean }): Promise<{ placed: number; errors: number; lateMs: number }> {
  const s = sim!;
  const total = o.count ?? Math.round((o.rate * o.durationMs) / 1000);
  const t0 = performance.now();
  let placed = 0;
  let errors = 0;
  let lateMs = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) * o.rate) / 1000) + 1);
      // How far the generator itself fell behind (this process is busy too).
      if (due - placed > 1) lateMs = Math.max(lateMs, ((due - placed - 1) * 1000) / o.rate);
      for (; placed < due; placed++) {
        const n = placedTotal++;
        s.placeInboundCall({ from: callerNumber(n), to: calledNumber(n), ...(o.hangupAfterMs !== undefined ? { hangupAfterMs: o.hangupAfterMs } : {}) })
          .then((c) => void (o.keep && held.push(c.pstnChannelId)))
          .catch(() => void (errors++, placeErrors++));
      }
      if (placed >= total) {
        clearInterval(timer);
        resolve({ placed, errors, lateMs: Math.round(lateMs) });
      }
    };
    const timer = setInterval(tick, 2);
    tick();
  });
}

/** Per-call latencies of the calls measured since the last `mark`. */
function latencies(): { stasis: number; originated: number; bridged: number; setupMs: number[]; bridgeMs: number[] } {
  const setupMs: number[] = [];
  const bridgeMs: number[] = [];
  for (const [id, t] of stasisAt) {
    const o = originateAt.get(id);
    if (o !== undefined) setupMs.push(o - t);
    const b = bridgedAt.get(id);
    if (b !== undefined) bridgeMs.push(b - t);
  }
  return { stasis: stasisAt.size, originated: setupMs.length, bridged: bridgeMs.length, setupMs, bridgeMs };
}

serveIpc({
  async ready(a: { username: string; password: string }) {
    sim = await AriSimulator.start({ port: 0, username: a.username, password: a.password, app: BENCH_ARI.app });
    sim.events.on('event', onEvent);
    sim.events.on('bridged', onBridged);
    return { url: sim.url };
  },
  /** Every user's desk phone answers after `answerMs[i]`, or never (`noanswer`). */
  devices(a: { users: number; mode: 'answer' | 'noanswer'; maxAnswerMs: number }) {
    for (let i = 0; i < a.users; i++) {
      const afterMs = Math.round((i * a.maxAnswerMs) / Math.max(1, a.users - 1));
      sim!.setDevice(`PJSIP/${deskOf(i)}`, a.mode === 'answer' ? { kind: 'answer', afterMs } : { kind: 'noanswer' });
    }
  },
  /** Forget the timings measured so far (the next step starts clean). */
  mark() {
    stasisAt.clear();
    originateAt.clear();
    bridgedAt.clear();
    delivered = 0;
  },
  place: (a: Parameters<typeof placeAtRate>[0]) => placeAtRate(a),
  stats() {
    return { ...latencies(), delivered, liveChannels: sim!.channels().length, placeErrors, heldCount: held.length, cpu: process.cpuUsage() };
  },
  /** Cheap counters only (sampled every second during a step). */
  counters() {
    return { delivered, stasis: stasisAt.size, originated: originateAt.size, bridged: bridgedAt.size, cpu: process.cpuUsage(), sessions: sim!.openHttpSessions(), peakSessions: sim!.peakHttpSessions() };
  },
  /** Hang up every held caller, `rate` per second. */
  async release(a: { rate: number }) {
    const ids = held.splice(0);
    const t0 = performance.now();
    for (let i = 0; i < ids.length; i++) {
      await sim!.hangup(ids[i]!).catch(() => undefined);
      const ahead = (i * 1000) / a.rate - (performance.now() - t0);
      if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
    }
    return ids.length;
  },
  record(a: { limit: number }) {
    recording = [];
    recordLimit = a.limit;
  },
  frames() {
    const out = recording ?? [];
    recording = null;
    return out;
  },
  async exit() {
    await sim?.stop();
    setImmediate(() => process.exit(0));
  },
});
