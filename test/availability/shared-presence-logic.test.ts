/**
 * Presence on a shared store (section 10), without a database: a fake bus stands for the other
 * nodes and a fake answer store for PostgreSQL. The group history this node has not written yet
 * survives a refresh that reads the store first.
 */
import { describe, expect, it } from 'vitest';
import { historyOrder } from '../../src/routing/history-order.js';
import { DeviceStates, Presence } from '../../src/runtime/presence.js';
import type { GroupAnswerPort, MemberHistoryRow } from '../../src/runtime/store.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const GROUP = { id: 'lr', strategy: 'least-recent' as const, members: ['alice', 'bob', 'carol'], skipBusy: false, wrapUpSeconds: 0 };

/** An answer store whose writes wait until `release()` and whose reads see only what was released. */
function slowAnswers() {
  const written = new Map<string, Map<string, MemberHistoryRow>>();
  const waiting: (() => void)[] = [];
  const entry = (g: string, u: string) => {
    let byUser = written.get(g);
    if (!byUser) written.set(g, (byUser = new Map()));
    let h = byUser.get(u);
    if (!h) byUser.set(u, (h = { open: new Set(), answered: [] }));
    return h;
  };
  const calls = new Map<string, { g: string; u: string }>();
  const port: GroupAnswerPort = {
    answered: (callId, g, u, at) =>
      new Promise<void>((r) =>
        waiting.push(() => {
          calls.set(callId, { g, u });
          entry(g, u).open.add(callId);
          entry(g, u).answered.push(at);
          r();
        }),
      ),
    ended: (callId, at) =>
      new Promise<void>((r) =>
        waiting.push(() => {
          const c = calls.get(callId);
          if (c) {
            entry(c.g, c.u).open.delete(callId);
            entry(c.g, c.u).lastEnded = at;
          }
          r();
        }),
      ),
    tidy: async () => undefined,
    load: async (_now, groups) => {
      const out = new Map<string, Map<string, MemberHistoryRow>>();
      for (const [g, byUser] of written) {
        if (groups && !groups.includes(g)) continue;
        out.set(g, new Map([...byUser].map(([u, h]) => [u, { ...h, open: new Set(h.open), answered: [...h.answered] }])));
      }
      return out;
    },
  };
  return { port, release: async () => { for (const w of waiting.splice(0)) w(); await Promise.resolve(); } };
}

describe('shared presence: group history not yet written', () => {
  it('given answers still queued for the store, when the history is refreshed from it, then least-recent still counts them', async () => {
    const clock = { t: Date.parse('2026-12-01T09:00:00Z') };
    const answers = slowAnswers();
    const p = new Presence({ answers: answers.port, dnd: () => new Set(), devices: new DeviceStates(), log: quiet, now: () => clock.t, shared: { bus: null } });
    await p.start();
    p.answered('c1', 'alice', 'lr');
    clock.t += 1000;
    p.ended('c1');
    p.answered('c2', 'bob', 'lr'); // still in progress: the most recent of all
    await p.refreshHistory(['lr']); // the store has none of it yet (PostgreSQL was down)
    expect(historyOrder(GROUP, p.availability()).order).toEqual(['carol', 'alice', 'bob']);
    await answers.release();
    await p.refreshHistory(['lr']); // written now: the same order from the store alone
    expect(historyOrder(GROUP, p.availability()).order).toEqual(['carol', 'alice', 'bob']);
    p.ended('c2');
    await answers.release();
    await p.refreshHistory(['lr']);
    expect(historyOrder(GROUP, p.availability()).order).toEqual(['carol', 'alice', 'bob']);
    expect(p.availability().history?.get('lr')?.get('bob')).toMatchObject({ inProgress: false, lastEnded: clock.t });
  });
});
