/** Ring-group cursors: where each round-robin / linear group starts its next call. */
import type { Db } from './db.js';

/** A cursor change decided by the planner; `from` is what it read, `to` what it writes. */
export interface Move {
  group: string;
  from: number;
  to: number;
}

/** The pure decision `take` runs under the store's write lock. */
export type Decide<T> = (cursors: ReadonlyMap<string, number>) => { result: T; moves: readonly Move[] };

/** Read-decide-write on the cursors, one caller at a time, so two calls never get the same member. */
export class CursorStore {
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
    return this.db.transaction(async (tx) => {
      const cursors = toMap(await tx.all<CursorRow>('SELECT group_id, position FROM ring_group_cursors'));
      const { result, moves } = decide(cursors);
      for (const m of moves) {
        if (!Number.isSafeInteger(m.to)) throw new TypeError(`cursor move for ${m.group} to ${m.to} is not an integer`);
        await tx.run(
          'INSERT INTO ring_group_cursors (group_id, position) VALUES (?, ?) ON CONFLICT (group_id) DO UPDATE SET position = excluded.position',
          [m.group, m.to],
        );
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
