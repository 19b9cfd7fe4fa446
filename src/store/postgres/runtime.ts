/** Schedule overrides, the run-time block list and do-not-disturb in PostgreSQL (as src/store/runtime.ts, dnd.ts). */
import type { BlockedRow, BlockPort, DndPort, DndRow, OverridePort, OverrideState, ScheduleOverrideRow } from '../../runtime/store.js';
import type { PgDb } from './db.js';

export class PgOverrideStore implements OverridePort {
  constructor(private readonly db: PgDb) {}

  async list(): Promise<ScheduleOverrideRow[]> {
    const rows = await this.db.query<{ schedule_id: string; state: string; updated_at: string }>('SELECT schedule_id, state, updated_at FROM schedule_overrides ORDER BY schedule_id');
    return rows.filter((r) => r.state === 'open' || r.state === 'closed').map((r) => ({ scheduleId: r.schedule_id, state: r.state as OverrideState, updatedAt: r.updated_at }));
  }

  async set(scheduleId: string, state: OverrideState | null, now: Date = new Date()): Promise<void> {
    if (state === null) await this.db.query('DELETE FROM schedule_overrides WHERE schedule_id = $1', [scheduleId]);
    else
      await this.db.query(
        'INSERT INTO schedule_overrides (schedule_id, state, updated_at) VALUES ($1, $2, $3) ON CONFLICT (schedule_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at',
        [scheduleId, state, now.toISOString()],
      );
  }
}

export class PgBlockStore implements BlockPort {
  constructor(private readonly db: PgDb) {}

  async list(): Promise<BlockedRow[]> {
    const rows = await this.db.query<{ pattern: string; created_at: string }>('SELECT pattern, created_at FROM blocked_numbers ORDER BY pattern');
    return rows.map((r) => ({ pattern: r.pattern, createdAt: r.created_at }));
  }

  async add(pattern: string, now: Date = new Date()): Promise<boolean> {
    return (await this.db.query('INSERT INTO blocked_numbers (pattern, created_at) VALUES ($1, $2) ON CONFLICT (pattern) DO NOTHING RETURNING pattern', [pattern, now.toISOString()])).length > 0;
  }

  async remove(pattern: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM blocked_numbers WHERE pattern = $1 RETURNING pattern', [pattern])).length > 0;
  }
}

export class PgDndStore implements DndPort {
  constructor(private readonly db: PgDb) {}

  async list(): Promise<DndRow[]> {
    const rows = await this.db.query<{ user_id: string; since: string }>('SELECT user_id, since FROM dnd ORDER BY user_id');
    return rows.map((r) => ({ userId: r.user_id, since: r.since }));
  }

  async set(userId: string, on: boolean, now: Date = new Date()): Promise<boolean> {
    const rows = on
      ? await this.db.query('INSERT INTO dnd (user_id, since) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING RETURNING user_id', [userId, now.toISOString()])
      : await this.db.query('DELETE FROM dnd WHERE user_id = $1 RETURNING user_id', [userId]);
    return rows.length > 0;
  }
}
