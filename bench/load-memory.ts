/**
 * Measurement 3: the controller's heap with 1,000 and 5,000 calls in progress. Every desk phone
 * rings and never answers (ring time 600 s), so each call holds one ringing leg: a session, an
 * AsteriskCall with its leg, timers, the id routing entries and the call-log row in flight.
 * heapUsed is read after forced full GCs in the controller process, minus the idle baseline.
 */
import type { Child } from './load-ipc.js';
import { pollUntil } from './load-stats.js';
import { USERS } from './load-config.js';

interface Heap { heapUsed: number; rss: number; external: number }

/** One row of the memory table. */
export interface MemoryRow { calls: number; reached: boolean; heapMb: number; deltaMb: number; perThousandMb: number; rssMb: number }

const MB = 1024 * 1024;
const PLACE_RATE = 1000;

/** Hold `levels` calls in progress one level after the other; then release them all. */
export async function measureMemory(sim: Child, ctl: Child, levels: number[]): Promise<{ baseline: Heap; stuck: number; rows: MemoryRow[]; afterMb: number; released: boolean }> {
  await sim.call('devices', { users: USERS, mode: 'noanswer', maxAnswerMs: 0 });
  const active = async () => (await ctl.call<{ active: number }>('counters')).active;
  await pollUntil(async () => (await active()) === 0, 5_000);
  // Calls an overloaded step left stuck (see BENCHMARKS.md) stay in the baseline; count from them.
  const stuck = await active();
  const baseline = await ctl.call<Heap>('heap');
  const rows: MemoryRow[] = [];
  await sim.call('mark');
  let held = 0;
  for (const level of levels) {
    const more = level - held;
    await sim.call('place', { rate: PLACE_RATE, count: more, durationMs: 0, keep: true }, 60_000);
    held = level;
    // Every call is in progress once its leg has been originated (the session then waits on the ring).
    const reached = await pollUntil(async () => {
      const [c, s] = await Promise.all([ctl.call<{ active: number }>('counters'), sim.call<{ originated: number }>('counters')]);
      return c.active >= stuck + level && s.originated >= level;
    }, 30_000);
    const h = await ctl.call<Heap>('heap');
    const delta = (h.heapUsed - baseline.heapUsed) / MB;
    rows.push({ calls: level, reached, heapMb: h.heapUsed / MB, deltaMb: delta, perThousandMb: (delta * 1000) / level, rssMb: h.rss / MB });
  }
  await sim.call('release', { rate: 5000 }, 60_000);
  const released = await pollUntil(async () => (await active()) <= stuck, 30_000);
  const after = await ctl.call<Heap>('heap');
  await sim.call('devices', { users: USERS, mode: 'answer', maxAnswerMs: 50 });
  return { baseline, stuck, rows, afterMb: (after.heapUsed - baseline.heapUsed) / MB, released };
}
