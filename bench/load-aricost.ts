/**
 * Measurement 4a: what ari-client's event handling costs per event. Recorded frames (the events the
 * simulator sent the controller during the load run) are replayed through ari-client's own
 * WebSocket 'message' listener (processMessage in node_modules/ari-client/lib/client.js: JSON.parse,
 * a linear search of the Swagger event models, a resource instance per Channel/Bridge property,
 * the instance-listener bookkeeping, three emits) and through JSON.parse alone / JSON.parse + one emit
 * (what a plain `ws` client would do). Runs in this process against an in-process simulator, which
 * only serves the Swagger API that ari-client loads; no frame goes over a socket.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { AriSimulator } from '../src/sim/asterisk/index.js';
import { median } from './load-stats.js';

interface AriClientLike extends EventEmitter {
  start(app: string): Promise<void>;
  stop(): void;
  _ws: EventEmitter;
}

/** Cost per event in µs, by path. */
export interface AriCost { events: number; distinctFrames: number; ariClientUs: number; jsonParseUs: number; plainWsUs: number }

function time(n: number, frames: Buffer[], fn: (b: Buffer) => void): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(frames[i % frames.length]!);
  return ((performance.now() - t0) * 1000) / n;
}

/** Replay `events` frames (cycling over `recorded`) through each path; median of `rounds`. */
export async function measureAriCost(recorded: string[], events: number, rounds = 3): Promise<AriCost> {
  if (recorded.length === 0) throw new Error('no recorded frames to replay');
  const sim = await AriSimulator.start({ port: 0, username: 'micro', password: 'micro' });
  const ari = (await import('ari-client')).default as { connect(url: string, u: string, p: string): Promise<AriClientLike> };
  // swagger-client's implicit global `log` prints a deprecation notice per API load (see events.ts).
  const g = globalThis as { log?: unknown };
  if (typeof g.log === 'function') g.log = () => undefined;
  const client = await ari.connect(sim.url, 'micro', 'micro');
  try {
    await client.start('micro');
    const processMessage = client._ws.listeners('message')[0] as (msg: Buffer, isBinary: boolean) => void;
    let sink: unknown = null;
    // The backend's listener (events.ts): forward every event.
    client.on('*', (e: unknown) => (sink = e));
    const plain = new EventEmitter();
    plain.on('event', (e: unknown) => (sink = e));
    const frames = recorded.map((f) => Buffer.from(f));
    const paths: Record<'ari' | 'json' | 'plain', (b: Buffer) => void> = {
      ari: (b) => processMessage(b, false),
      json: (b) => (sink = JSON.parse(b as unknown as string)),
      plain: (b) => plain.emit('event', JSON.parse(b as unknown as string)),
    };
    const results: Record<keyof typeof paths, number[]> = { ari: [], json: [], plain: [] };
    for (const fn of Object.values(paths)) time(Math.min(events, 20_000), frames, fn); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const [k, fn] of Object.entries(paths) as [keyof typeof paths, (b: Buffer) => void][]) {
        (globalThis as { gc?: () => void }).gc?.();
        results[k].push(time(events, frames, fn));
      }
    }
    void sink;
    return { events, distinctFrames: frames.length, ariClientUs: median(results.ari), jsonParseUs: median(results.json), plainWsUs: median(results.plain) };
  } finally {
    try {
      client.stop();
    } catch {
      // already closed
    }
    await sim.stop();
  }
}
