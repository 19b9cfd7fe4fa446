/**
 * The PostgreSQL store's writes behind the call (the call log, call state, the groups' answer
 * history), queued per key: the latest value of a key wins, as with the SQLite group commit, and a
 * flush writes the batch in one transaction. While PostgreSQL is down or slow the queue holds them
 * and retries with back-off; a call never waits for the database. The queue is bounded: past
 * `maxQueued` keys the oldest write is dropped, counted (/metrics) and logged.
 *
 * `queue` returns nothing (the call log: done once queued); `queueAndWait` resolves once the
 * write is in the database (or a newer write of its key is), and rejects when it is dropped.
 */
import type { Logger } from '../../log.js';
import { storeError } from '../db.js';
import type { PgDb } from './db.js';

export interface PendingWrite {
  sql: string;
  params: unknown[];
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

interface Entry extends PendingWrite {
  waiters: Waiter[];
}

export class WriteQueue {
  private pending = new Map<string, Entry>();
  private flushing: Promise<void> | null = null;
  private closed = false;
  private retryMs = 100;
  private failing = false;
  private wake: (() => void) | null = null;
  private inFlight = 0;
  overflowed = 0;

  constructor(
    private readonly db: PgDb,
    private readonly log: Pick<Logger, 'warn' | 'info' | 'error'>,
    private readonly maxQueued = 10_000,
  ) {
    // Back up: write what waited at once, not after the current back-off.
    db.onHealth((up) => {
      if (up) this.wake?.();
    });
  }

  /** Writes waiting to be written (those of the flush in flight included). */
  get queued(): number {
    return this.pending.size + this.inFlight;
  }

  queue(key: string, w: PendingWrite): void {
    this.put(key, w, null);
  }

  queueAndWait(key: string, w: PendingWrite): Promise<void> {
    return new Promise((resolve, reject) => this.put(key, w, { resolve, reject }));
  }

  /**
   * Resolves once the queue is empty. While PostgreSQL is down it rejects at once (the rows stay
   * queued): a reader must not hang on a database that is not there.
   */
  async flush(): Promise<void> {
    while (this.flushing) {
      if (!this.db.up) throw storeError(new Error(this.db.reason ?? 'PostgreSQL is down'));
      await Promise.race([this.flushing, new Promise((r) => setTimeout(r, 50))]);
    }
  }

  /** Stop: try to write what is queued for up to `ms`, then give up on it (logged). */
  async close(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.flushing && Date.now() < deadline) await Promise.race([this.flushing, new Promise((r) => setTimeout(r, 50))]);
    this.closed = true;
    this.wake?.();
    await this.flushing;
    if (this.pending.size > 0) this.log.error({ lost: this.pending.size }, 'store writes still queued at stop (PostgreSQL down): not written');
    for (const e of this.pending.values()) settle(e, storeError(new Error('not written: the store closed while PostgreSQL was down')));
    this.pending.clear();
  }

  private put(key: string, w: PendingWrite, waiter: Waiter | null): void {
    if (this.closed) {
      waiter?.reject(storeError(new Error('the store is closed')));
      return;
    }
    // A newer write of a key supersedes the older: whoever waited for the older waits for it.
    const waiters = this.pending.get(key)?.waiters ?? [];
    if (waiter) waiters.push(waiter);
    this.pending.delete(key);
    this.pending.set(key, { sql: w.sql, params: w.params, waiters });
    this.trim();
    this.flushing ??= this.flushLoop();
  }

  /** Drop the oldest writes past the bound, counted and logged. */
  private trim(): void {
    while (this.pending.size > this.maxQueued) {
      const [oldest, entry] = this.pending.entries().next().value as [string, Entry];
      this.pending.delete(oldest);
      this.overflowed++;
      settle(entry, storeError(new Error(`dropped: the write queue is full (${this.maxQueued}) while PostgreSQL is down`)));
      if (this.overflowed === 1 || this.overflowed % 1000 === 0) this.log.error({ dropped: this.overflowed, maxQueued: this.maxQueued }, 'store write queue full (PostgreSQL down): oldest write dropped');
    }
  }

  private async writeOneByOne(batch: Map<string, Entry>): Promise<void> {
    for (const [key, e] of batch) {
      try {
        await this.db.query(e.sql, e.params);
        settle(e);
      } catch (err) {
        if (!this.db.up) {
          const newer = this.pending.get(key);
          if (newer) newer.waiters.unshift(...e.waiters);
          else this.pending.set(key, e);
          continue;
        }
        this.log.error({ err: (err as Error).message, key }, 'store write refused by PostgreSQL: dropped');
        settle(e, err as Error);
      }
    }
  }

  private async flushLoop(): Promise<void> {
    await new Promise((r) => setImmediate(r)); // this turn's writes join the first batch
    while (this.pending.size > 0 && !this.closed) {
      const batch = this.pending;
      this.pending = new Map();
      this.inFlight = batch.size;
      try {
        await this.db.transaction(async (tx) => {
          for (const w of batch.values()) await tx.query(w.sql, w.params);
        });
        if (this.failing) this.log.info({ written: batch.size }, 'store writes written again (PostgreSQL is back)');
        this.failing = false;
        this.retryMs = 100;
        this.inFlight = 0;
        for (const e of batch.values()) settle(e);
      } catch (err) {
        this.inFlight = 0;
        if (this.db.up) {
          // A statement was refused (not the connection): write them one by one, drop only what is refused.
          await this.writeOneByOne(batch);
          continue;
        }
        // Keep them, in front of anything queued since (a newer write of the same key wins); retry with back-off.
        const merged = new Map<string, Entry>();
        for (const [k, e] of batch) {
          const newer = this.pending.get(k);
          if (newer) newer.waiters.unshift(...e.waiters);
          else merged.set(k, e);
        }
        for (const [k, e] of this.pending) merged.set(k, e);
        this.pending = merged;
        this.trim();
        if (!this.failing) this.log.warn({ err: (err as Error).message, queued: this.pending.size }, 'store writes failed: queued, retrying');
        this.failing = true;
        if (this.closed) break;
        await new Promise<void>((r) => {
          const t = setTimeout(r, this.retryMs);
          this.wake = () => {
            clearTimeout(t);
            r();
          };
        });
        this.wake = null;
        this.retryMs = Math.min(this.retryMs * 2, 2000);
      }
    }
    this.flushing = null;
  }
}

function settle(e: Entry, err?: Error): void {
  for (const w of e.waiters.splice(0)) {
    if (err) w.reject(err);
    else w.resolve();
  }
}
