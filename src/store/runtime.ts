/**
 * Run-time state an admin changes while the controller runs (spec sections 7 and 9): schedule
 * overrides (`switchboard schedule ID open|closed|auto`) and the run-time block list
 * (`switchboard block add|remove`). Both tables are tiny; the controller re-reads them every
 * second (src/runtime/live.ts), so a change made by a CLI in another process reaches it in time.
 */
import type { BlockedRow, BlockPort, OverridePort, OverrideState, ScheduleOverrideRow } from '../runtime/store.js';
import type { Db } from './db.js';

export type { BlockedRow, OverrideState, ScheduleOverrideRow };

/** Schedule overrides: at most one per schedule. */
export class OverrideStore implements OverridePort {
  constructor(
    private readonly db: Db,
    private readonly reader: Db,
  ) {}

  /** Every override in force, by schedule id. */
  async list(): Promise<ScheduleOverrideRow[]> {
    const rows = await this.reader.all<{ schedule_id: string; state: string; updated_at: string }>(
      'SELECT schedule_id, state, updated_at FROM schedule_overrides ORDER BY schedule_id',
    );
    return rows.filter((r) => r.state === 'open' || r.state === 'closed').map((r) => ({ scheduleId: r.schedule_id, state: r.state as OverrideState, updatedAt: r.updated_at }));
  }

  /** Force a schedule open or closed; `null` (the CLI's `auto`) returns it to its calendar. */
  async set(scheduleId: string, state: OverrideState | null, now: Date = new Date()): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (state === null) await tx.run('DELETE FROM schedule_overrides WHERE schedule_id = ?', [scheduleId]);
      else {
        await tx.run(
          'INSERT INTO schedule_overrides (schedule_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (schedule_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
          [scheduleId, state, now.toISOString()],
        );
      }
    });
  }
}

/** The run-time block list. Patterns are validated by the caller (E.164 or `+digits*`). */
export class BlockStore implements BlockPort {
  constructor(
    private readonly db: Db,
    private readonly reader: Db,
  ) {}

  async list(): Promise<BlockedRow[]> {
    const rows = await this.reader.all<{ pattern: string; created_at: string }>('SELECT pattern, created_at FROM blocked_numbers ORDER BY pattern');
    return rows.map((r) => ({ pattern: r.pattern, createdAt: r.created_at }));
  }

  /** Add a pattern; false when it was there already. */
  async add(pattern: string, now: Date = new Date()): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const r = await tx.run('INSERT INTO blocked_numbers (pattern, created_at) VALUES (?, ?) ON CONFLICT (pattern) DO NOTHING', [pattern, now.toISOString()]);
      return r.changes > 0;
    });
  }

  /** Remove a pattern; false when it was not there. */
  async remove(pattern: string): Promise<boolean> {
    return this.db.transaction(async (tx) => (await tx.run('DELETE FROM blocked_numbers WHERE pattern = ?', [pattern])).changes > 0);
  }
}
