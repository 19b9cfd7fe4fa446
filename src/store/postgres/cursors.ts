/**
 * Ring-group cursors shared by several controllers (section 10). A take costs one statement per
 * group whose cursor moves, and that statement is the whole read-decide-write:
 * `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` computes the new cursor from the one in the
 * table (whatever another node left there) and the members this node can ring, under the row lock
 * PostgreSQL takes for the update. So two calls on two nodes at once never take the same member.
 *
 * The planner decides first on the cursors this node last saw; when the statement's answer
 * differs (another node moved the cursor), the planner runs again from the cursor the statement
 * started from: pure and in memory, no second statement. Steps that move no cursor cost nothing.
 *
 * PostgreSQL down or slow (no answer within `budgetMs`): the call is planned on the cursors in
 * memory, so calls still route; exactness across nodes returns with the database.
 */
import type { Logger } from '../../log.js';
import type { CursorPort, Decide, Move } from '../../runtime/store.js';
import { Mutex } from '../db.js';
import type { PgDb } from './db.js';

const ROUND_ROBIN = `
  INSERT INTO ring_group_cursors AS c (group_id, position) VALUES ($1, $2)
  ON CONFLICT (group_id) DO UPDATE SET position = (COALESCE(
      (SELECT min(e) FROM unnest($3::int[]) AS e WHERE e >= ((c.position % $4) + $4) % $4),
      (SELECT min(e) FROM unnest($3::int[]) AS e)) + 1) % $4
  RETURNING position`;

const LINEAR = `
  INSERT INTO ring_group_cursors AS c (group_id, position) VALUES ($1, $2)
  ON CONFLICT (group_id) DO UPDATE SET position = ((((c.position % $3) + $3) % $3) + 1) % $3
  RETURNING position`;

const SET = `INSERT INTO ring_group_cursors (group_id, position) VALUES ($1, $2)
  ON CONFLICT (group_id) DO UPDATE SET position = EXCLUDED.position RETURNING position`;

/** The statement (and its parameters) that makes `m` atomically against the stored cursor. */
export function moveStatement(m: Move): { sql: string; params: unknown[] } {
  const n = m.members ?? 0;
  if (m.strategy === 'round-robin' && n > 0 && m.eligible && m.eligible.length > 0) {
    return { sql: ROUND_ROBIN, params: [m.group, (Math.min(...m.eligible) + 1) % n, m.eligible, n] };
  }
  if (m.strategy === 'linear' && n > 0) return { sql: LINEAR, params: [m.group, 1 % n, n] };
  return { sql: SET, params: [m.group, m.to] };
}

/** The cursor a move started from, given where the statement left it: the planner re-runs from there. */
function startedFrom(m: Move, position: number): number {
  const n = m.members ?? 0;
  if (n <= 0 || !m.strategy) return m.from;
  return (position - 1 + n) % n;
}

export class PgCursorStore implements CursorPort {
  private cache: Map<string, number> | null = null;
  private readonly lock = new Mutex();

  constructor(
    private readonly db: PgDb,
    private readonly log: Pick<Logger, 'warn'>,
    /** How long a take waits for PostgreSQL before planning on memory. */
    private readonly budgetMs = 500,
  ) {}

  async peek(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ group_id: string; position: number }>('SELECT group_id, position FROM ring_group_cursors');
    return new Map(rows.map((r) => [r.group_id, r.position]));
  }

  take<T>(decide: Decide<T>): Promise<T> {
    // One take at a time in this process (as on SQLite); across processes the statement is atomic.
    return this.lock.run(async () => {
      if (!this.cache) this.cache = await this.withBudget(this.peek()).catch(() => new Map<string, number>());
      const cache = this.cache;
      const first = decide(cache);
      for (const m of first.moves) if (!Number.isSafeInteger(m.to)) throw new TypeError(`cursor move for ${m.group} to ${m.to} is not an integer`);
      if (first.moves.length === 0) return first.result;
      let positions: number[];
      try {
        positions = await this.withBudget(this.applyMoves(first.moves));
      } catch (err) {
        // Route on memory; the cursor moves locally so this node still rotates.
        this.log.warn({ err: (err as Error).message }, 'ring-group cursor take: PostgreSQL did not answer; planned on the cursors in memory');
        for (const m of first.moves) cache.set(m.group, m.to);
        return first.result;
      }
      if (first.moves.every((m, i) => positions[i] === m.to)) {
        for (const m of first.moves) cache.set(m.group, m.to);
        return first.result;
      }
      // Another node moved a cursor: plan again from where the statement found it.
      const from = new Map(cache);
      const seen = new Set<string>();
      first.moves.forEach((m, i) => {
        if (seen.has(m.group)) return;
        seen.add(m.group);
        from.set(m.group, startedFrom(m, positions[i]!));
      });
      const again = decide(from);
      first.moves.forEach((m, i) => cache.set(m.group, positions[i]!));
      return again.result;
    });
  }

  private async applyMoves(moves: readonly Move[]): Promise<number[]> {
    const out: number[] = [];
    for (const m of moves) {
      const { sql, params } = moveStatement(m);
      const rows = await this.db.query<{ position: number }>(sql, params);
      out.push(rows[0]!.position);
    }
    return out;
  }

  private withBudget<R>(work: Promise<R>): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.budgetMs} ms`)), this.budgetMs);
    });
    work.catch(() => undefined); // answered after the budget: nobody waits for it
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  }
}
