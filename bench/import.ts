/**
 * `npm run bench -- import`: `switchboard contacts import` on a 1,000,000-row CSV (BENCH_IMPORT_ROWS),
 * streamed into a fresh SQLite store. Reports rows per second and the process's peak memory while
 * importing, to show the import runs in bounded memory (it does not grow with the file).
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { importContacts } from '../src/contacts/import.js';
import { Store } from '../src/store/index.js';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const USERS = ['alice', 'bob', 'carol'];

async function writeCsv(file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('phone,name,owner,company,notes\n');
  for (let i = 0; i < ROWS; i++) {
    // One row in 10,000 is bad (an unknown owner), so the error path is exercised too.
    const owner = i % 10_000 === 9_999 ? 'nobody' : USERS[i % USERS.length];
    const line = `+1303${String(i).padStart(7, '0')},"Contact ${i}, Esq.",${owner},Company ${i % 977},note ${i}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Run the import benchmark and print its numbers. */
export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-import-'));
  try {
    const csv = path.join(dir, 'contacts.csv');
    await writeCsv(csv);
    const size = (await stat(csv)).size;
    const store = await Store.open(path.join(dir, 'contacts.db'));
    (globalThis as { gc?: () => void }).gc?.();
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 50);
    let lastReport = 0;
    const summary = await importContacts(store, csv, {
      users: new Set(USERS),
      defaultCountry: 'US',
      onProgress: (p) => {
        if (p.rows - lastReport >= 250_000) {
          lastReport = p.rows;
          process.stdout.write(`  ${p.rows.toLocaleString('en-US')} rows, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB\n`);
        }
      },
    });
    clearInterval(sampler);
    await store.close();
    const mb = (b: number) => (b / 1e6).toFixed(0);
    process.stdout.write(
      `rows ${summary.rows.toLocaleString('en-US')} (${mb(size)} MB of CSV): imported ${summary.imported.toLocaleString('en-US')}, skipped ${summary.skipped.toLocaleString('en-US')}\n` +
        `time ${summary.seconds.toFixed(1)} s = ${Math.round(summary.rows / summary.seconds).toLocaleString('en-US')} rows/s\n` +
        `memory: rss ${mb(base.rss)} MB before, peak ${mb(peakRss)} MB; heap ${mb(base.heapUsed)} MB before, peak ${mb(peakHeap)} MB\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
