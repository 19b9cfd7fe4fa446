/**
 * Group commit for the call log: every call writes its row and its resumable state several times
 * (start, each ring attempt, answer, end). One transaction per write would queue hundreds of
 * transactions a second behind the store's write lock, and the ring-group cursor take of every new
 * call would wait behind them. Instead, writes are queued per key (the latest value of a key wins,
 * which is what an upsert means anyway) and flushed together, one transaction per flush, while
 * the previous flush is still running. Each caller's promise resolves when its write is durable.
 *
 * The first write of a batch waits a short window before the flush: a call writes its row at
 * start, when the route is planned, as each leg is placed and when it is answered, usually within
 * a few milliseconds; one flush then carries one row instead of four transactions of the same
 * row. Measured on a real Asterisk at 50 calls/s (BENCHMARKS.md, issue 13), SQLite was the largest
 * share of the controller's CPU per call. Nothing waits on these writes on a call's path.
 */
import type { Db } from './db.js';

/** One statement to run for a key: its SQL and parameters, captured when the write was queued. */
export interface PendingWrite {
  sql: string;
  params: unknown[];
}

export class GroupCommit {
  private pending = new Map<string, PendingWrite>();
  private waiters: { resolve(): void; reject(err: unknown): void }[] = [];
  private flushing: Promise<void> | null = null;

  /** `windowMs`: how long the first write of a batch waits for others to join it (0: one turn). */
  constructor(
    private readonly db: Db,
    private readonly windowMs = 0,
  ) {}

  /** Queue a write for `key` (replacing a queued one for the same key); resolves once committed. */
  write(key: string, w: PendingWrite): Promise<void> {
    // Delete-then-set keeps insertion order = order of the latest write, so a state delete queued
    // after a state save for the same key runs last.
    this.pending.delete(key);
    this.pending.set(key, w);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.flushing ??= this.flushLoop();
    return done;
  }

  /** Resolves once everything queued so far is committed. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushLoop(): Promise<void> {
    // Let the writes of this turn of the event loop (or of the window) join the first batch.
    await new Promise((r) => (this.windowMs > 0 ? setTimeout(r, this.windowMs) : setImmediate(r)));
    while (this.pending.size > 0) {
      const batch = [...this.pending.values()];
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      try {
        await this.db.transaction(async (tx) => {
          for (const w of batch) await tx.run(w.sql, w.params);
        });
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    this.flushing = null;
  }
}
