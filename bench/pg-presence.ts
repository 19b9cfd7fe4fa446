/**
 * `npm run bench -- pg-presence`: how long a node's presence takes to reach another node (spec
 * section 10: lag under half a second), by the size of the state: bridged users plus registered
 * endpoints, from one NOTIFY to many (a state over 8000 bytes goes in parts, src/store/postgres/
 * presence-wire.ts). Two PresenceBus instances on a private PostgreSQL over its unix socket
 * (test/support/postgres.ts); each round publishes a state with a new marker user and waits on
 * the other bus until it counts that user (polled on every event-loop turn). Rounds run one at a
 * time; 3 warm-up rounds per row.
 */
import { nodeTaken, PostgresStore } from '../src/store/postgres/index.js';
import { PresenceBus } from '../src/store/postgres/presence.js';
import { encodePresence } from '../src/store/postgres/presence-wire.js';
import { startPostgres } from '../test/support/postgres.js';

const ROUNDS = Number(process.env.BENCH_PRESENCE_ROUNDS ?? 50);
const WARMUP = 3;
const SIZES: readonly [number, number][] = [
  [10, 20],
  [300, 600],
  [1000, 2000],
  [2000, 5000],
];

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<void> {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const server = await startPostgres();
  let a: PresenceBus | null = null;
  let b: PresenceBus | null = null;
  try {
    const url = await server.createDatabase('bench_presence');
    await (await PostgresStore.open(url, { node: 'setup', log: quiet })).close(); // migrated
    a = await PresenceBus.start(url, 'a', quiet, () => nodeTaken('a'), { heartbeatMs: 3_600_000 });
    b = await PresenceBus.start(url, 'b', quiet, () => nodeTaken('b'), { heartbeatMs: 3_600_000 });
    const rows = ['| users | endpoints | state bytes | NOTIFYs | p50 ms | p99 ms | max ms |', '|------:|----------:|------------:|--------:|-------:|-------:|-------:|'];
    for (const [users, endpoints] of SIZES) {
      const names = Array.from({ length: users }, (_, i) => `user-${i}`);
      const registered = Array.from({ length: endpoints }, (_, i) => `desk-${i}`);
      const { payloads } = encodePresence('a', 1, { users: names, inUse: [], registered });
      const bytes = payloads.reduce((n, p) => n + Buffer.byteLength(p), 0);
      const ms: number[] = [];
      for (let r = 0; r < WARMUP + ROUNDS; r++) {
        const marker = `marker-${users}-${r}`;
        const t0 = process.hrtime.bigint();
        a.publish({ users: [...names, marker], inUse: [], registered });
        while (!b.has(marker)) await new Promise((res) => setImmediate(res));
        if (r >= WARMUP) ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      ms.sort((x, y) => x - y);
      rows.push(`| ${String(users).padStart(5)} | ${String(endpoints).padStart(9)} | ${bytes.toLocaleString('en-US').padStart(11)} | ${String(payloads.length).padStart(7)} | ${pct(ms, 50).toFixed(1).padStart(6)} | ${pct(ms, 99).toFixed(1).padStart(6)} | ${ms.at(-1)!.toFixed(1).padStart(6)} |`);
    }
    process.stdout.write(`${ROUNDS} rounds per row, ${WARMUP} warm-up; PostgreSQL over a unix socket, fsync off (test server)\n${rows.join('\n')}\n`);
  } finally {
    await a?.stop();
    await b?.stop();
    await server.stop();
  }
}
