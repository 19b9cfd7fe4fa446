/**
 * The call log and resumable call state in PostgreSQL, one row per (node, call id): a reconcile or
 * a write sent twice rewrites the row in place. Writes are queued per key (the latest value of a
 * key wins, as with the SQLite group commit) and written in one transaction per flush. While
 * PostgreSQL is down or slow the queue holds them and retries; a call never waits for the
 * database (`upsert` resolves once queued). The queue is bounded: past `maxQueued` keys the oldest
 * write is dropped, counted (/metrics) and logged.
 */
import type { CallRecord } from '../../call/record.js';
import type { Logger } from '../../log.js';
import type { CallLogPort, ListCallsOptions } from '../../runtime/store.js';
import { readRecord } from '../calls.js';
import { storeError } from '../db.js';
import type { PgDb } from './db.js';

interface PendingWrite {
  sql: string;
  params: unknown[];
}

function sortableTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString();
}

const UPSERT = `INSERT INTO calls (node, id, started_at, from_number, to_number, outcome, answered_user, answered_device, duration, record, backend, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
  ON CONFLICT (node, id) DO UPDATE SET started_at = EXCLUDED.started_at, from_number = EXCLUDED.from_number, to_number = EXCLUDED.to_number,
    outcome = EXCLUDED.outcome, answered_user = EXCLUDED.answered_user, answered_device = EXCLUDED.answered_device, duration = EXCLUDED.duration,
    record = EXCLUDED.record, backend = EXCLUDED.backend, updated_at = EXCLUDED.updated_at`;

export class PgCallStore implements CallLogPort {
  private pending = new Map<string, PendingWrite>();
  private flushing: Promise<void> | null = null;
  private closed = false;
  private retryMs = 100;
  private failing = false;
  private wake: (() => void) | null = null;
  private inFlight = 0;
  overflowed = 0;

  constructor(
    private readonly db: PgDb,
    private readonly node: string,
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

  async upsert(record: CallRecord): Promise<void> {
    const r = { ...record, node: this.node };
    this.queue(`call:${record.id}`, {
      sql: UPSERT,
      params: [this.node, record.id, sortableTime(record.startedAt), record.from, record.to, record.outcome, record.answeredBy?.user ?? null, record.answeredBy?.device ?? null, record.durationSeconds, JSON.stringify(r), record.backend, new Date().toISOString()],
    });
  }

  async saveState(id: string, state: unknown): Promise<void> {
    this.queue(`state:${id}`, {
      sql: 'INSERT INTO call_state (node, id, state, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (node, id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at',
      params: [this.node, id, JSON.stringify(state ?? null), new Date().toISOString()],
    });
  }

  async deleteState(id: string): Promise<void> {
    this.queue(`state:${id}`, { sql: 'DELETE FROM call_state WHERE node = $1 AND id = $2', params: [this.node, id] });
  }

  async get(id: string): Promise<CallRecord | null> {
    await this.flush();
    const rows = await this.db.query<{ record: string }>('SELECT record FROM calls WHERE node = $1 AND id = $2', [this.node, id]);
    return rows[0] ? readRecord(rows[0].record, id) : null;
  }

  async list(opts: ListCallsOptions = {}): Promise<CallRecord[]> {
    await this.flush();
    const conds: string[] = [];
    const params: unknown[] = [];
    if (opts.since) conds.push(`started_at >= $${params.push(opts.since.toISOString())}`);
    if (opts.node !== undefined) conds.push(`node = $${params.push(opts.node)}`);
    const where = conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '';
    const limit = opts.limit !== undefined && Number.isFinite(opts.limit) ? `LIMIT ${Math.max(0, Math.trunc(opts.limit))}` : '';
    const rows = await this.db.query<{ id: string; record: string }>(`SELECT id, record FROM calls ${where} ORDER BY started_at DESC, seq DESC ${limit}`, params);
    return rows.map((r) => readRecord(r.record, r.id));
  }

  async pruneEnded(before: Date): Promise<number> {
    await this.flush();
    const rows = await this.db.query('DELETE FROM calls WHERE started_at < $1 AND outcome IS NOT NULL RETURNING id', [before.toISOString()]);
    return rows.length;
  }

  async listStates(): Promise<{ id: string; state: unknown }[]> {
    await this.flush();
    const rows = await this.db.query<{ id: string; state: string }>('SELECT id, state FROM call_state WHERE node = $1 ORDER BY updated_at, id', [this.node]);
    return rows.map((r) => {
      try {
        return { id: r.id, state: JSON.parse(r.state) as unknown };
      } catch (err) {
        throw storeError(new Error(`row ${JSON.stringify(r.id)} holds damaged JSON: ${(err as Error).message}`));
      }
    });
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
    if (this.pending.size > 0) this.log.error({ lost: this.pending.size }, 'call-log writes still queued at stop (PostgreSQL down): not written');
    await this.flushing;
  }

  private queue(key: string, w: PendingWrite): void {
    if (this.closed) return;
    this.pending.delete(key);
    this.pending.set(key, w);
    this.trim();
    this.flushing ??= this.flushLoop();
  }

  /** Drop the oldest writes past the bound, counted and logged. */
  private trim(): void {
    while (this.pending.size > this.maxQueued) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      this.overflowed++;
      if (this.overflowed === 1 || this.overflowed % 1000 === 0) this.log.error({ dropped: this.overflowed, maxQueued: this.maxQueued }, 'call-log write queue full (PostgreSQL down): oldest write dropped');
    }
  }

  private async writeOneByOne(batch: Map<string, PendingWrite>): Promise<void> {
    for (const [key, w] of batch) {
      try {
        await this.db.query(w.sql, w.params);
      } catch (err) {
        if (!this.db.up) {
          if (!this.pending.has(key)) this.pending.set(key, w);
          continue;
        }
        this.log.error({ err: (err as Error).message, key }, 'call-log write refused by PostgreSQL: dropped');
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
        if (this.failing) this.log.info({ written: batch.size }, 'call-log writes written again (PostgreSQL is back)');
        this.failing = false;
        this.retryMs = 100;
        this.inFlight = 0;
      } catch (err) {
        this.inFlight = 0;
        if (this.db.up) {
          // A statement was refused (not the connection): write them one by one, drop only what is refused.
          await this.writeOneByOne(batch);
          continue;
        }
        // Keep them, in front of anything queued since (a newer write of the same key wins); retry with back-off.
        const merged = new Map<string, PendingWrite>();
        for (const [k, w] of batch) if (!this.pending.has(k)) merged.set(k, w);
        for (const [k, w] of this.pending) merged.set(k, w);
        this.pending = merged;
        this.trim();
        if (!this.failing) this.log.warn({ err: (err as Error).message, queued: this.pending.size }, 'call-log write failed: queued, retrying');
        this.failing = true;
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
