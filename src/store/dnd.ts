/**
 * Do-not-disturb (spec section 6): run-time state, not config. `switchboard dnd USER on|off`
 * writes it; a running controller re-reads the table every 250 ms (src/runtime/live.ts), so a
 * change made from another process reaches it within a second. A handful of rows at most.
 */
import type { DndPort, DndRow } from '../runtime/store.js';
import type { Db } from './db.js';

export type { DndRow };

export class DndStore implements DndPort {
  constructor(
    private readonly db: Db,
    private readonly reader: Db,
  ) {}

  /** Everyone on do-not-disturb, by user id. */
  async list(): Promise<DndRow[]> {
    const rows = await this.reader.all<{ user_id: string; since: string }>('SELECT user_id, since FROM dnd ORDER BY user_id');
    return rows.map((r) => ({ userId: r.user_id, since: r.since }));
  }

  /**
   * Turn DND on or off; false when it already was so. Turning it on again keeps the first
   * `since`: "on DND since" means since she went on it, not since the last command.
   */
  async set(userId: string, on: boolean, now: Date = new Date()): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const r = on
        ? await tx.run('INSERT INTO dnd (user_id, since) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING', [userId, now.toISOString()])
        : await tx.run('DELETE FROM dnd WHERE user_id = ?', [userId]);
      return r.changes > 0;
    });
  }
}
