/** The ring groups' answer history as the planner reads it, from the rows a store loads. */
import type { GroupHistory, MemberHistory } from '../routing/availability.js';
import type { MemberHistoryRow } from './store.js';

/** The read-only view the planner takes. */
export function historyView(rows: Map<string, Map<string, MemberHistoryRow>>): GroupHistory {
  const out = new Map<string, Map<string, MemberHistory>>();
  for (const [g, byUser] of rows) {
    const m = new Map<string, MemberHistory>();
    for (const [u, h] of byUser) m.set(u, { ...(h.lastEnded !== undefined ? { lastEnded: h.lastEnded } : {}), inProgress: h.open.size > 0, answered: h.answered });
    out.set(g, m);
  }
  return out;
}
