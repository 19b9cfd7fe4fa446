/** Ring-group cursors: where each round-robin / linear group starts its next call. */
import type { CursorPort, Decide, Move } from '../runtime/store.js';
import { Mutex, type Db } from './db.js';

export type { Decide, Move };

/** Read-decide-write on the cursors, one caller at a time, so two calls never get the same member. */
export class CursorStore implements CursorPort {
  /**
   * The cursors as this process last read or wrote them. The controller is the only writer, so
   * after the first read the table need not be read again: a take that moves nothing touches no
   * disk at all, and one that moves a cursor writes it before it returns (so it survives a
   * restart). Takes are serialised by their own lock, not the store's write lock, so they never
   * queue behind call-log writes.
   */
  private cache: Map<string, number> | null = null;
  private readonly lock = new Mutex();

  constructor(private readonly db: Db) {}

  /** The current cursors (group id -> position), without writing anything. */
  async peek(): Promise<Map<string, number>> {
    return toMap(await this.db.all<CursorRow>('SELECT group_id, position FROM ring_group_cursors'));
  }

  /**
   * Read the cursors, call `decide`, write its moves: all in one serialised transaction, so each
   * caller sees the cursors the previous one left. When `decide` throws, nothing is written.
   */
  take<T>(decide: Decide<T>): Promise<T> {
    return this.lock.run(async () => {
      this.cache ??= await this.peek();
      const { result, moves } = decide(this.cache);
      for (const m of moves) if (!Number.isSafeInteger(m.to)) throw new TypeError(`cursor move for ${m.group} to ${m.to} is not an integer`);
      if (moves.length > 0) {
        await this.db.transaction(async (tx) => {
          for (const m of moves) {
            await tx.run(
              'INSERT INTO ring_group_cursors (group_id, position) VALUES (?, ?) ON CONFLICT (group_id) DO UPDATE SET position = excluded.position',
              [m.group, m.to],
            );
          }
        });
        for (const m of moves) this.cache.set(m.group, m.to);
      }
      return result;
    });
  }
}

interface CursorRow {
  group_id: string;
  position: number;
}

function toMap(rows: CursorRow[]): Map<string, number> {
  return new Map(rows.map((r) => [r.group_id, r.position]));
}
