/**
 * `npm run bench -- pg-take`: what exactness across nodes costs one call (spec section 10): the
 * planner plus the one PostgreSQL statement of a round-robin take (`INSERT ... ON CONFLICT DO
 * UPDATE ... RETURNING`), through `PostgresStore.cursors.take` on a private PostgreSQL over its
 * unix socket (test/support/postgres.ts). Rows: the planner alone; the take with one node (the
 * cache is always right); the take with two nodes alternating (every take finds the cursor moved
 * by the other node and plans again, in memory); and the SQLite take for comparison.
 * Calls run one at a time; each is timed with process.hrtime.bigint(); warm-up first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configSchema } from '../src/config/schema.js';
import { planRoute } from '../src/routing/route.js';
import type { SwitchboardStore } from '../src/runtime/store.js';
import { Store } from '../src/store/index.js';
import { PostgresStore } from '../src/store/postgres/index.js';
import { startPostgres } from '../test/support/postgres.js';

const CALLS = Number(process.env.BENCH_TAKES ?? 5000);
const WARMUP = 500;
const TO = '+12025550201';
const config = configSchema.parse({
  users: Array.from({ length: 4 }, (_, i) => ({ id: `u${i}`, name: `U${i}`, extension: `10${i}0` })),
  ringGroups: [{ id: 'rr', strategy: 'round-robin', members: ['u0', 'u1', 'u2', 'u3'] }],
  distributions: [{ id: 'd', steps: ['rr'] }],
  numbers: [{ number: TO, distribution: 'd' }],
});

const plan = (cursors: ReadonlyMap<string, number>) => {
  const r = planRoute({ from: '+12025559999', to: TO }, config, { contact: null, cursors });
  return { result: r.plan, moves: r.cursorMoves };
};

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(label: string, one: (i: number) => Promise<unknown> | unknown): Promise<string> {
  for (let i = 0; i < WARMUP; i++) await one(i);
  (globalThis as { gc?: () => void }).gc?.();
  const us: number[] = [];
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const s = process.hrtime.bigint();
    await one(i);
    us.push(Number(process.hrtime.bigint() - s) / 1000);
  }
  const total = Number(process.hrtime.bigint() - t0) / 1e9;
  us.sort((a, b) => a - b);
  return `| ${label.padEnd(34)} | ${pct(us, 50).toFixed(1).padStart(7)} | ${pct(us, 99).toFixed(1).padStart(7)} | ${Math.round(CALLS / total).toLocaleString('en-US').padStart(8)} |`;
}

export async function run(): Promise<void> {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const server = await startPostgres();
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-bench-take-'));
  const open: SwitchboardStore[] = [];
  try {
    const url = await server.createDatabase('bench');
    const a = await PostgresStore.open(url, { node: 'a', log: quiet });
    const b = await PostgresStore.open(url, { node: 'b', log: quiet });
    const lite = await Store.open(path.join(dir, 'bench.db'));
    open.push(a, b, lite);
    const rows = [
      '| measure                            |  p50 µs |  p99 µs | calls/s  |',
      '|------------------------------------|--------:|--------:|---------:|',
      await time('plan alone', () => plan(new Map([['rr', 1]]))),
      await time('plan + PG take, one node', () => a.cursors.take(plan)),
      await time('plan + PG take, two nodes in turn', (i) => (i % 2 ? b : a).cursors.take(plan)),
      await time('plan + SQLite take (one process)', () => lite.cursors.take(plan)),
    ];
    process.stdout.write(`${CALLS} calls per row, ${WARMUP} warm-up; PostgreSQL over a unix socket, fsync off (test server)\n${rows.join('\n')}\n`);
  } finally {
    for (const s of open) await s.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
