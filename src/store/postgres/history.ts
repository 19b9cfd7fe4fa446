/**
 * The ring groups' answer history in PostgreSQL, shared by every node: least-recent and
 * fewest-calls take their order from every node's answers, read in one statement (`load` with the
 * groups a call's route uses). Each node closes only its own lost rows.
 *
 * `answered` and `ended` go through the store's write queue like the call log: while PostgreSQL is
 * down they wait there (bounded, an overflow logged and counted in /metrics) and are written when
 * it is back. Each resolves once its row is written, and rejects if the write is dropped.
 */
import type { GroupAnswerPort, MemberHistoryRow } from '../../runtime/store.js';
import { DAY_MS } from '../../routing/history-order.js';
import type { PgDb } from './db.js';
import type { WriteQueue } from './write-queue.js';

export class PgGroupAnswerStore implements GroupAnswerPort {
  constructor(
    private readonly db: PgDb,
    private readonly node: string,
    private readonly writes: WriteQueue,
  ) {}

  answered(callId: string, groupId: string, userId: string, at: number): Promise<void> {
    return this.writes.queueAndWait(`answer:${callId}:${groupId}`, {
      sql: `INSERT INTO group_answers (node, call_id, group_id, user_id, answered_at, ended_at) VALUES ($1, $2, $3, $4, $5, NULL)
       ON CONFLICT (node, call_id, group_id) DO UPDATE SET user_id = EXCLUDED.user_id, answered_at = EXCLUDED.answered_at, ended_at = NULL`,
      params: [this.node, callId, groupId, userId, Math.trunc(at)],
    });
  }

  ended(callId: string, at: number): Promise<void> {
    // After the call's `answered` in the queue (a later key), so the row it updates is there first.
    return this.writes.queueAndWait(`ended:${callId}`, {
      sql: 'UPDATE group_answers SET ended_at = $1 WHERE node = $2 AND call_id = $3 AND ended_at IS NULL',
      params: [Math.trunc(at), this.node, callId],
    });
  }

  async tidy(active: ReadonlySet<string>, at: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE group_answers SET ended_at = $1 WHERE node = $2 AND ended_at IS NULL AND NOT (call_id = ANY($3::text[]))', [Math.trunc(at), this.node, [...active]]);
      await tx.query(
        `DELETE FROM group_answers a WHERE answered_at < $1 AND ended_at IS NOT NULL AND ended_at < (
           SELECT max(g.ended_at) FROM group_answers g WHERE g.group_id = a.group_id AND g.user_id = a.user_id)`,
        [Math.trunc(at - 2 * DAY_MS)],
      );
    });
  }

  /** One statement: per member of each group (all groups, or `groups`), her last end, open calls and the last day's answers. */
  async load(now: number, groups?: readonly string[]): Promise<Map<string, Map<string, MemberHistoryRow>>> {
    const rows = await this.db.query<{ group_id: string; user_id: string; last: string | null; open: string[] | null; answered: string[] | null }>(
      `SELECT group_id, user_id, max(ended_at) AS last,
              array_agg(call_id) FILTER (WHERE ended_at IS NULL) AS open,
              array_agg(answered_at ORDER BY answered_at) FILTER (WHERE answered_at > $1) AS answered
         FROM group_answers WHERE ($2::text[] IS NULL OR group_id = ANY($2::text[])) GROUP BY group_id, user_id`,
      [Math.trunc(now - DAY_MS), groups ? [...groups] : null],
    );
    const out = new Map<string, Map<string, MemberHistoryRow>>();
    for (const r of rows) {
      let byUser = out.get(r.group_id);
      if (!byUser) out.set(r.group_id, (byUser = new Map()));
      const h: MemberHistoryRow = { open: new Set(r.open ?? []), answered: (r.answered ?? []).map(Number) };
      if (r.last !== null) h.lastEnded = Number(r.last);
      byUser.set(r.user_id, h);
    }
    return out;
  }
}
