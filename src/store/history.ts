/**
 * The ring groups' answer history (spec section 6 wrap-up, section 10 least-recent and
 * fewest-calls): one row per call a member answered from a group, with when it ended. The
 * controller keeps its own copy in memory (src/runtime/history.ts) and writes here behind the
 * call; `explain` and a restarted controller read it back.
 */
import { DAY_MS } from '../routing/history-order.js';
import type { GroupAnswerPort, MemberHistoryRow } from '../runtime/store.js';
import type { Db } from './db.js';

export type { MemberHistoryRow };

export class GroupAnswerStore implements GroupAnswerPort {
  constructor(
    private readonly db: Db,
    private readonly reader: Db,
  ) {}

  /** Member `userId` answered call `callId` from group `groupId` at `at` (ms). */
  async answered(callId: string, groupId: string, userId: string, at: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(
        'INSERT INTO group_answers (call_id, group_id, user_id, answered_at, ended_at) VALUES (?, ?, ?, ?, NULL) ON CONFLICT (call_id, group_id) DO UPDATE SET user_id = excluded.user_id, answered_at = excluded.answered_at, ended_at = NULL',
        [callId, groupId, userId, Math.trunc(at)],
      );
    });
  }

  /** Call `callId` ended at `at`: its group calls are no longer in progress. */
  async ended(callId: string, at: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('UPDATE group_answers SET ended_at = ? WHERE call_id = ? AND ended_at IS NULL', [Math.trunc(at), callId]);
    });
  }

  /**
   * Close the rows of calls nobody tracks any more (the controller died mid-call), as ended at
   * `at`, and drop what no strategy can use again: rows older than two days that are not a
   * member's latest.
   */
  async tidy(active: ReadonlySet<string>, at: number): Promise<void> {
    const open = await this.db.all<{ call_id: string }>('SELECT DISTINCT call_id FROM group_answers WHERE ended_at IS NULL');
    await this.db.transaction(async (tx) => {
      for (const { call_id } of open) if (!active.has(call_id)) await tx.run('UPDATE group_answers SET ended_at = ? WHERE call_id = ? AND ended_at IS NULL', [Math.trunc(at), call_id]);
      await tx.run(
        `DELETE FROM group_answers WHERE answered_at < ? AND ended_at IS NOT NULL AND ended_at < (
           SELECT MAX(g.ended_at) FROM group_answers g WHERE g.group_id = group_answers.group_id AND g.user_id = group_answers.user_id)`,
        [Math.trunc(at - 2 * DAY_MS)],
      );
    });
  }

  /** Everything a strategy or wrap-up needs at `now`: each member's last end, open calls, and the last 24 hours' answers. */
  async load(now: number): Promise<Map<string, Map<string, MemberHistoryRow>>> {
    const out = new Map<string, Map<string, MemberHistoryRow>>();
    const entry = (g: string, u: string): MemberHistoryRow => {
      let byUser = out.get(g);
      if (!byUser) out.set(g, (byUser = new Map()));
      let h = byUser.get(u);
      if (!h) byUser.set(u, (h = { open: new Set(), answered: [] }));
      return h;
    };
    const last = await this.reader.all<{ group_id: string; user_id: string; last: number | null }>('SELECT group_id, user_id, MAX(ended_at) AS last FROM group_answers GROUP BY group_id, user_id');
    for (const r of last) if (r.last !== null) entry(r.group_id, r.user_id).lastEnded = r.last;
    const open = await this.reader.all<{ group_id: string; user_id: string; call_id: string }>('SELECT group_id, user_id, call_id FROM group_answers WHERE ended_at IS NULL');
    for (const r of open) entry(r.group_id, r.user_id).open.add(r.call_id);
    const recent = await this.reader.all<{ group_id: string; user_id: string; answered_at: number }>('SELECT group_id, user_id, answered_at FROM group_answers WHERE answered_at > ? ORDER BY answered_at', [Math.trunc(now - DAY_MS)]);
    for (const r of recent) entry(r.group_id, r.user_id).answered.push(r.answered_at);
    return out;
  }
}

export { historyView } from '../runtime/history-view.js';
