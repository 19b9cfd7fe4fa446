/**
 * The call log and resumable call state in PostgreSQL, one row per (node, call id): a reconcile or
 * a write sent twice rewrites the row in place. Writes go through the store's write queue
 * (write-queue.ts): a call never waits for the database (`upsert` resolves once queued), and
 * while PostgreSQL is down they wait there, bounded, and are written when it is back.
 */
import type { CallRecord } from '../../call/record.js';
import type { CallLogPort, ListCallsOptions } from '../../runtime/store.js';
import { readRecord } from '../calls.js';
import { storeError } from '../db.js';
import type { PgDb } from './db.js';
import type { WriteQueue } from './write-queue.js';

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
  constructor(
    private readonly db: PgDb,
    private readonly node: string,
    private readonly writes: WriteQueue,
  ) {}

  async upsert(record: CallRecord): Promise<void> {
    const r = { ...record, node: this.node };
    this.writes.queue(`call:${record.id}`, {
      sql: UPSERT,
      params: [this.node, record.id, sortableTime(record.startedAt), record.from, record.to, record.outcome, record.answeredBy?.user ?? null, record.answeredBy?.device ?? null, record.durationSeconds, JSON.stringify(r), record.backend, new Date().toISOString()],
    });
  }

  async saveState(id: string, state: unknown): Promise<void> {
    this.writes.queue(`state:${id}`, {
      sql: 'INSERT INTO call_state (node, id, state, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (node, id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at',
      params: [this.node, id, JSON.stringify(state ?? null), new Date().toISOString()],
    });
  }

  async deleteState(id: string): Promise<void> {
    this.writes.queue(`state:${id}`, { sql: 'DELETE FROM call_state WHERE node = $1 AND id = $2', params: [this.node, id] });
  }

  async get(id: string): Promise<CallRecord | null> {
    await this.writes.flush();
    const rows = await this.db.query<{ record: string }>('SELECT record FROM calls WHERE node = $1 AND id = $2', [this.node, id]);
    return rows[0] ? readRecord(rows[0].record, id) : null;
  }

  async list(opts: ListCallsOptions = {}): Promise<CallRecord[]> {
    await this.writes.flush();
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
    await this.writes.flush();
    const rows = await this.db.query('DELETE FROM calls WHERE started_at < $1 AND outcome IS NOT NULL RETURNING id', [before.toISOString()]);
    return rows.length;
  }

  async listStates(): Promise<{ id: string; state: unknown }[]> {
    await this.writes.flush();
    const rows = await this.db.query<{ id: string; state: string }>('SELECT id, state FROM call_state WHERE node = $1 ORDER BY updated_at, id', [this.node]);
    return rows.map((r) => {
      try {
        return { id: r.id, state: JSON.parse(r.state) as unknown };
      } catch (err) {
        throw storeError(new Error(`row ${JSON.stringify(r.id)} holds damaged JSON: ${(err as Error).message}`));
      }
    });
  }

  /** Resolves once every write queued so far is written; rejects at once while PostgreSQL is down. */
  flush(): Promise<void> {
    return this.writes.flush();
  }
}
