/**
 * The order of a `least-recent` or `fewest-calls` group (spec section 10, "More ring-group
 * strategies"), from the group's answer history. Pure: the history and the clock come in.
 */
import type { Config, RingGroup } from '../config/schema.js';
import type { Availability, MemberHistory } from './availability.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How recent her last call from the group is: never answered is the oldest of all, a call still in
 * progress the newest.
 */
function recency(h: MemberHistory | undefined): number {
  if (!h) return -Infinity;
  if (h.inProgress) return Infinity;
  return h.lastEnded ?? -Infinity;
}

/** Calls from the group she answered in the 24 hours before `now`. */
export function answeredInDay(h: MemberHistory | undefined, now: number): number {
  if (!h) return 0;
  let n = 0;
  for (const t of h.answered) if (t > now - DAY_MS && t <= now) n++;
  return n;
}

/** The members in ringing order, and the trace's words for why. Ties keep config order (a stable sort). */
export function historyOrder(group: RingGroup, avail: Availability): { order: string[]; why: string } {
  const history = avail.history?.get(group.id);
  const now = avail.now ?? 0;
  const members = [...group.members];
  const byRecency = (a: string, b: string): number => {
    const ra = recency(history?.get(a));
    const rb = recency(history?.get(b));
    return ra === rb ? 0 : ra < rb ? -1 : 1;
  };
  if (group.strategy === 'fewest-calls') {
    const count = new Map(members.map((m) => [m, answeredInDay(history?.get(m), now)] as const));
    members.sort((a, b) => count.get(a)! - count.get(b)! || byRecency(a, b));
    return { order: members, why: `calls answered in the last 24 hours: ${members.map((m) => `${m} ${count.get(m)}`).join(', ')}` };
  }
  members.sort(byRecency);
  const said = members.map((m) => {
    const h = history?.get(m);
    if (h?.inProgress) return `${m} on a call from the group now`;
    return h?.lastEnded !== undefined ? `${m} last ended ${new Date(h.lastEnded).toISOString()}` : `${m} never answered`;
  });
  return { order: members, why: `longest since the last answered call first: ${said.join(', ')}` };
}

/**
 * The least-recent and fewest-calls groups a call to `to` may ring (its distribution, open or
 * closed): what a controller on a shared store reads across nodes before planning (section 10).
 */
export function historyGroupsFor(config: Config, to: string): string[] {
  const number = config.numbers.find((n) => n.number === to);
  const dists = [number?.distribution, number?.whenClosed?.distribution].filter((d): d is string => d !== undefined);
  const out = new Set<string>();
  for (const id of dists) {
    for (const entry of config.distributions.find((d) => d.id === id)?.steps ?? []) {
      const group = config.ringGroups.find((g) => g.id === (typeof entry === 'string' ? entry : entry.group));
      if (group && (group.strategy === 'least-recent' || group.strategy === 'fewest-calls')) out.add(group.id);
    }
  }
  return [...out];
}
