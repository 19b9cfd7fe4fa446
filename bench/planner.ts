/**
 * Decision latency: contact look-up (SQLite, 1,000,000 contacts) + planRoute, per inbound call.
 * Also the planner alone and the look-up alone, to show where the time goes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configSchema, type Config } from '../src/config/schema.js';
import type { ContactRef } from '../src/routing/plan.js';
import { planRoute } from '../src/routing/route.js';
import { OwnerIndex } from '../src/contacts/owner-index.js';
import { resolveContact } from '../src/contacts/resolve.js';
import { silentLogger } from '../src/log.js';
import { Store, type ContactRow } from '../src/store/index.js';
import sqlite3 from 'sqlite3';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 1_000_000);
const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 100_000);
const WARMUP = 10_000;
const TARGET_P99_US = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BATCH = 10_000;
const USERS = 20;

/** A deterministic PRNG (mulberry32) so runs are comparable. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const knownPhone = (i: number): string => `+1202${String(1_000_000 + i).padStart(7, '0')}`;
const unknownPhone = (i: number): string => `+1303${String(1_000_000 + i).padStart(7, '0')}`;

function benchConfig(): Config {
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: `u${i}`,
    name: `User ${i}`,
    extension: String(1000 + i),
    ...(i % 2 === 0 ? { mobile: `+1202555${String(1000 + i)}` } : {}),
    ...(i % 3 === 0 ? { app: `u${i}-app` } : {}),
  }));
  return configSchema.parse({
    company: { name: 'Bench', phone: '+12025550100', voicemail: '9000' },
    users,
    numbers: [
      { number: '+12025550200', user: 'u1', forwardTo: '+12025550300', alsoRing: ['u2'], fallthrough: true },
      { number: '+12025550201', distribution: 'sales' },
      { number: '+12025550202', user: 'u3', preferContactOwner: true },
    ],
    ringGroups: [
      { id: 'rr', strategy: 'round-robin', members: ['u4', 'u5', 'u6', 'u7'] },
      { id: 'lin', strategy: 'linear', members: ['u8', 'u9', 'u10'] },
      { id: 'all', strategy: 'simultaneous', members: ['u11', 'u12', 'u13'] },
    ],
    distributions: [{ id: 'sales', steps: ['rr', 'lin', { group: 'all', ringSeconds: 30 }] }],
  });
}

const TOS = ['+12025550200', '+12025550201', '+12025550202', '+12025550299'];

function stats(ns: Float64Array): { p50: number; p99: number; mean: number } {
  const sorted = Float64Array.from(ns).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! / 1000;
  return { p50: at(0.5), p99: at(0.99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length / 1000 };
}

async function fill(store: Store): Promise<void> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < CONTACTS; i += BATCH) {
    const rows: ContactRow[] = [];
    for (let j = i; j < Math.min(CONTACTS, i + BATCH); j++) rows.push({ phone: knownPhone(j), name: `Contact ${j}`, owner: `u${j % USERS}`, fields: {} });
    await store.contacts.upsertBatch(rows);
    if ((i + BATCH) % 100_000 === 0 || i + BATCH >= CONTACTS) {
      const s = Number(process.hrtime.bigint() - started) / 1e9;
      process.stdout.write(`  contacts: ${Math.min(CONTACTS, i + BATCH).toLocaleString('en-US')} (${s.toFixed(1)} s)\n`);
    }
  }
}

type Measure = (i: number) => Promise<void> | void;

async function measure(name: string, n: number, fn: Measure): Promise<{ name: string; p50: number; p99: number; perSecond: number }> {
  for (let i = 0; i < WARMUP; i++) await fn(i);
  (globalThis as { gc?: () => void }).gc?.();
  const ns = new Float64Array(n);
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    ns[i] = Number(process.hrtime.bigint() - t0);
  }
  const total = Number(process.hrtime.bigint() - started) / 1e9;
  const s = stats(ns);
  return { name, p50: s.p50, p99: s.p99, perSecond: n / total };
}

/** Run the planner benchmark and print its table. */
export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-bench-'));
  const store = await Store.open(path.join(dir, 'bench.db'));
  try {
    const config = benchConfig();
    process.stdout.write(`filling a temp store with ${CONTACTS.toLocaleString('en-US')} contacts\n`);
    await fill(store);

    const random = rng(42);
    // Half known callers, half unknown; every call to one of four numbers (one not in the config).
    const phones = Array.from({ length: DECISIONS + WARMUP }, () => {
      const k = Math.floor(random() * CONTACTS);
      return random() < 0.5 ? knownPhone(k) : unknownPhone(k);
    });
    const tos = Array.from({ length: DECISIONS + WARMUP }, () => TOS[Math.floor(random() * TOS.length)]!);
    const cursors = new Map<string, number>([['rr', 1], ['lin', 2]]);
    const contacts: Array<ContactRef | null> = phones.map((p, i) => (p.startsWith('+1202') ? { phone: p, owner: `u${i % USERS}` } : null));

    // A second, raw connection: `SELECT 1` through node-sqlite3 is the driver's round trip alone
    // (main thread -> libuv worker -> main thread), with no B-tree work.
    const raw = new sqlite3.Database(path.join(dir, 'bench.db'), sqlite3.OPEN_READONLY);
    const ping = raw.prepare('SELECT 1 AS one');
    const roundTrip = () => new Promise<void>((resolve, reject) => ping.get([], (err) => (err ? reject(err) : resolve())));

    // What the controller uses: the in-memory owner index (src/contacts/owner-index.ts), loaded from
    // the store the way a starting controller loads it; its heap cost is printed with the table.
    (globalThis as { gc?: () => void }).gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const index = new OwnerIndex(store.contacts, silentLogger(), 3_600_000);
    const loadStarted = Date.now();
    index.start();
    await index.ready();
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    (globalThis as { gc?: () => void }).gc?.();
    const indexMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
    const userIds = new Set(config.users.map((u) => u.id));

    const parts: Array<[string, Measure]> = [
      ['plan alone', (i) => void planRoute({ from: phones[i]!, to: tos[i]! }, config, { contact: contacts[i]!, cursors })],
      ['sqlite3 SELECT 1', () => roundTrip()],
      ['look-up alone', async (i) => void (await store.contacts.get(phones[i]!))],
      [
        'look-up + plan',
        async (i) => {
          const from = phones[i]!;
          const c = await store.contacts.get(from);
          const contact = c?.owner ? { phone: c.phone, owner: c.owner } : null;
          planRoute({ from, to: tos[i]! }, config, { contact, cursors });
        },
      ],
      [
        'index + plan',
        async (i) => {
          const from = phones[i]!;
          const contact = await resolveContact({ store, users: userIds, index }, from);
          planRoute({ from, to: tos[i]! }, config, { contact, cursors });
        },
      ],
    ];
    const results = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, fn] of parts) results.push({ round, ...(await measure(name, DECISIONS, fn)) });
    }
    await new Promise<void>((resolve) => ping.finalize(() => raw.close(() => resolve())));

    process.stdout.write(`\n${'round'.padEnd(6)}${'measure'.padEnd(18)} ${'p50 µs'.padStart(9)} ${'p99 µs'.padStart(9)} ${'per second'.padStart(12)}\n`);
    for (const r of results) {
      process.stdout.write(`${String(r.round).padEnd(6)}${r.name.padEnd(18)} ${r.p50.toFixed(1).padStart(9)} ${r.p99.toFixed(1).padStart(9)} ${Math.round(r.perSecond).toLocaleString('en-US').padStart(12)}\n`);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    process.stdout.write('\nmedian over rounds:\n');
    for (const [name] of parts) {
      const rows = results.filter((r) => r.name === name);
      process.stdout.write(`      ${name.padEnd(18)} ${median(rows.map((r) => r.p50)).toFixed(1).padStart(9)} ${median(rows.map((r) => r.p99)).toFixed(1).padStart(9)} ${Math.round(median(rows.map((r) => r.perSecond))).toLocaleString('en-US').padStart(12)}\n`);
    }
    await index.stop();
    const p99 = median(results.filter((r) => r.name === 'index + plan').map((r) => r.p99));
    process.stdout.write(`target p99 < ${TARGET_P99_US} µs per decision: ${p99 < TARGET_P99_US ? 'met' : 'NOT met'} (median p99 ${p99.toFixed(1)} µs)\n`);
    process.stdout.write(`owner index of ${CONTACTS.toLocaleString('en-US')} contacts: ${indexMb.toFixed(0)} MB of heap, loaded in ${loadSeconds.toFixed(1)} s\n`);
    process.stdout.write(`(${DECISIONS.toLocaleString('en-US')} decisions per row after ${WARMUP.toLocaleString('en-US')} warm-up; one at a time; half known callers)\n`);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}
