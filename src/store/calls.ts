/** The call log (one row per call, spec section 3) and the state kept to resume calls after a restart. */
import type { CallRecord } from '../call/record.js';
import type { CallLogPort, ListCallsOptions } from '../runtime/store.js';
import { storeError, type Db } from './db.js';
import { GroupCommit } from './group-commit.js';

export type { ListCallsOptions };

/** ISO 8601 in UTC so that the text column sorts in time order; anything unparsable is kept as is. */
function sortableTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString();
}

/** Parse a JSON column; a damaged row is a store failure, not a crash. */
function parseJson<T>(text: string, id: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw storeError(new Error(`row ${JSON.stringify(id)} holds damaged JSON: ${(err as Error).message}`));
  }
}

/**
 * A stored row as a CallRecord; rows written before section 6 have no `passedOver` (nobody was),
 * rows written before section 10 no `node`.
 */
export function readRecord(text: string, id: string): CallRecord {
  const r = parseJson<CallRecord>(text, id);
  r.passedOver ??= [];
  r.node ??= null;
  return r;
}

/** A call's writes from its first few milliseconds share one flush (see GroupCommit). */
const CALL_LOG_WINDOW_MS = 15;

/** Call log rows and resumable call state. */
export class CallStore implements CallLogPort {
  private readonly writes: GroupCommit;

  constructor(
    private readonly db: Db,
    /** Written into every row (section 10); null when the config names no node. */
    private readonly node: string | null = null,
  ) {
    this.writes = new GroupCommit(db, CALL_LOG_WINDOW_MS);
  }

  /** Resolves once every write queued so far is committed (before close). */
  flush(): Promise<void> {
    return this.writes.drain();
  }

  /**
   * Insert or update the row of `record.id`. The session writes it when the call starts and
   * again when it ends, so a crash mid-call still leaves a row.
   */
  async upsert(record: CallRecord): Promise<void> {
    const params = [
      record.id,
      sortableTime(record.startedAt),
      record.from,
      record.to,
      record.outcome,
      record.answeredBy?.user ?? null,
      record.answeredBy?.device ?? null,
      JSON.stringify(record.rules ?? []),
      JSON.stringify(record.legs ?? []),
      record.durationSeconds,
      JSON.stringify({ ...record, node: this.node }),
      record.backend,
      new Date().toISOString(),
      this.node,
    ];
    // Group-committed (see group-commit.ts); the row is captured now, so later changes to the
    // record object cannot leak into this write.
    await this.writes.write(`call:${record.id}`, {
      sql: `INSERT INTO calls (id, started_at, from_number, to_number, outcome, answered_user, answered_device,
           rules, legs, duration, record, backend, updated_at, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, from_number = excluded.from_number,
           to_number = excluded.to_number, outcome = excluded.outcome, answered_user = excluded.answered_user,
           answered_device = excluded.answered_device, rules = excluded.rules, legs = excluded.legs,
           duration = excluded.duration, record = excluded.record, backend = excluded.backend,
           updated_at = excluded.updated_at, node = excluded.node`,
      params,
    });
  }

  /** The call with this id, or null (writes queued before this call are committed first). */
  async get(id: string): Promise<CallRecord | null> {
    await this.writes.drain();
    const row = await this.db.get<{ record: string }>('SELECT record FROM calls WHERE id = ?', [id]);
    return row ? readRecord(row.record, id) : null;
  }

  /** Calls newest first (ties: the later inserted first). */
  async list(opts: ListCallsOptions = {}): Promise<CallRecord[]> {
    await this.writes.drain();
    const conds: string[] = [];
    const params: unknown[] = [];
    if (opts.since) conds.push('started_at >= ?'), params.push(opts.since.toISOString());
    if (opts.node !== undefined) conds.push('node = ?'), params.push(opts.node);
    const where = conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : '';
    const limit = opts.limit !== undefined && Number.isFinite(opts.limit) ? Math.max(0, Math.trunc(opts.limit)) : -1;
    params.push(limit);
    const rows = await this.db.all<{ id: string; record: string }>(`SELECT id, record FROM calls ${where} ORDER BY started_at DESC, rowid DESC LIMIT ?`, params);
    return rows.map((r) => readRecord(r.record, r.id));
  }

  /** Delete the rows of finished calls that started before `before` (calls in progress stay). Returns how many. */
  async pruneEnded(before: Date): Promise<number> {
    await this.writes.drain();
    const { changes } = await this.db.run('DELETE FROM calls WHERE started_at < ? AND outcome IS NOT NULL', [before.toISOString()]);
    return changes;
  }

  /** Keep what is needed to resume call `id` after a restart. */
  async saveState(id: string, state: unknown): Promise<void> {
    await this.writes.write(`state:${id}`, {
      sql: 'INSERT INTO call_state (id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
      params: [id, JSON.stringify(state ?? null), new Date().toISOString()],
    });
  }

  /** Forget the resumable state of call `id` (the call ended). */
  async deleteState(id: string): Promise<void> {
    await this.writes.write(`state:${id}`, { sql: 'DELETE FROM call_state WHERE id = ?', params: [id] });
  }

  /** Every saved call state, oldest update first. */
  async listStates(): Promise<{ id: string; state: unknown }[]> {
    await this.writes.drain();
    const rows = await this.db.all<{ id: string; state: string }>('SELECT id, state FROM call_state ORDER BY updated_at, id');
    return rows.map((r) => ({ id: r.id, state: parseJson<unknown>(r.state, r.id) }));
  }
}
